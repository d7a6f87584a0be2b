"""Validity of a generated document as of a date, from its ground facts (CONTRACTS.md rules).

Written independently of ``corpus.validity`` on purpose: the truth must not share its bugs.
"""

from __future__ import annotations

from datetime import date, timedelta

AS_OF_DATES = (date(2026, 11, 27), date(2028, 12, 31))

REPEALED = ("废止", "已废止", "全文废止")
EXPIRED = ("失效", "已失效", "全文失效")
IN_FORCE = ("有效", "现行有效", "全文有效", "继续有效")


def term_end(effective: date, years: int) -> date:
    """ "有效期N年" ends the day before the N-th anniversary of the 施行日期.

    A term starting on 29 February has its anniversary on 1 March of a common year, so it ends
    on 28 February (the rule CONTRACTS.md states and corpus.validity applies).
    """
    try:
        anniversary = date(effective.year + years, effective.month, effective.day)
    except ValueError:
        anniversary = date(effective.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def status(kind: str, page: str, effective: date | None, expires: date | None, as_of: date) -> str:
    """The status of a document as of ``as_of``; first matching rule wins."""
    if page in REPEALED:
        return "已废止"
    if page in EXPIRED:
        return "已失效"
    if page in ("已修改", "部分失效"):
        return page
    if expires and expires < as_of:
        return "已失效"
    if effective and effective > as_of:
        return "尚未生效"
    if page in IN_FORCE:
        return "现行有效"
    if effective and expires and effective <= as_of <= expires:
        return "现行有效"
    if kind == "rule" and effective and not expires and effective <= as_of:
        return "现行有效"
    return "未知"
