"""The search index: rowids in publication order; rebuilt, or brought up to date row by row.

Rows enter the index in order of publication (``search_rowid``, a column of documents and
interpretations numbered by the build): dense rowids keep the index under the size of the text,
and the newest match is the last rowid, so ranking reads only the newest rows of each tier and a
date range is a rowid range. ``documents_fts`` and ``interpretations_fts`` index bodies, titles,
文号, issuers and the filter tokens (kind, status); ``documents_heads_fts`` holds titles, 文号 and
keywords only, for the ranking tiers above the body. The tables are contentless: they hold only
the index.

**Up to date row by row.** A contentless FTS5 table forgets what it indexed, and removing a row
needs exactly the text it was indexed with. Given the build cache (``corpus.build``), the index
step keeps there, per row, what it indexed: its rowid, a digest of its body, and its other
indexed columns (title, 文号, issuer, kind, status, keywords). On the next build a row whose
rowid, body digest and columns are unchanged is left alone; a changed one is removed with the
columns it was indexed with and its old body — the version of the page (``document_versions``)
whose body has that digest — and indexed again, as are new rows. The index is rebuilt from
scratch instead when the cache does not describe it (no cache, a write to the index since —
``_stamp`` —, other indexing code, an old body found neither in the row nor among its versions),
or when more than ``REBUILD_SHARE`` of a table's rows changed (a rebuild is then quicker). Either way the index holds
the same rows with the same tokens in the same places: what a rebuild from scratch gives.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from functools import cache, partial
from pathlib import Path

import sqlite_utils

from corpus.search import keywords, tokens
from corpus.search.keywords import stored as stored_keywords
from corpus.search.tokens import doc_number_text, facet_tokens, index_text
from corpus.store import normalize

COLUMNS = ("body", "title", "doc_number", "issuer", "facets")  # body first: smallest index
# Titles and 文号 again, without bodies: the title and 文号 tiers of the ranking read this small
# index instead of every body position of the big one.
HEADS = "documents_heads_fts"
# Per index: its table, and its rows as (id, rowid, body, title, 文号, 文号 as written, issuer,
# kind, status, keywords); ``{body}`` is the body column (as text, or as UTF-8 bytes to digest).
_SOURCES = {
    "documents_fts": (
        "documents",
        "SELECT id, search_rowid, {body}, title, doc_number, doc_number_raw, issuer, kind,"
        " status, keywords FROM documents WHERE search_rowid IS NOT NULL ORDER BY search_rowid",
    ),
    "interpretations_fts": (
        "interpretations",
        "SELECT id, search_rowid, {body}, title, NULL, NULL, source, 'interpretation', NULL,"
        " NULL FROM interpretations WHERE search_rowid IS NOT NULL ORDER BY search_rowid",
    ),
}
_TEXT, _BYTES = "body_text", "CAST(body_text AS BLOB)"
FTS_TABLES = tuple(_SOURCES)  # the full indexes: documents, then interpretations
# Rows go in by ascending rowid: FTS5 flushes its in-memory index whenever a rowid goes down.
BUILD_CACHE_KB = 256 * 1024
REBUILD_SHARE = 0.3  # more rows changed than this share of a table: rebuild the index
AUTOMERGE = 4  # FTS5's default: how an updated index merges its segments
HASHSIZE = 1024 * 1024  # FTS5's default: pending terms held before they are written out
FILL_HASH = 64 * 1024 * 1024  # the same while a rebuilt index fills
STATE = "search_index_rows"  # the build cache's table: what each row was indexed with
_INSERT = f"INSERT INTO {{}}(rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"
_DELETE = (
    f"INSERT INTO {{0}}({{0}}, rowid, {', '.join(COLUMNS)}) VALUES ('delete', ?, ?, ?, ?, ?, ?)"
)


def assign_search_rowids(db: sqlite_utils.Database, table: str) -> int:
    """Number the rows of ``table`` 1, 2, … by publication date (then id); returns rows changed.

    Only rows whose number changes are written, so a rebuild of an unchanged library writes
    nothing and new documents (usually the newest) touch only themselves. Both the order and the
    old numbers are read from indexes alone (a first build still writes every row: that is its
    main cost).
    """
    order = db.execute(f"SELECT id FROM {table} ORDER BY published_date, id").fetchall()
    old = dict(db.execute(f"SELECT id, search_rowid FROM {table}").fetchall())
    changed = [(n, pk) for n, (pk,) in enumerate(order, 1) if old[pk] != n]
    db.conn.executemany(f"UPDATE {table} SET search_rowid = ? WHERE id = ?", changed)
    return len(changed)


def _index_row(row: tuple) -> tuple:
    """A source row (without its id) as index columns (rowid, body, title, 文号, issuer, facets)
    and keywords."""
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


def build_search_index(
    db: sqlite_utils.Database, cache: sqlite3.Connection | None = None, workers=None
) -> dict:
    """Bring the search index up to date (module docstring); returns counts and ``work``: the
    ``mode`` (``rebuilt`` or ``updated``), rows ``indexed`` and rows left ``unchanged``.

    ``documents_fts`` and ``interpretations_fts`` index everything searchable, with rowids in
    publication order (``search_rowid``); ``documents_heads_fts`` holds titles and 文号 only.
    Without ``cache`` the index is rebuilt from scratch. ``workers`` (``corpus.build.Workers``)
    turn rows into tokens in other processes.
    """
    counts: dict = {}
    size = db.execute("PRAGMA cache_size").fetchone()[0]
    # A big page cache: FTS5 writes its segments while the documents are read (2.4× faster).
    db.execute(f"PRAGMA cache_size = {-BUILD_CACHE_KB}")
    try:
        state = _state(db, cache) if cache is not None else None
        kept = _update(db, state, counts) if state is not None else None
        if kept is None:
            kept = _rebuild(db, counts, cache is not None, workers)
        if cache is not None:
            _keep(db, cache, *kept)
    finally:
        db.execute(f"PRAGMA cache_size = {size}")
    return counts


def _rebuild(db: sqlite_utils.Database, counts: dict, with_state: bool, workers) -> tuple:
    """Index every row again, from empty tables; returns what to keep (``_keep``)."""
    cols = ", ".join(COLUMNS)
    state: dict = {}
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
                # no merging while the rows go in: 'optimize' merges everything once at the end
                db.execute(f"INSERT INTO {name}({name}, rank) VALUES('automerge', 0)")
                # FTS5 writes its pending terms out as a segment whenever they pass 'hashsize'
                # (an undocumented option, 1 MB by default): fewer, bigger segments fill and
                # merge with a quarter less work (bench/README.md, "build")
                db.execute(f"INSERT INTO {name}({name}, rank) VALUES('hashsize', {FILL_HASH})")
            heads = []
            source = db.execute(select.format(body=_TEXT))
            made = partial(_tokens, with_state)
            rows = workers.map(made, source, n, 64) if workers else map(made, source)
            for batch in _batches(rows, 2000):
                if with_state:
                    state.update({(table, pk): kept for pk, kept, _ in batch})
                rows = [r for _, _, r in batch]
                db.conn.executemany(_INSERT.format(fts), [r[:6] for r in rows])
                if table == "documents":  # heads: keywords in place of the body
                    heads += [(r[0], r[6], *r[2:6]) for r in rows]
                    if len(heads) >= 20_000:
                        db.conn.executemany(_INSERT.format(HEADS), heads)
                        heads = []
            if heads:
                db.conn.executemany(_INSERT.format(HEADS), heads)
            for name in tables:
                db.execute(f"INSERT INTO {name}({name}) VALUES('optimize')")
                db.execute(f"INSERT INTO {name}({name}, rank) VALUES('automerge', {AUTOMERGE})")
                db.execute(f"INSERT INTO {name}({name}, rank) VALUES('hashsize', {HASHSIZE})")
            counts[f"{table}_indexed"] = n
    indexed = counts["documents_indexed"] + counts["interpretations_indexed"]
    counts["work"] = {"mode": "rebuilt", "indexed": indexed, "unchanged": 0}
    return True, state, []


def _tokens(with_state: bool, row: tuple) -> tuple:
    """A source row (with its id) as (id, what the cache keeps of it, its index row)."""
    return row[0], _row_state(row) if with_state else None, _index_row(row[1:])


def _update(db: sqlite_utils.Database, state: dict, counts: dict) -> tuple | None:
    """Reindex the rows that changed since the index was last written, in one transaction;
    returns what to keep (``_keep``), or None, with nothing written, when a rebuild is due."""
    changed: dict = {}
    gone: list[tuple[str, int]] = []
    indexed = unchanged = 0
    try:
        with db.conn:
            for fts, (table, select) in _SOURCES.items():
                assign_search_rowids(db, table)
                current = {}
                for row in db.execute(select.format(body=_BYTES)):
                    now = _row_state(row)
                    if state.get((table, row[0])) != now:
                        current[table, row[0]] = now
                n = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                ids = {pk for (pk,) in db.execute(f"SELECT id FROM {table}")}
                removed = [k for k in state if k[0] == table and k[1] not in ids]
                if len(current) + len(removed) > REBUILD_SHARE * max(n, 1):
                    raise _Rebuild
                old = [_indexed_with(db, k, state[k]) for k in [*current, *removed] if k in state]
                new = sorted(_rows(db, select, [pk for _, pk in current]))
                _reindex(db, fts, table, old, new)
                changed.update(current)
                gone += removed
                counts[f"{table}_indexed"] = n
                indexed += len(current)
                unchanged += n - len(current)
    except _Rebuild:
        return None
    counts["work"] = {"mode": "updated", "indexed": indexed, "unchanged": unchanged}
    return False, changed, gone


class _Rebuild(Exception):
    """The cache does not describe the index well enough to update it, or too much changed."""


def _reindex(
    db: sqlite_utils.Database, fts: str, table: str, old: list[tuple], new: list[tuple]
) -> None:
    """Remove ``old`` rows (exactly as they were indexed), then index ``new`` ones by rowid."""
    for rows, sql in ((old, _DELETE), (new, _INSERT)):
        made = [_index_row(r) for r in rows]
        db.conn.executemany(sql.format(fts), [r[:6] for r in made])
        if table == "documents":  # heads: keywords in place of the body
            db.conn.executemany(sql.format(HEADS), [(r[0], r[6], *r[2:6]) for r in made])


def _rows(db: sqlite_utils.Database, select: str, ids: list[int]) -> list[tuple]:
    """The source rows (without their ids) of ``ids``."""
    one = select.format(body=_TEXT).replace("WHERE ", "WHERE id = ? AND ")
    return [db.execute(one, [pk]).fetchone()[1:] for pk in ids]


def _indexed_with(db: sqlite_utils.Database, key: tuple[str, int], was: tuple) -> tuple:
    """The source row (without its id) a row was indexed with: the columns the cache kept and
    the body with the kept digest — the row's own, else one of its page's versions."""
    table, pk = key
    rowid, body_key, *fields = was
    bodies = db.execute(f"SELECT body_text FROM {table} WHERE id = ?", [pk]).fetchall()
    bodies += db.execute(
        "SELECT body_text FROM document_versions WHERE parent_table = ? AND parent_id = ?"
        " ORDER BY version DESC",
        [table, pk],
    ).fetchall()
    for (body,) in bodies:
        if _body_key(body) == body_key:
            return (rowid, body, *fields)
    raise _Rebuild  # the body it was indexed with is nowhere: only a rebuild can remove it


def _body_key(body: str | bytes | None) -> bytes:
    """A digest of a body (as text, or as its UTF-8 bytes: the same digest)."""
    data = body.encode() if isinstance(body, str) else body or b""
    return hashlib.blake2b(data, digest_size=16).digest()


def _row_state(row: tuple) -> tuple:
    """What a row (with its id) is indexed with, as the cache keeps it: rowid, body digest, the
    other indexed columns."""
    _, rowid, body, *fields = row
    return (rowid, _body_key(body), *fields)


@cache
def index_code() -> str:
    """A digest of the code that turns rows into index tokens (and of SQLite's tokenizer)."""
    h = hashlib.blake2b(digest_size=16)
    for module in (sys.modules[__name__], tokens, keywords, normalize):
        h.update(Path(module.__file__).read_bytes())
    h.update(f"{sys.version} {sqlite3.sqlite_version}".encode())
    return h.hexdigest()


def _stamp(db: sqlite_utils.Database) -> str | None:
    """A digest of the indexes' structure and totals records: any write to an index (an update,
    a rebuild by anyone) changes it. None when an index is missing."""
    h = hashlib.blake2b(digest_size=16)
    for name in (*FTS_TABLES, HEADS):
        try:
            rows = db.execute(f"SELECT id, block FROM {name}_data WHERE id IN (1, 10)").fetchall()
        except sqlite3.OperationalError:
            return None
        if len(rows) != 2:
            return None
        for pk, block in sorted(rows):
            h.update(f"{name}:{pk}:".encode() + bytes(block))
    return h.hexdigest()


def _state(db: sqlite_utils.Database, cache: sqlite3.Connection) -> dict | None:
    """What the cache says each row was indexed with, if it describes the index as it is."""
    with cache:
        cache.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        kept = cache.execute("SELECT value FROM meta WHERE name = ?", [STATE]).fetchone()
        code, _, stamp = (kept[0] if kept else "").partition(" ")
        if code != index_code():  # kept by other code: its table may not even have our columns
            cache.execute(f"DROP TABLE IF EXISTS {STATE}")
        cache.execute(
            f"CREATE TABLE IF NOT EXISTS {STATE} (tab TEXT, id INTEGER, rowid INTEGER, body BLOB,"
            " title, doc_number, doc_number_raw, issuer, kind, status, keywords,"
            " PRIMARY KEY (tab, id)) WITHOUT ROWID"
        )
    if code != index_code() or stamp != _stamp(db):
        return None
    return {(row[0], row[1]): row[2:] for row in cache.execute(f"SELECT * FROM {STATE}")}


def _keep(
    db: sqlite_utils.Database,
    cache: sqlite3.Connection,
    rebuilt: bool,
    changed: dict,
    gone: list[tuple[str, int]],
) -> None:
    """Write what the index now holds into the cache, stamped with the index as it now is."""
    with cache:
        if rebuilt:
            cache.execute(f"DELETE FROM {STATE}")
        cache.executemany(f"DELETE FROM {STATE} WHERE tab = ? AND id = ?", gone)
        cache.executemany(
            f"INSERT OR REPLACE INTO {STATE} VALUES ({', '.join('?' * 11)})",
            [(tab, pk, *s) for (tab, pk), s in changed.items()],
        )
        cache.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", [STATE, f"{index_code()} {_stamp(db)}"]
        )


def _batches(rows, size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
