"""Storing crawled records: idempotent upserts that never lose what is already stored.

Each record is stored in one transaction (``db.atomic()``: sqlite-utils commits every statement
on its own otherwise), so a crawl killed at any moment leaves whole records or none.

A record whose content hash equals the stored one writes nothing (crawling twice changes nothing);
a changed record updates the crawled columns only, leaving build-derived columns to the next
build; an attachment whose download failed this time keeps the text extracted last time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, datetime
from functools import cache

import sqlite_utils

from corpus.store.identity import canonical_url, stable_id
from corpus.store.records import (
    PAGE_DATE_FIELDS,
    Attachment,
    CrawlError,
    DocumentRecord,
    InterpretationRecord,
)

_NOT_HASHED = {"fetched_at"}
# Fields records gained after libraries had been built: hashed only when set, so that a page
# which shows none of them keeps its content hash (a recrawl finds it unchanged, no new version).
_HASHED_WHEN_SET = set(PAGE_DATE_FIELDS)


def utcnow() -> str:
    """The current UTC time as an ISO string with seconds, used for every timestamp we write."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def content_hash(record: DocumentRecord | InterpretationRecord) -> str:
    """A hash of everything the page said (not when we fetched it)."""
    return _digest(_said(record))


def _said(record: DocumentRecord | InterpretationRecord) -> dict:
    """Every field of ``record`` but when it was fetched, as ``asdict`` gives them.

    Only lists (attachments, links) are copied, item by item: ``asdict`` deep-copies every value
    on its slow generic path, and these values are only read (hashed, dumped).
    """
    data = {}
    for f in fields(record):
        if f.name not in _NOT_HASHED:
            value = getattr(record, f.name)
            if not value and f.name in _HASHED_WHEN_SET:
                continue
            if isinstance(value, list):
                value = [asdict(x) if is_dataclass(x) else x for x in value]
            data[f.name] = value
    return data


def _digest(data: dict) -> str:
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


@cache
def _insert_sql(table: str, columns: tuple[str, ...], conflict: tuple[str, ...] = ()) -> str:
    """``INSERT`` of ``columns``, an upsert on ``conflict`` (as sqlite-utils writes them)."""
    names = ", ".join(f"[{c}]" for c in columns)
    sql = f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(columns))})"
    if conflict:
        update = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in conflict)
        sql += f" ON CONFLICT({', '.join(f'[{c}]' for c in conflict)}) DO UPDATE SET {update}"
    return sql


def _insert(
    db: sqlite_utils.Database, table: str, row: dict, conflict: tuple[str, ...] = ()
) -> None:
    """Insert (or upsert on ``conflict``) one row of plain values in plain SQL.

    ``db[table].insert`` and ``.upsert`` look the table and its columns up on every call: a
    fifth of a record's storing time in a crawl.
    """
    db.execute(_insert_sql(table, tuple(row), conflict), list(row.values()))


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
        **{field: getattr(record, field) for field in PAGE_DATE_FIELDS},
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
    said = _said(record)
    digest = _digest(said)
    existing = db.execute(
        f"SELECT content_hash, removed_at FROM {table} WHERE id = ?", [pk]
    ).fetchone()
    if existing and existing[0] == digest:
        if existing[1]:  # a page marked removed is back, as it was
            with db.atomic():
                db.execute(f"UPDATE {table} SET removed_at = NULL WHERE id = ?", [pk])
        return "unchanged"
    now = utcnow()
    row = {"id": pk, **row, "content_hash": digest, "fetched_at": record.fetched_at or now}
    if existing:
        row["removed_at"] = None
    with db.atomic():
        if existing:
            columns = ", ".join(f"[{c}] = ?" for c in row)
            db.execute(f"UPDATE [{table}] SET {columns} WHERE id = ?", [*row.values(), pk])
        else:
            _insert(db, table, {**row, "first_seen_at": now})
        _save_attachments(db, table, pk, record.url, record.attachments)
        _save_version(db, table, pk, record, said, row["fetched_at"])
        db.execute("DELETE FROM page_links WHERE from_id = ? AND from_table = ?", [pk, table])
        for link in record.links:
            _insert(
                db,
                "page_links",
                {
                    "from_id": pk,
                    "from_table": table,
                    "to_url": canonical_url(link.url),
                    "text": link.text,
                    "role": link.role,
                    "label": link.label,
                },
                ("from_id", "to_url"),
            )
    return "changed" if existing else "new"


def _save_version(
    db: sqlite_utils.Database,
    table: str,
    pk: int,
    record: DocumentRecord | InterpretationRecord,
    said: dict,
    fetched_at: str,
) -> None:
    """Keep this content as a new version of the page, unless it is the latest one already.

    A version is what the page says: attachment texts as stored (a failed download keeps the
    text we had, so it makes no version), without download errors and sizes.
    """
    data = {**said, "url": canonical_url(record.url)}
    data["attachments"] = [
        dict(zip(("url", "name", "ext", "text"), r, strict=True))
        for r in db.execute(
            "SELECT url, name, ext, text FROM attachments WHERE parent_table = ? AND parent_id = ?"
            " ORDER BY id",
            [table, pk],
        )
    ]
    digest = _digest(data)
    latest = db.execute(
        "SELECT version, content_hash FROM document_versions"
        " WHERE parent_table = ? AND parent_id = ? ORDER BY version DESC LIMIT 1",
        [table, pk],
    ).fetchone()
    if latest and latest[1] == digest:
        return
    body = data.pop("body_text", "")
    _insert(
        db,
        "document_versions",
        {
            "parent_table": table,
            "parent_id": pk,
            "url": data["url"],
            "version": (latest[0] if latest else 0) + 1,
            "content_hash": digest,
            "fetched_at": fetched_at,
            "title": record.title,
            "validity_raw": getattr(record, "validity_raw", None),
            "body_text": body,
            "record": json.dumps(data, ensure_ascii=False, sort_keys=True),
        },
    )


