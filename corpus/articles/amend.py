"""An amendment decision applied to the articles of the document it amends. Pure: texts in, the
consolidated articles (or the instruction that could not be applied, and why) out.

The instructions read, as decisions write them (quotes “…” or "…"; numbers as the amended text
numbers its articles before the decision):

- ``将第N条修改为：“…”`` — the article replaced by the quoted text;
- ``将第N条第M款修改为：“…”`` — one paragraph (款) replaced;
- ``增加一条，作为第N条：“…”`` (also ``在第K条后增加一条，作为第N条``) — an article added: after
  old article K when named, else so that it is the N-th article of the result;
- ``删去第N条`` (删除) — the article removed;
- ``将第N条（第M款）中的“A”修改为“B”`` — every occurrence of A in that article (or paragraph)
  replaced; ``删去第N条（第M款）中的“A”`` — removed.

A decision that amends several documents (一、对《X》作如下修改：…) is cut to the part that names
the target's title (``section_for``). Every line that reads like an instruction (it starts with
一、 （一） 1. or 将, and says 修改为, 改为, 增加, 删去, 删除, 合并, 移至 or 调整为) but matches
none of the forms above is an instruction that could not be applied. An instruction fails where its article or paragraph does
not exist, was removed by an earlier instruction, or does not contain the words to change, and
where two added articles claim one place. Articles are renumbered in order afterwards (条文顺序
作相应调整); 编章节 headings stay where they were. Only where every instruction applied is the
result a consolidated reading (``Consolidated.complete``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.articles.compare import body
from corpus.articles.numbers import NUMERAL, to_chinese, to_int
from corpus.articles.split import split

_Q = r"[“\"「](?P<{name}>.*?)[”\"」]"
_N = rf"第\s*(?P<{{name}}>{NUMERAL})\s*条"
_M = rf"(?:第\s*(?P<para>{NUMERAL})\s*款)?"
# the end of a quoted article: the closing quote, then 。/；and the end of the line or text
_END = r"(?=[。；;]?\s*(?:\n|$))"

_REPLACE = re.compile(
    rf"将?{_N.format(name='n')}{_M}修改为[：:]\s*{_Q.format(name='text')}{_END}", re.S
)
_ADD = re.compile(
    rf"(?:在{_N.format(name='after')}(?:之)?后)?增加一条[，,]?\s*作为{_N.format(name='n')}"
    rf"[：:]\s*{_Q.format(name='text')}{_END}",
    re.S,
)
_WORDS = re.compile(
    rf"将?{_N.format(name='n')}{_M}中的{_Q.format(name='old')}修改为{_Q.format(name='new')}"
)
_DELETE_WORDS = re.compile(rf"删[去除]{_N.format(name='n')}{_M}中的{_Q.format(name='old')}")
_DELETE = re.compile(rf"删[去除]{_N.format(name='n')}(?![第中之])")
_INSTRUCTION_LINE = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)]|\d+[.．、]|将)"
)
_INSTRUCTION_WORDS = re.compile(r"修改为|改为|增加|删去|删除|合并|移[至到]|调整为")
_SECTION = re.compile(r"对《([^《》]+)》(?:[（(][^（）()]*[）)])?作(?:如下|以下)?修改")


@dataclass(frozen=True)
class Instruction:
    """One instruction of a decision: its kind (replace, add, delete, words, delete_words), the
    article and paragraph it names (paragraph 0: the whole article), its quoted texts, and the
    instruction as written."""

    kind: str
    article: int
    paragraph: int = 0
    text: str = ""  # replace, add: the new text; words, delete_words: the words to change
    new: str = ""  # words: what they become
    after: int = 0  # add: the old article it follows (0: by its number)
    quote: str = ""


@dataclass(frozen=True)
class Failure:
    """An instruction that could not be applied (``instruction`` None: not understood) and why."""

    quote: str
    reason: str
    instruction: Instruction | None = None


@dataclass(frozen=True)
class Item:
    """A unit of the consolidated text: an article (``kind`` 条, its number as written) or a
    heading (编 章 节) kept where it stood."""

    kind: str
    number: str
    text: str
    old: str = ""  # the article's number before the decision; "" for an added one


@dataclass
class Consolidated:
    """The result of applying a decision: the items (headings and articles, renumbered), the
    instructions applied, and those that failed."""

    items: list[Item]
    applied: list[Instruction] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every instruction applied (and there was at least one)."""
        return bool(self.applied) and not self.failed

    @property
    def text(self) -> str:
        return "\n".join(i.text for i in self.items)


