"""The build over a real crawl of the mirror, compared with the mirror's ground truth.

Validity is checked at both of the truth's as-of dates, field by field: status, the kind of the
evidence that decided it, 施行日期 and end of term (the document's own, moved by the extensions in
effect on that date by the mirror's own rule, ``mirror.validity.last_day``); the acts of other
documents (decisions, lists, 同时废止, partial-stop and extension clauses) and the relations between
documents are compared as sets; two builds in a row
must record exactly the status changes the truth has between the dates; every document's evidence
is fetched back through a real Datasette. Interpretation links are scored by precision and recall
against what each interpretation really explains. The numbers are printed (`pytest -s`) and
written to test-artifacts/build_agreement.json.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

import mirror
from corpus.build import build
from corpus.site.serve import make_datasette
from corpus.store.identity import stable_id
from mirror.catalog import url as page_url
from mirror.validity import last_day
from mirror.validity_cases import CASES, acts_of
from mirror.world import world

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
AS_OF_DATES = ["2026-11-27", "2028-12-31"]
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def truth(mirror_base_port):
    return mirror.truth(mirror_base_port)


@pytest.fixture(scope="module")
def last_days(mirror_base_port) -> dict[tuple[str, str], str | None]:
    """(url, as-of date) → the end of term the mirror's rules give: the truth's own end, moved by
    the extensions in effect on that date."""
    out = {}
    for doc in world().documents:
        acts = acts_of(doc)
        for as_of in AS_OF_DATES:
            end, _ = last_day(doc.expires, acts, date.fromisoformat(as_of))
            out[page_url(doc.ref, mirror_base_port), as_of] = end.isoformat() if end else None
    return out


@pytest.fixture(scope="module")
def report():
    data: dict = {}
    yield data
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "build_agreement.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print("\nbuild agreement with the mirror truth:", json.dumps(data, ensure_ascii=False))


@pytest.fixture(scope="module")
def built(crawled_db, tmp_path_factory):
    """The crawled library built as of each as-of date (once per module): ``built[as_of]``."""
    paths = {}
    for as_of in AS_OF_DATES:
        path = tmp_path_factory.mktemp(f"built-{as_of}") / "normdocs.db"
        shutil.copy(crawled_db, path)
        build(str(path), date.fromisoformat(as_of))
        paths[as_of] = path
    return paths


def _urls(db: sqlite_utils.Database) -> dict[int, str]:
    return dict(db.execute("select id, url from documents").fetchall())


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_every_status_agrees_with_the_truth(built, truth, last_days, report, as_of):
    assert as_of in truth["as_of_dates"]
    db = sqlite_utils.Database(built[as_of])
    stored = {
        r["id"]: r
        for r in db.query(
            "select id, status, status_basis, effective_date, expires_on from documents"
        )
    }
    winners = dict(db.execute("select document_id, kind from validity_evidence where wins = 1"))
    misses = []
    for doc in truth["documents"]:
        row = stored[stable_id(doc["url"])]
        row["won_by"] = winners.get(row["id"])
        for field, expected in (
            ("status", doc["status"][as_of]),
            ("won_by", doc["status_won_by"][as_of]),
            ("effective_date", doc["effective_date"]),
            ("expires_on", last_days[doc["url"], as_of]),
        ):
            if row[field] != expected:
                misses.append((doc["url"], field, expected, row[field], row["status_basis"]))
    compared = 4 * len(truth["documents"])
    report[f"validity@{as_of}"] = {
        "documents": len(truth["documents"]),
        "fields_compared": compared,
        "agreement": round(1 - len(misses) / compared, 4),
        "by_status": dict(Counter(d["status"][as_of] for d in truth["documents"]).most_common()),
        "by_winning_evidence": dict(
            Counter(d["status_won_by"][as_of] or "none" for d in truth["documents"]).most_common()
        ),
        "terms_moved_by_an_extension": sum(
            last_days[d["url"], as_of] != d["expires_on"] for d in truth["documents"]
        ),
    }
    assert not misses, misses[:5]
    # every status says why, in one line
    assert all(r["status_basis"] and "\n" not in r["status_basis"] for r in stored.values())
    # and is backed by stored evidence, with the winning piece flagged
    unbacked = db.execute(
        "select count(*) from documents d where status != '未知' and not exists "
        "(select 1 from validity_evidence e where e.document_id = d.id and e.wins = 1)"
    ).fetchone()[0]
    assert unbacked == 0


def test_every_case_of_the_mirror_is_present_and_agrees(built, truth, report):
    """The validity cases (mirror/validity_cases.py): each one there, each status as the truth."""
    cases = Counter(d["validity_case"] for d in truth["documents"] if d["validity_case"])
    assert set(cases) == set(CASES)
    rows = {}
    for as_of in AS_OF_DATES:
        db = sqlite_utils.Database(built[as_of])
        rows[as_of] = dict(db.execute("select id, status from documents"))
    agree = Counter()
    for doc in truth["documents"]:
        if doc["validity_case"]:
            ok = all(rows[a][stable_id(doc["url"])] == doc["status"][a] for a in AS_OF_DATES)
            agree[doc["validity_case"]] += ok
    report["cases"] = {c: f"{agree[c]}/{n}" for c, n in sorted(cases.items())}
    assert agree == cases


def test_acts_of_other_documents_are_found_exactly(built, truth, report):
    """Evidence from decisions, official lists and 同时废止 clauses, per document, as a set."""
    db = sqlite_utils.Database(built[AS_OF_DATES[0]])
    urls = _urls(db)
    expected = {
        (doc["url"], a["kind"], a["declares"] if a["date"] else "未知", a["source_url"], a["date"])
        for doc in truth["documents"]
        for a in doc["validity_acts"]
    }
    found = {
        (urls[r[0]], r[1], r[2], urls.get(r[3]), r[4])
        for r in db.execute(
            "select document_id, kind, status, source_document_id, date from validity_evidence"
            " where kind in ('decision', 'list', 'clause')"
        )
    }
    report["acts"] = {
        "expected": len(expected),
        "found": len(found),
        "agree": len(expected & found),
        "by_kind": dict(Counter(f"{k}:{s}" for _, k, s, _, _ in expected).most_common()),
    }
    assert expected == found, (sorted(expected - found)[:5], sorted(found - expected)[:5])


def test_relations_between_documents_are_found_exactly(built, truth, report):
    db = sqlite_utils.Database(built[AS_OF_DATES[0]])
    urls = _urls(db)
    expected = {
        (doc["url"], r["relation"], r["to_url"], None if r["to_url"] else r["to_doc_number"])
        for doc in truth["documents"]
        for r in doc["relations"]
    }
    found = set()
    for r in db.query("select * from relations"):
        to = urls.get(r["to_document_id"])
        found.add(
            (urls[r["from_document_id"]], r["relation"], to, None if to else r["to_doc_number"])
        )
    report["relations"] = {
        "expected": len(expected),
        "found": len(found),
        "agree": len(expected & found),
        "by_relation": dict(Counter(r for _, r, to, _ in expected if to).most_common()),
        "unmatched_kept_for_review": sum(1 for *_, to, _ in expected if to is None),
    }
    assert expected == found, (sorted(expected - found)[:5], sorted(found - expected)[:5])


def test_a_second_build_records_exactly_the_changes_between_the_dates(
    crawled_db, tmp_path, truth, report
):
    path = tmp_path / "normdocs.db"
    shutil.copy(crawled_db, path)
    first, second = AS_OF_DATES
    build(str(path), date.fromisoformat(first))
    build(str(path), date.fromisoformat(second))
    db = sqlite_utils.Database(path)
    urls = _urls(db)
    expected = {
        (d["url"], d["status"][first], d["status"][second])
        for d in truth["documents"]
        if d["status"][first] != d["status"][second]
    }
    rows = list(db.query("select * from status_history where old_status is not null"))
    found = {(urls[r["document_id"]], r["old_status"], r["new_status"]) for r in rows}
    assert all(r["as_of"] == second and r["old_as_of"] == first and r["why"] for r in rows)
    first_build = db.execute("select count(*) from status_history where old_status is null")
    assert first_build.fetchone()[0] == len(truth["documents"])
    report["status_history"] = {
        "changes_expected": len(expected),
        "changes_recorded": len(found),
        "by_change": dict(Counter(f"{a}→{b}" for _, a, b in expected).most_common()),
    }
    assert found == expected


def test_every_documents_evidence_can_be_fetched_through_the_site(built, truth, report):
    """The document page shows the evidence: each document's rows through a real Datasette."""
    path = built[AS_OF_DATES[0]]
    db = sqlite_utils.Database(path)
    stored: dict[int, list] = {}
    for r in db.query("select document_id, kind, status, wins, quote from validity_evidence"):
        stored.setdefault(r["document_id"], []).append(
            (r["kind"], r["status"], r["wins"], r["quote"])
        )
    ds = make_datasette(path)
    loop = asyncio.new_event_loop()
    try:

        def get(url: str):
            response = loop.run_until_complete(ds.client.get(url))
            assert response.status_code == 200, url
            return response

        fetched = 0
        for doc in truth["documents"]:
            doc_id = stable_id(doc["url"])
            rows = get(f"/normdocs/document_evidence.json?id={doc_id}&_shape=array").json()
            got = sorted((r["kind"], r["status"], r["wins"], r["quote"]) for r in rows)
            assert got == sorted(stored.get(doc_id, [])), doc["url"]
            winners = [r for r in rows if r["wins"]]
            assert len(winners) == (0 if doc["status"][AS_OF_DATES[0]] == "未知" and not
                                    doc["status_won_by"][AS_OF_DATES[0]] else 1)  # fmt: skip
            fetched += len(rows)
        # the row links its evidence by foreign key (both ways), and the table view lists it
        some = next(d for d in truth["documents"] if d["validity_acts"])
        some_id = stable_id(some["url"])
        extras = get(f"/normdocs/documents/{some_id}.json?_extras=foreign_key_tables").json()
        links = {(t["other_table"], t["other_column"]): t for t in extras["foreign_key_tables"]}
        assert links["validity_evidence", "document_id"]["count"] == len(stored[some_id])
        assert links["relations", "to_document_id"]["count"] >= 1
        rows = get(f"/normdocs/validity_evidence.json?document_id={some_id}&_shape=array").json()
        assert len(rows) == len(stored[some_id])
        relations = get(f"/normdocs/document_relations.json?id={some_id}&_shape=array").json()
        assert any(r["direction"] == "incoming" for r in relations)
    finally:
        loop.close()
    report["evidence_through_datasette"] = {
        "documents": len(truth["documents"]),
        "evidence_rows": fetched,
    }


def test_interpretation_links_are_precise_and_complete(built, truth, report):
    db = sqlite_utils.Database(built[AS_OF_DATES[0]])
    expected = {
        (stable_id(doc_url), stable_id(i["url"]))
        for i in truth["interpretations"]
        for doc_url in i["document_urls"]
    }
    found = {
        (r["document_id"], r["interpretation_id"])
        for r in db.query("select document_id, interpretation_id from document_interpretations")
    }
    hits = expected & found
    precision = len(hits) / len(found)
    recall = len(hits) / len(expected)
    report["links"] = {
        "expected": len(expected),
        "found": len(found),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
    }
    # deterministic data: every link and nothing else (not a rate with room to slip)
    assert sorted(found - expected) == []
    assert sorted(expected - found) == []
