"""The ranked search's pages: ``?page=N`` (1 the first), how many documents match, the links.

The canned query ``search`` runs ``corpus.search.sql.PAGED_SEARCH_SQL``, whose page parameter
``:_nd_page`` (0 the first) is a Datasette magic parameter this module answers from ``?page=``
(``magic``, registered by the plugin): magic parameters are not form fields, so the search form
stays as it is and a new search starts on its first page. Each row carries ``position`` (its
place in the ranking) and ``matches`` (how many documents match in all, exact; counted once per
search and file, ``corpus.search.sql.MatchCounts``); ``paging`` turns them
into what the page says — 共 N 份，第 101–200 份 — and the links to the pages before and after,
every other argument kept. Pages go as deep as ``MAX_PAGES``: each tier of the ranking reads as
far as the page asked, so the depth is bounded like the time.
"""

from __future__ import annotations

from datasette.utils import path_with_replaced_args

PAGE_SIZE = 100  # corpus.search.sql.PAGED_SEARCH_SQL's limit
MAX_PAGES = 100  # the first 10,000 results can be paged through


def page_number(request) -> int:
    """The page asked for (``?page=``), 1 the first; anything else than a number is page 1, a
    number past ``MAX_PAGES`` the last page there is."""
    value = (request.args.get("page") or "").strip() if request is not None else ""
    if not value.isdigit() or not value.isascii():
        return 1
    return max(1, min(int(value), MAX_PAGES))


def magic(key: str, request) -> int:
    """Datasette's magic parameter ``:_nd_<key>``: ``page`` is the page asked for, 0 the first."""
    if key == "page":
        return page_number(request) - 1
    raise KeyError(key)


def paging(request, columns: list[str] | None, rows: list) -> dict | None:
    """What the search page says of its results and where its links go: ``matches`` (共 N 份),
    ``first`` and ``last`` (the positions shown), ``page``, ``previous``/``next`` (URLs or None),
    ``capped`` (there are more than can be paged through). None for a result without positions
    (not the paged search)."""
    columns = list(columns or ())
    if "matches" not in columns or "position" not in columns:
        return None
    page = page_number(request)
    matches = int(rows[0][columns.index("matches")]) if rows else None
    first = (page - 1) * PAGE_SIZE + 1
    last = first + len(rows) - 1

    def to(n: int) -> str:
        return path_with_replaced_args(request, {"page": str(n) if n > 1 else None})

    more = matches is not None and last < matches
    return {
        "matches": matches,
        "first": first,
        "last": last,
        "page": page,
        "previous": to(page - 1) if page > 1 else None,
        "next": to(page + 1) if more and page < MAX_PAGES else None,
        "capped": more and page >= MAX_PAGES,
        "first_page": to(1) if page > 1 else None,
    }
