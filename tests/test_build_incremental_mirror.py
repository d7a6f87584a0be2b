"""The mirror's crawl, built, then recrawled with random changes: the rebuild (which keeps only
what the changes cannot reach) equals a build from scratch of the same library, table by table.

The mirror's documents act on each other in every way the rule book knows (decisions, lists in
attachments, 同时废止 clauses, partial stops, extensions, amendments). The "recrawl" stores pages
again through ``save_document`` from their last version's record, changed at random: a title
taken from another document (new namesakes), a 文号 taken from another, other dates, a clause
repealing another document appended, a body cut short, another 有效性, pages not seen before.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from corpus.build import CACHE_SUFFIX, build, fingerprint
from corpus.search import index
from corpus.store.records import Attachment, DocumentRecord, PageLink
from corpus.store.save import save_document
from corpus.store.schema import open_db

pytestmark = pytest.mark.integration
AS_OF = date(2026, 11, 27)
_FIELDS = {f.name for f in fields(DocumentRecord)}


def as_crawled(db: sqlite_utils.Database, doc_id: int) -> DocumentRecord:
    """The document's record as the crawl last stored it (its latest version)."""
    record, body = db.execute(
        "SELECT record, body_text FROM document_versions WHERE parent_table = 'documents'"
        " AND parent_id = ? ORDER BY version DESC LIMIT 1",
        [doc_id],
    ).fetchone()
    data = {k: v for k, v in json.loads(record).items() if k in _FIELDS}
    data["attachments"] = [Attachment(**a) for a in data.get("attachments", [])]
    data["links"] = [PageLink(**link) for link in data.get("links", [])]
    return DocumentRecord(**data, body_text=body or "")


def recrawl(path: Path, seed: int, share: float = 0.08) -> list[str]:
    """Store ``share`` of the documents again, changed at random; returns what was done."""
    rng = random.Random(seed)
    db = open_db(str(path))
    rows = db.execute("SELECT id, title, doc_number FROM documents ORDER BY id").fetchall()
    done = []
    for doc_id, _, _ in rng.sample(rows, max(3, int(share * len(rows)))):
        record = as_crawled(db, doc_id)
        _, other_title, other_number = rng.choice(rows)
        change = rng.choice(["title", "number", "date", "repeal", "cut", "validity", "new"])
        if change == "title":
            record.title = other_title
        elif change == "number":
            record.doc_number = record.doc_number_raw = other_number
        elif change == "date":
            record.written_date = record.published_date = (
                f"20{rng.randint(10, 26)}-0{rng.randint(1, 9)}-15"
            )
        elif change == "repeal":
            named = f"《{other_title}》（{other_number}）" if other_number else f"《{other_title}》"
            record.body_text += f"\n本办法自2024年1月1日起施行。{named}同时废止。"
        elif change == "cut":
            record.body_text = record.body_text[: len(record.body_text) // 2]
        elif change == "validity":
            record.validity_raw = rng.choice(["有效", "失效", "已废止", "部分失效", ""])
        else:
            record.url = record.url.replace(".html", f"-copy{seed}.html")
        save_document(db, record)
        done.append(change)
    db.close()
    return done


def copy(path: Path, target: Path) -> None:
    with sqlite3.connect(path) as source, sqlite3.connect(target) as out:
        source.backup(out)
    source.close()
    out.close()


def from_scratch(path: Path, target: Path, as_of: date) -> dict:
    copy(path, target)
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE documents SET articles_hash = NULL, keywords_hash = NULL")
        conn.execute("UPDATE interpretations SET keywords_hash = NULL")
    conn.close()
    assert not Path(f"{target}{CACHE_SUFFIX}").exists()
    build(target, as_of)
    return fingerprint(sqlite_utils.Database(target))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rebuilds_after_random_recrawls_equal_builds_from_scratch(
    crawled_db, tmp_path, seed, monkeypatch
):
    monkeypatch.setattr(index, "REBUILD_SHARE", 1.0)  # update the index however much changed
    path = tmp_path / "library.db"
    copy(crawled_db, path)
    build(path, AS_OF)
    # twice: the second rebuild starts from an incremental one, and is as of a later date
    for round_, as_of in enumerate([AS_OF, date(2028, 12, 31)]):
        done = recrawl(path, seed * 10 + round_)
        scratch = from_scratch(path, tmp_path / f"scratch-{round_}.db", as_of)
        report = build(path, as_of)
        mine = fingerprint(sqlite_utils.Database(path))
        differ = sorted(k for k in scratch if scratch[k] != mine.get(k))
        assert not differ, f"after {done}: {differ}"
        work = report["work"]
        assert work["validity"]["reused"] > 0.8 * work["validity"]["documents"]
        if as_of == AS_OF:  # a new date decides every document again
            assert work["validity"]["decided"] < work["validity"]["documents"]
        assert work["validity"]["matched"] < work["validity"]["documents"]
        assert work["search_index"]["mode"] == "updated"
