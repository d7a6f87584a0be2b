"""The Datasette plugin of the published library: Chinese search functions, canned queries, cells.

Registered through the ``datasette`` entry point in pyproject.toml. Canned queries come from here
rather than metadata.yml so that the ranked search SQL has one source (``corpus.search``); the
``canned_queries`` hook also survives the move to Datasette 1.0, where ``get_metadata`` is gone.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from datasette import hookimpl
from markupsafe import Markup, escape

DB_NAME = "normdocs"  # the name the library is published under, whatever its file is called
STATIC_MOUNT = "assets"  # corpus/static is served at /assets/ (see corpus.serve)

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


@hookimpl(trylast=True)
def prepare_connection(conn):
    # trylast: our escape_fts must be registered after Datasette's own, or Datasette's wins and
    # ?_search= stops finding Chinese text.
    from corpus.search import register_functions  # noqa: PLC0415

    register_functions(conn)


@hookimpl
def canned_queries(datasette, database):
    if database == DB_NAME:
        from corpus.queries import canned_queries_for_library  # noqa: PLC0415

        return canned_queries_for_library()
    return None


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(f"/{STATIC_MOUNT}/normdocs.css")]


@hookimpl
def extra_template_vars(datasette):
    async def as_of():
        # The footer says as of which date the statuses hold (written by corpus.build).
        db = datasette.databases.get(DB_NAME)
        if db is None or not await db.table_exists("build_info"):
            return {}
        row = (await db.execute("select value from build_info where key = 'as_of'")).first()
        return {"normdocs_as_of": row[0] if row else None}

    return as_of


@hookimpl
def render_cell(value, column):
    if not isinstance(value, str):
        return None
    if column == "snippet":
        return safe_snippet(value)
    if column == "status" and value in STATUS_CLASSES:
        return Markup('<span class="nd-status nd-status-{}">{}</span>').format(
            STATUS_CLASSES[value], value
        )
    if column in ("url", "source") or column.endswith("_url"):
        return url_link(value)
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


def url_link(value: str) -> Markup:
    """An http(s) URL as a link; anything else (``javascript:``, ``data:``, a name) as plain text."""
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not _SPACE.search(url):
        return Markup('<a href="{0}" rel="nofollow noopener">{0}</a>').format(url)
    return Markup("{}").format(value)


_SPACE = re.compile(r"[\s\x00-\x1f]")
