"""Chinese full-text search: every match found (Ctrl-F semantics), ranked, fast, in any spelling.

The index is plain FTS5 with the stock ``unicode61`` tokenizer, so every SQLite tool can read it;
the Chinese is handled by how the text is written into it. Each run of Han (or other unspaced)
characters becomes overlapping bigrams plus its last character: 生态环境 → ``生态 态环 环境 境``.
Token *i* is character *i* and its successor, so a query of two or more characters is a phrase of
its bigrams and matches exactly where the text contains it as a substring, in any context
(生态环境保护, 生态环境厅, 加强生态环境). A word index (jieba) cannot promise that: a query that
the text's own segmentation cuts differently is missed (see shared/research/search.md).
Latin letters and digits stay whole words (so 49号 does not find 149号), full-width forms are
folded to ASCII, and punctuation separates tokens, which lets a 文号 match in every bracket style.

jieba (rjieba, HMM off) is kept where it is strong: a long term typed without spaces that occurs
nowhere as written (养老保险统筹) falls back to the AND of its words — the longest runs of jieba
words that do occur (``pieces``) — and those pieces are what the snippet highlights; and jieba's
TF-IDF keywords (corpus/search/keywords.py) rank a document that is about the query above one that
only mentions it.

Rows enter the index in order of publication (``search_rowid``, a column of documents and
interpretations numbered by the build): dense rowids keep the index under the size of the text,
and the newest match is the last rowid, so ranking — title ≫ 文号 ≫ keywords ≫ body, then newest
first — reads only the newest rows of each tier (titles, 文号 and keywords from the small
``documents_heads_fts``) instead of scoring every match, and a date range is a rowid range.
Status, kind and issuer filters are tokens in the index, so filtering never leaves FTS5. Datasette's ``?_search=`` finds
rows through ``search_rowid`` (metadata ``fts_pk``) and our ``escape_fts``.

The tables are contentless: they hold only the index; snippets are cut from the original text.
Measured at 10k–1M documents against LIKE and trigram in bench/search.py (bench/README.md).
"""

from __future__ import annotations

import html
import operator
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import rjieba
import sqlite_utils

from corpus.search.keywords import stored as stored_keywords
from corpus.store.normalize import canonical_doc_number, find_doc_numbers, to_halfwidth

HMM = False  # jieba HMM off: deterministic cuts, same words as jieba's (research §4)
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

# ---------------------------------------------------------------- the text as index tokens

# Runs of ASCII letters/digits, or of other letters/digits (Han, kana, 〇 …), after folding
# full-width forms; everything else separates tokens, as it does for unicode61.
_RUN = re.compile(r"[0-9A-Za-z]+|[^\W_0-9A-Za-z]+")
# Where a Han run's last character is kept as a token of its own: before a letter or digit
# (赣府厅字2022年, 浓度PM2.5) or an opening bracket (赣府厅字〔2022〕), so a 文号's phrase runs on
# into what follows in every bracket spelling; and before a closing mark (管理办法》 is not
# 管理办法实施细则). Before clause punctuation (，。、：；), a space or the end — nine run ends in
# ten — it is left out: the index is a tenth smaller (bench/README.md) and a query never needs it
# there, except a lone character (``index_text`` keeps those as tail tokens).
ANCHORS = "0-9A-Za-z〔\\[(（﹝【［》〉」』”’）)〕\\]﹞】］"
_ANCHOR = re.compile(f"[{ANCHORS}]")
_RUN_AND_NEXT = re.compile(rf"([0-9A-Za-z]+)|([^\W_0-9A-Za-z]+)(?=([{ANCHORS}])?)")
_pair = operator.add


TAIL = "\ue000"  # marks a tail token (a private-use character: no query can type it)


_FULLWIDTH_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")


def _fold(m: re.Match) -> str:
    return to_halfwidth(m[0])


