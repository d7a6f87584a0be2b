"""The table search (``/normdocs/documents?_search=…``): one pass over the search index a
request, where Datasette's own makes three.

Datasette's table view, given ``?_search=``, runs the search inside each of its queries — the
page's rows (sorted by date: every match joined to the table and sorted), the row count, each
facet. For a word in a third of a million documents each pass is ~250–350 ms. Here:

- **the rows**: this module's ``filters_from_request`` (registered by the plugin for the tables
  whose metadata has ``search: {index: …, pk: …}`` in place of Datasette's ``fts_table``) finds,
  from the index read newest first (rowids are in publication order, corpus/search/index.py) and
  the build's map of each row's facet values, the few rowids the page can show — the page's rows
  and one more, and the rest of the last date they reach (Datasette orders rows of one date as it
  likes) — and restricts the search to that window of rowids. The index stops reading there.
- **the row count**: the window makes the view's own ``count(*)`` wrong, so the library's
  database (``LibraryDatabase``, made by corpus.site.serve) answers the count query of a
  windowed search itself, from one pass over the search's matches: each match's combination of
  facet values counted (``tally``), the combinations the filters pass summed.
- **the facets**: the same tally (corpus/site/facets.py), so the pass is made once a request —
  and once a process for the same search: the file is immutable, the tallies are kept (LRU).

The window is used only where all three hold: the build's counts and map hold for the file
(``counted.fresh``); the view's filters are ``column=value`` on facet columns (the map counts
them) and nothing else changes which rows are shown; the order is the default one (newest
first: the order of the rowids); the page is asked as HTML or JSON (a CSV export and a stream
page through the rows themselves). Anything else is Datasette's search, unchanged, through the
same clause (``match_clause``).
"""

from __future__ import annotations

import re
import uuid
import weakref
from collections import Counter, OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass

from datasette.database import Database, QueryInterrupted, Results
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, sqlite_timelimit, urlsafe_components

from corpus.counts import FACETS
from corpus.counts import read as counts
from corpus.site import counted

# Arguments that change how rows are shown, never which rows a view has (Datasette's own, those
# of the plugins the site uses, the site's).
ONLY_SHOWN = frozenset(
    {
        "_next", "_sort", "_sort_desc", "_size", "_col", "_nocol", "_labels", "_nolabels",
        "_facet", "_facet_size", "_dl", "_stream", "_bom", "_feed_title", "_shape", "_json",
        "_json_infinity", "_trace", "_timelimit", "_nocount", "_nofacet", "_nosuggest",
        "_context", "_hide_sql", "_show_sql",
    }
)  # fmt: skip
FEW_ROWS = 5_000  # a search filtered to fewer rows than this is left to SQL (an index finds them)
WALK = 20_000  # matches read newest first to find a page's rows before giving up the window
WINDOW = "nd_window"  # the parameter naming a windowed search (never in Datasette's own SQL)
ORDER = "published_date"  # the order of the index's rowids (newest = the biggest rowid)
_TEXT = ("CHAR", "CLOB", "TEXT")  # SQLite's TEXT affinity
_LAST = 9223372036854775807


def search_config(datasette, database: str, table: str) -> tuple[str, str] | None:
    """The table's search index and the column holding each row's rowid in it (metadata
    ``search: {index, pk}``), or None for a table without one."""
    meta = datasette.table_metadata(database, table) or {}
    conf = meta.get("search")
    if not isinstance(conf, dict) or not conf.get("index"):
        return None
    return conf["index"], conf.get("pk") or "rowid"


def match_clause(fts: str, pk: str, window: bool = False, raw: bool = False) -> str:
    """The search's WHERE clause (``:search``, the words; with ``window``, the rowids between
    ``:nd_lo`` and ``:nd_hi`` only; ``raw``: the index's own query syntax, not escaped)."""
    fts = escape_sqlite(fts)
    bounds = " and rowid between :nd_lo and :nd_hi" if window else ""
    query = ":search" if raw else "escape_fts(:search)"
    return f"{escape_sqlite(pk)} in (select rowid from {fts} where {fts} match {query}{bounds})"


