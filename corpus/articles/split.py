"""A rule or normative document's text → its structure: 编, 章, 节, 条, 款, 项.

Pure functions: text in, units out. The text is a stored body (lines joined by "\\n", as the crawl
writes them) or an attachment's text. The rules, in the order they are applied:

1. **Headings start a line.** 第十二条 opens an article only at the start of a line; inside a
   sentence (依照本办法第十二条), after a quotation mark (“第二十条 …” quoted by an amendment) or
   followed by words that continue a sentence (第三条规定的, 第二条第一款, 第五条修改为) it is a
   reference. 第N编/章/节 open a division only on a short line without sentence punctuation.
2. **Numbers run.** Articles are accepted in sequence: the first is 第一条, each next one is the
   one after the last (a gap of one or two is tolerated when the heading is set apart by a space,
   as a lost line would leave it; 第十二条之一 follows 第十二条). A 第一条 after articles begins
   a new measure (a body that reprints two). Divisions run the same way; 节 start again in every
   章, 章 may start again in every 编.
3. **A table of contents is skipped**: the lines after a 目录 line, and any run of divisions
   before the first article that starts again at 第一章.
4. **An article ends** at the next heading, or at the first line of what follows a measure: a
   signature (issuers over a date), a date line, 附件/附表, （此件主动公开）, 抄送, 公开方式; before
   a second measure, at its title.
5. **款 and 项.** Inside an article each paragraph is a 款 (a line that follows a line ending in
   。；：！？ — shorter lines are wrapped text, as a PDF gives it) and each line opening with
   （一）（二）… in sequence is a 项 of its 款; 1. 2. lines belong to the 项 above them. 款 are
   counted (第二款: the text does not number them) and shown only where an article has two or
   more; 项 keep their number as written.
6. **Without 条**, a notice gives its numbered parts (一、二、… and （一）（二）… inside them) when
   clearly structured: at least two top-level parts in sequence. Nothing is ever called a 条
   that the text does not number so.

Every unit has its kind, its ordinal in document order, its number as written (款: counted), a
path (第二章/第十二条/第一款/（三）), an anchor unique in the document (第十二条; a second
measure's units are prefixed 2-), a heading (a division's title, an article's 【…】 or （…） title,
a part's short title), its text, its offsets in the text split (``start``, ``end``), the title
of the measure it belongs to, and its number's value. A division's ``text`` is its heading line;
its offsets span its contents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from corpus.articles.numbers import NUMERAL, to_chinese, to_int
from corpus.store.normalize import ANY_PRINT_VERB, notice_measure

DIVISIONS = ("编", "章", "节")
KINDS = ("编", "章", "节", "条", "款", "项", "部分")
_LEVEL = {"编": 0, "章": 1, "节": 2}

_ARTICLE = re.compile(rf"^第\s*({NUMERAL})\s*条(?:之({NUMERAL}))?")
_DIVISION = re.compile(rf"^第\s*({NUMERAL})\s*(编|章|节)")
_SEP = re.compile(r"^[\s\u3000:：、.．]+")
_ITEM = re.compile(rf"^[（(]\s*({NUMERAL})\s*[）)]")
_PART = re.compile(r"^([零〇一二两三四五六七八九十百]+)\s*[、.．]")
_SUBITEM = re.compile(r"^(?:[0-9０-９]{1,2}\s*[.．、)）]|[①-⑳])")
# Words that continue a sentence after a 第N条 that is quoted, not a heading.
_CONTINUES = (
    "的", "中", "所", "第", "至", "到", "和", "与", "及", "或", "、", "，", "。", "；", "”",
    "》", "规定", "修改", "改为", "删除", "删去", "增加", "废止", "停止", "作为", "列为",
    "执行", "要求", "内容", "款", "项", "项下", "以及", "有关", "关于", "后", "前", "之规定",
    "办理", "处理", "处罚", "予以", "调整", "移至", "合并", "不再",
)  # fmt: skip
_SENTENCE = set("。；，！？")
_TERMINAL = tuple("。；：！？:;") + ("。”", "；”", "：”", "。）")
_TITLE_PUNCT = set("。；，：！？:;")
_TOC_LINE = re.compile(r"^目\s*录$")
_ATTACHMENT = re.compile(r"^附\s*[件表录]\s*[0-9０-９一二三四五六七八九十]*\s*(?:[:：．.、]|$)")
_DATE_LINE = re.compile(
    r"^[0-9０-９〇○Ｏ零一二三四五六七八九十\s]{4,}年[0-9０-９一二三四五六七八九十\s]{1,4}月"
    r"[0-9０-９一二三四五六七八九十\s]{1,4}日(?:印发|发布|公布)?$"
)
_TAIL = re.compile(
    r"^(?:[（(]\s*此件|(?:抄送|抄报|主送|公开方式|公开属性|信息公开(?:方式|选项|属性))\s*[:：]"
    r"|责任编辑|扫一扫|打印本页|关闭窗口|【打印】)"
)
_PAREN_LINE = re.compile(r"^[（(].*[）)]$")
# How the titles of measures end: 办法, 规定 … (a line ending so is a title, not a sentence)
_TITLE_END = re.compile(
    r"(?:办法|规定|细则|条例|规则|规程|决定|意见|方案|通知|标准|要点|计划|制度|指引|指南|措施|"
    r"目录|准则|纲要|清单|导则|守则|章程|公告|通告|令|（试行）|（暂行）|\(试行\)|\(暂行\))$"
)


@dataclass(slots=True)
class Unit:
    """One unit of a document's structure (see the module docstring)."""

    kind: str  # 编 章 节 条 款 项, or 部分 (a numbered part of a notice)
    ordinal: int  # 1, 2, … in document order
    number: str  # as written: 第十二条, 第二章, （三）, 一、; 款: counted, 第二款
    path: str  # 第二章/第十二条/第二款/（三）
    anchor: str  # unique in the document: 第十二条, 第十二条第二款第（三）项
    heading: str  # 总则; an article's own title; a part's short title; "" when none
    text: str  # the unit's lines joined by "\n" (a division: its heading line)
    start: int  # offsets of the unit in the text it was split from
    end: int
    measure: str = ""  # the title of the measure it belongs to
    value: int = 0  # the number as an integer (12 for 第十二条)


