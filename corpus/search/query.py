"""The query language: what a user types, as a safe FTS5 expression, and date bounds.

Terms are words split by spaces, "quoted phrases" and -exclusions; each is an exact substring
(``corpus.search.tokens.phrase``), and they are ANDed. A 文号 typed in any spelling matches every
spelling. A long term typed without spaces that occurs nowhere as written (养老保险统筹) falls
back to the AND of its words: the longest runs of jieba words that do occur (``pieces``), which
the snippet then highlights. Operators, quotes and punctuation are only ever literal text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from corpus.search.tokens import filter_code, phrase, segment
from corpus.store.normalize import canonical_doc_number, to_halfwidth

NOTHING = '""'  # an FTS5 expression that matches no row and raises no error
MAX_QUERY_CHARS = 500  # longer input is cut: a search box is not a document
MAX_TERMS = 32
FALLBACK_MIN_CHARS = 4  # terms this long that occur nowhere fall back to the AND of their words
FALLBACK_MAX_CHARS = 40  # … up to this long (the pieces are looked up one by one)
PIECE_MAX_WORDS = 8  # a piece is at most this many jieba words

SEARCHED = "{body title doc_number}"  # the columns a user's words are looked for in
# ranking: title ≫ 文号 ≫ keywords (what a document is about) ≫ anywhere (body), then newest
TIERS = ("title", "doc_number", "keywords", "")
# The heads index has no bodies: its body column holds the keywords (corpus/search/keywords.py).
_COLUMN_OF_TIER = {"keywords": "body"}


@dataclass(frozen=True)
class Term:
    """One thing the user asked for: a word or "quoted phrase", possibly -excluded."""

    text: str
    quoted: bool = False
    negated: bool = False


_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_LOOKS_NUMBERED = re.compile(r"[〔〕\[\]()﹝﹞【】]|号|\d年")
_NUMBER_MARKS = re.compile(r"[\s〔〕\[\]()﹝﹞【】年第号]")
_NUMBER_PART = re.compile(r"[\d〔〕\[\]()﹝﹞【】年第号]+")


def parse_query(q: str | None) -> list[Term]:
    """What the user typed, as terms: words split by spaces, "quoted phrases", -exclusions.

    A 文号 typed with spaces (赣府厅字 〔2022〕 49 号) is one term. A lone quote is ignored, an
    unclosed quote runs to the end.
    """
    if not q or not isinstance(q, str):
        return []
    s = to_halfwidth(q)[:MAX_QUERY_CHARS].strip()
    parts = s.split()
    if len(parts) > 1 and all(_NUMBER_PART.fullmatch(p) for p in parts[1:]):
        whole = "".join(parts)
        if doc_number_of(whole):
            return [Term(whole)]
    terms = []
    for m in _TERM.finditer(s):
        if m[3] is not None:
            word = m[3].replace('"', "")  # a stray quote is syntax, not text
            negated = word.startswith("-") and len(word) > 1
            terms.append(Term(word[1:] if negated else word, negated=negated))
        elif m[2].strip():
            terms.append(Term(m[2].strip(), quoted=True, negated=bool(m[1])))
    return terms[:MAX_TERMS]


def doc_number_of(term: str) -> str | None:
    """The canonical 文号 if ``term`` is one in any spelling (and not a sentence holding one)."""
    term = to_halfwidth(term)
    if not _LOOKS_NUMBERED.search(term):
        return None
    canonical = canonical_doc_number(term)
    # Nothing but the code, the year and the number: 赣府厅字〔2022〕49号文件 is a phrase.
    if canonical and re.fullmatch(r"\D+\d+", _NUMBER_MARKS.sub("", term)):
        return canonical
    return None


def is_doc_number(q: str | None) -> int:
    """1 if the query is one 文号 (in any spelling), else 0."""
    terms = parse_query(q)
    if len(terms) != 1 or terms[0].quoted or terms[0].negated:
        return 0
    return int(bool(doc_number_of(terms[0].text)))


def _doc_number_phrases(canonical: str) -> str:
    """Every spelling of a 文号 as alternative phrases, without requiring the final 号.

    Brackets are separators in the index, so 〔〕 [] （） ﹝﹞ are one phrase, a space between code
    and year another (the code's last character is a token only before a bracket); the 年 and
    第 forms are others (赣府厅字2022年49号, …公告2026年第5号).
    """
    m = re.fullmatch(r"(.+)〔(\d{4})〕(\d+)号", canonical) or re.fullmatch(
        r"(.+?)(\d{4})年第(\d+)号", canonical
    )
    if m:
        code, year, n = m.groups()
        # bracketed and spaced apart: the code's last character is a token only before a bracket
        spellings = [f"{code}〔{year}〕{n}", f"{code} {year} {n}", f"{code}〔{year}〕第{n}"]
        spellings += [f"{code} {year} 第{n}", f"{code}{year}年{n}", f"{code}{year}年第{n}"]
    else:  # 江西省人民政府令第252号: also without 第
        base = canonical.removesuffix("号")
        spellings = [base, re.sub(r"第(?=\d+$)", "", base)]
    phrases = dict.fromkeys(p for p in map(phrase, spellings) if p)
    return "(" + " OR ".join(phrases) + ")"


def pieces(text: str, occurs: Callable[[str], bool]) -> list[str]:
    """The words a run-together term is made of, as the longest pieces that occur.

    jieba proposes where words end (养老保险|省级|统筹, 河|长|制|水|环境治理); from the left,
    each piece is the longest run of whole words that ``occurs`` somewhere, so names jieba does
    not know stay whole (河长制) and phrases that do occur are kept as phrases (水环境治理).
    A single character left on its own is dropped: alone it would match almost everything.
    """
    words = segment(text)
    ends = [sum(len(w) for w in words[: i + 1]) for i in range(len(words))]
    joined = "".join(words)
    out, pos = [], 0
    while pos < len(joined):
        later = [e for e in ends if e > pos][:PIECE_MAX_WORDS]
        end = next((e for e in reversed(later) if e - pos > 1 and occurs(joined[pos:e])), None)
        if end is None:  # nothing longer than a word occurs: the next word as it is
            end = later[0]
        if end - pos > 1:
            out.append(joined[pos:end])
        pos = end
    return out


Exists = Callable[[str], bool]  # an FTS5 expression → does it match any row?


def _pieces_expr(text: str, exists: Exists) -> str | None:
    """The AND of the pieces of a run-together term (None when it is one piece)."""
    found = pieces(text, lambda piece: exists(f"{SEARCHED} : {phrase(piece)}"))
    phrases = list(dict.fromkeys(p for p in map(phrase, found) if p))
    return "(" + " AND ".join(phrases) + ")" if len(phrases) > 1 else None


def _term_expr(term: Term, exists: Exists | None) -> str | None:
    canonical = None if term.quoted else doc_number_of(term.text)
    if canonical:
        return _doc_number_phrases(canonical)
    exact = phrase(term.text)
    if exact is None:
        return None
    # A long term typed without spaces that occurs nowhere as written: its words, ANDed.
    fallback = not term.quoted and not term.negated and exists is not None
    if fallback and _is_long(term.text) and not exists(f"{SEARCHED} : {exact}"):
        return _pieces_expr(term.text, exists) or exact
    return exact


def _is_long(text: str) -> bool:
    han = sum(1 for c in text if c.isalnum() and not c.isascii())
    return han >= FALLBACK_MIN_CHARS and len(text) <= FALLBACK_MAX_CHARS


def fts_query(
    q: str | None,
    exists: Exists | None = None,
    column: str = "",
    kind: str | None = None,
    status: str | None = None,
    issuer: str | None = None,
) -> str:
    """Turn what a user typed into a safe FTS5 MATCH expression for the index.

    Terms are ANDed, each an exact substring; "quoted phrases" are one term; -terms exclude; a
    文号 in any spelling matches every spelling. ``exists`` (an expression → any row?) enables
    the jieba fallback for long terms that occur nowhere. ``column`` limits the words to the
    title or the 文号 (a ranking tier); ``kind``/``status``/``issuer`` filter. Operators, quotes
    and punctuation are only ever literal text; input with nothing to find gives ``NOTHING``.
    """
    wanted, unwanted = [], []
    for term in parse_query(q):
        expr = _term_expr(term, exists)
        if expr:
            (unwanted if term.negated else wanted).append(expr)
    cols = "{" + _COLUMN_OF_TIER.get(column, column) + "}" if column else SEARCHED
    parts = [f"{cols} : ({' AND '.join(wanted)})"] if wanted else []
    if kind and kind.strip():
        parts.append("{facets} : " + filter_code("kind", kind))
    if status and status.strip():
        parts.append("{facets} : " + filter_code("status", status))
    if issuer and issuer.strip():
        issuer_phrase = phrase(issuer)
        if issuer_phrase is None:
            return NOTHING
        parts.append("{issuer} : " + issuer_phrase)
    if not wanted:
        if not unwanted or column:
            return NOTHING  # nothing asked for (an exclusion alone ranks in the body tier)
        parts.insert(0, "{facets} : all")
    expr = " AND ".join(f"({p})" for p in parts)
    if unwanted:
        expr = f"({expr}) NOT ({SEARCHED} : ({' OR '.join(unwanted)}))"
    return expr


def tier_query(q: str, exists: Exists, column: str, *filters: str) -> str:
    """``fts_query`` for one source of a ranking tier.

    ``title``, ``doc_number`` and ``keywords`` are for the small titles-and-文号 index, which
    cannot check exclusions (it has no bodies); with a ``!`` (``title!``) they are the same tier
    asked of the full index, for queries with exclusions. Whichever does not apply matches
    nothing.
    """
    tier = column.rstrip("!")
    if tier not in TIERS:
        return NOTHING
    if tier and column.endswith("!") != any(t.negated for t in parse_query(q)):
        return NOTHING
    return fts_query(q, exists, tier, *filters)


_DATE = re.compile(r"(\d{4})(?:\s*[-./年]\s*(\d{1,2})(?:\s*[-./月]\s*(\d{1,2})\s*日?|\s*月)?)?")


def date_bound(value: str | None, end: bool = False) -> str:
    """An ISO date from what a user typed (2023, 2023-05, 2023年5月1日 …); '' when empty or unclear.

    A year or a month stands for its first day, or its last with ``end``. Only these forms are
    read, so a date range never depends on today or on a guess.
    """
    m = _DATE.fullmatch(to_halfwidth(value or "").strip())
    if not m:
        return ""
    year, month, day = int(m[1]), int(m[2] or (12 if end else 1)), m[3]
    try:
        if day:
            return date(year, month, int(day)).isoformat()
        first = date(year, month, 1)
    except ValueError:
        return ""
    if not end:
        return first.isoformat()
    return (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).isoformat()