def mark_removed(db: sqlite_utils.Database, url: str, at: str | None = None) -> str | None:
    """Mark the page at ``url`` gone from its site (it stays in the library); returns its table."""
    pk = stable_id(url)
    for table in ("documents", "interpretations"):
        with db.atomic():
            cursor = db.execute(
                f"UPDATE {table} SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
                [at or utcnow(), pk],
            )
        if cursor.rowcount:
            return table
    return None


def record_check(
    db: sqlite_utils.Database,
    url: str,
    *,
    status: int,
    at: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    content_hash: str | None = None,
) -> None:
    """Note what the server said of ``url`` now (validators kept when the answer has none)."""
    at = at or utcnow()
    with db.atomic():
        db.execute(
            """INSERT INTO http_state
                 (url, etag, last_modified, content_hash, status, last_checked_at, last_changed_at)
               VALUES (:url, :etag, :lm, :hash, :status, :at, :at)
               ON CONFLICT(url) DO UPDATE SET
                 etag = coalesce(excluded.etag, etag),
                 last_modified = coalesce(excluded.last_modified, last_modified),
                 last_changed_at = CASE WHEN excluded.content_hash IS NOT NULL
                     AND excluded.content_hash IS NOT coalesce(content_hash, '')
                     THEN excluded.last_checked_at ELSE last_changed_at END,
                 content_hash = coalesce(excluded.content_hash, content_hash),
                 status = excluded.status,
                 last_checked_at = excluded.last_checked_at""",
            {
                "url": canonical_url(url),
                "etag": etag,
                "lm": last_modified,
                "hash": content_hash,
                "status": status,
                "at": at,
            },
        )


def save_listed(
    db: sqlite_utils.Database,
    column_url: str,
    entries: list[tuple[str, str, str]],
    at: str | None = None,
) -> None:
    """Remember a list answer's entries (url, title, date as listed) for ``column_url``."""
    at = at or utcnow()
    with db.atomic():
        db.conn.executemany(
            """INSERT INTO column_items (column_url, url, title, date, first_listed_at, last_listed_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(column_url, url) DO UPDATE SET
                 title = excluded.title, date = excluded.date,
                 last_listed_at = excluded.last_listed_at""",
            [(column_url, canonical_url(u), t, d, at, at) for u, t, d in entries],
        )


def save_blocked_host(
    db: sqlite_utils.Database,
    run_id: int | None,
    host: str,
    site: str,
    url: str,
    status: int | None,
    reason: str,
) -> None:
    """Record that ``host`` answered with an anti-bot challenge in this run."""
    with db.atomic():
        db["blocked_hosts"].upsert(
            {
                "run_id": run_id,
                "host": host,
                "site": site,
                "url": url,
                "status": status,
                "reason": reason,
                "at": utcnow(),
            },
            pk=("run_id", "host"),
        )


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
        _insert(db, "attachments", row, ("id",))


def save_site(db: sqlite_utils.Database, site: dict, registry: str = "") -> None:
    """Store (or refresh) a sites-registry entry and its columns."""
    with db.atomic():
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


def save_error(
    db: sqlite_utils.Database,
    error: CrawlError,
    run_id: int | None = None,
    outcome: str = "failed",
) -> None:
    """Record a crawl error with its URL, reason and outcome (failed, retried, repaired)."""
    with db.atomic():
        db["crawl_errors"].insert(
            {
                "run_id": run_id,
                "at": utcnow(),
                "site": error.site,
                "url": error.url,
                "error_class": error.error_class,
                "status": error.status,
                "reason": error.reason,
                "outcome": outcome,
            }
        )


def start_run(db: sqlite_utils.Database, sites_file: str, site: str | None) -> int:
    """Open a crawl_runs row and return its id."""
    with db.atomic():
        table = db["crawl_runs"].insert(
            {"started_at": utcnow(), "sites_file": sites_file, "site": site, "pid": os.getpid()}
        )
    return table.last_pk


def close_interrupted_runs(db: sqlite_utils.Database) -> list[int]:
    """Mark runs that never finished (the process was killed) as interrupted; returns their ids.

    Call it only while holding the crawl lock (``crawler.incremental.crawl_lock``): then no
    unfinished run can still be going.
    """
    ids = [r[0] for r in db.execute("SELECT id FROM crawl_runs WHERE finished_at IS NULL")]
    with db.atomic():
        for run_id in ids:
            db["crawl_runs"].update(
                run_id,
                {
                    "complete": 0,
                    "finish_reason": f"interrupted (found unfinished at {utcnow()})",
                    "errors": db.execute(
                        "SELECT count(*) FROM crawl_errors WHERE run_id = ? AND outcome = 'failed'",
                        [run_id],
                    ).fetchone()[0],
                },
            )
    return ids


def finish_run(db: sqlite_utils.Database, run_id: int, **fields: object) -> None:
    """Close a crawl_runs row with its counts; ``stats`` dicts are stored as JSON."""
    if isinstance(fields.get("stats"), dict):
        fields["stats"] = json.dumps(fields["stats"], ensure_ascii=False, default=str)
    with db.atomic():
        db["crawl_runs"].update(run_id, {"finished_at": utcnow(), **fields})