@dataclass
class _Line:
    index: int
    start: int
    end: int
    text: str  # stripped


@dataclass
class _Head:
    kind: str  # 编 章 节 条 部分 项
    line: int  # index into lines
    value: int
    number: str
    heading: str = ""
    suffix: str = ""  # 之一
    part: int = 0  # which measure (0, 1, …)
    title_lines: int = 1  # a division whose title is on the next line takes two


# ---------------------------------------------------------------- lines


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for i, raw in enumerate(text.split("\n")):
        out.append(_Line(i, pos, pos + len(raw), raw.strip()))
        pos += len(raw) + 1
    return out


def _squash(s: str) -> str:
    return "".join(s.split())


def _title_like(s: str) -> bool:
    """A line that can be a title or a heading: short, no sentence punctuation, not a number."""
    return (
        0 < len(s) <= 60
        and not (_TITLE_PUNCT & set(s))
        and not s.startswith("第")
        and not _DATE_LINE.match(s)
    )


def _ends_sentence(s: str) -> bool:
    return s.endswith(_TERMINAL)


def _continues(rest: str) -> bool:
    return rest.startswith(_CONTINUES)


# ---------------------------------------------------------------- heading candidates


def _article_at(s: str) -> tuple[int, str, str, bool, str] | None:
    """(value, number, suffix, set apart, rest) when ``s`` opens with 第N条 as a heading can."""
    m = _ARTICLE.match(s)
    if not m:
        return None
    value = to_int(m[1])
    if not value:
        return None
    rest = s[m.end() :]
    sep = _SEP.match(rest)
    apart = bool(sep) or not rest
    body = rest[sep.end() :] if sep else rest
    if not apart and _continues(body):
        return None
    number = _squash(m[0])
    return value, number, m[2] or "", apart, body


