"""The counts the build precomputes (corpus/counts) are the counts of the rows, and the site shows
them: every precounted view compared with a count made here from the rows, through the real
Datasette (in-process) and the site's own pages; again after a rebuild that changed rows; and the
site counts live whenever the counts do not hold for the file.

The library is bench/search_corpus.py's synthetic one (a few hundred documents), with a few holes
made in it (no issuer, no year, another site), built by ``corpus.build.build``; the crawled mirror,
built the same way, in the slow lane.
"""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import sqlite3
import sys
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from sitekit import built_copy, synthetic_library

from corpus.build import build
from corpus.counts import FACETS, read
from corpus.site import pages, table_search
from corpus.site.serve import checkpoint, load_metadata, make_datasette
from corpus.validity.queries import CATALOGUE_SQL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from search_corpus import Generator  # noqa: E402

AS_OF = date(2026, 11, 27)
DOCS = 400


def _holes(path: Path) -> None:
    """Values the facets must handle: NULL issuer and year, a site the rows name once."""
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("select id from documents order by id")]
    conn.executemany("update documents set issuer = null where id = ?", [(i,) for i in ids[:7]])
    conn.executemany("update documents set year = null where id = ?", [(i,) for i in ids[7:12]])
    conn.execute(
        "insert into sites (name, title, family) values ('jx-gxt', '江西省工业和信息化厅', 'jxnew')"
    )
    conn.execute("update documents set site = 'jx-gxt' where id = ?", [ids[12]])
    conn.execute("update interpretations set form = '图解' where id in"
                 " (select id from interpretations order by id limit 9)")  # fmt: skip
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return synthetic_library(tmp_path_factory.mktemp("counts") / "normdocs.db", DOCS, _holes)


def _client(path: Path):
    ds = make_datasette(path)
    loop = asyncio.new_event_loop()

    def get(url: str):
        return loop.run_until_complete(ds.client.get(url))

    return get, loop


@pytest.fixture(scope="module")
def site(library):
    get, loop = _client(library)
    yield get
    loop.close()


# ---------------------------------------------------------------- the counts, made here


def live_counts(conn: sqlite3.Connection, table: str, column: str, value) -> dict:
    """The view ``table`` where ``column`` = ``value`` (all of it: no column), counted from the
    rows: its number of rows and, per facet column, {value: count} of its non-NULL values."""
    where, params = ("", []) if not column else (f' where "{column}" = ?', [value])
    out = {"": conn.execute(f"select count(*) from {table}{where}", params).fetchone()[0]}
    for facet in FACETS[table]:
        out[facet] = dict(
            conn.execute(
                f'select "{facet}", count(*) from {table}{where}'
                f'{" and" if where else " where"} "{facet}" is not null group by "{facet}"',
                params,
            ).fetchall()
        )
    return out


def views(conn: sqlite3.Connection, table: str) -> list[tuple[str, object]]:
    """Every view of ``table`` the build should have counted: the table, and each value of each
    facet column, read from the rows."""
    out: list[tuple[str, object]] = [("", None)]
    for column in FACETS[table]:
        out += [
            (column, v)
            for (v,) in conn.execute(
                f'select distinct "{column}" from {table} where "{column}" is not null'
            )
        ]
    return out


def stored_counts(conn: sqlite3.Connection, table: str, view) -> dict:
    out = {"": read.total(conn, table, *view)}
    for facet in FACETS[table]:
        out[facet] = dict(read.facet(conn, table, facet, view))
    return out


def _datasette_order(counts: dict) -> list:
    """Datasette's facet order: most frequent first, then by value (numbers before text)."""
    return sorted(counts.items(), key=lambda vc: (-vc[1], isinstance(vc[0], str), vc[0]))


