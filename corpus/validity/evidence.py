"""What documents say about other documents: decisions, official lists, 同时废止 clauses, citations.

Pure functions over text. They return ``Item``s (which document is named, by title and/or 文号,
and what is done to it); ``corpus.validity.relations`` matches them to stored documents.

Shapes read (as government sites publish them):

* a decision whose title says what it does: ``关于废止和修改部分省政府规章的决定``,
  ``关于修改《江西省…办法》的决定``, ``关于宣布失效一批…的决定``;
* an official list: ``关于公布现行有效行政规范性文件目录和废止、失效行政规范性文件目录的通知``, its
  tables usually in attachments (a DOCX table row arrives as one line, cells joined by a space; a
  PDF row may wrap over several lines);
* inside either, headings that set what the following items undergo (``一、对下列三件省政府规章
  予以废止：``, ``二、失效的行政规范性文件``) and numbered items: ``1.江西省…办法（2016年12月8日江西省
  人民政府令第225号公布）``, ``（一）《…》（赣府发〔2019〕3号）``, ``3 江西省…的通知 赣府发〔2019〕3号
  2019年3月1日``;
* in any document, a clause ``原《…》（赣府发〔2015〕12号）同时废止``;
* in any document, a citation ``按照《…》（赣府发〔2018〕5号）有关规定`` (a 《title》, with or without its 文号).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.store.normalize import (
    BASIS,
    canonical_doc_number,
    find_doc_numbers,
    parse_date,
    to_halfwidth,
)

REPEAL, EXPIRE, AMEND, IN_FORCE, CITE = "repeal", "expire", "amend", "in_force", "cite"
# A clause that stops only part of a document (one article, one policy: …第五条第一款停止执行,
# 不再执行《X》中的限转售政策) and one that moves its 有效期 (将《X》的有效期延长至…).
PARTIAL, EXTEND = "partial", "extend"


@dataclass(frozen=True)
class Item:
    """One document named by another, and what is done to it."""

    action: str  # repeal | expire | amend | in_force | cite | partial | extend
    quote: str  # the words that say so: the row, the item, the clause
    title: str | None = None  # as quoted, brackets kept
    number: str | None = None  # canonical 文号 or 令号
    number_raw: str = ""
    until: str | None = None  # extend: the new last day (ISO)


# ---------------------------------------------------------------- which documents act on others

_LIST_TITLE = re.compile(r"目录|清理结果")
_DECISION_TITLE = re.compile(r"(?:废止|修改|失效).*决定")


def classify(title: str) -> str | None:
    """``list`` (an official list), ``decision`` (a repeal/失效/amendment decision) or None."""
    t = _strip_number_suffix(title or "")
    if _LIST_TITLE.search(t) and re.search(r"现行有效|废止|失效|清理", t):
        return "list"
    if t.endswith("决定") and _DECISION_TITLE.search(t):
        return "decision"
    return None


def action_of(line: str) -> str | None:
    """The one action a heading or title names; None when it names none or several."""
    found = actions_in(line)
    return found.pop() if len(found) == 1 else None


# A version note inside a title names no action: 《…办法（2019年修订）》, …（2017年修正）.
_VERSION_NOTE = re.compile(
    r"[（(]\s*\d{4}\s*年[^（）()]{0,8}?(?:修订|修正|修改)[^（）()]{0,4}[）)]"
)
_STOPS = re.compile(r"停止执行|停止施行|不再执行|不再适用")


def actions_in(line: str) -> set[str]:
    """Every action a heading or title names: 废止 repeal; 失效, 停止执行, 不再执行, 不再适用 expire;
    修改, 修正, 修订 amend; a 现行有效目录 or 继续有效 in force."""
    found = set()
    line = _VERSION_NOTE.sub("", line)
    # 现行有效 alone is common in preambles (对现行有效的规章进行了清理): only a 目录 of them counts.
    if ("现行有效" in line and "目录" in line) or "继续有效" in line:
        found.add(IN_FORCE)
    if "废止" in line:
        found.add(REPEAL)
    if "失效" in line or _STOPS.search(line):
        found.add(EXPIRE)
    if "修改" in line or "修正" in line or "修订" in line:
        found.add(AMEND)
    return found


_TITLE_ITEM = re.compile(r"关于(废止|修改|宣布失效)((?:《[^《》]+》[和、及与]?)+)的决定")


def title_items(title: str) -> list[Item]:
    """Items named in a decision's own title: 关于修改《X》的决定, 关于废止《A》和《B》的决定."""
    m = _TITLE_ITEM.search(title or "")
    if not m:
        return []
    action = {"废止": REPEAL, "修改": AMEND, "宣布失效": EXPIRE}[m[1]]
    return [Item(action, title, t) for t in re.findall(r"《([^《》]+)》", m[2])]


# ---------------------------------------------------------------- items in decisions and lists