def _division_at(s: str) -> tuple[int, str, str, str] | None:
    """(value, kind, number, title) when ``s`` is a division heading line (第二章　总则)."""
    m = _DIVISION.match(s)
    if not m or len(s) > 40:
        return None
    value = to_int(m[1])
    if not value:
        return None
    title = s[m.end() :]
    sep = _SEP.match(title)
    title = title[sep.end() :] if sep else title
    if _SENTENCE & set(title) or (not sep and _continues(title)) or len(title) > 30:
        return None
    return value, m[2], _squash(m[0]), _heading_words(title)


def _heading_words(s: str) -> str:
    """总 则 → 总则: the letter-spacing of printed headings removed, other spaces kept single."""
    s = s.strip()
    if re.fullmatch(r"(?:[\u3400-\u9fff][\s\u3000]+)+[\u3400-\u9fff]", s):
        return _squash(s)
    return re.sub(r"\s+", " ", s)


_OWN_TITLE = re.compile(r"^(?:【([^】]{1,20})】|[（(]([\u3400-\u9fff、]{2,20})[）)](?=\S))")


def _article_heading(rest: str) -> str:
    """An article's own title, as some texts give one: 第一条【立法目的】, 第一条（适用范围）…"""
    m = _OWN_TITLE.match(rest)
    if not m:
        return ""
    words = m[1] or m[2]
    if m[2] and to_int(words) is not None:  # （一）: an item, not a title
        return ""
    return words.strip()


# ---------------------------------------------------------------- 目录 and tails


def _toc_lines(lines: list[_Line]) -> set[int]:
    """Lines of a table of contents: a 目录 line and the heading lines after it, up to where the
    first of them comes again (the text itself) or the first article."""
    skip: set[int] = set()
    for ln in lines:
        if "录" not in ln.text or not _TOC_LINE.match(_squash(ln.text)):
            continue
        entries: list[_Line] = []
        for nxt in lines[ln.index + 1 :]:
            s = nxt.text
            if not s:
                continue
            if entries and _squash(s) == _squash(entries[0].text):
                break
            if _article_at(s) or not (len(s) <= 40 and not (_SENTENCE & set(s))):
                break
            entries.append(nxt)
        if entries:
            skip |= {ln.index} | {e.index for e in entries}
        break
    return skip


def _signature_at(lines: list[_Line], i: int) -> bool:
    """Issuer lines (or 省长 and a name) over a date: the end of a measure or a notice."""
    for j in range(i, min(i + 5, len(lines))):
        s = lines[j].text
        if not s:
            continue
        if _DATE_LINE.match(s):
            return j > i
        if not (len(s) <= 30 and not (_TITLE_PUNCT & set(s)) and not s.startswith("第")):
            return False
    return False


def _is_tail(lines: list[_Line], i: int) -> bool:
    """Whether line ``i`` is where a measure's text ends and what follows it begins."""
    s = lines[i].text
    return bool(
        _ATTACHMENT.match(s) or _DATE_LINE.match(s) or _TAIL.match(s) or _signature_at(lines, i)
    )


# ---------------------------------------------------------------- finding the headings


def _find_articles(lines: list[_Line], skip: set[int]) -> list[_Head]:
    """Accepted 第N条 headings, in order, each with its measure (``part``)."""
    heads: list[_Head] = []
    part = 0
    for ln in lines:
        if ln.index in skip or not ln.text:
            continue
        found = _article_at(ln.text)
        if not found:
            continue
        value, number, suffix, apart, rest = found
        last = heads[-1] if heads else None
        if suffix:
            ok = last is not None and last.value == value
        elif last is None:
            ok = value == 1
        elif value == last.value + 1:
            ok = True
        elif value == 1:
            ok = True
            part += 1
        else:
            ok = apart and last.value + 1 < value <= last.value + 3
        if ok:
            heads.append(_Head("条", ln.index, value, number, _article_heading(rest), suffix, part))
    return heads


