"""Attachment files: check that a download is what its name claims, and extract its text.

Text is returned as lines by the body rule of CONTRACTS.md (each line squashed, blanks dropped,
joined with "\\n"): PDF via pypdf (one line per text line), DOCX via python-docx (one line per
paragraph, one per table row with its cells separated by a space). Other types (doc, wps, xls,
zip …) are checked but not read: there is no pure-Python reader for them.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Mapping
from urllib.parse import unquote

from corpus.store.normalize import clean_text_lines

logger = logging.getLogger(__name__)


class AttachmentError(ValueError):
    """A download that is not what it claims, or that could not be read."""


# The first bytes of each container format.
_MAGIC = [
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # legacy Office and WPS
    (b"Rar!", "rar"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
]
# What each claimed extension must be underneath.
EXPECTED: dict[str, set[str]] = {
    "pdf": {"pdf"},
    "docx": {"zip"},
    "xlsx": {"zip"},
    "pptx": {"zip"},
    "zip": {"zip"},
    "ofd": {"zip"},
    "doc": {"ole"},
    "xls": {"ole"},
    "ppt": {"ole"},
    "wps": {"ole"},
    "et": {"ole"},
    "rar": {"rar"},
    "png": {"png"},
    "jpg": {"jpeg"},
    "jpeg": {"jpeg"},
    "gif": {"gif"},
}
READABLE = ("pdf", "docx")
# Content-Type of a download → the extension it stands for (octet-stream says nothing).
_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-rar-compressed": "rar",
    "application/vnd.rar": "rar",
    "application/ofd": "ofd",
    "application/kswps": "wps",
}
_OFFICE_PARTS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_FILENAME = re.compile(r"""filename\*\s*=\s*[\w-]*'[^']*'([^;]+)|filename\s*=\s*"?([^";]+)""", re.I)


def sniff(body: bytes) -> str:
    """The container format of ``body``: pdf, zip, ole, rar, png, jpeg, gif, html, text or unknown."""
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<?xml")):
        return "html"
    if b"<html" in head or b"<body" in head:
        return "html"
    try:
        body[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    return "text"


def _header(headers: Mapping, name: str) -> str:
    value = headers.get(name) or b""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def answer_ext(body: bytes, headers: Mapping) -> str:
    """The type of a download whose link did not say it (``download?fileUrl=<token>``).

    What the bytes are wins where they tell (a PDF, an Office file by the part its zip holds);
    then the name the server gives (``Content-Disposition: attachment; filename="x.docx"``), then
    its ``Content-Type``; ``""`` when nothing tells.
    """
    kind = sniff(body)
    if kind == "pdf":
        return "pdf"
    if kind == "zip":
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except zipfile.BadZipFile:
            names = []
        found = next(
            (ext for part, ext in _OFFICE_PARTS if any(n.startswith(part) for n in names)), ""
        )
        if found:
            return found
    m = _FILENAME.search(_header(headers, "Content-Disposition"))
    if m:
        name = unquote((m[1] or m[2]).strip().strip('"'), errors="replace")
        if "." in name:
            return name.rsplit(".", 1)[-1].lower()
    content_type = _header(headers, "Content-Type").split(";")[0].strip().lower()
    return _CONTENT_TYPES.get(content_type) or {"ole": "doc", "rar": "rar", "zip": "zip"}.get(
        kind, ""
    )


def check_claim(ext: str, body: bytes) -> None:
    """Raise AttachmentError if ``body`` is not a ``.ext`` file (e.g. an HTML error page)."""
    if not body:
        raise AttachmentError(f"claims .{ext or '?'} but the download is empty")
    kind = sniff(body)
    if not ext and kind == "html":  # a download that named no type and is a page (an error)
        raise AttachmentError("names no file type and the download is an HTML page")
    expected = EXPECTED.get(ext)
    if expected is None:
        return  # an extension we know nothing about: nothing to check
    if kind not in expected:
        what = {"html": "an HTML page", "text": "plain text"}.get(kind, f"a {kind} file")
        raise AttachmentError(f"claims .{ext} but is {what}")
    if ext in ("docx", "xlsx", "pptx"):
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except zipfile.BadZipFile as exc:
            raise AttachmentError(f"claims .{ext} but the zip is broken: {exc}") from exc
        part = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}[ext]
        if not any(n.startswith(part) for n in names):
            raise AttachmentError(f"claims .{ext} but the zip holds no {part} part")


def extract_text(body: bytes, ext: str) -> str | None:
    """The text of a PDF or DOCX file as stored lines; None for a type we cannot read.

    Raises AttachmentError when the file is not what ``ext`` claims or cannot be read.
    """
    check_claim(ext, body)
    if ext not in READABLE:
        return None
    try:
        lines = pdf_lines(body) if ext == "pdf" else docx_lines(body)
    except AttachmentError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a fact about the file
        raise AttachmentError(f"cannot read .{ext}: {type(exc).__name__}: {exc}") from exc
    return clean_text_lines(lines)


def pdf_lines(body: bytes) -> list[str]:
    """Text lines of a PDF, page after page."""
    from pypdf import PdfReader  # noqa: PLC0415 - heavy import, only for attachments

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font warnings are noise for us
    reader = PdfReader(io.BytesIO(body))
    lines: list[str] = []
    for page in reader.pages:
        lines.extend((page.extract_text() or "").splitlines())
    return lines


def docx_lines(body: bytes) -> list[str]:
    """Paragraphs and table rows of a DOCX, in document order (a row's cells joined by a space).

    Only the main document part is parsed: ``docx.Document`` would also parse styles, numbering,
    theme and settings, which give no text (two thirds of its time on the mirror's files).
    """
    import docx  # noqa: F401, PLC0415 - heavy import; registers the oxml element classes
    from docx.oxml.parser import parse_xml  # noqa: PLC0415
    from docx.table import Table  # noqa: PLC0415
    from docx.text.paragraph import Paragraph  # noqa: PLC0415

    with zipfile.ZipFile(io.BytesIO(body)) as package:
        document = parse_xml(package.read(_main_part(package)))
    lines: list[str] = []
    for child in document.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, None).text)  # type: ignore[arg-type]
        elif tag == "tbl":
            lines.extend(_table_rows(Table(child, None)))  # type: ignore[arg-type]
    return lines


_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)


def _main_part(package: zipfile.ZipFile) -> str:
    """The name of the main document part, as the package relationships say (word/document.xml)."""
    from docx.oxml.parser import parse_xml  # noqa: PLC0415 - heavy import, only for DOCX files

    for rel in parse_xml(package.read("_rels/.rels")):
        if rel.get("Type") == _OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
            return rel.get("Target", "").lstrip("/")
    raise AttachmentError("claims .docx but the package names no main document part")


def _table_rows(table: object) -> list[str]:
    rows = []
    for row in table.rows:  # type: ignore[attr-defined]
        seen: list[object] = []
        texts = []
        for cell in row.cells:
            if any(cell._tc is s for s in seen):  # a merged cell repeats itself
                continue
            seen.append(cell._tc)
            texts.append(" ".join(p.text for p in cell.paragraphs))
        rows.append(" ".join(texts))
    return rows
