"""Chinese full-text search: a jieba-segmented FTS5 index, a safe query translator, snippets.

SQLite's ``unicode61`` tokenizer treats a run of Han characters as one token, so the text is
segmented in Python (``cut_for_search``: words plus their 2- and 3-character sub-words) and the
words are joined by spaces before indexing. The FTS tables are *contentless*: they hold only the
index (the segmented text is never shown), and snippets are cut from the original text instead.

Segmentation uses rjieba (jieba-rs) with HMM off: on our measurements its cuts are identical to
jieba's with HMM off and it is about 15× faster. The same function segments the query, so any
database tool that registers ``register_functions`` searches the way the index was built.

Known limits of a word index (see shared/research/search.md): a query that is not a word in the
text's own segmentation is missed (营商环境 inside 加强营商环境 → 加强营/商/环境), and single
characters only match where the text has them as words.
"""

from __future__ import annotations

import html
import re
import sqlite3
from functools import lru_cache

import rjieba
import sqlite_utils

from corpus.normalize import canonical_doc_number, find_doc_numbers, to_halfwidth

HMM = False  # HMM off: deterministic cuts, slightly faster, same recall (research §2c)
TITLE_WEIGHT, DOC_NUMBER_WEIGHT, BODY_WEIGHT = 10.0, 5.0, 1.0
NOTHING = '""'  # an FTS5 expression that matches no row and raises no error

# ---------------------------------------------------------------- segmentation


def _cut_for_search(text: str) -> list[str]:
    return rjieba.cut_for_search(text, HMM)


def segment(text: str | None) -> str:
    """Text as space-separated ``cut_for_search`` tokens, ready for the unicode61 tokenizer."""
    if not text:
        return ""
    return " ".join(t for t in _cut_for_search(text) if not t.isspace())


def doc_number_key(canonical: str) -> str:
    """One token that stands for a canonical 文号 in any spelling: 赣府厅字〔2022〕49号 → 赣府厅字202249号.

    The year always has 4 digits, so the key is unambiguous; unicode61 keeps it whole.
    """
    return re.sub(r"[^\w]", "", canonical).replace("第", "")


def doc_number_text(doc_number: str | None, doc_number_raw: str | None = "") -> str:
    """What the doc_number column of the index holds: the segmented number and its key."""
    canonical = canonical_doc_number(doc_number or "") or canonical_doc_number(doc_number_raw)
    parts = [segment(doc_number), segment(doc_number_raw)]
    if canonical:
        parts += [segment(canonical), doc_number_key(canonical)]
    return " ".join(dict.fromkeys(p for p in parts if p))


# ---------------------------------------------------------------- the query


def _is_token(s: str) -> bool:
    """Whether unicode61 would keep anything of ``s`` (letters, digits, Han)."""
    return any(c.isalnum() for c in s)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


_TERM_SPLIT = re.compile(r'"([^"]*)"|(\S+)')


def _terms(q: str) -> list[str]:
    """What the user typed, as terms: space-separated words, or "quoted phrases"."""
    s = to_halfwidth(q).strip()
    if not s:
        return []
    whole = re.sub(r"\s+", "", s)
    if _doc_number(whole):  # 赣府厅字 〔2022〕 49 号 typed with spaces is still one number
        return [whole]
    terms = []
    for m in _TERM_SPLIT.finditer(s):
        term = (m[1] if m[1] is not None else m[2]).strip()
        if term:
            terms.append(term)
    return terms


_LOOKS_NUMBERED = re.compile(r"[〔〕\[\]［］()（）﹝﹞【】]|号")


def _doc_number(term: str) -> str | None:
    """The canonical 文号 if ``term`` is one (and not a sentence that happens to hold one)."""
    if not _LOOKS_NUMBERED.search(term):
        return None
    canonical = canonical_doc_number(term)
    if canonical and len(term) <= len(canonical) + 2:
        return canonical
    return None