def raw_search(request, meta: dict) -> bool:
    """Whether the search is the index's query syntax (``OR``, ``NOT``, ``"…"``), as Datasette
    reads it: the table's ``searchmode: raw``, else ``?_searchmode=raw`` / ``escaped``."""
    mode = request.args.get("_searchmode")
    return mode == "raw" if mode in ("raw", "escaped") else meta.get("searchmode") == "raw"


@dataclass(frozen=True)
class Search:
    """A windowed search: what its count and facets are counted from."""

    table: str
    fts: str
    search: str
    wanted: tuple[tuple[int, object], ...]  # (place in the map's combination, stored value)


# The windowed searches of this request, by the token in their parameters (WINDOW). Per
# request, not per process: the view's count query and its facets run in the task (or tasks
# copied from it) whose filter made the window, and a store shared by the requests in flight
# lost the oldest ones' searches under load (their count and facets were then the window's).
_SEARCHES: ContextVar[dict[str, Search] | None] = ContextVar("nd_searches", default=None)


def windowed(params: dict | None) -> Search | None:
    """The windowed search whose parameters these are, if any."""
    token = (params or {}).get(WINDOW)
    if not token:
        return None
    return (_SEARCHES.get() or {}).get(token)


def _remember(search: Search) -> str:
    token = uuid.uuid4().hex
    _SEARCHES.set({**(_SEARCHES.get() or {}), token: search})
    return token


# ---------------------------------------------------------------- the map and the tallies

# per immutable database: the map of each table, and the tallies of the last searches
_MAPS: weakref.WeakKeyDictionary[Database, dict] = weakref.WeakKeyDictionary()
_TALLIES: weakref.WeakKeyDictionary[Database, OrderedDict] = weakref.WeakKeyDictionary()


async def search_map(db: Database, table: str):
    """``corpus.counts.read.search_facets`` of ``table``: read once per immutable database."""
    maps = _MAPS.setdefault(db, {}) if not db.is_mutable else {}
    if table not in maps:
        maps[table] = await db.execute_fn(lambda conn: counts.search_facets(conn, table))
    return maps[table]


async def tally(db: Database, table: str, fts: str, search: str, limit_ms: int) -> Counter | None:
    """How many matches of ``search`` each combination of facet values has (the map's codes),
    from one pass over the index; kept per immutable database (the last 64 searches). None
    where the index is not the one the map was made of; QueryInterrupted past ``limit_ms``."""
    key = (table, fts, search)
    kept = None if db.is_mutable else _TALLIES.setdefault(db, OrderedDict())
    if kept is not None and key in kept:
        kept.move_to_end(key)
        return kept[key]
    mapped = await search_map(db, table)
    if mapped is None:
        return None
    codes = mapped[3]
    sql = f"select rowid from {escape_sqlite(fts)} where {escape_sqlite(fts)} match escape_fts(?)"

    def count(conn):
        with sqlite_timelimit(conn, limit_ms):
            rowids = [r for (r,) in conn.execute(sql, [search])]
        if rowids and (min(rowids) < 0 or max(rowids) >= len(codes)):
            return None  # not the index the map was made of
        found = Counter(map(codes.__getitem__, rowids))  # counted in C, not row by row
        return None if -1 in found else found

    result = await db.execute_fn(count)
    if kept is not None and result is not None:
        kept[key] = result
        while len(kept) > 64:
            kept.popitem(last=False)
    return result


def passes(combo: tuple, wanted) -> bool:
    """Whether a combination of facet values passes the filters ``wanted`` ((place, value))."""
    return all(combo[i] is not None and combo[i] == v for i, v in wanted)


async def row_count(db: Database, search: Search, limit_ms: int) -> int | None:
    """The rows of a windowed search (all its matches the filters pass), from its tally."""
    found = await tally(db, search.table, search.fts, search.search, limit_ms)
    if found is None:
        return None
    combos = (await search_map(db, search.table))[1]
    return sum(n for code, n in found.items() if passes(combos[code], search.wanted))


