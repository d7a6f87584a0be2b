"""The validity step of the build: every document's status as of a date, with its evidence.

Reads only what the crawl stored (titles, bodies, attachment text, page fields) and writes:

* ``documents``: term (施行日期; 有效期 as of the date, moved by the extensions that apply, with
  the words that set it), ``status``, ``status_basis`` (one line), ``status_as_of``;
* ``validity_evidence``: every piece of evidence weighed, the winner flagged;
* ``relations``: repeals / replaces / amends / cites between documents;
* ``status_history``: one row per document whose status differs from the previous build's (the
  first build records every document, with ``old_status`` NULL).

**What a build recomputes, and how dependence is tracked.** Every document's status is decided
again on every build, from everything: it depends on other documents (the acts that name it,
matched by title and 文号 against every stored document, dated by the document they are in) and
on the as-of date, and deciding is cheap. What is dear is *reading* a document: its own 施行 and
有效期 clauses (``extract_term``) and what it says of other documents (``relations.items_of``).
Both are functions of that one document's URL, title, dates, body and attachment texts, and of
nothing else. Given a build cache (a connection, ``corpus.build``), they are kept per document
under a digest of exactly those inputs (``reading_key``) and of the code that reads them
(``READER_CODE``: the source of the reading modules, the versions they rely on), and read again
only where that digest changed; the matching, the acts, the relations and the decisions are then
made from all of them, as a build from scratch makes them. So there is no list of dependencies to
get wrong: a change anywhere reaches every document it can touch, because everything that crosses
documents is recomputed.

Rows are written only where they differ: a document's columns where its decision changed; the
evidence and relations tables from their first differing row on, so their rowids are those a
build from scratch gives (1, 2, … in the order of documents).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sqlite3
import sys
from collections import Counter, defaultdict
from dataclasses import fields
from datetime import date
from functools import cache
from pathlib import Path

import sqlite_utils

from corpus.store import normalize
from corpus.validity import evidence, relations, terms
from corpus.validity.relations import Doc, Said, collect, items_of
from corpus.validity.rules import decide
from corpus.validity.terms import Term, extract_term

CACHE = "validity_readings"  # the build cache's table: id, key, what was read (JSON)
_TERM_FIELDS = tuple(f.name for f in fields(Term))
_ITEM_FIELDS = tuple(f.name for f in fields(evidence.Item))
_EVIDENCE_COLUMNS = ("document_id", "status", "kind", "quote", "source", "date", "wins",
                     "source_document_id", "source_url", "note")  # fmt: skip
_RELATION_COLUMNS = ("from_document_id", "to_document_id", "relation", "quote", "source_url",
                     "to_title", "to_doc_number", "method", "effective_date", "note")  # fmt: skip
_DECIDED = ("effective_date", "effective_date_raw", "expires_on", "term_raw", "status",
            "status_basis", "status_as_of")  # fmt: skip


@cache
def reader_code() -> str:
    """A digest of the code whose readings the cache keeps: the reading modules' source, the
    libraries they parse dates with, Python's version (its regular expressions, its Unicode)."""
    h = hashlib.blake2b(digest_size=16)
    for module in (normalize, evidence, relations, terms):
        h.update(Path(module.__file__).read_bytes())
    for dist in ("cn2an", "dateparser"):
        h.update(importlib.metadata.version(dist).encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def reading_key(doc: Doc, body: bytes | None) -> bytes:
    """A digest of everything ``extract_term`` and ``items_of`` read of ``doc`` (``body``: its
    body as UTF-8 bytes, as SQLite stores it)."""
    h = hashlib.blake2b(digest_size=16)
    parts = [doc.url, doc.title, doc.written_date, doc.published_date, body or b""]
    for attachment in doc.attachments:
        parts += attachment
    h.update(b"%d;" % len(doc.attachments))
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(b"-;" if data is None else b"%d:%s" % (len(data), data))
    return h.digest()


def _load(db: sqlite_utils.Database) -> tuple[list[Doc], dict[int, tuple]]:
    """Stored documents (with attachment text and body) and, per id, what the rules need of each
    and what the last build decided (``_DECIDED``)."""
    docs, facts, bodies = _documents(db)
    for doc in docs:
        doc.body_text = _text(bodies[doc.id])
    return docs, facts


def _documents(db: sqlite_utils.Database) -> tuple[list[Doc], dict[int, tuple], dict]:
    """``_load``'s documents without their bodies, which come apart as UTF-8 bytes (to digest;
    decoded only where the document is read)."""
    attachments: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for parent, url, ext, text in db.execute(
        "SELECT parent_id, url, ext, text FROM attachments"
        " WHERE parent_table = 'documents' AND text IS NOT NULL ORDER BY id"
    ):
        attachments[parent].append((url, ext or "", text))
    docs, facts, bodies = [], {}, {}
    for row in db.execute(
        "SELECT id, url, kind, title, doc_number, written_date, published_date,"
        f" CAST(body_text AS BLOB), validity_raw, {', '.join(_DECIDED)} FROM documents ORDER BY id"
    ):
        (doc_id, url, kind, title, number, written, published, body, raw) = row[:9]
        docs.append(Doc(doc_id, url, title, number, written, published, "", attachments[doc_id]))
        facts[doc_id] = (kind, raw, row[9:])
        bodies[doc_id] = body
    return docs, facts, bodies


def _text(body: bytes | None) -> str:
    return body.decode() if body else ""


def apply_validity(
    db: sqlite_utils.Database,
    as_of: date,
    built_at: str = "",
    cache: sqlite3.Connection | None = None,
    work: dict | None = None,
) -> Counter:
    """Recompute term, status, evidence, relations and history as of ``as_of``; count statuses.

    ``cache``: the build cache, where what each document says is kept between builds (module
    docstring). ``work``, when given, is filled with what was read again and what was written.
    """
    docs, facts, bodies = _documents(db)
    read, reused = _readings(docs, bodies, cache)
    found = collect(docs, read)
    updates, evidence_rows, history, counts = [], [], [], Counter()
    for doc in docs:
        kind, raw, old = facts[doc.id]
        old_status, old_as_of = old[4], old[6]
        term = read[doc.id]
        decision = decide(kind, raw, term, as_of, found.acts.get(doc.id, ()))
        counts[decision.status] += 1
        decided = (
            term.effective_date,
            term.effective_date_raw,
            decision.expires_on,  # the last day as of the date: an extension moves it
            decision.term_raw,
            decision.status,
            decision.basis,
            as_of.isoformat(),
        )
        if decided != old:
            updates.append((*decided, doc.id))
        evidence_rows += [
            (
                doc.id,
                e.status,
                e.kind,
                e.quote,
                e.source,
                e.date,
                int(e.wins),
                e.source_document_id,
                e.source_url or None,
                e.note or None,
            )
            for e in decision.evidence
        ]
        first = old_as_of is None
        if first or old_status != decision.status:
            history.append(
                (
                    doc.id,
                    as_of.isoformat(),
                    built_at,
                    None if first else old_status,
                    old_as_of,
                    decision.status,
                    decision.basis,
                )
            )
    relation_rows = [tuple(r[c] for c in _RELATION_COLUMNS) for r in found.relations]
    with db.conn:
        db.conn.executemany(
            "UPDATE documents SET effective_date = ?, effective_date_raw = ?, expires_on = ?,"
            " term_raw = ?, status = ?, status_basis = ?, status_as_of = ? WHERE id = ?",
            updates,
        )
        evidence_written = rewrite_from_first_difference(
            db, "validity_evidence", _EVIDENCE_COLUMNS, evidence_rows
        )
        relations_written = rewrite_from_first_difference(
            db, "relations", _RELATION_COLUMNS, relation_rows
        )
        db.conn.executemany(
            "INSERT INTO status_history (document_id, as_of, built_at, old_status, old_as_of,"
            " new_status, why) VALUES (?, ?, ?, ?, ?, ?, ?)",
            history,
        )
    if work is not None:
        work.update(
            {
                "documents": len(docs),
                "read": len(docs) - reused,  # terms and acts read from the text again
                "reused": reused,  # taken from the cache: the document did not change
                "decided": len(docs),  # every status is decided again
                "documents_written": len(updates),
                "evidence_written": evidence_written,
                "relations_written": relations_written,
            }
        )
    return counts


def rewrite_from_first_difference(
    db: sqlite_utils.Database, table: str, columns: tuple[str, ...], rows: list[tuple]
) -> int:
    """Make ``table`` hold ``rows`` with rowids 1, 2, …, as deleting everything and inserting
    them would, writing only from the first row that differs; returns the rows written."""
    names = ", ".join(columns)
    old = db.execute(f"SELECT rowid, {names} FROM {table} ORDER BY rowid").fetchall()
    same = 0
    if all(r[0] == k for k, r in enumerate(old, 1)):  # rowids as a rewrite leaves them
        for o, n in zip(old, rows, strict=False):
            if o[1:] != n:
                break
            same += 1
    if same == len(old) == len(rows):
        return 0
    db.execute(f"DELETE FROM {table} WHERE rowid > ?", [same])
    db.conn.executemany(
        f"INSERT INTO {table} (rowid, {names}) VALUES (?, {', '.join('?' * len(columns))})",
        [(same + k, *row) for k, row in enumerate(rows[same:], 1)],
    )
    return len(rows) - same


def _readings(
    docs: list[Doc], bodies: dict[int, bytes | None], cache: sqlite3.Connection | None
) -> tuple[dict[int, Term], int]:
    """Each document's own term, and what it says of others (set on ``Doc.said``): from the
    cache where the document's inputs are those it was read from, else read now (and kept)."""
    keys = {d.id: reading_key(d, bodies[d.id]) for d in docs} if cache is not None else {}
    kept: dict[int, str] = {}
    if cache is not None:
        _prepare(cache)
        for pk, key, value in cache.execute(f"SELECT id, key, value FROM {CACHE}"):
            if keys.get(pk) == key:
                kept[pk] = value
    read: dict[int, Term] = {}
    fresh = []
    for doc in docs:
        value = kept.get(doc.id)
        if value is None:
            doc.body_text = _text(bodies[doc.id])
            term = extract_term(doc.body_text, doc.title, doc.written_date, doc.published_date)
            doc.said = items_of(doc)
            if cache is not None:
                fresh.append((doc.id, keys[doc.id], _dump(term, doc.said)))
        else:
            term, doc.said = _undump(value)
        read[doc.id] = term
    if cache is not None:
        with cache:
            cache.executemany(f"INSERT OR REPLACE INTO {CACHE} VALUES (?, ?, ?)", fresh)
            gone = [(pk,) for (pk,) in cache.execute(f"SELECT id FROM {CACHE}") if pk not in keys]
            cache.executemany(f"DELETE FROM {CACHE} WHERE id = ?", gone)
    return read, len(kept)


def _prepare(cache: sqlite3.Connection) -> None:
    """The cache's table, made anew when the reading code is not the code that filled it."""
    with cache:
        cache.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        code = cache.execute("SELECT value FROM meta WHERE name = ?", [CACHE]).fetchone()
        if not code or code[0] != reader_code():
            cache.execute(f"DROP TABLE IF EXISTS {CACHE}")
            cache.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [CACHE, reader_code()])
        cache.execute(
            f"CREATE TABLE IF NOT EXISTS {CACHE}"
            " (id INTEGER PRIMARY KEY, key BLOB NOT NULL, value TEXT NOT NULL)"
        )


def _dump(term: Term, said: list[Said]) -> str:
    items = [[kind, *(getattr(item, f) for f in _ITEM_FIELDS), where] for kind, item, where in said]
    return json.dumps([[getattr(term, f) for f in _TERM_FIELDS], items], ensure_ascii=False)


def _undump(value: str) -> tuple[Term, list[Said]]:
    term, items = json.loads(value)
    return Term(*term), [(i[0], evidence.Item(*i[1:-1]), i[-1]) for i in items]