def index_text(text: str | None) -> str:
    """``text`` as the index stores it: bigrammed runs of Han, whole ASCII words, no punctuation.

    Only full-width letters and digits need folding (full-width punctuation separates tokens
    either way), and they are rare: folding just them is twice as fast as folding the text.
    """
    if not text:
        return ""
    out: list[str] = []
    starts: set[str] = set()  # characters that begin a token: a lone one finds them as a prefix
    ends: list[str] = []  # last characters of runs that end without an anchor
    for ascii_run, run, anchor in _RUN_AND_NEXT.findall(_FULLWIDTH_ALNUM.sub(_fold, text)):
        if ascii_run:
            out.append(ascii_run)
        elif len(run) == 1:
            out.append(run)
            starts.add(run)
        else:
            out.append(" ".join(map(_pair, run, run[1:])))
            starts.update(run[:-1])
            if anchor:
                out.append(run[-1])
                starts.add(run[-1])
            else:
                ends.append(run[-1])
    # A character that only ever ends a run here gets one tail token, so that searching for it
    # alone still finds this text (…十年禁渔。): few per text, apart from every phrase.
    out += [TAIL + c for c in dict.fromkeys(ends) if c not in starts]
    return " ".join(out)


def doc_number_text(doc_number: str | None, doc_number_raw: str | None = "") -> str:
    """The 文号 column of the index: the canonical spelling and the page's own."""
    canonical = canonical_doc_number(doc_number or "") or canonical_doc_number(doc_number_raw)
    spellings = dict.fromkeys(s for s in (canonical, doc_number, doc_number_raw) if s)
    return " ".join(index_text(s) for s in spellings)


def facet_tokens(kind: str | None, status: str | None) -> str:
    """The filter tokens of a row: ``all``, its kind and its status as ASCII codes."""
    return " ".join(["all", _code("kind", kind), _code("status", status)])


def _code(name: str, value: str | None) -> str:
    """One ASCII token for a filter value in any script: the name, then each code point in hex."""
    return name + "".join(f"{ord(c):05x}" for c in (value or "").strip())


def segment(text: str | None) -> list[str]:
    """jieba words (rjieba, HMM off) of ``text``, punctuation and spaces dropped."""
    if not text:
        return []
    return [w for w in rjieba.cut(to_halfwidth(text), HMM) if any(c.isalnum() for c in w)]


# ---------------------------------------------------------------- the query


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


def phrase(text: str) -> str | None:
    """An FTS5 phrase that matches exactly where the text contains ``text`` (None: nothing to find).

    A Han run gives its bigrams; where the query shows the run goes on into a letter, digit or
    opening bracket, the run's last character is added, as the index has it there (``ANCHORS``).
    A single Han character at the very end is a prefix (号 → 号*: 号 starts a bigram); alone,
    it is also looked for as a tail token (``index_text``).
    """
    s = to_halfwidth(text)
    tokens: list[str] = []
    prefix = False
    for m in _RUN.finditer(s):
        run = m[0]
        if run.isascii():
            tokens.append(run)
            continue
        at_end = m.end() == len(s)
        if len(run) == 1:
            tokens.append(run)
            prefix = at_end
            continue
        tokens += map(_pair, run, run[1:])
        if _ANCHOR.match(s, m.end()):
            tokens.append(run[-1])
    if not tokens:
        return None
    if prefix and len(tokens) == 1:  # a lone character: a token's start, or a text's tail
        return f'("{tokens[0]}" * OR "{TAIL}{tokens[0]}")'
    return '"' + " ".join(tokens) + '"' + (" *" if prefix else "")


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


def _pieces_expr(text: str, exists: Exists) -> str | None:
    """The AND of the pieces of a run-together term (None when it is one piece)."""
    found = pieces(text, lambda piece: exists(f"{SEARCHED} : {phrase(piece)}"))
    phrases = list(dict.fromkeys(p for p in map(phrase, found) if p))
    return "(" + " AND ".join(phrases) + ")" if len(phrases) > 1 else None


Exists = Callable[[str], bool]


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
        parts.append("{facets} : " + _code("kind", kind))
    if status and status.strip():
        parts.append("{facets} : " + _code("status", status))
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


# ---------------------------------------------------------------- snippets


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


def snippet(text: str | None, q: str | None, width: int = 80) -> str:
    """About ``width`` characters of the original text around the first match, as safe HTML.

    Matches are wrapped in ``<mark>…</mark>``; ``…`` marks where the text was cut; line breaks
    become spaces. With no visible match (the hit was in the title or the 文号) the text's
    opening is returned.
    """
    if not text:
        return ""
    spans = _spans(text, q) if q else []
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


# ---------------------------------------------------------------- the index

