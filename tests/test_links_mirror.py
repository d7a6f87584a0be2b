"""Interpretation links over a real crawl of the mirror, scored against its truth case by case.

The mirror carries every hard case of the linker (mirror/interpretations.py: national twins,
two versions of one title, 文号 only, one interpretation of two documents, other sites, posted
late, quotes in passing). Precision and recall are measured over all (document, interpretation)
pairs, per method and per case, and every miss is listed with its case and the interpretation's
review note; all of it goes to test-artifacts/links_agreement.json (and stdout with ``-s``).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

import mirror
from corpus.build import build
from corpus.links.linker import CONFIDENCE, EXPLICIT, link_interpretations
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord, InterpretationRecord, PageLink
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import ensure_db_shape
from mirror import groundtruth
from mirror.catalog import site_by_name
from mirror.interpretations import link_cases
from mirror.world import build_world, world

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.integration

HARD_CASES = {
    "decoy_national", "decoy_twin_measure", "decoy_twin_notice", "old_version", "new_version",
    "pair_quoted", "passing_in_lead", "number_only", "cross_quoted", "cross_doc_link", "posted_late",
}  # fmt: skip


@pytest.fixture(scope="module")
def truth(mirror_base_port):
    return mirror.truth(mirror_base_port)


@pytest.fixture(scope="module")
def cases(mirror_base_port) -> dict[int, str]:
    return {stable_id(u): c for u, c in link_cases(world(), mirror_base_port).items()}


@pytest.fixture(scope="module")
def built(crawled_db, tmp_path_factory) -> sqlite_utils.Database:
    path = tmp_path_factory.mktemp("links") / "normdocs.db"
    shutil.copy(crawled_db, path)
    build(str(path), date(2026, 11, 27))
    return sqlite_utils.Database(path)


@pytest.fixture(scope="module")
def expected(truth) -> set[tuple[int, int]]:
    return {
        (stable_id(d), stable_id(i["url"]))
        for i in truth["interpretations"]
        for d in i["document_urls"]
    }


@pytest.fixture(scope="module")
def found(built) -> dict[tuple[int, int], dict]:
    return {
        (r["document_id"], r["interpretation_id"]): r
        for r in built.query("select * from document_interpretations")
    }


@pytest.fixture(scope="module")
def score(built, truth, cases, expected, found) -> dict:
    """Precision, recall, per method and per case, and every miss explained; written out."""
    hits = expected & set(found)
    by_method = defaultdict(Counter)
    for pair, row in found.items():
        by_method[row["method"]]["found"] += 1
        by_method[row["method"]]["correct"] += pair in hits
    by_case = defaultdict(Counter)
    for interp in truth["interpretations"]:
        i = stable_id(interp["url"])
        want = {(stable_id(d), i) for d in interp["document_urls"]}
        got = {p for p in found if p[1] == i}
        c = by_case[cases[i]]
        c["interpretations"] += 1
        c["expected"] += len(want)
        c["found"] += len(got)
        c["correct"] += len(want & got)
    titles = dict(built.execute("select id, title from documents").fetchall())
    interps = {r["id"]: r for r in built.query("select id, title, link_note from interpretations")}
    misses = [
        {
            "kind": "false link" if pair in found else "missed link",
            "case": cases[pair[1]],
            "interpretation": interps[pair[1]]["title"],
            "document": titles.get(pair[0]),
            "method": found[pair]["method"] if pair in found else None,
            "evidence": found[pair]["evidence"] if pair in found else None,
            "note": interps[pair[1]]["link_note"],
        }
        for pair in sorted((set(found) - expected) | (expected - set(found)))
    ]
    result = {
        "expected": len(expected),
        "found": len(found),
        "correct": len(hits),
        "precision": round(len(hits) / len(found), 4),
        "recall": round(len(hits) / len(expected), 4),
        "by_method": {m: dict(c) for m, c in sorted(by_method.items())},
        "by_case": {k: dict(c) for k, c in sorted(by_case.items())},
        "misses": misses,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "links_agreement.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print("\nlinks against the mirror truth:", json.dumps(result, ensure_ascii=False))
    return result


def test_links_are_precise_and_complete(score):
    assert (score["precision"], score["recall"]) == (1.0, 1.0), score["misses"]


def test_the_mirror_holds_every_hard_case(cases):
    counts = Counter(cases.values())
    assert set(counts) >= HARD_CASES, HARD_CASES - set(counts)
    assert counts["decoy_twin_measure"] == counts["decoy_twin_notice"] == 3  # one per site


@pytest.mark.parametrize("case", sorted(HARD_CASES))
def test_every_hard_case_is_linked_exactly(score, case):
    c = score["by_case"][case]
    assert c["correct"] == c["expected"] == c["found"], [
        m for m in score["misses"] if m["case"] == case
    ]


def test_national_decoys_link_to_nothing_and_say_why(built, cases):
    decoys = [i for i, c in cases.items() if c.startswith("decoy")]
    rows = {
        r["id"]: r for r in built.query("select id, document_count, link_note from interpretations")
    }
    for i in decoys:
        assert rows[i]["document_count"] == 0
        assert "库中无此文件" in rows[i]["link_note"] or "发文机关不符" in rows[i]["link_note"]
    twin_notes = [rows[i]["link_note"] for i, c in cases.items() if c == "decoy_twin_notice"]
    assert all("发文机关不符" in n for n in twin_notes), twin_notes


def test_every_link_says_how_it_was_found(found):
    for row in found.values():
        assert row["method"] in CONFIDENCE
        assert 0 < row["confidence"] <= CONFIDENCE[row["method"]]
        assert row["evidence"]
        assert row["synchronous"] == (1 if row["days_after"] <= 0 else 0)


def test_every_explicit_link_of_the_truth_is_found_as_explicit(truth, found):
    for interp in truth["interpretations"]:
        for url in interp["linked_document_urls"]:
            row = found[(stable_id(url), stable_id(interp["url"]))]
            assert row["method"] in EXPLICIT and row["confidence"] == 1.0


def test_counts_on_both_tables_follow_the_links(built, found):
    per_doc = Counter(d for d, _ in found)
    per_interp = Counter(i for _, i in found)
    for r in built.query("select id, interpretation_count from documents"):
        assert r["interpretation_count"] == per_doc[r["id"]]
    for r in built.query("select id, document_count, link_note from interpretations"):
        assert r["document_count"] == per_interp[r["id"]]
        assert (r["link_note"] is None) == (r["document_count"] > 0)


def test_forms_are_recorded_as_the_truth_says(built, truth):
    forms = dict(built.execute("select url, form from interpretations").fetchall())
    assert {i["url"]: i["form"] for i in truth["interpretations"]} == forms
    assert set(forms.values()) == {"文字解读", "图解", "视频", "答记者问", "专家解读", "起草说明"}


def test_same_day_and_later_interpretations_are_both_there(found, cases):
    synchronous = Counter(row["synchronous"] for row in found.values())
    assert synchronous[1] > 0 and synchronous[0] > 0
    late = [row for (d, i), row in found.items() if cases[i] == "posted_late"]
    assert late and all(row["days_after"] < 0 and row["synchronous"] == 1 for row in late)


# ---------------------------------------------------------------- worlds the linker was not tuned on


def _library_from_truth(truth: dict) -> sqlite_utils.Database:
    """What a perfect crawl of ``truth`` would store (no crawl: many worlds, in milliseconds)."""
    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    for s in truth["sites"]:
        # As the sites file says (mirror sites of other provinces carry theirs; Jiangxi's default).
        province = getattr(site_by_name(s["name"]), "province", "江西省")
        save_site(db, {**s, "province": province, "columns": []})
    for d in truth["documents"]:
        links = [PageLink(u, "解读", "interpretation") for u in d["interpretation_urls"]]
        fields = ("url", "site", "kind", "title", "doc_number", "issuer", "written_date",
                  "published_date", "body_text")  # fmt: skip
        save_document(db, DocumentRecord(**{k: d[k] for k in fields}, links=links))
    for i in truth["interpretations"]:
        links = [PageLink(u, "原文链接", "document") for u in i["linked_document_urls"]]
        fields = ("url", "site", "title", "published_date", "body_text", "form")
        save_interpretation(db, InterpretationRecord(**{k: i[k] for k in fields}, links=links))
    return db


@pytest.mark.parametrize("seed", [1, 2, 4, 11])
def test_links_hold_on_worlds_of_other_seeds(seed):
    # Seed 2 caught a namesake chosen by attribution although issued later, seed 4 a 文号 inside
    # a quoted basis (both now in test_links.py).
    truth = groundtruth.truth(8701, build_world(seed))
    db = _library_from_truth(truth)
    link_interpretations(db)
    expected = {
        (stable_id(d), stable_id(i["url"]))
        for i in truth["interpretations"]
        for d in i["document_urls"]
    }
    found = set(db.execute("select document_id, interpretation_id from document_interpretations"))
    assert sorted(found - expected) == []
    assert sorted(expected - found) == []
