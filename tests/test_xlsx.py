"""The ``.xlsx`` export (corpus/site/xlsx.py): every cell of the workbook, read back with openpyxl,
is the row's value through Datasette's JSON — tables filtered and searched, queries, a row page —
with the columns in the page's order; text stays text (Chinese, ``=…``, CR, control characters
XML cannot hold removed), numbers stay numbers, a cell past Excel's limit is cut and said so, rows
past a sheet's limit go on in another sheet, ``max_rows`` stops the export.

The library is bench/search_corpus.py's synthetic one built by ``corpus.build.build``, served by
the real Datasette in-process with the site's plugin.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import sqlite3
import urllib.parse
from pathlib import Path

import openpyxl
import pytest
from sitekit import synthetic_library

from corpus.site import xlsx
from corpus.site.serve import make_datasette

LONG = 40_000


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return synthetic_library(tmp_path_factory.mktemp("xlsx") / "normdocs.db", 300)


@pytest.fixture(scope="module")
def odd(library, tmp_path_factory) -> tuple[Path, int]:
    """A copy with one document whose texts Excel and XML cannot take as they are."""
    path = tmp_path_factory.mktemp("xlsx-odd") / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    doc = conn.execute("select id from documents order by id limit 1").fetchone()[0]
    body = ("第一条 规范性文件<管理>&“备案”\r\n" * 3000)[:LONG]
    conn.execute(
        "update documents set body_text = ?, title = ?, doc_number = ? where id = ?",
        [body, "=SUM(A1:A2) 江西省\x01办法\x0b", " 赣府字〔2020〕1号 ", doc],
    )
    conn.commit()
    conn.close()
    return path, doc


def _client(path: Path):
    ds = make_datasette(path)
    loop = asyncio.new_event_loop()
    return (lambda url: loop.run_until_complete(ds.client.get(url))), loop


@pytest.fixture(scope="module")
def site(library):
    get, loop = _client(library)
    yield get
    loop.close()


def _json_rows(get, path: str, query: str) -> tuple[list[str], list[list]]:
    """Columns and every row of a page through Datasette's JSON (a table's pages followed)."""
    sep = "&" if query else ""
    data = get(f"{path}.json?{query}{sep}_shape=arrays&_size=max").json()
    columns, rows = data["columns"], list(data["rows"])
    while data.get("next"):
        token = urllib.parse.quote(data["next"])
        data = get(f"{path}.json?{query}{sep}_shape=arrays&_size=max&_next={token}").json()
        rows += data["rows"]
    return columns, rows


def _book(get, path: str, query: str) -> openpyxl.Workbook:
    response = get(f"{path}.xlsx?{query}")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == xlsx.CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _expected(value):
    """A JSON value as the workbook holds it (datasette-xlsx's types)."""
    if isinstance(value, str):
        text = xlsx._ILLEGAL.sub("", value)
        if len(text) > xlsx.EXCEL_MAX_CELL:
            return text[: xlsx.TRUNCATE_AT] + xlsx.TRUNCATED
        return text
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= xlsx.EXCEL_MAX_INT:
        return str(value)
    return value


def _assert_cells(book: openpyxl.Workbook, columns: list[str], rows: list[list]) -> None:
    sheet = book.worksheets[0]
    got = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert got[0] == columns
    want = [[_expected(v) for v in row] for row in rows]
    if got[1:] != want:  # rows of one sort value may come in another order than the pages'
        assert sorted(map(repr, got[1:])) == sorted(map(repr, want))
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["行数"] == len(rows)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/normdocs/documents", "kind=normative"),
        ("/normdocs/documents", "kind=rule&_sort=title"),
        ("/normdocs/documents", "_search=" + urllib.parse.quote("管理办法") + "&_col=title"),
        ("/normdocs/interpretations", ""),
        ("/normdocs/interpretation_rate", "department=&year="),
        ("/normdocs/current_catalogue", "department="),
    ],
)
def test_every_cell_is_the_rows_value_through_json(site, path, query):
    columns, rows = _json_rows(site, path, query)
    assert len(rows) > 20  # more than Datasette's page where it pages
    _assert_cells(_book(site, path, query), columns, rows)


def test_a_table_export_holds_every_row_past_datasettes_pages(site):
    columns, rows = _json_rows(site, "/normdocs/documents", "")
    assert len(rows) > 100  # _size=max pages of 100 in the site's settings? at least two pages
    book = _book(site, "/normdocs/documents", "")
    _assert_cells(book, columns, rows)
    assert [c.font.b for c in book.worksheets[0][1]] == [True] * len(columns)
    assert book.worksheets[0].freeze_panes == "A2"
    assert list(book.worksheets[0].tables) == ["tbl_documents"]


