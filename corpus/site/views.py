"""The site's own views and the helpers its templates call (corpus/site/templates).

``home_page`` (``/``) and ``department_page`` (``/department/<name>``) are routes the plugin
registers; the rest are the small functions ``extra_template_vars`` hands to every template.
"""

from __future__ import annotations

import weakref
from urllib.parse import quote, unquote, urlencode

from datasette.utils import path_with_replaced_args, tilde_decode, to_css_class
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from corpus.site import counted
from corpus.site import labels as site_labels
from corpus.site import pages as site_pages
from corpus.site.follow import change_feed, feed_link
from corpus.site.names import DB_NAME
from corpus.site.queries import MENU
from corpus.validity.rules import STATUSES

FEED_QUERY = "newest"  # the canned query the Atom feeds are made of (it has the atom_* columns)


async def home_page(datasette, request):
    """``/``: counts by status, kind and department, the newest documents, the menu."""
    db = datasette.databases.get(DB_NAME)
    context = {"metadata": datasette.metadata(), "nd": None, "nd_menu": [], "nd_more": []}
    if db is not None:
        queries = await datasette.get_canned_queries(DB_NAME, request.actor)
        context["nd"] = await site_pages.home(db)
        menu = [{"name": n, **q} for n, q in queries.items()]
        context["nd_menu"] = [q for q in menu if q["name"] in MENU]
        context["nd_more"] = [q for q in menu if q["name"] not in MENU and not q.get("nd_hidden")]
    html_page = await datasette.render_template("index.html", context, request=request)
    return Response.html(html_page)


async def department_page(datasette, request):
    """``/department/<name>``: a department's 现行有效目录 and 解读率 (template department.html)."""
    db = datasette.databases.get(DB_NAME)
    # Datasette answers a 404 for a %-encoded path by redirecting to its ~-encoded twin.
    name = tilde_decode(unquote(request.url_vars["name"]))
    page = request.args.get("page") or ""
    page = int(page) if page.isascii() and page.isdigit() else 1
    data = await site_pages.department(db, name, page) if db is not None else None
    if data is None:
        raise NotFound(f"没有这个部门：{name}")
    # the 现行有效目录's pages: the links keep every other argument
    catalogue = data["catalogue"]
    catalogue["previous"] = (
        _page_url(request, catalogue["page"] - 1) if catalogue["page"] > 1 else None
    )
    catalogue["next"] = (
        _page_url(request, catalogue["page"] + 1)
        if catalogue["page"] < catalogue["pages"]
        else None
    )
    # The list's downloads are the 现行有效目录 query's — the build's numbering of it while the
    # counts hold (the same rows in the same order, without sorting the whole list); the rates
    # link to their canned query.
    query = "department_catalogue" if await counted.fresh(db) else "current_catalogue"
    export = {"query": query, "args": urlencode({"department": name})}
    context = {
        "nd": data,
        "nd_export": export,
        "nd_rate_query": "interpretation_rate",
        "database": DB_NAME,
    }
    html_page = await datasette.render_template("department.html", context, request=request)
    return Response.html(html_page)


def _page_url(request, page: int) -> str:
    """This page's URL at ``?page=`` (none for the first), the other arguments kept."""
    return path_with_replaced_args(request, {"page": str(page) if page > 1 else None})


_SITE_METADATA: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def site_metadata(datasette) -> dict:
    """The site-wide metadata the footer and the titles use, read once per Datasette.

    ``datasette.metadata()`` deep-copies the whole metadata on every call; pages ask often.
    """
    if datasette not in _SITE_METADATA:
        tables = (datasette.metadata("databases") or {}).get(DB_NAME, {})
        _SITE_METADATA[datasette] = {
            **{
                k: datasette.metadata(k) for k in ("license", "license_url", "source", "source_url")
            },
            "library_title": tables.get("title") or DB_NAME,
            "table_titles": {t: m.get("title") for t, m in tables.get("tables", {}).items()},
        }
    return _SITE_METADATA[datasette]


