"""Search recall pinned against a LIKE ground truth on a fixed generated corpus and query set.

The corpus and the ~190 queries are the bench's (bench/search_corpus.py, the mirror's language),
at a size the normal suite can afford; bench/search.py measures the same at 10k–1M documents.
"""

import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import sqlite_utils

from corpus.search.index import build_search_index
from corpus.search.sql import register_functions, search_sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from search_corpus import like_sql, query_set, write_library  # noqa: E402

DOCS = 400
QUERIES_EXPECTED = 193  # the fixed query set over the fixed corpus
SINGLE_TERM = ("2-char", "3-char", "4-char", "5+char")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    path = tmp_path_factory.mktemp("recall") / "normdocs.db"
    write_library(path, DOCS)
    build_search_index(sqlite_utils.Database(path))
    conn = sqlite3.connect(path)
    register_functions(conn)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def results(library):
    """Per query: the LIKE truth, what the index finds, and the ranked canned query's ids."""
    to_search = dict(library.execute("SELECT id, search_rowid FROM documents"))
    ranked = search_sql(100)
    out = []
    for q in query_set(library):
        sql, params = like_sql(q)
        truth = {to_search[r[0]] for r in library.execute(sql, params)}
        hits = {
            r[0]
            for r in library.execute(
                "SELECT rowid FROM documents_fts WHERE documents_fts MATCH escape_fts(?)", [q["q"]]
            )
        }
        args = {"q": q["q"], "kind": "", "status": "", "issuer": "", "since": "", "until": ""}
        top = [r[0] for r in library.execute(ranked, args)]
        out.append(dict(q, truth=truth, hits=hits, top=[to_search[i] for i in top], ids=top))
    return out


def _by_class(results):
    classes = defaultdict(list)
    for r in results:
        classes[r["cls"]].append(r)
    return classes


def test_the_query_set_covers_every_class_with_real_matches(results):
    classes = _by_class(results)
    assert len(results) == QUERIES_EXPECTED
    assert set(classes) == {"1-char", "2-char", "3-char", "4-char", "5+char", "文号",
                            "multi-term", "exclusion", "run-together"}  # fmt: skip
    for cls, rs in classes.items():
        assert sum(len(r["truth"]) for r in rs) > 0, cls


def test_recall_is_one_in_every_class(results):
    recall = {
        cls: sum(len(r["hits"] & r["truth"]) for r in rs) / sum(len(r["truth"]) for r in rs)
        for cls, rs in _by_class(results).items()
    }
    assert recall == dict.fromkeys(recall, 1.0)


def test_single_terms_are_exact(results):
    for cls in SINGLE_TERM:
        rs = _by_class(results)[cls]
        found = sum(len(r["hits"]) for r in rs)
        precision = sum(len(r["hits"] & r["truth"]) for r in rs) / found
        assert precision == 1.0, cls
    wrong = [r["q"] for r in results if r["cls"] in SINGLE_TERM and r["hits"] != r["truth"]]
    assert wrong == []


def test_every_class_is_exact_on_this_corpus(results):
    assert [r["q"] for r in results if r["hits"] != r["truth"]] == []


def test_the_ranked_search_returns_matches_only_and_all_of_them_when_few(results):
    for r in results:
        assert set(r["top"]) <= r["truth"], r["q"]
        if len(r["truth"]) <= 100:
            assert set(r["top"]) == r["truth"], r["q"]


def test_a_doc_number_in_any_spelling_ranks_its_document_first(results):
    numbered = [r for r in results if r["cls"] == "文号"]
    assert len(numbered) == 32
    assert [r["q"] for r in numbered if r["ids"][:1] != [r["owner"]]] == []
