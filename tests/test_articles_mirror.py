"""Articles on the mirror, against the mirror's own truth.

The mirror prints its rules and the measures its 印发 notices issue as 第一条 … 第N条 (in the
body, or in a PDF/DOCX attachment when the notice has no table: layout C); the generator records N
where it writes them (``doc.spec["articles"]``, mirror/bodies.py), so the expected counts never come
from the splitter. Every other document (notices, opinions, decisions, lists) prints none and
must get none. Checked on the truth's own texts (fast), and on a real crawl of the mirror, built
(the stored bodies and extracted attachment texts), with the agreement printed (``pytest -s``)
and written to test-artifacts/articles_mirror.json.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

import mirror
from corpus.articles.split import Attachment, split_document
from corpus.build import build
from corpus.store.identity import stable_id
from mirror.catalog import url as page_url
from mirror.world import world

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PORT = 8701


def _expected(base_port: int) -> dict[str, tuple[int, bool]]:
    """URL → (articles printed, whether in an attachment), from the generator's own record."""
    out = {}
    for doc in world().documents:
        n = doc.spec.get("articles", 0)
        attached = bool(n) and doc.spec.get("form") == "print" and doc.layout == "C"
        out[page_url(doc.ref, base_port)] = (n, attached)
    return out


def test_the_mirror_prints_articles_in_bodies_and_in_attachments():
    expected = _expected(PORT)
    assert sum(n for n, _ in expected.values()) > 3000
    assert sum(1 for n, attached in expected.values() if n and attached) > 20
    assert sum(1 for n, _ in expected.values() if not n) > 200


def test_every_article_the_mirror_prints_is_found_in_its_own_texts():
    expected = _expected(PORT)
    wrong = []
    for row in mirror.truth(PORT)["documents"]:
        atts = [Attachment(i, a["name"] or "", a["text"]) for i, a in enumerate(row["attachments"])]
        found = split_document(row["title"], row["body_text"], atts)
        n, attached = expected[row["url"]]
        values = [u.value for u in found.articles]
        if values != list(range(1, n + 1)) or (found.attachment_id is not None) != attached:
            wrong.append((row["url"], n, attached, values[:3], found.attachment_id))
    assert wrong == []


@pytest.fixture(scope="module")
def built(crawled_db, tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("articles") / "normdocs.db"
    shutil.copy(crawled_db, path)
    build(str(path), date(2026, 11, 27))
    again = build(str(path), date(2026, 11, 27))  # unchanged: nothing is split again
    return path, again


def test_the_crawled_mirror_has_every_article_it_prints(built, mirror_base_port):
    path, again = built
    assert again["articles"]["documents_split"] == 0
    crawled = {d["url"] for d in mirror.truth(mirror_base_port)["documents"]}  # the default sites
    expected = {u: v for u, v in _expected(mirror_base_port).items() if u in crawled}
    db = sqlite_utils.Database(path)
    rows = {
        r["id"]: r
        for r in db.query(
            """select d.id, d.url, d.article_count,
                 (select group_concat(a.value, ',') from (select value from articles
                   where document_id = d.id and kind = '条' order by ordinal) a) as numbers,
                 (select max(a.attachment_id) from articles a where a.document_id = d.id) as att
               from documents d"""
        )
    }
    per_doc, wrong = [], []
    for url, (n, attached) in expected.items():
        row = rows.get(stable_id(url))
        assert row is not None, url
        found = [int(v) for v in (row["numbers"] or "").split(",") if v]
        per_doc.append({"url": url, "present": n, "found": len(found)})
        ok = found == list(range(1, n + 1)) and (row["att"] is not None) == attached
        if not ok or row["article_count"] != n:
            wrong.append((url, n, attached, found[:3], row["att"]))
    present = sum(d["present"] for d in per_doc)
    found_total = sum(d["found"] for d in per_doc)
    summary = {
        "documents": len(per_doc),
        "documents_agreeing": len(per_doc) - len(wrong),
        "articles_present": present,
        "articles_found": found_total,
        "with_articles": sum(1 for d in per_doc if d["present"]),
        "from_attachments": sum(1 for n, a in expected.values() if n and a),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "articles_mirror.json").write_text(
        json.dumps({"summary": summary, "documents": per_doc}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    print("\narticles on the mirror (found vs present):", json.dumps(summary, ensure_ascii=False))
    assert len(per_doc) == len(expected) > 600
    assert wrong == []
