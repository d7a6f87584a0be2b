"""Counts precomputed by the build: what the site's pages count, counted once per build.

A table view of a million documents counts its facets on every request; the home page, the
department pages and the site pages count documents by status, kind, department and site. None
of these change between builds, so the build counts them once (``step.count_views``, the last
step of ``corpus.build``) into tables migration 12 creates (and ``counts_built``: which build):

- ``facet_counts`` — per table of ``FACETS``: each view of that table with no filter or one
  equality filter on a facet column (``documents?status=现行有效``), its number of rows
  (``facet_column`` empty) and the count of every value of every facet column in it (``NULL``
  values are not counted, as Datasette's column facets leave them out); and the number of rows
  of every other table (``filter_column`` and ``facet_column`` empty).
- ``department_counts`` — documents per department (``document_departments``, a joint document
  counted for each of its issuers) by status, kind and site.
- ``department_rates`` — the ``interpretation_rates`` view's rows (解读率 per department and
  year), as the view gives them.
- ``department_catalogue`` — each department's 现行有效目录 in its order (the ``current_catalogue``
  query's: rules and normative documents in force, as amended or partly, by 成文日期), numbered,
  so a department page shows any page of it without sorting the whole list.
- ``search_facets`` — for each table, every combination of its facet values and, per
  ``search_rowid`` (the full-text index's rowid), the combination of its row: a search's facets
  are counted from the rowids the index returns, without reading a row.

``read.fresh`` says whether the counts in a file are those of its rows: written by the build that
``build_info`` names (``counts_built``), no crawl run started since, the same number of documents and
interpretations. The site reads the counts only then (``corpus.site.facets``, ``corpus.site.pages``)
and counts live otherwise, so a count shown is never one the rows disagree with;
``tests/test_facet_counts.py`` compares every precomputed count with the live one.

Only ``corpus.store`` is imported; the build writes the counts, the site reads them.
"""

from __future__ import annotations

# The facet columns of each table whose views are precounted: the facets the site declares for
# them (corpus/site/metadata.yml, checked by tests/test_facet_counts.py).
FACETS: dict[str, tuple[str, ...]] = {
    "documents": ("kind", "status", "issuer", "year", "site"),
    "interpretations": ("form", "site"),
}

# A department's 现行有效目录 (the current_catalogue query, corpus/validity/queries.py): these
# statuses and kinds, oldest first by 成文日期 (else 发布日期), then id.
CATALOGUE_STATUSES = ("现行有效", "已修改", "部分失效")
CATALOGUE_KINDS = ("rule", "normative")
CATALOGUE_ORDER = "coalesce(d.written_date, d.published_date), d.id"


def sql_list(values: tuple[str, ...]) -> str:
    """``('a', 'b')`` for SQL (the values are the constants above, never input)."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"
