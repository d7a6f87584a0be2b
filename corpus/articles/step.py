"""The build step: every document split into the ``articles`` table, only where it changed.

A document is split again when its content hash (which covers its attachments' text) differs from
the one its articles were split from (``documents.articles_hash``), or when the splitter itself
changed (``VERSION``, part of that hash): building an unchanged library splits nothing.
"""

from __future__ import annotations

from functools import partial

import sqlite_utils

from corpus.articles.split import Attachment, Split, split_document

VERSION = "1"  # raise it when the splitter's rules change: every document is split again
BATCH = 500

_COLUMNS = ("document_id", "ordinal", "kind", "number", "path", "anchor", "heading", "text",
            "value", "measure", "attachment_id", "start", "stop")  # fmt: skip
_INSERT = f"INSERT INTO articles ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_HASH = "coalesce(content_hash, '') || ':' || ?"


def assign_articles(db: sqlite_utils.Database) -> dict[str, int]:
    """Split every document whose content changed since it was last split; counts.

    In one process: splitting is cheaper than handing the rows back from another
    (bench/README.md, "build time")."""
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT id FROM documents WHERE articles_hash IS NOT {_HASH} ORDER BY id", [VERSION]
        )
    ]
    with_files = {
        row[0]
        for row in db.execute(
            "SELECT DISTINCT parent_id FROM attachments"
            " WHERE parent_table = 'documents' AND coalesce(text, '') != ''"
        )
    }
    counts = {"documents_split": 0, "articles": 0, "from_attachments": 0}
    with db.conn:  # one transaction: each page of the table is written once, not once a batch
        for k in range(0, len(ids), BATCH):
            chunk = ids[k : k + BATCH]
            marks = ", ".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT id, title, body_text, {_HASH} FROM documents WHERE id IN ({marks})",
                [VERSION, *chunk],
            ).fetchall()
            batch = [
                # the attachments are read only if the body holds no articles of its own
                _split((pk, title or "", body, partial(_attachments, db, pk), digest))
                if pk in with_files
                else _split((pk, title or "", body, (), digest))
                for pk, title, body, digest in rows
            ]
            _write(db, batch, counts)
    return counts


def _split(document: tuple) -> tuple:
    """A document (id, title, body, attachments, hash) split: (id, its rows for ``articles``, its
    number of 条, whether they come from an attachment, hash)."""
    pk, title, body, files, digest = document
    found = split_document(title, body, files)
    return pk, _rows(pk, found), len(found.articles), found.attachment_id is not None, digest


def _write(db: sqlite_utils.Database, batch: list[tuple], counts: dict[str, int]) -> None:
    db.conn.executemany("DELETE FROM articles WHERE document_id = ?", [(d[0],) for d in batch])
    db.conn.executemany(_INSERT, [row for d in batch for row in d[1]])
    db.conn.executemany(
        "UPDATE documents SET article_count = ?, articles_hash = ? WHERE id = ?",
        [(n, digest, pk) for pk, _, n, _, digest in batch],
    )
    counts["documents_split"] += len(batch)
    counts["articles"] += sum(d[2] for d in batch)
    counts["from_attachments"] += sum(d[3] for d in batch)


def _attachments(db: sqlite_utils.Database, pk: int) -> list[Attachment]:
    return [
        Attachment(aid, name or "", text)
        for aid, name, text in db.execute(
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