# Datasette 0.65's first page of a sorted table view: `… order by <column>[ desc] limit <n>`
_FIRST_PAGE = re.compile(
    r"^(select .+? from (?P<table>[a-z_]+) (where .+ )?order by (?P<column>\S+)( desc)?)"
    r" (limit \d+)$",
    re.S,
)
# its end, looked for first: every query of the site passes here, and the whole pattern takes
# up to ~0.7 ms on a long statement
_FIRST_PAGE_END = re.compile(r" order by \S+( desc)? limit \d+$")
# The table whose table view this task answers: Datasette calls ``filters_from_request`` for
# every table view, before its page's query. Only that view's first page is ``tie_broken``:
# a query of the same shape that a reader (the SQL page) or a canned query wrote is run as
# written (``order by x, id`` may name no column of a subquery, or break a compound select).
_TABLE_VIEW: ContextVar[str | None] = ContextVar("nd_table_view", default=None)


def first_page(sql: str) -> re.Match | None:
    """``sql`` as the first page of a sorted table view (groups ``table``, ``column``), or None."""
    if not _FIRST_PAGE_END.search(sql, max(0, len(sql) - 200)):
        return None
    return _FIRST_PAGE.match(sql)


def tie_broken(sql: str, key: str, page: re.Match | None = None) -> str:
    """The first page of a sorted table view ordered as Datasette orders its later pages: by
    the sort column, then the table's ``key`` (its primary key columns, else rowid); ``page``:
    ``first_page(sql)``, where already known.

    Datasette 0.65 sorts the first page by the sort column alone and the later ones by the
    column and then the key (``_next`` = the last row's value and key). Where the first page's
    plan sorts (a search: matches joined, then sorted by date), rows of one date came in any
    order, so the next page repeated some of them and skipped others.
    """
    found = page or first_page(sql)
    if not found or found.group("column") == key:
        return sql
    return f"{found.group(1)}, {key} {found.group(6)}"


