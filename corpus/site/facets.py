"""The facets of the big tables: read from the build's counts where it counted the view, else
counted live — all of them in one pass over a search's matches.

metadata.yml declares the facets of the tables ``corpus.counts`` counts (documents,
interpretations) as ``{counted: <column>}``: this class (``type = "counted"``, registered by the
plugin's ``register_facet_classes``) answers them; ``?_facet=<column>`` still asks Datasette's
own column facet. The results have Datasette's column-facet shape (``"type": "column"``, the same
values, labels, order, links), from one of three sources:

- **the build's counts** (``facet_counts``), when they hold for the file (``corpus.counts.read.fresh``)
  and the view is one the build counted: the whole table, or one ``column=value`` (or
  ``column__exact=value``) filter on a facet column, with nothing else that changes which rows
  are shown (``ONLY_SHOWN``: paging, sorting, columns, format). The SQL Datasette built for the
  facets must be that of such a view, or the live count is made. On later pages (``?_next=``) the
  counts are the view's — as on its first page and as its row count — where Datasette's own
  facet would count only the rows after the page.
- **the search's tally** (``table_search.tally``: one pass over the index, each match's
  combination of facet values from the build's map ``search_facets``, kept per process), for a
  full-text search (``?_search=``, with or without ``column=value`` filters on facet columns):
  no row is read, and the page's row count is summed from the same tally
  (corpus/site/table_search.py) — a search filtered to few rows is left to SQL.
- **one pass** over any other search's matches: ``GROUP BY`` all the facet columns at once and the
  counts summed here, instead of matching the search again for each facet (three to five times
  faster); under the time limit of all the facets together.
- **each facet on its own**, as Datasette does (its SQL and time limit), for any other view: a
  filter on a facet column reads that column's covering index (migration 10) only.
"""

from __future__ import annotations

from collections import Counter

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import (
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
)

from corpus.counts import FACETS
from corpus.counts import read as counts
from corpus.site import counted, table_search
from corpus.site.table_search import ONLY_SHOWN

TYPE = "counted"


def quoted(column: str) -> str:
    """A column as Datasette's filters write it (``"status"``)."""
    escaped = escape_sqlite(column)
    return f'"{column}"' if escaped == column else escaped


