"""The Datasette plugin of the published library: search functions, canned queries, the Chinese
site's pages, cells, Excel-safe CSV.

Registered through the ``datasette`` entry point in pyproject.toml. Canned queries come from here
rather than metadata.yml so that the ranked search SQL has one source (``corpus.search.sql``); the
``canned_queries`` hook also survives the move to Datasette 1.0, where ``get_metadata`` is gone.
The data behind the site's own pages (home, document, interpretation, department) is loaded by
``corpus.site.pages``; the words a reader sees for snake_case names are in ``corpus.site.labels``.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone

from datasette import __version__, hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import Response
from datasette_atom import can_render_atom, render_atom
from feedgen.feed import FeedGenerator
from markupsafe import Markup, escape

from corpus.counts.read import register_counts_hold
from corpus.search.sql import register_functions
from corpus.site import check_page, compare_page, follow, search_page, table_search, views, xlsx
from corpus.site import labels as site_labels
from corpus.site import pages as site_pages
from corpus.site.bom import bom_csv
from corpus.site.facets import CountedFacet
from corpus.site.names import DB_NAME, STATIC_MOUNT
from corpus.site.queries import canned_queries_for_library

# CSS class per status: the colours live in static/normdocs.css.
STATUS_CLASSES = {
    "现行有效": "in-force",
    "尚未生效": "pending",
    "已修改": "amended",
    "部分失效": "partly-void",
    "已废止": "repealed",
    "已失效": "expired",
    "未知": "unknown",
}


@hookimpl
def startup(datasette):
    # `datasette serve` publishes a plain Database: serve the library as make_datasette does
    # (the table search's window, the first page ordered as the later ones).
    table_search.publish(datasette, DB_NAME)


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    # trylast: our escape_fts must be registered after Datasette's own, or Datasette's wins and
    # ?_search= stops finding Chinese text.
    register_functions(conn)
    # nd_counts_hold(): canned queries read the build's counts while they hold (corpus.counts)
    db = datasette.databases.get(database)
    register_counts_hold(conn, immutable=db is not None and not db.is_mutable)


@hookimpl
def canned_queries(datasette, database):
    if database == DB_NAME:
        return canned_queries_for_library()
    return None


@hookimpl
def register_magic_parameters(datasette):
    # :_nd_page, the ranked search's page (?page=), not a field of its form
    return [("nd", search_page.magic)]


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    # ?_search= on the tables whose metadata has `search:` (corpus/site/table_search.py);
    # trylast: its `supports_search` is the last word over Datasette's own
    async def inner():
        return await table_search.filters_from_request(request, database, table, datasette)

    return inner


@hookimpl
def register_facet_classes():
    # the declared facets of the big tables, from the build's counts (corpus/site/facets.py)
    return [CountedFacet]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(f"/{STATIC_MOUNT}/normdocs.css")]


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: bom_csv(table_search.per_request(app))


@hookimpl(trylast=True)
def register_output_renderer(datasette):
    # trylast: Datasette keeps the last renderer registered for an extension, so this `.atom`
    # replaces datasette-atom's own, which it calls for every feed that has entries; and this
    # `.xlsx` datasette-xlsx's, where it is installed (corpus/site/xlsx.py)
    return [
        {"extension": "atom", "render": render_atom_feed, "can_render": can_render_atom},
        {"extension": "xlsx", "render": xlsx.render_xlsx, "can_render": xlsx.can_render},
    ]


async def render_atom_feed(
    datasette, request, sql, columns, rows, database, table, query_name, view_name, data
):
    """datasette-atom's feed; a valid feed with no entries where it has none to give.

    datasette-atom 0.9 dates a feed by its newest entry, so a feed filtered to nothing (a
    department with no dated document yet) would be an HTTP 500. The empty feed is dated by the
    library's build instead. Every feed is named by ``_feed_title``, else by the query's title
    (datasette-atom would take the SQL: it looks for titles in metadata.yml only).
    """
    query = (
        await datasette.get_canned_query(database, query_name, request.actor)
        if query_name
        else None
    )
    title = request.args.get("_feed_title") or (query or {}).get("title") or query_name or table
    if rows or not can_render_atom(columns):  # entries, or datasette-atom's own 400
        default_title = title if query else sql  # render_atom's `sql` is only a default title
        return render_atom(
            datasette, request, default_title, columns, rows, database, table, query_name,
            view_name, data,
        )  # fmt: skip
    feed = FeedGenerator()
    feed.generator(
        generator="Datasette", version=__version__, uri="https://github.com/simonw/datasette"
    )
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.title(title)
    feed.updated(await _built_at(datasette.get_database(database)))
    return Response(
        feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200
    )


async def _built_at(db) -> str | datetime:
    """When the library was built (``build_info``), else now: the date of an empty feed."""
    if await db.table_exists("build_info"):
        row = (await db.execute("select value from build_info where key = 'built_at'")).first()
        if row and row[0]:
            return row[0]
    return datetime.now(UTC)


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def template_vars():
        variables = {
            # words a reader sees for the snake_case names and codes (corpus.site.labels)
            "nd_label": site_labels.column_label,
            "nd_value": site_labels.value_label,
            "nd_param": site_labels.param_label,
            "nd_lookup": lambda key, display: site_labels.LOOKUP_LABELS.get(key, display),
            "nd_options": views.param_options,
            "nd_relation": views.relation_label,
            "nd_title": lambda name=None: views.title(datasette, name),
            "nd_site": views.site_metadata(datasette),
            # safe rendering and small helpers
            "nd_link": url_link,
            "nd_time": china_time,
            "nd_status_class": lambda status: STATUS_CLASSES.get(status, "unknown"),
            "nd_with_args": views.with_args,
            "nd_row_table": views.row_table,
            "nd_query_rows": lambda *args: views.rows_html(datasette, database, *args),
            "nd_percent": views.percent,
            "nd_feeds": lambda: views.feeds(datasette),
            "nd_feed": lambda title, **args: views.feed(datasette, title, **args),
            "nd_change_feed": lambda title, **args: follow.change_feed(datasette, title, **args),
            "nd_search_feed": lambda values: follow.search_feed(datasette, values),
            "nd_search_paging": lambda columns, rows: search_page.paging(request, columns, rows),
            "nd_department_url": lambda name: views.department_url(datasette, name),
        }
        db = datasette.databases.get(DB_NAME)
        if db is None:
            return variables
        variables["normdocs_as_of"] = await site_pages.as_of(db)
        page = await _page_data(db, view_name, database, table, request)
        if page is not None:
            variables["nd"] = page
        return variables

    return template_vars


@hookimpl
def register_routes(datasette):
    # "/" is the site's home page: Datasette's own index (still at /.json) introspects every
    # table on every request, ten times the work of this page.
    return [
        (r"^/$", views.home_page),
        (r"^/department/(?P<name>[^/]+)$", views.department_page),
        (rf"^{check_page.PATH}$", check_page.check_page),
        (rf"^{compare_page.PATH}$", compare_page.compare_page),
    ]


@hookimpl
def skip_csrf(datasette, scope):
    # The check page changes nothing; and a token signed by one worker of the production server
    # (each has its own secret) would be refused by another (corpus/site/check_page.py).
    return scope.get("type") == "http" and scope.get("path") == check_page.PATH


async def _page_data(db, view_name, database, table, request) -> dict | None:
    """The data of the row pages that are the site's own: document, interpretation, site."""
    if view_name != "row" or database != DB_NAME or request is None:
        return None
    pks = urlsafe_components(request.url_vars.get("pks", ""))
    if len(pks) != 1:
        return None
    if table == "sites":
        return await site_pages.site(db, pks[0])
    if table in ("documents", "interpretations") and pks[0].isdigit():
        loader = site_pages.document if table == "documents" else site_pages.interpretation
        return await loader(db, int(pks[0]))
    return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not isinstance(value, str):
        return None
    if column == "snippet":
        return safe_snippet(value)
    if column == "status" and value in STATUS_CLASSES:
        css = STATUS_CLASSES[value]
        return Markup(f'<span class="nd-status nd-status-{css}">{escape(value)}</span>')
    if column in ("url", "source") or column.endswith("_url"):
        return url_link(value)
    if column == "article" and database == DB_NAME and "id" in row.keys():  # noqa: SIM118
        # the search's 所在条文: a link to that article on the document page
        href = datasette.urls.row(database, "documents", str(row["id"])) + "#" + value
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    if column in ("kind", "method", "parent_table") and value in site_labels.VALUE_LABELS:
        label = escape(site_labels.VALUE_LABELS[value])
        return Markup(f'<span title="{escape(value)}">{label}</span>')
    if (
        column == "title"
        and database == DB_NAME
        and table in ("documents", "interpretations")
        and "id" in row.keys()  # noqa: SIM118 - on a sqlite3.Row, `in` tests values
    ):
        href = datasette.urls.row(database, table, str(row["id"]))
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None