def _find_divisions(lines: list[_Line], skip: set[int], articles: list[_Head]) -> list[_Head]:
    """Accepted 编/章/节 headings: numbers in sequence (节 again in every 章, 章 in every 编), a
    run before the first article that starts again (a table of contents) dropped."""
    found: list[_Head] = []
    for ln in lines:
        if ln.index in skip or not ln.text:
            continue
        d = _division_at(ln.text)
        if d is None:
            continue
        value, kind, number, title = d
        head = _Head(kind, ln.index, value, number, title)
        if not title:  # 第一章 on its own line, its title on the next
            nxt = lines[ln.index + 1] if ln.index + 1 < len(lines) else None
            if nxt and nxt.text and len(nxt.text) <= 15 and _title_like(nxt.text):
                head.heading, head.title_lines = _heading_words(nxt.text), 2
        found.append(head)
    if not found:
        return []
    first_article = articles[0].line if articles else len(lines)
    # A table of contents: divisions before the first article whose numbering starts again.
    before = [h for h in found if h.line < first_article]
    for k in range(len(before) - 1, 0, -1):
        h = before[k]
        if h.value == 1 and any(b.kind == h.kind for b in before[:k]):
            found = found[found.index(h) :]
            break
    accepted: list[_Head] = []
    last: dict[str, int] = {}
    for h in found:
        prev = last.get(h.kind, 0)
        # 第二章 after articles with no 第一章 before them: the page lost that heading
        lost_first = prev == 0 and h.value == 2 and bool(articles) and articles[0].line < h.line
        if h.value not in (1, prev + 1) and not lost_first:
            continue
        accepted.append(h)
        last[h.kind] = h.value
        for lower, level in _LEVEL.items():  # a new 章 restarts the 节 under it
            if level > _LEVEL[h.kind]:
                last.pop(lower, None)
    return accepted


def _find_parts(lines: list[_Line], skip: set[int]) -> list[_Head]:
    """A notice's numbered parts: 一、二、… (and （一）（二）… inside each), in sequence."""
    tops: list[_Head] = []
    part = 0
    for ln in lines:
        if ln.index in skip or not ln.text:
            continue
        m = _PART.match(ln.text)
        if not m:
            continue
        value = to_int(m[1])
        last = tops[-1] if tops else None
        if last is not None and value == 1:
            part += 1  # numbered again: a second measure
        elif value != (last.value + 1 if last else 1):
            continue
        rest = ln.text[m.end() :].strip()
        tops.append(_Head("部分", ln.index, value, m[0].strip(), _part_heading(rest), "", part))
    # clearly structured: every measure has at least two parts in sequence
    by_part: dict[int, int] = {}
    for h in tops:
        by_part[h.part] = by_part.get(h.part, 0) + 1
    tops = [h for h in tops if by_part[h.part] >= 2]
    if not tops:
        return []
    heads: list[_Head] = []
    for k, top in enumerate(tops):
        heads.append(top)
        stop = tops[k + 1].line if k + 1 < len(tops) else len(lines)
        expected = 1
        for ln in lines[top.line + 1 : stop]:
            m = _ITEM.match(ln.text)
            if m and to_int(m[1]) == expected:
                rest = ln.text[m.end() :].strip()
                heads.append(
                    _Head(
                        "项", ln.index, expected, _squash(m[0]), _part_heading(rest), "", top.part
                    )
                )
                expected += 1
    return heads


def _part_heading(rest: str) -> str:
    """A part's short title: the whole line when it is one (总体要求), else its first sentence
    when short (加强组织领导。各地要… → 加强组织领导)."""
    if rest and len(rest) <= 30 and not (_SENTENCE & set(rest)):
        return rest
    m = re.match(r"^([^。；，：:！？]{2,20})[。：:]", rest)
    return m[1] if m else ""


# ---------------------------------------------------------------- measures