COLUMNS = ("body", "title", "doc_number", "issuer", "facets")  # body first: smallest index
# Titles and 文号 again, without bodies: the title and 文号 tiers of the ranking read this small
# index instead of every body position of the big one.
HEADS = "documents_heads_fts"
_SOURCES = {
    "documents_fts": (
        "documents",
        "SELECT search_rowid, body_text, title, doc_number, doc_number_raw, issuer, kind, status,"
        " keywords FROM documents WHERE search_rowid IS NOT NULL ORDER BY search_rowid",
    ),
    "interpretations_fts": (
        "interpretations",
        "SELECT search_rowid, body_text, title, NULL, NULL, source, 'interpretation', NULL,"
        " NULL FROM interpretations WHERE search_rowid IS NOT NULL ORDER BY search_rowid",
    ),
}
# Rows go in by ascending rowid: FTS5 flushes its in-memory index whenever a rowid goes down.
BUILD_CACHE_KB = 256 * 1024


def assign_search_rowids(db: sqlite_utils.Database, table: str) -> int:
    """Number the rows of ``table`` 1, 2, … by publication date (then id); returns rows changed.

    Only rows whose number changes are written, so a rebuild of an unchanged library writes
    nothing and new documents (usually the newest) touch only themselves. One UPDATE walks the
    table in storage order (a first build rewrites every row: that is its main cost).
    """
    db.execute("DROP TABLE IF EXISTS temp.search_rowids")
    db.execute("CREATE TEMP TABLE search_rowids (id INTEGER PRIMARY KEY, n INTEGER, old INTEGER)")
    db.execute(
        f"INSERT INTO temp.search_rowids (id, n, old) SELECT id,"
        f" row_number() OVER (ORDER BY published_date, id), search_rowid FROM {table}"
    )
    db.execute("DELETE FROM temp.search_rowids WHERE n IS old")
    changed = db.execute("SELECT count(*) FROM temp.search_rowids").fetchone()[0]
    db.execute(
        f"UPDATE {table} SET search_rowid = s.n FROM temp.search_rowids s WHERE s.id = {table}.id"
    )
    db.execute("DROP TABLE temp.search_rowids")
    return changed


def _index_row(row: tuple) -> tuple:
    """A source row as index columns (rowid, body, title, 文号, issuer, facets) and keywords."""
    rowid, body, title, number, raw, issuer, kind, status, words = row
    return (
        rowid,
        index_text(body),
        index_text(title),
        doc_number_text(number, raw),
        index_text(issuer),
        facet_tokens(kind, status),
        keywords_text(words),
    )


def keywords_text(words: str | None) -> str:
    """The keywords (a JSON array) as index tokens, each apart: a phrase never spans two."""
    return " ".join(index_text(w) for w in stored_keywords(words))


def build_search_index(db: sqlite_utils.Database) -> dict:
    """(Re)build the search index from scratch; returns counts.

    ``documents_fts`` and ``interpretations_fts`` index everything searchable, with rowids in
    publication order (``search_rowid``); ``documents_heads_fts`` holds titles and 文号 only.
    """
    counts = {}
    cols = ", ".join(COLUMNS)
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    # A big page cache: FTS5 writes its segments while the documents are read (2.4× faster).
    db.execute(f"PRAGMA cache_size = {-BUILD_CACHE_KB}")
    try:
        _build(db, cols, counts)
    finally:
        db.execute(f"PRAGMA cache_size = {cache}")
    return counts


def _build(db: sqlite_utils.Database, cols: str, counts: dict) -> None:
    with db.conn:
        for fts, (table, select) in _SOURCES.items():
            assign_search_rowids(db, table)
            n = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            tables = [fts, HEADS] if table == "documents" else [fts]
            for name in tables:
                db.execute(f"DROP TABLE IF EXISTS {name}")
                db.execute(
                    f"CREATE VIRTUAL TABLE {name} USING fts5({cols}, content='',"
                    " tokenize='unicode61')"
                )
            insert = f"INSERT INTO {{}}(rowid, {cols}) VALUES (?, ?, ?, ?, ?, ?)"
            heads = []
            for batch in _batches(map(_index_row, db.execute(select)), 2000):
                db.conn.executemany(insert.format(fts), [r[:6] for r in batch])
                if table == "documents":  # heads: keywords in place of the body
                    heads += [(r[0], r[6], *r[2:6]) for r in batch]
                    if len(heads) >= 20_000:
                        db.conn.executemany(insert.format(HEADS), heads)
                        heads = []
            if heads:
                db.conn.executemany(insert.format(HEADS), heads)
            for name in tables:
                db.execute(f"INSERT INTO {name}({name}) VALUES('optimize')")
            counts[f"{table}_indexed"] = n


