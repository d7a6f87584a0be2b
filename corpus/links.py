"""Which interpretation explains which document: found from links, quoted titles and 文号.

Methods, in falling order of certainty (each link keeps its method, confidence and evidence):

* ``link_from_document`` (1.0): the document page's 相关解读 block links to the interpretation;
* ``link_from_interpretation`` (1.0): the interpretation page's 原文链接/相关文件 links to it;
* ``title_quote`` (0.9): the interpretation's title quotes the document's title (《X》, or the
  title itself with 解读/图解… wrappers removed);
* ``doc_number`` (0.85): the interpretation's title or opening names the document's 文号;
* ``opening_quote`` (0.8): the first lines of the interpretation quote the document's title.

Titles are compared after ``normalize_title`` and with the issuer prefix and 印发/转发 wrappers
taken off (江西省农业农村厅关于印发《X》的通知 is known as X too). Inferred links never point at
a document published after the interpretation; of two versions with the same title the latest
one published by then is taken. The table is rebuilt from scratch on every build.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlite_utils

from corpus.normalize import find_doc_numbers, normalize_title

OPENING_CHARS = 200  # how much of an interpretation's body counts as its "first lines"
MIN_TITLE_CHARS = 6  # titles shorter than this (通知, 实施方案) are too generic to match on

CONFIDENCE = {
    "link_from_document": 1.0,
    "link_from_interpretation": 1.0,
    "title_quote": 0.9,
    "doc_number": 0.85,
    "opening_quote": 0.8,
}

_QUOTES = re.compile(r"《([^《》]+)》|〈([^〈〉]+)〉")
_WRAPPED = re.compile(
    r"关于(?:印发|转发|发布|公布|颁布|修订印发|印发修订后的|重新印发)[^《]*《([^《》]+)》.*的(?:通知|决定|公告|函|批复)"
)
_TRAILING_ASIDE = re.compile(r"（[^（）]*\d[^（）]*）$")
# What interpretation titles put around the document's name.
_INTERP_HEAD = re.compile(
    r"^(?:【[^】]*】|\[[^\]]*\]|一图读懂|一图看懂|一图了解|图解|图说|视频解读|视频|专家解读|"
    r"政策解读|权威解读|解读)[:：\s]*"
)
_INTERP_TAIL = re.compile(
    r"(?:的)?(?:政策解读|解读材料|解读|图解|起草说明|答记者问|新闻发布会|问答|政策问答)$"
)
# A quote preceded by these words in an opening cites a basis, not the subject.
_BASIS_BEFORE = re.compile(r"(?:根据|依据|按照|依照|贯彻|落实|贯彻落实|遵照|参照|对照)\S{0,2}$")


@dataclass
class _Doc:
    id: int
    url: str
    title: str
    doc_number: str | None
    date: str | None


def document_keys(title: str) -> set[str]:
    """The names a document is known by: its title, without the issuer prefix, the inner 《X》."""
    full = normalize_title(title)
    # A trailing aside with digits is not part of the name: （赣府字〔2023〕5号）, （2024年…起施行…）;
    # （试行） is.
    bare = _TRAILING_ASIDE.sub("", full)
    keys = {full, bare}
    at = bare.find("关于")
    if at > 0:
        keys.add(bare[at:])  # 江西省农业农村厅关于加强X的通知 → 关于加强X的通知
    m = _WRAPPED.search(title)
    if m:
        keys.add(normalize_title(m[1]))
    return {k for k in keys if len(k) >= MIN_TITLE_CHARS}


def _names_in(text: str, skip_basis: bool) -> list[str]:
    """Quoted titles in ``text`` (《X》 and the inner 〈Y〉 of 《关于印发〈Y〉的通知》)."""
    names = []
    for m in _QUOTES.finditer(text):
        if skip_basis and _BASIS_BEFORE.search(text[: m.start()]):
            continue
        names.append(m[1] or m[2])
        if m[1]:
            names += [a or b for a, b in _QUOTES.findall(m[1])]
    return names


def interpretation_title_names(title: str) -> list[str]:
    """Names an interpretation title may give: quoted titles, and the title stripped of 解读…"""
    names = _names_in(title, skip_basis=False)
    bare = _INTERP_TAIL.sub("", _INTERP_HEAD.sub("", title.strip()))
    if bare and not names:
        names.append(bare)
    return names


def _date(row: dict) -> str | None:
    return row.get("published_date") or row.get("written_date")


def link_interpretations(db: sqlite_utils.Database) -> dict:
    """Rebuild ``document_interpretations`` and both link counts; return statistics."""
    docs = {
        r["id"]: _Doc(r["id"], r["url"], r["title"], r["doc_number"], _date(r))
        for r in db.query(
            "SELECT id, url, title, doc_number, published_date, written_date FROM documents"
        )
    }
    interps = list(
        db.query("SELECT id, url, title, body_text, published_date FROM interpretations")
    )
    doc_by_url = {d.url: d.id for d in docs.values()}
    interp_by_url = {r["url"]: r["id"] for r in interps}
    by_key: dict[str, list[_Doc]] = defaultdict(list)
    by_number: dict[str, list[_Doc]] = defaultdict(list)
    for d in docs.values():
        for key in document_keys(d.title):
            by_key[key].append(d)
        if d.doc_number:
            by_number[d.doc_number].append(d)

    links: dict[tuple[int, int], tuple[str, float, str]] = {}
    unresolved = 0

    def add(doc_id: int, interp_id: int, method: str, evidence: str) -> None:
        old = links.get((doc_id, interp_id))
        if old is None or old[1] < CONFIDENCE[method]:
            links[(doc_id, interp_id)] = (method, CONFIDENCE[method], evidence)

    for r in db.query("SELECT from_id, from_table, to_url, text, role, label FROM page_links"):
        label = r["label"] or ("相关解读" if r["role"] == "interpretation" else "原文链接")
        if r["from_table"] == "documents" and r["role"] == "interpretation":
            target = interp_by_url.get(r["to_url"])
            if target is None or r["from_id"] not in docs:
                unresolved += 1
                continue
            add(r["from_id"], target, "link_from_document", f"文件页“{label}”链接：{r['text']}")
        elif r["from_table"] == "interpretations" and r["role"] == "document":
            target = doc_by_url.get(r["to_url"])
            if target is None:
                unresolved += 1
                continue
            add(target, r["from_id"], "link_from_interpretation", f"解读页“{label}”：{r['text']}")

    explicit = defaultdict(set)
    for doc_id, interp_id in links:
        explicit[interp_id].add(doc_id)
    for r in interps:
        for doc_id, method, evidence in _inferred(r, by_key, by_number, explicit[r["id"]], docs):
            add(doc_id, r["id"], method, evidence)

    with db.conn:
        db.execute("DELETE FROM document_interpretations")
        db.conn.executemany(
            "INSERT INTO document_interpretations"
            " (document_id, interpretation_id, method, confidence, evidence) VALUES (?,?,?,?,?)",
            [(d, i, *v) for (d, i), v in sorted(links.items())],
        )
        db.execute(
            "UPDATE documents SET interpretation_count = (SELECT count(*) FROM"
            " document_interpretations di WHERE di.document_id = documents.id)"
        )
        db.execute(
            "UPDATE interpretations SET document_count = (SELECT count(*) FROM"
            " document_interpretations di WHERE di.interpretation_id = interpretations.id)"
        )
    linked = {i for _, i in links}
    return {
        "links": len(links),
        "by_method": dict(sorted(Counter(v[0] for v in links.values()).items())),
        "documents_with_interpretation": len({d for d, _ in links}),
        "interpretations_linked": len(linked),
        "interpretations_unlinked": len(interps) - len(linked),
        "unresolved_page_links": unresolved,
    }


def _inferred(
    interp: dict,
    by_key: dict[str, list[_Doc]],
    by_number: dict[str, list[_Doc]],
    explicit: set[int],
    docs: dict[int, _Doc],
) -> list[tuple[int, str, str]]:
    """Links read from an interpretation's title and opening (not from hyperlinks)."""
    title = interp["title"] or ""
    opening = (interp["body_text"] or "")[:OPENING_CHARS]
    when = interp["published_date"]
    # Names of explicitly linked documents: a same-named other version is then a decoy.
    taken = {k for d in explicit for k in document_keys(docs[d].title)}
    found: list[tuple[int, str, str]] = []

    def pick(candidates: list[_Doc]) -> _Doc | None:
        """The version the interpretation can be about: the latest published by its date."""
        dated = [d for d in candidates if d.date and (not when or d.date <= when)]
        if dated:
            return max(dated, key=lambda d: (d.date, d.id))
        undated = [d for d in candidates if not d.date]
        return undated[0] if len(undated) == 1 and not when else None

    def by_name(names: list[str], method: str, where: str) -> None:
        for name in names:
            key = normalize_title(name)
            if len(key) < MIN_TITLE_CHARS or key in taken:
                continue
            doc = pick(by_key.get(key, []))
            if doc:
                found.append((doc.id, method, f"解读{where}引用《{name}》"))

    by_name(interpretation_title_names(title), "title_quote", "标题")
    for raw, canonical in find_doc_numbers(title + "\n" + opening):
        at = (title + "\n" + opening).find(raw)
        if _BASIS_BEFORE.search((title + "\n" + opening)[:at]):
            continue
        doc = pick([d for d in by_number.get(canonical, []) if d.id not in explicit])
        if doc:
            found.append((doc.id, "doc_number", f"解读提及文号{raw}"))
    if not found and not explicit:
        # The opening is only trusted when nothing firmer names the subject.
        by_name(_names_in(opening, skip_basis=True), "opening_quote", "开头")
    return found
