"""The validity step of the build: every document's status as of a date, with its evidence.

Reads only what the crawl stored (titles, bodies, attachment text, page fields) and writes:

* ``documents``: term (施行日期; 有效期 as of the date, moved by the extensions that apply, with
  the words that set it), ``status``, ``status_basis`` (one line), ``status_as_of``;
* ``validity_evidence``: every piece of evidence weighed, the winner flagged;
* ``relations``: repeals / replaces / amends / cites between documents;
* ``status_history``: one row per document whose status differs from the previous build's (the
  first build records every document, with ``old_status`` NULL).

**What a build works out again, and how dependence is tracked.** Without a build cache every
document is read, every act matched and every status decided. With one (a connection,
``corpus.build``), the step keeps per document what it read, what it did to others, and what
it decided, and works out again only what a change can reach, in three rings:

1. *Reading* a document — its own 施行 and 有效期 clauses (``extract_term``), what it says of
   other documents (``relations.items_of``), the keys it is named by (``title_keys``) — depends
   on that document alone: its URL, title, dates, body and attachment texts, and the 施行 and end
   dates its page states (``terms.PageDates``). Kept under a digest
   of exactly those (``reading_key``) and of the code (``reader_code``: the reading, matching and
   deciding modules' source, the libraries they rely on); read again where that digest changed.
2. *What a document does to others* — its acts and relation rows (``relations.said_of``) —
   depends on its reading, its own title, 文号 and dates, and on the stored documents its items
   can name: those found under the number keys and title keys its items look up
   (``relations.lookups``). So a source is matched again when it was read again, when its own
   title, 文号 or dates changed, or when one of its lookups is *dirty*: a key (old or new) of a
   document whose title, 文号 or dates changed, or that is new or gone (``relations.named_by``).
   Every other source's acts and rows are taken as they were.
3. *A decision* depends on the document's kind, its page's 有效性, its term, the acts that name
   it and the as-of date (the rule book, ``corpus.validity.rules``). So a document is decided
   again when it was read again, its kind or 有效性 changed, the as-of date changed, or a source
   matched again names it now or named it before; every other document keeps its decision and
   its evidence rows as they are stored.

The kept state is trusted only when it describes this library as the last build left it: the
cache names the ``built_at`` of the build that filled it, which every build of any version
stores last (``build_info``), and the code is the same. Else everything is worked out again, as
without a cache. Rows are written only where they differ: a document's
columns where its decision changed; the evidence and relations tables from their first
differing row on, so their rowids are those a build from scratch gives (1, 2, … in the order of
documents). ``tests/test_build_incremental.py`` checks a rebuild after a recrawl against a build
from scratch, table by table.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sqlite3
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from functools import cache
from pathlib import Path

import sqlite_utils

from corpus.store import normalize
from corpus.store.records import PAGE_DATE_FIELDS
from corpus.validity import evidence, relations, rules, terms
from corpus.validity.evidence import Item
from corpus.validity.relations import (
    Doc,
    Index,
    Said,
    items_of,
    lookups,
    named_by,
    number_key,
    said_of,
    title_keys,
)
from corpus.validity.rules import Act, decide
from corpus.validity.terms import PageDates, Term, extract_term

CACHE = "validity_documents"  # the build cache's table: what the step kept of each document
_TERM_FIELDS = tuple(f.name for f in fields(Term))
_ITEM_FIELDS = tuple(f.name for f in fields(evidence.Item))
_ACT_FIELDS = tuple(f.name for f in fields(Act))
_EVIDENCE_COLUMNS = ("document_id", "status", "kind", "quote", "source", "date", "wins",
                     "source_document_id", "source_url", "note")  # fmt: skip
_RELATION_COLUMNS = ("from_document_id", "to_document_id", "relation", "quote", "source_url",
                     "to_title", "to_doc_number", "method", "effective_date", "note")  # fmt: skip
_DECIDED = ("effective_date", "effective_date_raw", "expires_on", "term_raw", "status",
            "status_basis", "status_as_of")  # fmt: skip


@cache
def reader_code() -> str:
    """A digest of the code whose results the cache keeps: the reading, matching and deciding
    modules' source, the libraries they parse dates with, Python's version (its regular
    expressions, its Unicode)."""
    h = hashlib.blake2b(digest_size=16)
    for module in (normalize, evidence, relations, terms, rules, sys.modules[__name__]):
        h.update(Path(module.__file__).read_bytes())
    for dist in ("cn2an", "dateparser"):
        h.update(importlib.metadata.version(dist).encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def reading_key(doc: Doc, body: bytes | None) -> bytes:
    """A digest of everything ``extract_term``, ``items_of`` and ``title_keys`` read of ``doc``
    (``body``: its body as UTF-8 bytes, as SQLite stores it)."""
    said = [doc.url, doc.title, doc.written_date, doc.published_date, doc.attachments]
    if doc.page:  # only where the page states dates: other documents keep the key they had
        said.append(list(doc.page))
    head = json.dumps(said, ensure_ascii=False).encode()  # never a NUL byte: it is escaped
    return hashlib.blake2b(b"%b\0%b" % (head, body or b""), digest_size=16).digest()


def _load(db: sqlite_utils.Database) -> tuple[list[Doc], dict[int, tuple]]:
    """Stored documents (with attachment text and body) and, per id, what the rules need of each
    and what the last build decided (``_DECIDED``)."""
    docs, facts, bodies = _documents(db)
    for doc in docs:
        doc.body_text = _text(bodies[doc.id])
    return docs, facts


def _documents(db: sqlite_utils.Database) -> tuple[list[Doc], dict[int, tuple], dict]:
    """``_load``'s documents without their bodies, which come apart as UTF-8 bytes (to digest;
    decoded only where the document is read)."""
    attachments: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for parent, url, ext, text in db.execute(
        "SELECT parent_id, url, ext, text FROM attachments"
        " WHERE parent_table = 'documents' AND text IS NOT NULL ORDER BY id"
    ):
        attachments[parent].append((url, ext or "", text))
    docs, facts, bodies = [], {}, {}
    for row in db.execute(
        "SELECT id, url, kind, title, doc_number, written_date, published_date,"
        f" CAST(body_text AS BLOB), validity_raw, {', '.join(_DECIDED)},"
        f" {', '.join(PAGE_DATE_FIELDS)} FROM documents ORDER BY id"
    ):
        (doc_id, url, kind, title, number, written, published, body, raw) = row[:9]
        stated = row[9 + len(_DECIDED) :]
        page = tuple(v or "" for v in stated) if any(stated) else ()
        docs.append(
            Doc(doc_id, url, title, number, written, published, "", attachments[doc_id], page=page)
        )
        facts[doc_id] = (kind, raw, row[9 : 9 + len(_DECIDED)])
        bodies[doc_id] = body
    return docs, facts, bodies


def _text(body: bytes | None) -> str:
    return body.decode() if body else ""


def apply_validity(
    db: sqlite_utils.Database,
    as_of: date,
    built_at: str = "",
    cache: sqlite3.Connection | None = None,
    work: dict | None = None,
    workers=None,
    after_reading: Callable[[], object] | None = None,
) -> Counter:
    """Recompute term, status, evidence, relations and history as of ``as_of``; count statuses.

    ``cache``: the build cache, where what each document read, did and was decided is kept
    between builds (module docstring). ``work``, when given, is filled with what was worked out
    again and what was written. ``workers`` (``corpus.build.Workers``) read documents in other
    processes. ``after_reading`` is called once the documents are read, before the rest, which
    is this process's alone (the build gives the workers other work then).
    """
    docs, facts, bodies = _documents(db)
    now = {d.id: (_place(d), _facts(facts[d.id])) for d in docs}
    past = _Past.load(db, cache, docs, bodies)
    fresh = [d for d in docs if past.reread(d)]
    read = _read_all(docs, bodies, past, fresh, workers)
    if after_reading is not None:
        after_reading()
    # 2. what each source does to others: matched again where its inputs or its lookups changed
    index = Index(docs)
    again = past.sources_to_match(docs, now)
    read.prefetch(again)
    old_relations = db.execute(
        f"SELECT rowid, {', '.join(_RELATION_COLUMNS)} FROM relations ORDER BY rowid"
    ).fetchall()
    kept_relations = past.by_first_column(old_relations)
    made: dict[int, list[tuple[int, Act]]] = {}
    touched: set[int] = set()
    acts_of: dict[int, list[Act]] = defaultdict(list)
    relation_rows: list[tuple] = []
    for doc in docs:
        if doc.id in again:
            acts, rows = said_of(doc, index, read.term(doc.id))
            made[doc.id] = acts
            relation_rows += [tuple(r[c] for c in _RELATION_COLUMNS) for r in rows]
            touched |= {target for target, _ in acts} | past.targets(doc.id)
        else:
            acts = past.acts(doc.id)
            relation_rows += kept_relations.get(doc.id, [])
        for target, act in acts:
            acts_of[target].append(act)
    for pk in past.gone:
        touched |= past.targets(pk)
    # 3. decisions: again where the document, its acts or the date changed
    old_evidence = db.execute(
        f"SELECT rowid, {', '.join(_EVIDENCE_COLUMNS)} FROM validity_evidence ORDER BY rowid"
    ).fetchall()
    kept_evidence = past.by_first_column(old_evidence)
    holds = {d.id for d in docs if past.decision_holds(d, now[d.id][1], facts[d.id], as_of)}
    holds -= touched
    read.prefetch({d.id for d in docs} - holds)
    updates, evidence_rows, history, counts = [], [], [], Counter()
    for doc in docs:
        kind, raw, old = facts[doc.id]
        old_status, old_as_of = old[4], old[6]
        if doc.id in holds:
            counts[old_status] += 1
            evidence_rows += kept_evidence.get(doc.id, [])
            continue
        term = read.term(doc.id)
        decision = decide(kind, raw, term, as_of, acts_of.get(doc.id, ()))
        counts[decision.status] += 1
        decided = (
            term.effective_date,
            term.effective_date_raw,
            decision.expires_on,  # the last day as of the date: an extension moves it
            decision.term_raw,
            decision.status,
            decision.basis,
            as_of.isoformat(),
        )
        if decided != old:
            updates.append((*decided, doc.id))
        evidence_rows += [
            (
                doc.id,
                e.status,
                e.kind,
                e.quote,
                e.source,
                e.date,
                int(e.wins),
                e.source_document_id,
                e.source_url or None,
                e.note or None,
            )
            for e in decision.evidence
        ]
        first = old_as_of is None
        if first or old_status != decision.status:
            history.append(
                (
                    doc.id,
                    as_of.isoformat(),
                    built_at,
                    None if first else old_status,
                    old_as_of,
                    decision.status,
                    decision.basis,
                )
            )
    with db.conn:
        db.conn.executemany(
            "UPDATE documents SET effective_date = ?, effective_date_raw = ?, expires_on = ?,"
            " term_raw = ?, status = ?, status_basis = ?, status_as_of = ? WHERE id = ?",
            updates,
        )
        evidence_written = rewrite_from_first_difference(
            db, "validity_evidence", _EVIDENCE_COLUMNS, evidence_rows, old_evidence
        )
        relations_written = rewrite_from_first_difference(
            db, "relations", _RELATION_COLUMNS, relation_rows, old_relations
        )
        db.conn.executemany(
            "INSERT INTO status_history (document_id, as_of, built_at, old_status, old_as_of,"
            " new_status, why) VALUES (?, ?, ?, ?, ?, ?, ?)",
            history,
        )
    if cache is not None:
        past.keep(cache, docs, now, read, made, built_at)
    if work is not None:
        work.update(
            {
                "documents": len(docs),
                "read": len(fresh),  # terms and acts read from the text again
                "reused": len(docs) - len(fresh),  # the document did not change
                "matched": len(again),  # sources whose acts were matched again
                "decided": len(docs) - len(holds),  # statuses decided again
                "documents_written": len(updates),
                "evidence_written": evidence_written,
                "relations_written": relations_written,
            }
        )
    return counts


def rewrite_from_first_difference(
    db: sqlite_utils.Database,
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple],
    old: list[tuple] | None = None,
) -> int:
    """Make ``table`` hold ``rows`` with rowids 1, 2, …, as deleting everything and inserting
    them would, writing only from the first row that differs; returns the rows written.
    ``old``: the table's rows (rowid first, then ``columns``, by rowid), if read already."""
    names = ", ".join(columns)
    if old is None:
        old = db.execute(f"SELECT rowid, {names} FROM {table} ORDER BY rowid").fetchall()
    same = 0
    if all(r[0] == k for k, r in enumerate(old, 1)):  # rowids as a rewrite leaves them
        for o, n in zip(old, rows, strict=False):
            if o[1:] != n:
                break
            same += 1
    if same == len(old) == len(rows):
        return 0
    db.execute(f"DELETE FROM {table} WHERE rowid > ?", [same])
    db.conn.executemany(
        f"INSERT INTO {table} (rowid, {names}) VALUES (?, {', '.join('?' * len(columns))})",
        [(same + k, *row) for k, row in enumerate(rows[same:], 1)],
    )
    return len(rows) - same