def _batches(rows, size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------- SQL functions and queries


def _text_or_empty(f):
    def wrapped(*args):
        try:
            return f(*(a if isinstance(a, str) else "" for a in args))
        except Exception:  # a SQL function must never break a page
            return ""

    return wrapped


def _exists_in(conn: sqlite3.Connection) -> Exists:
    """Whether an expression matches any document or interpretation (for the jieba fallback)."""

    def exists(expr: str) -> bool:
        for fts in _SOURCES:
            try:
                row = conn.execute(
                    f"SELECT 1 FROM {fts} WHERE {fts} MATCH ? LIMIT 1", [expr]
                ).fetchone()
            except sqlite3.Error:  # no index yet
                continue
            if row:
                return True
        return False

    return exists


def _tier_query(q: str, exists: Exists, column: str, *filters: str) -> str:
    """``fts_query`` for one source of a ranking tier.

    ``title``, ``doc_number`` and ``keywords`` are for the small titles-and-文号 index, which
    cannot check exclusions (it has no bodies); with a ``!`` (``title!``) they are the same tier asked of the
    full index, for queries with exclusions. Whichever does not apply matches nothing.
    """
    tier = column.rstrip("!")
    if tier not in TIERS:
        return NOTHING
    if tier and column.endswith("!") != any(t.negated for t in parse_query(q)):
        return NOTHING
    return fts_query(q, exists, tier, *filters)


def register_functions(conn: sqlite3.Connection) -> None:
    """Register the search functions on ``conn``, including an ``escape_fts`` for Chinese.

    ``nd_match(q, column, kind, status, issuer)`` is the MATCH expression, ``escape_fts(q)`` the
    same without filters (Datasette's ``?_search=`` runs ``… match escape_fts(:search)``;
    registered from ``prepare_connection`` with ``trylast=True`` it replaces Datasette's own),
    ``nd_snippet(text, q)`` the highlighted snippet, ``nd_date(value, end)`` a date bound.
    """
    lookup = _exists_in(conn)
    state = {"key": None}
    cache: dict = {}
    found: dict[str, bool] = {}  # the fallback's lookups, shared by every tier and filter

    def exists(expr: str) -> bool:
        if expr not in found:
            found[expr] = lookup(expr)
        return found[expr]

    def match(q, column="", kind="", status="", issuer=""):
        # The fallback depends on the data: forget it when the database changes.
        key = (conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
        if state["key"] != key or len(cache) > 512 or len(found) > 4096:
            state["key"] = key
            cache.clear()
            found.clear()
        args = (q, column, kind, status, issuer)
        if args not in cache:
            cache[args] = _tier_query(q, exists, column, kind, status, issuer)
        return cache[args]

    conn.create_function("nd_match", 5, _text_or_empty(match))
    conn.create_function("escape_fts", 1, _text_or_empty(match))
    conn.create_function("nd_snippet", 2, _text_or_empty(snippet), deterministic=True)
    conn.create_function("nd_is_number", 1, _text_or_empty(is_doc_number), deterministic=True)
    conn.create_function(
        "nd_date", 2, _text_or_empty(lambda v, end: date_bound(v, end == "end")), deterministic=True
    )


def search_sql(limit: int = 100, with_tier: bool = False) -> str:
    """The ranked search over documents: title ≫ 文号 ≫ keywords ≫ body, then newest first.

    Each tier reads only its newest ``limit`` matches (rowids are in publication order), so the
    cost does not grow with the number of matches. Empty :kind, :status, :issuer, :since and
    :until are ignored. ``with_tier`` adds the tier (0 title, 1 文号, 2 keywords, 3 elsewhere)
    as ``tier``. A query with exclusions has no keyword tier (the heads index has no bodies to
    check them against).
    """
    # A date range is a rowid range. With either bound given, documents without a date are
    # left out (they are numbered first); a bound past every document leaves the range empty.
    dated = "(nd_date(:since, '') != '' or nd_date(:until, 'end') != '')"
    lo = (
        f"(case when {dated} then coalesce((select search_rowid from documents where"
        " search_rowid is not null and published_date >= nd_date(:since, '')"
        " order by published_date, id limit 1), 9223372036854775807) else 0 end)"
    )
    hi = (
        f"(case when {dated} then coalesce((select search_rowid from documents where"
        " search_rowid is not null and published_date <= coalesce(nullif(nd_date(:until, 'end'),"
        " ''), '9999') order by published_date desc, id desc limit 1), 0)"
        " else 9223372036854775807 end)"
    )
    tiers = []
    sources = [(0, "title", HEADS), (0, "title!", "documents_fts"), (1, "doc_number", HEADS),
               (1, "doc_number!", "documents_fts"), (2, "keywords", HEADS),
               (3, "", "documents_fts")]  # fmt: skip
    for rank, column, fts in sources:
        n = rank * limit if rank > 1 else limit  # enough for the tiers above to be left out
        if rank == 1:  # asked for a 文号: its own document first, before titles citing it
            rank = "(case when nd_is_number(:q) then -1 else 1 end)"
        tiers.append(
            f"select * from (select rowid as r, {rank} as tier from {fts}"
            f" where {fts} match nd_match(:q, '{column}', :kind, :status, :issuer)"
            f" and rowid between {lo} and {hi} order by rowid desc limit {n})"
        )
    union = "\n  union all ".join(tiers)
    return f"""\
with hits as (
  {union}
),
best as (
  select r, min(tier) as tier from hits group by r order by tier, r desc limit {limit}
)
select d.id, d.title, d.doc_number, d.issuer, d.published_date, d.status,
  nd_snippet(d.body_text, :q) as snippet{", best.tier as tier" if with_tier else ""}
from best join documents d on d.search_rowid = best.r
order by best.tier, best.r desc"""


SEARCH_SQL = search_sql(100)

_INTERP_SQL = """\
select i.id, 'interpretation' as kind, i.title, null as doc_number, i.source as issuer,
  i.published_date, null as status, i.body_text, min(t.tier) as tier
from (
  {tiers}
) t join interpretations i on i.search_rowid = t.r
group by t.r order by min(t.tier), t.r desc limit :limit"""


def search(
    db: sqlite_utils.Database,
    q: str,
    limit: int = 20,
    kind: str | None = None,
    status: str | None = None,
    issuer: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict]:
    """Documents (and interpretations) matching ``q``, best first, each with a snippet.

    ``kind`` is a document kind (rule, normative, policy) or ``interpretation``; ``status``
    filters documents (interpretations have none and are then left out); ``issuer`` is part of
    the issuer's name (an interpretation's source); ``since``/``until`` bound the publication
    date. Each row says which ``table`` it is from and its ``tier`` (0 title, 1 文号, 2 keywords,
    3 body).
    """
    register_functions(db.conn)
    rows: list[dict] = []
    if kind != "interpretation":
        params = {"q": q, "kind": kind or "", "status": status or "", "issuer": issuer or ""}
        params |= {"since": since or "", "until": until or ""}
        rows += [dict(r, table="documents") for r in _rows(db, search_sql(limit, True), params)]
    if kind in (None, "", "interpretation") and not status and not since and not until:
        rows += _interpretations(db, q, limit, issuer)
    # Newest first within a tier, documents before the interpretations that explain them.
    rows.sort(key=lambda r: r["published_date"] or "", reverse=True)
    rows.sort(key=lambda r: (r["tier"], r["table"] != "documents"))
    return rows[:limit]


def _interpretations(db: sqlite_utils.Database, q: str, limit: int, issuer: str | None) -> list:
    exists = _exists_in(db.conn)
    tiers, params = [], {"limit": limit}
    for rank, column in enumerate(TIERS):
        if column in ("doc_number", "keywords"):  # interpretations have neither in the index
            continue
        params[f"m{rank}"] = fts_query(q, exists, column, issuer=issuer)
        tiers.append(
            f"select * from (select rowid as r, {rank} as tier from interpretations_fts"
            f" where interpretations_fts match :m{rank} order by rowid desc limit :limit)"
        )
    sql = _INTERP_SQL.format(tiers="\n  union all ".join(tiers))
    out = []
    for r in _rows(db, sql, params):
        r["snippet"] = snippet(r.pop("body_text"), q)
        out.append(dict(r, table="interpretations"))
    return out


def _rows(db: sqlite_utils.Database, sql: str, params: dict) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
