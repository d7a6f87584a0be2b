"""Reading an article page of any family whose body sits in one element (not between markers).

Jiangxi's new platform (``#zoom``), TRS (``div.TRS_Editor``) and gkmlpt (``div.article-content``)
all show the same things: the guideline's head meta tags, labelled metadata outside the body,
a body of block elements, attachment links to files, 相关解读 / 原文链接 blocks. The family
parsers say where the body is and add what only their list answers carry; the records are built
here with Hanweb's rules (``crawler.parsers.hanweb``) so every family stores the same fields the
same way. Pure functions: no I/O, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector
from scrapy.http import TextResponse

from corpus.normalize import canonical_doc_number, parse_date, squash_spaces
from corpus.records import (
    Attachment,
    DocumentRecord,
    InterpretationRecord,
    ListEntry,
    PageLink,
    ParseError,
)
from corpus.schema import canonical_url
from crawler.parsers.common import (
    DOCUMENT_LABELS,
    INTERPRETATION_LABELS,
    drop_noise,
    file_ext,
    head_metas,
    interpretation_form,
    label_field,
    leading_doc_number,
    link_blocks,
    page_fields,
    selector_lines,
    selector_text,
    signature_date,
    title_doc_number,
)

_COLON = re.compile(r"[:：]")
# Extensions of files that government pages attach (the link's path ends with one of them).
FILE_EXTS = frozenset(
    ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ppt", "pptx", "zip", "rar", "7z", "ofd")
)


@dataclass
class Article:
    """What an article page shows, before deciding whether it is a document."""

    url: str
    title: str
    metas: dict[str, str]
    body_lines: list[str]
    fields: dict[str, tuple[str, str]]  # labelled values outside the body: {field: (label, value)}
    attachments: list[Attachment]
    selector: Selector

    def value(self, name: str) -> str:
        """The labelled value of field ``name`` ("" when the page shows none)."""
        return self.fields.get(name, ("", ""))[1]


def _drop(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def body_element(sel: Selector, body_css: tuple[str, ...]) -> Selector | None:
    """The first element matching one of ``body_css`` (most specific first)."""
    for css in body_css:
        found = sel.css(css)
        if found:
            return found[0]
    return None


def read_article(
    response: TextResponse, body_css: tuple[str, ...], extra_labels: dict[str, str] | None = None
) -> Article:
    """Title, metas, body lines, labelled fields and attachments of an article page.

    The body is the first element matching ``body_css``; labelled values are read from the rest
    of the page only, so that a body line such as ``文号：…`` quoted in a text is never taken for
    the page's own metadata. ``extra_labels`` maps a family's own labels (gkmlpt ``分类``) to
    field names.
    """
    sel = response.selector
    body = body_element(sel, body_css)
    if body is None:
        raise ParseError(f"body: no element matching {' or '.join(body_css)}")
    body_lines = drop_noise(selector_lines(body))
    outside = Selector(text=response.text)
    outside_body = body_element(outside, body_css)
    assert outside_body is not None
    _drop(outside_body.root)
    fields = li_fields(outside)
    for name, value in page_fields(outside).items():
        fields.setdefault(name, value)
    for label, name in (extra_labels or {}).items():
        if name not in fields:
            fields.update(_extra_field(outside, label, name))
    metas = head_metas(sel)
    title = squash_spaces(metas.get("ArticleTitle", "")) or fields.get("title", ("", ""))[1]
    if not title:
        title = squash_spaces(" ".join(sel.css("h1 ::text").getall()))
    if not title:
        raise ParseError("title: no ArticleTitle meta, 标题 field or <h1>")
    return Article(
        url=canonical_url(response.url),
        title=squash_spaces(title),
        metas=metas,
        body_lines=body_lines,
        fields=fields,
        attachments=file_links(sel, response.url),
        selector=sel,
    )


def li_fields(sel: Selector) -> dict[str, tuple[str, str]]:
    """Labelled values of list items, each read within its own ``<li>``::

        <li><strong>发布机构：</strong><span>江西省工业和信息化厅</span></li>
        <li><strong>有效性：</strong><span></span></li>        (an empty value stays empty)

    Reading loose text instead would give an empty field the next text on the page.
    """
    found: dict[str, tuple[str, str]] = {}
    for li in sel.xpath("//li"):
        text = squash_spaces(selector_text(li))
        m = _COLON.search(text)
        if not m:
            continue
        name = label_field(text[: m.start()])
        if name:
            found.setdefault(name, (text[: m.start()].strip(), text[m.end() :].strip()))
    return found


def _extra_field(sel: Selector, label: str, name: str) -> dict[str, tuple[str, str]]:
    """``<td>分类：</td><td>value</td>`` for a label the common table does not know."""
    for cell in sel.xpath("//td | //th | //li | //span"):
        text = squash_spaces(selector_text(cell))
        if text.rstrip(":：") == label:
            nxt = cell.xpath("following-sibling::*[1]")
            if nxt:
                return {name: (label, squash_spaces(selector_text(nxt[0])))}
    return {}


def file_links(sel: Selector, base_url: str) -> list[Attachment]:
    """Links to files (``./P020201214….pdf``, ``/upload/…/x.docx``, ``/attachment/…``).

    The name is the link text; the extension comes from the link's path.
    """
    found: dict[str, Attachment] = {}
    for a in sel.xpath("//a[@href]"):
        href = a.attrib["href"].strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href)
        ext = file_ext(urlsplit(url).path)
        if ext not in FILE_EXTS:
            continue
        name = squash_spaces(selector_text(a)) or urlsplit(url).path.rsplit("/", 1)[-1]
        found.setdefault(url, Attachment(url=url, name=name, ext=ext))
    return list(found.values())


def _published(art: Article, fallback: str, entry: ListEntry | None) -> tuple[str, str | None]:
    """发布日期 from the labelled values, the PubDate meta, a family fallback, else the list."""
    for raw in (art.value("published_date"), art.metas.get("PubDate", ""), fallback):
        iso = parse_date(raw) if raw else None
        if iso:
            return raw, iso
    if entry and entry.date:
        return entry.date_raw, entry.date
    return "", None


def _entry_number(entry: ListEntry | None) -> tuple[str, str] | None:
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
    """A document from an article page, by the rules of ``crawler.parsers.hanweb``.

    A page without a disclosure block gives its 文号 as a centred line atop the body (or in the
    title, or in the list), its issuer as the ContentSource / 信息来源, its 成文日期 as the date
    under the signature.
    """
    number_raw = art.value("doc_number")
    if not canonical_doc_number(number_raw):
        found = (
            leading_doc_number(art.body_lines)
            or title_doc_number(art.title)
            or _entry_number(entry)
        )
        number_raw = found[0] if found else number_raw
    written_raw = art.value("written_date")
    written = parse_date(written_raw) if written_raw else None
    if not written:
        sig = signature_date(art.body_lines)
        if sig:
            written_raw, written = sig
    published_raw, published = _published(art, published_fallback, entry)
    source = art.metas.get("ContentSource") or art.value("source")
    return DocumentRecord(
        url=art.url,
        site=site,
        kind=kind,
        title=art.title,
        column_url=column_url,
        doc_number_raw=number_raw,
        doc_number=canonical_doc_number(number_raw),
        issuer=art.value("issuer") or source,
        written_date_raw=written_raw,
        written_date=written,
        published_date_raw=published_raw,
        published_date=published,
        validity_raw=art.value("validity"),
        index_no=art.value("index_no") or (entry.index_no if entry else ""),
        subject=art.value("subject"),
        unified_no=art.value("unified_no"),
        body_text="\n".join(art.body_lines),
        attachments=art.attachments,
        links=link_blocks(art.selector, art.url, INTERPRETATION_LABELS, "interpretation"),
        meta=art.metas,
    )


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
        source=art.metas.get("ContentSource") or art.value("source") or art.value("issuer"),
        form=interpretation_form(art.title),
        body_text="\n".join(art.body_lines),
        attachments=art.attachments,
        links=link_blocks(art.selector, art.url, DOCUMENT_LABELS, "document"),
        meta=art.metas,
    )


def merge_links(record: DocumentRecord | InterpretationRecord, links: list[PageLink]) -> None:
    """Add ``links`` a list answer gave (gkmlpt ``relation``) to those the page shows."""
    have = {canonical_url(link.url) for link in record.links}
    for link in links:
        if canonical_url(link.url) not in have:
            record.links.append(link)
            have.add(canonical_url(link.url))