# 1. / 1、 / 1 (a table row) / （一） / (1): an item; 一、 is a heading.
_ITEM_START = re.compile(
    r"^\s*(?:\d{1,3}\s*[.、．](?!\d)|\d{1,3}\s+(?=\S)(?!号)|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)])\s*"
)
_HEADING_ORDINAL = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]")
_QUOTED = re.compile(r"《([^《》]+)》")
# 省人民政府令 names the province's own orders only where no other province's name is glued to it
# (浙江省人民政府令 is Zhejiang's: read by the generic reader, under its own issuer).
_ORDER = re.compile(
    r"(?:江西省人民政府|(?:(?<![\u4e00-\u9fff])|(?<=[日号和及与的见据照将对在由为于按是]))"
    r"(?:省人民政府|省政府))令\s*第?\s*(\d{1,4})\s*号"
)
_BASIS = re.compile(BASIS + r"[^《]{0,4}$")  # 根据《…》: cited as the basis, not acted on
_DATE_IN_CLAUSE = r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年\s*(?:12\s*月\s*)?[底末]"


def numbers_in(text: str) -> list[tuple[int, str, str]]:
    """Every 文号 and 令号 in ``text`` as (offset, raw, canonical), in order.

    Orders are read by their own pattern: in ``2016年12月8日江西省人民政府令第225号`` the generic
    文号 reader would glue the date to the issuer.
    """
    half = to_halfwidth(text)
    found = [(m.start(), text[m.start() : m.end()], f"江西省人民政府令第{int(m[1])}号")
             for m in _ORDER.finditer(half)]  # fmt: skip
    taken = [(s, s + len(raw)) for s, raw, _ in found]
    for raw, canon in find_doc_numbers(text):
        start = text.find(raw)
        if not any(a <= start < b for a, b in taken):
            found.append((start, raw, canon))
    return sorted(found)


def _strip_number_suffix(title: str) -> str:
    """…的通知（赣府发〔2022〕1号） → …的通知."""
    return re.sub(r"\s*[（(][^（）()]*\d+\s*号\s*[）)]\s*$", "", title.strip())


def _item(action: str, text: str) -> Item | None:
    """An item from its text (ordinal removed): the quoted or leading title, and its number."""
    numbers = numbers_in(text)
    m = _QUOTED.search(text)
    if m:
        after = [n for n in numbers if n[0] >= m.end()]
        number = after[0] if after else None
        return Item(
            action, text.strip(), m[1].strip(), number and number[2], number[1] if number else ""
        )
    number = numbers[0] if numbers else None
    head = text[: number[0]] if number else text
    # 江西省…办法（2016年12月8日…公布）: the history in brackets is not part of the title.
    head = re.sub(r"[（(][^（）()]*$", "", head)
    head = re.sub(r"[（(][^（）()]*\d[^（）()]*[）)]\s*$", "", head.strip())
    title = head.strip(" \t，,。；;：:、") or None
    if not title and not number:
        return None
    return Item(action, text.strip(), title, number and number[2], number[1] if number else "")


def _inline_items(line: str, action: str | None) -> list[Item]:
    """决定对《X》（赣农规〔2023〕2号）作如下修改：— a 《title》 with its 文号, in a line that acts."""
    if action is None:
        return []
    out = []
    for m in _QUOTED.finditer(line):
        paren = re.match(r"\s*[（(]([^（）()]*)[）)]", line[m.end() :])
        if not paren or not numbers_in(paren[1]) or _BASIS.search(line[: m.start()]):
            continue
        number = numbers_in(paren[1])[0]
        out.append(Item(action, line.strip(), m[1].strip(), number[2], number[1]))
    return out


def _unfinished(row: str) -> bool:
    """A wrapped row goes on while it has no 文号 yet, or ends inside one (…〔2020〕1 | 2号)."""
    return not numbers_in(row) or bool(re.search(r"[\d〔〕\[\]（(]\s*$", row))


def parse_items(text: str | None, default: str | None = None, wrapped: bool = False) -> list[Item]:
    """The items of a decision or list text, each with the action its section gives it.

    ``default`` is the action before any heading (from the document's title). A heading (一、…,
    a line naming a 目录, or ending with a colon) that names one action sets it for the items
    after it; one naming several (废止、失效目录) leaves it open until a narrower heading; one
    naming none (附件：目录) keeps the action before it. In a
    ``wrapped`` text (PDF), a line that neither starts an item nor heads a section continues the
    item before it while that item has no 文号 yet: table rows wrap over lines there.
    """
    items: list[Item] = []
    section = default
    current: list[str] = []

    def flush() -> None:
        if current and section:
            item = _item(section, "".join(current))
            if item:
                items.append(item)
        current.clear()

    for line in (text or "").split("\n"):
        start = _ITEM_START.match(line)
        if start:
            flush()
            current.append(line[start.end() :])
            continue
        is_heading = bool(
            _HEADING_ORDINAL.match(line) or "目录" in line or line.rstrip().endswith(("：", ":"))
        )
        action = action_of(line)
        if is_heading and (action or "目录" in line or _HEADING_ORDINAL.match(line)):
            flush()
            if actions_in(line):  # one action sets it; several leave it open; none keep it
                section = action
            items += _inline_items(line, action)
            continue
        if wrapped and current and _unfinished("".join(current)):
            current.append(line.strip())
            continue
        flush()
        items += _inline_items(line, action)
    flush()
    return items


