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


@hookimpl(trylast=True)
def prepare_connection(conn):
    # trylast: our escape_fts must be registered after Datasette's own, or Datasette's wins and
    # ?_search= stops finding Chinese text.
    from corpus.search import register_functions  # noqa: PLC0415

    register_functions(conn)


@hookimpl
def canned_queries(datasette, database):
    if database == DB_NAME:
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