class LibraryDatabase(Database):
    """The library as Datasette serves it: it answers the row count of a windowed table search
    from the search's tally (its own ``count(*)`` would count the window only), and the first
    page of a sorted table view is ordered as its later pages (``tie_broken``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._keys: dict[str, str | None] = {}

    async def tie_breaker(self, table: str) -> str | None:
        """A table's key as Datasette's later pages order by it; None for a view."""
        if table not in self._keys:
            key = None
            if await self.table_exists(table):
                pks = await self.primary_keys(table)
                key = ", ".join(escape_sqlite(k) for k in pks) or "rowid"
            self._keys[table] = key
        return self._keys[table]

    async def execute(self, sql, params=None, truncate=False, custom_time_limit=None,
                      page_size=None, log_sql_errors=True):  # fmt: skip
        search = windowed(params) if sql.startswith("select count(*) from ") else None
        if search is None:
            page = first_page(sql)
            if page is not None and page.group("table") == _TABLE_VIEW.get():
                key = await self.tie_breaker(page.group("table"))
                sql = tie_broken(sql, key, page) if key else sql
            return await super().execute(
                sql, params, truncate=truncate, custom_time_limit=custom_time_limit,
                page_size=page_size, log_sql_errors=log_sql_errors,
            )  # fmt: skip
        limit = custom_time_limit or self.ds.setting("sql_time_limit_ms")
        n = await row_count(self, search, limit)
        if n is None:
            raise QueryInterrupted(None, sql, params)
        return Results([(n,)], False, [("count(*)", None, None, None, None, None, None)])


def publish(datasette, name: str, as_name: str | None = None) -> None:
    """Serve the database ``name`` through ``LibraryDatabase`` (as ``as_name``, else as it is
    named), however the Datasette was made: ``make_datasette`` (``normdocs serve``, the
    production app) and the ``datasette`` command line (the plugin's ``startup``) then answer
    the same pages the same way. A database that is one already, or is not a file, is left as
    it is."""
    db = datasette.databases.get(name)
    if db is None or isinstance(db, LibraryDatabase) or not db.path:
        return
    library = LibraryDatabase(datasette, path=db.path, is_mutable=db.is_mutable)
    library.cached_hash, library.cached_size = db.cached_hash, db.cached_size
    datasette.remove_database(name)
    route = db.route if as_name is None else as_name
    datasette.add_database(library, name=as_name or name, route=route)


def per_request(app):
    """ASGI wrapper: every request starts with no table view and no windowed searches of its
    own (``_TABLE_VIEW``, ``_SEARCHES``), and leaves none behind. A server runs each request in
    a task of its own, whose values die with it; a caller that drives the app without one (the
    ``datasette --get`` test client) would otherwise hand a table view's values to the next
    request — an SQL page of that table then had its query rewritten (``tie_broken``)."""

    async def wrapped(scope, receive, send) -> None:
        view, searches = _TABLE_VIEW.set(None), _SEARCHES.set(None)
        try:
            await app(scope, receive, send)
        finally:
            _SEARCHES.reset(searches)
            _TABLE_VIEW.reset(view)

    return wrapped


# ---------------------------------------------------------------- the filter


def equality_filters(args, table: str, also: tuple[str, ...] = ()) -> list[tuple[str, str]] | None:
    """The request's filters as (facet column, value), when each is ``column=value`` (or
    ``column__exact=value``) on a facet column of ``table`` and nothing else changes which rows
    are shown but the arguments ``also``; else None."""
    special = [key for key in args if key.startswith("_") and "__" not in key]
    if any(k not in ONLY_SHOWN and k not in also and not k.startswith("_facet_") for k in special):
        return None
    filters = []
    for key in args:
        if key.startswith("_") and "__" not in key:
            continue
        column = key.removesuffix("__exact")
        if column not in FACETS.get(table, ()):
            return None
        filters += [(column, value) for value in args.getlist(key)]
    return filters


async def stored_value(db: Database, table: str, column: str, value: str):
    """A filter's text as the column stores it (``?year=2020``: the integer 2020)."""
    details = {c.name: c.type for c in await db.table_column_details(table)}
    if any(t in (details.get(column) or "").upper() for t in _TEXT):
        return value  # a TEXT column compares text with text, byte for byte
    return await db.execute_fn(lambda conn: counts.stored_value(conn, table, column, value))


def _page_size(request, datasette, meta: dict) -> int | None:
    size = request.args.get("_size") or meta.get("size")
    if size == "max":
        return datasette.max_returned_rows
    try:
        size = int(size) if size else datasette.page_size
    except ValueError:
        return None  # Datasette answers the bad request
    return size if 0 <= size <= datasette.max_returned_rows else None


def _anchor(request) -> tuple[bool, object] | None:
    """The date the page starts after (``_next``: (True, date or None)), (False, None) on the
    first page, None for a ``_next`` not of the default order."""
    token = request.args.get("_next")
    if not token:
        return False, None
    parts = urlsafe_components(token)
    if len(parts) != 2:
        return None
    return True, None if token.split(",")[0] == "$null" else parts[0]


async def filters_from_request(request, database: str, table: str, datasette):
    """``?_search=`` for a table with a ``search`` configuration (see the module docstring);
    for every table view, the table its first page may be ``tie_broken`` for."""
    _TABLE_VIEW.set(table)
    conf = search_config(datasette, database, table)
    if conf is None:
        return None
    context = {"supports_search": True}
    search = request.args.get("_search")
    if not search or "_fts_table" in request.args:  # ?_fts_table=: Datasette's search, asked
        return FilterArguments([], {}, [], context)
    fts, pk = conf
    context["search"] = search
    params = {"search": search}
    described = [f'search matches "{search}"']
    if raw_search(request, datasette.table_metadata(database, table) or {}):
        # the window and the tally read the index with the words escaped
        return FilterArguments([match_clause(fts, pk, raw=True)], params, described, context)
    db = datasette.get_database(database)
    window = await _window(request, db, datasette, table, fts, search)
    if window is None:
        return FilterArguments([match_clause(fts, pk)], params, described, context)
    lo, hi, found = window
    params.update({"nd_lo": lo, "nd_hi": hi, WINDOW: _remember(found)})
    return FilterArguments([match_clause(fts, pk, window=True)], params, described, context)