# ---------------------------------------------------------------- clauses in any document

# The verbs of a clause that ends other documents, and what each does.
_ACT_VERB = re.compile(r"废止|失效|停止执行|停止施行|不再执行|不再适用")
# Words before a trailing verb that keep it an act (同时废止, 予以废止, 相应停止执行).
_VERB_LEAD = r"(?:同时|同步|相应|一并|予以|即行|自行|自动|均|亦|也|即|将)*"
# Between the named document and the verb: only part of it stops (附件3…第五条第一款, …中的…政策).
_PART = re.compile(
    r"附件|第[一二三四五六七八九十百\d]+[条款章节项]|条款|[^文]件中|》中|\)中|中的|中对|有关内容|相关内容|有关规定|相关规定|政策|[“\"]"
)
_EXTEND = re.compile(
    rf"有效期(?:延长|顺延|延期)至\s*(?P<date>{_DATE_IN_CLAUSE})|延长有效期至\s*(?P<date2>{_DATE_IN_CLAUSE})"
)


def _sentences_of(body: str) -> list[str]:
    """Sentences at 。；; and line breaks (a clause never runs over a line)."""
    return [s for s in re.split(r"(?<=[。；;])|\n", body) if s.strip()]


def _targets(span: str) -> list[tuple[str | None, tuple[int, str, str] | None, int]]:
    """The documents a span names: each 《title》 (not one cited as the basis, 根据《…》, nor an
    annex of the one before, 附件3《…》) with the 文号 in the brackets after it; with no title,
    each 文号. As (title, number, end offset)."""
    out: list[tuple[str | None, tuple[int, str, str] | None, int]] = []
    for q in _QUOTED.finditer(span):
        before = span[: q.start()]
        if _BASIS.search(before) or re.search(r"附件\s*\d*\s*$", before):
            continue
        paren = re.match(
            r"\s*[（(]([^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]", span[q.end() :]
        )
        number = _bracket_number(paren[1]) if paren else None
        end = q.end() + (paren.end() if paren else 0)
        if paren and not number:  # 《X》（秦政字[2017)19号）: the brackets of the 文号 do not pair
            number = _bracket_number(span[q.end() : q.end() + 40])
            if number:
                end = q.end() + number[0] + len(number[1])
        if not number:  # …令第51号公布的《X》: the order number before the title
            number = _number_before(before)
        out.append((q[1].strip(), number, end))
    if not out:
        out = [(None, n, n[0] + len(n[1])) for n in numbers_in(span)]
    return out


def _bracket_number(inside: str) -> tuple[int, str, str] | None:
    """The 文号 in the brackets after a title. The whole bracket is the number when nothing but
    Han characters stand before it (穗国房字〔2005〕375号: 穗 is part of it, not prose)."""
    numbers = numbers_in(inside)
    if not numbers:
        return None
    at, raw, canon = numbers[0]
    lead = inside[:at].strip(" \t(（")
    if lead and re.fullmatch(r"[\u4e00-\u9fff]{1,4}", lead):
        whole = canonical_doc_number(lead + raw)
        if whole:
            return (inside.index(lead), lead + raw, whole)
    return numbers[0]


def _number_before(before: str) -> tuple[int, str, str] | None:
    """The order number right before a title: ``2014年2月14日原国家工商行政管理总局令第62号公布的《…》``."""
    m = re.search(r"(?:公布|发布|颁布|印发)?\s*的?\s*$", before)
    head = before[: m.start()] if m else before
    numbers = [n for n in numbers_in(head[-40:]) if head[-40:].rstrip().endswith(n[1].rstrip())]
    return numbers[-1] if numbers and "令" in numbers[-1][2] else None


