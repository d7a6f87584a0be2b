"""The search index: built from scratch on every build, with rowids in publication order.

Rows enter the index in order of publication (``search_rowid``, a column of documents and
interpretations numbered by the build): dense rowids keep the index under the size of the text,
and the newest match is the last rowid, so ranking reads only the newest rows of each tier and a
date range is a rowid range. ``documents_fts`` and ``interpretations_fts`` index bodies, titles,
文号, issuers and the filter tokens (kind, status); ``documents_heads_fts`` holds titles, 文号 and
keywords only, for the ranking tiers above the body. The tables are contentless: they hold only
the index.
"""

from __future__ import annotations

import sqlite_utils

from corpus.search.keywords import stored as stored_keywords
from corpus.search.tokens import doc_number_text, facet_tokens, index_text

COLUMNS = ("body", "title", "doc_number", "issuer", "facets")  # body first: smallest index
# Titles and 文号 again, without bodies: the title and 文号 tiers of the ranking read this small
# index instead of every body position of the big one.
HEADS = "documents_heads_fts"
_SOURCES = {
    "documents_fts": (
        "documents",
        "SELECT search_rowid, body_text, title, doc_number, doc_number_raw, issuer, kind, status,"
        " keywords FROM documents WHERE search_rowid IS NOT NULL ORDER BY search_rowid",
    ),
    "interpretations_fts": (
        "interpretations",
        "SELECT search_rowid, body_text, title, NULL, NULL, source, 'interpretation', NULL,"
        " NULL FROM interpretations WHERE search_rowid IS NOT NULL ORDER BY search_rowid",
    ),
}
FTS_TABLES = tuple(_SOURCES)  # the full indexes: documents, then interpretations
# Rows go in by ascending rowid: FTS5 flushes its in-memory index whenever a rowid goes down.
BUILD_CACHE_KB = 256 * 1024


def assign_search_rowids(db: sqlite_utils.Database, table: str) -> int:
    """Number the rows of ``table`` 1, 2, … by publication date (then id); returns rows changed.

    Only rows whose number changes are written, so a rebuild of an unchanged library writes
    nothing and new documents (usually the newest) touch only themselves. One UPDATE walks the
    table in storage order (a first build rewrites every row: that is its main cost).
    """
    db.execute("DROP TABLE IF EXISTS temp.search_rowids")
    db.execute("CREATE TEMP TABLE search_rowids (id INTEGER PRIMARY KEY, n INTEGER, old INTEGER)")
    db.execute(
        f"INSERT INTO temp.search_rowids (id, n, old) SELECT id,"
        f" row_number() OVER (ORDER BY published_date, id), search_rowid FROM {table}"
    )
    db.execute("DELETE FROM temp.search_rowids WHERE n IS old")
    changed = db.execute("SELECT count(*) FROM temp.search_rowids").fetchone()[0]
    db.execute(
        f"UPDATE {table} SET search_rowid = s.n FROM temp.search_rowids s WHERE s.id = {table}.id"
    )
    db.execute("DROP TABLE temp.search_rowids")
    return changed


def _index_row(row: tuple) -> tuple:
    """A source row as index columns (rowid, body, title, 文号, issuer, facets) and keywords."""
    rowid, body, title, number, raw, issuer, kind, status, words = row
    return (
        rowid,
        index_text(body),
        index_text(title),
        doc_number_text(number, raw),
        index_text(issuer),
        facet_tokens(kind, status),
        keywords_text(words),
    )


def keywords_text(words: str | None) -> str:
    """The keywords (a JSON array) as index tokens, each apart: a phrase never spans two."""
    return " ".join(index_text(w) for w in stored_keywords(words))


def build_search_index(db: sqlite_utils.Database) -> dict:
    """(Re)build the search index from scratch; returns counts.

    ``documents_fts`` and ``interpretations_fts`` index everything searchable, with rowids in
    publication order (``search_rowid``); ``documents_heads_fts`` holds titles and 文号 only.
    """
    counts = {}
    cols = ", ".join(COLUMNS)
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    # A big page cache: FTS5 writes its segments while the documents are read (2.4× faster).
    db.execute(f"PRAGMA cache_size = {-BUILD_CACHE_KB}")
    try:
        _build(db, cols, counts)
    finally:
        db.execute(f"PRAGMA cache_size = {cache}")
    return counts


def _build(db: sqlite_utils.Database, cols: str, counts: dict) -> None:
    with db.conn:
        for fts, (table, select) in _SOURCES.items():
            assign_search_rowids(db, table)
            n = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            tables = [fts, HEADS] if table == "documents" else [fts]
            for name in tables:
                db.execute(f"DROP TABLE IF EXISTS {name}")
                db.execute(
                    f"CREATE VIRTUAL TABLE {name} USING fts5({cols}, content='',"
                    " tokenize='unicode61')"
                )
            insert = f"INSERT INTO {{}}(rowid, {cols}) VALUES (?, ?, ?, ?, ?, ?)"
            heads = []
            for batch in _batches(map(_index_row, db.execute(select)), 2000):
                db.conn.executemany(insert.format(fts), [r[:6] for r in batch])
                if table == "documents":  # heads: keywords in place of the body
                    heads += [(r[0], r[6], *r[2:6]) for r in batch]
                    if len(heads) >= 20_000:
                        db.conn.executemany(insert.format(HEADS), heads)
                        heads = []
            if heads:
                db.conn.executemany(insert.format(HEADS), heads)
            for name in tables:
                db.execute(f"INSERT INTO {name}({name}) VALUES('optimize')")
            counts[f"{table}_indexed"] = n


def _batches(rows, size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