async def _window(request, db, datasette, table, fts, search):
    """(lowest rowid, highest rowid, the search) of the window this page's rows lie in, or None
    where the window is not used (see the module docstring)."""
    meta = datasette.table_metadata(db.name, table) or {}
    fmt = request.url_vars.get("format") if hasattr(request, "url_vars") else None
    if not isinstance(db, LibraryDatabase) or fmt not in (None, "", "json"):
        return None
    if request.args.get("_sort") or request.args.get("_stream"):
        return None
    if meta.get("sort_desc") != ORDER or request.args.get("_sort_desc", ORDER) != ORDER:
        return None
    if table not in FACETS or not await counted.fresh(db):
        return None
    if any(k == "_facet" or (k.startswith("_facet_") and k != "_facet_size") for k in request.args):
        return None  # Datasette's own facets count the rows of its SQL: the window's
    filters = equality_filters(request.args, table, also=("_search",))
    size = _page_size(request, datasette, meta)
    anchor = _anchor(request)
    if filters is None or size is None or anchor is None:
        return None
    mapped = await search_map(db, table)
    if mapped is None or any(c not in mapped[0] for c, _ in filters):
        return None
    names, combos, _, codes = mapped
    wanted = tuple([(names.index(c), await stored_value(db, table, c, v)) for c, v in filters])
    if filters:
        # a filter that leaves few rows: SQL reads those through the column's index
        def rows_of(conn):
            return [counts.total(conn, table, c, v) or 0 for (c, _), (_, v) in
                    zip(filters, wanted, strict=True)]  # fmt: skip

        if min(await db.execute_fn(rows_of)) < FEW_ROWS:
            return None
    after, date = anchor
    limit = datasette.setting("sql_time_limit_ms")

    def bounds(conn):
        with sqlite_timelimit(conn, limit):
            hi, below = _LAST, _LAST
            if after:
                # the page starts within the rows of `date`: all of them are in the window, the
                # page's rows are looked for below them
                same = "is null" if date is None else "= ?"
                hi, below = conn.execute(
                    f"select max(search_rowid), min(search_rowid) from {escape_sqlite(table)}"
                    f" where {escape_sqlite(ORDER)} {same}",
                    [] if date is None else [date],
                ).fetchone()
                if hi is None:
                    return None
            need, floor = size + 1, 0
            sql = (
                f"select rowid from {escape_sqlite(fts)} where {escape_sqlite(fts)}"
                " match escape_fts(?) and rowid < ? order by rowid desc"
            )
            for seen, (rowid,) in enumerate(conn.execute(sql, [search, below])):
                if seen >= WALK or rowid >= len(codes) or codes[rowid] < 0:
                    return None
                if passes(combos[codes[rowid]], wanted):
                    need -= 1
                    if need == 0:
                        floor = rowid
                        break
            if floor:
                # every row of the last date reached: Datasette orders rows of one date as it
                # likes. Rows without a date are numbered first: their group starts at 0.
                (day,) = conn.execute(
                    f"select {escape_sqlite(ORDER)} from {escape_sqlite(table)}"
                    " where search_rowid = ?",
                    [floor],
                ).fetchone()
                floor = 0
                if day is not None:
                    (floor,) = conn.execute(
                        f"select min(search_rowid) from {escape_sqlite(table)}"
                        f" where {escape_sqlite(ORDER)} = ?",
                        [day],
                    ).fetchone()
            return floor, hi

    try:
        found = await db.execute_fn(bounds)
    except QueryInterrupted:
        return None
    if found is None:
        return None
    return found[0], found[1], Search(table, fts, search, wanted)
