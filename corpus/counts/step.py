"""The build step: every precounted view counted again from the rows (see the package docstring).

Each table of ``FACETS`` is read once, grouped by all its facet columns together (a covering
index holds them all), and every view's counts are summed from those groups in Python; the
departments are read once through the same index. Everything is replaced in one transaction,
stamped with the build's ``built_at`` (``counts_built``). The tables are migration 12's
(``corpus.store.schema``).
"""

from __future__ import annotations

import json
import sys
from array import array
from collections import Counter, defaultdict

import sqlite_utils

from corpus.counts import CATALOGUE_KINDS, CATALOGUE_ORDER, CATALOGUE_STATUSES, FACETS, sql_list

OWN = ("facet_counts", "department_counts", "department_rates", "department_catalogue",
       "search_facets", "counts_built")  # fmt: skip


def count_views(db: sqlite_utils.Database, built_at: str) -> dict:
    """Count every precounted view of ``db`` again; return what was written."""
    rows: list[tuple] = []
    views = 0
    for table, columns in FACETS.items():
        counted = facet_counts(db, table, columns)
        views += len({(r[1], r[2]) for r in counted})
        rows += counted
    # not the tables this step and the build write after the counts
    rows += [
        (t, "", None, "", None, n)
        for t, n in table_totals(db, exclude={*FACETS, *OWN, "build_info"}).items()
    ]
    departments = department_counts(db)
    rates = db.execute(
        "SELECT department, year, documents, interpreted, interpreted_same_day"
        " FROM interpretation_rates"
    ).fetchall()
    catalogue = department_catalogue(db)
    searched = [r for r in (search_facets(db, t, c) for t, c in FACETS.items()) if r]
    with db.conn:
        for name in OWN:
            db.execute(f"DELETE FROM {name}")
        db.conn.executemany("INSERT INTO facet_counts VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.conn.executemany("INSERT INTO department_counts VALUES (?, ?, ?, ?, ?)", departments)
        db.conn.executemany("INSERT INTO department_rates VALUES (?, ?, ?, ?, ?)", rates)
        db.conn.executemany("INSERT INTO department_catalogue VALUES (?, ?, ?)", catalogue)
        db.conn.executemany("INSERT INTO search_facets VALUES (?, ?, ?, ?)", searched)
        db.execute("INSERT INTO counts_built (built_at) VALUES (?)", [built_at])
    return {
        "views": views,
        "rows": len(rows),
        "departments": len({r[0] for r in departments}),
        "catalogue": len(catalogue),
    }


def facet_counts(db: sqlite_utils.Database, table: str, columns: tuple[str, ...]) -> list[tuple]:
    """``facet_counts`` rows of ``table``: the whole table and each one-filter view, each with its
    number of rows and the count of every non-NULL value of every facet column."""
    cols = ", ".join(f'"{c}"' for c in columns)
    groups = db.execute(f"SELECT {cols}, count(*) FROM {table} GROUP BY {cols}").fetchall()
    totals: Counter = Counter()
    values: defaultdict[tuple, Counter] = defaultdict(Counter)
    for *combo, n in groups:
        present = [(c, v) for c, v in zip(columns, combo, strict=True) if v is not None]
        # equality never matches NULL: no view filters on it, no facet shows it
        for view in [("", None), *present]:
            totals[view] += n
            for column, value in present:
                values[(*view, column)][value] += n
    rows = [(table, fc, fv, "", None, n) for (fc, fv), n in totals.items()]
    rows += [
        (table, fc, fv, column, value, n)
        for (fc, fv, column), counter in values.items()
        for value, n in counter.items()
    ]
    return rows


def table_totals(db: sqlite_utils.Database, exclude=()) -> dict[str, int]:
    """The number of rows of every ordinary table (not virtual, not SQLite's own)."""
    names = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
        if name not in exclude
    ]
    return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def department_counts(db: sqlite_utils.Database) -> list[tuple]:
    """(department, status, kind, site, documents): each document once per department it is of.

    ``CROSS JOIN`` keeps documents outside, read from a covering index of the facet columns (the
    rows themselves hold the text: reading them is the slow part), the department looked up in
    ``document_departments``'s primary key.
    """
    return db.execute(
        """SELECT dd.department, d.status, d.kind, d.site, count(*)
           FROM documents d CROSS JOIN document_departments dd ON dd.document_id = d.id
           GROUP BY dd.department, d.status, d.kind, d.site"""
    ).fetchall()


def department_catalogue(db: sqlite_utils.Database) -> list[tuple]:
    """(department, seq, document id): each department's 现行有效目录, numbered 1, 2, … in order.

    Found through the status index (``+kind``: not the kind index, which holds far more).
    """
    return db.execute(
        f"""SELECT dd.department,
             row_number() OVER (PARTITION BY dd.department ORDER BY {CATALOGUE_ORDER}), d.id
           FROM documents d CROSS JOIN document_departments dd ON dd.document_id = d.id
           WHERE d.status IN {sql_list(CATALOGUE_STATUSES)}
             AND +d.kind IN {sql_list(CATALOGUE_KINDS)}"""
    ).fetchall()


def search_facets(db: sqlite_utils.Database, table: str, columns: tuple[str, ...]) -> tuple | None:
    """A ``search_facets`` row of ``table``: every distinct combination of its facet values with
    the number of rows that have it (``combos``, JSON: the values, then the count) and, for each
    ``search_rowid`` (the full-text index's rowid), the number of its row's combination (``codes``:
    little-endian int32, -1 where no row has the number). None when a number is not a row's
    alone, or a row has none (then the site counts by SQL)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    top = db.execute(f"SELECT max(search_rowid) FROM {table}").fetchone()[0]
    if top is None or top > 50_000_000:
        return None
    codes = array("i", [-1]) * (top + 1)
    index: dict[tuple, int] = {}
    rows: Counter = Counter()
    for rowid, *combo in db.execute(
        f"SELECT search_rowid, {cols} FROM {table} WHERE search_rowid >= 0"
    ):
        code = index.setdefault(tuple(combo), len(index))
        if codes[rowid] != -1:
            return None
        codes[rowid] = code
        rows[code] += 1
    if sum(rows.values()) != db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
        return None
    if sys.byteorder == "big":
        codes.byteswap()
    combos = json.dumps([[*c, rows[i]] for c, i in index.items()], ensure_ascii=False)
    return (table, json.dumps(columns), combos, codes.tobytes())
