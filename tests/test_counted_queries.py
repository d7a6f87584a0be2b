"""The canned queries that read the build's counts while they hold (``interpretation_rate``,
``current_catalogue``) give the rows the live SQL gives: both branches run on one file and
compared, through the real Datasette too; the site takes the counts' branch only while they hold
(shown by changing the stored counts alone), the rows' branch after a change that makes them
stale; ``nd_counts_hold()`` follows the file and is asked once per statement, not per row.

The library is bench/search_corpus.py's synthetic one built by ``corpus.build.build`` (as in
tests/test_facet_counts.py); the crawled mirror, built the same way, in the slow lane.
"""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import sqlite3
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
from sitekit import built_copy, synthetic_library

from corpus.counts import read
from corpus.links.rates import RATE_SQL
from corpus.site.queries import COUNTED_CATALOGUE_SQL, canned_queries_for_library
from corpus.site.serve import make_datasette
from corpus.validity.queries import CATALOGUE_SQL

AS_OF = date(2026, 11, 27)
STALE = "insert into crawl_runs (started_at) values ('9999-01-01T00:00:00+00:00')"


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return synthetic_library(tmp_path_factory.mktemp("counted") / "normdocs.db", 400)


def _rows(path: Path, sql: str, params: dict, hold: int | None) -> list[tuple]:
    """The rows of ``sql`` with ``nd_counts_hold()`` forced to ``hold``, or the real one (None)."""
    conn = sqlite3.connect(path)
    try:
        if hold is None:
            read.register_counts_hold(conn, immutable=False)
        else:
            conn.create_function(read.COUNTS_HOLD, 0, lambda: hold, deterministic=True)
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _site_rows(path: Path, query: str, params: dict) -> list[tuple]:
    """The query's rows through Datasette (``_shape=array``), as tuples in column order."""
    ds = make_datasette(path)
    args = urllib.parse.urlencode({**params, "_shape": "array"})
    loop = asyncio.new_event_loop()
    try:
        response = loop.run_until_complete(ds.client.get(f"/normdocs/{query}.json?{args}"))
    finally:
        loop.close()
    assert response.status_code == 200, response.text[:500]
    return [tuple(row.values()) for row in response.json()]


def _cases(path: Path) -> list[tuple[str, str, dict]]:
    """Every department (and a part of a name, a year, no filter) for both queries."""
    conn = sqlite3.connect(path)
    departments = [
        r[0] for r in conn.execute("select distinct department from document_departments")
    ]
    year = conn.execute(
        "select year from documents group by year order by count(*) desc"
    ).fetchone()
    conn.close()
    assert len(departments) > 10
    rate = [{"department": "", "year": ""}, {"department": "省", "year": str(year[0])}]
    rate += [{"department": d, "year": ""} for d in departments]
    catalogue = [{"department": ""}] + [{"department": d} for d in departments]
    return [("interpretation_rate", RATE_SQL, p) for p in rate] + [
        ("current_catalogue", COUNTED_CATALOGUE_SQL, p) for p in catalogue
    ]


def _assert_both_branches_agree(path: Path) -> int:
    """Each case's rows: from the counts = from the rows = through the site; returns how many
    cases had rows."""
    with_rows = 0
    for name, sql, params in _cases(path):
        counted = _rows(path, sql, params, 1)
        live = _rows(path, sql, params, 0)
        assert counted == live, (name, params)
        if name == "current_catalogue":  # the validity's own query, unchanged
            assert live == _rows(path, CATALOGUE_SQL, params, None), params
        with_rows += bool(live)
    for name, _, params in _cases(path)[:3] + _cases(path)[-3:]:
        assert _site_rows(path, name, params) == _rows(path, *_query(name, params), 0)
    return with_rows


def _query(name: str, params: dict) -> tuple[str, dict]:
    return canned_queries_for_library()[name]["sql"], params


def test_the_counted_queries_are_the_sites_canned_queries():
    queries = canned_queries_for_library()
    assert queries["interpretation_rate"]["sql"] == RATE_SQL
    assert queries["current_catalogue"]["sql"] == COUNTED_CATALOGUE_SQL
    assert queries["current_catalogue"]["title"] == "现行有效目录"


def test_both_branches_give_the_same_rows(library):
    assert _assert_both_branches_agree(library) > 20


