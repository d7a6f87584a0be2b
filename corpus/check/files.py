"""The files lists come in and go out as: pasted text, CSV, XLSX in; XLSX, CSV for Excel, JSON,
a terminal table out.

``read_inputs`` takes a file's bytes and name and returns its input lines: text one per line
(UTF-8, with or without a BOM, else GB18030 as Chinese Excel saves it, or UTF-16 with a BOM); a
CSV or XLSX the cells of its first column (the second when the first is a 序号 column), a header
row detected and skipped. Anything else — a file that is not text, CSV or XLSX, an empty one,
one over ``MAX_ROWS`` rows, one that cannot be read — raises ``BadFile`` with one line saying
what is wrong, in Chinese, for the page and the command line alike.

The writers take the rows of ``corpus.check.match.check``. A cell that a spreadsheet would run
as a formula (starting with = + - @, a tab or a carriage return) is written as text: behind a
``'`` in CSV (OWASP's advice against CSV injection), as a string cell in XLSX.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date, datetime

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from corpus.check.match import COLUMNS, MATCHES

MAX_ROWS = 100_000
BOM = b"\xef\xbb\xbf"
FORMATS = ("xlsx", "csv", "json")


class BadFile(ValueError):
    """A file that holds no list we can read; the message is one line for the reader."""


# ---------------------------------------------------------------- reading

_HEADER_WORDS = sorted(
    ["序号", "编号", "标题", "名称", "文件", "文件名", "文号", "发文字号", "字号", "题名", "规范性",
     "行政", "政策", "清单", "列表", "目录", "输入", "待核对", "核对", "title", "name", "input",
     "document", "doc", "number", "no", "file", "号"],
    key=len,
    reverse=True,
)  # fmt: skip
_HEADER_GLUE = re.compile(r"[\s/、,，;；:：()（）\[\]【】_\-.及和与或或者&+]")
_ORDINAL = re.compile(r"^\d{1,6}(?:\.0)?$")
_TEXT_EXTS = (".txt", ".text", ".tsv", ".md", "")
_CSV_EXTS = (".csv",)
_XLSX_EXTS = (".xlsx", ".xlsm")


def is_header(cell: str) -> bool:
    """Whether a first row's cell names the column (标题, 文件名称/文号, Title) rather than
    holding an input: it is made of header words only."""
    rest = _HEADER_GLUE.sub("", unicodedata.normalize("NFKC", cell).lower())
    if not rest or len(rest) > 16:
        return False
    ends = {0}  # where a run of header words can end
    for i in range(len(rest)):
        if i in ends:
            ends |= {i + len(w) for w in _HEADER_WORDS if rest.startswith(w, i)}
    return len(rest) in ends


def _cell_text(value) -> str:
    """A spreadsheet cell as text: whole numbers without ``.0``, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()


def _column(rows: list[list[str]]) -> list[str]:
    """The inputs of a table: its first column (the second when the first holds only 序号), the
    header row left out."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    head = rows[0]
    body = rows[1:] if head and is_header(head[0]) else rows
    first = [r[0].strip() if r else "" for r in body]
    numbered = first and all(_ORDINAL.match(c) for c in first[:50] if c)
    if numbered and any(len(r) > 1 and r[1].strip() for r in body):
        return [r[1].strip() if len(r) > 1 else "" for r in body if len(r) > 1 and r[1].strip()]
    return [c for c in first if c]


def _too_many(n: int) -> BadFile:
    return BadFile(f"行数超过上限：最多 {MAX_ROWS:,} 行，本文件有 {n:,} 行以上，请分批核对")


def _decode(data: bytes) -> str:
    """Text in UTF-8 (BOM or not), UTF-16 (with a BOM) or GB18030; BadFile for anything else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadFile("无法读取：文件不是有效的 UTF-16 文本") from exc
    if b"\x00" in data[:4096]:
        raise BadFile("不是文本、CSV 或 XLSX 文件（含二进制内容），请粘贴文本或上传 CSV/XLSX")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f\v")
        if controls > 8:
            raise BadFile("不是文本、CSV 或 XLSX 文件（含控制字符），请粘贴文本或上传 CSV/XLSX")
        return text
    raise BadFile("无法识别文件编码：请以 UTF-8 或 GBK 保存")


def _text_lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and is_header(lines[0].split("\t")[0]):
        lines = lines[1:]
    if len(lines) > MAX_ROWS:
        raise _too_many(len(lines))
    return lines


def _csv_rows(text: str) -> list[list[str]]:
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise _too_many(len(rows) - 1)
    except csv.Error as exc:
        raise BadFile(f"无法读取 CSV：{exc}") from exc
    return rows


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise BadFile(
            f"无法读取 XLSX 文件（文件损坏或不是 Excel 工作簿）：{type(exc).__name__}"
        ) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values[:2]])
            if len(rows) > MAX_ROWS + 1:
                raise _too_many(len(rows) - 1)
        return rows
    finally:
        book.close()


