"""A list of documents as people write them, matched to the library, each with its status.

Each input line is a title, a 文号 in any spelling, or both (``江西省湿地保护修复管理办法
（赣林规〔2021〕3号）``), with the noise of real lists: numbering (``1.``, ``（二）``, ``③``),
《》 and quotes, cells pasted from a spreadsheet (tabs), a date after the title. ``parse`` reads
it; ``check`` answers one row per input, in order, saying how it matched:

``title+doc_number`` (1.0)
    the 文号 names a document whose title is the one given (any of the title keys below).
``doc_number`` (0.95; 0.9 when a title given is only similar, 0.7 when it is not)
    the 文号 alone; 文号 are compared canonical (``corpus.store.normalize``), orders
    (政府令第N号) by their number as the validity step does.
``title`` (0.9)
    the title as stored, after normalising brackets, quotes and spaces (also a stored title
    without its ``（文号）`` suffix).
``title_without_issuer`` (0.8)
    both titles from ``关于`` on: the issuer left out on one side or the other.
``measure_title`` (0.85)
    a measure named without its issuing notice: the measure ``关于印发《…》的通知`` prints
    (``corpus.store.normalize.notice_measure``, the reading the linker and the articles share)
    matches that notice, either way round.
``fuzzy_title`` (0.75 × similarity, at most 0.75)
    no key matched, and the titles differ only by words one of them adds in front (an issuer,
    江西省), before its 关于, or as a qualifier in brackets (（试行）), with ``difflib``'s ratio
    ≥ 0.8 over the normalised titles and measure titles. A word replaced (江西省 against 广东省)
    or added inside the subject (进一步, 实施细则), or different numbers (2021年 against 2022年,
    第二批 against 第三批) make another document: such a row is ``unmatched``, its note naming
    the most alike title.
``ambiguous``
    several documents fit equally well, and they are not one document: every one of them is in
    ``candidates`` (newest first) with its status, and none is chosen. Two versions with one
    title are never resolved silently. The confidence is the level's shared among them.
``unmatched`` (0)
    nothing fits; ``note`` says what came closest when something did.

The same document published on several pages (the same 文号 and title) is one document: it is
matched when the pages agree on its status (the earliest published page is the row's; the
others are in ``candidates`` and the note says so), and ``ambiguous`` when they do not.

A 文号 given beside a title that the library holds under another 文号 is a different version:
the row is ``unmatched`` (or ``ambiguous`` when another document holds the 文号), never the
namesake. Statuses are as of the date asked (``corpus.check.asof``).
"""

from __future__ import annotations

import bisect
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from corpus.check.asof import Status, statuses
from corpus.store.normalize import find_doc_numbers, notice_measure, squash_spaces
from corpus.validity.relations import number_key

TITLE_AND_NUMBER = "title+doc_number"
NUMBER = "doc_number"
TITLE = "title"
WITHOUT_ISSUER = "title_without_issuer"
MEASURE = "measure_title"
FUZZY = "fuzzy_title"
AMBIGUOUS = "ambiguous"
UNMATCHED = "unmatched"
MATCHES = (TITLE_AND_NUMBER, NUMBER, TITLE, WITHOUT_ISSUER, MEASURE, FUZZY, AMBIGUOUS, UNMATCHED)

CONFIDENCE = {TITLE_AND_NUMBER: 1.0, NUMBER: 0.95, TITLE: 0.9, MEASURE: 0.85, WITHOUT_ISSUER: 0.8}
FUZZY_MIN = 0.8  # difflib ratio below which two titles are not taken for one
FUZZY_WEIGHT = 0.75
FUZZY_TIE = 0.03  # candidates this close to the best are as good as it: ambiguous
CLOSEST_NOTE = 0.6  # an unmatched row names the most alike title from this similarity on
COLUMNS = ("input", "match", "confidence", "title", "doc_number", "status", "status_as_of",
           "status_basis", "link", "url", "candidates", "note")  # fmt: skip

