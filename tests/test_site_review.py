"""Inputs found by reviewing the site's own answers to the table views (corpus/site/table_search.py,
facets.py, xlsx.py) against Datasette 0.65.5's: each test is a case where they differed.

The yardstick is what Datasette or SQLite itself gives for the same input on the same file.
"""

from __future__ import annotations

import asyncio
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.cli import cli
from sitekit import served, synthetic_library
from test_table_search import _ties

from corpus.site.serve import datasette_args, make_datasette

DOCS = 200


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return synthetic_library(tmp_path_factory.mktemp("site_review") / "normdocs.db", DOCS, _ties)


@pytest.fixture(scope="module")
def site(library):
    with served(library) as get:
        yield get


def _sqlite_rows(library: Path, sql: str) -> list[list]:
    conn = sqlite3.connect(f"file:{library}?immutable=1", uri=True)
    try:
        return [list(row) for row in conn.execute(sql)]
    finally:
        conn.close()


@pytest.mark.parametrize(
    "sql",
    [
        # a subquery without the table's key: `order by kind, id` has no such column
        "select * from (select title, kind from documents where 1) order by kind limit 5",
        # a compound select: every ORDER BY term must be a result column
        "select title, published_date from documents where 1 union all"
        " select title, published_date from interpretations where 1"
        " order by published_date limit 5",
        # the shape of a table view's first page, but the reader's own query: run as written
        "select id, kind from documents where kind = 'normative' order by kind limit 5",
    ],
)
def test_a_query_shaped_like_a_first_page_runs_as_written(library, site, sql):
    """Only a table view's own first page is ordered as its later pages: SQL a reader or a
    canned query wrote that merely ends like one (``… order by x limit 5``) is SQLite's."""
    response = site("/normdocs.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "arrays"}))
    assert response.status_code == 200, response.text[:300]
    assert response.json()["rows"] == _sqlite_rows(library, sql)


def test_a_table_view_leaves_nothing_behind_for_the_next_request(library, site):
    """`datasette --get` answers a request outside a task of its own: the table view it answered
    must not make the next request (an SQL page of the same table, in this process) look like
    that view's first page (corpus.site.table_search.per_request)."""
    result = CliRunner().invoke(
        cli, [*datasette_args(library), "--get", "/normdocs/documents.json?_sort=kind"]
    )
    assert result.exit_code == 0, result.output[:300]
    sql = "select * from (select title, kind from documents where 1) order by kind limit 5"
    response = site("/normdocs.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "arrays"}))
    assert response.status_code == 200, response.text[:300]
    assert response.json()["rows"] == _sqlite_rows(library, sql)


def test_many_searches_at_once_each_count_their_own_matches(library):
    """Each windowed search's row count and facets are its own however many are answered at
    once: 300 requests in flight (more than the searches a process once kept by token) used to
    get, for some, the count and facets of their window's few rows."""
    ds = make_datasette(library)
    url = "/normdocs/documents.json?" + urllib.parse.urlencode({"_search": "管理", "_size": "2"})

    async def ask():
        oracle = (
            await ds.client.get(url + "&_fts_table=documents_fts&_fts_pk=search_rowid")
        ).json()
        answers = await asyncio.gather(*[ds.client.get(url) for _ in range(300)])
        return oracle, [a.json() for a in answers]

    oracle, answers = asyncio.run(ask())
    assert "nd_lo" in answers[0]["query"]["sql"]  # the window was used
    assert oracle["filtered_table_rows_count"] > 3
    kinds = {(v["value"], v["count"]) for v in oracle["facet_results"]["kind"]["results"]}
    for data in answers:
        assert data["filtered_table_rows_count"] == oracle["filtered_table_rows_count"]
        assert {(v["value"], v["count"]) for v in data["facet_results"]["kind"]["results"]} == kinds


ORACLE = {"_fts_table": "documents_fts", "_fts_pk": "search_rowid"}


@pytest.mark.parametrize("q", ["管理 OR 安全", "管理 NOT 安全"])
def test_a_raw_search_is_passed_to_the_index_as_datasette_passes_it(site, q):
    """``?_searchmode=raw``: the words are the index's query syntax (``OR``, ``NOT``), as in
    Datasette's own search — not escaped into words to find (``OR`` as a word: no rows)."""
    args = {"_search": q, "_searchmode": "raw", "_size": "5"}
    ours = site("/normdocs/documents.json?" + urllib.parse.urlencode(args)).json()
    theirs = site("/normdocs/documents.json?" + urllib.parse.urlencode({**args, **ORACLE})).json()
    assert ours["filtered_table_rows_count"] == theirs["filtered_table_rows_count"]
    assert ours["rows"] == theirs["rows"]
    for facet in ("kind", "status"):
        got = [(v["value"], v["count"]) for v in ours["facet_results"][facet]["results"]]
        assert got == [(v["value"], v["count"]) for v in theirs["facet_results"][facet]["results"]]
    escaped = {**args, "_searchmode": "escaped"}
    default = site("/normdocs/documents.json?" + urllib.parse.urlencode({**escaped, **ORACLE}))
    assert default.json()["filtered_table_rows_count"] != theirs["filtered_table_rows_count"]