def read_inputs(data: bytes, name: str = "") -> list[str]:
    """The input lines of a file (see the module docstring); ``name`` says its kind by its
    extension ("" or "-": pasted text)."""
    if not data or not data.strip():
        raise BadFile("文件是空的，没有可核对的行")
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(b"PK\x03\x04"):  # a zip: an XLSX, or a Word document, an archive …
        if ext and ext not in _XLSX_EXTS:
            kind = " Word 文档" if ext == ".docx" else f" {ext} 文件"
            raise BadFile(f"不支持{kind}：请上传 CSV 或 XLSX（Excel 工作簿），或粘贴文本")
        inputs = _column(_xlsx_rows(data))
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadFile("不支持旧版 Excel（.xls）或 Word（.doc）文件：请另存为 .xlsx 或 CSV")
    elif data.startswith(b"%PDF"):
        raise BadFile("不支持 PDF 文件：请上传 CSV 或 XLSX，或粘贴文本")
    elif ext in _XLSX_EXTS:
        raise BadFile("无法读取 XLSX 文件（文件损坏或不是 Excel 工作簿）")
    elif ext in _CSV_EXTS:
        inputs = _column(_csv_rows(_decode(data)))
    elif ext in _TEXT_EXTS or name == "-":
        inputs = _text_lines(_decode(data))
    else:
        raise BadFile(f"不支持 {ext} 文件：请上传 CSV 或 XLSX（Excel 工作簿），或粘贴文本")
    if not inputs:
        raise BadFile("文件中没有可核对的行")
    if len(inputs) > MAX_ROWS:
        raise _too_many(len(inputs))
    return inputs


# ---------------------------------------------------------------- writing

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _candidates_text(candidates: list[dict]) -> str:
    """Candidates in one cell: one per line, 《title》（文号） status link."""
    lines = []
    for c in candidates:
        number = f"（{c['doc_number']}）" if c["doc_number"] else ""
        lines.append(f"《{c['title']}》{number} {c['status']} {c['link'] or c['url']}".strip())
    return "\n".join(lines)


def flat(row: dict) -> list:
    """A row's cells in ``COLUMNS`` order, candidates as text."""
    return [
        _candidates_text(row[c]) if c == "candidates" else row[c] for c in COLUMNS
    ]  # fmt: skip


def safe_cell(value):
    """A cell a spreadsheet will show and not run: text starting with = + - @ (or a tab or a
    carriage return) behind a ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def to_csv(rows: list[dict]) -> bytes:
    """CSV for Excel: UTF-8 with a byte-order mark, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(v) for v in flat(row)])
    return BOM + out.getvalue().encode("utf-8")


def to_json(rows: list[dict]) -> bytes:
    """The rows as a JSON array of objects (candidates as a list of objects)."""
    return json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")


_WIDTHS = {"input": 40, "match": 16, "confidence": 8, "title": 50, "doc_number": 22,
           "status": 10, "status_as_of": 12, "status_basis": 50, "link": 40, "url": 40,
           "candidates": 60, "note": 40}  # fmt: skip


def to_xlsx(rows: list[dict]) -> bytes:
    """An Excel workbook of the rows: one sheet, a bold header, text never run as a formula."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("核对结果")
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = _WIDTHS[column]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in flat(row):
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # never a formula, whatever it starts with
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(rows: list[dict], fmt: str) -> bytes:
    """The rows as ``fmt`` (one of ``FORMATS``)."""
    return {"xlsx": to_xlsx, "csv": to_csv, "json": to_json}[fmt](rows)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def to_table(rows: list[dict]) -> str:
    """A plain-text table for a terminal: number, input, match, confidence, status, document;
    the basis and any candidates or note on the lines under each row."""
    head = ["#", "input", "match", "conf", "status", "document"]
    body = []
    for n, row in enumerate(rows, 1):
        number = f"（{row['doc_number']}）" if row["doc_number"] else ""
        doc = f"{row['title']}{number}" if row["title"] else ""
        body.append([str(n), row["input"], row["match"], f"{row['confidence']:.2f}",
                     row["status"] or "—", doc])  # fmt: skip
    widths = [max(_width(r[i]) for r in [head, *body]) for i in range(len(head) - 1)]
    widths = [min(w, 48) for w in widths]
    lines = ["  ".join([*(_pad(c, w) for c, w in zip(head, widths, strict=False)), head[-1]])]
    indent = " " * (widths[0] + 2)
    for cells, row in zip(body, rows, strict=True):
        lines.append(
            "  ".join([*(_pad(c, w) for c, w in zip(cells, widths, strict=False)), cells[-1]])
        )
        if row["status_basis"]:
            lines.append(f"{indent}依据：{row['status_basis']}（截至{row['status_as_of']}）")
        for c in row["candidates"]:
            number = f"（{c['doc_number']}）" if c["doc_number"] else ""
            lines.append(
                f"{indent}候选：{c['title']}{number} {c['status']} {c['link'] or c['url']}"
            )
        if row["note"]:
            lines.append(f"{indent}说明：{row['note']}")
    counts = {m: sum(1 for r in rows if r["match"] == m) for m in MATCHES}
    summary = ", ".join(f"{m} {n}" for m, n in counts.items() if n)
    lines.append(f"{len(rows)} rows: {summary}")
    return "\n".join(lines)
