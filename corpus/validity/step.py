"""The validity step of the build: every document's status as of a date, with its evidence.

Reads only what the crawl stored (titles, bodies, attachment text, page fields) and writes:

* ``documents``: term (施行日期; 有效期 as of the date, moved by the extensions that apply, with
  the words that set it), ``status``, ``status_basis`` (one line), ``status_as_of``;
* ``validity_evidence``: every piece of evidence weighed, the winner flagged (rebuilt each time);
* ``relations``: repeals / replaces / amends / cites between documents (rebuilt each time);
* ``status_history``: one row per document whose status differs from the previous build's (the
  first build records every document, with ``old_status`` NULL).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import sqlite_utils

from corpus.validity.relations import Doc, collect
from corpus.validity.rules import decide
from corpus.validity.terms import extract_term


def _load(db: sqlite_utils.Database) -> tuple[list[Doc], dict[int, tuple]]:
    """Stored documents (with attachment text) and, per id, what the rules need of each."""
    attachments: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for parent, url, ext, text in db.execute(
        "SELECT parent_id, url, ext, text FROM attachments"
        " WHERE parent_table = 'documents' AND text IS NOT NULL ORDER BY id"
    ):
        attachments[parent].append((url, ext or "", text))
    docs, facts = [], {}
    for row in db.execute(
        "SELECT id, url, kind, title, doc_number, written_date, published_date, body_text,"
        " validity_raw, status, status_as_of FROM documents ORDER BY id"
    ).fetchall():
        (doc_id, url, kind, title, number, written, published, body, raw, status, as_of) = row
        docs.append(
            Doc(doc_id, url, title, number, written, published, body or "", attachments[doc_id])
        )
        facts[doc_id] = (kind, raw, status, as_of)
    return docs, facts


def apply_validity(db: sqlite_utils.Database, as_of: date, built_at: str = "") -> Counter:
    """Recompute term, status, evidence, relations and history as of ``as_of``; count statuses."""
    docs, facts = _load(db)
    terms = {
        d.id: extract_term(d.body_text, d.title, d.written_date, d.published_date) for d in docs
    }
    found = collect(docs, terms)
    updates, evidence, history, counts = [], [], [], Counter()
    for doc in docs:
        kind, raw, old_status, old_as_of = facts[doc.id]
        term = terms[doc.id]
        decision = decide(kind, raw, term, as_of, found.acts.get(doc.id, ()))
        counts[decision.status] += 1
        updates.append(
            (
                term.effective_date,
                term.effective_date_raw,
                decision.expires_on,  # the last day as of the date: an extension moves it
                decision.term_raw,
                decision.status,
                decision.basis,
                as_of.isoformat(),
                doc.id,
            )
        )
        evidence += [
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
    with db.conn:
        db.conn.executemany(
            "UPDATE documents SET effective_date = ?, effective_date_raw = ?, expires_on = ?,"
            " term_raw = ?, status = ?, status_basis = ?, status_as_of = ? WHERE id = ?",
            updates,
        )
        db.execute("DELETE FROM validity_evidence")
        db.conn.executemany(
            "INSERT INTO validity_evidence (document_id, status, kind, quote, source, date, wins,"
            " source_document_id, source_url, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            evidence,
        )
        db.execute("DELETE FROM relations")
        if found.relations:
            db["relations"].insert_all(found.relations)
        db.conn.executemany(
            "INSERT INTO status_history (document_id, as_of, built_at, old_status, old_as_of,"
            " new_status, why) VALUES (?, ?, ?, ?, ?, ?, ?)",
            history,
        )
    return counts
