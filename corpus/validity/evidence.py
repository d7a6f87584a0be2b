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

from corpus.store.normalize import BASIS, find_doc_numbers, to_halfwidth

REPEAL, EXPIRE, AMEND, IN_FORCE, CITE = "repeal", "expire", "amend", "in_force", "cite"


@dataclass(frozen=True)
class Item:
    """One document named by another, and what is done to it."""

    action: str  # repeal | expire | amend | in_force | cite
    quote: str  # the words that say so: the row, the item, the clause
    title: str | None = None  # as quoted, brackets kept
    number: str | None = None  # canonical 文号 or 令号
    number_raw: str = ""


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


def actions_in(line: str) -> set[str]:
    """Every action a heading or title names."""
    found = set()
    # 现行有效 alone is common in preambles (对现行有效的规章进行了清理): only a 目录 of them counts.
    if ("现行有效" in line and "目录" in line) or "继续有效" in line:
        found.add(IN_FORCE)
    if "废止" in line:
        found.add(REPEAL)
    if "失效" in line:
        found.add(EXPIRE)
    if "修改" in line or "修正" in line:
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
_ORDER = re.compile(r"(?:江西省人民政府|省人民政府|省政府)令\s*第?\s*(\d{1,4})\s*号")
_BASIS = re.compile(BASIS + r"[^《]{0,4}$")  # 根据《…》: cited as the basis, not acted on


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
        if "政府令" in canon:
            continue
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

_CLAUSE = re.compile(r"[^。；;\n]*?同时废止")


def clause_items(body: str | None) -> list[Item]:
    """Documents repealed by a ``…同时废止`` clause: each 《title》 with the 文号 in the brackets
    after it, or, with no title quoted, each 文号 of the sentence."""
    out: list[Item] = []
    if "同时废止" not in (body or ""):
        return out  # most documents: skip the sentence scan
    for m in _CLAUSE.finditer(body or ""):
        sentence = m[0]
        quote = sentence.strip() + ("。" if not sentence.endswith("。") else "")
        quoted = list(_QUOTED.finditer(sentence))
        for q in quoted:
            paren = re.match(
                r"\s*[（(]([^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]", sentence[q.end() :]
            )
            numbers = numbers_in(paren[1]) if paren else []
            number = numbers[0] if numbers else None
            out.append(
                Item(
                    REPEAL,
                    quote.strip(),
                    q[1].strip(),
                    number and number[2],
                    number[1] if number else "",
                )
            )
        if not quoted:
            out += [
                Item(REPEAL, quote.strip(), None, canon, raw)
                for _, raw, canon in numbers_in(sentence)
            ]
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