def section_for(decision: str, title: str) -> str:
    """The part of a decision that amends ``title``: from 对《title》作如下修改 to the next
    对《…》作如下修改; the whole decision when it names no document so, or only one."""
    heads = list(_SECTION.finditer(decision or ""))
    want = _squash(title)
    for k, m in enumerate(heads):
        if _squash(m[1]) == want or (want and want in _squash(m[1])):
            stop = heads[k + 1].start() if k + 1 < len(heads) else len(decision)
            return decision[m.end() : stop]
    return decision or ""


def _squash(s: str) -> str:
    return "".join((s or "").split())


def _int(m: re.Match, name: str) -> int:
    value = m.group(name)
    return to_int(value) or 0 if value else 0


def instructions(text: str) -> tuple[list[Instruction], list[Failure]]:
    """The instructions of a decision's text, in order, and the lines that read like an
    instruction but match no form (as failures)."""
    found: list[tuple[int, int, Instruction]] = []

    def take(rx: re.Pattern, make) -> None:
        for m in rx.finditer(text):
            if any(s <= m.start() < e for s, e, _ in found):
                continue
            found.append((m.start(), m.end(), make(m)))

    take(_WORDS, lambda m: Instruction("words", _int(m, "n"), _int(m, "para"), m["old"], m["new"],
                                       quote=m[0]))  # fmt: skip
    take(_DELETE_WORDS, lambda m: Instruction("delete_words", _int(m, "n"), _int(m, "para"),
                                              m["old"], quote=m[0]))  # fmt: skip
    take(_REPLACE, lambda m: Instruction("replace", _int(m, "n"), _int(m, "para"),
                                         m["text"].strip(), quote=m[0]))  # fmt: skip
    take(_ADD, lambda m: Instruction("add", _int(m, "n"), 0, m["text"].strip(),
                                     after=_int(m, "after"), quote=m[0]))  # fmt: skip
    take(_DELETE, lambda m: Instruction("delete", _int(m, "n"), quote=m[0]))
    found.sort(key=lambda f: f[0])
    failures = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not (_INSTRUCTION_LINE.match(stripped) and _INSTRUCTION_WORDS.search(stripped)):
            continue
        if any(s < end and e > start for s, e, _ in found):
            continue
        failures.append(Failure(stripped, "未能识别的修改方式"))
    return [f[2] for f in found], failures


@dataclass
class _Article:
    old: int  # 0: added
    text: str
    deleted: bool = False


def _paragraph_span(text: str, paragraph: int) -> tuple[int, int] | None:
    """The offsets of 第M款 in an article's text; the whole text for 第一款 of a one-款 article."""
    # the splitter accepts articles in sequence only: the article read as a 第一条
    rest = body(text)
    prefix = len(text) - len(rest)
    units = [u for u in split("第一条 " + rest) if u.kind == "款"]
    shift = prefix - len("第一条 ")
    if not units:
        return (0, len(text)) if paragraph == 1 else None
    if paragraph > len(units):
        return None
    u = units[paragraph - 1]
    return max(u.start + shift, 0), u.end + shift


def _name(i: Instruction) -> str:
    return f"第{to_chinese(i.article)}条" + (
        f"第{to_chinese(i.paragraph)}款" if i.paragraph else ""
    )