class _Read:
    """Each document's reading: its term, what it says (``Doc.said``) and its keys
    (``Doc.named``), decoded from the cache only where they are needed."""

    def __init__(self, past: _Past, docs: list[Doc]) -> None:
        self.past = past
        self.terms: dict[int, Term] = {}
        self.docs = {d.id: d for d in docs}

    def prefetch(self, ids: set[int]) -> None:
        """Decode the kept readings of ``ids`` (those not read already), in batches."""
        wanted = sorted(pk for pk in ids if pk not in self.terms)
        for pk, reading in self.past.readings(wanted):
            self.terms[pk], self.docs[pk].said = _undump(reading)

    def term(self, pk: int) -> Term:
        if pk not in self.terms:
            self.prefetch({pk})
        return self.terms[pk]


def _read_all(
    docs: list[Doc], bodies: dict[int, bytes | None], past: _Past, fresh: list[Doc], workers
) -> _Read:
    """Read the ``fresh`` documents (in ``workers``, if many); the others' keys from the cache."""
    read = _Read(past, docs)
    reading = {d.id for d in fresh}
    for doc in docs:
        if doc.id not in reading:
            doc.named = _keys(past.kept[doc.id][1])
    rows = (
        (
            d.id,
            d.url,
            d.title,
            d.written_date,
            d.published_date,
            bodies[d.id],
            d.attachments,
            d.page,
        )
        for d in fresh
    )
    mapped = workers.map(_read, rows, len(fresh)) if workers else map(_read, rows)
    for doc, (term, said, named) in zip(fresh, mapped, strict=True):
        read.terms[doc.id], doc.said, doc.named = term, said, named
    return read