def test_the_site_reads_the_counts_only_while_they_hold(library, tmp_path):
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    department, year = conn.execute(
        "select department, year from department_rates order by documents desc"
    ).fetchone()
    first = conn.execute(
        "select department, document_id from department_catalogue where seq = 1"
        " order by department limit 1"
    ).fetchone()
    conn.execute(  # the stored counts alone: the rows still say otherwise
        "update department_rates set documents = documents + 1000"
        " where department = ? and year is ?",
        [department, year],
    )
    conn.execute("delete from department_catalogue where department = ? and seq = 1", [first[0]])
    conn.commit()
    assert read.fresh(conn)
    conn.close()
    rate = {"department": department, "year": "" if year is None else str(year)}
    shown = _site_rows(path, "interpretation_rate", rate)
    assert shown[0][2] == _rows(path, RATE_SQL, rate, 0)[0][2] + 1000
    ids = [r[11] for r in _site_rows(path, "current_catalogue", {"department": first[0]})]
    assert first[1] not in ids  # the build's numbering, as stored

    conn = sqlite3.connect(path)
    conn.execute(STALE)
    conn.commit()
    conn.close()
    assert _site_rows(path, "interpretation_rate", rate) == _rows(path, RATE_SQL, rate, 0)
    ids = [r[11] for r in _site_rows(path, "current_catalogue", {"department": first[0]})]
    assert ids[0] == first[1]


def test_after_a_change_that_makes_the_counts_stale_the_rows_are_read(library, tmp_path):
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    before = _rows(path, RATE_SQL, {"department": "", "year": ""}, 1)
    conn.execute(
        "update documents set interpretation_count = 0 where id in"
        " (select id from documents where interpretation_count > 0 order by id limit 20)"
    )
    conn.execute(
        "update documents set status = '现行有效', kind = 'rule' where id in"
        " (select id from documents where status <> '现行有效' order by id limit 20)"
    )
    conn.execute(STALE)
    conn.commit()
    assert not read.fresh(conn)
    conn.close()
    everything = {"department": "", "year": ""}
    assert _rows(path, RATE_SQL, everything, 1) == before  # the stored rows, no longer the rows'
    assert _rows(path, RATE_SQL, everything, None) != before
    assert _site_rows(path, "interpretation_rate", everything) != before
    for name, sql, params in _cases(path):
        live = _rows(path, sql, params, 0)
        assert _rows(path, sql, params, None) == live, (name, params)
    for name, _, params in _cases(path)[:2] + _cases(path)[-2:]:
        assert _site_rows(path, name, params) == _rows(path, *_query(name, params), 0)


def test_the_function_follows_the_file_and_is_asked_once_per_statement(library, tmp_path):
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(path)
    hold = read.counts_hold(str(path))
    asked = []

    def counting() -> int:
        asked.append(1)
        return hold()

    conn.create_function(read.COUNTS_HOLD, 0, counting, deterministic=True)
    assert conn.execute("select nd_counts_hold()").fetchone() == (1,)
    asked.clear()
    rows = conn.execute(RATE_SQL, {"department": "", "year": ""}).fetchall()
    assert len(rows) > 50
    assert 1 <= len(asked) <= 2  # once for each branch's WHERE, never per row
    other = sqlite3.connect(path)
    other.execute(STALE)
    other.commit()
    other.close()
    assert conn.execute("select nd_counts_hold()").fetchone() == (0,)  # another connection wrote
    conn.execute("delete from crawl_runs where started_at like '9999%'")
    conn.commit()
    assert conn.execute("select nd_counts_hold()").fetchone() == (1,)  # and this one
    conn.close()


def test_an_immutable_file_is_asked_once_and_a_connection_is_not_kept_alive(library, tmp_path):
    path = tmp_path / "normdocs.db"
    shutil.copy(library, path)
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    read.register_counts_hold(conn, immutable=True)
    assert conn.execute("select nd_counts_hold()").fetchone() == (1,)
    conn.close()
    memory = sqlite3.connect(":memory:")
    read.register_counts_hold(memory, immutable=False)
    assert memory.execute("select nd_counts_hold()").fetchone() == (0,)
    memory.close()
    # dropped without close(), a connection with the function is freed: its file closed
    opened = sqlite3.connect(path)
    read.register_counts_hold(opened, immutable=False)
    assert opened.execute("select nd_counts_hold()").fetchone() == (1,)
    assert _open_files(path)
    del opened
    gc.collect()  # the connection (a cycle with its statement cache), closing its functions'
    gc.collect()  # then the function's own connection, likewise
    assert not _open_files(path)


def _open_files(path: Path) -> list[str]:
    """This process's open files that are ``path`` (Linux: /proc/self/fd)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("no /proc/self/fd")
    names = []
    for fd in fds.iterdir():
        try:
            names.append(os.readlink(fd))
        except OSError:  # closed meanwhile
            continue
    return [n for n in names if n == str(path)]


@pytest.mark.integration
def test_both_branches_give_the_same_rows_on_the_built_mirror(crawled_db, tmp_path):
    path = built_copy(crawled_db, tmp_path / "normdocs.db")
    conn = sqlite3.connect(path)
    assert read.fresh(conn)
    conn.close()
    assert _assert_both_branches_agree(path) > 5
    conn = sqlite3.connect(path)
    conn.execute("update documents set interpretation_count = 0")
    conn.execute(STALE)
    conn.commit()
    conn.close()
    for name, sql, params in _cases(path):
        assert _rows(path, sql, params, None) == _rows(path, sql, params, 0), (name, params)
