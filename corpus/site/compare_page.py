"""The comparison page (``/compare``): two stored versions of a page side by side, by article.

``/compare?table=documents&id=ID&version=N`` compares version N of the page (``document_versions``)
with the one before it; ``&from=M`` with version M instead. Each article of either version is a
row: old and new side by side, added, removed, renumbered or changed, with the changed characters
marked (``corpus.articles.compare``, whose docstring states how articles are paired). Articles not
changed are folded away unless ``&all=1``. The entries of a page's 版本记录 link here.
"""

from __future__ import annotations

from datasette.utils.asgi import NotFound, Response

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
