"""Normalisation of the strings government pages show: dates, document numbers (文号), titles, text.

Dates: regular expressions first; Chinese-numeral dates are converted with cn2an on the matched
substring only (cn2an would also rewrite 第三十二条); dateparser is the last resort, on the extracted
substring only, told never to fill a missing day with today's.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache

# Full-width ASCII (digits, letters, brackets) → half-width. Kept narrow on purpose: 〔〕 are not
# full-width ASCII and survive.
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space


def to_halfwidth(s: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; ideographic space to a space."""
    return s.translate(_FULLWIDTH)


@cache
def _halfwidth_table() -> list[str]:
    """``to_halfwidth`` as a table by code point: ``str.translate`` reads a list 2–3× faster than
    the dict ``to_halfwidth`` uses (a character past U+FFFF is past the list: kept as it is, as
    ``to_halfwidth`` keeps it)."""
    return [to_halfwidth(chr(i)) for i in range(0x10000)]


def halfwidth(text: str) -> str:
    """``to_halfwidth(text)``, faster on long texts (the build reads every body with it)."""
    return text.translate(_halfwidth_table())


_SPACES = re.compile(r"[\s\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]+")


def squash_spaces(s: str) -> str:
    """Collapse every run of whitespace (incl. no-break, em and ideographic spaces) to one space."""
    return _SPACES.sub(" ", s).strip()


def strip_all_spaces(s: str) -> str:
    """Remove every kind of whitespace, as used for labels like ``文      号``."""
    return _SPACES.sub("", s)


# ---------------------------------------------------------------- dates

_YMD = re.compile(r"(?<!\d)(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?(?!\d)")
_CN_DIGIT = "〇零一二三四五六七八九十"
_CN_DATE = re.compile(
    rf"([{_CN_DIGIT}]{{4}})\s*年\s*([{_CN_DIGIT}]{{1,3}})\s*月\s*([{_CN_DIGIT}]{{1,3}})\s*日"
)
# Zero is typed in many ways in signatures: 〇 (U+3007), ○ (U+25CB), full-width Ｏ, Latin O/o, 零.
_ZEROS = str.maketrans({"○": "〇", "Ｏ": "〇", "O": "〇", "o": "〇", "零": "〇", "◯": "〇"})
_EPOCH_MS = 10**11
_CST = timezone(timedelta(hours=8))  # dates on Chinese sites are Beijing dates


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


@cache  # the same few numerals, on every page (cn2an is slow)
def _cn_to_int(s: str) -> int:
    """A Chinese numeral of at most two digits (十, 十一, 二十, 三十一) or a digit string (二〇二二)."""
    import cn2an  # noqa: PLC0415 - import is slow; only needed for Chinese numerals

    if "十" in s:
        return int(cn2an.cn2an(s, "smart"))
    digits = "〇一二三四五六七八九"
    return int("".join(str(digits.index(c)) for c in s))


