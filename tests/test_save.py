"""Storing records: idempotent, never losing what is already stored."""

import pytest
import sqlite_utils

from corpus.store.identity import stable_id
from corpus.store.records import Attachment, DocumentRecord, InterpretationRecord, PageLink
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import ensure_db_shape


@pytest.fixture
def db():
    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    save_site(db, {"name": "jx-a", "title": "甲厅", "family": "hanweb", "columns": []})
    return db


def _doc(**changes):
    base = {
        "url": "http://a.example/art/2023/5/11/art_1_2.html?xxgkhide=1",
        "site": "jx-a",
        "kind": "normative",
        "title": "关于印发《某办法》的通知",
        "doc_number_raw": "赣农规[2023]2号",
        "doc_number": "赣农规〔2023〕2号",
        "written_date": "2023-05-11",
        "body_text": "第一条 为了…",
        "attachments": [
            Attachment(url="http://a.example/f.pdf", name="附件.pdf", ext="pdf", text="附件正文")
        ],
        "links": [
            PageLink(
                url="http://a.example/art/2023/5/12/art_3_4.html",
                text="图解",
                role="interpretation",
            )
        ],
    }
    base.update(changes)
    return DocumentRecord(**base)


def test_ids_are_stable_and_ignore_the_display_flag():
    assert stable_id("http://a/x.html?xxgkhide=1") == stable_id("http://a/x.html")
    assert 0 < stable_id("http://a/x.html") < 2**60
    assert stable_id("http://a/x.html") != stable_id("http://a/y.html")


def test_saving_twice_changes_nothing(db):
    assert save_document(db, _doc()) == "new"
    before = list(db.query("select * from documents"))
    assert save_document(db, _doc(fetched_at="2030-01-01T00:00:00+00:00")) == "unchanged"
    assert list(db.query("select * from documents")) == before
    assert db["attachments"].count == 1
    assert db["page_links"].count == 1


def test_a_changed_page_updates_crawled_columns_but_keeps_first_seen_and_derived(db):
    save_document(db, _doc())
    pk = stable_id(_doc().url)
    db["documents"].update(pk, {"status": "现行有效", "first_seen_at": "2020-01-01T00:00:00+00:00"})
    assert save_document(db, _doc(body_text="第一条 修改后")) == "changed"
    row = db["documents"].get(pk)
    assert row["body_text"] == "第一条 修改后"
    assert row["first_seen_at"] == "2020-01-01T00:00:00+00:00"
    assert row["status"] == "现行有效"
    assert db["documents"].count == 1


def test_a_failed_attachment_download_keeps_the_text_we_had(db):
    save_document(db, _doc())
    broken = Attachment(
        url="http://a.example/f.pdf", name="附件.pdf", ext="pdf", text=None, error="HTTP 500"
    )
    save_document(db, _doc(attachments=[broken]))
    (row,) = db.query("select text, error from attachments")
    assert row == {"text": "附件正文", "error": "HTTP 500"}


def test_interpretations_are_stored_with_their_links(db):
    rec = InterpretationRecord(
        url="http://a.example/art/2023/5/12/art_3_4.html",
        site="jx-a",
        title="图解：《某办法》",
        form="图解",
        links=[
            PageLink(
                url="http://a.example/art/2023/5/11/art_1_2.html",
                text="《某办法》",
                role="document",
            )
        ],
    )
    assert save_interpretation(db, rec) == "new"
    assert save_interpretation(db, rec) == "unchanged"
    (link,) = db.query("select * from page_links")
    assert link["from_table"] == "interpretations" and link["role"] == "document"


def test_attachments_already_read_are_found_by_url_through_an_index(db):
    # crawler/incremental.py looks every attachment a crawl meets up by URL: never a table scan
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT text, size FROM attachments WHERE url = ?"
        " AND text IS NOT NULL AND error IS NULL LIMIT 1",
        ["http://a.example/f.pdf"],
    ).fetchall()
    assert "USING INDEX idx_attachments_url" in " ".join(str(row[-1]) for row in plan)
