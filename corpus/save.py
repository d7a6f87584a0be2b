"""Storing crawled records: idempotent upserts that never lose what is already stored.

A record whose content hash equals the stored one writes nothing (crawling twice changes nothing);
a changed record updates the crawled columns only, leaving build-derived columns to the next
build; an attachment whose download failed this time keeps the text extracted last time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime

import sqlite_utils

from corpus.records import Attachment, CrawlError, DocumentRecord, InterpretationRecord
from corpus.schema import canonical_url, stable_id

_NOT_HASHED = {"fetched_at"}


def utcnow() -> str:
    """The current UTC time as an ISO string with seconds, used for every timestamp we write."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def content_hash(record: DocumentRecord | InterpretationRecord) -> str:
    """A hash of everything the page said (not when we fetched it)."""
    data = {k: v for k, v in asdict(record).items() if k not in _NOT_HASHED}
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _year(record: DocumentRecord) -> int | None:
    for d in (record.written_date, record.published_date):
        if d:
            return int(d[:4])
    return None


def save_document(db: sqlite_utils.Database, record: DocumentRecord) -> str:
    """Store a document; returns ``new``, ``changed`` or ``unchanged``."""
    row = {
        "url": canonical_url(record.url),
        "site": record.site,
        "column_url": record.column_url,
        "kind": record.kind,
        "title": record.title,
        "doc_number": record.doc_number,
        "doc_number_raw": record.doc_number_raw,
        "issuer": record.issuer,
        "written_date": record.written_date,
        "written_date_raw": record.written_date_raw,
        "published_date": record.published_date,
        "published_date_raw": record.published_date_raw,
        "year": _year(record),
        "validity_raw": record.validity_raw,
        "index_no": record.index_no,
        "subject": record.subject,
        "unified_no": record.unified_no,
        "body_text": record.body_text,
        "meta": json.dumps(record.meta, ensure_ascii=False, sort_keys=True),
    }
    return _save(db, "documents", record, row)


def save_interpretation(db: sqlite_utils.Database, record: InterpretationRecord) -> str:
    """Store an interpretation; returns ``new``, ``changed`` or ``unchanged``."""
    row = {
        "url": canonical_url(record.url),
        "site": record.site,
        "column_url": record.column_url,
        "title": record.title,
        "published_date": record.published_date,
        "published_date_raw": record.published_date_raw,
        "source": record.source,
        "form": record.form,
        "body_text": record.body_text,
        "meta": json.dumps(record.meta, ensure_ascii=False, sort_keys=True),
    }
    return _save(db, "interpretations", record, row)


def _save(
    db: sqlite_utils.Database,
    table: str,
    record: DocumentRecord | InterpretationRecord,
    row: dict,
) -> str:
    pk = stable_id(record.url)
    digest = content_hash(record)
    existing = db.execute(f"SELECT content_hash FROM {table} WHERE id = ?", [pk]).fetchone()
    if existing and existing[0] == digest:
        return "unchanged"
    now = utcnow()
    row = {"id": pk, **row, "content_hash": digest, "fetched_at": record.fetched_at or now}
    with db.conn:
        if existing:
            db[table].update(pk, row)
        else:
            db[table].insert({**row, "first_seen_at": now})
        _save_attachments(db, table, pk, record.url, record.attachments)
        db.execute("DELETE FROM page_links WHERE from_id = ? AND from_table = ?", [pk, table])
        for link in record.links:
            db["page_links"].upsert(
                {
                    "from_id": pk,
                    "from_table": table,
                    "to_url": canonical_url(link.url),
                    "text": link.text,
                    "role": link.role,
                    "label": link.label,
                },
                pk=("from_id", "to_url"),
            )
    return "changed" if existing else "new"


def _save_attachments(
    db: sqlite_utils.Database, table: str, parent_id: int, parent_url: str, items: list[Attachment]
) -> None:
    old = {
        r["url"]: r
        for r in db.query(
            "SELECT * FROM attachments WHERE parent_table = ? AND parent_id = ?", [table, parent_id]
        )
    }
    db.execute(
        "DELETE FROM attachments WHERE parent_table = ? AND parent_id = ?", [table, parent_id]
    )
    for att in items:
        row = {
            "id": stable_id(parent_url + "\n" + att.url),
            "parent_id": parent_id,
            "parent_table": table,
            "url": att.url,
            "name": att.name,
            "ext": att.ext,
            "size": att.size,
            "text": att.text,
            "error": att.error,
        }
        previous = old.get(att.url)
        if att.text is None and previous and previous["text"]:
            # This download failed but an earlier one worked: keep what we had.
            row["text"], row["size"] = previous["text"], previous["size"]
        db["attachments"].upsert(row, pk="id")


def save_site(db: sqlite_utils.Database, site: dict, registry: str = "") -> None:
    """Store (or refresh) a sites-registry entry and its columns."""
    with db.conn:
        db["sites"].upsert(
            {
                "name": site["name"],
                "title": site["title"],
                "family": site["family"],
                "province": site.get("province"),
                "home_url": site.get("home_url"),
                "registry": registry,
                "verified": int(site.get("verified", True)),
            },
            pk="name",
        )
        for col in site.get("columns", []):
            db["columns"].upsert(
                {
                    "url": col["url"],
                    "site": site["name"],
                    "kind": col["kind"],
                    "title": col.get("title"),
                },
                pk="url",
            )


def save_error(db: sqlite_utils.Database, error: CrawlError, run_id: int | None = None) -> None:
    """Record a crawl error with its URL and reason."""
    with db.conn:
        db["crawl_errors"].insert(
            {
                "run_id": run_id,
                "at": utcnow(),
                "site": error.site,
                "url": error.url,
                "error_class": error.error_class,
                "status": error.status,
                "reason": error.reason,
            }
        )


def start_run(db: sqlite_utils.Database, sites_file: str, site: str | None) -> int:
    """Open a crawl_runs row and return its id."""
    with db.conn:
        table = db["crawl_runs"].insert(
            {"started_at": utcnow(), "sites_file": sites_file, "site": site}
        )
    return table.last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, **fields: object) -> None:
    """Close a crawl_runs row with its counts; ``stats`` dicts are stored as JSON."""
    if isinstance(fields.get("stats"), dict):
        fields["stats"] = json.dumps(fields["stats"], ensure_ascii=False, default=str)
    with db.conn:
        db["crawl_runs"].update(run_id, {"finished_at": utcnow(), **fields})
