"""Validity of a generated document as of a date, from its ground facts (CONTRACTS.md rules).

Written independently of ``corpus.validity.rules`` on purpose: the truth must not share its bugs. The
facts are the page's 有效性 wording, the true 施行日期 and end of term, which of the document's
own clauses cannot be dated (``problems``), and the acts of other documents on it (``Act``:
a repeal/失效/amendment decision, an official list, a 同时废止 clause, a clause stopping part of
it, a clause extending its 有效期, dated by the day the document they are in takes effect, None
when that day cannot be read).

The end of term that counts is the document's own, moved by the extensions in effect: taken in
the order they take effect, each one that comes no later than the end it moves pushes the end to
its new day (if later); one that comes after the end finds nothing left to extend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

AS_OF_DATES = (date(2026, 11, 27), date(2028, 12, 31))

REPEALED = ("废止", "已废止", "全文废止")
EXPIRED = ("失效", "已失效", "全文失效")
IN_FORCE = ("有效", "现行有效", "全文有效", "继续有效")
ACT_KINDS = ("decision", "list", "clause")  # the earlier of two acts on one day: this order


@dataclass(frozen=True)
class Act:
    """What another document declares of this one, and from when."""

    kind: str  # decision | list | clause
    declares: str  # 已废止 | 已失效 | 部分失效 | 已修改 | 现行有效 (an extension: up to ``until``)
    date: date | None  # None: the document it is in gives a 施行日期 that cannot be read
    until: date | None = None  # an extension of the 有效期: its new last day


def term_end(effective: date, years: int) -> date:
    """ "有效期N年" ends the day before the N-th anniversary of the 施行日期.

    A term starting on 29 February has its anniversary on 1 March of a common year, so it ends
    on 28 February (the rule CONTRACTS.md states and corpus.validity.rules applies).
    """
    try:
        anniversary = date(effective.year + years, effective.month, effective.day)
    except ValueError:
        anniversary = date(effective.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def last_day(expires: date | None, acts: tuple[Act, ...] | list[Act], as_of: date):
    """(the end of term as of ``as_of``, the extension that set it or None): the own end moved
    by every extension in effect that came no later than the end it moves."""
    end, by = expires, None
    moving = [a for a in acts if a.until and a.date and a.date <= as_of]
    for a in sorted(moving, key=lambda a: (a.date, ACT_KINDS.index(a.kind))):
        if end is not None and a.date > end:
            continue  # the term had run out: nothing to extend
        if end is None or a.until > end:
            end, by = a.until, a
    return end, by


def decide(
    kind: str,
    page: str,
    effective: date | None,
    expires: date | None,
    as_of: date,
    acts: tuple[Act, ...] | list[Act] = (),
    problems: tuple[str, ...] = (),
) -> tuple[str, str | None]:
    """(status, kind of the winning evidence) as of ``as_of``; the first matching rule wins.

    ``problems`` names the document's own clauses that cannot be dated: "effective", "expiry".
    """

    declaring = [a for a in acts if a.until is None]  # extensions move the end, declare nothing

    def applying(declares: str) -> Act | None:
        hits = [a for a in declaring if a.declares == declares and a.date and a.date <= as_of]
        return min(hits, key=lambda a: (a.date, ACT_KINDS.index(a.kind)), default=None)

    for declares, words in (("已废止", REPEALED), ("已失效", EXPIRED)):
        act = applying(declares)
        if act:
            return declares, act.kind
        if page in words:
            return declares, "page_field"
    end, extended_by = last_day(expires, acts, as_of)
    ended = end is not None and end < as_of
    # an extension that cannot be dated and would reach the as-of date leaves an ended term open
    open_ended = [a for a in acts if a.until and a.date is None and a.until >= as_of]
    if ended and not open_ended:
        return "已失效", extended_by.kind if extended_by else "term"
    undated = [a for a in declaring if a.date is None and a.declares != "现行有效"]
    undated += open_ended if ended else []
    if undated:
        return "未知", min(undated, key=lambda a: ACT_KINDS.index(a.kind)).kind
    starts_later = effective is not None and effective > as_of
    if "expiry" in problems and not starts_later and extended_by is None:
        return "未知", "term"
    if "effective" in problems:
        return "未知", "effective_date"
    if starts_later:
        return "尚未生效", "effective_date"
    act = applying("部分失效")
    if act:
        return "部分失效", act.kind
    if page == "部分失效":
        return "部分失效", "page_field"
    act = applying("已修改")
    if act:
        return "已修改", act.kind
    if page == "已修改":
        return "已修改", "page_field"
    if page in IN_FORCE:
        return "现行有效", "page_field"
    if applying("现行有效"):
        return "现行有效", "list"
    if effective and end and effective <= as_of <= end:
        return "现行有效", extended_by.kind if extended_by else "term"
    if kind == "rule" and effective and not end and "expiry" not in problems:
        return "现行有效", "effective_date"
    return "未知", None


def status(
    kind: str,
    page: str,
    effective: date | None,
    expires: date | None,
    as_of: date,
    acts: tuple[Act, ...] | list[Act] = (),
    problems: tuple[str, ...] = (),
) -> str:
    """The status of a document as of ``as_of`` (``decide`` without the winner)."""
    return decide(kind, page, effective, expires, as_of, acts, problems)[0]