# Datasette's filters this class evaluates itself: lookup → the operator of its SQL
_COMPARED = {"exact": "=", "not": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
# the facet columns declared INTEGER (order comparisons with a whole number are numeric there)
_INTEGER = {"documents": ("year",)}


def _passes(value, op: str, wanted) -> bool:
    """SQLite's ``value <op> wanted`` for a stored value and a parameter as Datasette binds it
    (NULL passes nothing; numbers sort before text, as in SQLite)."""
    if value is None or wanted is None:
        return op == "!=" and value is not None and wanted is None
    if op == "=":
        return value == wanted
    if op == "!=":
        return value != wanted
    a, b = sqlite_order(value), sqlite_order(wanted)
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def sqlite_order(value) -> tuple:
    """Sort key of a value in SQLite's order (numbers, then text, then blobs; text by code point,
    which is the BINARY collation's byte order in UTF-8)."""
    if isinstance(value, bool | int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, value)


class CountedFacet(Facet):
    type = TYPE

    async def facet_results(self):
        configs = self.get_configs()
        if not configs:
            return [], []
        wanted = [
            (c["source"], c["config"].get("column") or c["config"]["simple"]) for c in configs
        ]
        size = self.get_facet_size()
        db = self.ds.get_database(self.database)
        columns = list(dict.fromkeys(column for _, column in wanted))
        view = await self.counted_view(db)
        found: dict[str, list[tuple]] = {}
        timed_out: list[str] = []
        if view is not None:
            known = [c for c in columns if c in FACETS[self.table]]

            def read(conn):
                return {c: counts.facet(conn, self.table, c, view, size + 1) for c in known}

            found = await db.execute_fn(read)
        rest = [c for c in columns if c not in found]
        if rest and view is None:
            mapped = await self.searched(db, rest, size)
            if mapped is None:
                mapped = await self.filtered(db, rest, size)
            if mapped is not None:
                found, timed_out = mapped
                rest = [c for c in columns if c not in found and c not in timed_out]
        if len(rest) > 1 and " match " in self.sql:
            more, late = await self.one_pass(db, rest, size)
        else:
            more, late = await self.each(db, rest, size)
        found.update(more)
        timed_out += late
        results = [
            await self.result(source, column, found[column], size)
            for source, column in wanted
            if column in found
        ]
        return results, timed_out

    def equality_filters(self, also: tuple[str, ...] = ()) -> list[tuple[str, str]] | None:
        """``table_search.equality_filters`` of this request and table."""
        return table_search.equality_filters(self.request.args, self.table, also)

    async def sql_is(self, db, filters: list[tuple[str, str]], more: tuple[str, ...] = ()) -> bool:
        """Whether Datasette's SQL for the facets is that of ``filters`` (in its order: sorted,
        :p0, :p1 …) and then the clauses ``more``, on any page."""
        columns = await db.table_columns(self.table)
        select = ", ".join(escape_sqlite(c) for c in columns)
        sql = f"select {select} from {escape_sqlite(self.table)} "
        clauses = []
        for i, (column, value) in enumerate(sorted(filters)):
            if self.params.get(f"p{i}") != value:
                return False
            clauses.append(f"{quoted(column)} = :p{i}")
        where = " and ".join([*clauses, *more])
        if "_next" in self.request.args:  # Datasette adds the page's place after the filters
            return self.sql.startswith(sql + "where " + (f"{where} and " if where else ""))
        return self.sql == sql + (f"where {where} " if where else "")

    async def counted_view(self, db) -> tuple[str, object] | None:
        """The view the build counted that these facets are of, as (filter column, value as
        stored), or None when there is none (then the facets are counted live)."""
        if self.table not in FACETS or not await counted.fresh(db):
            return None
        filters = self.equality_filters()
        if filters is None or len(filters) > 1 or not await self.sql_is(db, filters):
            return None
        if not filters:
            return ("", None)
        column, value = filters[0]
        return (column, await self.stored(db, column, value))

    async def searched(self, db, columns: list[str], size: int):
        """The facets of ``columns`` of a full-text search, counted from the search's tally
        (``table_search.tally``: its matches' combinations of facet values, one pass over the
        index, shared with the page's row count); None when that cannot be done here."""
        conf = table_search.search_config(self.ds, self.database, self.table)
        search = self.request.args.get("_search")
        if not (conf and search) or self.table not in FACETS or not await counted.fresh(db):
            return None
        fts, pk = conf
        mapped = await table_search.search_map(db, self.table)
        if mapped is None or not set(columns) <= set(mapped[0]):
            return None
        names, combos, _, _ = mapped
        windowed = table_search.windowed(self.params)
        if windowed is not None:  # the filter made the window from these very filters
            wanted = windowed.wanted
        else:
            filters = self.equality_filters(also=("_search",))
            match = table_search.match_clause(fts, pk)
            if (
                filters is None
                or self.params.get("search") != search
                or not await self.sql_is(db, filters, (match,))
            ):
                return None
            wanted = tuple([(names.index(c), await self.stored(db, c, v)) for c, v in filters])
            if filters:
                # a filter that leaves few rows: SQL reads those through the column's index
                # and never runs the search, the tally would read all of its matches
                def rows_of(conn):
                    return [counts.total(conn, self.table, c, v) or 0 for (c, _), (_, v) in
                            zip(filters, wanted, strict=True)]  # fmt: skip

                if min(await db.execute_fn(rows_of)) < table_search.FEW_ROWS:
                    return None
        limit = self.ds.setting("facet_time_limit_ms") * len(columns)
        try:
            found = await table_search.tally(db, self.table, fts, search, limit)
        except QueryInterrupted:
            return {}, list(columns)
        if found is None:
            return None  # not the index the map was made of: counted by SQL
        tallies = {c: Counter() for c in columns}
        at = [(c, names.index(c)) for c in columns]
        for code, n in found.items():
            combo = combos[code]
            if not table_search.passes(combo, wanted):
                continue
            for column, i in at:
                if combo[i] is not None:
                    tallies[column][combo[i]] += n
        return {
            c: sorted(t.items(), key=lambda vc: (-vc[1], sqlite_order(vc[0])))[: size + 1]
            for c, t in tallies.items()
        }, []

    async def filtered(self, db, columns: list[str], size: int):
        """The facets of ``columns`` of a view whose filters are all comparisons of facet columns
        (``kind=normative&year__gte=2020``), summed over the build's combinations of facet values
        (``search_facets``: each with its number of rows) that pass them; None when the view is
        another (then counted by SQL)."""
        if self.table not in FACETS or not await counted.fresh(db):
            return None
        filters = self.compared_filters()
        if not filters or not await self.sql_is_compared(db, filters):
            return None
        mapped = await self.search_map(db)
        if mapped is None or not set(columns) <= set(mapped[0]):
            return None
        names, combos, rows, _ = mapped
        tests = []
        for column, op, value in filters:
            if op in ("=", "!="):
                value = await self.stored(db, column, value)
            tests.append((names.index(column), op, value))
        tallies = {c: Counter() for c in columns}
        at = [(c, names.index(c)) for c in columns]
        for combo, n in zip(combos, rows, strict=True):
            if not all(_passes(combo[i], op, value) for i, op, value in tests):
                continue
            for column, i in at:
                if combo[i] is not None:
                    tallies[column][combo[i]] += n
        return {
            c: sorted(t.items(), key=lambda vc: (-vc[1], sqlite_order(vc[0])))[: size + 1]
            for c, t in tallies.items()
        }, []

    def compared_filters(self) -> list[tuple[str, str, object]] | None:
        """The request's filters as (facet column, operator, Datasette's parameter), sorted as
        Datasette sorts them, when each is an (in)equality of a facet column or an order
        comparison of an INTEGER one with a whole number; else None."""
        args = self.request.args
        special = [key for key in args if key.startswith("_") and "__" not in key]
        if any(k not in ONLY_SHOWN and not k.startswith("_facet_") for k in special):
            return None
        out = []
        for key, value in sorted(
            (k, v)
            for k in args
            if not (k.startswith("_") and "__" not in k)
            for v in args.getlist(k)
        ):
            column, _, lookup = key.partition("__")
            op = _COMPARED.get(lookup or "exact")
            if column not in FACETS.get(self.table, ()) or op is None:
                return None
            if op not in ("=", "!="):
                if not (value.isascii() and value.isdigit()) or column not in _INTEGER.get(
                    self.table, ()
                ):
                    return None
                value = int(value)  # Datasette's numeric filters bind whole numbers as such
            out.append((column, op, value))
        return out

    async def sql_is_compared(self, db, filters) -> bool:
        """Whether Datasette's SQL for the facets is that of ``filters``, on any page."""
        columns = await db.table_columns(self.table)
        select = ", ".join(escape_sqlite(c) for c in columns)
        sql = f"select {select} from {escape_sqlite(self.table)} "
        clauses = []
        for i, (column, op, value) in enumerate(filters):
            if self.params.get(f"p{i}") != value:
                return False
            clauses.append(f"{quoted(column)} {op} :p{i}")
        where = " and ".join(clauses)
        if "_next" in self.request.args:
            return self.sql.startswith(f"{sql}where {where} and ")
        return self.sql == f"{sql}where {where} "

    async def search_map(self, db):
        """``corpus.counts.read.search_facets`` of this table, read once per database."""
        return await table_search.search_map(db, self.table)

    async def stored(self, db, column: str, value: str):
        """A filter's text as the column stores it (``?year=2020``: the integer 2020)."""
        return await table_search.stored_value(db, self.table, column, value)

    async def one_pass(self, db, columns: list[str], size: int):
        """Every facet of ``columns`` from one ``GROUP BY`` of them all (a search's matches)."""
        cols = ", ".join(escape_sqlite(c) for c in columns)
        sql = f"select {cols}, count(*) from ({self.sql}) group by {cols}"
        limit = self.ds.setting("facet_time_limit_ms") * len(columns)
        try:
            rows = await db.execute(sql, self.params, truncate=False, custom_time_limit=limit)
        except QueryInterrupted:
            return {}, list(columns)
        tallies = {c: Counter() for c in columns}
        for row in rows.rows:
            n = row[len(columns)]
            for i, column in enumerate(columns):
                if row[i] is not None:
                    tallies[column][row[i]] += n
        return {
            c: sorted(t.items(), key=lambda vc: (-vc[1], sqlite_order(vc[0])))[: size + 1]
            for c, t in tallies.items()
        }, []

    async def each(self, db, columns: list[str], size: int):
        """Each facet of ``columns`` by its own query, as Datasette's column facet counts it."""
        found, timed_out = {}, []
        for column in columns:
            col = escape_sqlite(column)
            sql = (
                f"select {col} as value, count(*) as count from ({self.sql})"
                f" where {col} is not null group by {col} order by count desc, value"
                f" limit {size + 1}"
            )
            try:
                rows = await db.execute(
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            found[column] = [(r[0], r[1]) for r in rows.rows]
        return found, timed_out

    async def result(self, source: str, column: str, rows: list[tuple], size: int) -> dict:
        """One facet in the shape of Datasette's column facet (datasette/facets.py)."""
        qs_pairs = self.get_querystring_pairs()
        shown = rows[:size]
        expanded = await self.ds.expand_foreign_keys(
            self.database, self.table, column, [value for value, _ in shown]
        )
        values = []
        for value, count in shown:
            column_qs = f"{column}__exact" if column.startswith("_") else column
            selected = (column_qs, str(value)) in qs_pairs
            if selected:
                toggle = path_with_removed_args(self.request, {column_qs: str(value)})
            else:
                toggle = path_with_added_args(self.request, {column_qs: value})
            values.append(
                {
                    "value": value,
                    "label": expanded.get((column, value), value),
                    "count": count,
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                    "selected": selected,
                }
            )
        return {
            "name": column,
            "type": "column",
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(
                path_with_removed_args(self.request, {f"_facet_{TYPE}": column})
            ),
            "results": values,
            "truncated": len(rows) > size,
        }