def test_a_table_export_has_every_row_once_where_a_page_ends_among_rows_of_one_date(
    library, tmp_path
):
    # Datasette's pages of a view sorted by date repeat or miss such rows (its first page is
    # ordered by the date alone, the next ones by date and id): the export reads one statement
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    columns = [r[1] for r in conn.execute("pragma table_info(documents)")]
    copied = ", ".join(c for c in columns if c not in ("id", "url", "search_rowid"))
    for k in range(4):
        conn.execute(
            f"insert into documents (url, {copied}) select url || '?copy={k}', {copied}"
            " from documents where url not like '%?copy=%'"
        )
    conn.execute("update documents set published_date = '2020-06-01' where id % 3 = 0")
    conn.commit()
    total, ids = conn.execute("select count(*), count(distinct id) from documents").fetchone()
    conn.close()
    assert total == ids > 1000  # more than one of Datasette's pages (max_returned_rows)
    get, loop = _client(path)
    try:
        for query in ("", "_sort_desc=published_date", "_sort=published_date&_col=title"):
            sheet = _book(get, "/normdocs/documents", query).worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
            at = rows[0].index("id")
            exported = [int(r[at]) for r in rows[1:]]  # ids past 15 digits are text
            assert len(exported) == len(set(exported)) == total, query
    finally:
        loop.close()


@pytest.mark.parametrize("query", ["_labels=on&kind=normative", "_next=0&kind=rule"])
def test_views_read_through_datasettes_pages_are_exported_too(site, query):
    book = _book(site, "/normdocs/documents", query)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "url", "site") and len(rows) > 5


def test_texts_excel_cannot_take_are_cut_or_cleaned_and_stay_text(odd):
    path, doc = odd
    get, loop = _client(path)
    try:
        book = _book(get, f"/normdocs/documents/{doc}", "")
        columns, rows = _json_rows(get, f"/normdocs/documents/{doc}", "")
        _assert_cells(book, columns, rows)
        sheet = book.worksheets[0]
        row = {c.value: v for c, v in zip(sheet[1], sheet[2], strict=True)}
        body = row["body_text"].value
        assert len(body) <= xlsx.EXCEL_MAX_CELL and body.endswith(xlsx.TRUNCATED)
        assert body.startswith(
            "第一条 规范性文件<管理>&“备案”\r\n"
        )  # CR kept, escaped XML read back
        assert row["title"].value == "=SUM(A1:A2) 江西省办法" and row["title"].data_type == "s"
        assert row["doc_number"].value == " 赣府字〔2020〕1号 "  # spaces kept
        notes = dict(book["说明"].iter_rows(values_only=True))
        assert notes["截断的单元格"].startswith("1 个")
        # the same document among others, through the table's pages
        columns, rows = _json_rows(get, "/normdocs/documents", "id__lte=" + str(doc + 50))
        _assert_cells(_book(get, "/normdocs/documents", "id__lte=" + str(doc + 50)), columns, rows)
    finally:
        loop.close()


def test_numbers_stay_numbers_as_datasette_xlsx_typed_them(site):
    sql = (
        "select 7 as small, 123456789012 as twelve, 1234567890123456 as sixteen, 2.5 as real,"
        " -3 as negative, '2020-01-05' as day, null as empty, x'00ff' as blob"
    )
    book = _book(site, "/normdocs", "sql=" + urllib.parse.quote(sql))
    header, cells = list(book.worksheets[0].iter_rows(min_row=1, max_row=2))
    row = {h.value: c for h, c in zip(header, cells, strict=True)}
    assert row["small"].value == 7 and row["small"].number_format == "General"
    assert row["twelve"].value == 123456789012 and row["twelve"].number_format == "0"
    assert row["sixteen"].value == "1234567890123456"  # Excel would lose the last digit
    assert row["real"].value == 2.5 and row["negative"].value == -3
    assert row["day"].value == "2020-01-05" and row["day"].data_type == "s"
    assert row["empty"].value is None
    assert row["blob"].value == "<二进制数据，2 字节>"


def test_rows_past_a_sheets_limit_go_on_in_another_sheet_and_max_rows_stops(monkeypatch):
    monkeypatch.setattr(xlsx, "EXCEL_MAX_ROWS", 11)  # 10 rows and the header a sheet
    book = xlsx.Workbook(["n", "text", "n"], "数据/表", max_rows=25)
    assert all(book.write([i, f"第{i}行", -i]) for i in range(25))
    assert not book.write([99, "no", 0])
    wb = openpyxl.load_workbook(io.BytesIO(book.finish({"网址": "x"})))
    assert wb.sheetnames == ["数据_表", "数据_表 (2)", "数据_表 (3)", "说明"]
    got = []
    for sheet in wb.worksheets[:3]:
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("n", "text", "n_2")
        got += rows[1:]
    assert got == [(i, f"第{i}行", -i) for i in range(25)]
    notes = dict(wb["说明"].iter_rows(values_only=True))
    assert notes["行数"] == 25 and notes["数据工作表"] == 3 and "25" in notes["注意"]


def test_an_empty_result_is_a_workbook_with_its_header(site):
    book = _book(site, "/normdocs/documents", "kind=" + urllib.parse.quote("没有这类"))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["id", "url", "site"]
    assert dict(book["说明"].iter_rows(values_only=True))["行数"] == 0
