"""Pure parsers for Guangdong's gkmlpt (政府信息公开目录平台): site config, JSON list, post pages.

See docs/sites.md, "Guangdong gkmlpt". A column is a category of the catalogue, written in the
registry as ``http://host/gkmlpt/index#{category}`` (the page's own address for it) or as the
API address ``http://host/gkmlpt/api/all/{category}?sid=S``. The index page carries the site id
in its inline config (``SID: '2'``); the list is
``GET /gkmlpt/api/all/{category}?page=N&sid=S``::

    {"classify": {"id": 5, "name": "规范性文件", "post_count": 203},
     "articles": [{"id": 4311907, "title": "…", "date": 1758853620, "publisher": "…",
                   "identifier": "006939748/2025-00010", "document_number": "粤府〔2025〕11号",
                   "url": "http://…/gkmlpt/content/4/4311/post_4311907.html",
                   "is_expired": 0, "is_abolished": 0, "relation": "4311916",
                   "attachment": [{"name": "….docx", "url": "http://…/attachment/…"}]}]}

The validity flags and the related posts are in the list; they travel to the page's record on the
list entry (``GkmlptEntry``). The page holds the same flags only as its script's data
(``window._CONFIG`` DETAIL ``gkml_data``), from which the script paints the 失效 stamp: read from
there when no list entry comes with the page. The flags become the record's ``validity_raw`` as
the words ``corpus.validity.rules.map_page_status`` maps (已废止, 已失效; nothing when neither is
set).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urljoin, urlsplit

from corpus.store.normalize import canonical_doc_number, squash_spaces
from corpus.store.records import (
    Attachment,
    DocumentRecord,
    ListEntry,
    PageLink,
    ParseError,
)
from crawler.parsers.article import Article, ArticleLayout, Record, merge_links
from crawler.parsers.links import file_ext, json_array, json_links

BODY = ("div.article-content", "div.content-article", "#zoom", "div.TRS_Editor")
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
_SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
_API_PATH = re.compile(r"/gkmlpt/api/all/(\d+)")
# gkmlpt's own labels beside the common ones (分类 is its 主题分类, 名称 its 标题).
EXTRA_LABELS = {"分类": "subject"}


@dataclass
class GkmlptEntry(ListEntry):
    """A list article: what the JSON says beyond what a list entry holds."""

    publisher: str = ""
    is_expired: int = 0
    is_abolished: int = 0
    relation: list[str] = field(default_factory=list)  # ids of related posts
    attachments: list[Attachment] = field(default_factory=list)
    post_id: str = ""


@dataclass
class ColumnParams:
    """A gkmlpt column: its API root, category and site id."""

    column_url: str
    api_root: str  # http://host/gkmlpt/api/all
    category: str
    sid: str
    per_page: int | None = None  # learnt from the first answer

    def page_url(self, page: int) -> str:
        """``/gkmlpt/api/all/{category}?page=N&sid=S`` (1-based pages)."""
        return f"{self.api_root}/{self.category}?page={page}&sid={self.sid}"

    def to_dict(self) -> dict:
        return {"api": self.page_url(1), "category": self.category, "sid": self.sid}


def column_target(column_url: str, category: str | None = None, sid: str | None = None) -> dict:
    """What a column URL (or the registry's options) names: category, sid, and the index page.

    ``…/gkmlpt/index#5`` → category 5, sid from the index page; ``…/gkmlpt/api/all/5?sid=2`` →
    both at once. Raises ParseError when no category can be found.
    """
    parts = urlsplit(column_url)
    m = _API_PATH.search(parts.path)
    category = category or (m[1] if m else "") or parts.fragment.strip("/")
    if not category.isdigit():
        raise ParseError(f"column: no gkmlpt category in {column_url!r} (use …/gkmlpt/index#ID)")
    sid = sid or (parse_qs(parts.query).get("sid") or [""])[0]
    prefix = parts.path.split("/gkmlpt/", 1)[0]
    root = f"{parts.scheme}://{parts.netloc}{prefix}/gkmlpt"
    return {
        "category": category,
        "sid": sid,
        "index": f"{root}/index",
        "api_root": f"{root}/api/all",
    }


def parse_sid(text: str) -> str:
    """The site id from the index page's inline config (``SID: '2'``)."""
    m = _SID.search(text)
    if not m:
        raise ParseError("column params: no SID in the gkmlpt index page")
    return m[1]


@dataclass
class ApiAnswer:
    """One answer of the list API."""

    entries: list[GkmlptEntry]
    post_count: int | None
    articles: int  # items in the answer, readable or not
    found: bool = True  # False: not the API's JSON at all


def parse_api(text: str, base_url: str) -> ApiAnswer:
    """The articles of a list-API answer (``classify.post_count`` is the category's total)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return ApiAnswer([], None, 0, found=False)
    if not isinstance(doc, dict):
        return ApiAnswer([], None, 0, found=False)
    classify = doc.get("classify") or {}
    count = classify.get("post_count", doc.get("total"))
    articles = doc.get("articles")
    items = articles if isinstance(articles, list) else []
    entries = [e for e in (_entry(a, base_url) for a in items) if e is not None]
    return ApiAnswer(entries, int(count) if str(count).isdigit() else None, len(items))


def _unix_date(value: object) -> tuple[str, str | None]:
    """Unix seconds (or epoch milliseconds) → (raw, ISO date in China time)."""
    try:
        n = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value or ""), None
    if n > 10**11:  # epoch milliseconds
        n //= 1000
    return str(value), datetime.fromtimestamp(n, UTC).astimezone(CHINA).date().isoformat()


def _flag(value: object) -> int:
    return 1 if str(value).strip() in ("1", "true", "True") else 0


def _entry(article: object, base_url: str) -> GkmlptEntry | None:
    if not isinstance(article, dict):
        return None
    href = article.get("url") or article.get("post_url")
    if not href:
        return None
    date_raw, date = _unix_date(article.get("date") or article.get("first_publish_time"))
    atts = []
    for item in article.get("attachment") or []:
        if isinstance(item, dict) and item.get("url"):
            url = urljoin(base_url, item["url"])
            name = squash_spaces(str(item.get("name") or ""))
            atts.append(Attachment(url=url, name=name, ext=file_ext(urlsplit(url).path)))
    relation = [r for r in re.split(r"[,\s]+", str(article.get("relation") or "")) if r.isdigit()]
    return GkmlptEntry(
        url=urljoin(base_url, href),
        title=squash_spaces(str(article.get("title") or "")),
        date_raw=date_raw,
        date=date,
        doc_number_raw=squash_spaces(str(article.get("document_number") or "")),
        index_no=squash_spaces(str(article.get("identifier") or "")),
        publisher=squash_spaces(str(article.get("publisher") or "")),
        is_expired=_flag(article.get("is_expired")),
        is_abolished=_flag(article.get("is_abolished")),
        relation=relation,
        attachments=atts,
        post_id=str(article.get("id") or ""),
    )


def validity_from_flags(is_expired: int, is_abolished: int) -> str:
    """The flags as the page-status words ``corpus.validity.rules.map_page_status`` reads.

    ``is_abolished`` wins over ``is_expired`` (a repeal says more than an expiry); neither set
    says nothing (the platform shows no badge: not evidence of being in force).
    """
    if is_abolished:
        return "已废止"
    if is_expired:
        return "已失效"
    return ""


def post_url(base_url: str, post_id: str) -> str:
    """A post's page from its id: ``/gkmlpt/content/{id//10⁶}/{id//10³}/post_{id}.html``."""
    n = int(post_id)
    prefix = urlsplit(base_url).path.split("/gkmlpt/", 1)[0]
    return urljoin(base_url, f"{prefix}/gkmlpt/content/{n // 1_000_000}/{n // 1000}/post_{n}.html")


def _relation_links(entry: GkmlptEntry, base_url: str, role: str) -> list[PageLink]:
    return [PageLink(post_url(base_url, pid), "", role, "relation") for pid in entry.relation]  # type: ignore[arg-type]


def _merge_attachments(record: Record, entry: GkmlptEntry) -> None:
    have = {a.url for a in record.attachments}
    record.attachments += [a for a in entry.attachments if a.url not in have]


_PAGE_FLAG = re.compile(r'"(is_expired|is_abolished)"\s*:\s*"?(\w+)')


def page_flags(art: Article) -> tuple[int, int] | None:
    """(is_expired, is_abolished) as a post page's own script data holds them
    (``window._CONFIG = {DETAIL: {…, "gkml_data": {…, "is_expired": 1, "is_abolished": 0}}}``,
    from which its script shows the 失效 stamp and 文件状态 row); None when the page has none."""
    for script in art.selector.xpath("//script[not(@src)]/text()").getall():
        if '"is_expired"' in script or '"is_abolished"' in script:
            found = dict(_PAGE_FLAG.findall(script))
            return _flag(found.get("is_expired")), _flag(found.get("is_abolished"))
    return None


def from_list(record: Record, art: Article, entry: ListEntry | None) -> None:
    """Add what only the list answer says to a post page's record.

    A document gets the list's 文号, publisher and 索引号 where the page shows none, and the
    validity flags (the page's own script data first: the same flags); both kinds get the posts
    the ``relation`` names and the list's attachments.
    """
    if isinstance(record, DocumentRecord) and not record.validity_raw:
        flags = page_flags(art)
        if flags:  # the page's own data: its script shows the 失效/废止 stamp from these
            record.validity_raw = validity_from_flags(*flags)
    if not isinstance(entry, GkmlptEntry):
        return
    role = "document"
    if isinstance(record, DocumentRecord):
        role = "interpretation"
        if not record.doc_number and canonical_doc_number(entry.doc_number_raw):
            record.doc_number_raw = entry.doc_number_raw
            record.doc_number = canonical_doc_number(entry.doc_number_raw)
        record.issuer = art.value("issuer") or entry.publisher or record.issuer
        record.index_no = record.index_no or entry.index_no
        # Validity evidence of the platform: its two flags, as page-status words.
        record.validity_raw = record.validity_raw or validity_from_flags(
            entry.is_expired, entry.is_abolished
        )
        record.meta["gkmlpt_flags"] = (
            f"is_expired={entry.is_expired} is_abolished={entry.is_abolished}"
        )
    merge_links(record, _relation_links(entry, art.base_url, role))
    _merge_attachments(record, entry)


def related_posts(art: Article, role: str) -> list[PageLink]:
    """The posts a post page relates to itself: ``window._CONFIG.DETAIL.related_posts``, which
    the page's script draws into ``div.tab__slot`` (the HTML holds none of them). A related
    post with the page's own title is its republication elsewhere, not a counterpart.
    """
    for script in art.selector.xpath("//script[not(@src)]/text()").getall():
        if '"related_posts"' in script:
            items = json_array(script, "related_posts")
            return json_links(items, art.base_url, role, "related_posts", own_title=art.title)
    return []


# Post pages: a ``classify`` table (with gkmlpt's own 分类), body in ``div.article-content``; the
# list answer adds what the page does not show, its script data the related posts.
ARTICLE = ArticleLayout(BODY, EXTRA_LABELS, from_list=from_list, find_links=related_posts)
parse_document = ARTICLE.parse_document
parse_interpretation = ARTICLE.parse_interpretation