# ---------------------------------------------------------------- reading an input


@dataclass(frozen=True)
class Query:
    """What an input line asks for: a title (normalised keys) and a 文号 (canonical)."""

    text: str  # the line without noise
    title: str  # the title part as written ("" when the line is a 文号 only)
    number: str | None  # canonical 文号
    keys: dict[str, str] = field(
        default_factory=dict
    )  # level → key (title, without issuer, measure)


# numbering before a title: 1.  1、 (1) （一） 一、 ① - • No.3 第3项
_NUMBERING = re.compile(
    r"^\s*(?:(?:No\.?\s*)?\d{1,4}\s*[.、,，:：)）]|[(（]\s*(?:\d{1,4}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|[一二三四五六七八九十]{1,3}\s*[、.．]|[\u2460-\u2473\u2776-\u277f]|[-*•·●■◆▪]|第\d{1,4}[项条]\s)\s*"
)
_TRAILING_DATE = re.compile(
    r"[\s,，;；/|]+(?:\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?|\d+)\s*$"
)
_EDGE = " \t,，;；:：。.、/|\"'“”‘’「」『』"
_EMPTY_BRACKETS = re.compile(r"[（(\[［〔【]\s*[)）\]］〕】]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_OPEN = "（(〔[［【"
_CLOSE = "）)〕]］】"
_QUALIFIER = re.compile(r"（[^（）]*）")  # a qualifier in brackets, once a key: （试行）
_NUMBER_SUFFIX = re.compile(r"\s*[（(][^（）()]*\d+\s*号\s*[）)]\s*$")


def _without_issuer(key: str) -> str | None:
    """A normalised title from 关于 on, when something (the issuer) stands before it."""
    at = key.find("关于")
    return key[at:] if at > 0 else None


def _clean(line: str) -> str:
    """The line without the noise around a title: tabs of spreadsheet cells (numbers-only cells
    dropped), numbering, edge punctuation."""
    text = unicodedata.normalize("NFC", line).replace("\ufeff", "")
    if "\t" in text:
        cells = [c.strip() for c in text.split("\t")]
        text = " ".join(c for c in cells if c and not c.isdigit())
    text = squash_spaces(text)
    for _ in range(2):
        text = _NUMBERING.sub("", text, count=1)
    return text.strip(_EDGE)


def _split_number(text: str) -> tuple[str, str | None]:
    """The title and the 文号 of a line. A 文号 at the start, at the end, in brackets, or with
    nothing of a title after it is the line's own; one inside the title (关于废止赣府发〔2015〕
    12号文件的决定) is part of the title."""
    for raw, canonical in reversed(find_doc_numbers(text)):
        at = text.rfind(raw)
        before, after = text[:at], text[at + len(raw) :]
        b, a = before.rstrip(), after.lstrip()
        bracketed = b.endswith(tuple(_OPEN)) and a.startswith(tuple(_CLOSE))
        if not _HAN.search(before) or not _HAN.search(after) or bracketed:
            if bracketed:
                b, a = b[:-1], a[1:]
            title = f"{b} {a}" if _HAN.search(a) else b
            return title, canonical
    return text, None


def parse(line: str) -> Query:
    """Read one input line (see the module docstring)."""
    text = _clean(line)
    title, number = _split_number(text)
    title = _EMPTY_BRACKETS.sub("", title)
    title = _TRAILING_DATE.sub("", title).strip(_EDGE)
    keys: dict[str, str] = {}
    if _HAN.search(title):
        full = title_key(title)
        keys[TITLE] = full
        short = _without_issuer(full)
        if short:
            keys[WITHOUT_ISSUER] = short
        measure = notice_measure(title)
        if measure:
            keys[MEASURE] = title_key(measure)
    return Query(text, title if keys else "", number, keys)


# ---------------------------------------------------------------- the library, indexed


_NOISE = re.compile(r"[\s\u3000《》〈〉<>“”\"'‘’「」『』]")


def title_key(title: str) -> str:
    """``corpus.store.normalize.normalize_title``, five times as fast: its NFKC already makes
    full-width forms half-width (a test holds the two equal). A library of 100,000 titles is
    keyed in well under a second."""
    s = _NOISE.sub("", unicodedata.normalize("NFKC", title))
    return s.replace("(", "（").replace(")", "）").replace("[", "〔").replace("]", "〕")


def _core(key: str) -> str:
    """What is left of a title key for ``_only_extras`` to compare: no qualifier in brackets,
    nothing before 关于."""
    if "（" in key:
        key = _QUALIFIER.sub("", key)
    at = key.find("关于")
    return key[at:] if at > 0 else key


@dataclass(slots=True)
class Doc:
    """What matching needs of a stored document."""

    id: int
    title: str
    doc_number: str | None
    published: str
    keys: tuple[str, ...]  # title keys: the title, and the title without a （文号） suffix
    measure: str | None  # the key of the measure a 印发 notice prints


class Library:
    """The library's documents by 文号, by title key and by the core of their titles, read once
    (``Library.load``). A published library is immutable: the site keeps one per file."""

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = {d.id: d for d in docs}
        self.by_number: dict[str, list[int]] = defaultdict(list)
        self.by_key: dict[str, dict[str, list[int]]] = {
            TITLE: defaultdict(list),
            WITHOUT_ISSUER: defaultdict(list),
            MEASURE: defaultdict(list),
        }
        by_number, by_title = self.by_number, self.by_key[TITLE]
        by_short, by_measure = self.by_key[WITHOUT_ISSUER], self.by_key[MEASURE]
        for d in docs:
            number = d.doc_number
            if number:  # number_key only changes orders (令): the others are their own key
                by_number[number_key(number) if "令" in number else number].append(d.id)
            for k in d.keys:
                by_title[k].append(d.id)
                at = k.find("关于")
                if at > 0:
                    by_short[k[at:]].append(d.id)
            if d.measure:
                by_measure[d.measure].append(d.id)
        self._cores: dict[str, list[tuple[int, str]]] | None = None
        self._forward: list[str] = []
        self._backward: list[str] = []

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> Library:
        """Every document of the library at ``conn``."""
        docs = []
        for doc_id, title, number, published in conn.execute(
            "SELECT id, title, doc_number, coalesce(published_date, written_date, '')"
            " FROM documents"
        ):
            title = title or ""
            key = title_key(title)
            keys: tuple[str, ...] = (key,)
            bare = title
            if "号" in title:
                bare = _NUMBER_SUFFIX.sub("", title)
                if bare != title:
                    keys = (key, title_key(bare))
            measure = notice_measure(bare)
            docs.append(
                Doc(doc_id, title, number, published, keys, title_key(measure) if measure else None)
            )
        return cls(docs)

    # ------------------------------------------------------------ lookups

    def numbered(self, number: str | None) -> list[int]:
        key = number_key(number)
        return list(self.by_number.get(key, ())) if key else []

    def titled(self, q: Query) -> tuple[str, list[int]]:
        """The first level at which ``q``'s title names documents, and those documents."""
        if not q.keys:
            return UNMATCHED, []
        full = q.keys[TITLE]
        # the issuer left out on one side only: 关于… against …关于…, either way round (two
        # issuers' namesakes are different documents)
        levels = (
            (TITLE, [(TITLE, full)]),
            (WITHOUT_ISSUER, [(WITHOUT_ISSUER, full if full.startswith("关于") else None),
                              (TITLE, q.keys.get(WITHOUT_ISSUER))]),
            (MEASURE, [(MEASURE, full), (MEASURE, q.keys.get(MEASURE)),
                       (TITLE, q.keys.get(MEASURE))]),
        )  # fmt: skip
        for level, lookups in levels:
            found = {i for table, key in lookups if key for i in self.by_key[table].get(key, ())}
            if found:
                return level, sorted(found)
        return UNMATCHED, []

    def _all_keys(self, doc_id: int) -> list[str]:
        d = self.docs[doc_id]
        return list(d.keys) + ([d.measure] if d.measure else [])

    def fits(self, q: Query, doc_id: int) -> bool:
        """Whether ``q``'s title is one of the document's titles (any key)."""
        mine = set(self._all_keys(doc_id))
        mine |= {s for k in self.docs[doc_id].keys if (s := _without_issuer(k))}
        return bool(mine & set(q.keys.values()))

    def similarity(self, q: Query, doc_id: int) -> float:
        """How alike ``q``'s title and the document's titles are (0–1)."""
        return max(_ratio(a, b) for a in _texts(q) for b in self._all_keys(doc_id))

    def fuzzy(self, q: Query) -> list[tuple[float, int]]:
        """Documents whose titles differ from ``q``'s only by what ``_only_extras`` allows, best
        first. Such titles have the same core (``_core``), or one core ends the other (words
        added in front): found by the cores' index and by bisecting the cores sorted backwards."""
        cores = self._core_index()
        scored: dict[int, float] = {}
        for text in _texts(q):
            core = _core(text)
            found = list(cores.get(core, ()))
            for cut in range(1, len(core) - 3):  # the library's title lacks words in front
                found += cores.get(core[cut:], ())
            back = core[::-1]
            at = bisect.bisect_left(self._backward, back)
            for other in self._backward[at : at + 50]:  # the library's has words in front
                if not other.startswith(back):
                    break
                found += cores[other[::-1]]
            for key, ids in _grouped(found).items():
                matcher = SequenceMatcher(None, text, key, autojunk=False)
                if matcher.real_quick_ratio() < FUZZY_MIN or matcher.quick_ratio() < FUZZY_MIN:
                    continue
                score = matcher.ratio()
                if score >= FUZZY_MIN and _only_extras(matcher, text, key):
                    for doc_id in ids:
                        scored[doc_id] = max(score, scored.get(doc_id, 0.0))
        return sorted(((s, i) for i, s in scored.items()), key=lambda x: (-x[0], x[1]))

    def closest(self, q: Query) -> tuple[float, int] | None:
        """The most alike title among those beside ``q``'s in the cores sorted forwards and
        backwards (the longest shared beginnings and endings), whatever the differences: what
        an unmatched row's note names."""
        cores = self._core_index()
        best: tuple[float, int] | None = None
        for text in _texts(q):
            core = _core(text)
            found = []
            for ordered, probe, turn in (
                (self._forward, core, 1),
                (self._backward, core[::-1], -1),
            ):
                at = bisect.bisect_left(ordered, probe)
                for other in ordered[max(0, at - 3) : at + 3]:
                    found += cores[other[::turn]]
            for key, ids in _grouped(found).items():
                matcher = SequenceMatcher(None, text, key, autojunk=False)
                floor = best[0] if best else CLOSEST_NOTE
                if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                    continue
                score = matcher.ratio()
                if score >= floor and (best is None or (score, -min(ids)) > (best[0], -best[1])):
                    best = (score, min(ids))
        return best

    def _core_index(self) -> dict[str, list[tuple[int, str]]]:
        if self._cores is None:
            cores: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for d in self.docs.values():
                for key in {*d.keys, *([d.measure] if d.measure else [])}:
                    cores[_core(key)].append((d.id, key))
            self._cores = dict(cores)
            self._forward = sorted(self._cores)
            self._backward = sorted(c[::-1] for c in self._cores)
        return self._cores


def _texts(q: Query) -> list[str]:
    """The title keys of ``q`` fuzzy matching compares: the title, and the measure it prints."""
    return [q.keys[TITLE]] + ([q.keys[MEASURE]] if MEASURE in q.keys else [])


def _grouped(found: list[tuple[int, str]]) -> dict[str, list[int]]:
    """(document, key) pairs by key: each distinct title is compared once."""
    out: dict[str, list[int]] = defaultdict(list)
    for doc_id, key in found:
        out[key].append(doc_id)
    return out


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


_NUMBERS = re.compile(
    r"\d+|第[一二三四五六七八九十百零〇]+[批次期号届轮条]|[一二三四五六七八九十]+五"
)


def _only_extras(matcher: SequenceMatcher, a: str, b: str) -> bool:
    """Whether titles ``a`` and ``b`` differ only by words one of them adds in front (an issuer,
    江西省), anywhere before its 关于, or as a qualifier in brackets (（试行）), and carry the
    same numbers (2021年 against 2022年, 第二批 against 第三批 are different documents). A word
    replaced by another (江西省 against 广东省) or added inside the subject (进一步, 实施细则) is
    not an extra: such titles are other documents as often as they are the same one."""
    if _NUMBERS.findall(a) != _NUMBERS.findall(b):
        return False
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace":
            return False
        text, start, end = (a, i1, i2) if op == "delete" else (b, j1, j2)
        if _QUALIFIER.fullmatch(text[start:end]):
            continue
        head = text.find("关于")
        if start == 0 or (head >= 0 and end <= head):
            continue
        return False
    return True


# ---------------------------------------------------------------- matching


@dataclass
class Found:
    """How one input matched: the level, the documents, the confidence, a note."""

    match: str
    ids: list[int]
    confidence: float
    note: str = ""


def _copies(lib: Library, ids: list[int]) -> bool:
    """Whether ``ids`` are one document on several pages: one 文号, one title."""
    docs = [lib.docs[i] for i in ids]
    numbers = {number_key(d.doc_number) for d in docs}
    titles = {min(d.keys, key=len) for d in docs}
    return len(numbers) == 1 and None not in numbers and len(titles) == 1


def _find(lib: Library, q: Query) -> Found:
    """The documents ``q`` names (before statuses: see ``_resolve``)."""
    by_number = lib.numbered(q.number)
    level, by_title = lib.titled(q)
    if q.number and by_number:
        if q.keys:
            fitting = [i for i in by_number if lib.fits(q, i)]
            if fitting:
                return Found(TITLE_AND_NUMBER, fitting, CONFIDENCE[TITLE_AND_NUMBER])
            others = [i for i in by_title if i not in by_number]
            if others:  # the 文号 names one document, the title another
                note = "文号与标题分别指向不同文件"
                return Found(AMBIGUOUS, by_number + others, CONFIDENCE[NUMBER], note)
            alike = max(lib.similarity(q, i) for i in by_number)
            if alike >= FUZZY_MIN:
                return Found(NUMBER, by_number, 0.9, "文号相符，标题近似")
            return Found(NUMBER, by_number, 0.7, "文号相符，所填标题与库中标题不同")
        return Found(NUMBER, by_number, CONFIDENCE[NUMBER])
    if q.number and by_title:
        # the library has the title under another 文号: another version, unless it has none
        unnumbered = [i for i in by_title if not lib.docs[i].doc_number]
        if unnumbered:
            note = f"库中未见文号{q.number}，按标题匹配（库中该文件未登记文号）"
            return Found(level, unnumbered, round(CONFIDENCE[level] * 0.9, 2), note)
        held = "、".join(sorted({lib.docs[i].doc_number or "" for i in by_title}))
        return Found(UNMATCHED, [], 0.0, f"库中未见文号{q.number}；同标题文件的文号为{held}")
    if by_title:
        return Found(level, by_title, CONFIDENCE[level])
    fuzzy = lib.fuzzy(q) if q.keys else []
    if q.number:
        fuzzy = [(s, i) for s, i in fuzzy if not lib.docs[i].doc_number]
    if fuzzy:
        best = fuzzy[0][0]
        close = [i for s, i in fuzzy if s >= best - FUZZY_TIE]
        note = f"标题近似（相似度{best:.2f}）"
        if q.number:
            note = f"库中未见文号{q.number}；" + note
        return Found(FUZZY, close, round(FUZZY_WEIGHT * best, 2), note)
    notes = [f"库中未见文号{q.number}"] if q.number else []
    if not q.keys and not q.number:
        notes.append("未能读出标题或文号")
    closest = lib.closest(q) if q.keys else None
    if closest:
        d = lib.docs[closest[1]]
        number = f"（{d.doc_number}）" if d.doc_number else ""
        title = d.title.replace("《", "〈").replace("》", "〉")
        notes.append(f"最接近的是《{title}》{number}，相似度{closest[0]:.2f}，未采用")
    return Found(UNMATCHED, [], 0.0, "；".join(notes))


def _urls(conn: sqlite3.Connection, ids: set[int]) -> dict[int, str]:
    """The source page of each document in ``ids``."""
    ordered, out = sorted(ids), {}
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ",".join("?" * len(chunk))
        out.update(conn.execute(f"SELECT id, url FROM documents WHERE id IN ({marks})", chunk))
    return out


def _row(
    line: str,
    found: Found,
    lib: Library,
    status: dict[int, Status],
    urls: dict[int, str],
    link: Callable[[int], str],
) -> dict:
    """One output row (``COLUMNS``)."""
    ids = sorted(found.ids, key=lambda i: (lib.docs[i].published, i), reverse=True)

    def candidate(i: int) -> dict:
        d, s = lib.docs[i], status[i]
        return {"title": d.title, "doc_number": d.doc_number or "", "published": d.published,
                "status": s.status, "status_basis": s.basis, "status_as_of": s.as_of or "",
                "url": urls[i], "link": link(i)}  # fmt: skip

    row = {c: "" for c in COLUMNS}
    row.update(input=line, match=found.match, confidence=found.confidence, candidates=[])
    row["note"] = found.note
    if not ids:
        return row
    chosen = None
    if len(ids) == 1:
        chosen = ids[0]
    elif _copies(lib, ids) and len({status[i].status for i in ids}) == 1:
        chosen = min(ids, key=lambda i: (lib.docs[i].published or "9999", i))
        row["note"] = "；".join(filter(None, [found.note, f"同一文件见于{len(ids)}个页面"]))
    row["candidates"] = [candidate(i) for i in ids] if len(ids) > 1 else []
    if chosen is None:
        row["match"] = AMBIGUOUS
        row["confidence"] = round(found.confidence / len(ids), 2)
        row["note"] = "；".join(filter(None, [found.note, f"{len(ids)}个文件均可能，请逐一核对"]))
        return row
    d, s = lib.docs[chosen], status[chosen]
    row.update(title=d.title, doc_number=d.doc_number or "", status=s.status,
               status_basis=s.basis, status_as_of=s.as_of or "", url=urls[chosen], link=link(chosen))  # fmt: skip
    if s.note:
        row["note"] = "；".join(filter(None, [row["note"], s.note]))
    return row


def check(
    conn: sqlite3.Connection,
    lines: Iterable[str],
    as_of: date | None = None,
    library: Library | None = None,
    link: Callable[[int], str] | None = None,
) -> list[dict]:
    """One row per input line (``COLUMNS``; ``candidates`` a list of dicts), in order.

    ``as_of`` None keeps the statuses as the build decided them; ``library`` is
    ``Library.load(conn)`` when not given; ``link`` makes the link of a document page from its
    id (none by default).
    """
    lib = library or Library.load(conn)
    lines = list(lines)
    found = [_find(lib, parse(line)) for line in lines]
    ids = {i for f in found for i in f.ids}
    status, urls = statuses(conn, ids, as_of), _urls(conn, ids)
    make_link = link or (lambda _id: "")
    return [
        _row(line, f, lib, status, urls, make_link) for line, f in zip(lines, found, strict=True)
    ]
