"""Reading a document's own 施行 and 有效期 clauses into dates, with the quotes they came from.

``extract_term`` reads the body text (and the title) into a ``Term``: dates plus the exact quotes,
or the reason a clause could not be dated. A clause that cannot be dated is a *problem*, never a
date: the rules in ``corpus.validity.rules`` turn it into 未知 with the reason.

The dates a page states in its metadata (``PageDates``: 施行/实施/生效日期, 有效期至, 信息时效期,
废止/失效日期) are the publisher's, not the document's words: they fill only what the document's
own clauses (body, then title) leave undated, and a ``Term`` says which one it took (``正文``,
``标题`` or ``页面标注``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from corpus.store.normalize import halfwidth, parse_date, strip_all_spaces

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
    effective_source: str = ""  # 正文 | 标题 | 页面标注
    term_source: str = ""  # 正文 | 标题 | 页面标注
    trial: bool = False  # the clause says 试行 / 暂行 (起试行, 试行期一年, 暂行一年)


PAGE = "页面标注"  # the source of a date taken from the page's metadata fields


@dataclass(frozen=True)
class PageDates:
    """The 施行 and end dates a page states in its metadata fields, each as shown, with its label.

    ``effective_label``: 施行日期 / 实施日期 / 生效日期; ``expiry_label``: 有效期至 / 信息时效期 (the
    last day in force) or 废止日期 / 失效日期 (the first day no longer in force: Beijing shows
    废止日期 2027-09-10 for a text whose 有效期3年 from 2024-09-10 ends on 2027-09-09).
    """

    effective_label: str = ""
    effective_raw: str = ""
    expiry_label: str = ""
    expiry_raw: str = ""


# An end label naming the day a document stops (废止日期, 失效日期), not its last day in force.
_FIRST_DAY_OUT = re.compile(r"废止|失效|终止|停止")


def page_effective(page: PageDates | None) -> tuple[str | None, str]:
    """(ISO date, quote) of the page's 施行 field; no date when it shows none or no date."""
    if not page or not page.effective_raw.strip():
        return None, ""
    return parse_date(page.effective_raw.strip()), f"{page.effective_label}：{page.effective_raw}"


def page_expiry(page: PageDates | None) -> tuple[str | None, str]:
    """(last day in force, quote) of the page's end field: a 废止日期 X means the day before X."""
    if not page or not page.expiry_raw.strip():
        return None, ""
    day = parse_date(page.expiry_raw.strip())
    if day and _FIRST_DAY_OUT.search(page.expiry_label):
        day = _day_before(day)
    return day, f"{page.expiry_label}：{page.expiry_raw}"


