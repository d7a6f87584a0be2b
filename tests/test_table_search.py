"""The table search (``documents?_search=``) read through a window of the index
(corpus/site/table_search.py) gives what Datasette's own search gives: the same rows page after
page, the same row count, the same facets.

The yardstick is Datasette's own search of the same words on the same file, asked with
``_fts_table=`` (the site then leaves the search to Datasette: its clause, its count, facets by
SQL). Many documents share a date here, so a page often ends inside one date's rows.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.cli import cli
from sitekit import served, synthetic_library

from corpus.counts import FACETS
from corpus.site import table_search
from corpus.site.serve import datasette_args

DOCS = 600
ORACLE = {"_fts_table": "documents_fts", "_fts_pk": "search_rowid"}


def _ties(path: Path) -> None:
    """A third of the documents on five dates, a few without one."""
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("select id from documents order by id")]
    days = ["2024-05-06", "2023-01-01", "2021-09-30", "2020-03-03", "2018-12-12"]
    conn.executemany(
        "update documents set published_date = ? where id = ?",
        [(days[i % len(days)], pk) for i, pk in enumerate(ids[::3])],
    )
    conn.executemany(
        "update documents set published_date = null where id = ?", [(pk,) for pk in ids[1:40:7]]
    )
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return synthetic_library(tmp_path_factory.mktemp("table_search") / "normdocs.db", DOCS, _ties)


@pytest.fixture(scope="module")
def site(library):
    with served(library) as read:

        def get(url: str):
            response = read(url)
            assert response.status_code == 200, (url, response.text[:500])
            return response

        yield get


def _url(args: dict) -> str:
    return "/normdocs/documents.json?" + urllib.parse.urlencode(args, doseq=True)


def walk(get, args: dict) -> tuple[list[list[tuple]], dict]:
    """Every page of a table search as (id, published_date) rows, and its first page's JSON."""
    pages, first = [], None
    url = _url({**args, "_shape": "objects"})
    while url:
        data = get(url).json()
        first = first or data
        pages.append([(r["id"], r["published_date"]) for r in data["rows"]])
        url = data.get("next_url")
        if url:
            url = url[url.index("/normdocs/") :]
    return pages, first


SEARCHES = [
    ("生态环境", {}),
    ("管理", {}),
    ("管理", {"kind": "normative"}),
    ("养老保险", {"status": "未知"}),
    ("安全", {"kind": "normative", "year": "2019"}),
    ("不存在的词语组合", {}),
]


@pytest.mark.parametrize("size", ["7", "50"])
@pytest.mark.parametrize(("q", "filters"), SEARCHES)
def test_the_windowed_search_pages_count_and_facets_are_datasettes(
    site, q, filters, size, monkeypatch
):
    monkeypatch.setattr(table_search, "FEW_ROWS", 0)  # the window even for a filter to few rows
    args = {"_search": q, **filters, "_size": size}
    ours, data = walk(site, args)
    theirs, oracle = walk(site, {**args, **ORACLE})
    rows = [r for page in ours for r in page]
    expected = [r for page in theirs for r in page]
    assert sorted(rows, key=repr) == sorted(expected, key=repr)  # every row once, none more
    assert len(rows) == len({pk for pk, _ in rows})
    assert [len(p) for p in ours] == [len(p) for p in theirs]
    # newest first, across page ends too; rows without a date last
    dates = [d or "" for _, d in rows]
    assert dates == sorted(dates, reverse=True)
    # each page holds the rows of the dates it spans that the pages before did not show
    for page_ours, page_theirs in zip(ours, theirs, strict=True):
        assert {d for _, d in page_ours} == {d for _, d in page_theirs}
    assert data["filtered_table_rows_count"] == oracle["filtered_table_rows_count"] == len(rows)
    for facet in FACETS["documents"]:
        got = [(v["value"], v["count"]) for v in data["facet_results"][facet]["results"]]
        want = [(v["value"], v["count"]) for v in oracle["facet_results"][facet]["results"]]
        assert sorted(got, key=repr) == sorted(want, key=repr), facet
    if rows:  # the window was read, not the whole search
        assert "rowid between :nd_lo and :nd_hi" in data["query"]["sql"]
    assert "nd_lo" not in oracle["query"]["sql"]