def _measure_title(lines: list[_Line], first: int, fallback: str, skip: set[int]) -> str:
    """The title printed above a measure's first heading (lines ``first`` − 1 …), else
    ``fallback``. A title broken over two or three lines is joined; a parenthesised history
    line under it ((2011年8月26日省人民政府令第190号公布 …)) and a table of contents
    (``skip``) are passed over."""
    i = first - 1
    while i >= 0 and (not lines[i].text or i in skip or _PAREN_LINE.match(lines[i].text)):
        i -= 1
    if i < 0 or not _title_like(lines[i].text) or _is_tail(lines, i):
        return fallback
    title = lines[i].text
    j = i - 1
    while (
        j >= 0
        and lines[j].text
        and _title_like(lines[j].text)
        and not _TITLE_END.search(lines[j].text)
        and not _is_tail(lines, j)
        and len(title) + len(lines[j].text) <= 60
        and i - j < 3
    ):
        title = lines[j].text + title
        j -= 1
    return _squash(title)


def measure_of_title(title: str) -> str:
    """The measure a document's title names: 关于印发《X》的通知 → X (``notice_measure``, the
    reading the linker and the list checker share); any other title as it is."""
    return notice_measure(title) or _squash(title or "")


# ---------------------------------------------------------------- units


def _end_of(lines: list[_Line], start: int, stop: int) -> int:
    """The line after the last line of a unit that starts at ``start``: ``stop`` (the next
    heading), or earlier at what follows a measure (a signature, 附件 …)."""
    for i in range(start + 1, stop):
        if lines[i].text and _is_tail(lines, i):
            return i
    return stop


def _trim_title(lines: list[_Line], start: int, end: int) -> int:
    """Before a second measure: its title lines are not the last article's."""
    i = end - 1
    while i > start and (not lines[i].text or _title_like(lines[i].text)
                         or _PAREN_LINE.match(lines[i].text)):  # fmt: skip
        i -= 1
    return i + 1


def _span_text(text: str, lines: list[_Line], a: int, b: int) -> tuple[str, int, int]:
    """The text of lines ``a`` … ``b`` − 1, with its offsets; empty lines at its end dropped."""
    while b > a + 1 and not lines[b - 1].text:
        b -= 1
    start, end = lines[a].start, lines[b - 1].end
    return text[start:end].strip(), start, end


def _paragraphs(lines: list[_Line], a: int, b: int) -> list[tuple[str, list[int], str]]:
    """An article's lines as 款 and 项: [(kind, line indexes, number as written)]."""
    out: list[tuple[str, list[int], str]] = [("款", [a], "")]
    expected = 1
    in_item = False
    for i in range(a + 1, b):
        s = lines[i].text
        if not s:
            continue
        prev = lines[out[-1][1][-1]].text
        m = _ITEM.match(s)
        if m and to_int(m[1]) == expected:
            out.append(("项", [i], _squash(m[0])))
            expected += 1
            in_item = True
        elif in_item and (_SUBITEM.match(s) or _item_follows(lines, i + 1, b, expected)):
            # 1. 2. under a 项, or a second paragraph of a 项 that the next 项 follows
            out[-1][1].append(i)
        elif _ends_sentence(prev):
            out.append(("款", [i], ""))
            expected, in_item = 1, False
        else:
            out[-1][1].append(i)
    return out


def _item_follows(lines: list[_Line], a: int, b: int, expected: int) -> bool:
    """Whether the 项 numbered ``expected`` opens one of lines ``a`` … ``b`` − 1."""
    for ln in lines[a:b]:
        m = _ITEM.match(ln.text)
        if m and to_int(m[1]) == expected:
            return True
    return False


def split(text: str | None, title: str = "") -> list[Unit]:
    """The units of ``text`` (see the module docstring); [] when it has no structure.

    ``title`` is the document's (or attachment's) title: the measure's title when the text does
    not print one above its first heading.
    """
    if not text or not text.strip():
        return []
    lines = _lines(text)
    skip = _toc_lines(lines)
    articles = _find_articles(lines, skip)
    fallback = measure_of_title(title)
    if articles:
        heads = _find_divisions(lines, skip, articles) + articles
        heads.sort(key=lambda h: h.line)
        _assign_parts(heads)
        return _units(text, lines, heads, fallback, skip)
    parts = _find_parts(lines, skip)
    return _units(text, lines, parts, fallback, skip) if parts else []