def _acts_of_sentence(sentence: str) -> list[Item]:
    """The documents one sentence ends or stops, each with its action (see ``clause_items``)."""
    items: list[Item] = []
    quote = sentence.strip()
    half = to_halfwidth(sentence)
    taken = 0  # the sentence up to here has been read
    for m in _ACT_VERB.finditer(half):
        verb = m[0]
        action = REPEAL if verb == "废止" else EXPIRE
        after = half[m.end() :].lstrip()
        if after.startswith("《") or (
            after and numbers_in(after[:30]) and numbers_in(after[:30])[0][0] == 0
        ):
            # 废止《X》（文号）… / 停止执行《X》…中的…政策: the named documents follow the verb
            if re.search(r"[已被]\s*$", half[: m.start()]):
                continue
            stop = re.search(r"[,，。；;]", half[m.end() :])
            span = sentence[m.end() : m.end() + (stop.start() if stop else len(half))]
            found = _targets(span)
            if found:
                rest = span[found[-1][2] :]
                items += _make(found, PARTIAL if _PART.search(rest) else action, quote)
                taken = m.end() + len(span)
            continue
        lead = re.search(_VERB_LEAD + r"$", half[: m.start()])
        head = half[: lead.start()] if lead else half[: m.start()]
        tail = half[m.end() :].lstrip(" 。；;")
        if tail and not tail.startswith((",", "，")):
            continue  # 废止后…, 失效的文件: not the end of a clause
        if re.search(r"(?:已(?:经)?(?:于[^,，]{0,12})?|被)$", head):
            continue  # 《X》已于2020年废止: a fact told, not an act of this document
        # The document's own 施行 clause before a comma is not part of what is repealed:
        # 《评价办法》自2023年9月1日实施，原办法同时废止.
        own = [c.end() for c in re.finditer(r"(?:施行|实施|执行|生效)[^,，]*[,，]", head)]
        start = max([taken, *own])
        span = sentence[start : len(head)]
        found = _targets(span)
        if found:
            between = span[found[-1][2] :]
            items += _make(found, PARTIAL if _PART.search(between) else action, quote)
        taken = m.end()
    return items


def _clause_day(raw: str) -> str | None:
    """2028年12月31日 → 2028-12-31; 2028年底 → 2028-12-31."""
    m = re.fullmatch(r"(\d{4})\s*年\s*(?:12\s*月\s*)?[底末]", raw.strip())
    return f"{m[1]}-12-31" if m else parse_date(raw)


def _make(
    found: list[tuple[str | None, tuple[int, str, str] | None, int]], action: str, quote: str
) -> list[Item]:
    return [
        Item(action, quote, title, number and number[2], number[1] if number else "")
        for title, number, _ in found
    ]


def clause_items(body: str | None) -> list[Item]:
    """What a document's own clauses do to other documents, each named document as an item.

    ``《X》（文号）同时废止`` / ``原《X》自本通知施行之日起废止`` / ``废止《X》（文号）`` / ``…予以废止``
    repeal X; ``…失效``, ``停止执行``, ``不再执行``, ``不再适用`` expire it; when the words between
    the named document and the verb (or after it) name a part (附件3…第五条第一款, …中的限转售政策,
    第四章第十条…条款), only that part stops: ``partial``. ``将《X》的有效期延长至2028年12月31日``
    extends X's term (``extend``, with ``until``). Each 《title》 comes with the 文号 in the brackets
    after it; with no title quoted, each 文号 of the span is an item. A title cited as the basis
    (根据《…》) or an annex of the document before it (附件3《…》) is not named; a repeal told as a
    fact (《X》已于2020年废止) is no act; a sentence naming nothing (与本条例相抵触的，同时停止执行)
    gives nothing.
    """
    out: list[Item] = []
    text = body or ""
    if not _ACT_VERB.search(text) and "延" not in text:
        return out  # most documents: skip the sentence scan
    for sentence in _sentences_of(text):
        if "《" not in sentence and "号" not in sentence:
            continue
        out += _acts_of_sentence(sentence)
        ext = _EXTEND.search(to_halfwidth(sentence))
        if ext:
            until = _clause_day(ext["date"] or ext["date2"])
            span = sentence[: ext.start()]
            out += [
                Item(EXTEND, sentence.strip(), title, number and number[2],
                     number[1] if number else "", until)
                for title, number, _ in _targets(span)
            ]  # fmt: skip
    return out


def cited_items(body: str | None) -> list[Item]:
    """Every 《title》 of a text, with its 文号 when one follows in brackets.

    Most are laws or the document itself; only those matching another stored document become
    ``cites`` relations (``corpus.validity.relations``). A bare 文号 is not read as a citation: bodies
    name their own, and scanning every line for numbers costs more than it finds.
    """
    text = body or ""
    out: list[Item] = []
    for q in _QUOTED.finditer(text):
        paren = re.match(r"\s*[（(]([^（）()]*)[）)]", text[q.end() : q.end() + 40])
        numbers = numbers_in(paren[1]) if paren else []
        number = numbers[0] if numbers else None
        line = _line_at(text, q.start())
        out.append(
            Item(CITE, line, q[1].strip(), number and number[2], number[1] if number else "")
        )
    return out


def _line_at(text: str, offset: int) -> str:
    """The line of ``text`` holding ``offset`` (the quote of a citation)."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)].strip()
