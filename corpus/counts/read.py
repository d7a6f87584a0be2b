"""Reading the precomputed counts: whether they hold for a file, and one view's counts.

Plain functions of a ``sqlite3.Connection``; the site calls them on Datasette's read thread.
``register_counts_hold`` gives a connection the SQL function ``nd_counts_hold()``, so one canned
query can read the counts while they hold and the rows otherwise (``corpus.site.queries``).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from array import array
from collections.abc import Callable
from typing import Any

from corpus.counts import FACETS

# The SQL function saying whether the counts hold (1) or not (0) for the connection's file.
COUNTS_HOLD = "nd_counts_hold"


def fresh(conn: sqlite3.Connection) -> bool:
    """Whether the counts stored in the library are those of its rows.

    They are when the build that ``build_info`` names wrote them, no crawl run has started since
    (a crawl changes rows without counting), and the documents and interpretations are as many
    as were counted. A library built before the counts existed has none: False.
    """
    try:
        row = conn.execute("SELECT value FROM build_info WHERE key = 'built_at'").fetchone()
        built_at = row[0] if row else None
        stamps = [r[0] for r in conn.execute("SELECT built_at FROM counts_built")]
        if not built_at or stamps != [built_at]:
            return False
        if conn.execute(
            "SELECT 1 FROM crawl_runs WHERE started_at > ? LIMIT 1", [built_at]
        ).fetchone():
            return False
        for table in FACETS:
            stored = total(conn, table)
            if (
                stored is None
                or stored != conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            ):
                return False
    except sqlite3.Error:  # no such table: a library of an older schema
        return False
    return True


def counts_hold(path: str) -> Callable[[], int]:
    """``fresh`` of the library at ``path`` as a function of no arguments, asked again only when
    the file changed (``PRAGMA data_version``: another connection committed).

    It reads on a connection of its own, opened at the first call: holding the connection the
    function is registered on would keep that connection alive for good (SQLite holds the
    function, and Python's collector does not see that reference).
    """
    state: dict[str, Any] = {}

    def hold() -> int:
        if "conn" not in state:
            state["conn"] = sqlite3.connect(path, check_same_thread=False)
        conn = state["conn"]
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if state.get("version") != version:
            state["version"], state["value"] = version, int(fresh(conn))
        return state["value"]

    return hold


def register_counts_hold(conn: sqlite3.Connection, immutable: bool) -> None:
    """Give ``conn`` the SQL function ``nd_counts_hold()``: 1 while the counts hold, else 0.

    Declared deterministic: SQLite then evaluates it once per statement, not per row, and a
    ``WHERE`` term made of it alone (``where nd_counts_hold()``, ``where not nd_counts_hold()``)
    is tested before its loop, so the branch that does not apply reads nothing. An immutable
    file cannot change: answered once, now; a mutable one is asked again when it changed
    (``counts_hold``). A connection with no file (``:memory:``): 0.
    """
    if immutable:
        value = int(fresh(conn))
        conn.create_function(COUNTS_HOLD, 0, lambda: value, deterministic=True)
        return
    path = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    hold = counts_hold(path) if path else (lambda: 0)
    conn.create_function(COUNTS_HOLD, 0, hold, deterministic=True)


def total(conn: sqlite3.Connection, table: str, column: str = "", value=None) -> int | None:
    """The number of rows of ``table`` (where ``column`` = ``value``), as counted; None when it
    was not counted (a table the build did not count)."""
    row = conn.execute(
        """SELECT count FROM facet_counts WHERE table_name = ? AND filter_column = ?
           AND filter_value IS ? AND facet_column = '' """,
        [table, column, value],
    ).fetchone()
    return row[0] if row else None


def totals(conn: sqlite3.Connection) -> dict[str, int]:
    """The number of rows of every table the build counted."""
    return dict(
        conn.execute(
            "SELECT table_name, count FROM facet_counts"
            " WHERE filter_column = '' AND facet_column = ''"
        ).fetchall()
    )


def stored_value(conn: sqlite3.Connection, table: str, column: str, value: str):
    """``value`` (a filter's text, as a URL gives it) as a column that is not TEXT stores it, or
    None when no row has it: ``?year=2020`` is the integer 2020. SQLite's own comparison decides
    (its affinity rules), through the index the column leads (``documents.year`` has one)."""
    row = conn.execute(
        f'SELECT "{column}" FROM {table} WHERE "{column}" = ? LIMIT 1', [value]
    ).fetchone()
    return row[0] if row else None


def facet(
    conn: sqlite3.Connection,
    table: str,
    column: str,
    view: tuple[str, object] = ("", None),
    limit: int = -1,
) -> list[tuple]:
    """(value, count) of ``column`` in the view ``(filter column, filter value)`` of ``table``,
    most frequent first, then by value (Datasette's order), at most ``limit``."""
    return conn.execute(
        """SELECT value, count FROM facet_counts
           WHERE table_name = ? AND filter_column = ? AND filter_value IS ? AND facet_column = ?
           ORDER BY count DESC, value LIMIT ?""",
        [table, view[0], view[1], column, limit],
    ).fetchall()


def search_facets(conn: sqlite3.Connection, table: str) -> tuple | None:
    """(facet columns, their combinations, the rows of each, each search_rowid's combination as
    an ``array``) of ``table``, as the build stored them (``step.search_facets``), or None."""
    row = conn.execute(
        "SELECT columns, combos, codes FROM search_facets WHERE table_name = ?", [table]
    ).fetchone()
    if row is None:
        return None
    codes = array("i")
    codes.frombytes(row[2])
    if sys.byteorder == "big":
        codes.byteswap()
    combos = json.loads(row[1])
    return (
        tuple(json.loads(row[0])),
        [tuple(c[:-1]) for c in combos],
        [c[-1] for c in combos],
        codes,
    )