def _assign_parts(heads: list[_Head]) -> None:
    """Divisions belong to the measure of the article after them."""
    part = max((h.part for h in heads if h.kind == "条"), default=0)
    for h in reversed(heads):
        if h.kind == "条":
            part = h.part
        else:
            h.part = part


def _units(
    text: str, lines: list[_Line], heads: list[_Head], fallback: str, skip: set[int]
) -> list[Unit]:
    measures: dict[int, str] = {}
    for h in heads:
        if h.part not in measures:
            measures[h.part] = _measure_title(lines, h.line, fallback, skip)
    units: list[Unit] = []
    context: dict[str, _Head] = {}  # the enclosing 编/章/节 (or 部分)
    seen: set[str] = set()
    part = 0
    for k, h in enumerate(heads):
        if h.part != part:
            context, part = {}, h.part
        stop = _stop(lines, heads, k)
        if h.kind in _LEVEL:
            for other, level in _LEVEL.items():
                if level >= _LEVEL[h.kind]:
                    context.pop(other, None)
            _, start, end = _span_text(text, lines, h.line, _division_end(lines, heads, k))
            head_text = "\n".join(ln.text for ln in lines[h.line : h.line + h.title_lines])
            units.append(_unit(h, measures, context, seen, head_text, start, end))
            context[h.kind] = h
            continue
        end_line = _end_of(lines, h.line, stop)
        body, start, end = _span_text(text, lines, h.line, end_line)
        if h.kind == "部分":
            units.append(_unit(h, measures, {}, seen, body, start, end))
            context = {"部分": h}
        elif h.kind == "项":  # a notice's （一） inside a part
            units.append(_unit(h, measures, context, seen, body, start, end))
        else:
            article = _unit(h, measures, context, seen, body, start, end)
            units.append(article)
            units += _clauses(text, lines, h, article, end_line, measures, seen)
    for i, u in enumerate(units, 1):
        u.ordinal = i
    return units


def _stop(lines: list[_Line], heads: list[_Head], k: int) -> int:
    """The line where the text of heading ``k`` stops at the latest: the next heading (a part
    of a notice: the next part, its items inside it); before a new measure, that measure's
    title."""
    h = heads[k]
    later = heads[k + 1 :]
    if h.kind == "部分":
        later = [x for x in later if x.kind == "部分" or x.part != h.part]
    nxt = later[0] if later else None
    if nxt is None:
        return len(lines)
    if nxt.part != h.part:
        return _trim_title(lines, h.line, nxt.line)
    return nxt.line


def _division_end(lines: list[_Line], heads: list[_Head], k: int) -> int:
    """A division spans up to the next division of its level or above, or the end of the last
    unit inside it."""
    h = heads[k]
    last = k
    for j in range(k + 1, len(heads)):
        nxt = heads[j]
        if nxt.part != h.part or (nxt.kind in _LEVEL and _LEVEL[nxt.kind] <= _LEVEL[h.kind]):
            break
        last = j
    if last == k:
        return h.line + h.title_lines
    return _end_of(lines, heads[last].line, _stop(lines, heads, last))


def _unit(
    h: _Head,
    measures: dict[int, str],
    context: dict[str, _Head],
    seen: set[str],
    body: str,
    start: int,
    end: int,
) -> Unit:
    number = h.number + (f"之{h.suffix}" if h.suffix and "之" not in h.number else "")
    parents = [context[k] for k in ("编", "章", "节", "部分") if k in context]
    path = "/".join([*(p.number for p in parents), number])
    own = number.rstrip("、.．")
    full = "".join(p.number.rstrip("、.．") for p in parents) + own
    # 第十二条, 第二章: their own number; 第一节 (again in every 章) and a part's （一）: the path
    prefix = f"{h.part + 1}-" if h.part else ""
    first = own if h.kind in ("条", "编", "章", "部分") else full
    anchor = prefix + (first if prefix + first not in seen else full)
    anchor = _unique(anchor, seen)
    return Unit(h.kind, 0, number, path, anchor, h.heading, body, start, end,
                measures.get(h.part, ""), h.value)  # fmt: skip