@lru_cache(maxsize=4096)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The finest index tokens that make up ``word``.

    ``cut_for_search`` indexes a long word together with its dictionary sub-words, but the same
    characters split differently elsewhere (生态环境保护 → 生态/环境保护). Asking for the
    sub-words that cover the word (生态 + 环境) finds both spellings; a word not covered by its
    sub-words is asked for as itself.
    """
    subs = [t for t in _cut_for_search(word) if t != word and len(t) > 1]
    if len(word) <= 2 or not subs:
        return (word,)
    # Fewest sub-words whose union covers the word; they may overlap (农作物 → 农作 + 作物).
    spans = sorted({(m.start(), m.start() + len(t), t) for t in subs for m in _finditer(t, word)})
    best: dict[int, tuple[str, ...]] = {0: ()}
    for reach in range(len(word)):
        if reach not in best:
            continue
        for start, end, t in spans:
            if start <= reach < end and (end not in best or len(best[end]) > len(best[reach]) + 1):
                best[end] = (*best[reach], t)
    return best.get(len(word), (word,))


def _finditer(needle: str, haystack: str) -> list[re.Match]:
    return list(re.finditer(re.escape(needle), haystack))


@lru_cache(maxsize=1024)
def _term_tokens(term: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for word in rjieba.cut(term, HMM):
        if _is_token(word):
            tokens.extend(_word_tokens(word))
    return tuple(tokens)


def _near(tokens: tuple[str, ...], term: str) -> str:
    """Tokens of one term: a single token, or all of them close together (any order)."""
    if len(tokens) == 1:
        return _quote(tokens[0])
    # NEAR's N counts every token between the first and the last phrase, and the index has
    # sub-words in between (城乡/乡居/居民/城乡居民): the term's own token count, measured to
    # keep recall against LIKE at 0.997–1.0 with precision ≥ 0.99 on our test corpora.
    slack = len(_cut_for_search(term))
    return f"NEAR({' '.join(_quote(t) for t in tokens)}, {slack})"


@lru_cache(maxsize=1024)
def fts_query(q: str | None) -> str:
    """Turn what a user typed into a safe FTS5 MATCH expression for our segmented index.

    Space-separated terms are ANDed; each term is segmented like the index and its tokens must
    occur close together; a "quoted phrase" is one term; a 文号 in any spelling also matches its
    key token. Operators, quotes and punctuation are only ever literal text. Input with nothing
    searchable gives an expression that matches nothing.
    """
    if not q or not isinstance(q, str):
        return NOTHING
    parts = []
    for term in _terms(q):
        canonical = _doc_number(term)
        tokens = _term_tokens(canonical or term)
        if not tokens:
            continue
        expr = _near(tokens, canonical or term)
        if canonical:
            expr = f"({_quote(doc_number_key(canonical))} OR {expr})"
        parts.append(expr)
    return " AND ".join(parts) if parts else NOTHING


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
    kept = sorted({n for n in needles if _is_token(n)}, key=len, reverse=True)
    if not kept:
        return None
    return re.compile("|".join("".join(map(_char_class, n)) for n in kept))


def _find_all(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of any needle, longest needle first at each place."""
    rx = _needles_rx(tuple(needles))
    return [(m.start(), m.end()) for m in rx.finditer(text)] if rx else []


def _spans(text: str, q: str) -> list[tuple[int, int]]:
    """Where the query's terms occur in ``text``: whole terms first, else their tokens.

    A 文号 is also found in other spellings (赣府厅字[2022]49号 for 赣府厅字〔2022〕49号).
    """
    terms = _terms(q)
    numbers = {c for c in map(_doc_number, terms) if c}
    needles = [re.sub(r"\s+", "", to_halfwidth(t)) for t in terms] + sorted(numbers)
    found = _find_all(text, needles)
    if numbers and not found:
        for raw, canonical in find_doc_numbers(text):  # slower: only when the spelling differs
            if canonical in numbers:
                start = text.find(raw)
                found.append((start, start + len(raw)))
    if not found:
        tokens = {t for term in terms for t in _term_tokens(_doc_number(term) or term)}
        found = _find_all(text, sorted(tokens))
    return sorted(set(found))


def snippet(text: str | None, q: str | None, width: int = 80) -> str:
    """About ``width`` characters of the original text around the first match, as safe HTML.

    Matches are wrapped in ``<mark>…</mark>``; ``…`` marks where the text was cut; line breaks
    become spaces. With no visible match (the hit was in the title or the 文号) the text's
    opening is returned.
    """
    if not text:
        return ""
    spans = _spans(text, q or "") if q else []
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

_FTS_TABLES = {
    "documents_fts": ("title", "doc_number", "body"),
    "interpretations_fts": ("title", "body"),
}


def _create_fts(db: sqlite_utils.Database) -> None:
    for table, columns in _FTS_TABLES.items():
        db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(columns)}, "
            "content='', tokenize='unicode61')"
        )
    weights = {"documents_fts": "10.0, 5.0, 1.0", "interpretations_fts": "10.0, 1.0"}
    for table, w in weights.items():
        # Persistent ranking, so ORDER BY rank means our weights in any client.
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES('rank', 'bm25({w})')")