def _read(row: tuple) -> tuple[Term, list[Said], set[str]]:
    """What one document says of itself (its term), of others (``items_of``), and the keys it
    is named by (``title_keys``): functions of its URL, title, dates, body (UTF-8 bytes) and
    attachments alone, and the dates its page states (``page``)."""
    pk, url, title, written, published, body, attachments, page = row
    doc = Doc(pk, url, title, None, written, published, _text(body), attachments, page=page)
    stated = PageDates(*page) if page else None
    term = extract_term(doc.body_text, title, written, published, stated)
    return term, items_of(doc), title_keys(title)


# What the cache keeps of a document, besides its reading (fetched only where it is needed):
# (reading_key, its title keys one a line, its place — [title, 文号, 成文日期, 发布日期], what the
# index finds it by —, its facts — [kind, 有效性] —, its acts on others — [[target, act …], …]).
# The keys its items look documents up by are rows of LOOKUPS, by key.
LOOKUPS = "validity_lookups"


class _Past:
    """What the cache kept of the documents (``kept``) and whether their acts and decisions can
    be trusted (``trusted``: the cache describes this library as the last build left it)."""

    def __init__(self, kept: dict[int, tuple], keys: dict[int, bytes], trusted: bool) -> None:
        self.kept, self.keys, self.trusted = kept, keys, trusted
        self.gone: list[int] = []
        self.cache: sqlite3.Connection | None = None

    @classmethod
    def load(
        cls,
        db: sqlite_utils.Database,
        cache: sqlite3.Connection | None,
        docs: list[Doc],
        bodies: dict[int, bytes | None],
    ) -> _Past:
        if cache is None:
            return cls({}, {}, False)
        built = _prepare(cache)
        # the library as the build that filled the cache left it: every build, of any version,
        # stores its built_at last (``corpus.build``); a direct call of this step stores none
        stored = db.execute("SELECT value FROM build_info WHERE key = 'built_at'").fetchone()
        trusted = bool(built) and stored is not None and stored[0] == built
        keys = {d.id: reading_key(d, bodies[d.id]) for d in docs}
        kept = {
            row[0]: row[1:]
            for row in cache.execute(f"SELECT id, key, named, place, facts, acts FROM {CACHE}")
        }
        past = cls(kept, keys, trusted)
        past.cache = cache
        past.gone = [pk for pk in kept if pk not in keys]
        return past

    def readings(self, ids: list[int]) -> list[tuple[int, str]]:
        """(id, kept reading) of ``ids``."""
        out = []
        for k in range(0, len(ids), 500):
            chunk = ids[k : k + 500]
            out += self.cache.execute(
                f"SELECT id, reading FROM {CACHE} WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        return out

    def reread(self, doc: Doc) -> bool:
        kept = self.kept.get(doc.id)
        return kept is None or kept[0] != self.keys[doc.id]

    def sources_to_match(self, docs: list[Doc], now: dict[int, tuple[str, str]]) -> set[int]:
        """The documents whose acts and relations must be matched again (module docstring)."""
        if not self.trusted:
            return {d.id for d in docs}
        again, dirty = set(), set()
        for doc in docs:
            kept = self.kept.get(doc.id)
            moved = kept is None or kept[2] != now[doc.id][0]
            if moved or kept[0] != self.keys[doc.id]:
                again.add(doc.id)
            if moved:
                dirty |= named_by(doc) | (self._named_before(kept) if kept else set())
        for pk in self.gone:
            dirty |= self._named_before(self.kept[pk])
        keys = sorted(dirty)
        for k in range(0, len(keys), 500):
            chunk = keys[k : k + 500]
            again.update(
                pk
                for (pk,) in self.cache.execute(
                    f"SELECT DISTINCT id FROM {LOOKUPS} WHERE key IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                if pk in self.keys
            )
        return again

    def _named_before(self, kept: tuple) -> set[str]:
        number = number_key(json.loads(kept[2])[1])
        named = _keys(kept[1])
        return named | {"#" + number} if number else named

    def acts(self, pk: int) -> list[tuple[int, Act]]:
        """The kept acts of a source on others (with the ids of the documents they apply to)."""
        kept = self.kept.get(pk)
        if kept is None or kept[4] == "[]":
            return []
        return [(a[0], Act(*a[1:])) for a in json.loads(kept[4])]

    def targets(self, pk: int) -> set[int]:
        """The documents the source's kept acts applied to."""
        kept = self.kept.get(pk)
        return {a[0] for a in json.loads(kept[4])} if kept and kept[4] != "[]" else set()

    def by_first_column(self, rows: list[tuple]) -> dict[int, list[tuple]]:
        """Stored rows (rowid, document id, …) by document, without their rowids: the evidence
        a kept decision keeps, the relations a source not matched again keeps."""
        if not self.trusted:
            return {}
        by_document: dict[int, list[tuple]] = defaultdict(list)
        for row in rows:
            by_document[row[1]].append(row[1:])
        return by_document

    def decision_holds(self, doc: Doc, facts_now: str, facts: tuple, as_of: date) -> bool:
        """Whether the stored decision of ``doc`` is the one deciding it again would give, as
        far as the document itself goes (the acts on it are the caller's to check)."""
        kept = self.kept.get(doc.id)
        return (
            self.trusted
            and kept is not None
            and facts[2][6] == as_of.isoformat()
            and kept[0] == self.keys[doc.id]
            and kept[3] == facts_now
        )

    def keep(
        self,
        cache: sqlite3.Connection,
        docs: list[Doc],
        now: dict[int, tuple[str, str]],
        read: _Read,
        made: dict[int, list[tuple[int, Act]]],
        built_at: str,
    ) -> None:
        """Write what changed into the cache, with the build's ``built_at``."""
        rows, looked = [], []
        for doc in docs:
            kept = self.kept.get(doc.id)
            key = self.keys[doc.id]
            fresh = kept is None or kept[0] != key
            named = "\n".join(sorted(doc.named)) if fresh else kept[1]
            acts = _dump_acts(made[doc.id]) if doc.id in made else kept[4]
            new = (key, named, *now[doc.id], acts)
            if new != kept:
                reading = _dump(read.term(doc.id), doc.said) if fresh else None
                rows.append((doc.id, reading, *new))
            if doc.id in made:
                looked += [(k, doc.id) for k in lookups(doc)]
        everything = len(made) == len(docs)
        with cache:  # not trusted while it is being written
            cache.execute("UPDATE meta SET value = ? WHERE name = ?", [_meta(""), CACHE])
        with cache:
            cache.executemany(
                f"INSERT INTO {CACHE} (id, reading, key, named, place, facts, acts)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " reading = coalesce(excluded.reading, reading), key = excluded.key,"
                " named = excluded.named, place = excluded.place, facts = excluded.facts,"
                " acts = excluded.acts",
                rows,
            )
            gone = [(pk,) for pk in self.gone]
            cache.executemany(f"DELETE FROM {CACHE} WHERE id = ?", gone)
            if everything:
                cache.execute(f"DELETE FROM {LOOKUPS}")
            else:
                cache.executemany(f"DELETE FROM {LOOKUPS} WHERE id = ?", [(pk,) for pk in made])
                cache.executemany(f"DELETE FROM {LOOKUPS} WHERE id = ?", gone)
            cache.executemany(f"INSERT OR IGNORE INTO {LOOKUPS} VALUES (?, ?)", looked)
            cache.execute("UPDATE meta SET value = ? WHERE name = ?", [_meta(built_at), CACHE])


def _keys(lines: str) -> set[str]:
    return set(lines.split("\n")) if lines else set()


def _meta(built_at: str) -> str:
    return json.dumps({"code": reader_code(), "built_at": built_at})


def _place(doc: Doc) -> str:
    place = [doc.title, doc.doc_number, doc.written_date, doc.published_date]
    return json.dumps(place, ensure_ascii=False)


def _facts(facts: tuple) -> str:
    kind, raw, _ = facts
    return json.dumps([kind, raw], ensure_ascii=False)


def _prepare(cache: sqlite3.Connection) -> str:
    """The cache's tables, made anew when the code is not the code that filled them; returns
    the built_at of the build that last filled them ("" when none)."""
    with cache:
        cache.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        kept = cache.execute("SELECT value FROM meta WHERE name = ?", [CACHE]).fetchone()
        try:
            meta = json.loads(kept[0]) if kept else {}
        except ValueError:
            meta = {}
        cache.execute("DROP TABLE IF EXISTS validity_readings")  # an earlier version's
        if meta.get("code") != reader_code():
            cache.execute(f"DROP TABLE IF EXISTS {CACHE}")
            cache.execute(f"DROP TABLE IF EXISTS {LOOKUPS}")
            cache.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [CACHE, _meta("")])
            meta = {}
        cache.execute(
            f"CREATE TABLE IF NOT EXISTS {CACHE} (id INTEGER PRIMARY KEY, key BLOB NOT NULL,"
            " reading TEXT, named TEXT, place TEXT, facts TEXT, acts TEXT)"
        )
        cache.execute(
            f"CREATE TABLE IF NOT EXISTS {LOOKUPS} (key TEXT, id INTEGER, PRIMARY KEY (key, id))"
            " WITHOUT ROWID"
        )
        cache.execute(f"CREATE INDEX IF NOT EXISTS {LOOKUPS}_id ON {LOOKUPS} (id)")
    return meta.get("built_at", "")


def _dump(term: Term, said: list[Said]) -> str:
    items = [[kind, *(getattr(item, f) for f in _ITEM_FIELDS), where] for kind, item, where in said]
    term_fields = [getattr(term, f) for f in _TERM_FIELDS]
    return json.dumps([term_fields, items], ensure_ascii=False)


def _undump(value: str) -> tuple[Term, list[Said]]:
    term, items = json.loads(value)
    return Term(*term), [(i[0], Item(*i[1:-1]), i[-1]) for i in items]


def _dump_acts(acts: list[tuple[int, Act]]) -> str:
    made = [[target, *(getattr(act, f) for f in _ACT_FIELDS)] for target, act in acts]
    return json.dumps(made, ensure_ascii=False)