_CN_NUM = "〇零○Ｏ◯一二两三四五六七八九十"
_DATE = (
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
    rf"|[{_CN_NUM}]{{4}}\s*年\s*[{_CN_NUM}]{{1,3}}\s*月\s*[{_CN_NUM}]{{1,3}}\s*日"
    r"|\d{4}\s*年\s*(?:\d{1,2}\s*月\s*)?(?:\d{1,2}\s*日)?[底末])"
)
_HOUR = r"(?:\s*(?:零时|零点|0时|0点|24时))?"  # 2023年9月1日零时起施行
_NUM = rf"[0-9{_CN_NUM}]{{1,3}}"
_TO = r"(?:至|到|-|—|–|~|～)"
# The events a start is counted from, and which of the page's dates each one means.
_EVENTS = r"印发实施|发布实施|公开发布|印发|下发|签发|发文|出台|发布|公布|颁布|公告"
_EVENTS_WRITTEN = ("印发", "下发", "签发", "发文", "印发实施", "出台", "即日")
# The issuing acts: the day the document bears (the 公布 date its text states, else its 成文日期),
# not the day a website posted it (a 2018 order re-posted in 2020, a notice posted days later).
_EVENTS_ISSUED = ("发布", "公布", "颁布", "发布实施")
_VERB = r"(?:正式)?(?:施行|执行|实施|实行|生效|试行|暂行)"
# 施行 clause: 自2025年5月1日起施行 / 2024年2月18日起试行 / 自印发之日起施行 / 自即日起施行 /
# 自发布之日起30日后施行 / 自公告次日起执行 / 自公布之日（2023年12月1日）起施行 / 自9月1日起施行 /
# 自印发之日起试行1年 (a term in the same words).
_START = re.compile(
    r"(?P<from>自|从|于)?\s*"
    rf"(?:(?P<date>{_DATE}){_HOUR}"
    rf"|(?P<md>(?<![\d年月])\d{{1,2}}\s*月\s*\d{{1,2}}\s*日){_HOUR}"
    r"|(?P<today>即日)"
    rf"|(?P<who>[^,;。\n自从]{{0,20}}?)(?P<event>{_EVENTS})(?:之\s*日?)?\s*(?P<next>的?次日)?"
    rf"\s*(?:\(\s*(?P<evdate>{_DATE})\s*\))?)"
    rf"\s*起?\s*(?:(?P<after>{_NUM})\s*(?:日|天)(?:后|以后))?\s*"
    rf"(?P<verb>{_VERB})(?!以来)"
    rf"(?:\s*(?P<n>{_NUM})\s*(?P<unit>年|个月))?"
)
# 执行时间从2022年6月1日起 / 实施日期为2024年1月1日: a start given as a labelled date.
_START_AT = re.compile(
    rf"(?:施行|执行|实施|生效)(?:时间|日期)\s*(?:为|是|:)?\s*(?:自|从)?\s*(?P<date>{_DATE}){_HOUR}"
    r"\s*起?\s*$"
)
# 有效期 clause, and the other words for a document's own term: 有效期5年 / 有效期为三年 /
# 有效期至2027年4月30日 / 有效期为2023年1月1日至2027年12月31日 / 有效期暂定一年（2022年9月1日-
# 2023年8月31日） / 试行期一年 / 执行期限暂定为2年 / 实施期限至… / 执行期为X至Y / 政策执行期：发文
# 之日至Y / 暂行一年.
_TERM_HEAD = r"有效期限?|有效时间|(?:试行|暂行|试点|执行|实施)(?:期限?|时间)"
_TERM = re.compile(
    rf"(?P<head>{_TERM_HEAD}|(?<![起自])(?:试行|暂行)(?=\s*{_NUM}\s*(?:年|个月)))"
    r"\s*(?:暂定|定)?\s*(?:为|是|:)?\s*(?:暂定为?)?\s*(?:"
    rf"(?P<n>{_NUM})\s*(?P<unit>年|个月)"
    rf"(?:\s*\(\s*(?:自|从)?\s*(?P<pfrom>{_DATE})\s*起?\s*{_TO}\s*(?P<pto>{_DATE})\s*止?\s*\))?"
    rf"|(?:至|到|截至|截止至|截止到|截止)\s*(?P<until>{_DATE})"
    rf"|(?:自|从)?\s*(?P<from>{_DATE})\s*起?\s*{_TO}\s*(?P<to>{_DATE})"
    rf"|(?:自|从)?\s*(?P<who>[^,;。\n自从]{{0,24}}?)(?P<event>{_EVENTS}|即日)(?:之\s*日)?\s*起?"
    rf"\s*(?:至|到)\s*(?P<evto>{_DATE})"
    r"|(?:至|到|截至|截止)(?P<bad>[^,;。\n]{1,16})"
    r")"
)
# A clause that only ends the term begun in its sentence: 至2022年11月25日止 / 2025年8月5日（含）截止 /
# 截止至2025年末 / 至2023年3月1日前有效 / 至2024年12月31日停止执行 / 2027年6月30日废止; also with its
# first day: 从2024年7月22日至2025年7月21日止, 自本文件发布之日起至2023年2月20日24:00止.
_END = re.compile(
    rf"(?:(?:自|从)\s*(?:(?P<since>{_DATE})"
    rf"|(?P<who>[^,;。\n自从]{{0,20}}?)(?P<event>{_EVENTS})(?:之\s*日)?)\s*起?\s*)?"
    r"(?:(?P<to>至|到|截至|截止至|截止到|截止)|(?P<at>自|从|于))?\s*"
    rf"(?P<date>{_DATE})\s*(?:24\s*(?::\s*00|时))?\s*(?:\(含\))?\s*"
    r"(?P<how>止|为止|截止|(?:以|之)?前有效|前|起?(?:废止|失效|停止执行|停止施行|终止执行|终止))?"
    r"\s*(?:有效)?\s*$"
)
# A clause about another document (…同时废止, 停止执行): its dates are not ours.
_OTHER_DOC = re.compile(r"废止|停止执行|同时失效|不再执行|宣布失效")
# Words without which ``_START`` (and ``_START_AT``), ``_TERM`` and ``_END`` cannot match: a verb,
# a term's head, a date. Most clauses have none, and looking for them is cheap.
_START_WORDS = re.compile(r"施行|执行|实施|实行|生效|试行|暂行")
_TERM_WORDS = re.compile(r"有效|试行|暂行|试点|执行|实施")
_DATE_WORDS = re.compile(r"年|\d{4}[-./]")
# Whose 有效期 it is: ours when the clause has no subject, or the subject is this document.
_GENRES = (
    r"(?:办法|通知|规定|意见|细则|方案|文件|决定|规则|措施|举措|政策|标准|指引|指南|清单|规划|条例|"
    r"制度|公告|通告|目录|纲要|计划|准则|要点|解释|批复|规章|本规定|本办法)"
)
_OWN_SUBJECT = re.compile(
    rf"^(?:(?:本|此|上述|前述|以上).*|.*{_GENRES}(?:\((?:试行|暂行)\))?》?|.*施行.*"
    r"|.*(?:未注明|未明确|未规定|没有明确)\S*(?:时效|期限|有效期)\S*)的?$"
)
# The subject names this document outright: 本通知, 本《措施》, 本实施细则, 以上政策, 本次政策调整.
_OWN_MARK = re.compile(
    rf"^(?:(?:本|此)\s*《?\s*[\u4e00-\u9fff]{{0,10}}?{_GENRES}|本法|以上|上述|前述|本次|本轮|本批)"
)
# Subjects that are not this document: 许可证、签证、房票、证明、备案、指标 … (they have their own
# 有效期 and 生效), general rules about other texts (规章应当自公布之日起30日后施行), and another
# document (原办法…, 《江西省某条例》自…起施行).
_NOT_OURS = re.compile(
    r"^(?:原|《)|应当|可以|须|许可|房票|证明|签证|备案|指标|证书|证件|执照|护照|通行证|居住证|合同|"
    r"协议|资格|凭证|票据|发票|券|额度|规章|法律|法规|海关"
)
_ORDINAL = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+条|[一二三四五六七八九十]+\s*[、.．]"
    r"|\(\s*[一二三四五六七八九十\d]+\s*\)|\d+\s*[、.．](?!\d))\s*"
)
_OPEN = "(〔《[【"
_CLOSE = ")〕》]】"


