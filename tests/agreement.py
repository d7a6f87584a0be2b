"""What the crawler stored for one page, against the mirror's truth, field by field.

One definition shared by every agreement test of a crawl (families, real shapes): the same
fields, the same empty-equals-empty rule, attachments compared as (url, name, ext, text) sets.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def rows(db: Path, sql: str, *args: object) -> list[sqlite3.Row]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def page_checks(db: Path, table: str, page: dict, fields: tuple[str, ...]) -> list[tuple]:
    """(field, truth, stored) for each of ``fields`` and the page's attachments."""
    stored = rows(db, f"SELECT * FROM {table} WHERE url = ?", page["url"])
    row = dict(stored[0]) if stored else {}
    files = rows(
        db,
        f"SELECT a.url, a.name, a.ext, a.text FROM attachments a JOIN {table} p "
        "ON a.parent_id = p.id WHERE a.parent_table = ? AND p.url = ?",
        table,
        page["url"],
    )
    checks = [(f, page[f], row.get(f, "<missing>")) for f in fields]
    checks.append(
        (
            "attachments",
            sorted((a["url"], a["name"], a["ext"], a["text"]) for a in page["attachments"]),
            sorted(tuple(a) for a in files),
        )
    )
    return checks


def agrees(want: object, got: object) -> bool:
    """Equal, with an empty value and a missing one the same."""
    return (want or None) == (got or None)
