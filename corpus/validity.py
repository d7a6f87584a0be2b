"""The rule book: what a document's own text and page say about whether it is in force.

Two steps, kept apart so each can be tested and improved alone:

* ``extract_term`` reads the 施行 and 有效期 clauses out of the body text (and the title) into a
  ``Term``: dates plus the exact quotes they came from, or the reason a clause could not be dated.
* ``decide`` turns the page's 有效性 field, the term and the kind into a status *as of* a date,
  returning every piece of evidence it weighed (winners and losers) and a one-line reason.

The full evidence engine (official lists, repeal decisions, ``…同时废止`` clauses in later
documents) will add more ``Evidence`` items of kinds ``list``/``decision``/``clause``; the
``Evidence`` shape and the ``validity_evidence`` table already carry them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from corpus.normalize import parse_date, strip_all_spaces, to_halfwidth

# ---------------------------------------------------------------- the vocabulary

IN_FORCE = "现行有效"
NOT_YET = "尚未生效"
AMENDED = "已修改"
PARTLY = "部分失效"
REPEALED = "已废止"
EXPIRED = "已失效"
UNKNOWN = "未知"
STATUSES: tuple[str, ...] = (IN_FORCE, NOT_YET, AMENDED, PARTLY, REPEALED, EXPIRED, UNKNOWN)

# Every wording seen on the sites (after removing spaces, brackets and a leading label).
_PAGE_WORDS: dict[str, str] = {
    "有效": IN_FORCE,
    "现行有效": IN_FORCE,
    "全文有效": IN_FORCE,
    "继续有效": IN_FORCE,
    "失效": EXPIRED,
    "已失效": EXPIRED,
    "全文失效": EXPIRED,
    "废止": REPEALED,
    "已废止": REPEALED,
    "全文废止": REPEALED,
    "已被废止": REPEALED,
    "已修改": AMENDED,
    "修改": AMENDED,
    "已被修改": AMENDED,
    "部分失效": PARTLY,
    "尚未生效": NOT_YET,
    "未生效": NOT_YET,
    "未知": UNKNOWN,
}
_PAGE_NOISE = re.compile(r"[\s\u3000()（）\[\]【】〔〕<>《》\"'“”‘’:：,，.。;；、]")
_PAGE_LABEL = re.compile(r"^(?:有效性|效力状态|效力|时效性|时效|文件状态|状态)")


def map_page_status(raw: str | None) -> str | None:
    """The controlled status a page's 有效性 wording means; None for a blank field.

    Tolerates spaces, full-width characters, brackets and a leading label (``有效性：全文有效``).
    A wording we do not know maps to 未知, never to a guess.
    """
    if raw is None:
        return None
    s = _PAGE_NOISE.sub("", to_halfwidth(raw))
    s = _PAGE_LABEL.sub("", s)
    if not s:
        return None
    return _PAGE_WORDS.get(s, UNKNOWN)


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
_EVENTS_PUBLISHED = ("发布", "公布", "颁布", "公开发布", "发布实施")
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
                else:
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


# ---------------------------------------------------------------- deciding


@dataclass
class Evidence:
    """One thing that bears on a document's status, with the status it supports."""

    kind: str  # page_field | term | effective_date (later: list | decision | clause)
    status: str
    quote: str
    date: str | None = None
    source: str = ""  # 页面 | 正文 | 标题 (later: the URL of a list or decision)
    wins: bool = False


@dataclass
class Decision:
    """A status as of a date, why (one Chinese line), and all the evidence weighed."""

    status: str
    basis: str
    evidence: list[Evidence] = field(default_factory=list)


def cn_date(iso: str | date | None) -> str:
    """2025-05-31 → 2025年5月31日 (how the basis line writes dates)."""
    if iso is None:
        return ""
    d = iso if isinstance(iso, date) else date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


_PAGE_DECIDES = {REPEALED, EXPIRED, AMENDED, PARTLY}


