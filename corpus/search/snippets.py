"""Snippets: about 80 characters of the original text around the first match, as safe HTML.

The index is contentless, so snippets are cut from the stored text, not from the index. What is
marked is what the user asked for as typed, a 文号 in any of its spellings, and, for a term
that matched as the AND of its words, the longest pieces of it the text contains.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from corpus.search.query import FALLBACK_MAX_CHARS, doc_number_of, parse_query, pieces
from corpus.store.normalize import find_doc_numbers, to_halfwidth


def _char_class(ch: str) -> str:
    """A regex matching ``ch`` in either width and either ASCII case."""
    if "!" <= ch <= "~":
        forms = {ch, ch.lower(), ch.upper()}
        forms |= {chr(ord(f) + 0xFEE0) for f in forms}
        return "[" + "".join(re.escape(f) for f in sorted(forms)) + "]"
    return re.escape(ch)


@lru_cache(maxsize=256)
def _needles_rx(needles: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for all needles, longest first, tolerant of width and ASCII case.

    Matching the text as it is (instead of folding it first) keeps offsets exact and is fast.
    """
    kept = sorted({n for n in needles if any(c.isalnum() for c in n)}, key=len, reverse=True)
    if not kept:
        return None
    return re.compile("|".join("".join(map(_char_class, n)) for n in kept))


def _find_all(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of any needle, longest needle first at each place."""
    rx = _needles_rx(tuple(needles))
    return [(m.start(), m.end()) for m in rx.finditer(text)] if rx else []


@lru_cache(maxsize=1024)
def _highlight_plan(q: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """What to mark for ``q``: the terms as typed (and the 文号 asked for), and the 文号."""
    terms = [t for t in parse_query(q) if not t.negated]
    numbers = frozenset(c for t in terms if not t.quoted and (c := doc_number_of(t.text)))
    needles = tuple(re.sub(r"\s+", "", t.text) for t in terms) + tuple(sorted(numbers))
    return needles, numbers


def _spans(text: str, q: str) -> list[tuple[int, int]]:
    """Where the query's terms occur in ``text``: whole terms first, else their pieces.

    A 文号 is also found in other spellings (赣府厅字[2022]49号 for 赣府厅字〔2022〕49号); a
    run-together term that matched as the AND of its words shows the longest pieces of it
    that this text contains.
    """
    needles, numbers = _highlight_plan(q)
    found = _find_all(text, list(needles))
    if numbers and not found:
        for raw, canonical in find_doc_numbers(text):  # slower: only when the spelling differs
            if canonical in numbers:
                start = text.find(raw)
                found.append((start, start + len(raw)))
    if not found:
        folded = to_halfwidth(text)
        short = [n for n in needles if len(n) <= FALLBACK_MAX_CHARS]
        found = _find_all(text, [p for n in short for p in pieces(n, lambda p: p in folded)])
    return sorted(set(found))


def located_snippet(text: str | None, q: str | None, width: int = 80) -> str:
    """The snippet after the offset of its first match and a ``|``: ``"312|…<mark>…"``, -1 for
    no match. One call gives the search both the snippet and where it is (the article column),
    the text read once."""
    spans = _spans(text, q) if text and q else []
    return f"{spans[0][0] if spans else -1}|{_cut(text, spans, width)}"


def snippet(text: str | None, q: str | None, width: int = 80) -> str:
    """About ``width`` characters of the original text around the first match, as safe HTML.

    Matches are wrapped in ``<mark>…</mark>``; ``…`` marks where the text was cut; line breaks
    become spaces. With no visible match (the hit was in the title or the 文号) the text's
    opening is returned.
    """
    return _cut(text, _spans(text, q) if text and q else [], width)


def _cut(text: str | None, spans: list[tuple[int, int]], width: int) -> str:
    if not text:
        return ""
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    start = max(0, end - width)
    out, pos = [], start
    for s, e in spans:
        if s < pos or s >= end:
            continue
        end = max(end, e)  # never cut a match in half
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    body = "".join(out).replace("\r\n", " ").replace("\n", " ")
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