def build_search_index(db: sqlite_utils.Database) -> dict:
    """(Re)build ``documents_fts`` and ``interpretations_fts`` from scratch; returns counts."""
    with db.conn:
        _create_fts(db)
        docs = db.execute("SELECT id, title, doc_number, doc_number_raw, body_text FROM documents")
        db.conn.executemany(
            "INSERT INTO documents_fts(rowid, title, doc_number, body) VALUES (?, ?, ?, ?)",
            (
                (i, segment(title), doc_number_text(number, raw), segment(body))
                for i, title, number, raw, body in docs
            ),
        )
        interps = db.execute("SELECT id, title, body_text FROM interpretations")
        db.conn.executemany(
            "INSERT INTO interpretations_fts(rowid, title, body) VALUES (?, ?, ?)",
            ((i, segment(title), segment(body)) for i, title, body in interps),
        )
        db.execute("INSERT INTO documents_fts(documents_fts) VALUES('optimize')")
        db.execute("INSERT INTO interpretations_fts(interpretations_fts) VALUES('optimize')")
    return {
        "documents_indexed": db.execute("SELECT count(*) FROM documents").fetchone()[0],
        "interpretations_indexed": db.execute("SELECT count(*) FROM interpretations").fetchone()[0],
    }


# ---------------------------------------------------------------- SQL functions and queries


def _text_or_empty(f):
    def wrapped(*args):
        try:
            return f(*(a if isinstance(a, str) else "" for a in args))
        except Exception:  # a SQL function must never break a page
            return ""

    return wrapped


def register_functions(conn: sqlite3.Connection) -> None:
    """Register nd_fts_query, nd_snippet, nd_segment and an ``escape_fts`` for Chinese.

    Datasette's ``?_search=`` runs ``… match escape_fts(:search)``; overriding ``escape_fts``
    (from ``prepare_connection`` with ``trylast=True``) makes its search box segment Chinese.
    """
    fts = _text_or_empty(fts_query)
    conn.create_function("nd_fts_query", 1, fts, deterministic=True)
    conn.create_function("escape_fts", 1, fts, deterministic=True)
    conn.create_function("nd_snippet", 2, _text_or_empty(snippet), deterministic=True)
    conn.create_function("nd_segment", 1, _text_or_empty(segment), deterministic=True)


# Ranked search for Datasette's canned query: empty :kind/:status/:issuer are ignored. The inner
# query ranks and limits first so snippets are only cut for the rows shown.
SEARCH_SQL = """\
select d.id, d.title, d.doc_number, d.issuer, d.published_date, d.status,
  nd_snippet(d.body_text, :q) as snippet
from (
  select documents_fts.rowid as id, bm25(documents_fts, 10.0, 5.0, 1.0) as score
  from documents_fts
  join documents d2 on d2.id = documents_fts.rowid
  where documents_fts match nd_fts_query(:q)
    and (coalesce(:kind, '') = '' or d2.kind = :kind)
    and (coalesce(:status, '') = '' or d2.status = :status)
    and (coalesce(:issuer, '') = '' or d2.issuer like '%' || :issuer || '%')
  order by score
  limit 100
) as hits
join documents d on d.id = hits.id
order by hits.score"""

_DOC_SQL = """
select d.id, d.kind, d.title, d.doc_number, d.issuer, d.published_date, d.status, d.body_text,
  bm25(documents_fts, 10.0, 5.0, 1.0) as score
from documents_fts join documents d on d.id = documents_fts.rowid
where documents_fts match :match {filters}
order by score limit :limit"""

_INTERP_SQL = """
select i.id, 'interpretation' as kind, i.title, null as doc_number, i.source as issuer,
  i.published_date, null as status, i.body_text, bm25(interpretations_fts, 10.0, 1.0) as score
from interpretations_fts join interpretations i on i.id = interpretations_fts.rowid
where interpretations_fts match :match
order by score limit :limit"""


def search(
    db: sqlite_utils.Database,
    q: str,
    limit: int = 20,
    kind: str | None = None,
    status: str | None = None,
) -> list[dict]:
    """Documents (and interpretations) matching ``q``, best first, each with a snippet.

    ``kind`` is a document kind (rule, normative, policy) or ``interpretation``; ``status``
    filters documents by status (interpretations have none and are then left out).
    """
    match = fts_query(q)
    if match == NOTHING:
        return []
    params: dict = {"match": match, "limit": limit}
    rows: list[dict] = []
    if kind != "interpretation":
        filters = ""
        if kind:
            filters += " and d.kind = :kind"
            params["kind"] = kind
        if status:
            filters += " and d.status = :status"
            params["status"] = status
        sql = _DOC_SQL.format(filters=filters)
        rows += [dict(r, table="documents") for r in _rows(db, sql, params)]
    if kind in (None, "interpretation") and not status:
        rows += [dict(r, table="interpretations") for r in _rows(db, _INTERP_SQL, params)]
    rows.sort(key=lambda r: r["score"])
    out = []
    for r in rows[:limit]:
        r["snippet"] = snippet(r.pop("body_text"), q)
        out.append(r)
    return out


def _rows(db: sqlite_utils.Database, sql: str, params: dict) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
