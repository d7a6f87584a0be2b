"""The site's ``.xlsx`` export: every row of a table view, a query or a row page as an Excel workbook.

Replaces datasette-xlsx's renderer (openpyxl, write-only): the same rows, columns, cell types and
limits, written by a small streaming writer of our own. Measured at 100,000 documents
(bench/README.md, issue 16): openpyxl took 370 ms to write 257 documents with their full text
(an lxml element per cell, every string through the shared-string table), this writer 35–55 ms
(a cell is a string joined into the sheet's XML, inline; the zip at level 1, no bigger than
openpyxl's at its default: Chinese text barely deflates further). A table view's rows are read
in one statement, not through Datasette's pages, which also repeat and miss rows
(``whole_table_sql``).

What analysts get, as datasette-xlsx gave it:

- one sheet of the rows (``_col``/``_nocol``, filters, ``_search``, ``_sort`` are Datasette's: a
  table view's rows are read by its own first page's SQL without the limit, see
  ``whole_table_sql``); the columns in the page's order, the header row bold and
  frozen, an Excel table over the rows (filter buttons, striped rows), widths from the header and
  the first 1,000 rows (at most 60 characters);
- text as text, never a formula (a cell starting with ``=`` stays text); dates are the library's
  ``YYYY-MM-DD`` text, as stored; integers and reals as numbers — an integer of 12 to 15 digits
  shown in full (number format ``0``), one of 16 or more as text (Excel keeps 15 digits); control
  characters XML cannot hold removed;
- a cell longer than Excel's limit (32,767 characters) cut to fit, ending in ``TRUNCATED``, and
  the number of cut cells said on the second sheet (说明: what was exported, when, how many
  rows) — the whole text is in the CSV and JSON exports;
- at most ``max_rows`` rows (metadata ``plugins: datasette-xlsx: max_rows``), a query run again
  without Datasette's row limit under its own time limit (``time_limit_ms``), past Excel's
  1,048,576 rows a sheet the rows go on in another sheet.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import shutil
import tempfile
import urllib.parse
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from datasette import __version__ as datasette_version
from datasette.utils import sqlite_timelimit

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONFIG = "datasette-xlsx"  # the settings' name in metadata.yml, as the plugin this replaces read it
EXCEL_MAX_ROWS = 1_048_576  # a sheet's rows, the header included
EXCEL_MAX_CELL = 32_767  # characters in a cell
EXCEL_MAX_INT = 10**15  # Excel keeps 15 significant digits: larger integers go as text
GENERAL_MAX_CHARS = 11  # longer numbers show as 1.99E+11 in the General format: shown as "0"
TRUNCATED = " …[已截断]"  # the end of a cut cell (datasette-xlsx: " …[TRUNKERAT]")
TRUNCATE_AT = EXCEL_MAX_CELL - 20  # where a too long cell is cut, as datasette-xlsx cut it
WIDTH_SAMPLE_ROWS = 1000
MIN_WIDTH, MAX_WIDTH = 6, 60
FILTER_BUTTON_WIDTH = 3  # room for the table's filter button in a header cell
COMPRESS_LEVEL = 1
SPOOL_BYTES = 32 * 1024 * 1024  # a sheet's XML kept in memory up to this, then in a file

# Characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, and U+FFFE/U+FFFF).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A line as long as the widest column: a text with one is that wide (found without splitting it).
_WIDE_LINE = re.compile(f"[^\\r\\n]{{{MAX_WIDTH}}}")


def escape(text: str) -> str:
    """Text for XML: ``&``, ``<``, ``>`` escaped; CR as a reference, or a reader reads it as LF.
    (``str.replace`` where the character occurs: ``str.translate`` took 4x as long.)"""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


STYLE_HEADER = 1  # cellXfs of styles.xml: 0 plain, 1 bold, 2 number format "0"
STYLE_WHOLE_NUMBER = 2


def can_render(view_name: str) -> bool:
    """Datasette shows the ``.xlsx`` link on table, query, database (SQL) and row pages."""
    return view_name in ("table", "database", "query", "row")


async def render_xlsx(
    datasette, request, database, table, sql, query_name, columns, rows, view_name, data
) -> dict:
    """The rows of the page asked for, as an ``.xlsx`` download (all of them, not one page)."""
    config = datasette.plugin_config(CONFIG, database=database, table=table) or {}
    max_rows = int(config.get("max_rows", 1_000_000))
    time_limit_ms = int(config.get("time_limit_ms", 30_000))
    name = table or query_name or f"{database}-查询"
    book = Workbook(columns, name, max_rows)
    if view_name == "row":
        for row in rows:
            book.write([row[c] for c in columns] if isinstance(row, dict) else list(row))
    elif table and view_name == "table":
        whole = whole_table_sql(sql, request.args)
        if whole is None:
            await _table_rows(datasette, request, columns, book)
        else:
            params = (data.get("query") or {}).get("params") or {}
            await _query_rows(datasette.get_database(database), whole, params, book, time_limit_ms)
    else:
        if query_name:
            canned = await datasette.get_canned_query(database, query_name, request.actor)
            if canned and canned.get("write"):
                return {"body": "写入数据的查询不能导出", "status_code": 400}
        params = (data.get("query") or {}).get("params") or {}
        await _query_rows(datasette.get_database(database), sql, params, book, time_limit_ms)
    about = {
        "数据库": database,
        "表": table,
        "查询": query_name,
        "SQL": sql if view_name != "table" else None,
        "网址": request.url.replace(".xlsx", "", 1),
        "导出时间": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "Datasette 版本": datasette_version,
    }
    return {
        "body": book.finish(about),
        "content_type": CONTENT_TYPE,
        "headers": {"content-disposition": _filename_header(name)},
    }


# Datasette 0.65.5's SQL of a table view's first page: "select … from … [where …][order by …]
# limit N" (views/table.py); an offset only for SQL views.
_FIRST_PAGE = re.compile(r"(select .+) limit \d+", re.DOTALL)


def whole_table_sql(sql: str | None, args) -> str | None:
    """The SQL of a table view's every row: its first page's SQL without the limit — its
    filters, search, sort, columns as Datasette wrote them — or None where the view is another
    (a later page, ``_next``; foreign keys shown with their labels, ``_label``/``_labels``).

    One statement instead of Datasette's pages (``.json``, ``_size=max``, ``next``), which
    read the rows at half the speed, and miss or repeat rows: the first page is ordered by
    the sort column alone, the later ones by it and the primary key, so rows of one date on
    both sides of a page's end come out in two orders (Datasette 0.65.5; 1 row in 5,148 of
    ``documents?status=现行有效`` at 100,000 documents came twice).
    """
    if not sql or any(key == "_next" or key.startswith("_label") for key in args):
        return None
    match = _FIRST_PAGE.fullmatch(sql.strip())
    return match.group(1) if match else None


async def _table_rows(datasette, request, columns: Sequence[str], book: Workbook) -> None:
    """Every row of a table view, through Datasette's own ``.json`` pages (``_size=max``, its
    ``next`` token): its filters, search, sort and columns; no facets, no count. For the views
    ``whole_table_sql`` cannot read in one statement."""
    path = request.path[: -len(".xlsx")] + ".json"
    base_url = datasette.setting("base_url")  # datasette.client adds it again
    if base_url != "/" and path.startswith(base_url):
        path = "/" + path[len(base_url) :]
    args = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
        if k not in ("_next", "_size", "_shape", "_format", "_extra", "_nofacet", "_nocount")
    ]
    args += [("_size", "max"), ("_shape", "objects"), ("_nofacet", "1"), ("_nocount", "1")]
    auth = {"cookies": request.cookies}
    if request.headers.get("authorization"):
        auth["headers"] = {"authorization": request.headers["authorization"]}
    token = None
    while True:
        query = args + ([("_next", token)] if token else [])
        response = await datasette.client.get(path + "?" + urllib.parse.urlencode(query), **auth)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} from {path}: {response.text[:200]}")
        page = response.json()
        for row in page["rows"]:
            if not book.write([row.get(c) for c in columns]):
                return
        token = page.get("next")
        if not token:
            return


async def _query_rows(db, sql: str, params: dict, book: Workbook, time_limit_ms: int) -> None:
    """A query run again without Datasette's row limit, its rows written as they come."""

    def run(conn) -> None:
        with sqlite_timelimit(conn, time_limit_ms):
            for row in conn.execute(sql, params or {}):
                if not book.write(row):
                    break

    await db.execute_fn(run)