def title(datasette, table: str | None = None) -> str:
    """The Chinese title of the library (no table) or of one of its tables (metadata.yml)."""
    meta = site_metadata(datasette)
    if table is None:
        return meta["library_title"]
    return meta["table_titles"].get(table) or table


def param_options(name: str) -> list[tuple[str, str]] | None:
    """The choices of a canned query parameter that has a closed vocabulary, as (value, label)."""
    if name == "status":
        return [("", "全部")] + [(s, s) for s in STATUSES]
    if name == "kind":
        return [("", "全部")] + [(k, site_labels.value_label(k)) for k in site_labels.KIND_OPTIONS]
    return None


def row_table(query: dict | None, columns: list[str] | None) -> str | None:
    """Which table a canned query's rows are rows of, so their titles can link to their pages.

    A query may say so itself (``row_table`` in its entry in corpus/site/queries.py); otherwise rows
    with ``id`` and ``title`` plus a 文号 or a status are documents, plus a form interpretations.
    """
    if query and query.get("row_table"):
        return query["row_table"]
    cols = set(columns or ())
    if not {"id", "title"} <= cols:
        return None
    if cols & {"doc_number", "status", "issuer"}:
        return "documents"
    if "form" in cols:
        return "interpretations"
    return None


def rows_html(
    datasette,
    database: str,
    rows: list,
    columns: list[str],
    shown: list[int],
    link_table: str | None,
    title_index: int,
    id_index: int,
) -> Markup:
    """The rows of a query page as HTML (``<tr>`` elements of ``<td class="col-…">``): the
    ``shown`` columns, each cell as ``render_cell`` made it (escaped unless it is Markup), the
    title linked to its row page when the rows are rows of ``link_table``.

    One Python loop instead of the template's: a query page shows up to 1,000 rows, and Jinja's
    cell loop (an awaited call per expression) took two thirds of such a page (bench/README.md,
    "query pages").
    """
    classes = [f' class="col-{to_css_class(columns[i])}"' for i in shown]
    link = link_table is not None and title_index >= 0 and id_index >= 0
    prefix = datasette.urls.table(database, link_table) if link else ""
    out = []
    for row in rows:
        out.append("<tr>")
        for i, cls in zip(shown, classes, strict=True):
            cell = escape(row[i])
            if link and i == title_index:
                href = escape(f"{prefix}/{row[id_index]}")
                cell = f'<a href="{href}">{cell}</a>'
            out.append(f"<td{cls}>{cell}</td>")
        out.append("</tr>\n")
    return Markup("".join(out))


def with_args(url: str, args: str) -> str:
    """``url`` with ``args`` (an encoded query string) appended."""
    return url + ("&" if "?" in url else "?") + args


def percent(value: float | None) -> str:
    """0.875 → 87.5%; None → —."""
    return "—" if value is None else f"{value * 100:.1f}%"


def feed(datasette, title: str, **args: str) -> dict:
    """An Atom feed of new documents (datasette-atom over ``newest``), filtered by ``args``.

    ``_feed_title`` names the feed: datasette-atom takes a title only from metadata.yml, where
    the plugin's canned queries are not.
    """
    return feed_link(datasette, FEED_QUERY, title, args)


def feeds(datasette) -> list[dict]:
    """The site-wide feeds: all new documents, new documents of each kind, all status changes.

    Every kind, whether the library has any yet or not: a feed with no entries is a valid empty
    feed (``corpus.site.plugin.render_atom_feed``), which a reader may subscribe to early.
    """
    by_kind = [
        feed(datasette, f"新{site_labels.value_label(k)}", kind=k) for k in site_labels.KIND_OPTIONS
    ]
    return [feed(datasette, "全部新文件"), *by_kind, change_feed(datasette, "全部文件效力变化")]


def relation_label(relation: str | None) -> str:
    """A relation as a verb (repeals → 废止了); an unknown code as it is."""
    return site_labels.RELATION_LABELS.get(relation or "", relation or "")


def department_url(datasette, name: str) -> str:
    """The page of the department ``name`` (its name %-encoded: browsers show it as Chinese)."""
    return datasette.urls.path("/department/" + quote(name, safe=""))