def _unique(anchor: str, seen: set[str]) -> str:
    out, n = anchor, 2
    while out in seen:
        out = f"{anchor}-{n}"
        n += 1
    seen.add(out)
    return out


def _clauses(
    text: str,
    lines: list[_Line],
    h: _Head,
    article: Unit,
    end_line: int,
    measures: dict[int, str],
    seen: set[str],
) -> list[Unit]:
    """The 款 (when two or more) and 项 of an article."""
    paragraphs = _paragraphs(lines, h.line, end_line)
    clauses = sum(1 for kind, _, _ in paragraphs if kind == "款")
    out: list[Unit] = []
    clause_no, clause_path, clause_anchor = 0, article.path, article.anchor
    for kind, idx, written in paragraphs:
        body, start, end = _span_text(text, lines, idx[0], idx[-1] + 1)
        if kind == "款":
            clause_no += 1
            if clauses < 2:
                continue
            number = f"第{to_chinese(clause_no)}款"
            clause_path, clause_anchor = f"{article.path}/{number}", article.anchor + number
            out.append(Unit("款", 0, number, clause_path, _unique(clause_anchor, seen), "", body,
                            start, end, measures.get(h.part, ""), clause_no))  # fmt: skip
            continue
        value = to_int(written.strip("（）()")) or 0
        out.append(Unit("项", 0, written, f"{clause_path}/{written}",
                        _unique(f"{clause_anchor}第{written}项", seen), "", body, start, end,
                        measures.get(h.part, ""), value))  # fmt: skip
    return out


# ---------------------------------------------------------------- a document


@dataclass(frozen=True)
class Attachment:
    """An attachment of a document as the splitter needs it."""

    id: int
    name: str
    text: str


@dataclass(frozen=True)
class Split:
    """A document's units and where they come from: its body (``attachment_id`` None) or the
    attachment that holds the measure its body issues."""

    units: list[Unit]
    attachment_id: int | None = None

    @property
    def articles(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "条"]


def split_document(
    title: str,
    body: str | None,
    attachments: Sequence[Attachment] | Callable[[], Sequence[Attachment]] = (),
) -> Split:
    """The structure of a document: its body's articles; where the body has none and is an
    issuing notice (关于印发《X》的通知, or it names an attachment in 《》), the articles of the
    attachment that holds the measure — the one named like X first; else the body's numbered parts
    (or nothing). ``attachments`` may be a function giving them, called only when needed."""
    units = split(body, title)
    if any(u.kind == "条" for u in units):
        return Split(units)
    if callable(attachments):
        attachments = attachments()
    if not attachments:
        return Split(units)
    quoted = {_squash(q) for q in re.findall(r"《([^《》]{2,80})》", f"{title}\n{body or ''}")}
    measure = measure_of_title(title)
    # Looser than ``notice_measure`` on purpose: a printing verb anywhere in the title is enough
    # to look among the attachments, where articles are the evidence (关于印发促进桂林市房地产市场
    # 平稳健康发展的通知 names no measure, yet its attachment is one).
    issuing = bool(ANY_PRINT_VERB.search(title or "")) or any(
        _stem(a.name) in quoted for a in attachments
    )
    if not issuing:
        return Split(units)

    def rank(a: Attachment) -> int:
        stem = _stem(a.name)
        return 0 if stem == measure or stem in quoted else 1

    for att in sorted(attachments, key=rank):
        found = split(att.text, _stem(att.name) or measure)
        if any(u.kind == "条" for u in found):
            return Split(found, att.id)
    return Split(units)


def _stem(name: str | None) -> str:
    """An attachment's name without its extension or a leading 附件1："""
    s = _squash(name or "")
    s = re.sub(r"\.(?:pdf|docx?|wps|xlsx?|ofd|txt|zip|rar)$", "", s, flags=re.IGNORECASE)
    return re.sub(r"^附件[0-9０-９一二三四五六七八九十]*[:：.．、]?", "", s).strip("《》")
