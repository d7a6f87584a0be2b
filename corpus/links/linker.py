"""Which interpretation explains which document: found from links, quoted titles and 文号.

Methods, in falling order of certainty; each link keeps its method, confidence and evidence:

* ``link_from_document`` (1.0): the document page's 相关解读 block links to the interpretation;
* ``link_from_list`` (1.0): a 解读 link beside the document's item in a column list (Jiangsu's
  ``<span class="jds">``); the crawler stores it as a document ``PageLink`` labelled ``列表``/``jds``;
* ``relation_field`` (1.0): a JSON relation field (Guangdong gkmlpt's ``relation``); stored as a
  ``PageLink`` labelled ``relation``;
* ``link_from_interpretation`` (1.0): the interpretation page's 原文链接/相关文件 links to it;
* ``title_quote`` (0.9): the interpretation's title quotes the document's title (《X》, or the
  title itself with 解读/图解… wrappers removed);
* ``doc_number`` (0.85): the interpretation's title or first sentence names the document's 文号;
* ``opening_quote`` (0.8): the first sentence of the interpretation quotes the document's title.

Titles are compared after ``normalize_title`` and with the issuer prefix, trailing asides
（赣府字〔2023〕5号） and 印发/转发 wrappers taken off (江西省农业农村厅关于印发《X》的通知 is known as X
and as 关于印发X的通知 too). A match on the issuer-less ``关于…`` form alone is weaker (0.1 less).

What keeps the decoys out:

* a document is never matched before its 成文日期 (else its 发布日期); of two versions with the
  same title the latest one by then is taken (0.05 less: a choice was made);
* a quote attributed to another body (``近日，农业农村部办公厅印发了《关于…的通知》``) matches only
  documents of that body: a national body rules the provincial namesakes out; among namesakes
  issued by then, those of the named provincial body are preferred (if none, 0.1 less);
* quotes and 文号 cited as a basis (根据/依据《…》), or as what the subject repeals (原《…》（…）,
  …同时废止), are not the subject; in the body only the first sentence counts, and only when
  neither a hyperlink nor the title or 文号 gave a document;
* once a page links a document explicitly, its other same-titled versions are not inferred.

Every interpretation left without a document gets a one-line ``link_note`` saying why (what it
quotes and why that did not match), for the review list. The tables are rebuilt on every build.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import sqlite_utils

from corpus.links.rates import canonical_department, departments, is_foreign
from corpus.store.normalize import BASIS, find_doc_numbers, normalize_title, notice_measure

MIN_TITLE_CHARS = 6  # titles shorter than this (通知, 实施方案) are too generic to match on
OPENING_CHARS = 300  # how much of an interpretation's body is searched for its first sentence

CONFIDENCE = {
    "link_from_document": 1.0,
    "link_from_list": 1.0,
    "relation_field": 1.0,
    "link_from_interpretation": 1.0,
    "title_quote": 0.9,
    "doc_number": 0.85,
    "opening_quote": 0.8,
}
EXPLICIT = ("link_from_document", "link_from_list", "relation_field", "link_from_interpretation")
BARE_PENALTY = 0.1  # matched only on 关于… without the issuer
CHOICE_PENALTY = 0.05  # several versions or issuers fitted; dates or attribution chose
ATTRIBUTION_PENALTY = 0.1  # the text names another provincial body as the issuer

_QUOTES = re.compile(r"《([^《》]+)》|〈([^〈〉]+)〉")
_TRAILING_ASIDE = re.compile(r"（[^（）]*\d[^（）]*）$")
# What interpretation titles put around the document's name.
_INTERP_HEAD = re.compile(
    r"^(?:【[^】]*】|\[[^\]]*\]|一图读懂|一图看懂|一图了解|图解|图说|视频解读|视频|专家解读|"
    r"政策解读|权威解读|解读)[:：\s]*"
)
_INTERP_TAIL = re.compile(
    r"(?:的)?(?:政策解读|解读材料|解读|图解|起草说明|答记者问|新闻发布会|问答|政策问答)$"
)
# A quote or 文号 preceded by these words cites a basis, not the subject.
_BASIS_BEFORE = re.compile(BASIS + r"\S{0,2}$")
# …or names what the subject replaces: 原《X》（赣农规〔2016〕30号）同时废止.
_REPEALED_BEFORE = re.compile(r"原《?[^《》。]{0,60}》?[（(]?$")
_REPEALED_AFTER = re.compile(r"^[^。；]{0,40}?(?:同时废止|予以废止|停止执行|不再执行)")
_SENTENCE_END = re.compile(r"[。！？；\n]")
# 近日，农业农村部办公厅印发了《…》和《…》: who issued the quoted documents.
_ATTRIBUTION = re.compile(
    r"(?P<org>[^，。；：《》\s]{2,40}?)(?:联合)?(?:印发|出台|发布|制定|修订|公布|颁布|下发)了?"
    r"(?P<quotes>(?:《[^《》]+》(?:[和、及与]|以及)?)+)"
)
_TIME_WORDS = re.compile(r"^(?:近日|日前|近期|最近|今年\d{1,2}月|\d{1,2}月\d{1,2}日)")
_ORG_END = re.compile(r"(?:厅|部|委|局|院|府|办|委员会|办公室|署|会|中心|行|小组)$")


@dataclass(slots=True)
class _Doc:
    id: int
    title: str
    doc_number: str | None
    date: str | None  # 成文日期, else 发布日期: no interpretation comes before it
    departments: list[str]


@dataclass
class _Index:
    """Documents by name (with how the name was formed) and by 文号."""

    docs: dict[int, _Doc]
    by_key: dict[str, list[tuple[_Doc, str]]] = field(default_factory=lambda: defaultdict(list))
    by_number: dict[str, list[_Doc]] = field(default_factory=lambda: defaultdict(list))


def document_names(title: str) -> dict[str, str]:
    """The names a document is known by, each with its form: ``title`` (as published, or less its
    trailing aside), ``inner`` (the X of 关于印发《X》的通知) or ``bare`` (关于… without issuer)."""
    return dict(_names(title))


@lru_cache(maxsize=1 << 17)  # a build asks for every document's names, some titles many times
def _names(title: str) -> tuple[tuple[str, str], ...]:
    full = normalize_title(title)
    # A trailing aside with digits is not part of the name: （赣府字〔2023〕5号）, （2024年…起施行…）;
    # （试行） is.
    plain = _TRAILING_ASIDE.sub("", full)
    names = {}
    at = plain.find("关于")
    if at > 0:
        names[plain[at:]] = "bare"  # 江西省农业农村厅关于加强X的通知 → 关于加强X的通知
    inner = notice_measure(title)
    if inner:
        names[normalize_title(inner)] = "inner"
    names[plain] = names[full] = "title"
    return tuple((k, v) for k, v in names.items() if len(k) >= MIN_TITLE_CHARS)


def document_keys(title: str) -> set[str]:
    """The names a document is known by (``document_names`` without their forms)."""
    return set(document_names(title))


def _names_in(text: str, subject_only: bool) -> list[tuple[str, int]]:
    """Quoted titles in ``text`` with their positions (《X》 and the inner 〈Y〉 of 《关于印发〈Y〉的通知》).

    ``subject_only`` drops quotes cited as a basis or as what the subject repeals.
    """
    names = []
    for m in _QUOTES.finditer(text):
        if subject_only and not _is_subject(text, m.start(), m.end()):
            continue
        names.append((m[1] or m[2], m.start()))
        if m[1]:
            names += [(a or b, m.start()) for a, b in _QUOTES.findall(m[1])]
    return names


def _is_subject(text: str, start: int, end: int) -> bool:
    """False for a mention cited as a basis (根据《…》) or repealed (原《…》（…）同时废止)."""
    before = text[:start]
    return not (
        _BASIS_BEFORE.search(before)
        or _REPEALED_BEFORE.search(before[-70:])
        or _REPEALED_AFTER.search(text[end:])
    )


def _enclosing_quote(text: str, at: int, length: int) -> tuple[int, int]:
    """The span of the 《…》 around ``text[at:at+length]`` (a 文号 inside a quoted title), else its own."""
    opening, closing = text.rfind("《", 0, at), text.rfind("》", 0, at)
    end = text.find("》", at + length)
    if opening > closing and end != -1:
        return opening, end + 1
    return at, at + length


def interpretation_title_names(title: str) -> list[str]:
    """Names an interpretation title may give: quoted titles, and the title stripped of 解读…"""
    names = [name for name, _ in _names_in(title, subject_only=False)]
    bare = _INTERP_TAIL.sub("", _INTERP_HEAD.sub("", title.strip()))
    if bare and not names:
        names.append(bare)
    return names


def first_sentence(body: str) -> str:
    """The interpretation's first sentence: where it says what it explains.

    Lines too short to be a sentence (a heading such as 图解, a date) are skipped.
    """
    for part in _SENTENCE_END.split((body or "")[:OPENING_CHARS]):
        if len(part.strip()) >= 12 or "《" in part:
            return part.strip()
    return ""


def attributions(text: str, province: str | None) -> dict[str, list[str]]:
    """Who ``text`` says issued each quoted title: ``{normalized name: [department, …]}``."""
    found: dict[str, list[str]] = defaultdict(list)
    for m in _ATTRIBUTION.finditer(text):
        org = _TIME_WORDS.sub("", m["org"])
        orgs = [o for o in re.split(r"[、和及与]", org) if o]
        if not orgs or not all(_ORG_END.search(o) for o in orgs):
            continue  # 文件印发了… : not a body
        for name, _ in _names_in(m["quotes"], subject_only=False):
            found[normalize_title(name)] += [canonical_department(o, province) for o in orgs]
    return found


@dataclass
class _Resolution:
    """What one interpretation's text names, and what became of each name."""

    found: list[tuple[int, str, float, str]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # why a name matched nothing, by name

    def note(self, name: str, text: str) -> None:
        self.notes.setdefault(normalize_title(name), text)


class _Resolver:
    """Turns an interpretation's title and first sentence into documents."""

    def __init__(self, index: _Index, interp: dict, explicit: set[int], province: str | None):
        self.index, self.explicit, self.province = index, explicit, province
        self.when = interp["published_date"]
        self.title = interp["title"] or ""
        self.sentence = first_sentence(interp["body_text"] or "")
        self.said_by = attributions(self.title + "\n" + self.sentence, province)
        # Names of explicitly linked documents: a same-named other version is then a decoy.
        self.taken = {k for d in explicit for k in document_names(index.docs[d].title)}
        self.out = _Resolution()

    def resolve(self) -> _Resolution:
        title_names = interpretation_title_names(self.title)
        for name in title_names:
            self.by_name(name, "title_quote", "标题")
        from_title = bool(self.out.found)
        self.by_number()
        if not from_title and not self.explicit:
            # The first sentence's quotes count only when no link and no title named a document.
            for name, _ in _names_in(self.sentence, subject_only=True):
                self.by_name(name, "opening_quote", "首句")
        return self.out

    def by_name(self, name: str, method: str, where: str) -> None:
        key = normalize_title(name)
        if len(key) < MIN_TITLE_CHARS or key in self.taken:
            return
        matches = self.index.by_key.get(key, [])
        if not matches:
            if method != "title_quote" or "《" in self.title:
                self.out.note(name, f"{where}引用《{name}》，库中无此文件")
            return
        best = [d for d, form in matches if form != "bare"]
        candidates = best or [d for d, _ in matches]
        confidence = CONFIDENCE[method] - (0 if best else BARE_PENALTY)
        evidence = f"解读{where}引用《{name}》"
        # A namesake issued after the interpretation cannot be meant, whoever the text names.
        candidates = self.issued_by_then(candidates) or candidates
        said = self.said_by.get(key, [])
        if said:
            by = "、".join(said)
            agreeing = [d for d in candidates if set(d.departments) & set(said)]
            silent = [d for d in candidates if not d.departments]  # the page names no issuer
            if agreeing:
                candidates = agreeing
                evidence += f"，称由{by}印发"
            elif all(is_foreign(s, self.province) for s in said):
                self.out.note(
                    name, f"{where}引用《{name}》，称由{by}印发，与库中同名文件的发文机关不符"
                )
                return
            elif silent:
                candidates = silent
            else:
                confidence -= ATTRIBUTION_PENALTY
                evidence += f"，称由{by}印发（与发文机关不一致）"
        self.choose(candidates, method, confidence, evidence, f"{where}引用《{name}》", name)

    def by_number(self) -> None:
        text = self.title + "\n" + self.sentence
        for raw, canonical in find_doc_numbers(text):
            start, end = _enclosing_quote(text, text.find(raw), len(raw))
            if not _is_subject(text, start, end):
                continue  # cited as a basis or repealed, by itself or inside such a quote
            candidates = [d for d in self.index.by_number.get(canonical, [])]
            candidates = [d for d in candidates if d.id not in self.explicit]
            if not candidates:
                if not self.index.by_number.get(canonical):
                    self.out.note(raw, f"提及文号{raw}，库中无此文号")
                continue
            self.choose(
                candidates, "doc_number", CONFIDENCE["doc_number"], f"解读提及文号{raw}", raw, raw
            )

    def issued_by_then(self, candidates: list[_Doc]) -> list[_Doc]:
        """The candidates issued no later than the interpretation (all when it is undated)."""
        return [d for d in candidates if d.date and (not self.when or d.date <= self.when)]

    def choose(
        self,
        candidates: list[_Doc],
        method: str,
        confidence: float,
        evidence: str,
        what: str,
        name: str,
    ) -> None:
        """The version the interpretation can be about: the latest issued by its date."""
        dated = self.issued_by_then(candidates)
        if not dated:
            self.out.note(name, f"{what}，但库中对应文件晚于解读（{self.when}）")
            return
        doc = max(dated, key=lambda d: (d.date, d.id))
        if len(dated) > 1:
            confidence -= CHOICE_PENALTY
            evidence += f"；同名文件{len(dated)}份，按日期取{doc.date}的一份"
        self.out.found.append((doc.id, method, round(confidence, 2), evidence))


def _explicit_method(from_table: str, label: str) -> str:
    """Which explicit method a stored hyperlink is, from where it was found and its label."""
    if "relation" in label or "关联" in label:
        return "relation_field"
    if from_table == "interpretations":
        return "link_from_interpretation"
    if "列表" in label or "jds" in label:
        return "link_from_list"
    return "link_from_document"


def _index(db: sqlite_utils.Database, provinces: dict[str, str | None]) -> _Index:
    index = _Index(docs={})
    for doc_id, site, title, number, issuer, published, written in db.execute(
        "SELECT id, site, title, doc_number, issuer, published_date, written_date FROM documents"
    ):
        doc = _Doc(
            doc_id, title, number, written or published, _departments(issuer, provinces.get(site))
        )
        index.docs[doc.id] = doc
        for key, form in _names(doc.title):
            index.by_key[key].append((doc, form))
        if doc.doc_number:
            index.by_number[doc.doc_number].append(doc)
    return index


@lru_cache(maxsize=4096)  # few issuers, every document
def _issuers(issuer: str | None, province: str | None) -> tuple[str, ...]:
    return tuple(departments(issuer, province))


def _departments(issuer: str | None, province: str | None) -> list[str]:
    return list(_issuers(issuer, province))


def link_interpretations(db: sqlite_utils.Database, found: tuple | None = None) -> dict:
    """Rebuild ``document_interpretations``, both link counts and the review notes; return stats.

    ``found``: what ``find_links`` found of this library, if it was worked out already (the
    build does it in another process while it decides validity, which changes none of what
    links are found from)."""
    links, notes, unresolved = found if found is not None else find_links(db)
    _store(db, links, notes)
    linked = {i for _, i in links}
    return {
        "links": len(links),
        "by_method": dict(sorted(Counter(v[0] for v in links.values()).items())),
        "documents_with_interpretation": len({d for d, _ in links}),
        "interpretations_linked": len(linked),
        "interpretations_unlinked": len(notes) - len(linked),
        "unresolved_page_links": unresolved,
    }


def find_links_in(path: str) -> tuple:
    """``find_links`` of the library at ``path``, read through a connection of its own."""
    db = sqlite_utils.Database(path)
    try:
        return find_links(db)
    finally:
        db.close()


def find_links(db: sqlite_utils.Database) -> tuple:
    """Every link between a document and an interpretation, with its method, confidence and
    evidence (``{(document id, interpretation id): (method, confidence, evidence)}``); each
    interpretation's review note (``{id: note}``); the number of page links that name no stored
    page. Reads sites, documents, interpretations and page links; writes nothing."""
    provinces = dict(db.execute("SELECT name, province FROM sites").fetchall())
    index = _index(db, provinces)
    interps = list(
        db.query("SELECT id, site, url, title, body_text, published_date FROM interpretations")
    )
    doc_by_url = dict(db.execute("SELECT url, id FROM documents").fetchall())
    interp_by_url = {r["url"]: r["id"] for r in interps}

    links: dict[tuple[int, int], tuple[str, float, str]] = {}
    unresolved = 0

    def add(doc_id: int, interp_id: int, method: str, confidence: float, evidence: str) -> None:
        old = links.get((doc_id, interp_id))
        if old is None or old[1] < confidence:
            links[(doc_id, interp_id)] = (method, confidence, evidence)
        elif old[1] == confidence and old[0] in EXPLICIT and method in EXPLICIT:
            # Linked from both pages: the method first in EXPLICIT, both pieces of evidence.
            first = min(old[0], method, key=EXPLICIT.index)
            if evidence not in old[2]:
                links[(doc_id, interp_id)] = (
                    first,
                    confidence,
                    "；".join(sorted((old[2], evidence))),
                )

    for r in db.query(
        "SELECT from_id, from_table, to_url, text, role, label FROM page_links"
        " ORDER BY from_table, from_id, to_url"
    ):
        label = r["label"] or ""
        method = _explicit_method(r["from_table"], label)
        shown = label or ("相关解读" if r["role"] == "interpretation" else "原文链接")
        if r["from_table"] == "documents" and r["role"] == "interpretation":
            target = interp_by_url.get(r["to_url"])
            if target is None or r["from_id"] not in index.docs:
                unresolved += 1
                continue
            add(r["from_id"], target, method, 1.0, f"文件页“{shown}”链接：{r['text']}")
        elif r["from_table"] == "interpretations" and r["role"] == "document":
            target = doc_by_url.get(r["to_url"])
            if target is None:
                unresolved += 1
                continue
            add(target, r["from_id"], method, 1.0, f"解读页“{shown}”：{r['text']}")

    explicit = defaultdict(set)
    for doc_id, interp_id in links:
        explicit[interp_id].add(doc_id)
    notes = {}
    for r in interps:
        res = _Resolver(index, r, explicit[r["id"]], provinces.get(r["site"])).resolve()
        for doc_id, method, confidence, evidence in res.found:
            add(doc_id, r["id"], method, confidence, evidence)
        notes[r["id"]] = "；".join(res.notes.values()) or "未引用库中文件的标题或文号，也无原文链接"
    return links, notes, unresolved


def _store(
    db: sqlite_utils.Database,
    links: dict[tuple[int, int], tuple[str, float, str]],
    notes: dict[int, str],
) -> None:
    """Write the links, how soon each interpretation followed, both counts and the review notes."""
    with db.conn:
        db.execute("DELETE FROM document_interpretations")
        db.conn.executemany(
            "INSERT INTO document_interpretations"
            " (document_id, interpretation_id, method, confidence, evidence) VALUES (?,?,?,?,?)",
            [(d, i, *v) for (d, i), v in sorted(links.items())],
        )
        # Days from the document's page to the interpretation; 同步发布 = not after the document.
        db.execute(
            "UPDATE document_interpretations SET days_after = ("
            " SELECT CAST(julianday(i.published_date)"
            "   - julianday(coalesce(d.published_date, d.written_date)) AS INTEGER)"
            " FROM documents d, interpretations i"
            " WHERE d.id = document_interpretations.document_id"
            "   AND i.id = document_interpretations.interpretation_id)"
        )
        db.execute(
            "UPDATE document_interpretations SET synchronous ="
            " CASE WHEN days_after IS NULL THEN NULL WHEN days_after <= 0 THEN 1 ELSE 0 END"
        )
        # both counts and the notes written only where they change (most rows, most builds)
        db.execute(
            "UPDATE documents SET interpretation_count = (SELECT count(*) FROM"
            " document_interpretations di WHERE di.document_id = documents.id)"
            " WHERE interpretation_count IS NOT (SELECT count(*) FROM"
            " document_interpretations di WHERE di.document_id = documents.id)"
        )
        db.execute(
            "UPDATE interpretations SET document_count = (SELECT count(*) FROM"
            " document_interpretations di WHERE di.interpretation_id = interpretations.id)"
            " WHERE document_count IS NOT (SELECT count(*) FROM"
            " document_interpretations di WHERE di.interpretation_id = interpretations.id)"
        )
        linked = {i for _, i in links}
        db.conn.executemany(
            "UPDATE interpretations SET link_note = ?1 WHERE id = ?2 AND link_note IS NOT ?1",
            [(None if i in linked else note, i) for i, note in notes.items()],
        )
