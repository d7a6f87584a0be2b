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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy.http import TextResponse

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


def parse_list_page(response: TextResponse) -> ListPage:
    """The items of a list page: links to ``tYYYYMMDD_N.html`` pages, with title and date.

    The date is the item's own date text when it shows one, else the one in the file name.
    Navigation and sidebars link elsewhere and are ignored.
    """
    sel = response.selector
    entries: dict[str, ListEntry] = {}
    for a in sel.xpath("//a[@href]"):
        url = urljoin(response.url, a.attrib["href"].strip())
        m = _DETAIL.search(urlsplit(url).path)
        if not m or url in entries:
            continue
        title = squash_spaces(a.attrib.get("title", "")) or squash_spaces(selector_text(a))
        date_raw, date = _item_date(a) or (m[1], parse_date(m[1]))
        entries[url] = ListEntry(url=url, title=title, date_raw=date_raw, date=date)
    return ListPage(list(entries.values()), parse_pager(response.text), len(response.body))


def _item_date(a: Selector) -> tuple[str, str | None] | None:
    """The date shown beside the item's link (its ``<li>``/``<tr>`` text outside the link)."""
    item = a.xpath("ancestor::*[self::li or self::tr][1]")
    if not item:
        return None
    rest = item[0].xpath(".//text()[not(ancestor::a)]").getall()
    dates = find_dates(squash_spaces(" ".join(rest)))
    return dates[-1] if dates else None


# Document pages: a disclosure table (layouts A/B) or none, body in ``div.TRS_Editor``.
ARTICLE = ArticleLayout(BODY)
parse_document = ARTICLE.parse_document
parse_interpretation = ARTICLE.parse_interpretation
