"""Reading an article page of any family: body, labelled fields, title, source, attachments.

Every family's article page shows the same things: the guideline's head meta tags, labelled
metadata outside the body, a body of block elements, attachment links to files, 相关解读 / 原文链接
blocks. Where they differ is written down once per family as an ``ArticleLayout`` (where the body
is, which labels and links to read, where a title or source hides): Jiangxi's new platform
(``#zoom``), TRS (``div.TRS_Editor``) and gkmlpt (``div.article-content``) keep their body in one
element; Hanweb marks it with ContentStart/ContentEnd metas and adds its own hooks
(``crawler.parsers.hanweb``). The records are built here by one set of rules, so every family
stores the same fields the same way. Pure functions: no I/O, no clock.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from lxml import etree
from parsel import Selector
from scrapy.http import TextResponse

from corpus.store.identity import canonical_url
from corpus.store.normalize import (
    canonical_doc_number,
    parse_date,
    squash_spaces,
    strip_all_spaces,
)
from corpus.store.records import (
    Attachment,
    DocumentRecord,
    InterpretationRecord,
    ListEntry,
    PageLink,
    ParseError,
)
from crawler.parsers.common import (
    clean_value,
    drop_noise,
    element_lines,
    head_metas,
    html_to_lines,
    interpretation_form,
    label_field,
    label_key,
    leading_doc_number,
    page_fields,
    same_body,
    selector_lines,
    selector_text,
    signature_block,
    signature_date,
    title_doc_number,
    title_prefix_number,
    title_status,
    title_without_tag,
)
from crawler.parsers.links import attachments, merged, page_links
from crawler.parsers.pagescript import drop_hidden, remove_keeping_tail, run_inline_scripts

_COLON = re.compile(r"[:：]")
Fields = dict[str, tuple[str, str]]  # labelled values outside the body: {field: (label, value)}
Record = DocumentRecord | InterpretationRecord
R = TypeVar("R", DocumentRecord, InterpretationRecord)


@dataclass
class Article:
    """What an article page shows, before deciding whether it is a document."""

    url: str  # canonical (Hanweb's ?xxgkhide=1 dropped)
    base_url: str  # the address fetched, which the page's relative links are resolved against
    title: str
    metas: dict[str, str]
    body_lines: list[str]
    fields: Fields
    source: str  # 信息来源: the ContentSource meta, else a family's own spot, else the field
    attachments: list[Attachment]
    selector: Selector
    body_css: tuple[str, ...] = ()  # where the layout looks for the body (links read it)
    title_validity: str = ""  # a status the title opened with ([已废止]…), taken off the title

    def value(self, name: str) -> str:
        """The labelled value of field ``name`` ("" when the page shows none)."""
        return self.fields.get(name, ("", ""))[1]


def body_element(sel: Selector, body_css: tuple[str, ...]) -> Selector | None:
    """The first element matching one of ``body_css`` (most specific first)."""
    for css in body_css:
        found = sel.css(css)
        if found:
            return found[0]
    return None


# Body containers of the templates seen on real sites, whatever their family, most specific first:
# where a family's own containers are missing, these are tried before the text-density fallback.
# TRS (TRS_Editor, trs_editor_view, TRS_UEDITOR; Changsha's TRS_PreAppend and content-main),
# Hanweb (#zoom, Lishui's div.zoom, Cixi's div.letter), gkmlpt (article-content), Gansu's
# #detailContent, Beijing's #mainText, EasySite's div.article, a bare div.content last.
KNOWN_BODIES = (
    "div.TRS_Editor",
    "div.trs_editor_view",
    "div.TRS_UEDITOR",
    "div.TRS_PreAppend",
    "#zoom",
    "#Zoom",
    "div.zoom",
    "div.article-content",
    "div.content-article",
    "#detailContent",
    "#mainText",
    "div.content-main",
    "div.letter",
    "div.article_content",
    "div.article-body",
    "div.view",
    "div.article",
    "div.content",
)
_DISCLOSURE = frozenset(
    ("index_no", "doc_number", "issuer", "written_date", "published_date", "validity")
)
_DENSITY_MIN = 60  # characters of paragraph text below which no element is taken for the body
_PARAGRAPHS = etree.XPath("./p | ./div[not(.//div) and not(.//table)]")
_SHOWN_TEXT = etree.XPath(
    ".//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False
)


def known_body(sel: Selector, body_css: tuple[str, ...]) -> Selector | None:
    """The first of ``body_css`` that holds text, else the first that exists (an empty body: the
    text is only in an attachment, Changsha's empty ``div.content-main``). A container around an
    empty one found before it is a wrapper of the page, not the body."""
    empty: list[Selector] = []
    for css in body_css:
        for found in sel.css(css):
            if not found.xpath("normalize-space(string())").get():
                empty.append(found)
            elif not any(found.root in e.root.iterancestors() for e in empty):
                return found
    return empty[0] if empty else None


_PROSE_MARKS = re.compile(r"[，。；、]")
# Words only a page's header or footer says: a paragraph with one of them is no document prose.
_FURNITURE = re.compile(
    r"主办单位|承办单位|协办单位|主办：|承办：|版权所有|技术支持|网站标识码|ICP|备案|联系我们|"
    r"网站地图|Copyright|©",
    re.I,
)


def _prose_score(el: etree._Element) -> int:
    """How much document prose ``el``'s own paragraphs hold: their text outside links, plus a
    bonus for each mark of Chinese prose (，。；、) — a footer or a menu has few of them; a
    paragraph in the words of a footer (主办单位, 版权所有, ICP备…) counts nothing."""
    score = 0
    for p in _PARAGRAPHS(el):
        text = strip_all_spaces("".join(_SHOWN_TEXT(p)))
        if _FURNITURE.search(text):
            continue
        linked = sum(len(strip_all_spaces("".join(_SHOWN_TEXT(a)))) for a in p.iter("a"))
        score += max(0, len(text) - linked) + 10 * len(_PROSE_MARKS.findall(text))
    return score


def densest_block(sel: Selector) -> Selector | None:
    """The element whose own paragraphs hold the most prose: the body of a page whose template
    names it nothing we know (Hangzhou's <p>s loose in ``div.con-main``). None below a minimum."""
    best, best_score = None, _DENSITY_MIN - 1
    scores = {}
    for el in sel.root.iter("div", "td", "article", "section", "main"):
        scores[el] = score = _prose_score(el)
        if score > best_score:
            best, best_score = el, score
    # A wrapper scores its body as one of its paragraphs: go down to the body it wraps.
    while best is not None:
        inner = max((c for c in best if c in scores), key=lambda c: scores[c], default=None)
        if inner is None or scores[inner] < 0.9 * scores[best]:
            break
        best = inner
    return Selector(root=best, type="html") if best is not None else None


def _describe(el: etree._Element) -> str:
    """``div#detailContent.a.b``: how a layout repair names the element it took."""
    ident = f"#{el.get('id')}" if el.get("id") else ""
    classes = "".join(f".{c}" for c in (el.get("class") or "").split())
    return f"{el.tag}{ident}{classes}"


def li_fields(sel: Selector) -> Fields:
    """Labelled values of list items, each read within its own ``<li>``::

        <li><strong>发布机构：</strong><span>江西省工业和信息化厅</span></li>
        <li><strong>有效性：</strong><span></span></li>        (an empty value stays empty)

    Reading loose text instead would give an empty field the next text on the page.
    """
    found: Fields = {}
    for li in sel.xpath("//li"):
        text = squash_spaces(selector_text(li))
        m = _COLON.search(text)
        if not m:
            continue
        name = label_field(text[: m.start()])
        if name:
            found.setdefault(name, (text[: m.start()].strip(), clean_value(text[m.end() :])))
    return found


def labelled_fields(sel: Selector) -> Fields:
    """Labelled values of a page: each ``<li>`` on its own first, then tables and loose text."""
    fields = li_fields(sel)
    for name, value in page_fields(sel).items():
        fields.setdefault(name, value)
    return fields


_LABEL_CELLS = etree.XPath("//td | //th | //li | //span")


def _may_hold(el: etree._Element, char: str) -> bool:
    """False when no text of ``el`` (its tail included, as ``element_lines`` reads it) has ``char``.

    A quick test in C before reading the element's lines in Python.
    """
    return char in "".join(el.itertext()) or char in (el.tail or "")


def _extra_field(sel: Selector, label: str, name: str) -> Fields:
    """``<td>分类：</td><td>value</td>`` for a label the common table does not know."""
    for cell in _LABEL_CELLS(sel.root):
        if not _may_hold(cell, label[0]):
            continue
        text = squash_spaces(" ".join(element_lines(cell)))
        if text.rstrip(":：") == label:
            nxt = cell.xpath("following-sibling::*[1]")
            if nxt:
                return {name: (label, squash_spaces(" ".join(element_lines(nxt[0]))))}
    return {}


@dataclass(frozen=True)
class ArticleLayout:
    """Where one family's article pages keep things; its two methods are that family's parsers.

    The defaults fit pages whose body is one element; a family with other habits names a hook.
    """

    body_css: tuple[str, ...]  # the body element, most specific selector first
    extra_labels: Mapping[str, str] = field(default_factory=dict)  # own labels (gkmlpt 分类)
    # text -> (before, body, after) around markers, or None (then ``body_css`` is the body)
    split_body: Callable[[str], tuple[str, str, str] | None] | None = None
    read_fields: Callable[[Selector], Fields] = labelled_fields  # over the page minus its body
    title_tag: str = "h1"  # the title when there is no ArticleTitle meta and no 标题 field
    find_attachments: Callable[[Selector, str], list[Attachment]] = attachments
    source_span: Callable[[str], str] | None = None  # text -> 信息来源 from the family's markup
    published_fallback: Callable[[str], str] | None = None  # text -> 发布日期 before the list's
    # what only a family's list answer says, added to the page's record (gkmlpt flags, relations)
    from_list: Callable[[Record, Article, ListEntry | None], None] | None = None
    # (article, role) -> links the page keeps as data rather than as <a> (gkmlpt related_posts)
    find_links: Callable[[Article, str], list[PageLink]] | None = None

    def read(self, response: TextResponse) -> Article:
        """Title, metas, body lines, labelled fields, source and attachments of an article page.

        The page is read as its own small scripts leave it (``crawler.parsers.pagescript``: a
        value a template writes with ``document.write`` or sets from data in the HTML).
        Labelled values are read from the rest of the page only, so that a body line such as
        ``文号：…`` quoted in a text is never taken for the page's own metadata; a value the page
        shows wins over one it hides (of alternative rows, only the visible one is true).
        """
        root = copy.deepcopy(response.selector.root)
        run_inline_scripts(root)
        sel = Selector(root=root, type="html")
        body_lines, outside, repair = self._split(response, sel)
        fields = self._fields(outside)
        metas = head_metas(sel)  # contents already squashed
        title = meta(metas, "ArticleTitle") or fields.get("title", ("", ""))[1]
        if not title:
            title = self._title_element(sel, meta(metas, "SiteName"))
        if not title:
            raise ParseError(f"title: no ArticleTitle meta, 标题 field or <{self.title_tag}>")
        # A title may carry the page's status ([已废止]…) and a column's tag (【贷款】…): the page's
        # statements of those, not part of the title.
        title, title_validity = title_status(squash_spaces(title))
        title = title_without_tag(title)
        span = self.source_span(response.text) if self.source_span else ""
        if repair:
            metas["layout_repair"] = repair
        return Article(
            url=canonical_url(response.url),
            base_url=response.url,
            title=title,
            metas=metas,
            body_lines=body_lines,
            fields=fields,
            source=meta(metas, "ContentSource") or span or fields.get("source", ("", ""))[1],
            attachments=self.find_attachments(sel, response.url),
            selector=sel,
            body_css=self.body_css,
            title_validity=title_validity,
        )

    def _title_element(self, sel: Selector, site_name: str) -> str:
        """The title from the layout's title element: the longest of them (a logo may be an
        <h1> too); a <title> without the site's name that templates add (``长沙市政府门户网站-…``)."""
        texts = [
            squash_spaces(" ".join(el.xpath(".//text()").getall()))
            for el in sel.css(self.title_tag)
        ]
        title = max(texts, key=len, default="")
        if self.title_tag == "title" and site_name and site_name in title and title != site_name:
            title = title.replace(site_name, "", 1).strip(" -_|—–·")
        return title

    def _fields(self, outside: Selector) -> Fields:
        """The labelled values the page without its body shows. Hidden elements are left out (of
        alternative rows only the visible one is true); a field the page shows nowhere is taken
        from its hidden elements only when they agree on one value — a table a script shows on
        a condition we cannot know (Hanweb's ``?xxgkhide=1``), not one of several alternatives."""
        hidden = drop_hidden(outside.root)  # ``outside`` is this page's own copy
        fields = self._fields_of(outside)
        if hidden:
            seen: dict[str, dict[str, tuple[str, str]]] = {}
            for el in hidden:
                for name, (label, value) in self._fields_of(Selector(root=el)).items():
                    if value:
                        seen.setdefault(name, {})[value] = (label, value)
            for name, values in seen.items():
                if len(values) == 1 and not fields.get(name, ("", ""))[1]:
                    fields[name] = next(iter(values.values()))
        return fields

    def _fields_of(self, sel: Selector) -> Fields:
        fields = self.read_fields(sel)
        for label, name in self.extra_labels.items():
            if name not in fields:
                fields.update(_extra_field(sel, label, name))
        return fields

    def _split(self, response: TextResponse, sel: Selector) -> tuple[list[str], Selector, str]:
        """The body's lines, the page without its body (for the labelled values), and how the
        body was found when only the text-density fallback found it ("" otherwise).

        In order: the family's content markers, when they hold text (EasySite writes empty
        ContentStart/ContentEnd metas into its <head>, its body elsewhere); the family's body
        element; the body containers of every template we know (``KNOWN_BODIES``); the element
        whose paragraphs hold the most prose (``densest_block``); an empty body for a page that
        states a document's 索引号 or 文号 but holds no text (it is in the attachments). Any other
        page is lost, with the reason.
        """
        parts = self.split_body(response.text) if self.split_body else None
        if parts is not None:
            before, body_html, after = parts
            lines = drop_noise(html_to_lines(body_html))
            if lines:
                outside = Selector(text=before + after)
                run_inline_scripts(outside.root)
                return lines, outside, ""
        repair = ""
        body = body_element(sel, self.body_css) or known_body(sel, KNOWN_BODIES)
        if body is None:
            body = densest_block(sel)
            if body is None:
                outside = Selector(root=copy.deepcopy(sel.root), type="html")
                if self._is_disclosure(outside):  # the text is only in its attachments
                    return [], outside, "no body found: a disclosure page without text"
                markers = "content markers, " if self.split_body else ""
                raise ParseError(
                    f"body: no {markers}element matching {' or '.join(self.body_css)}, "
                    "no known body container and no block of paragraphs"
                )
            repair = f"body taken by text density: {_describe(body.root)}"
        # The page without its body: a copy of the tree (a fifth of the cost of parsing).
        path = body.root.getroottree().getpath(body.root)
        outside = Selector(root=copy.deepcopy(sel.root), type="html")
        found = outside.root.getroottree().xpath(path)
        if found:
            remove_keeping_tail(found[0])
        return drop_noise(selector_lines(body)), outside, repair

    def _is_disclosure(self, sel: Selector) -> bool:
        """True for a page that states a document's disclosure metadata (an 索引号 or a 文号 and
        another field): a document whose text is only in its attachments, not a stray page."""
        found = {name for name, (_, value) in self.read_fields(sel).items() if value}
        return bool(found & {"index_no", "doc_number"}) and len(found & _DISCLOSURE) >= 2

    def _fallback(self, response: TextResponse) -> str:
        """The family's 发布日期 from elsewhere on the page ("" when it has no such spot)."""
        return self.published_fallback(response.text) if self.published_fallback else ""

    def parse_document(
        self,
        response: TextResponse,
        *,
        site: str,
        kind: str,
        column_url: str = "",
        entry: ListEntry | None = None,
    ) -> DocumentRecord:
        """A rule or normative document from its article page (see ``document_record``)."""
        art = self.read(response)
        record = document_record(
            art,
            site=site,
            kind=kind,
            column_url=column_url,
            entry=entry,
            published_fallback=self._fallback(response),
        )
        return self._with_list(record, art, entry)

    def parse_interpretation(
        self,
        response: TextResponse,
        *,
        site: str,
        column_url: str = "",
        entry: ListEntry | None = None,
    ) -> InterpretationRecord:
        """A policy interpretation from its article page (see ``interpretation_record``)."""
        art = self.read(response)
        record = interpretation_record(
            art,
            site=site,
            column_url=column_url,
            entry=entry,
            published_fallback=self._fallback(response),
        )
        return self._with_list(record, art, entry)

    def _with_list(self, record: R, art: Article, entry: ListEntry | None) -> R:
        """``record`` with what the family's list answer adds (as it is, for most families),
        and the links the page keeps as data (``find_links``)."""
        if self.find_links:
            role = "interpretation" if isinstance(record, DocumentRecord) else "document"
            record.links = merged(record.links, self.find_links(art, role))
        if self.from_list:
            self.from_list(record, art, entry)
        return record


def meta(metas: Mapping[str, str], name: str) -> str:
    """The content of meta ``name``, whatever the case it is written in (``Pubdate``, ``pubdate``)."""
    if name in metas:
        return metas[name]
    lower = name.lower()
    return next((v for k, v in metas.items() if k.lower() == lower), "")


def _published(
    art: Article, fallback: str, entry: ListEntry | None, issued: str = ""
) -> tuple[str, str | None]:
    """发布日期 from the labelled values (``issued``: a 发文日期 that stands for it), the PubDate
    meta, a family fallback, else the list."""
    for raw in (art.value("published_date"), issued, meta(art.metas, "PubDate"), fallback):
        iso = parse_date(raw) if raw else None
        if iso:
            return raw, iso
    if entry and entry.date:
        return entry.date_raw, entry.date
    return "", None


def _entry_number(entry: ListEntry | None) -> tuple[str, str] | None:
    """(raw, canonical) 文号 of the list item, when it shows a readable one."""
    if entry and entry.doc_number_raw:
        canon = canonical_doc_number(entry.doc_number_raw)
        if canon:
            return entry.doc_number_raw, canon
    return None


def document_record(
    art: Article,
    *,
    site: str,
    kind: str,
    column_url: str,
    entry: ListEntry | None,
    published_fallback: str = "",
) -> DocumentRecord:
    """A rule or normative document from an article page, by the same rules for every family.

    Disclosure metadata comes from the labelled values; where a page has none, the body and the
    title say it: the 文号 is a tag-and-number prefix of the title (``【贷款】武公中规〔2026〕2号…``), a
    centred line atop the body, the title's closing parentheses (``…的通知（赣府发〔2022〕1号）``) or
    the list item; the issuer and 成文日期 are the signature's, wherever it stands (before the
    measure or annex a notice issues, too) — the issuer is the page's 信息来源 only where that names
    the signing body (perhaps shortened) or there is no signature; the page's status may open
    the title (``[已废止]…``). 发文日期 is the 成文日期 of a page that shows no 成文日期, else its
    发布日期. An order numbered ``省政府令第N号`` is the issuing government's: ``江西省人民政府令第N号``.
    """
    title, title_number = title_prefix_number(art.title)
    number_raw = art.value("doc_number")
    if not canonical_doc_number(number_raw):
        found = (
            title_number
            or leading_doc_number(art.body_lines)
            or title_doc_number(art.title)
            or _entry_number(entry)
        )
        number_raw = found[0] if found else number_raw
    signature = signature_block(art.body_lines)
    issuer = art.value("issuer")
    if not issuer:
        signed = signature[0] if signature else ""
        issuer = art.source if not signed or same_body(art.source, signed) else signed
    issued_raw = art.value("issued_date")
    written_raw = art.value("written_date")
    written = parse_date(written_raw) if written_raw else None
    extra_published = issued_raw if written else ""
    if not written and issued_raw and parse_date(issued_raw):
        written_raw, written = issued_raw, parse_date(issued_raw)
    if not written and signature:
        written_raw, written = signature[1], signature[2]
    if not written:
        sig = signature_date(art.body_lines)
        if sig:
            written_raw, written = sig
    published_raw, published = _published(art, published_fallback, entry, extra_published)
    doc_number = canonical_doc_number(number_raw)
    if doc_number:
        doc_number = order_of_region(doc_number, issuer, meta(art.metas, "SiteName"))
    effective_label, effective_raw = _stated(art, "effective_stated")
    expiry_label, expiry_raw = _stated(art, "expiry_stated")
    if not expiry_raw and _is_date(art.value("validity")):
        # Changsha's 信息时效期 shows a date where other pages show 有效: the end of the term
        expiry_label, expiry_raw = _stated(art, "validity")
    return DocumentRecord(
        url=art.url,
        site=site,
        kind=kind,
        title=title,
        column_url=column_url,
        doc_number_raw=number_raw,
        doc_number=doc_number,
        issuer=issuer,
        written_date_raw=written_raw,
        written_date=written,
        published_date_raw=published_raw,
        published_date=published,
        validity_raw=art.value("validity") or art.title_validity,
        page_effective_label=effective_label,
        page_effective_raw=effective_raw,
        page_expiry_label=expiry_label,
        page_expiry_raw=expiry_raw,
        index_no=art.value("index_no") or (entry.index_no if entry else ""),
        subject=art.value("subject"),
        unified_no=art.value("unified_no"),
        body_text="\n".join(art.body_lines),
        attachments=art.attachments,
        links=article_links(art, "interpretation"),
        meta=art.metas,
    )


def _stated(art: Article, name: str) -> tuple[str, str]:
    """(label, value) of a labelled field, the label without its padding (生 效 日 期 → 生效日期);
    ("", "") when the page shows no value."""
    label, value = art.fields.get(name, ("", ""))
    return (label_key(label), value) if value else ("", "")


_DATE_ONLY = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?")


def _is_date(value: str) -> bool:
    """A value that is one date and nothing else (``2027-07-31``, ``2027年7月31日``)."""
    return bool(_DATE_ONLY.fullmatch(value.strip())) and parse_date(value) is not None


# 省政府令第232号: an order of "the province's" government, named by the level alone.
_LEVEL_ORDER = re.compile(r"(省|市|县|区|州|自治区)(?:人民)?政府令第(\d+)号")


def order_of_region(number: str, *names: str) -> str:
    """``省政府令第232号`` → ``江西省人民政府令第232号``, the region taken from the first of ``names``
    (the issuer, the site's name) that begins with one of that level (江西省人民政府 → 江西省).
    Any other number is returned as it is."""
    m = _LEVEL_ORDER.fullmatch(number)
    if not m:
        return number
    level = m[1]
    for name in names:
        region = re.match(rf"^[\u4e00-\u9fff]{{1,12}}?{level}", strip_all_spaces(name or ""))
        if region and len(region[0]) > len(level) and "政府" not in region[0]:
            return f"{region[0]}人民政府令第{m[2]}号"
    return number


def interpretation_record(
    art: Article,
    *,
    site: str,
    column_url: str,
    entry: ListEntry | None,
    published_fallback: str = "",
) -> InterpretationRecord:
    """A policy interpretation from an article page, with its 原文链接 / 相关文件 links."""
    published_raw, published = _published(art, published_fallback, entry)
    return InterpretationRecord(
        url=art.url,
        site=site,
        title=art.title,
        column_url=column_url,
        published_date_raw=published_raw,
        published_date=published,
        source=art.source or art.value("issuer"),
        form=interpretation_form(art.title),
        body_text="\n".join(art.body_lines),
        attachments=art.attachments,
        links=article_links(art, "document"),
        meta=art.metas,
    )


def article_links(art: Article, role: str) -> list[PageLink]:
    """The links an article page shows to its counterparts of ``role`` (its 相关解读 on a
    document page, ``role="interpretation"``; its 原文 on an interpretation page): see
    ``crawler.parsers.links``."""
    return page_links(
        art.selector,
        art.base_url,
        role,
        title=art.title,
        own_url=art.url,
        body_css=art.body_css,
    )


def merge_links(record: Record, links: list[PageLink]) -> None:
    """Add ``links`` a list answer gave (gkmlpt ``relation``) to those the page shows."""
    have = {canonical_url(link.url) for link in record.links}
    for link in links:
        if canonical_url(link.url) not in have:
            record.links.append(link)
            have.add(canonical_url(link.url))
