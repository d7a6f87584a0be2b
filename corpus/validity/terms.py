"""Reading a document's own 施行 and 有效期 clauses into dates, with the quotes they came from.

``extract_term`` reads the body text (and the title) into a ``Term``: dates plus the exact quotes,
or the reason a clause could not be dated. A clause that cannot be dated is a *problem*, never a
date: the rules in ``corpus.validity.rules`` turn it into 未知 with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from corpus.store.normalize import parse_date, strip_all_spaces, to_halfwidth

# ---------------------------------------------------------------- reading the term


@dataclass(frozen=True)
class Term:
    """What a document says about when it takes effect and until when (with the quotes).

    A ``*_problem`` is set when a clause was found but could not be turned into a date (an
    impossible date, a 印发 date the page does not give, N years without a 施行日期): such a
    clause never yields a status.
    """

    effective_date: str | None = None
    effective_date_raw: str = ""
    expires_on: str | None = None
    term_raw: str = ""
    effective_problem: str = ""
    expiry_problem: str = ""
    effective_source: str = ""  # 正文 | 标题
    term_source: str = ""


_CN_NUM = "〇零○Ｏ◯一二两三四五六七八九十"
_DATE = (
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
    rf"|[{_CN_NUM}]{{4}}\s*年\s*[{_CN_NUM}]{{1,3}}\s*月\s*[{_CN_NUM}]{{1,3}}\s*日"
    r"|\d{4}\s*年\s*(?:\d{1,2}\s*月\s*)?(?:\d{1,2}\s*日)?[底末])"
)
_NUM = rf"[0-9{_CN_NUM}]{{1,3}}"
_EVENTS_WRITTEN = ("印发", "下发", "签发", "发文", "印发实施")
# 施行 clause: 自2025年5月1日起施行 / 2024年2月18日起施行 / 自印发之日起施行 / 自发布之日起30日后施行
_START = re.compile(
    r"(?:自|从|于)?\s*"
    rf"(?:(?P<date>{_DATE})"
    r"|[^,;。\n]{0,8}?(?P<event>印发实施|发布实施|公开发布|印发|下发|签发|发文|发布|公布|颁布)之日)"
    rf"\s*起?\s*(?:(?P<after>{_NUM})\s*(?:日|天)(?:后|以后))?\s*"
    r"(?:施行|执行|实施|生效)(?!以来)"
)
# 有效期 clause: 有效期5年 / 有效期为三年 / 有效期至2027年4月30日 / 有效期为2023年1月1日至2027年12月31日
_TERM = re.compile(
    r"有效期限?\s*(?:为|是)?\s*(?:"
    rf"(?P<n>{_NUM})\s*(?P<unit>年|个月)"
    rf"|(?:至|到|截至|截止至|截止到|截止)\s*(?P<until>{_DATE})"
    rf"|(?:自|从)?\s*(?P<from>{_DATE})\s*起?\s*(?:至|到|-|—|–|~|～)\s*(?P<to>{_DATE})"
    r"|(?:至|到|截至|截止)(?P<bad>[^,;。\n]{1,16})"
    r")"
)
# A clause about another document (…同时废止, 停止执行): its dates are not ours.
_OTHER_DOC = re.compile(r"废止|停止执行|同时失效|不再执行|宣布失效")
# Whose 有效期 it is: ours when the clause has no subject, or the subject is this document.
_GENRES = (
    r"(?:办法|通知|规定|意见|细则|方案|文件|决定|规则|措施|政策|标准|指引|指南|清单|规划|条例|"
    r"制度|公告|目录|纲要|计划|准则|要点|本规定|本办法)"
)
_OWN_SUBJECT = re.compile(
    rf"^(?:(?:本|此|该|上述|前述|以上).*|.*{_GENRES}(?:\((?:试行|暂行)\))?》?|.*施行.*)的?$"
)
_OPEN = "(〔《[【"
_CLOSE = ")〕》]】"


def _clauses(text: str) -> list[tuple[int, str]]:
    """Split ``text`` into (offset, clause) at 。；, and newlines outside brackets.

    Brackets are not split so that ``（2024年2月18日起施行，有效期至2029年2月17日）`` stays one
    clause; a sentence that repeals another document is cut into its own clauses.
    """
    out: list[tuple[int, str]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == "\n" or (depth == 0 and ch in "。;,"):
            if ch == "\n":
                depth = 0
            out.append((start, text[start:i]))
            start = i + 1
    out.append((start, text[start:]))
    return [(o, c) for o, c in out if c.strip()]


_KEYWORDS = re.compile(r"施行|执行|实施|生效|有效期")


def _candidate_clauses(text: str) -> list[tuple[int, str]]:
    """The clauses of the lines that can hold a 施行 or 有效期 clause (most lines cannot)."""
    out: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if _KEYWORDS.search(line):
            out += [(offset + o, c) for o, c in _clauses(line)]
        offset += len(line) + 1
    return out


# A parenthesis right after a quoted title describes that other document: 《X》（…起施行…）
_QUOTED_ASIDE = re.compile(r"》\s*\([^()]*\)")


def _blank_asides(clause: str) -> str:
    """Blank out asides about quoted documents, keeping offsets (same length)."""
    return _QUOTED_ASIDE.sub(lambda m: "》" + " " * (len(m[0]) - 1), clause)


def _parse_clause_date(raw: str) -> str | None:
    """The ISO date of a date written in a clause; ``2027年底`` is 31 December."""
    s = strip_all_spaces(raw)
    m = re.fullmatch(r"(\d{4})年(?:12月)?[底末]", s)
    if m:
        return f"{m[1]}-12-31"
    if s.endswith(("底", "末")):
        return None  # 2027年6月底 and the like: not read yet, so no status from it
    return parse_date(s)


def _cn_number(raw: str) -> int | None:
    """3, 三, 两, 十, 十二 → int."""
    s = raw.strip()
    if s.isdigit():
        return int(s)
    digits = {
        "一": 1,
        "二": 2,
        "两": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
    if s in digits:
        return digits[s]
    m = re.fullmatch(r"([一二三四五六七八九])?十([一二三四五六七八九])?", s)
    if m:
        return (digits[m[1]] if m[1] else 1) * 10 + (digits[m[2]] if m[2] else 0)
    return None


def _anniversary_eve(start: date, years: int = 0, months: int = 0) -> date:
    """The last day of a term of ``years``/``months`` starting on ``start``.

    The day before the anniversary; an anniversary that does not exist (29 February in a common
    year, 31 April) rolls forward to the 1st of the next month, so 2024-02-29 + 1 year ends on
    2025-02-28 and 2023-06-01 + 5 years ends on 2028-05-31.
    """
    total = start.month - 1 + months
    y, m = start.year + years + total // 12, total % 12 + 1
    try:
        anniversary = date(y, m, start.day)
    except ValueError:
        anniversary = date(y + m // 12, m % 12 + 1, 1)
    return anniversary - timedelta(days=1)


@dataclass
class _Found:
    start_raw: str = ""
    start_date: str | None = None
    start_problem: str = ""
    term_raw: str = ""
    until: str | None = None
    span: tuple[int, str] | None = None  # (n, unit) of 有效期N年
    term_from: str | None = None  # 有效期自X至Y: X
    term_problem: str = ""


def _scan(text: str, written: str | None, published: str | None, strict: bool) -> _Found:
    """The last 施行 clause and the last 有效期 clause of ``text`` that are about this document."""
    found = _Found()
    half = to_halfwidth(text)
    for offset, clause in _candidate_clauses(half):
        if _OTHER_DOC.search(clause):
            continue
        clause = _blank_asides(clause)
        for m in _START.finditer(clause):
            raw = text[offset + m.start() : offset + m.end()].strip()
            found.start_raw, found.start_problem = raw, ""
            found.start_date = None
            if m["date"]:
                found.start_date = _parse_clause_date(m["date"])
                if not found.start_date:
                    found.start_problem = f"施行日期“{m['date']}”无法解析"
            else:
                # Quote from 自 on: "本通知自印发之日起施行" → "自印发之日起施行".
                cut = raw.find("自")
                raw = found.start_raw = raw[cut:] if cut > 0 else raw
                event = m["event"]
                if event in _EVENTS_WRITTEN:
                    base, what = written or published, "成文日期或发布日期"
                else:  # 发布, 公布, 颁布 …: counted from the 发布日期
                    base, what = published, "发布日期"
                days = _cn_number(m["after"]) if m["after"] else 0
                found.start_date = None
                if not base:
                    found.start_problem = f"“{raw}”，但页面没有{what}"
                elif days is None:
                    found.start_problem = f"“{raw}”的天数无法解析"
                else:
                    found.start_date = (date.fromisoformat(base) + timedelta(days=days)).isoformat()
        for m in _TERM.finditer(clause):
            prefix = clause[: m.start()].strip()
            if strict and prefix and not _OWN_SUBJECT.match(prefix):
                continue  # e.g. 许可证有效期为5年: another thing's validity
            raw = text[offset + m.start() : offset + m.end()].strip()
            found.term_raw, found.term_problem = raw, ""
            found.until = found.span = found.term_from = None
            if m["n"]:
                n = _cn_number(m["n"])
                if n:
                    found.span = (n, m["unit"])
                else:
                    found.term_problem = f"“{raw}”的期限无法解析"
            elif m["until"] or m["to"]:
                found.until = _parse_clause_date(m["until"] or m["to"])
                if m["from"]:
                    found.term_from = _parse_clause_date(m["from"])
                if not found.until:
                    found.term_problem = f"“{raw}”的日期无法解析"
            else:
                found.term_problem = f"“{raw}”的截止日期无法解析"
    return found


def extract_term(
    body_text: str | None,
    title: str | None = "",
    written_date: str | None = None,
    published_date: str | None = None,
) -> Term:
    """Read the 施行日期 and 有效期 a document states about itself.

    The last clause in the body wins (the 施行 clause is the final article); clauses in sentences
    that repeal other documents (``…同时废止``) and asides after a quoted title are ignored; the
    title (``（2024年2月18日起施行，有效期至2029年2月17日）``) is used for what the body lacks.
    ``自印发之日起`` means the 成文日期 (else the 发布日期), ``自发布/公布之日起`` the 发布日期.
    """
    body = _scan(body_text or "", written_date, published_date, strict=True)
    head = _scan(title or "", written_date, published_date, strict=False)
    eff_at, eff_src = (body, "正文") if (body.start_raw or body.term_from) else (head, "标题")
    term_at, term_src = (body, "正文") if body.term_raw else (head, "标题")

    effective, effective_raw = eff_at.start_date, eff_at.start_raw
    eff_problem = eff_at.start_problem
    if not effective_raw and eff_at.term_from:
        # 有效期自2023年1月1日至2027年12月31日: the term's first day is the 施行日期.
        effective, effective_raw = eff_at.term_from, eff_at.term_raw

    expires, exp_problem = term_at.until, term_at.term_problem
    if term_at.span and not exp_problem:
        n, unit = term_at.span
        if effective:
            years, months = (n, 0) if unit == "年" else (0, n)
            expires = _anniversary_eve(date.fromisoformat(effective), years, months).isoformat()
        elif eff_problem:
            exp_problem = f"“{term_at.term_raw}”，但施行日期无法确定"
        else:
            exp_problem = f"“{term_at.term_raw}”，但未找到施行日期，无法计算届满日"
    return Term(
        effective_date=effective,
        effective_date_raw=effective_raw,
        expires_on=expires,
        term_raw=term_at.term_raw,
        effective_problem=eff_problem,
        expiry_problem=exp_problem,
        effective_source=eff_src if effective_raw else "",
        term_source=term_src if term_at.term_raw else "",
    )
