"""Typed records that flow from the parsers to the SQLite library.

Parsers (``crawler/parsers``) return these; ``corpus.store.save`` stores them. Every parsed field keeps
its raw string beside the parsed value (``*_raw``) so a later, better parser can be checked against
what the page said. Fields derived at build time (status, effective date, term) are not here: they
are recomputed from the stored text by ``corpus.build`` so improving a rule never needs a recrawl.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

DOCUMENT_KINDS: tuple[str, ...] = ("rule", "normative", "policy")
KINDS: tuple[str, ...] = (*DOCUMENT_KINDS, "interpretation")


class ParseError(ValueError):
    """A page could not be parsed: a required field is missing. The message names the field."""


@dataclass
class PageLink:
    """A hyperlink on a page that points at a related page (an interpretation or a document).

    ``role`` says what the source page calls it: ``interpretation`` for a document page's 相关解读
    block, ``document`` for an interpretation page's 原文链接 / 相关文件.
    """

    url: str
    text: str
    role: Literal["interpretation", "document"]
    label: str = ""  # the block's own wording, e.g. 相关解读, 原文链接, 图解


@dataclass
class Attachment:
    """A file attached to a page (downfile.jsp links), with the text extracted from it."""

    url: str
    name: str
    ext: str = ""
    text: str | None = None
    size: int | None = None
    error: str | None = None  # why the text could not be extracted, if it could not


@dataclass
class ListEntry:
    """One item of a column list (a ``<li>`` record): what the list says before the page is read."""

    url: str
    title: str
    date_raw: str = ""
    date: str | None = None
    doc_number_raw: str = ""
    index_no: str = ""


# The fields (and ``documents`` columns) of the dates a page states, in ``PageDates`` order:
# saved, hashed only when set (``save``), read by the validity step.
PAGE_DATE_FIELDS = ("page_effective_label", "page_effective_raw", "page_expiry_label",
                    "page_expiry_raw")  # fmt: skip


@dataclass
class DocumentRecord:
    """A rule, normative document or other policy document as read from its page."""

    url: str
    site: str
    kind: str
    title: str
    column_url: str = ""
    doc_number_raw: str = ""
    doc_number: str | None = None
    issuer: str = ""
    written_date_raw: str = ""
    written_date: str | None = None
    published_date_raw: str = ""
    published_date: str | None = None
    validity_raw: str = ""  # the page's own 有效性 / 效力状态 / 时效 as shown
    # the 施行 and end dates the page's metadata states, as shown, with the label it shows them
    # under (施行/实施/生效日期; 有效期至, 信息时效期, 废止/失效日期): the publisher's, not the text's
    page_effective_label: str = ""
    page_effective_raw: str = ""
    page_expiry_label: str = ""
    page_expiry_raw: str = ""
    index_no: str = ""
    subject: str = ""
    unified_no: str = ""
    body_text: str = ""
    fetched_at: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    links: list[PageLink] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # head meta tags, for provenance

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class InterpretationRecord:
    """A policy interpretation (政策解读) as read from its page."""

    url: str
    site: str
    title: str
    column_url: str = ""
    published_date_raw: str = ""
    published_date: str | None = None
    source: str = ""  # ContentSource / 信息来源
    form: str = ""  # 文字解读, 图解, 视频, 答记者问, 专家解读, 起草说明
    body_text: str = ""
    fetched_at: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    links: list[PageLink] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CrawlError:
    """Something that went wrong while crawling: kept with its URL and reason, never dropped."""

    url: str
    reason: str
    error_class: str  # http_status, timeout, parse, attachment, blocked, robots, ...
    site: str = ""
    status: int | None = None