_MARKS = re.compile(
    r"[(〔《\[【)〕》\]】。;!?,]"
)  # what ``_sentences`` looks at: brackets and stops


def _sentences(line: str) -> list[list[tuple[int, str]]]:
    """Split a line into sentences (at 。；!? outside brackets) of clauses (at commas outside
    brackets), each clause with its offset in the line.

    Brackets are not split so that ``（2024年2月18日起施行，有效期至2029年2月17日）`` stays one
    clause; a sentence that repeals another document is cut into its own clauses.
    """
    out: list[list[tuple[int, str]]] = []
    sentence: list[tuple[int, str]] = []
    depth, start = 0, 0
    for m in _MARKS.finditer(line):
        ch = m[0]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            i = m.start()
            if line[start:i].strip():
                sentence.append((start, line[start:i]))
            if ch != ",":
                if sentence:
                    out.append(sentence)
                sentence = []
            start = i + 1
    # the end of the line ends a sentence, inside brackets or not
    if line[start:].strip():
        sentence.append((start, line[start:]))
    if sentence:
        out.append(sentence)
    return out


_KEYWORDS = re.compile(r"施行|执行|实施|实行|生效|有效|试行|暂行|期限|截止|废止|失效|止")


def _candidate_sentences(text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    """The sentences of the lines that can hold a 施行 or 有效期 clause (most lines cannot), as
    (offset of the line, clauses)."""
    out: list[tuple[int, list[tuple[int, str]]]] = []
    offset = 0
    for line in text.split("\n"):
        if _KEYWORDS.search(line):
            out += [(offset, sentence) for sentence in _sentences(line)]
        offset += len(line) + 1
    return out


# A line break inside a date or a clause (PDF and page wraps): 有效期\n至…, 2022年12月31\n日. Each
# pair is (the words before the break, the words after it) that belong together.
_BREAK = re.compile(r"[ \t\u3000\xa0]*\n\s*")
_JOINS = [
    (re.compile(r"\d$"), re.compile(r"^\s*[年月日号]")),  # 2022年12月31 | 日
    (re.compile(r"\d\s*[年月]$"), re.compile(r"^\d")),  # 2025年 | 5月
    (
        re.compile(r"(?:(?:有效|试行|执行|实施|暂行)期限?|至|到|截止|截至|自|从)$"),
        re.compile(rf"^(?:\d|[{_CN_NUM}]|至|到|为|暂定)"),
    ),  # 有效期 | 至2024年…
    (
        re.compile(r"(?:日|起)$"),
        re.compile(r"^(?:起|止|前|施行|执行|实施|试行|实行|生效|废止)"),
    ),  # 2022年1月1日 | 起施行
]


# The last character of the words before a break that any of ``_JOINS`` can join: a digit, or one
# of these (a break after anything else stays, and its context is not looked at).
_JOIN_LAST = frozenset("年月期限至到止自从日起\n")


def _rejoin(text: str) -> str:
    """``text`` without the line breaks that fall inside a date or a 施行/有效期 phrase.

    A break is removed only where the words on both sides belong together (``_JOINS``): a date
    split after its digits (``31\n日``), a term split after its head (``有效期\n至``), a start
    split before its verb (``起\n施行``). Other line breaks stay: a heading or a numbered item is
    never glued to the line before it.
    """
    return _rejoined(text, halfwidth(text))[0]


def _rejoined(text: str, half: str) -> tuple[str, str]:
    """``_rejoin`` of ``text`` and of its half-width form ``half`` (the same breaks removed)."""
    out, out_half, last = [], [], 0
    for m in _BREAK.finditer(half):
        at = m.start()
        if not at or not (half[at - 1] in _JOIN_LAST or half[at - 1].isdecimal()):
            continue  # no join's words end here (\d is a decimal digit)
        before, after = half[max(0, at - 8) : at], half[m.end() : m.end() + 4]
        if any(b.search(before) and a.match(after) for b, a in _JOINS):
            out.append(text[last:at])
            out_half.append(half[last:at])
            last = m.end()
    if not last:
        return text, half
    out.append(text[last:])
    out_half.append(half[last:])
    return "".join(out), "".join(out_half)


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


def _day_before(iso: str | None) -> str | None:
    return (date.fromisoformat(iso) - timedelta(days=1)).isoformat() if iso else None


def _with_year(month_day: str, base: str | None) -> str | None:
    """``9月1日`` in a document of ``base``: the year that puts it nearest to ``base``."""
    m = re.fullmatch(r"(\d{1,2})月(\d{1,2})日", strip_all_spaces(month_day))
    if not m or not base:
        return None
    day0 = date.fromisoformat(base)
    days = []
    for year in (day0.year - 1, day0.year, day0.year + 1):
        try:
            days.append(date(year, int(m[1]), int(m[2])))
        except ValueError:
            continue
    return min(days, key=lambda d: abs(d - day0)).isoformat() if days else None


def _subject(prefix: str) -> str:
    """The subject before a clause's words, without its ordinal (第三十条, 六、, （七）)."""
    s = prefix.strip()
    while True:
        m = _ORDINAL.match(s)
        if not m or not m.end():
            return s
        s = s[m.end() :].strip()


def _rank(subject: str, decision: bool) -> int:
    """How surely a 施行 clause with this subject is about the document: 3 本决定 in a decision
    (its republished text carries older clauses), 2 no subject or one naming this document,
    1 a genre (…办法, …政策) or a short name (《实施意见》), 0 another subject (该…), -1 not this
    document (许可证, 规章应当…, 《another title》)."""
    if decision and subject.startswith("本决定"):
        return 3
    if re.fullmatch(rf"《[\u4e00-\u9fff]{{0,4}}{_GENRES}》", subject):
        return 1  # 《实施意见》自印发之日起执行: the short name a document gives itself
    mark = _OWN_MARK.match(subject)
    if _NOT_OURS.search(subject[mark.end() :] if mark else subject):
        return -1  # 本办法规定的许可证…: the subject is the licence
    if subject.startswith("该"):
        return 0  # 该措施 is this one in its own last article, but 该通知 in a text about another
    if not subject or mark:
        return 2
    return 1 if _OWN_SUBJECT.match(subject) else 0


def _about_us(subject: str) -> bool:
    """Whether the subject before a 有效期 clause is this document (许可证有效期 is not)."""
    return _rank(subject, decision=False) >= 1


def _base(
    event: str, written: str | None, published: str | None, promulgated: str | None = None
) -> tuple[str | None, str]:
    """The date an event means: 印发/下发/出台/即日 the 成文日期 (else the 发布日期);
    发布/公布/颁布 the 公布 date the text states (``promulgation_date``), else the 成文日期, else
    the 发布日期; 公告/公开发布 (making it public) the 发布日期."""
    if event in _EVENTS_WRITTEN:
        return written or published, "成文日期或发布日期"
    if event in _EVENTS_ISSUED:
        return promulgated or written or published, "公布日期、成文日期或发布日期"
    return published, "发布日期"


def _other_owner(who: str) -> bool:
    """自《X》印发之日起 / 自滨湖区人才购房券实施细则发布之日起: the event is another document's
    (自文件发布之日起, 自本通知印发之日起 are this one's)."""
    w = who.strip()
    if not w or re.match(rf"^(?:本|此|该)|^{_GENRES}$", w):
        return False
    return bool(re.search(rf"《|{_GENRES}", w))


@dataclass
class _Found:
    start_raw: str = ""
    start_date: str | None = None
    start_problem: str = ""
    start_rank: int = -9
    start_explicit: bool = False  # a date written out, not counted from the page's dates
    term_raw: str = ""
    until: str | None = None
    span: tuple[int, str] | None = None  # (n, unit) of 有效期N年
    term_from: str | None = None  # 有效期自X至Y: X
    term_start: tuple[str, str | None, str] | None = None  # 发文之日至Y: (raw, date, problem)
    term_problem: str = ""
    start_trial: bool = False  # the start says 试行 / 暂行 (自…起试行)
    term_trial: bool = False  # the term does (试行期一年, 暂行一年)


def _event_date(
    m: re.Match, raw: str, written: str | None, published: str | None, promulgated: str | None
) -> tuple[str | None, str]:
    """(date, problem) of a start counted from an event: 自印发之日起, 自公告次日起, N日后."""
    groups = m.groupdict()
    if groups.get("evdate"):  # 自公布之日（2023年12月1日）起: the day is written out
        day = _parse_clause_date(groups["evdate"])
        return day, "" if day else f"“{raw}”的日期无法解析"
    if _other_owner(groups.get("who") or ""):
        return None, f"“{raw}”取决于另一文件的日期"
    base, what = _base(groups.get("event") or "即日", written, published, promulgated)
    days = _cn_number(groups["after"]) if groups.get("after") else 0
    if groups.get("next") and days is not None:
        days += 1
    if not base:
        return None, f"“{raw}”，但页面没有{what}"
    if days is None:
        return None, f"“{raw}”的天数无法解析"
    return (date.fromisoformat(base) + timedelta(days=days)).isoformat(), ""


def _set_span(found: _Found, raw: str, n_raw: str, unit: str) -> None:
    n = _cn_number(n_raw)
    found.term_raw, found.term_problem = raw, ""
    found.until = found.term_from = found.term_start = None
    found.span = (n, unit) if n else None
    if not n:
        found.term_problem = f"“{raw}”的期限无法解析"


def _scan(
    text: str,
    written: str | None,
    published: str | None,
    strict: bool,
    decision: bool = False,
    promulgated: str | None = None,
) -> _Found:
    """The 施行 clause and the last 有效期 clause of ``text`` that are about this document.

    Of the 施行 clauses, the last one of the surest subject (``_rank``) wins; of the 有效期
    clauses, the last one whose subject is this document. A clause that only ends a term
    (至…止, …废止) counts in a sentence that is about this document.
    """
    found = _Found()
    dates = (written, published, promulgated)
    text, half = _rejoined(text, halfwidth(text))
    for line_at, sentence in _candidate_sentences(half):
        ours = False  # the sentence so far is about this document
        for at, clause in sentence:
            offset = line_at + at
            subject_of_clause = _subject(clause)
            if strict and _OWN_MARK.match(subject_of_clause):
                ours = True
            end = None
            if (
                not (_START_WORDS.search(clause) and _START.search(clause))
                and not (_TERM_WORDS.search(clause) and _TERM.search(clause))
                and _DATE_WORDS.search(clause)
            ):
                end = _END.search(clause)
            if end and (end["to"] or end["how"]):
                prefix = _subject(clause[: end.start()])
                # 自本文件发布之日起至…止: the start names this document
                own_start = bool(end["who"] and _OWN_MARK.match(end["who"].strip()))
                if (
                    not strict
                    or (not prefix and (ours or own_start))
                    or (prefix and _OWN_MARK.match(prefix))
                ):
                    raw = text[offset + end.start() : offset + end.end()].strip()
                    day = _parse_clause_date(end["date"])
                    how = end["how"] or ""
                    if day and (
                        "前" in how or (not end["to"] and how not in ("止", "为止", "截止"))
                    ):
                        day = _day_before(day)  # …废止, …前有效: the day before is the last
                    found.term_raw, found.term_problem = raw, ""
                    found.span = found.term_start = None
                    found.until = day
                    found.term_from = _parse_clause_date(end["since"]) if end["since"] else None
                    if end["event"] and not _other_owner(end["who"] or ""):
                        found.term_start = (raw, *_event_date(end, raw, *dates))
                    if not day:
                        found.term_problem = f"“{raw}”的日期无法解析"
                    continue
            if _OTHER_DOC.search(clause):
                continue
            clause = _blank_asides(clause)
            ours = _starts(found, clause, text, offset, dates, strict, decision) or ours
            ours = _terms(found, clause, text, offset, dates, strict, ours) or ours
    return found


def _starts(
    found: _Found,
    clause: str,
    text: str,
    offset: int,
    dates: tuple[str | None, str | None, str | None],
    strict: bool,
    decision: bool,
) -> bool:
    """Read the 施行 clauses of one clause into ``found``; True when one was about us."""
    took = False
    if not _START_WORDS.search(clause):
        return took  # neither pattern can match
    matches = [(m, False) for m in _START.finditer(clause)]
    at = _START_AT.search(clause)
    if at:
        matches.append((at, True))
    for m, labelled in matches:
        groups = m.groupdict()
        # 本通知印发之日起施行 (no 自): the words before the event are the subject
        who = "" if labelled or groups["from"] else groups["who"] or ""
        subject = _subject(clause[: m.start()] + who)
        rank = _rank(subject, decision) if strict else 2
        if rank < 0 or rank < found.start_rank:
            continue
        if groups.get("md") and not groups["from"]:
            continue  # a day without its year stands only after 自/从
        raw = text[offset + m.start() : offset + m.end()].strip()
        cut = raw.find("自")
        raw = raw[cut:] if cut > 0 and not labelled else raw
        problem = ""
        explicit = True
        if groups["date"]:
            day = _parse_clause_date(groups["date"])
            problem = "" if day else f"施行日期“{groups['date']}”无法解析"
        elif groups.get("md"):
            day = _with_year(groups["md"], dates[0] or dates[1])
            problem = (
                "" if day else f"施行日期“{groups['md']}”未写年份，页面也没有成文日期或发布日期"
            )
        else:
            explicit = bool(groups["evdate"])
            day, problem = _event_date(m, raw, *dates)
        found.start_raw, found.start_date, found.start_problem = raw, day, problem
        found.start_rank, found.start_explicit = rank, explicit
        found.start_trial = not labelled and bool(re.search("试行|暂行", groups["verb"]))
        took = rank >= 1
        if not labelled and groups["n"]:
            _set_span(found, raw, m["n"], m["unit"])
            found.term_trial = found.start_trial
    return took


def _terms(
    found: _Found,
    clause: str,
    text: str,
    offset: int,
    dates: tuple[str | None, str | None, str | None],
    strict: bool,
    ours: bool,
) -> bool:
    """Read the 有效期 clauses of one clause into ``found``; True when one was about us."""
    took = False
    if not _TERM_WORDS.search(clause):
        return took  # no head of a term
    for m in _TERM.finditer(clause):
        prefix = _subject(clause[: m.start()])
        if strict and prefix and not _about_us(prefix):
            continue  # e.g. 许可证有效期为5年: another thing's validity
        if strict and not prefix and not m["head"].startswith("有效") and not ours:
            continue  # 执行期限为… after a measure (…予以补贴，执行期限为…): the measure's own
        raw = text[offset + m.start() : offset + m.end()].strip()
        took = True
        found.term_trial = bool(re.search("试行|暂行", m["head"]))
        if m["n"]:
            _set_span(found, raw, m["n"], m["unit"])
            if m["pto"]:  # 有效期暂定一年（2022年9月1日-2023年8月31日）: the days win
                found.term_from = _parse_clause_date(m["pfrom"])
                found.until = _parse_clause_date(m["pto"])
            continue
        found.term_raw, found.term_problem = raw, ""
        found.until = found.span = found.term_from = found.term_start = None
        if m["until"] or m["to"] or m["evto"]:
            found.until = _parse_clause_date(m["until"] or m["to"] or m["evto"])
            if m["from"]:
                found.term_from = _parse_clause_date(m["from"])
            if m["event"]:
                day, problem = _event_date(m, raw, *dates)
                found.term_start = (raw, day, problem)
            if not found.until:
                found.term_problem = f"“{raw}”的日期无法解析"
        else:
            found.term_problem = f"“{raw}”的截止日期无法解析"
    return took


# An order's promulgation (``令``): ``《…》已经…常务会议审议通过，现予公布，自…起施行。`` then the
# signature (省长 …) and its date on lines of their own.
_PROMULGATES = re.compile(r"现予(?:公布|发布|颁布)")
_DATE_LINE = re.compile(rf"^\s*(?P<date>{_DATE})\s*$")
# The order's own number in its heading (``江西省人民政府令`` / ``第223号``, or on one line).
_ORDER_HEAD = re.compile(r"令\s*(?:\n\s*)?第\s*(?P<n>\d+)\s*号")
# A history note: ``（2011年8月26日省人民政府令第190号公布 2016年9月21日省人民政府令第223号修正）``.
_HISTORY = re.compile(
    rf"(?P<date>{_DATE})[^()\n\d]{{0,24}}?令第\s*(?P<n>\d+)\s*号\s*(?:公布|发布|修正|修订|修改)"
)


_ISSUED_AT = re.compile(r"(?:发布|公布|颁布)(?:实施)?之\s*日(?!\s*\()")


def promulgation_date(body_text: str | None) -> tuple[str, str] | None:
    """(ISO date, quote) of the day an order states it was 公布, when its text says so.

    An order (令) carries its own promulgation: the paragraph ``…现予公布…`` followed, within a
    few lines, by its signature date; or, where a 修改 decision republishes the text it amends, a
    history note dating the order's own number (``2016年9月21日省人民政府令第223号修正``, the
    number read from the order's heading). A page that re-posts an old order years later shows
    its posting day as 成文日期 and 发布日期; ``自公布之日起施行`` means this day instead.
    """
    if not body_text or "令" not in body_text:
        return None
    # The build reads every body here and few are orders: the heading and 现予 are looked for
    # before the whole body is made halfwidth (``halfwidth`` maps one character to one).
    head = _ORDER_HEAD.search(halfwidth("\n".join(body_text.split("\n", 3)[:3])))
    if not head and "现予" not in body_text:
        return None
    half = halfwidth(body_text)
    lines = half.split("\n")
    for i, line in enumerate(lines):
        if _PROMULGATES.search(line):
            for later in lines[i + 1 : i + 5]:
                m = _DATE_LINE.match(later)
                if m:
                    day = _parse_clause_date(m["date"])
                    if day:
                        return day, later.strip()
    if head:
        for m in _HISTORY.finditer(half):
            if m["n"] == head["n"]:
                day = _parse_clause_date(m["date"])
                if day:
                    return day, m[0]
    return None


def extract_term(
    body_text: str | None,
    title: str | None = "",
    written_date: str | None = None,
    published_date: str | None = None,
    page: PageDates | None = None,
) -> Term:
    """Read the 施行日期 and 有效期 a document states about itself (and, for what it leaves
    undated, what its page states: ``page``).

    Of the body's 施行 clauses the last one whose subject is surest to be this document wins (the
    施行 clause is the final article; in a 修改/废止 decision, 本决定 beats the clauses of the text
    it republishes); the last 有效期 clause about this document wins. Clauses in sentences that
    repeal other documents (``…同时废止``), asides after a quoted title, and the validity of other
    things (许可证有效期, 签证自签发之日起生效, 规章应当自公布之日起30日后施行) are ignored; the title
    (``（2024年2月18日起施行，有效期至2029年2月17日）``) is used for what the body lacks.
    ``自印发/下发/出台之日起`` and ``自即日起`` mean the 成文日期 (else the 发布日期);
    ``自发布/公布/颁布之日起`` the day the document was issued: the 公布 date an order states
    (``promulgation_date``), else the 成文日期, else the 发布日期 (a page's 发布日期 is the day a
    website posted it); ``自公告之日起`` the 发布日期 (``公告次日`` the day after). A first day
    written out in the term (``有效期暂定一年（2022年9月1日-2023年8月31日）``) beats a start counted
    from the page's dates. A term ends on its last day: ``至X止``, ``X（含）截止``, ``有效期至X`` on
    X; ``X废止`` and ``至X前有效`` on the day before X.

    **Precedence.** The document's own words speak first: the body, then the title. The page's
    metadata fields (``page``: the publisher's 实施日期 / 生效日期 and 有效期至 / 信息时效期 /
    废止日期) are used only where those words give no date — no clause, or one that cannot be
    dated — and the ``Term`` then names ``页面标注`` as the source. A 施行日期 taken from the
    page also dates a term the body gives as a span (有效期5年).
    """
    decision = bool(re.search(r"决定\s*$", _strip_number(title or "")))
    promulgated = promulgation_date(body_text)
    day = promulgated[0] if promulgated else None
    body = _scan(body_text or "", written_date, published_date, True, decision, day)
    head = _scan(title or "", written_date, published_date, False, False, day)
    has_start = body.start_raw or body.term_from or body.term_start
    eff_at, eff_src = (body, "正文") if has_start else (head, "标题")
    term_at, term_src = (body, "正文") if body.term_raw else (head, "标题")

    effective, effective_raw = eff_at.start_date, eff_at.start_raw
    eff_problem = eff_at.start_problem
    if eff_at.term_from and not (effective_raw and eff_at.start_explicit):
        # 有效期自2023年1月1日至2027年12月31日: the term's first day is the 施行日期, and it beats
        # a start counted from the page's dates (自公布之日起施行，有效期…（2022年9月1日-…）).
        effective, effective_raw, eff_problem = eff_at.term_from, eff_at.term_raw, ""
    elif not effective_raw and eff_at.term_start:
        # 政策执行期：发文之日至2024年3月31日: the term starts with the event.
        effective_raw, effective, eff_problem = eff_at.term_start
    eff_src = eff_src if effective_raw else ""
    if day and effective == day and _ISSUED_AT.search(effective_raw):
        # 自公布之日起施行 in an order: say which of its lines dates the 公布
        effective_raw = f"{effective_raw}（公布日期据“{promulgated[1]}”）"
    page_day, page_quote = page_effective(page)
    if not effective and page_day:
        effective, effective_raw, eff_problem, eff_src = page_day, page_quote, "", PAGE

    expires, exp_problem = term_at.until, term_at.term_problem
    term_raw, term_src = term_at.term_raw, term_src if term_at.term_raw else ""
    if term_at.span and not exp_problem and not expires:
        n, unit = term_at.span
        if effective:
            years, months = (n, 0) if unit == "年" else (0, n)
            expires = _anniversary_eve(date.fromisoformat(effective), years, months).isoformat()
        elif eff_problem:
            exp_problem = f"“{term_at.term_raw}”，但施行日期无法确定"
        else:
            exp_problem = f"“{term_at.term_raw}”，但未找到施行日期，无法计算届满日"
    page_end, page_end_quote = page_expiry(page)
    if not expires and page_end:
        expires, term_raw, exp_problem, term_src = page_end, page_end_quote, "", PAGE
    return Term(
        effective_date=effective,
        effective_date_raw=effective_raw,
        expires_on=expires,
        term_raw=term_raw,
        effective_problem=eff_problem,
        expiry_problem=exp_problem,
        effective_source=eff_src,
        term_source=term_src,
        trial=eff_at.start_trial or term_at.term_trial,
    )


def _strip_number(title: str) -> str:
    """…的决定（赣府发〔2022〕1号） → …的决定."""
    return re.sub(r"\s*[（(][^（）()]*\d+\s*号\s*[）)]\s*$", "", title.strip())
