"""The build step: every document split into the ``articles`` table, only where it changed.

A document is split again when its content hash (which covers its attachments' text) differs from
the one its articles were split from (``documents.articles_hash``), or when the splitter itself
changed (``VERSION``, part of that hash): building an unchanged library splits nothing.
"""

from __future__ import annotations

import sqlite_utils

from corpus.articles.split import Attachment, Split, split_document

VERSION = "1"  # raise it when the splitter's rules change: every document is split again
BATCH = 500

_COLUMNS = ("document_id", "ordinal", "kind", "number", "path", "anchor", "heading", "text",
            "value", "measure", "attachment_id", "start", "stop")  # fmt: skip
_INSERT = f"INSERT INTO articles ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_HASH = "coalesce(content_hash, '') || ':' || ?"


def assign_articles(db: sqlite_utils.Database) -> dict[str, int]:
    """Split every document whose content changed since it was last split; counts."""
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
            inserts, updates = [], []
            for pk, title, body, digest in rows:
                found = split_document(
                    title or "",
                    body,
                    (lambda pk=pk: _attachments(db, pk)) if pk in with_files else (),
                )
                inserts += _rows(pk, found)
                updates.append((len(found.articles), digest, pk))
                counts["articles"] += len(found.articles)
                counts["from_attachments"] += found.attachment_id is not None
            db.conn.executemany(
                "DELETE FROM articles WHERE document_id = ?", [(pk,) for pk in chunk]
            )
            db.conn.executemany(_INSERT, inserts)
            db.conn.executemany(
                "UPDATE documents SET article_count = ?, articles_hash = ? WHERE id = ?", updates
            )
            counts["documents_split"] += len(rows)
    return counts


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
