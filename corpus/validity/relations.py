"""Match what documents say about other documents to stored documents: acts and relations.

``collect`` reads every stored document (and its attachments) with ``corpus.validity.evidence`` and
matches each named document:

1. by 文号 / 令号 (canonical; orders by their number), excluding the naming document itself;
   several documents with that number are narrowed by title;
2. else by title, after normalising brackets and spaces, also against the printed measure's title
   inside ``关于印发《…》的通知`` and the title without the issuer before ``关于``; only documents
   dated before the naming document count (a successor that reuses a repealed document's title
   is never taken for it);
3. else nothing: the item is kept as an unmatched relation (``to_document_id`` NULL) for review.
   A title that fits several earlier documents is ambiguous: each of them gets an act that cannot
   be applied (never a guess), and the relation stays unmatched.

It returns the acts (``corpus.validity.rules.Act``) each document undergoes and the relation rows:
``repeals`` (a decision, a 废止目录 or a 同时废止 clause), ``replaces`` (a 同时废止 clause naming
a document with the same title: a new version), ``amends``, ``cites`` (a citation in an ordinary
document that matches another stored document by 文号 or by an exact title). A clause that stops
part of a document (``partial``) is an act declaring 部分失效; one that extends its 有效期
(``extend``) an act carrying the new last day (``Act.until``). Like 失效 declarations and
现行有效 entries, both are evidence only: no relation row, none kept when they name no stored
document; naming several documents of one title, each gets an act that cannot be applied.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from corpus.store.normalize import normalize_title, notice_measure
from corpus.validity import evidence
from corpus.validity.rules import AMENDED, EXPIRED, IN_FORCE, PARTLY, REPEALED, Act
from corpus.validity.terms import Term

_DECLARES = {
    evidence.REPEAL: REPEALED,
    evidence.EXPIRE: EXPIRED,
    evidence.PARTIAL: PARTLY,
    evidence.AMEND: AMENDED,
    evidence.IN_FORCE: IN_FORCE,
    evidence.EXTEND: IN_FORCE,  # in force up to its ``until``
}
# Items that change a status: naming several documents of one title, each gets an undatable act.
_CHANGING = (evidence.REPEAL, evidence.AMEND, evidence.EXPIRE, evidence.PARTIAL, evidence.EXTEND)
_RELATION = {evidence.REPEAL: "repeals", evidence.AMEND: "amends", evidence.CITE: "cites"}


# (act kind, item, where the words are): one thing a document says of another
Said = tuple[str, evidence.Item, str]


@dataclass
class Doc:
    """What matching needs to know of a stored document."""

    id: int
    url: str
    title: str
    doc_number: str | None = None
    written_date: str | None = None
    published_date: str | None = None
    body_text: str = ""
    attachments: list[tuple[str, str, str]] = field(default_factory=list)  # (url, ext, text)
    keys: set[str] = field(default_factory=set)
    # the dates its page's metadata states: (施行 label, value, end label, value), () for none
    page: tuple[str, ...] = ()
    said: list[Said] | None = None  # ``items_of(self)`` when already read (the build's cache)
    named: set[str] | None = None  # ``title_keys(self.title)`` when already read (the cache)

    @property
    def day(self) -> str:
        """The day it was made (成文日期, else 发布日期) for ordering versions."""
        return self.written_date or self.published_date or ""


def title_keys(title: str) -> set[str]:
    """The keys a document may be named by: its title; without a ``（文号）`` suffix; the printed
    measure of a 印发 notice; from ``关于`` on (issuer left out)."""
    return set(_title_keys(title or ""))


@lru_cache(maxsize=1 << 16)  # the same titles are quoted again and again
def _title_keys(title: str) -> frozenset[str]:
    bare = re.sub(r"\s*[（(][^（）()]*\d+\s*号\s*[）)]\s*$", "", title.strip())
    base = normalize_title(bare)
    keys = {normalize_title(title), base}
    measure = notice_measure(bare)  # the one reading the linker and the list checker share
    if measure:
        keys.add(normalize_title(measure))
    if "关于" in base:
        keys.add(base[base.index("关于") :])
    return frozenset(k for k in keys if len(k) >= 4)


def number_key(number: str | None) -> str | None:
    """The key a 文号 is matched by: canonical; orders by their number alone."""
    if not number:
        return None
    m = _ORDER_NUMBER.search(number)
    return f"令{int(m[1])}" if m else number


_ORDER_NUMBER = re.compile(r"政府令第(\d+)号$")


class Index:
    """Documents by number key and by title key (dated ones also in order of their day)."""

    def __init__(self, docs: list[Doc]) -> None:
        self.by_number: dict[str, list[Doc]] = defaultdict(list)
        self.by_title: dict[str, list[Doc]] = defaultdict(list)
        for doc in docs:
            doc.keys = set(_title_keys(doc.title or "")) if doc.named is None else doc.named
            key = number_key(doc.doc_number)
            if key:
                self.by_number[key].append(doc)
            for k in doc.keys:
                self.by_title[k].append(doc)
        # per title key, the documents with a day, by day (then in the order of ``docs``), and
        # their days
        self.dated: dict[str, tuple[list[Doc], list[str]]] = defaultdict(lambda: ([], []))
        for doc in sorted((d for d in docs if d.day), key=lambda d: d.day):
            for k in doc.keys:
                dated, days = self.dated[k]
                dated.append(doc)
                days.append(doc.day)

    def match(
        self, item: evidence.Item, source: Doc, enough: int | None = None
    ) -> tuple[list[Doc], str]:
        """The documents ``item`` names (one, several when ambiguous, none) and how it was found.

        ``enough``: a caller that only needs to know whether more than that many documents
        match by title gets, past that number, ``enough + 1`` of them, unsorted.
        """
        item_keys = _title_keys(item.title) if item.title else frozenset()
        key = number_key(item.number)
        if key:
            found = [d for d in self.by_number.get(key, []) if d.id != source.id]
            if len(found) > 1 and item_keys:
                found = [d for d in found if d.keys & item_keys] or found
            if found:
                return found, "doc_number"
        if not item_keys:
            return [], "doc_number" if key else "none"
        # An earlier version only; with a 文号 given, only a document whose number we do not know.
        if not source.day:
            return [], "title"
        seen: set[int] = {source.id}
        earlier: list[Doc] = []
        for k in item_keys:
            dated, days = self.dated.get(k) or ((), ())
            for d in dated[: bisect_left(days, source.day)]:  # d.day < source.day
                if d.id in seen or (key and d.doc_number):
                    continue
                seen.add(d.id)
                earlier.append(d)
                if enough is not None and len(earlier) > enough:
                    return earlier, "title"
        return sorted(earlier, key=lambda d: d.id), "title"


def act_date(source: Doc, term: Term) -> tuple[str | None, str]:
    """When the acts of ``source`` take effect: its 施行日期, else its 发布日期 (with a note)."""
    if term.effective_date:
        return term.effective_date, ""
    if term.effective_problem:
        return None, f"所在文件{term.effective_problem}"
    if source.published_date:
        return source.published_date, "所在文件未载明施行日期，以发布日期计"
    if source.written_date:
        return source.written_date, "所在文件未载明施行日期，以成文日期计"
    return None, "所在文件未载明施行日期和发布日期"


@dataclass
class Found:
    """Everything ``collect`` found: acts per document and relation rows."""

    acts: dict[int, list[Act]] = field(default_factory=lambda: defaultdict(list))
    relations: list[dict] = field(default_factory=list)


def _items_of(source: Doc) -> list[Said]:
    """``items_of(source)``, or what was read of it already (``Doc.said``)."""
    return items_of(source) if source.said is None else source.said


def items_of(source: Doc) -> list[Said]:
    """(act kind, item, where the words are) for everything ``source`` says of other documents:
    a function of its URL, title, body and attachment texts alone."""
    out: list[Said] = []
    kind = evidence.classify(source.title)
    if kind:
        default = evidence.action_of(source.title)
        out += [(kind, i, source.url) for i in evidence.parse_items(source.body_text, default)]
        for url, ext, text in source.attachments:
            items = evidence.parse_items(text, default, wrapped=ext == "pdf")
            out += [(kind, i, url) for i in items]
        # last: the body's item for the same document carries its 文号 and is kept instead
        out += [(kind, i, source.url) for i in evidence.title_items(source.title)]
    out += [("clause", i, source.url) for i in evidence.clause_items(source.body_text)]
    if not kind:
        out += [("cite", i, source.url) for i in evidence.cited_items(source.body_text)]
    return out


def collect(docs: list[Doc], terms: dict[int, Term]) -> Found:
    """The acts every document undergoes and the relations between documents."""
    index = Index(docs)
    found = Found()
    for source in docs:
        acts, rows = said_of(source, index, terms[source.id])
        for target, act in acts:
            found.acts[target].append(act)
        found.relations += rows
    return found


def said_of(source: Doc, index: Index, term: Term) -> tuple[list[tuple[int, Act]], list[dict]]:
    """What ``source`` does to stored documents: its acts, each with the id of the document it
    applies to, and its relation rows, in the order ``collect`` takes them.

    A function of the source (its URL, title, 文号, dates, its term and what it says,
    ``items_of``) and of the documents its items can name: those with a number key or a title
    key among ``lookups(source)``. The build relies on this to work out again only the sources
    whose own inputs or whose named documents changed (``corpus.validity.step``)."""
    acts: list[tuple[int, Act]] = []
    rows: list[dict] = []
    seen: set[tuple[int | None, str, str]] = set()
    related: set[int] = set()
    date, note = act_date(source, term)
    for kind, item, where in _items_of(source):
        # a citation counts only when it names one document: two are as good as all
        targets, method = index.match(item, source, 1 if kind == "cite" else None)
        if kind == "cite" and not _citable(targets, source, related):
            continue  # a law, the document itself, or already a stronger relation
        ambiguous = len(targets) > 1
        for target in targets if not ambiguous else []:
            if (target.id, kind, item.action) in seen:
                continue
            seen.add((target.id, kind, item.action))
            related.add(target.id)
            if item.action in _DECLARES:
                acts.append((target.id, _act(source, kind, item, where, date, note)))
            relation = _relation_name(kind, item, source, target)
            if relation:
                rows.append(_row(source, target, relation, item, where, method, date))
        if ambiguous or not targets:
            _unmatched(acts, rows, source, kind, item, where, targets, date)
    return acts, rows


def lookups(source: Doc) -> set[str]:
    """The keys ``Index.match`` looks documents up by for what ``source`` says: the number key
    (``#`` first) and the title keys of every item."""
    keys: set[str] = set()
    for _, item, _ in _items_of(source):
        number = number_key(item.number)
        if number:
            keys.add("#" + number)
        if item.title:
            keys |= _title_keys(item.title)
    return keys


def named_by(doc: Doc) -> set[str]:
    """The keys ``Index.match`` can find ``doc`` by (``#`` before its number key): what makes a
    change of the document a change for every source that looks one of them up."""
    keys = set(_title_keys(doc.title or "")) if doc.named is None else set(doc.named)
    number = number_key(doc.doc_number)
    return keys | {"#" + number} if number else keys


def _citable(targets: list[Doc], source: Doc, related: set[int]) -> bool:
    """A citation counts when it names exactly one other document not already related."""
    return len(targets) == 1 and targets[0].id not in related and not targets[0].keys & source.keys


def _act(source: Doc, kind: str, item: evidence.Item, where: str, date, note: str) -> Act:
    return Act(
        kind=kind,
        status=_DECLARES[item.action],
        date=date,
        quote=item.quote,
        source_title=source.title,
        source_number=source.doc_number,
        source_document_id=source.id,
        source_url=where,
        date_note=note,
        until=item.until if item.action == evidence.EXTEND else None,
    )


def _relation_name(kind: str, item: evidence.Item, source: Doc, target: Doc) -> str | None:
    """repeals / replaces / amends / cites, or None (失效, partial stops, extensions and 现行有效
    entries are evidence only)."""
    ends = item.action in (evidence.REPEAL, evidence.EXPIRE)
    if kind == "clause" and ends and target.keys & source.keys:
        return "replaces"
    return _RELATION.get(item.action)


def _row(
    source: Doc, target: Doc | None, relation: str, item, where: str, method: str, date
) -> dict:
    return {
        "from_document_id": source.id,
        "to_document_id": target.id if target else None,
        "relation": relation,
        "quote": item.quote,
        "source_url": where,
        "to_title": item.title,
        "to_doc_number": item.number,
        "method": method,
        "effective_date": date,
        "note": "",
    }


def _unmatched(
    acts: list[tuple[int, Act]],
    rows: list[dict],
    source: Doc,
    kind,
    item,
    where: str,
    targets: list[Doc],
    date,
) -> None:
    """Keep an item naming no stored document (or several) for review; ambiguity is 未知."""
    if kind == "cite" or item.action not in _CHANGING:
        return
    # only repeals and amendments are kept as relations; the row also carries the ambiguity note
    row = _row(source, None, _RELATION.get(item.action, "repeals"), item, where, "none", date)
    if targets:
        row["note"] = f"同名文件{len(targets)}份，无法确定所指"
        for target in targets:
            ambiguous = _act(source, kind, item, where, None, row["note"])
            acts.append((target.id, ambiguous))
    else:
        row["note"] = "库中未找到对应文件"
    if item.action in (evidence.REPEAL, evidence.AMEND):
        rows.append(row)
