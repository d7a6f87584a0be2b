"""Inputs found by reviewing the site's own answers to the table views (corpus/site/table_search.py,
facets.py, xlsx.py) against Datasette 0.65.5's: each test is a case where they differed.

The yardstick is what Datasette or SQLite itself gives for the same input on the same file.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from sitekit import served, synthetic_library
from test_table_search import _ties

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