def assert_counts_hold(path: Path, get) -> int:
    """Every precounted view of ``path`` equals the live count, in the table and on the site;
    returns the number of views checked."""
    conn = sqlite3.connect(path)
    checked = 0
    try:
        assert read.fresh(conn)
        for table in FACETS:
            expected_views = views(conn, table)
            stored_views = {
                (fc, fv)
                for fc, fv in conn.execute(
                    "select filter_column, filter_value from facet_counts"
                    " where table_name = ? and facet_column = ''",
                    [table],
                )
            }
            assert stored_views == set(expected_views), table
            for column, value in expected_views:
                live = live_counts(conn, table, column, value)
                assert stored_counts(conn, table, (column, value)) == live, (table, column, value)
                _assert_site_shows(get, table, column, value, live)
                checked += 1
        # every other table's number of rows (what Datasette shows as each table's count)
        for name, n in read.totals(conn).items():
            assert n == conn.execute(f'select count(*) from "{name}"').fetchone()[0], name
    finally:
        conn.close()
    return checked


def _assert_site_shows(get, table, column, value, live) -> None:
    """The table view's facets (from the counts) are the live ones, value for value, in
    Datasette's order; and so are Datasette's own column facets asked beside them."""
    args = {"_facet_size": "max", "_facet": FACETS[table]}
    if column:
        args[column] = str(value)
    data = get(f"/normdocs/{table}.json?{urllib.parse.urlencode(args, doseq=True)}").json()
    assert data["filtered_table_rows_count"] == live[""]
    results = data["facet_results"]
    for facet in FACETS[table]:
        shown = [(v["value"], v["count"]) for v in results[facet]["results"]]
        assert shown == _datasette_order(live[facet]), (table, column, value, facet)
        own = [(v["value"], v["count"]) for v in results[f"{facet}_2"]["results"]]
        assert own == shown  # Datasette's own ColumnFacet, counted live
        assert results[facet]["type"] == "column" and not results[facet]["truncated"]


# ---------------------------------------------------------------- tests


def test_the_counted_facets_are_the_facets_the_site_declares():
    tables = load_metadata()["databases"]["normdocs"]["tables"]
    for table, columns in FACETS.items():
        assert tables[table]["facets"] == [{"counted": c} for c in columns]


def test_every_precounted_view_equals_the_count_of_its_rows(library, site):
    assert assert_counts_hold(library, site) > 40


def test_the_site_reads_the_counts_and_counts_live_what_the_build_did_not_count(library, tmp_path):
    """Counts made wrong on purpose show where the site reads them — and only there."""
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    conn.execute("update facet_counts set count = count * 1000 where facet_column != ''")
    conn.execute("update department_counts set count = count * 1000")
    conn.commit()
    kind, n = conn.execute(
        "select kind, count(*) from documents group by kind order by 2 desc limit 1"
    ).fetchone()
    issuer = conn.execute("select issuer from documents where issuer is not null").fetchone()[0]
    conn.close()
    get, loop = _client(path)
    try:

        def kinds(url: str) -> dict:
            facets = get(url).json()["facet_results"]
            return {v["value"]: v["count"] for v in facets["kind"]["results"]}

        assert kinds("/normdocs/documents.json")[kind] == n * 1000  # the whole table: counted
        q = urllib.parse.quote(issuer)
        counted = kinds(f"/normdocs/documents.json?issuer={q}")  # one filter: counted
        assert all(c % 1000 == 0 for c in counted.values())
        # on a later page, the view's counts, not those of the rows after the page
        page = get(f"/normdocs/documents.json?issuer={q}").json()
        if page["next"]:
            assert kinds(f"/normdocs/documents.json?issuer={q}&_next={page['next']}") == counted
        # two filters, a range, a search: counted live
        live = kinds(f"/normdocs/documents.json?issuer={q}&year__gte=2015")
        assert live and all(c < 1000 for c in live.values())
        assert all(c < 1000 for c in kinds("/normdocs/documents.json?_search=生态环境").values())
        assert all(c < 1000 for c in kinds("/normdocs/documents.json?_where=1").values())
        # the home page's departments: counted (department_counts)
        biggest = max(r["count"] for r in _departments_live(path))
        assert f"{biggest * 1000:,}" in get("/").text
    finally:
        loop.close()


