"""Attachments: real small PDF (reportlab, STSong-Light) and DOCX (python-docx) files.

``attachment`` makes one with a stable stored name, ``attachment_blocks`` the 附件 lines that link
a page's attachments inside its content.

Bytes are deterministic (reportlab ``invariant=1``; DOCX zip entries and core properties get fixed
dates) and rendered lazily, once per file. ``text_lines`` gives the lines the file really holds,
which is what the truth's attachment ``text`` is made of.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime
from functools import cache
from urllib.parse import quote

from .model import Article, Attachment, Block, Link, Reply, Site

PDF_WIDTH = 38  # characters per drawn line (CJK at 10.5 pt on A4 with 2 cm margins)
PDF_LINES = 40  # lines per page
FIXED = datetime(2020, 1, 1)


def attachment(art: Article, key: object, showname: str, lines: list[str]) -> Attachment:
    """A file of ``art`` holding ``lines``, stored under a stable 32-hex name (``key``: which
    of the page's files it is)."""
    digest = hashlib.md5(f"{art.site}:{art.seed}:{key}".encode()).hexdigest()
    ext = showname.rsplit(".", 1)[1]
    return Attachment(filename=f"{digest}.{ext}", showname=showname, ext=ext, lines=lines)


def attachment_blocks(art: Article) -> list[Block]:
    """附件 lines inside the content, unless this page lists attachments after the content."""
    if not art.attachments or art.spec.get("attachments_outside"):
        return []
    return [
        Block(["附件：" if i == 0 else "", Link(att.showname, href=att.href)])
        for i, att in enumerate(art.attachments)
    ]


def _wrap(line: str, width: int) -> list[str]:
    return [line[i : i + width] for i in range(0, len(line), width)] or [""]


def text_lines(att: Attachment) -> list[str]:
    """The lines of text the rendered file holds (PDF lines are wrapped).

    A line with tabs is a table row: a DOCX table row (cells read back joined by a space), one
    drawn line of a PDF (cells separated by a space, wrapped like any line).
    """
    if att.ext == "pdf":
        return [piece for line in att.lines for piece in _wrap(line.replace("\t", " "), PDF_WIDTH)]
    return list(att.lines)


def render_pdf(lines: list[str]) -> bytes:
    """A PDF with one drawn string per line."""
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415 - slow import, only when serving
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: PLC0415
    from reportlab.pdfgen import canvas  # noqa: PLC0415

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pdf.setTitle("")
    for start in range(0, max(len(lines), 1), PDF_LINES):
        pdf.setFont("STSong-Light", 10.5)
        y = A4[1] - 60
        for line in lines[start : start + PDF_LINES]:
            pdf.drawString(57, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def render_docx(lines: list[str]) -> bytes:
    """A DOCX with one paragraph per line, with fixed zip and core-property dates."""
    import docx  # noqa: PLC0415 - slow import, only when serving

    document = docx.Document()
    props = document.core_properties
    props.created = props.modified = props.last_printed = FIXED
    props.author = props.last_modified_by = ""
    rows: list[list[str]] = []
    for line in lines:
        if "\t" in line:  # a table row: consecutive ones make one table
            rows.append(line.split("\t"))
            continue
        _add_table(document, rows)
        rows = []
        document.add_paragraph(line)
    _add_table(document, rows)
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _add_table(document, rows: list[list[str]]) -> None:
    """A table of ``rows`` (lists of cell texts), if there are any."""
    if not rows:
        return
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for cells, row in zip(rows, table.rows, strict=True):
        for value, cell in zip(cells, row.cells, strict=False):
            cell.text = value


@cache
def _render(filename: str, ext: str, lines: tuple[str, ...]) -> bytes:
    return render_pdf(list(lines)) if ext == "pdf" else render_docx(list(lines))


def file_bytes(att: Attachment) -> bytes:
    """The file's bytes, rendered on first use and cached."""
    return _render(att.filename, att.ext, tuple(text_lines(att)))


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def download(world, site: Site, query: dict) -> Reply:
    """``/module/download/downfile.jsp?classid=0&filename=…&showname=…``."""
    att = world.attachment(site.name, query.get("filename", ""))
    if att is None:
        return Reply(404, "<html><body>文件不存在</body></html>", "text/html")
    name = query.get("showname") or att.showname
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Reply(200, file_bytes(att), CONTENT_TYPES[att.ext], {"Content-Disposition": disposition})
