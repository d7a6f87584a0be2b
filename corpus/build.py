"""The build: everything derived from the stored pages, recomputed as of one date.

``build`` reads only what the crawl stored (body text, titles, page fields, links), so improving a
rule never needs a recrawl, and building twice gives the same library. It ends by checkpointing
the WAL so the file can be copied and served immutable.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date
from pathlib import Path

import sqlite_utils

from corpus.links import link_interpretations
from corpus.save import utcnow
from corpus.schema import open_db
from corpus.search import build_search_index
from corpus.validity import STATUSES, decide, extract_term


def apply_validity(db: sqlite_utils.Database, as_of: date) -> Counter:
    """Recompute term, status and evidence of every document as of ``as_of``; count statuses."""
    rows = db.execute(
        "SELECT id, kind, title, body_text, written_date, published_date, validity_raw"
        " FROM documents ORDER BY id"
    ).fetchall()
    updates, evidence, counts = [], [], Counter()
    for doc_id, kind, title, body, written, published, validity_raw in rows:
        term = extract_term(body, title, written, published)
        decision = decide(kind, validity_raw, term, as_of)
        counts[decision.status] += 1
        updates.append(
            (
                term.effective_date,
                term.effective_date_raw,
                term.expires_on,
                term.term_raw,
                decision.status,
                decision.basis,
                as_of.isoformat(),
                doc_id,
            )
        )
        evidence += [
            (doc_id, e.status, e.kind, e.quote, e.source, e.date, int(e.wins))
            for e in decision.evidence
        ]
    with db.conn:
        db.conn.executemany(
            "UPDATE documents SET effective_date = ?, effective_date_raw = ?, expires_on = ?,"
            " term_raw = ?, status = ?, status_basis = ?, status_as_of = ? WHERE id = ?",
            updates,
        )
        db.execute("DELETE FROM validity_evidence")
        db.conn.executemany(
            "INSERT INTO validity_evidence (document_id, status, kind, quote, source, date, wins)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            evidence,
        )
    return counts


def build(db_path: str | Path | sqlite_utils.Database, as_of: date) -> dict:
    """Build the library at ``db_path`` as of ``as_of``: validity, links, search; return a report."""
    started = time.perf_counter()
    db = db_path if isinstance(db_path, sqlite_utils.Database) else open_db(str(db_path))
    counts = apply_validity(db, as_of)
    after_validity = time.perf_counter()
    links = link_interpretations(db)
    after_links = time.perf_counter()
    index = build_search_index(db)
    after_index = time.perf_counter()
    report = {
        "as_of": as_of.isoformat(),
        "built_at": utcnow(),
        "documents": sum(counts.values()),
        "interpretations": index["interpretations_indexed"],
        "status_counts": {s: counts[s] for s in STATUSES if counts[s]},
        "links": links,
        "seconds": {
            "validity": round(after_validity - started, 3),
            "links": round(after_links - after_validity, 3),
            "search_index": round(after_index - after_links, 3),
        },
    }
    with db.conn:
        db["build_info"].upsert_all(
            [
                {"key": k, "value": v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}
                for k, v in report.items()
                if k != "seconds"
            ],
            pk="key",
        )
    # Fold the WAL into the main file so it can be copied and served with immutable=1.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if db is not db_path:
        db.close()
    report["seconds"]["total"] = round(time.perf_counter() - started, 3)
    return report
