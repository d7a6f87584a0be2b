"""The comparison page (``/compare``): two stored versions of a page side by side, by article.

``/compare?table=documents&id=ID&version=N`` compares version N of the page (``document_versions``)
with the one before it; ``&from=M`` with version M instead. ``/compare?table=documents&id=ID&
amended_by=D`` compares the document's articles with the reading after decision D's changes
(``corpus.articles.amend``), where every change applies. Each article of either version is a
row: old and new side by side, added, removed, renumbered or changed, with the changed characters
marked (``corpus.articles.compare``, whose docstring states how articles are paired). Articles not
changed are folded away unless ``&all=1``. The entries of a page's 版本记录 link here.
"""

from __future__ import annotations

from datasette.utils.asgi import NotFound, Response

from corpus.articles import amend
from corpus.articles.compare import compare
from corpus.site import pages as site_pages
from corpus.site.names import DB_NAME

PATH = "/compare"
TABLES = ("documents", "interpretations")
STATUS_LABELS = {
    "same": "未变",
    "renumbered": "条号变化",
    "changed": "修改",
    "added": "新增",
    "removed": "删除",
}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _load(r: site_pages.Reader, table: str, parent_id: int, version: int | None, old: int | None):
    """The page's row and the two versions compared, or None when one of them is not stored."""
    page = r.first(f"select id, title from {table} where id = :id", {"id": parent_id})
    if page is None:
        return None
    versions = r.rows(
        """select id, version, fetched_at, title, body_text from document_versions
           where parent_table = :t and parent_id = :id order by version""",
        {"t": table, "id": parent_id},
    )
    by_number = {v["version"]: v for v in versions}
    if version is None and versions:
        version = versions[-1]["version"]
    new = by_number.get(version)
    if new is None:
        return None
    before = by_number.get(old if old is not None else version - 1)
    if before is None or before is new:
        return None
    return {"page": page, "old": before, "new": new, "versions": versions}


def _load_amendment(r: site_pages.Reader, doc_id: int, decision_id: int):
    """The document's articles and its reading after decision ``decision_id`` (a decision the
    library says amends it), or None when there is no such pair or not every change applies."""
    page = r.first("select id, title from documents where id = :id", {"id": doc_id})
    amends = r.first(
        """select 1 from relations where from_document_id = :d and to_document_id = :id
             and relation = 'amends'""",
        {"d": decision_id, "id": doc_id},
    )
    if page is None or amends is None:
        return None
    decision = r.first(
        "select id, title, body_text from documents where id = :id", {"id": decision_id}
    )
    units = r.rows(
        """select kind, value, text from articles
           where document_id = :id and kind in ('编', '章', '节', '条') order by ordinal""",
        {"id": doc_id},
    )
    result = amend.apply(decision["body_text"] or "", units, title=page["title"])
    if not result.complete:
        return None
    return {
        "page": page,
        "decision": decision,
        "old": {"body_text": "\n".join(u["text"] for u in units)},
        "new": {"body_text": result.text},
    }


async def compare_page(datasette, request):
    """``/compare``: two versions of a document's (or interpretation's) page, by article."""
    db = datasette.databases.get(DB_NAME)
    if db is None:
        raise NotFound("没有文库")
    args = request.args
    table = args.get("table") or "documents"
    parent_id = _int(args.get("id"))
    if table not in TABLES or parent_id is None:
        raise NotFound("比较需要 table（documents 或 interpretations）与 id")
    decision = _int(args.get("amended_by"))
    if decision is not None and table == "documents":
        data = await site_pages.run(db, _load_amendment, parent_id, decision)
        if data is None:
            raise NotFound("该决定不修改本文件，或其修改未能全部应用")
    else:
        version, old = _int(args.get("version")), _int(args.get("from"))
        data = await site_pages.run(db, _load, table, parent_id, version, old)
        if data is None:
            raise NotFound("没有可比较的两个版本")
    comparison = compare(data["old"]["body_text"], data["new"]["body_text"], data["page"]["title"])
    show_all = args.get("all") == "1"
    context = {
        "nd": data,
        "nd_table": table,
        "nd_comparison": comparison,
        "nd_rows": [c for c in comparison.changes if show_all or c.status != "same"],
        "nd_all": show_all,
        "nd_labels": STATUS_LABELS,
        "nd_page_url": datasette.urls.row(DB_NAME, table, str(parent_id)),
        "database": DB_NAME,
    }
    html = await datasette.render_template("compare.html", context, request=request)
    return Response.html(html)
