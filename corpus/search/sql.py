"""The search as SQL: the functions registered on every connection, and the ranked query.

``register_functions`` gives a connection ``nd_match`` (the MATCH expression of a tier),
``escape_fts`` (what Datasette's ``?_search=`` runs), ``nd_snippet`` (and
``nd_located_snippet``: where its match is, too), ``nd_is_number``, ``nd_date`` and the paged
search's count cache (``nd_counted``, ``nd_keep_count``: ``MatchCounts``). ``SEARCH_SQL`` is the site's canned
``search`` query: title ≫ 文号 ≫ keywords ≫ body, then newest first, each tier reading only its
newest matches of the index, each result with the article its snippet is in; the status,
kind and issuer filters are tokens in the index, so filtering never leaves FTS5. Datasette's
``?_search=`` finds rows through ``search_rowid`` (metadata ``fts_pk``) and our ``escape_fts``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict

from corpus.search.index import FTS_TABLES, HEADS
from corpus.search.query import Exists, date_bound, is_doc_number, tier_query
from corpus.search.snippets import located_snippet, snippet


def _text_or_empty(f):
    def wrapped(*args):
        try:
            return f(*(a if isinstance(a, str) else "" for a in args))
        except Exception:  # a SQL function must never break a page
            return ""

    return wrapped


def _exists_in(conn: sqlite3.Connection) -> Exists:
    """Whether an expression matches any document or interpretation (for the jieba fallback)."""

    def exists(expr: str) -> bool:
        for fts in FTS_TABLES:
            try:
                row = conn.execute(
                    f"SELECT 1 FROM {fts} WHERE {fts} MATCH ? LIMIT 1", [expr]
                ).fetchone()
            except sqlite3.Error:  # no index yet
                continue
            if row:
                return True
        return False

    return exists


class MatchCounts:
    """How many documents a search matches (共 N 份), remembered per file: a per-process cache.

    The count reads every match of the index (~110–250 ms at 1,000,000 documents for a word in a
    third of them); pages 2, 3 … of a search, and the same search asked again, need the same
    number. It cannot change while the file is the same — the site serves it immutable, and only
    a build writes the index, the rowids and ``build_info`` — so a count is kept under the
    file's identity (``identity``: path, inode, size and modification time of the file and of
    its WAL, and the build's ``built_at``) and the search's arguments. A file written in any way
    has another identity, so nothing stale is ever read; an in-memory database has none and is
    never cached. Shared by every connection of the process (Datasette's threads), at most
    ``size`` searches, the least recently used forgotten first.
    """

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._counts: OrderedDict[tuple, int] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def identity(conn: sqlite3.Connection) -> tuple | None:
        """What tells this connection's file from any other state of it; None: not a file."""
        path = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
        if not path:
            return None
        stats = []
        for name in (path, path + "-wal"):
            try:
                st = os.stat(name)
            except OSError:
                stats.append(None)
                continue
            stats.append((st.st_ino, st.st_size, st.st_mtime_ns))
        try:
            built = conn.execute("SELECT value FROM build_info WHERE key = 'built_at'").fetchone()
        except sqlite3.Error:  # not built: no build_info
            built = None
        return (path, *stats, built[0] if built else None)

    def get(self, key: tuple) -> int | None:
        with self._lock:
            n = self._counts.get(key)
            if n is not None:
                self._counts.move_to_end(key)
            return n

    def put(self, key: tuple, n: int) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._counts[key] = n
            self._counts.move_to_end(key)
            while len(self._counts) > self.size:
                self._counts.popitem(last=False)

    def keys(self) -> list[tuple]:
        with self._lock:
            return list(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


MATCH_COUNTS = MatchCounts()


def _register_counts(conn: sqlite3.Connection, counts: MatchCounts) -> None:
    """``nd_counted(q, kind, status, issuer, since, until)``: the kept count or NULL;
    ``nd_keep_count(…, n)`` keeps ``n`` and returns it (the paged search's ``matches``)."""

    def key(args: tuple) -> tuple | None:
        ident = counts.identity(conn)
        return None if ident is None else (ident, *args)

    def counted(*args):
        try:
            k = key(args)
            return None if k is None else counts.get(k)
        except Exception:  # a SQL function must never break a page: count again
            return None

    def keep(*args):
        *search, n = args
        try:
            k = key(tuple(search))
            if k is not None and isinstance(n, int):
                counts.put(k, n)
        except Exception:  # not kept: the next page counts again
            pass
        return n

    conn.create_function("nd_counted", 6, counted)
    conn.create_function("nd_keep_count", 7, keep)


def register_functions(conn: sqlite3.Connection, counts: MatchCounts = MATCH_COUNTS) -> None:
    """Register the search functions on ``conn``, including an ``escape_fts`` for Chinese.

    ``nd_match(q, column, kind, status, issuer)`` is the MATCH expression, ``escape_fts(q)`` the
    same without filters (Datasette's ``?_search=`` runs ``… match escape_fts(:search)``;
    registered from ``prepare_connection`` with ``trylast=True`` it replaces Datasette's own),
    ``nd_snippet(text, q)`` the highlighted snippet, ``nd_date(value, end)`` a date bound;
    ``counts`` keeps the paged search's counts (``MatchCounts``; the process's own by default).
    """
    lookup = _exists_in(conn)
    state = {"key": None}
    cache: dict = {}
    found: dict[str, bool] = {}  # the fallback's lookups, shared by every tier and filter

    def exists(expr: str) -> bool:
        if expr not in found:
            found[expr] = lookup(expr)
        return found[expr]

    def match(q, column="", kind="", status="", issuer=""):
        # The fallback depends on the data: forget it when the database changes.
        key = (conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
        if state["key"] != key or len(cache) > 512 or len(found) > 4096:
            state["key"] = key
            cache.clear()
            found.clear()
        args = (q, column, kind, status, issuer)
        if args not in cache:
            cache[args] = tier_query(q, exists, column, kind, status, issuer)
        return cache[args]

    conn.create_function("nd_match", 5, _text_or_empty(match))
    conn.create_function("escape_fts", 1, _text_or_empty(match))
    conn.create_function("nd_snippet", 2, _text_or_empty(snippet), deterministic=True)
    conn.create_function(
        "nd_located_snippet", 2, _text_or_empty(located_snippet), deterministic=True
    )
    conn.create_function("nd_is_number", 1, _text_or_empty(is_doc_number), deterministic=True)
    conn.create_function(
        "nd_date", 2, _text_or_empty(lambda v, end: date_bound(v, end == "end")), deterministic=True
    )
    _register_counts(conn, counts)


def search_sql(limit: int = 100, with_tier: bool = False, page: str | None = None) -> str:
    """The ranked search over documents: title ≫ 文号 ≫ keywords ≫ body, then newest first.

    Each tier reads only its newest ``limit`` matches (rowids are in publication order), so the
    cost does not grow with the number of matches. Empty :kind, :status, :issuer, :since and
    :until are ignored. ``with_tier`` adds the tier (0 title, 1 文号, 2 keywords, 3 elsewhere)
    as ``tier``. A query with exclusions has no keyword tier (the heads index has no bodies to
    check them against).

    ``page`` names a parameter holding a page number (0 the first): the results are then the
    ``limit`` after the first page × ``limit`` — each tier reads (page + 1) times its share, the
    snippets are made for the page's rows only — and each row has ``position`` (its place in the
    ranking, 1 the first) and ``matches`` (how many documents match in all: every document
    matching anywhere, as the body tier finds them, and any whose keywords alone match).

    ``article`` is the article (its anchor on the document page, 第十二条) the snippet's match
    is in, where it is in one: the match's offset, given with the snippet by one call per row
    (``nd_located_snippet``), looked up among the body's articles by the ``articles`` table's
    offsets — one index seek per row.
    """
    # A date range is a rowid range. With either bound given, documents without a date are
    # left out (they are numbered first); a bound past every document leaves the range empty.
    dated = "(nd_date(:since, '') != '' or nd_date(:until, 'end') != '')"
    lo = (
        f"(case when {dated} then coalesce((select search_rowid from documents where"
        " search_rowid is not null and published_date >= nd_date(:since, '')"
        " order by published_date, id limit 1), 9223372036854775807) else 0 end)"
    )
    hi = (
        f"(case when {dated} then coalesce((select search_rowid from documents where"
        " search_rowid is not null and published_date <= coalesce(nullif(nd_date(:until, 'end'),"
        " ''), '9999') order by published_date desc, id desc limit 1), 0)"
        " else 9223372036854775807 end)"
    )
    tiers = []
    sources = [(0, "title", HEADS), (0, "title!", "documents_fts"), (1, "doc_number", HEADS),
               (1, "doc_number!", "documents_fts"), (2, "keywords", HEADS),
               (3, "", "documents_fts")]  # fmt: skip
    pages = f" * (:{page} + 1)" if page else ""  # the tiers read as far as the page
    for rank, column, fts in sources:
        n = rank * limit if rank > 1 else limit  # enough for the tiers above to be left out
        if rank == 1:  # asked for a 文号: its own document first, before titles citing it
            rank = "(case when nd_is_number(:q) then -1 else 1 end)"
        tiers.append(
            f"select * from (select rowid as r, {rank} as tier from {fts}"
            f" where {fts} match nd_match(:q, '{column}', :kind, :status, :issuer)"
            f" and rowid between {lo} and {hi} order by rowid desc limit {n}{pages})"
        )
    union = "\n  union all ".join(tiers)
    skip = f" offset :{page} * {limit}" if page else ""
    counted = ""
    if page:
        # every match: the body tier's (anything searched) and the keywords tier's not among them
        def matching(column: str, fts: str) -> str:
            return (
                f"select rowid from {fts}"
                f" where {fts} match nd_match(:q, '{column}', :kind, :status, :issuer)"
                f" and rowid between {lo} and {hi}"
            )

        everywhere, keywords = matching("", "documents_fts"), matching("keywords", HEADS)
        # Usually no document matches by its keywords alone (they are words of its title and
        # text), often none by its keywords at all: then the count is the body tier's, counted
        # in one pass; else the two sets are counted as one (a UNION: one pass of each, where
        # `not in` read the body tier's matches twice). Kept per file and search (MatchCounts):
        # pages 2, 3 … do not count again. coalesce and case evaluate lazily (SQLite codes a
        # subquery to run only where it is reached), so a kept count runs no subquery at all.
        search = ":q, :kind, :status, :issuer, :since, :until"
        counted = f"""
matches as materialized (
  select coalesce(nd_counted({search}), nd_keep_count({search},
    case when not exists ({keywords}) then (select count(*) from ({everywhere}))
    else (select count(*) from ({everywhere} union {keywords})) end)) as n
),"""
    placed = (
        f",\n  :{page} * {limit} + row_number() over (order by f.tier, f.r desc) as position,"
        "\n  (select n from matches) as matches"
        if page
        else ""
    )
    return f"""\
with hits as (
  {union}
),{counted}
best as (
  select r, min(tier) as tier from hits group by r order by tier, r desc limit {limit}{skip}
),
found as materialized (
  select best.r, best.tier, d.id, d.title, d.doc_number, d.issuer, d.published_date, d.status,
    nd_located_snippet(d.body_text, :q) as located
  from best join documents d on d.search_rowid = best.r
),
cut as materialized (
  select *, cast(substr(located, 1, instr(located, '|') - 1) as integer) as hit from found
)
select f.id, f.title, f.doc_number, f.issuer, f.published_date, f.status,
  substr(f.located, instr(f.located, '|') + 1) as snippet,
  (select case when a.stop > f.hit then a.anchor end from articles a
   where a.document_id = f.id and a.kind = '条' and a.attachment_id is null and a.start <= f.hit
   order by a.start desc limit 1) as article{", f.tier as tier" if with_tier else ""}{placed}
from cut f
order by f.tier, f.r desc"""


SEARCH_SQL = search_sql(100)
PAGE = "_nd_page"  # the page parameter of the site's search (a Datasette magic parameter)
PAGED_SEARCH_SQL = search_sql(100, page=PAGE)
