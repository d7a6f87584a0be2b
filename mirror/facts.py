"""Ground facts of generated documents: dates, 施行/有效期 clauses and what the page says of validity.

The clause is written from the facts, so the truth's ``effective_date``/``expires_on`` and the text
can never disagree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from . import text
from .validity import EXPIRED, IN_FORCE, REPEALED, status, term_end

FIRST_DAY = date(2015, 1, 20)
LAST_DAY = date(2026, 10, 31)
PAGE_DAY = date(2026, 11, 1)  # the day the pages "were last edited": their 有效性 is as of then


def seeded(seed: int, *keys: object) -> random.Random:
    """The generator of one part of the world (a site's column, its numbers …) for ``seed``.

    Its string seed is hashed with SHA-512, not ``hash()``: the same on every run and machine.
    """
    return random.Random(":".join(str(k) for k in (seed, *keys)))


def safe_day(d: date) -> date:
    """Avoid 29 February so that every N-th anniversary exists."""
    return d - timedelta(days=1) if (d.month, d.day) == (2, 29) else d


def random_day(rng: random.Random, first: date = FIRST_DAY, last: date = LAST_DAY) -> date:
    """A day between ``first`` and ``last`` inclusive."""
    return safe_day(first + timedelta(days=rng.randint(0, (last - first).days)))


def pub_time(rng: random.Random, day: date) -> datetime:
    """A publication time during office hours."""
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59)
    )


@dataclass
class Term:
    """The 施行/有效期 clause of a document and the dates it gives."""

    clause: str  # "" when the document says nothing
    effective: date | None
    expires: date | None


def _effective(rng: random.Random, written: date) -> date:
    """A 施行日期 after the 成文日期; late-2026 documents sometimes start in 2027."""
    if written >= date(2026, 8, 15) and rng.random() < 0.6:
        return rng.choice([date(2027, 1, 1), date(2027, 3, 1)])
    if rng.random() < 0.6:
        month = written.month + rng.randint(1, 2)
        return date(written.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return safe_day(written + timedelta(days=rng.randint(10, 40)))


def _years(rng: random.Random, provisional: bool) -> tuple[int, str]:
    """A term in years and how it is written (5年, 五年, 三年 …)."""
    years = rng.choice([2, 3]) if provisional else rng.choice([5, 5, 5, 3])
    spelled = text.cn_number(years) if years != 2 and rng.random() < 0.4 else str(years)
    return years, f"{spelled}年"


def make_term(
    rng: random.Random,
    self_word: str,
    written: date,
    provisional: bool,
    kind: str,
    late: bool = False,
) -> Term:
    """Draw a clause type and write it: ``本办法自2023年6月1日起施行，有效期5年。`` and friends.

    ``late`` documents take effect in 2027, after the first as-of date (尚未生效).
    """
    roll = rng.random()
    if late:
        eff = rng.choice([date(2027, 1, 1), date(2027, 3, 1)])
        years, spelled = _years(rng, provisional)
        return Term(
            f"{self_word}自{text.ymd(eff)}起施行，有效期{spelled}。", eff, term_end(eff, years)
        )
    if kind == "rule":
        eff = _effective(rng, written)
        if roll < 0.2:
            years, spelled = _years(rng, provisional)
            clause = f"{self_word}自{text.ymd(eff)}起施行，有效期{spelled}。"
            return Term(clause, eff, term_end(eff, years))
        return Term(f"{self_word}自{text.ymd(eff)}起施行。", eff, None)
    if roll < 0.45:
        eff = _effective(rng, written)
        years, spelled = _years(rng, provisional)
        clause = f"{self_word}自{text.ymd(eff)}起施行，有效期{spelled}。"
        return Term(clause, eff, term_end(eff, years))
    if roll < 0.65:
        years, spelled = _years(rng, provisional)
        clause = f"{self_word}自印发之日起施行，有效期{spelled}。"
        return Term(clause, written, term_end(written, years))
    if roll < 0.77:
        eff = _effective(rng, written)
        years, _ = _years(rng, provisional)
        end = date(eff.year + years, eff.month, 1) - timedelta(days=1)
        return Term(f"{self_word}自{text.ymd(eff)}起施行，有效期至{text.ymd(end)}。", eff, end)
    if roll < 0.85:
        eff = _effective(rng, written)
        return Term(f"{self_word}自{text.ymd(eff)}起施行。", eff, None)
    if roll < 0.93:
        return Term(f"{self_word}自印发之日起施行。", written, None)
    return Term("", None, None)


def page_validity(rng: random.Random, kind: str, term: Term) -> str:
    """What the page's 有效性 field says (often nothing; sometimes stale)."""
    state = status(kind, "", term.effective, term.expires, PAGE_DAY)
    roll = rng.random()
    if state == "已失效":
        if roll < 0.4:
            return rng.choice(EXPIRED)
        return "有效" if roll < 0.6 else ""
    return rng.choice(IN_FORCE) if roll < 0.45 else ""


def repealed_value(rng: random.Random) -> str:
    """废止, 已废止 or 全文废止."""
    return rng.choice(REPEALED)