def test_the_window_stops_reading_the_index_early(library, site):
    """The first page of a common word is found among its newest matches."""
    q = "管理"
    data = site(_url({"_search": q, "_size": "5"})).json()
    lo, hi = data["query"]["params"]["nd_lo"], data["query"]["params"]["nd_hi"]
    conn = sqlite3.connect(library)
    (top,) = conn.execute("select max(search_rowid) from documents").fetchone()
    conn.close()
    assert hi > top  # the first page: no upper bound
    assert data["filtered_table_rows_count"] > 50
    assert lo > 0  # … and not down to the first rowid
    assert len(data["rows"]) == 5


@pytest.mark.parametrize(
    "args",
    [
        {"_sort": "title"},  # another order
        {"year__gte": "2015"},  # a filter the map does not count
        {"_facet": "kind"},  # Datasette's own facet counts the rows of its SQL
        {"_where": "1"},
    ],
)
def test_other_views_of_a_search_are_datasettes_own(site, args):
    data = site(_url({"_search": "管理", **args})).json()
    assert "nd_lo" not in data["query"]["sql"]
    oracle = site(_url({"_search": "管理", **args, **ORACLE})).json()
    assert data["filtered_table_rows_count"] == oracle["filtered_table_rows_count"]


def test_csv_and_its_stream_have_every_row(site):
    """A CSV (one page or the whole stream) pages through rows: never windowed."""
    q = urllib.parse.quote("管理")
    count = site(_url({"_search": "管理"})).json()["filtered_table_rows_count"]
    for size in ("max", "7"):
        text = site(f"/normdocs/documents.csv?_search={q}&_stream=on&_size={size}").text
        ids = [row["id"] for row in csv.DictReader(io.StringIO(text))]
        assert len(ids) == len(set(ids)) == count, size


def test_the_html_page_says_how_many_rows_match(site):
    count = site(_url({"_search": "管理"})).json()["filtered_table_rows_count"]
    html = site(f"/normdocs/documents?_search={urllib.parse.quote('管理')}").text
    assert f"共 {count:,} 条" in html
    assert 'name="_search"' in html  # the table's search box


def test_a_first_page_is_ordered_as_the_later_pages():
    sql = "select a from documents where x = :p0 order by published_date desc limit 51"
    assert table_search.tie_broken(sql, "id") == (
        "select a from documents where x = :p0 order by published_date desc, id limit 51"
    )
    assert table_search.tie_broken("select a from t order by id limit 11", "id").endswith(
        "order by id limit 11"
    )
    later = "select a from t where (b < :p1 or (b = :p1 and id > :p2)) order by b, id limit 5"
    assert table_search.tie_broken(later, "id") == later
    assert table_search.tie_broken("select a from t limit 5", "id") == "select a from t limit 5"


@pytest.mark.parametrize("sort", ["_sort=kind", "_sort_desc=status", "_sort=year"])
def test_every_row_once_across_the_pages_of_any_sort(site, sort):
    """Sorted by a column with few values (most rows tie), each page follows the last."""
    key, value = sort.split("=")
    pages, data = walk(site, {key: value, "_size": "40", "kind": "normative"})
    ids = [pk for page in pages for pk, _ in page]
    assert len(ids) == len(set(ids)) == data["filtered_table_rows_count"]


def test_the_datasette_command_line_serves_the_same_pages(library, site):
    """`datasette serve` with the site's arguments (``datasette_args``) publishes the library as
    ``make_datasette`` does (the plugin's startup): a sorted walk and a windowed search give the
    same pages, page for page."""

    def cli_get(url: str):
        result = CliRunner().invoke(cli, [*datasette_args(library), "--get", url])
        assert result.exit_code == 0, (url, result.output[:500])
        return _Answer(result.output)

    for args in ({"_sort": "kind", "_size": "40", "kind": "normative"}, {"_search": "生态环境"}):
        via_cli, first = walk(cli_get, args)
        assert via_cli == walk(site, args)[0]
        assert len({pk for page in via_cli for pk, _ in page}) == first["filtered_table_rows_count"]


class _Answer:
    """What ``--get`` printed, read as a response."""

    def __init__(self, text: str) -> None:
        self.text = text

    def json(self):
        return json.loads(self.text)
