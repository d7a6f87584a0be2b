"""Pure parsers for TRS WCM (拓尔思) sites: list pages, their pager call, article pages.

See docs/sites.md, "TRS WCM". A list is ``index.html``, ``index_1.html`` … (page n is
``{prefix}_{n-1}.{suffix}``); items link relatively to ``./YYYYMM/tYYYYMMDD_N.html`` (or
``.shtml``); the number of pages comes from a script call in one of several signatures::

    createPageHTML(89, 0, "index", "html");                         pages, current (0-based)
    createPageHTML('page_div', 11, 1, 'list', 'shtml', 154);        container, pages,
                                                                    current (1-based), …, items
    createPage(12, 0, "index", "shtml");                            pages, current (0-based)
    Pager({size: 266, current: 0, prefix: 'index', suffix: 'html'}) pages, current (0-based)

Bodies sit in ``div.TRS_Editor`` (``div.trs_editor_view``, ``div.view.TRS_UEDITOR``) behind a
``<style>`` block; attachments are ``./P0….pdf`` links beside the article.

A list page links to many pages besides its column's items: navigation, breadcrumbs, sidebars of
热点信息 and 最新 pointing at detail pages of other columns. Only the items of the column's own list
are documents of that column: ``parse_list_page`` groups item links by the container that repeats
them and keeps the group that holds most items under the column's folder (then most items). Some
templates keep the list, pager call included, inside an HTML comment that a script paints (Gansu's
教育厅, 2025: ``<ul class="jytxxgklist"><!-- <li><a href="/jyt/c110634/202511/174240943.shtml">…
</li> … createPageHTML('page_div',10, 1,'zwgklist','shtml',200); --></ul>``); a comment is read
as list content when the element holding it has no links of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from parsel import Selector
from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url

from corpus.store.normalize import find_dates, parse_date, squash_spaces
from corpus.store.records import ListEntry
from crawler.parsers.article import ArticleLayout
from crawler.parsers.common import selector_text

BODY = (
    "div.TRS_Editor",
    "div.trs_editor_view",
    "div.TRS_UEDITOR",
    "div.view",
    "div.article-content",
    "#zoom",
)
# ./202012/t20201214_366066.html: the detail pages a TRS list links to.
_DETAIL = re.compile(r"/(?:\d{6}/)?t(\d{8})_\d+\.s?html?$")
# Any detail page: a file name with a long number (t20201214_366066.html, 174240943.shtml,
# content_1951206363677671424.html, art_4975_1503934.html), never index_1.html or list.shtml.
_PAGE_NAME = re.compile(r"\d{4,}[^/]*\.(?:s?html?|jhtml|jsp|php|aspx?)$", re.I)
_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt"})
_LIST_TAGS = frozenset({"ul", "ol", "table", "tbody", "dl", "body", "html"})
_Q = r"""['"]"""
_PAGERS = [
    # createPageHTML('page_div', pages, current1, 'prefix', 'suffix', total)
    (
        "container",
        re.compile(
            rf"createPageHTML\(\s*{_Q}[\w-]+{_Q}\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*{_Q}(\w+){_Q}\s*,"
            rf"\s*{_Q}(\w+){_Q}\s*,\s*(\d+)"
        ),
    ),
    # createPageHTML(pages, current0, "prefix", "suffix")
    (
        "pages",
        re.compile(
            rf"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*{_Q}(\w+){_Q}\s*,\s*{_Q}(\w+){_Q}"
        ),
    ),
    # createPage(pages, current0, "prefix", "suffix")
    (
        "createPage",
        re.compile(rf"createPage\(\s*(\d+)\s*,\s*(\d+)\s*,\s*{_Q}(\w+){_Q}\s*,\s*{_Q}(\w+){_Q}"),
    ),
    # Pager({size: pages, current: 0, prefix: 'index', suffix: 'html'})
    (
        "Pager",
        re.compile(
            rf"Pager\(\s*\{{\s*size\s*:\s*(\d+)\s*,\s*current\s*:\s*(\d+)\s*,\s*prefix\s*:\s*"
            rf"{_Q}(\w+){_Q}\s*,\s*suffix\s*:\s*{_Q}(\w+){_Q}"
        ),
    ),
]


@dataclass
class Pager:
    """What a list page's pager call says."""

    signature: str  # container | pages | createPage | Pager
    pages: int
    current: int  # 1-based
    prefix: str
    suffix: str
    total: int | None = None  # items, where the signature gives them

    def page_url(self, column_url: str, n: int) -> str:
        """Page ``n`` (1-based) of the list: ``index.html``, then ``index_{n-1}.html``."""
        name = f"{self.prefix}.{self.suffix}" if n == 1 else f"{self.prefix}_{n - 1}.{self.suffix}"
        return urljoin(column_url, name)

    def to_dict(self) -> dict:
        return {
            "pager": self.signature,
            "pages": self.pages,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "total": self.total,
        }


def parse_pager(text: str) -> Pager | None:
    """The pager call of a list page, in whichever signature it is written; None if none."""
    for signature, rx in _PAGERS:
        m = rx.search(text)
        if not m:
            continue
        if signature == "container":
            return Pager(signature, int(m[1]), int(m[2]), m[3], m[4], int(m[5]))
        return Pager(signature, int(m[1]), int(m[2]) + 1, m[3], m[4])
    return None


@dataclass
class ListPage:
    """One list page: its items and its pager."""

    entries: list[ListEntry]
    pager: Pager | None
    size: int  # bytes of the page (a late stub is a few hundred)
    container: str = ""  # the signature of the list's container, a hint for the next pages
    in_comment: bool = False  # the items were read from inside an HTML comment
    left_out: int = 0  # item-like links outside the list (sidebars, 热点信息): not the column's


@dataclass
class _Group:
    """Item links that one container repeats."""

    container: etree._Element
    signature: str
    live: bool  # in the page as served (False: inside a comment)
    order: int  # where its first item stands (ties go to the earlier group)
    items: list[tuple[etree._Element, etree._Element]] = field(default_factory=list)  # (a, item)


def parse_list_page(response: TextResponse, container: str = "") -> ListPage:
    """The column's own items on a list page, with title and date, in page order.

    Item links (a detail page's file name, or a date beside the link) are grouped by the
    container that repeats them (the ``<ul>``/``<table>`` of their ``<li>``/``<tr>``); lists inside
    a comment held by an element with no links of its own count too. The list is the group with
    most items under the list page's own folder, then with most items, the page as served before
    a comment; containers of its kind beside it (a list split over several ``<ul>``) join it. A
    ``container`` signature from an earlier page of the same list is preferred where it is found,
    so that a short last page never loses to a sidebar. The date is the item's own date text
    when it shows one, else the one in the file name.
    """
    base = get_base_url(response)
    root = response.selector.root
    groups = _groups(root, base, live=True)
    for comment in root.iter(etree.Comment):
        holder = comment.getparent()
        if holder is None or holder.xpath(".//a[@href]") or "href" not in (comment.text or ""):
            continue
        try:
            fragment = lxml.html.fragment_fromstring(comment.text, create_parent="div")
        except (etree.ParserError, ValueError):
            continue
        groups += _groups(fragment, base, live=False, holder=holder, start=len(groups) + 1)
    chosen = _choose(groups, response.url, base, container)
    entries: dict[str, ListEntry] = {}
    for group in chosen:
        for a, item in group.items:
            url = _href(a, base)
            if url and url not in entries:
                entries[url] = _entry(a, item, url)
    left_out = sum(len(g.items) for g in groups if g not in chosen)
    return ListPage(
        list(entries.values()),
        parse_pager(response.text),
        len(response.body),
        container=chosen[0].signature if chosen else "",
        in_comment=bool(chosen) and not chosen[0].live,
        left_out=left_out,
    )


def _href(a: etree._Element, base: str) -> str:
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return ""
    return urljoin(base, href)


def _signature(el: etree._Element) -> str:
    """``ul.jytxxgklist < div.zfxxgk_zdgkc``: a container and its parent, by tag, class and id."""

    def one(e: etree._Element | None) -> str:
        if e is None or not isinstance(e.tag, str):
            return ""
        ident = f"#{e.get('id')}" if e.get("id") else ""
        return e.tag + "".join(f".{c}" for c in sorted((e.get("class") or "").split())) + ident

    return f"{one(el)} < {one(el.getparent())}"


def _groups(
    root: etree._Element,
    base: str,
    live: bool,
    holder: etree._Element | None = None,
    start: int = 0,
) -> list[_Group]:
    """Item links under ``root`` grouped by their container (in a comment's fragment, the
    fragment's top stands for the element that holds the comment)."""
    groups: dict[int, _Group] = {}
    taken: set[int] = set()  # items already holding their link
    for n, a in enumerate(root.iter("a")):
        url = _href(a, base)
        if not url:
            continue
        item = _item_of(a)
        if id(item) in taken:
            continue  # one item, one page: a second link in it ([解读], 附件) is no item of its own
        is_page = bool(_PAGE_NAME.search(urlsplit(url).path))
        if not is_page and _item_date(item) is None:
            continue  # navigation: a column, a home page, a site elsewhere
        box = item.getparent()
        if box is None:
            continue
        group = groups.get(id(box))
        if group is None:
            sig = _signature(holder) if holder is not None and box is root else _signature(box)
            group = groups[id(box)] = _Group(box, sig, live, start * 1_000_000 + n)
        group.items.append((a, item))
        taken.add(id(item))
    return list(groups.values())


def _item_of(a: etree._Element) -> etree._Element:
    """The element a list repeats for one item: the link's ``<li>``/``<tr>``/``<dd>``, else its
    highest ancestor that holds no other link."""
    for anc in a.iterancestors():
        if anc.tag in _ITEM_TAGS:
            return anc
        if anc.tag in _LIST_TAGS:
            break
    item = a
    parent = item.getparent()
    while (
        parent is not None
        and parent.tag not in _LIST_TAGS
        and len(parent.xpath(".//a[@href]")) == 1
    ):
        item, parent = parent, parent.getparent()
    return item


def _choose(groups: list[_Group], page_url: str, base: str, hint: str) -> list[_Group]:
    """The column's list: the best group and the containers of its kind beside it."""
    if not groups:
        return []
    folder = urljoin(page_url, "./")

    def rank(g: _Group) -> tuple:
        local = sum(1 for a, _ in g.items if _href(a, base).startswith(folder))
        return (bool(hint) and g.signature == hint, local, len(g.items), g.live, -g.order)

    best = max(groups, key=rank)
    parent = best.container.getparent()
    return sorted(
        (
            g
            for g in groups
            if g is best
            or (
                g.signature == best.signature
                and g.live == best.live
                and g.container.getparent() is parent
            )
        ),
        key=lambda g: g.order,
    )


def _entry(a: etree._Element, item: etree._Element, url: str) -> ListEntry:
    sel = Selector(root=a, type="html")
    title = squash_spaces(a.get("title", "")) or squash_spaces(selector_text(sel))
    m = _DETAIL.search(urlsplit(url).path)
    found = _item_date(item)
    if found is None and m:
        found = (m[1], parse_date(m[1]))
    date_raw, date = found or ("", None)
    return ListEntry(url=url, title=title, date_raw=date_raw, date=date)


def _item_date(item: etree._Element) -> tuple[str, str | None] | None:
    """The date shown beside an item's link (its ``<li>``/``<tr>`` text outside the link)."""
    if item.tag == "a":
        return None
    rest = item.xpath(".//text()[not(ancestor::a)]")
    dates = find_dates(squash_spaces(" ".join(str(t) for t in rest)))
    return dates[-1] if dates else None


# Document pages: a disclosure table (layouts A/B) or none, body in ``div.TRS_Editor``.
ARTICLE = ArticleLayout(BODY)
parse_document = ARTICLE.parse_document
parse_interpretation = ARTICLE.parse_interpretation