SEARCHES = [
    ("生态环境", {}),
    ("养老保险", {"status": "未知"}),
    ("安全", {"kind": "normative", "year": "2019"}),
    ("赣府厅字", {"issuer": "江西省人民政府办公厅"}),
    ("不存在的词语组合", {}),
]


@pytest.mark.parametrize("few_rows", [table_search.FEW_ROWS, 0])
@pytest.mark.parametrize(("q", "filters"), SEARCHES)
def test_a_searchs_facets_from_the_index_are_those_of_its_rows(
    library, site, q, filters, few_rows, monkeypatch
):
    monkeypatch.setattr(
        table_search, "FEW_ROWS", few_rows
    )  # 0: the map even for a filter to few rows
    conn = sqlite3.connect(library)
    from corpus.search.sql import register_functions  # noqa: PLC0415 - the site's SQL functions

    register_functions(conn)
    where = " and ".join(
        [
            "search_rowid in (select rowid from documents_fts where documents_fts match escape_fts(?))"
        ]
        + [f'"{c}" = ?' for c in filters]
    )
    params = [q, *filters.values()]
    expected = {
        facet: dict(
            conn.execute(
                f'select "{facet}", count(*) from documents where {where}'
                f' and "{facet}" is not null group by "{facet}"',
                params,
            ).fetchall()
        )
        for facet in FACETS["documents"]
    }
    conn.close()
    args = {"_search": q, **filters, "_facet_size": "max", "_facet": FACETS["documents"]}
    data = site(f"/normdocs/documents.json?{urllib.parse.urlencode(args, doseq=True)}").json()
    for facet in FACETS["documents"]:
        shown = [(v["value"], v["count"]) for v in data["facet_results"][facet]["results"]]
        assert shown == _datasette_order(expected[facet]), facet
        own = [(v["value"], v["count"]) for v in data["facet_results"][f"{facet}_2"]["results"]]
        assert own == shown