def apply(decision: str, units: Sequence, title: str = "") -> Consolidated:
    """``decision`` (its text, or the part of it for this document: ``section_for``) applied to
    ``units``, the amended document's units as ``corpus.articles.split`` gives them (or rows with
    ``kind``, ``value`` and ``text``): articles 条 and headings 编 章 节; 款 and 项 are ignored."""
    order: list[tuple[str, object]] = []  # (编/章/节, text) or ("art", _Article)
    articles: dict[int, _Article] = {}
    for u in units:
        kind, value, text = _get(u, "kind"), _get(u, "value"), _get(u, "text")
        if kind in ("编", "章", "节"):
            order.append((kind, text))
        elif kind == "条" and value not in articles:
            articles[value] = _Article(value, text)
            order.append(("art", articles[value]))
    text = section_for(decision, title) if title else decision
    todo, failed = instructions(text)
    applied: list[Instruction] = []
    adds: list[Instruction] = []
    for ins in todo:
        if ins.kind == "add":
            adds.append(ins)
            continue
        reason = _apply_one(ins, articles)
        if reason:
            failed.append(Failure(ins.quote, reason, ins))
        else:
            applied.append(ins)
    order, add_failures = _insert(order, articles, adds)
    failed += add_failures
    applied += [a for a in adds if all(f.instruction is not a for f in add_failures)]
    # both in the decision's order
    applied.sort(key=todo.index)
    failed.sort(key=lambda f: text.find(f.quote))
    return Consolidated(_renumber(order), applied, failed)


def _get(u, name: str):
    return u[name] if isinstance(u, dict) else getattr(u, name)


def _apply_one(ins: Instruction, articles: dict[int, _Article]) -> str:
    """Apply one instruction (not an addition) in place; the reason it cannot be, or ""."""
    art = articles.get(ins.article)
    if art is None:
        return f"文件中没有第{to_chinese(ins.article)}条"
    if art.deleted:
        return f"第{to_chinese(ins.article)}条已被本决定删去"
    if ins.kind == "delete":
        art.deleted = True
        return ""
    if ins.paragraph:
        span = _paragraph_span(art.text, ins.paragraph)
        if span is None:
            return f"第{to_chinese(ins.article)}条没有第{to_chinese(ins.paragraph)}款"
    else:
        span = (0, len(art.text))
    start, end = span
    part = art.text[start:end]
    if ins.kind == "replace":
        new = ins.text if ins.paragraph else f"第{to_chinese(ins.article)}条 " + body(ins.text)
    elif ins.text not in part:
        return f"{_name(ins)}中没有“{ins.text}”"
    elif ins.kind == "words":
        new = part.replace(ins.text, ins.new)
    else:  # delete_words
        new = part.replace(ins.text, "")
    art.text = art.text[:start] + new + art.text[end:]
    return ""


def _insert(order: list, articles: dict[int, _Article], adds: list[Instruction]):
    """The added articles put in place: after the old article named, else at their number among
    the articles that remain. Returns the new order and the additions that failed."""
    failures: list[Failure] = []
    for ins in sorted((a for a in adds if a.after), key=lambda a: a.after):
        anchor = articles.get(ins.after)
        if anchor is None:
            failures.append(Failure(ins.quote, f"文件中没有第{to_chinese(ins.after)}条", ins))
            continue
        k = next(i for i, (t, a) in enumerate(order) if t == "art" and a is anchor)
        while k + 1 < len(order) and order[k + 1][0] == "art" and order[k + 1][1].old == 0:
            k += 1  # after the additions already put after it
        order.insert(k + 1, ("art", _Article(0, ins.text)))
    placed: set[int] = set()
    for ins in sorted((a for a in adds if not a.after), key=lambda a: a.article):
        if ins.article in placed:
            failures.append(Failure(ins.quote, f"两处增加的条文都作为第{to_chinese(ins.article)}条", ins))  # fmt: skip
            continue
        kept = [i for i, (t, a) in enumerate(order) if t == "art" and not a.deleted]
        if ins.article < 1 or ins.article > len(kept) + 1:
            failures.append(
                Failure(ins.quote, f"文件现有 {len(kept)} 条，无法增加为第{to_chinese(ins.article)}条", ins)
            )  # fmt: skip
            continue
        at = kept[ins.article - 1] if ins.article <= len(kept) else kept[-1] + 1 if kept else 0
        order.insert(at, ("art", _Article(0, ins.text)))
        placed.add(ins.article)
    return order, failures


def _renumber(order: list) -> list[Item]:
    items: list[Item] = []
    n = 0
    for kind, value in order:
        if kind != "art":
            items.append(Item(kind, "", value))
            continue
        if value.deleted:
            continue
        n += 1
        number = f"第{to_chinese(n)}条"
        old = f"第{to_chinese(value.old)}条" if value.old else ""
        items.append(Item("条", number, f"{number} {body(value.text)}", old))
    return items