def decide(kind: str, validity_raw: str | None, term: Term, as_of: date) -> Decision:
    """The status of a document as of ``as_of``: the first of these rules that applies wins.

    1. The page says 废止/已废止/全文废止 → 已废止; 失效/已失效/全文失效 → 已失效;
       已修改 → 已修改; 部分失效 → 部分失效.
    2. Else the 有效期 ended before ``as_of`` → 已失效 (beats a page that still says 有效).
    3. Else the 施行日期 is after ``as_of`` → 尚未生效.
    4. Else the page says 有效/现行有效/全文有效/继续有效 → 现行有效.
    5. Else 施行日期 ≤ ``as_of`` ≤ 有效期 end → 现行有效.
    6. Else a rule (规章) with no term and 施行日期 ≤ ``as_of`` → 现行有效.
    7. Else 未知 (never a guess).

    A clause that could not be dated stops the rules that need it (2 needs the end of the term,
    3, 5 and 6 the 施行日期): the answer is then 未知 with the reason. Every evidence item is
    returned, the winning one flagged.
    """
    raw = (validity_raw or "").strip()
    page = map_page_status(raw)
    ev_page = Evidence("page_field", page, raw, None, "页面") if page else None
    ev_end = ev_start = None
    if term.expires_on:
        ended = date.fromisoformat(term.expires_on) < as_of
        ev_end = Evidence(
            "term", EXPIRED if ended else IN_FORCE, term.term_raw, term.expires_on, term.term_source
        )
    elif term.expiry_problem:
        ev_end = Evidence("term", UNKNOWN, term.term_raw, None, term.term_source)
    if term.effective_date:
        later = date.fromisoformat(term.effective_date) > as_of
        ev_start = Evidence(
            "effective_date",
            NOT_YET if later else IN_FORCE,
            term.effective_date_raw,
            term.effective_date,
            term.effective_source,
        )
    elif term.effective_problem:
        ev_start = Evidence(
            "effective_date", UNKNOWN, term.effective_date_raw, None, term.effective_source
        )
    evidence = [e for e in (ev_page, ev_end, ev_start) if e]
    page_note = f"（页面仍标注“{raw}”）" if page == IN_FORCE else ""

    def won(status: str, basis: str, winner: Evidence | None) -> Decision:
        if winner:
            winner.wins = True
        return Decision(status, basis, evidence)

    # 1. the page declares it repealed, expired, amended or partly expired
    if ev_page and page in _PAGE_DECIDES:
        return won(page, f"页面标注“{raw}”", ev_page)
    # 2. the term has run out
    starts_later = ev_start is not None and ev_start.status == NOT_YET
    if term.expiry_problem and not starts_later:  # a term cannot end before it starts
        return won(UNKNOWN, f"{term.expiry_problem}，无法判断是否届满", ev_end)
    if ev_end and ev_end.status == EXPIRED:
        basis = f"有效期至{cn_date(term.expires_on)}，已于截至日期（{cn_date(as_of)}）前届满"
        return won(EXPIRED, basis + page_note, ev_end)
    # 3. not yet in force
    if term.effective_problem:
        return won(UNKNOWN, f"{term.effective_problem}，无法判断是否已施行", ev_start)
    if starts_later:
        basis = f"施行日期为{cn_date(term.effective_date)}，截至{cn_date(as_of)}尚未施行"
        return won(NOT_YET, basis, ev_start)
    # 4. the page says it is in force
    if ev_page and page == IN_FORCE:
        basis = f"页面标注“{raw}”"
        if term.expires_on:
            basis += f"，有效期至{cn_date(term.expires_on)}"
        return won(IN_FORCE, basis, ev_page)
    # 5. inside its own term
    if term.effective_date and term.expires_on:
        basis = (
            f"自{cn_date(term.effective_date)}起施行，有效期至{cn_date(term.expires_on)}，"
            f"截至{cn_date(as_of)}在有效期内"
        )
        return won(IN_FORCE, basis, ev_end)
    # 6. a rule without a term, in force since its 施行日期
    if kind == "rule" and term.effective_date and not term.term_raw:
        basis = f"规章，自{cn_date(term.effective_date)}起施行，未规定有效期"
        return won(IN_FORCE, basis, ev_start)
    # 7. nothing reliable
    return won(UNKNOWN, _why_unknown(page, raw, term), None)


def _why_unknown(page: str | None, raw: str, term: Term) -> str:
    """Say what was missing when no rule applied."""
    parts = []
    if page is None:
        parts.append("页面未标注有效性")
    elif page not in (IN_FORCE,):
        parts.append(f"页面标注“{raw}”不足以判断")
    if not term.effective_date:
        parts.append("未找到施行日期")
    if not term.expires_on:
        parts.append("未找到有效期")
    return "，".join(parts) + "，不作推断"