FILTERED = [
    {"kind": "normative", "year__gte": "2020"},
    {"status": "未知", "site": "jx-portal", "year__lt": "2015"},
    {"kind__not": "policy", "year__lte": "2012", "year__gt": "2009"},
    {"issuer": "江西省人民政府", "year": "2019"},
    {"issuer__exact": "江西省财政厅", "kind": "normative"},
    {"year__gte": "2030"},
    {"year__not": "2020", "status__not": "未知"},
    {"kind": "nothing-of-this-kind", "year__gte": "2010"},
]
_SQL_OPS = {"exact": "=", "not": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@pytest.mark.parametrize("filters", FILTERED)
def test_a_filtered_views_facets_summed_from_the_build_are_those_of_its_rows(
    library, site, filters
):
    where, params = [], []
    for key, value in filters.items():
        column, _, lookup = key.partition("__")
        op = _SQL_OPS[lookup or "exact"]
        where.append(f'"{column}" {op} ?')
        params.append(int(value) if op not in ("=", "!=") else value)
    conn = sqlite3.connect(library)
    expected = {
        facet: dict(
            conn.execute(
                f'select "{facet}", count(*) from documents where {" and ".join(where)}'
                f' and "{facet}" is not null group by "{facet}"',
                params,
            ).fetchall()
        )
        for facet in FACETS["documents"]
    }
    conn.close()
    args = {**filters, "_facet_size": "max", "_facet": FACETS["documents"]}
    data = site(f"/normdocs/documents.json?{urllib.parse.urlencode(args, doseq=True)}").json()
    for facet in FACETS["documents"]:
        shown = [(v["value"], v["count"]) for v in data["facet_results"][facet]["results"]]
        assert shown == _datasette_order(expected[facet]), facet
        own = [(v["value"], v["count"]) for v in data["facet_results"][f"{facet}_2"]["results"]]
        assert own == shown


def test_a_searchs_facets_are_read_through_the_map_of_the_index(library, tmp_path, monkeypatch):
    """A map made wrong on purpose shows where it is read — and only there."""
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    combos = json.loads(conn.execute(
        "select combos from search_facets where table_name = 'documents'").fetchone()[0])  # fmt: skip
    kind = json.loads(conn.execute(
        "select columns from search_facets where table_name = 'documents'").fetchone()[0]).index("kind")  # fmt: skip
    for combo in combos:
        combo[kind] = "rule"  # every searched document a rule, says the map
    conn.execute("update search_facets set combos = ? where table_name = 'documents'",
                 [json.dumps(combos, ensure_ascii=False)])  # fmt: skip
    conn.commit()
    conn.close()
    get, loop = _client(path)
    try:

        def kinds(url: str) -> set:
            facets = get(url).json()["facet_results"]
            return {v["value"] for v in facets["kind"]["results"]}

        q = urllib.parse.quote("生态环境")
        assert kinds(f"/normdocs/documents.json?_search={q}") == {"rule"}
        filtered = f"/normdocs/documents.json?_search={q}&status={_q('未知')}"
        assert len(kinds(filtered)) > 1  # a filter to few rows: SQL reads those alone
        monkeypatch.setattr(table_search, "FEW_ROWS", 0)
        assert kinds(filtered) == {"rule"}
        assert len(kinds(f"/normdocs/documents.json?_search={q}&year__gte=2015")) > 1  # live
        assert len(kinds(f"/normdocs/documents.json?_search={q}&_where=1")) > 1  # live
        # the filtered views summed over the map's combinations: its kinds too
        assert kinds(f"/normdocs/documents.json?status={_q('未知')}&year__gte=2015") == {"rule"}
        live = kinds(f"/normdocs/documents.json?status__contains={_q('未')}&year__gte=2015")
        assert len(live) > 1  # a filter the class does not evaluate: counted by SQL
    finally:
        loop.close()


def _q(value: str) -> str:
    return urllib.parse.quote(value)


def _departments_live(path: Path) -> list[dict]:
    conn = sqlite3.connect(path)
    try:
        return pages._departments(pages.Reader(conn, False))
    finally:
        conn.close()


def test_the_pages_count_the_same_from_the_counts_as_from_the_rows(library):
    conn = sqlite3.connect(library)
    counted, live = pages.Reader(conn, True), pages.Reader(conn, False)
    assert pages._home(counted) == pages._home(live)
    departments = [
        r[0] for r in conn.execute("select distinct department from document_departments")
    ]
    assert len(departments) > 10
    for name in departments:
        assert pages._department(counted, name) == pages._department(live, name), name
    for (name,) in conn.execute("select name from sites"):
        assert pages._site(counted, name) == pages._site(live, name), name
    conn.close()


def test_a_department_catalogue_pages_through_the_current_catalogue_query(library, monkeypatch):
    monkeypatch.setattr(pages, "CATALOGUE_PAGE", 3)
    conn = sqlite3.connect(library)
    conn.row_factory = None
    departments = [
        r[0] for r in conn.execute("select distinct department from document_departments")
    ]
    seen = 0
    for name in departments:
        want = [
            r[11]
            for r in conn.execute(
                CATALOGUE_SQL, {"department": name}
            )  # the canned query's own order
        ]
        for counted in (True, False):
            r = pages.Reader(conn, counted)
            first = pages._catalogue(r, name, 1)
            assert first["total"] == len(want)
            assert first["pages"] == max(1, math.ceil(len(want) / 3))
            got = []
            for page in range(1, first["pages"] + 1):
                cat = pages._catalogue(r, name, page)
                assert [row["seq"] for row in cat["rows"]] == list(
                    range(cat["first"], cat["last"] + 1)
                )
                got += [row["id"] for row in cat["rows"]]
            assert got == want, (name, counted)
            assert pages._catalogue(r, name, 10_000)["page"] == first["pages"]  # past the end
        seen += len(want) > 3
    assert seen  # some department's list has more than one page
    conn.close()


def test_the_department_pages_download_the_current_catalogue_as_the_build_numbered_it(
    library, site, tmp_path
):
    conn = sqlite3.connect(library)
    departments = [
        r[0] for r in conn.execute("select distinct department from document_departments")
    ]
    conn.close()
    for name in departments:
        args = urllib.parse.urlencode({"department": name, "_shape": "array"})
        numbered = site(f"/normdocs/department_catalogue.json?{args}").json()
        assert numbered == site(f"/normdocs/current_catalogue.json?{args}").json(), name
    page = site("/department/" + _q(departments[0])).text
    assert "/normdocs/department_catalogue.csv?department=" in page
    # counts that no longer hold: the page links the live query
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    conn.execute("insert into crawl_runs (started_at) values ('9999-01-01T00:00:00+00:00')")
    conn.commit()
    conn.close()
    get, loop = _client(path)
    try:
        page = get("/department/" + _q(departments[0])).text
        assert "/normdocs/current_catalogue.csv?department=" in page
        assert "department_catalogue" not in page
    finally:
        loop.close()


def test_the_counts_hold_after_a_rebuild_that_changed_rows(library, tmp_path):
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    db = sqlite_utils.Database(path)
    ids = [r[0] for r in db.execute("select id from documents order by id desc")]
    db.execute("update documents set issuer = '江西省财政厅' where id in (?, ?, ?, ?)", ids[:4])
    db.execute("update documents set kind = 'rule' where id in (?, ?)", ids[4:6])
    db.execute(
        "update documents set year = 2001, published_date = '2001-05-05' where id = ?", [ids[6]]
    )
    db.execute("update documents set site = 'jx-nync' where id = ?", [ids[7]])
    db.execute("update interpretations set site = 'jx-sthjt' where id in"
               " (select id from interpretations order by id limit 3)")  # fmt: skip
    gen = Generator()
    for i in range(DOCS):  # the generator in order, so its numbers go on
        gen.document(i)
    new = [gen.document(i) for i in range(DOCS, DOCS + 30)]
    db["documents"].insert_all(new)
    db.conn.commit()
    db.close()
    conn = sqlite3.connect(path)
    assert not read.fresh(conn)  # rows added since the counts: the site counts live
    conn.close()
    get, loop = _client(path)
    try:
        data = get("/normdocs/documents.json?_facet_size=max").json()
        assert data["filtered_table_rows_count"] == DOCS + 30
        shown = {v["value"]: v["count"] for v in data["facet_results"]["kind"]["results"]}
        conn = sqlite3.connect(path)
        assert shown == dict(conn.execute("select kind, count(*) from documents group by kind"))
        conn.close()
    finally:
        loop.close()
    build(str(path), AS_OF)
    checkpoint(path)
    get, loop = _client(path)
    try:
        assert assert_counts_hold(path, get) > 40
    finally:
        loop.close()


def test_a_crawl_after_the_build_makes_the_site_count_live(library, tmp_path):
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    assert read.fresh(conn)
    conn.execute("insert into crawl_runs (started_at) values ('9999-01-01T00:00:00+00:00')")
    conn.commit()
    assert not read.fresh(conn)
    conn.close()


@pytest.mark.integration
def test_the_counts_of_the_built_mirror_hold(crawled_db, tmp_path):
    path = built_copy(crawled_db, tmp_path / "normdocs.db")
    get, loop = _client(path)
    try:
        assert assert_counts_hold(path, get) > 20
        conn = sqlite3.connect(path)
        counted, live = pages.Reader(conn, True), pages.Reader(conn, False)
        assert pages._home(counted) == pages._home(live)
        for (name,) in conn.execute("select distinct department from document_departments"):
            assert pages._department(counted, name) == pages._department(live, name), name
        conn.close()
    finally:
        loop.close()