def parse_date(raw: str | int | float | None) -> str | None:
    """Return the ISO date (YYYY-MM-DD) a raw date string means, or None.

    Handles ``2022-05-25``, ``2022-05-25 10:31:07``, ``2022.05.25``, ``2022/5/25``, ``2022年5月11日``,
    ``2020 年 03 月 16 日`` (also split over lines), full-width digits, Chinese numerals with any
    spelling of zero (``二〇二二年五月十一日``, ``二○二二年…``, ``二Ｏ二二年…``), Unix seconds and epoch
    milliseconds. An 索引号 like ``2026-02-00018`` is not a date and gives None.
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, int | float):
        seconds = raw / 1000 if raw >= _EPOCH_MS else raw
        # China Standard Time: a midnight publication must not slip to the previous day.
        return datetime.fromtimestamp(seconds, tz=UTC).astimezone(_CST).date().isoformat()
    s = to_halfwidth(str(raw))
    if s.strip().isdigit() and len(s.strip()) in (10, 13):
        return parse_date(int(s.strip()))
    m = _YMD.search(s)
    if m:
        return _valid(int(m[1]), int(m[2]), int(m[3]))
    m = _CN_DATE.search(s.translate(_ZEROS))
    if m:
        try:
            return _valid(_cn_to_int(m[1]), _cn_to_int(m[2]), _cn_to_int(m[3]))
        except (ValueError, KeyError):
            return None
    return _dateparser_fallback(s)


def _dateparser_fallback(s: str) -> str | None:
    """Last resort for unusual spellings; only ever given a short extracted substring."""
    s = s.strip()
    if not s or len(s) > 40 or not re.search(r"\d", s):
        return None
    import dateparser  # noqa: PLC0415 - slow import, rarely needed

    d = dateparser.parse(
        s,
        languages=["zh"],
        settings={"REQUIRE_PARTS": ["year", "month", "day"], "PREFER_DAY_OF_MONTH": "first"},
    )
    return d.date().isoformat() if d else None


def find_dates(text: str) -> list[tuple[str, str]]:
    """Every date written in ``text``, as (raw substring, ISO date), in order of appearance."""
    found: list[tuple[int, str, str]] = []
    half = to_halfwidth(text)
    for m in _YMD.finditer(half):
        iso = _valid(int(m[1]), int(m[2]), int(m[3]))
        if iso:
            found.append((m.start(), text[m.start() : m.end()], iso))
    for m in _CN_DATE.finditer(half.translate(_ZEROS)):
        iso = parse_date(m[0])
        if iso:
            found.append((m.start(), text[m.start() : m.end()], iso))
    return [(raw, iso) for _, raw, iso in sorted(found)]


# ---------------------------------------------------------------- document numbers (文号)

_BRACKETS = str.maketrans(
    {
        "[": "〔", "]": "〕", "［": "〔", "］": "〕", "﹝": "〔", "﹞": "〕", "【": "〔", "】": "〕",
        "（": "〔", "）": "〕", "(": "〔", ")": "〕", "{": "〔", "}": "〕", "〖": "〔", "〗": "〕",
        "匚": "〔",  # OCR of a scanned 〔 (洛管委会匚2025〕5号)
    }
)  # fmt: skip

# 赣府厅字〔2022〕49号 and its spellings; the issuer code is 1–12 Han characters.
_DOC_NO = re.compile(
    r"(?P<code>[\u4e00-\u9fff]{1,12}?)\s*"
    r"(?:〔\s*(?P<y1>(?:19|20)\d{2})\s*〕|(?P<y2>(?:19|20)\d{2})\s*年)\s*"
    r"(?P<di>第)?\s*(?P<n>\d{1,5})\s*(?P<hao>号)?"
)
_CN_ORDINAL = "〇零一二三四五六七八九十百"
# Orders (令号): 江西省人民政府令第252号 (第 may be left out after 政府令), 国务院令第350号,
# 中华人民共和国公安部令第125号, 海关总署、公安部令第7号 (joint), 主席令第七十三号 (Chinese numeral);
# and the older 第N号令 form: 公安部第69号令, 市人民政府第17号令.
_ORDER_NO = re.compile(
    r"(?P<code>(?:[\u4e00-\u9fff]{1,12})?政府令)\s*第?\s*(?P<n>\d{1,5})\s*号"
    rf"|(?P<code2>[\u4e00-\u9fff、]{{1,20}}?令)\s*第\s*(?P<n2>\d{{1,5}}|[{_CN_ORDINAL}]{{1,6}})\s*号"
    rf"|(?P<code3>[\u4e00-\u9fff、]{{1,20}}?)\s*第\s*(?P<n3>\d{{1,5}}|[{_CN_ORDINAL}]{{1,6}})\s*号令"
)


def _order_number(m: re.Match) -> str:
    """The canonical spelling of a matched order number: digits as a number, a Chinese numeral
    kept as written, the 第N号令 form kept as such."""
    n = m["n"] or m["n2"] or m["n3"]
    n = str(int(n)) if n.isdigit() else n
    if m["code3"]:
        return f"{m['code3']}第{n}号令"
    return f"{m['code'] or m['code2']}第{n}号"


def canonical_doc_number(raw: str | None) -> str | None:
    """The canonical spelling of a 文号, or None if ``raw`` holds none.

    ``赣府厅字[2022]49号``, ``赣府厅字﹝２０２２﹞49 号``, ``赣府厅字2022年49号``, ``赣府厅字〔2022〕49``,
    ``秦政字[2017)19号`` (brackets that do not pair), ``洛管委会匚2025〕5号`` (OCR) all give the
    ``〔〕`` form; orders stay as they are written (digits normalised): ``江西省人民政府令第252号``,
    ``国务院令第350号``, ``海关总署、公安部令第7号``, ``公安部第69号令``, ``主席令第七十三号``; a
    公告 keeps its 第 (``中国人民银行公告〔2019〕第16号``, ``…公告2019年第237号``).
    """
    if not raw:
        return None
    s = strip_all_spaces(to_halfwidth(raw)).translate(_BRACKETS)
    m = _ORDER_NO.search(s)
    if m:
        return _order_number(m)
    m = _DOC_NO.search(s)
    if m:
        year = m["y1"] or m["y2"]
        code = m["code"]
        # A 公告 number is kept as it is written: 财政部税务总局公告2026年第5号, and the 第 of
        # 中国人民银行公告〔2019〕第16号 (the issuer's own spelling).
        if code.endswith("公告"):
            if m["y2"]:
                return f"{code}{year}年第{int(m['n'])}号"
            if m["di"]:
                return f"{code}〔{year}〕第{int(m['n'])}号"
        return f"{code}〔{year}〕{int(m['n'])}号"
    return None


# In running text the issuer code is glued to the words before it (另见赣农规〔2023〕2号): start it
# at the first province or central-government abbreviation when there is one.
_CODE_HEADS = set("赣京津沪渝冀晋辽吉黑苏浙皖闽鲁豫鄂湘粤桂琼川黔滇藏陕甘青宁新蒙国")
_PROSE_STOPS = "号和及与的见据照将对在由为于按是"
# Issuers that begin before their 国 (and hold a prose stop: 共和): kept whole, from their first
# character (中国人民银行公告〔2019〕第16号, 中华人民共和国公安部令第125号).
_LONG_HEADS = ("中华人民共和国", "中国", "全国")


def _code_start(code: str) -> int:
    """Where the issuer code starts inside the Han run glued to a number: after the last prose
    word (见, 按照, 的 …), at the first province or central-government abbreviation."""
    masked = code
    for head in _LONG_HEADS:
        masked = masked.replace(head, "□" * len(head))
    cut = max(masked.rfind(c) for c in _PROSE_STOPS) + 1
    for i in range(cut, len(code)):
        if masked[i] == "□" or code[i] in _CODE_HEADS:
            return i
    return cut


def find_doc_numbers(text: str) -> list[tuple[str, str]]:
    """Every 文号 mentioned in ``text`` as (raw substring, canonical), in order of appearance."""
    found: list[tuple[int, str, str]] = []
    half = to_halfwidth(text).translate(_BRACKETS)
    for rx in (_ORDER_NO, _DOC_NO):
        for m in rx.finditer(half):
            group = next(g for g in ("code", "code2", "code3") if g in rx.groupindex and m[g])
            start, code = m.start(group), m[group]
            if start and half[start - 1].isdigit() and code[0] in "年月日":
                start, code = start + 1, code[1:]  # 1994年8月17日市人民政府第17号令: not 日市…
            start += _code_start(code)
            canon = canonical_doc_number(half[start : m.end()])
            if canon and all(canon != c for _, _, c in found):
                found.append((start, text[start : m.end()], canon))
    return [(raw, canon) for _, raw, canon in sorted(found)]


# ---------------------------------------------------------------- titles and text

_TITLE_NOISE = re.compile(r"[\s\u3000《》〈〉<>“”\"'‘’「」『』]")


def normalize_title(title: str) -> str:
    """A key for comparing titles: half-width, no spaces or quotes, unified brackets."""
    s = to_halfwidth(unicodedata.normalize("NFKC", title))
    s = _TITLE_NOISE.sub("", s)
    return s.translate(str.maketrans({"(": "（", ")": "）", "[": "〔", "]": "〕"}))


def clean_text_lines(lines: list[str]) -> str:
    """Join text lines into stored body text: each line squashed, empty lines dropped."""
    kept = (squash_spaces(line) for line in lines)
    return "\n".join(line for line in kept if line)


# ---------------------------------------------------------------- citations

# The words that, just before a quoted title (《…》) or a 文号, cite it as the basis of the text
# (根据《…》, 按照…（赣府发〔2018〕5号）, 贯彻落实《…》) rather than name what the text is about or
# acts on. The one list: the validity reader (corpus.validity.evidence) and the interpretation
# linker (corpus.links.linker) both skip what these words introduce.
BASIS_WORDS = ("根据", "依据", "按照", "依照", "参照", "遵照", "贯彻", "落实", "对照")
BASIS = "(?:" + "|".join(BASIS_WORDS) + ")"  # the alternation, for a pattern to build on


# ---------------------------------------------------------------- the measure a notice prints

# The verbs of a notice that prints (or forwards) a measure: 印发 and 下发 (print and send), 转发
# and 批转 (forward another body's document), 颁布, 颁发, 发布, 公布 (promulgate, publish). 联合,
# 重新 and 修订 may stand before them (关于修订印发《…》); words after them, before the 《, are
# passed over (印发修订后的《…》, 转发国家发展改革委《…》); 颁布实施 and 发布实施 are one verb.
# Not 制定 (关于制定X计划的通知 asks for a plan to be made), not 修改 or 废止 (an amendment or a
# repeal prints no measure whole); 修订 alone only in a 通知 (``_REVISED``).
PRINT_VERBS = (
    "印发|下发|转发|批转|颁布|颁发|发布|公布"  # the alternation, for a pattern to build on
)
_PRINTS = rf"(?:联合|重新|修订)?(?:{PRINT_VERBS})"
# What such a notice calls itself. Not 令: an order is titled 某某令第N号, never 关于印发…的令.
NOTICE_ENDINGS = ("通知", "决定", "公告", "通告", "函", "批复")
_ENDING = "(?:" + "|".join(NOTICE_ENDINGS) + ")"
# Where the verb may stand: right after 关于 (…关于印发…), or after the issuer when no 关于 comes
# before it (…办公厅印发关于…的通知). A verb inside the subject (关于规范发布政府信息工作的通知)
# is neither. The last 关于 that fits is read first (…发布《关于印发X的通知, a broken title, is
# read at its 印发; 关于转发省政府关于印发X办法的通知的通知 at the inner 印发).
_BEFORE = r"^(?:.*关于|(?:(?!关于).)*?)"
# A trailing aside is not part of the title: （赣府字〔2023〕5号）, （已废止）, a 文号 glued on.
_AFTER = r"(?:[（(][^（）()]*[）)]|[^《》〈〉<>（）()的]{0,12}[〔\[（(]\d{4}[〕\]）)]\d+号)?$"
# …的通知, or a chain of them (关于转发省政府关于印发X的通知的通知); 的 is left out at times.
_TAIL = rf"的?{_ENDING}(?:的{_ENDING})*{_AFTER}"
_QUALIFIER = r"(?:[（(](?:试行|暂行|修订|\d{4}年(?:修订|修正|版)|征求意见稿)[）)])"
# 《X》, 〈X〉 (U+3008 and U+2329 pairs) or <X>; others quoted beside it (和《Y》) or 等N个文件.
_QUOTED = (
    r"[^《》〈〉〈〉<>＜＞]{0,30}"
    r"(?:《(?P<q1>[^《》]{2,})》|[〈〈](?P<q2>[^《》〈〉〈〉]{2,})[〉〉]|[<＜](?P<q3>[^<>＜＞《》]{2,})[>＞])"
    rf"(?P<qual>{_QUALIFIER})?"
    r"(?:(?:和|及|以及|与|、)[《〈〈<＜][^《》〈〉〈〉<>＜＞]+[》〉〉>＞])*(?:等[^《》〈〉<>的]{1,8})?"
)
# Without 《》 the measure must end as measures (or a forwarded document) do.
_MEASURE_END = (
    r"(?:办法|规定|细则|条例|规则|规程|决定|意见|方案|标准|要点|计划|制度|指引|指南|措施|举措|"
    r"目录|名录|名单|准则|纲要|清单|导则|守则|章程|规划|规范|通则|政策|公告|通告|通知)"
)
_BARE = rf"(?P<bare>[^《》〈〉〈〉<>＜＞]{{2,}}?{_MEASURE_END}{_QUALIFIER}?)"
_NOTICE = re.compile(rf"{_BEFORE}{_PRINTS}(?:(?<=颁布|发布)实施)?(?:{_QUOTED}|{_BARE}){_TAIL}")
_REVISED = re.compile(rf"{_BEFORE}修订(?:{_QUOTED}|{_BARE})的?通知{_AFTER}")
# A printing verb (or 修订) anywhere in a title: the cheap test before ``notice_measure``'s
# patterns; the articles splitter's looser test of an issuing notice.
ANY_PRINT_VERB = re.compile(PRINT_VERBS + "|修订")


def notice_measure(title: str | None) -> str | None:
    """The measure a notice's title says it prints, as the title spells it (spaces removed), or
    None when the title is not such a notice.

    ``关于印发《X》的通知`` → X; also 〈X〉 and <X>, X without quotes when it ends as measures
    do (办法, 规定, 若干措施 …, with （试行） kept), a qualifier after the quote kept
    (《X》（试行）→ X（试行）), the first of several (《X》和《Y》→ X). Verbs and endings above
    (``_PRINTS``, ``NOTICE_ENDINGS``); ``关于修订《X》的通知`` also prints X, revised and whole, but
    a 修订 决定 lists amendments only. Whatever else follows the quote means another document:
    ``关于印发《X》实施细则的通知`` prints the rules, not X; ``关于印发《X》部分条款的…`` is None.

    The one reading for the interpretation linker (a document is also known by X), the articles
    splitter (X names the measure's articles) and the list checker (X typed alone finds the
    notice); each normalises the answer its own way.
    """
    if not title:
        return None
    t = "".join(title.split())
    if t.count("《") != t.count("》"):  # a title cut or glued in a list: 某某发布《关于印发…
        t = t.replace("《", "").replace("》", "")
    if not ANY_PRINT_VERB.search(t):
        return None
    m = _NOTICE.search(t) or _REVISED.search(t)
    if not m:
        return None
    found = m["q1"] or m["q2"] or m["q3"]
    return found + (m["qual"] or "") if found else m["bare"]
