"""Two versions of a text → what changed, article by article. Pure: texts in, changes out.

The rules, in the order they are applied:

1. **Units.** Each text is split (``corpus.articles.split``) into its 条; where either has none,
   into its numbered parts (一、 …); where either has neither, into its paragraphs (lines),
   which have no number.
   An article is its whole text, 款 and 项 included.
2. **Same text, same place.** The two lists of units are aligned by their text without the
   number (第十二条 …), in order (``difflib`` on the sequence of texts): an article whose text is
   unchanged is the same article, even when its number changed (an article added or removed
   before it renumbers it) — ``renumbered``, or ``same`` when its number is unchanged too.
3. **Changed.** In each stretch between aligned articles, an old and a new article whose texts
   are at least half alike are the same article, changed (the most alike first); of what is left,
   an old and a new article with the same number are the same article, rewritten; the rest is
   ``removed`` (old only) or ``added`` (new only).
4. **Words.** A changed article's old and new texts are compared character by character (Chinese
   has no spaces to compare words by): the old text with what was deleted marked, the new text
   with what was inserted marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from corpus.articles.numbers import NUMERAL
from corpus.articles.split import Unit, split

SIMILAR = 0.5  # how alike two unpaired articles must be to be one article changed
NEAR = 12  # how far apart (in a stretch) two articles may be to be compared for likeness
STATUSES = ("same", "renumbered", "changed", "added", "removed")
_NUMBER = re.compile(
    rf"^(?:第\s*{NUMERAL}\s*条(?:之{NUMERAL})?|[零〇一二两三四五六七八九十百]+\s*[、.．])"
    r"[\s\u3000:：、.．]*"
)


@dataclass(frozen=True)
class Piece:
    """A run of characters of one side: ``mark`` True where it was deleted (old side) or
    inserted (new side)."""

    text: str
    mark: bool = False


@dataclass(frozen=True)
class Side:
    """One version of an article: its number as written, path, anchor and text."""

    number: str
    path: str
    anchor: str
    text: str


@dataclass
class Change:
    """One article of the comparison: its status (``STATUSES``), its old and new versions (one
    is None for ``added`` and ``removed``), and for a changed article the texts as pieces."""

    status: str
    old: Side | None
    new: Side | None
    old_pieces: list[Piece] = field(default_factory=list)
    new_pieces: list[Piece] = field(default_factory=list)


@dataclass
class Comparison:
    """Every article of two versions, in the order of the new text (removed ones where they
    stood), and how many of each status."""

    changes: list[Change]
    unit: str  # 条, 部分 or 段落: what was compared

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.changes) for s in STATUSES}

    @property
    def changed(self) -> bool:
        return any(c.status != "same" for c in self.changes)


def body(text: str) -> str:
    """An article's text without its number (第十二条, 一、) and the space after it."""
    return _NUMBER.sub("", text, count=1)


def _side(u: Unit) -> Side:
    return Side(u.number, u.path, u.anchor, u.text)


def _units(old: str, new: str, title: str) -> tuple[list[Side], list[Side], str]:
    a, b = split(old, title), split(new, title)
    for kind in ("条", "部分"):
        ua, ub = [u for u in a if u.kind == kind], [u for u in b if u.kind == kind]
        if ua and ub:
            return [_side(u) for u in ua], [_side(u) for u in ub], kind
    # no structure: paragraph by paragraph, unnumbered
    return _paragraphs(old), _paragraphs(new), "段落"


def _paragraphs(text: str) -> list[Side]:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return [Side("", "", f"第{i}段", line) for i, line in enumerate(lines, 1)]


def pieces(old: str, new: str) -> tuple[list[Piece], list[Piece]]:
    """The old and the new text as pieces, the deleted and the inserted characters marked."""
    a, b = [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            a.append(Piece(old[i1:i2]))
            b.append(Piece(new[j1:j2]))
            continue
        if i2 > i1:
            a.append(Piece(old[i1:i2], True))
        if j2 > j1:
            b.append(Piece(new[j1:j2], True))
    return a, b


def _pair(old: Side, new: Side) -> Change:
    if old.text == new.text:
        return Change("same", old, new)
    if body(old.text) == body(new.text):
        return Change("renumbered", old, new)
    a, b = pieces(old.text, new.text)
    return Change("changed", old, new, a, b)


def _ratio(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _stretch(old: list[Side], new: list[Side]) -> list[Change]:
    """A stretch of articles not aligned by their text (rule 3), in the new text's order."""
    paired: dict[int, int] = {}  # new index → old index
    # only articles near each other are compared: a stretch of hundreds stays quick
    likeness = sorted(
        (-_ratio(body(a.text), body(b.text)), i, j)
        for i, a in enumerate(old)
        for j, b in enumerate(new)
        if abs(i - j) <= NEAR
    )
    for score, i, j in likeness:
        if -score < SIMILAR:
            break
        if j not in paired and i not in paired.values():
            paired[j] = i
    numbers = {s.number: i for i, s in enumerate(old)}
    for j, s in enumerate(new):
        i = numbers.get(s.number)
        if s.number and j not in paired and i is not None and i not in paired.values():
            paired[j] = i
    out: list[Change] = []
    done: set[int] = set()
    taken = set(paired.values())
    for j, s in enumerate(new):
        if j not in paired:
            out.append(Change("added", None, s))
            continue
        i = paired[j]
        # the old articles before this one that nothing took were removed here
        for k in range(i):
            if k not in done and k not in taken:
                out.append(Change("removed", old[k], None))
                done.add(k)
        out.append(_pair(old[i], s))
        done.add(i)
    out += [Change("removed", old[k], None) for k in range(len(old)) if k not in done]
    return out


def compare_sides(old: list[Side], new: list[Side], unit: str = "条") -> Comparison:
    """Two lists of articles → the comparison (rules 2 to 4)."""
    matcher = SequenceMatcher(
        None, [body(s.text) for s in old], [body(s.text) for s in new], autojunk=False
    )
    changes: list[Change] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes += [_pair(a, b) for a, b in zip(old[i1:i2], new[j1:j2], strict=True)]
        else:
            changes += _stretch(old[i1:i2], new[j1:j2])
    return Comparison(changes, unit)


def compare(old: str | None, new: str | None, title: str = "") -> Comparison:
    """Two versions of a text (lines joined by "\\n") → their comparison (the module docstring)."""
    a, b, unit = _units(old or "", new or "", title)
    return compare_sides(a, b, unit)
