"""The build step: every document split into the ``articles`` table, only where it changed.

A document is split again when its content hash (which covers its attachments' text) differs from
the one its articles were split from (``documents.articles_hash``), or when the splitter itself
changed (``VERSION``, part of that hash): building an unchanged library splits nothing.

**Many documents are split by the build's worker processes** (``corpus.build.Workers``), each
taking a run of documents and writing its rows into a SQLite file of its own; the build's process
then copies each file into the library with one ``INSERT … SELECT`` (SQLite's own loop). Handing
the rows back through the pool would cost more than splitting them (2.3 million rows at 100,000
documents: pickled, unpickled and bound to the statement one value at a time), and binding them
is itself slower than splitting (bench/README.md, "build"). Either way the library gets the same
rows, in the same order.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

import sqlite_utils

from corpus.articles.split import Attachment, Split, split_document

VERSION = "1"  # raise it when the splitter's rules change: every document is split again
BATCH = 500
CHUNK = 4_096  # documents a worker splits into one file of its own

_COLUMNS = ("document_id", "ordinal", "kind", "number", "path", "anchor", "heading", "text",
            "value", "measure", "attachment_id", "start", "stop")  # fmt: skip
_NAMES = ", ".join(_COLUMNS)
_INSERT = f"INSERT INTO articles ({_NAMES}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_HASH = "coalesce(content_hash, '') || ':' || ?"
_ROWS = f"SELECT id, title, body_text, {_HASH} FROM documents WHERE id IN ({{}})"
_WITH_FILES = (
    "SELECT DISTINCT parent_id FROM attachments"
    " WHERE parent_table = 'documents' AND coalesce(text, '') != ''"
)


def assign_articles(
    db: sqlite_utils.Database, workers=None, started: Splitting | None = None
) -> dict[str, int]:
    """Split every document whose content changed since it was last split; counts.

    ``workers`` (``corpus.build.Workers``) split them in other processes when there are many
    (module docstring); otherwise this process splits them. ``started``: what ``start_split``
    gave the workers to do before (while the build did other work)."""
    return (started or start_split(db, workers)).finish(db)


def start_split(db: sqlite_utils.Database, workers) -> Splitting:
    """The documents to split, given to the ``workers`` when there are many (else this process
    splits them in ``Splitting.finish``). The workers split while the build goes on: what they
    read (titles, bodies, attachments, content hashes) no other step writes."""
    ids = _due(db)
    path = _file(db)
    many = workers is not None and path is not None and workers.parallel(len(ids))
    return Splitting(db, path or "", ids, workers if many else None)


def _due(db: sqlite_utils.Database) -> list[int]:
    """The documents to split: their content (or the splitter) changed since they were split."""
    return [
        row[0]
        for row in db.execute(
            f"SELECT id FROM documents WHERE articles_hash IS NOT {_HASH} ORDER BY id", [VERSION]
        )
    ]


def _split_ids(
    conn: sqlite3.Connection, ids: list[int], with_files: set[int]
) -> Iterable[list[tuple]]:
    """The documents ``ids`` split (``_split``), a batch at a time, in the order of ``ids``."""
    for k in range(0, len(ids), BATCH):
        chunk = ids[k : k + BATCH]
        rows = conn.execute(
            _ROWS.format(", ".join("?" * len(chunk))) + " ORDER BY id", [VERSION, *chunk]
        ).fetchall()
        yield [
            # the attachments are read only if the body holds no articles of its own
            _split((pk, title or "", body, partial(_attachments, conn, pk), digest))
            if pk in with_files
            else _split((pk, title or "", body, (), digest))
            for pk, title, body, digest in rows
        ]


def _split(document: tuple) -> tuple:
    """A document (id, title, body, attachments, hash) split: (id, its rows for ``articles``, its
    number of 条, whether they come from an attachment, hash)."""
    pk, title, body, files, digest = document
    found = split_document(title, body, files)
    return pk, _rows(pk, found), len(found.articles), found.attachment_id is not None, digest


def _write(conn: sqlite3.Connection, batch: list[tuple], counts: dict[str, int]) -> None:
    conn.executemany("DELETE FROM articles WHERE document_id = ?", [(d[0],) for d in batch])
    conn.executemany(_INSERT, [row for d in batch for row in d[1]])
    conn.executemany(
        "UPDATE documents SET article_count = ?, articles_hash = ? WHERE id = ?",
        [(n, digest, pk) for pk, _, n, _, digest in batch],
    )
    _tally(counts, batch)


def _tally(counts: dict[str, int], batch: list[tuple]) -> None:
    """Add a batch of split documents (``_split``'s tuples) to the step's counts."""
    counts["documents_split"] += len(batch)
    counts["articles"] += sum(d[2] for d in batch)
    counts["from_attachments"] += sum(d[3] for d in batch)


# ---------------------------------------------------------------- by the workers


class Splitting:
    """The documents to split. With ``workers``: runs of ``CHUNK`` documents handed to them, each
    split into a file of its own (``split_into``), which ``finish`` copies into the library in
    the order of the documents, each as soon as it is there. Without: ``finish`` splits them."""

    def __init__(self, db: sqlite_utils.Database, path: str, ids: list[int], workers=None) -> None:
        self._ids = ids
        self._dir: tempfile.TemporaryDirectory | None = None
        self._pending: list[tuple[Path, Callable[[], object]]] = []
        if workers is None:
            return
        with_files = {row[0] for row in db.execute(_WITH_FILES)}
        sweep_scratch()
        self._dir = tempfile.TemporaryDirectory(prefix=f"{SCRATCH}{os.getpid()}-")
        for k in range(0, len(ids), CHUNK):
            chunk = ids[k : k + CHUNK]
            out = Path(self._dir.name) / f"{k}.db"
            files = {pk for pk in chunk if pk in with_files}
            got = workers.submit(split_into, path, chunk, files, str(out))
            if got is None:  # no workers after all: split here, when the files are wanted
                got = partial(split_into, path, chunk, files, str(out))
            self._pending.append((out, got))

    def finish(self, db: sqlite_utils.Database) -> dict[str, int]:
        """The documents split into the library; counts."""
        counts = {"documents_split": 0, "articles": 0, "from_attachments": 0}
        if self._dir is None:
            with_files = {row[0] for row in db.execute(_WITH_FILES)}
            with db.conn:  # one transaction: each page is written once, not once a batch
                for batch in _split_ids(db.conn, self._ids, with_files):
                    _write(db.conn, batch, counts)
            return counts
        try:
            for out, got in self._pending:
                made = got()
                for key in counts:
                    counts[key] += made[key]
                _copy_in(db.conn, out)
                out.unlink()
        finally:
            self._dir.cleanup()
        return counts


SCRATCH = "normdocs-articles-"  # the workers' files: <temp>/normdocs-articles-<pid>-<random>/


def sweep_scratch() -> list[Path]:
    """Remove the scratch folders of builds that died without removing theirs (killed: a
    ``finally`` never ran); a live build's folder is left alone. Returns what was removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH}*-*"):
        pid = folder.name.removeprefix(SCRATCH).split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def split_into(library: str, ids: list[int], with_files: set[int], out: str) -> dict[str, int]:
    """Split the documents ``ids`` of the library at ``library`` (read through a connection of
    its own) into a new SQLite file ``out``: their rows for ``articles`` (table ``articles``,
    in order) and their 条 counts and hashes (table ``split``); returns counts."""
    counts = {"documents_split": 0, "articles": 0, "from_attachments": 0}
    source = sqlite3.connect(library)
    target = sqlite3.connect(out)
    try:
        source.execute("PRAGMA query_only = 1")
        target.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover
        target.execute("PRAGMA synchronous = OFF")
        target.execute(f"CREATE TABLE articles ({_NAMES})")
        target.execute("CREATE TABLE split (id INTEGER PRIMARY KEY, article_count, articles_hash)")
        with target:
            for batch in _split_ids(source, ids, with_files):
                target.executemany(
                    f"INSERT INTO articles VALUES ({', '.join('?' * len(_COLUMNS))})",
                    [row for d in batch for row in d[1]],
                )
                target.executemany(
                    "INSERT INTO split VALUES (?, ?, ?)",
                    [(pk, n, digest) for pk, _, n, _, digest in batch],
                )
                _tally(counts, batch)
    finally:
        source.close()
        target.close()
    return counts


def _copy_in(conn: sqlite3.Connection, path: Path) -> None:
    """The rows of one worker's file (``split_into``) into the library, as ``_write`` writes a
    batch: the documents' old articles deleted, the new ones inserted, the documents updated."""
    conn.execute("ATTACH DATABASE ? AS split_file", [str(path)])
    try:
        with conn:
            conn.execute(
                "DELETE FROM articles WHERE document_id IN (SELECT id FROM split_file.split)"
            )
            conn.execute(
                f"INSERT INTO articles ({_NAMES}) SELECT {_NAMES} FROM split_file.articles"
                " ORDER BY rowid"
            )
            conn.execute(
                "UPDATE documents SET article_count = s.article_count,"
                " articles_hash = s.articles_hash FROM split_file.split AS s"
                " WHERE documents.id = s.id"
            )
    finally:
        conn.execute("DETACH DATABASE split_file")


def _file(db: sqlite_utils.Database) -> str | None:
    """The file of ``db``'s main database (None in memory)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


def _attachments(conn: sqlite3.Connection, pk: int) -> list[Attachment]:
    return [
        Attachment(aid, name or "", text)
        for aid, name, text in conn.execute(
            "SELECT id, name, text FROM attachments WHERE parent_table = 'documents'"
            " AND parent_id = ? AND coalesce(text, '') != '' ORDER BY rowid",
            [pk],
        )
    ]


def _rows(pk: int, found: Split) -> list[tuple]:
    return [
        (
            pk,
            u.ordinal,
            u.kind,
            u.number,
            u.path,
            u.anchor,
            u.heading,
            u.text,
            u.value,
            u.measure,
            found.attachment_id,
            u.start,
            u.end,
        )  # fmt: skip
        for u in found.units
    ]