_MARK = re.compile(r"(</?mark>)")


def safe_snippet(text: str) -> Markup:
    """A snippet as HTML: everything escaped except balanced ``<mark>`` / ``</mark>`` tags.

    The text pieces are unescaped before escaping again, so already-escaped input (what
    ``nd_snippet`` returns) is shown as it was meant, and unescaped input can inject nothing.
    """
    out: list[str] = []
    open_mark = False
    for piece in _MARK.split(text):
        if piece == "<mark>":
            if not open_mark:
                out.append(piece)
            open_mark = True
        elif piece == "</mark>":
            if open_mark:
                out.append(piece)
            open_mark = False
        else:
            out.append(str(escape(html.unescape(piece))))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))


def url_link(value: str | None, text: str | None = None) -> Markup:
    """An http(s) URL as a link (showing ``text``, else the URL); anything else (``javascript:``,
    ``data:``, a name) as plain text."""
    if value is None:
        return escape(text or "")
    url = value.strip()
    if _WEB.match(url) and not _SPACE.search(url):
        return Markup(f'<a href="{escape(url)}" rel="nofollow noopener">{escape(text or url)}</a>')
    return escape(text or value)


_SPACE = re.compile(r"[\s\x00-\x1f]")
# http(s) with a host: what urlsplit would say, without its cost on every cell of a 1,000-row
# page (nor its ValueError on a malformed bracketed host)
_WEB = re.compile(r"https?://[^/?#]", re.IGNORECASE)
_CHINA = timezone(timedelta(hours=8))


def china_time(value: str | None) -> str:
    """A stored UTC timestamp (``2026-12-01T02:30:00+00:00``) in China time to the minute
    (``2026-12-01 10:30``); anything that is not a timestamp as it is."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return value or ""
    if moment.tzinfo is None:  # the library writes UTC (corpus.store.save.utcnow)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_CHINA).strftime("%Y-%m-%d %H:%M")