class Workbook:
    """An ``.xlsx`` of one table of rows, written row by row (``write``), then ``finish``.

    A sheet's rows go to a spooled file as XML as they come; its head (widths, the extent of
    the data) is known only at the end and is put before them when the zip is written.
    """

    def __init__(self, columns: Sequence[str], title: str, max_rows: int):
        self.headers = table_headers(columns)
        self.title = sheet_title(title)
        self.max_rows = max_rows
        self.letters = [column_letter(i) for i in range(1, len(self.headers) + 1)]
        self.rows = 0  # written, all sheets
        self.truncated = 0  # cells cut to Excel's limit
        self.hit_limit = False
        self.sheets: list[tuple[tempfile.SpooledTemporaryFile, int, list[int]]] = []
        self.widths = [len(h) + FILTER_BUTTON_WIDTH for h in self.headers]
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed once in the zip
        self.sheet_rows = 0  # data rows of this sheet
        self.sheets.append((self.body, 0, self.widths))
        self._row([self._cell_header(i, h) for i, h in enumerate(self.headers)], 1)

    def write(self, row: Sequence[Any]) -> bool:
        """Add a row; False (and nothing written) once ``max_rows`` were written."""
        if self.rows >= self.max_rows:
            self.hit_limit = True
            return False
        if self.sheet_rows + 1 >= EXCEL_MAX_ROWS:
            self._close_sheet()
            self._new_sheet()
        if self.rows < WIDTH_SAMPLE_ROWS:
            for i, value in enumerate(row[: len(self.widths)]):
                width = text_width(value)
                if width > self.widths[i]:
                    self.widths[i] = width
        number = self.sheet_rows + 2
        self._row([self._cell(i, value, number) for i, value in enumerate(row)], number)
        self.rows += 1
        self.sheet_rows += 1
        return True

    def _row(self, cells: list[str], number: int) -> None:
        self.body.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())

    def _close_sheet(self) -> None:
        body, _, widths = self.sheets[-1]
        self.sheets[-1] = (body, self.sheet_rows, widths)

    def _cell_header(self, i: int, text: str) -> str:
        return (
            f'<c r="{self.letters[i]}1" s="{STYLE_HEADER}" t="inlineStr">'
            f'<is><t xml:space="preserve">{escape(text)}</t></is></c>'
        )

    def _cell(self, i: int, value: Any, number: int) -> str:
        """One cell as datasette-xlsx typed it: None empty, numbers as numbers, the rest text."""
        if value is None:
            return ""
        ref = f"{self.letters[i] if i < len(self.letters) else column_letter(i + 1)}{number}"
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int):
            if abs(value) >= EXCEL_MAX_INT:
                return self._text(ref, str(value))
            if len(str(value)) > GENERAL_MAX_CHARS:
                return f'<c r="{ref}" s="{STYLE_WHOLE_NUMBER}"><v>{value}</v></c>'
            return f'<c r="{ref}"><v>{value}</v></c>'
        if isinstance(value, float):
            if math.isfinite(value):
                return f'<c r="{ref}"><v>{value!r}</v></c>'
            return self._text(ref, str(value))  # Excel has no infinity
        if isinstance(value, (bytes, bytearray, memoryview)):
            return self._text(ref, f"<二进制数据，{len(value)} 字节>")
        if isinstance(value, dict) and "value" in value:  # _labels=on: {"value", "label"}
            return self._cell(i, value.get("label") or value.get("value"), number)
        return self._text(ref, value if isinstance(value, str) else str(value))

    def _text(self, ref: str, text: str) -> str:
        text = _ILLEGAL.sub("", text)
        if len(text) > EXCEL_MAX_CELL:
            text = text[:TRUNCATE_AT] + TRUNCATED
            self.truncated += 1
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'

    def finish(self, about: dict[str, Any]) -> bytes:
        """The workbook: the rows' sheets, then 说明 (what was exported), as ``.xlsx`` bytes."""
        self._close_sheet()
        about = dict(about)
        about["行数"] = self.rows
        if len(self.sheets) > 1:
            about["数据工作表"] = len(self.sheets)
        if self.hit_limit:
            about["注意"] = f"只导出了前 {self.max_rows} 行（max_rows）"
        if self.truncated:
            about["截断的单元格"] = (
                f"{self.truncated} 个（Excel 每个单元格最多 {EXCEL_MAX_CELL} 个字符；"
                "全文见 CSV、JSON 导出）"
            )
        notes = [(k, v) for k, v in about.items() if v not in (None, "")]
        names = [self._sheet_name(n) for n in range(1, len(self.sheets) + 1)] + ["说明"]
        tables = len(self.sheets) if self.headers else 0
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
            zf.writestr("[Content_Types].xml", _content_types(len(names), tables))
            zf.writestr("_rels/.rels", _ROOT_RELS)
            zf.writestr("docProps/app.xml", _APP)
            zf.writestr("xl/workbook.xml", _workbook(names))
            zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(names)))
            zf.writestr("xl/styles.xml", _STYLES)
            for n, (body, rows, widths) in enumerate(self.sheets, 1):
                ref = f"A1:{self.letters[-1] if self.letters else 'A'}{max(rows + 1, 2)}"
                head = _sheet_head(ref, widths, MAX_WIDTH, frozen=True)
                tail = "</sheetData>"
                if tables:
                    tail += '<tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
                    zf.writestr(f"xl/worksheets/_rels/sheet{n}.xml.rels", _sheet_rels(n))
                    zf.writestr(f"xl/tables/table{n}.xml", self._table(n, ref))
                _write_part(zf, f"xl/worksheets/sheet{n}.xml", head, body, tail + "</worksheet>")
            zf.writestr(f"xl/worksheets/sheet{len(names)}.xml", self._notes(notes))
        return out.getvalue()

    def _notes(self, notes: list[tuple[str, Any]]) -> str:
        """The 说明 sheet: a name and a value a row, no header."""
        rows = "".join(
            f'<row r="{n}">{self._cell(0, k, n)}{self._cell(1, v, n)}</row>'
            for n, (k, v) in enumerate(notes, 1)
        )
        widths = [max((text_width(k) for k, _ in notes), default=0) + 2, 100]
        head = _sheet_head(f"A1:B{max(len(notes), 1)}", widths, 100, frozen=False)
        return f"{head}{rows}</sheetData></worksheet>"

    def _sheet_name(self, n: int) -> str:
        return self.title if n == 1 else sheet_title(f"{self.title[:25]} ({n})")

    def _table(self, n: int, ref: str) -> str:
        name = "tbl_" + re.sub(r"[^\w.]", "_", self.title)[:200] + ("" if n == 1 else f"_{n}")
        columns = "".join(
            f"<tableColumn id={quoteattr(str(i))} name={quoteattr(h)}/>"
            for i, h in enumerate(self.headers, 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<table xmlns="{_MAIN}" id="{n}" name={quoteattr(name)} displayName={quoteattr(name)}'
            f' ref="{ref}" headerRowCount="1"><autoFilter ref="{ref}"/>'
            f'<tableColumns count="{len(self.headers)}">{columns}</tableColumns>'
            '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0"'
            ' showRowStripes="1" showColumnStripes="0"/></table>'
        )


def _write_part(zf: zipfile.ZipFile, name: str, head: str, body, tail: str) -> None:
    """One zip entry: ``head``, the spooled ``body``, ``tail`` (Zip64 only when it must be)."""
    size = body.seek(0, io.SEEK_END)
    body.seek(0)
    head_bytes, tail_bytes = head.encode(), tail.encode()
    total = len(head_bytes) + size + len(tail_bytes)
    with zf.open(name, "w", force_zip64=total > zipfile.ZIP64_LIMIT) as part:
        part.write(head_bytes)
        shutil.copyfileobj(body, part, 1024 * 1024)
        part.write(tail_bytes)
    body.close()


def text_width(value: Any) -> int:
    """About how many characters wide a value shows (its longest line), for the column width."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float):
        return min(len(str(value)), GENERAL_MAX_CHARS)
    if isinstance(value, dict) and "value" in value:
        return text_width(value.get("label") or value.get("value"))
    text = value if isinstance(value, str) else str(value)
    if "\n" not in text and "\r" not in text:
        return len(text)
    if _WIDE_LINE.search(text):
        return MAX_WIDTH  # as wide as a column gets: no need to measure every line
    return max(len(line) for line in text.splitlines())


def table_headers(columns: Iterable[str]) -> list[str]:
    """Header names an Excel table takes: not empty, unique regardless of case (``id, id`` →
    ``id, id_2``), without control characters, at most 255 characters (as datasette-xlsx)."""
    headers: list[str] = []
    seen: set[str] = set()
    for i, column in enumerate(columns, 1):
        name = _ILLEGAL.sub("", str(column))
        name = re.sub(r"\s+", " ", name).strip()[:255] or f"Column{i}"
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate.casefold())
        headers.append(candidate)
    return headers


def sheet_title(name: str) -> str:
    """A name Excel takes for a sheet: none of ``[]:*?/\\``, at most 31 characters."""
    name = re.sub(r"[\[\]:*?/\\]", "_", name or "结果").strip("'") or "结果"
    return name[:31]


def column_letter(n: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _filename_header(name: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\r\n]+', "_", name) + ".xlsx"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(name)}"


# ---------------------------------------------------------------- the package's fixed parts

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CT = "application/vnd.openxmlformats-officedocument"

_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_APP = (
    f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>normdocs</Application></Properties>'
)
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _content_types(sheets: int, tables: int) -> str:
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml"'
        f' ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    ) + "".join(
        f'<Override PartName="/xl/tables/table{n}.xml" ContentType="{_CT}.spreadsheetml.table+xml"/>'
        for n in range(1, tables + 1)
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
        f"{parts}</Types>"
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, 1)
    )
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    styles = f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    return f'{_XML}<Relationships xmlns="{_PKG_REL}">{rels}{styles}</Relationships>'


def _sheet_rels(n: int) -> str:
    return (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/table" Target="../tables/table{n}.xml"/>'
        "</Relationships>"
    )


def _sheet_head(ref: str, widths: list[int], max_width: int, frozen: bool) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{min(max(w + 1, MIN_WIDTH), max_width)}"'
        ' customWidth="1"/>'
        for i, w in enumerate(widths, 1)
    )
    view = (
        '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
        ' state="frozen"/></sheetView>'
        if frozen
        else '<sheetView workbookViewId="0"/>'
    )
    return (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="{ref}"/>'
        f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
    )
