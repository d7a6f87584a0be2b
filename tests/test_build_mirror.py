"""The build over a real crawl of the mirror, compared with the mirror's ground truth.

Validity is checked at both of the truth's as-of dates; interpretation links are scored by
precision and recall against what each interpretation really explains. The numbers are printed
(`pytest -s`) and written to test-artifacts/build_agreement.json.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

import mirror
from corpus.build import build
from corpus.schema import stable_id

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def truth(mirror_base_port):
    return mirror.truth(mirror_base_port)


@pytest.fixture(scope="module")
def report():
    data: dict = {}
    yield data
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "build_agreement.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print("\nbuild agreement with the mirror truth:", json.dumps(data, ensure_ascii=False))


def _built(crawled_db: Path, tmp_path: Path, as_of: str) -> sqlite_utils.Database:
    path = tmp_path / "normdocs.db"
    shutil.copy(crawled_db, path)
    build(str(path), date.fromisoformat(as_of))
    return sqlite_utils.Database(path)


@pytest.mark.parametrize("as_of", ["2026-11-27", "2028-12-31"])
def test_every_status_agrees_with_the_truth(crawled_db, tmp_path, truth, report, as_of):
    assert as_of in truth["as_of_dates"]
    db = _built(crawled_db, tmp_path, as_of)
    stored = {
        r["id"]: r
        for r in db.query(
            "select id, status, status_basis, effective_date, expires_on from documents"
        )
    }
    misses = []
    for doc in truth["documents"]:
        row = stored[stable_id(doc["url"])]
        for field, expected in (
            ("status", doc["status"][as_of]),
            ("effective_date", doc["effective_date"]),
            ("expires_on", doc["expires_on"]),
        ):
            if row[field] != expected:
                misses.append((doc["url"], field, expected, row[field], row["status_basis"]))
    compared = 3 * len(truth["documents"])
    report[f"validity@{as_of}"] = {
        "compared": compared,
        "agreement": round(1 - len(misses) / compared, 4),
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


def test_interpretation_links_are_precise_and_complete(crawled_db, tmp_path, truth, report):
    db = _built(crawled_db, tmp_path, "2026-11-27")
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
    assert precision >= 0.98, sorted(found - expected)[:5]
    assert recall >= 0.95, sorted(expected - found)[:5]
