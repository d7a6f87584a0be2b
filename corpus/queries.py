"""The library's canned queries: the menu of the published site, one entry per query.

Each entry is in Datasette's metadata shape (sql, title, description …). The plugin serves them
through the ``canned_queries`` hook, so SQL that lives in Python (the ranked search) has one
source. Add a query by adding an entry to ``canned_queries_for_library``.
"""

from __future__ import annotations

IN_FORCE_SQL = """\
select id, doc_number, title, issuer, kind, published_date, effective_date, expires_on,
  status_basis, interpretation_count, url
from documents
where status = '现行有效'
  and (:issuer = '' or instr(issuer, :issuer) > 0)
  and (:site = '' or site = :site)
order by published_date desc, id desc"""

NEWEST_SQL = """\
select id, published_date, title, doc_number, issuer, kind, status, site, url
from documents
order by published_date desc, id desc
limit 100"""


def canned_queries_for_library() -> dict[str, dict]:
    """The library's canned queries, keyed by name, in Datasette's metadata shape."""
    from corpus.search import SEARCH_SQL  # noqa: PLC0415 - keep plugin import light

    return {
        "search": {
            "sql": SEARCH_SQL,
            "title": "全文检索",
            "description": (
                "按相关度排序检索文件的标题、文号和正文，命中处高亮。"
                "q：检索词（多个词用空格分隔）；kind：类别（rule、normative、policy，可空）；"
                "status：效力状态（如 现行有效，可空）；issuer：发文机关（可空）。"
            ),
            "hide_sql": True,
        },
        "in_force": {
            "sql": IN_FORCE_SQL,
            "title": "现行有效文件",
            "description": (
                "某部门截至构建日期现行有效的文件，按发布日期由新到旧，附判定依据。"
                "issuer：发文机关名称（含联合发文，如 江西省生态环境厅）；"
                "site：来源网站代码（如 jx-sthjt）。两者都空时列出全部现行有效文件。"
            ),
        },
        "newest": {
            "sql": NEWEST_SQL,
            "title": "最新文件",
            "description": "按发布日期由新到旧的最近 100 份文件。",
        },
    }
