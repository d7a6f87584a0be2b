"""Switchable site changes: the mirror as it looks a day later, for recrawl tests.

Each change is what happens to real disclosure columns between two crawls:

- ``new-document``: a new normative document at the top of jx-nync's 规范性文件 list;
- ``edit-document``: a jx-sthjt document's body corrected in place (same URL, list unchanged);
- ``remove-document``: a jx-sthjt document taken down (gone from the list, its page 404);
- ``validity-change``: a jx-nync page's 有效性 field turned from 有效 to 废止 (list unchanged);
- ``new-interpretation``: a new jx-sthjt interpretation of one of its documents, with 原文链接.

Only the two department sites change, so a recrawl test may leave the big portal out.

``changed_world(names)`` is the world with the changes applied (the default world is not
touched); ``truth(base_port, names)`` is its ground truth, plus ``changes`` (what changed, where)
and ``removed_urls``. Targets are chosen by fixed rules over the generated world, so the same
pages change on every machine. Edited pages carry a later ``Last-Modified`` (``conditional.py``).
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterable
from datetime import date, datetime

from . import bodies, documents, groundtruth, interpretations, numbers, text, vocab
from .catalog import url
from .model import Block, Document, Interpretation, Site
from .world import World, world

CHANGES = (
    "new-document",
    "edit-document",
    "remove-document",
    "validity-change",
    "new-interpretation",
)
CHANGE_TIME = datetime(2026, 11, 28, 10, 30, 0)  # the day after the first as-of date
EDIT_LINE = "　　（2026年11月28日更正：文中个别文字表述有误，现予更正。）"
IN_FORCE = ("有效", "现行有效", "全文有效", "继续有效")


def parse_changes(names: str | Iterable[str]) -> list[str]:
    """``"new-document,edit-document"`` or ``"all"`` → the change names, in CHANGES order."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    chosen = set(CHANGES) if "all" in names else set(names)
    unknown = chosen - set(CHANGES)
    if unknown:
        raise ValueError(f"unknown change(s) {sorted(unknown)}; known: all, {', '.join(CHANGES)}")
    return [c for c in CHANGES if c in chosen]


def changed_world(names: str | Iterable[str], base: World | None = None) -> World:
    """A copy of ``base`` (the default world) with the named changes applied."""
    w = copy.deepcopy(base or world())
    log: list[dict] = []
    for name in parse_changes(names):
        _APPLY[name](w, log)
    changed = World(w.sites, w.documents, w.interpretations)
    changed.changes = log  # type: ignore[attr-defined]
    return changed


def truth(base_port: int, names: str | Iterable[str]) -> dict:
    """The ground truth of the changed mirror, with ``changes`` and ``removed_urls``."""
    w = changed_world(names)
    result = groundtruth.truth(base_port, the_world=w)
    result["changes"] = [
        {"change": c["change"], "url": url(c["ref"], base_port), "site": c["ref"].site}
        for c in w.changes  # type: ignore[attr-defined]
    ]
    result["removed_urls"] = [
        c["url"] for c in result["changes"] if c["change"] == "remove-document"
    ]
    return result


# ---------------------------------------------------------------- the changes


def _site(w: World, name: str) -> Site:
    return next(s for s in w.sites if s.name == name)


def _candidates(w: World, site: str, column_kind: str = "normative") -> list[Document]:
    """Plain documents of a site's column, oldest id first: no versions, decisions or special cases."""
    s = _site(w, site)
    columns = {c.id for c in s.columns if c.kind == column_kind}
    explained = {r for i in w.interpretations for r in i.explains}
    linked = {r for i in w.interpretations for r in i.links}
    docs = [
        d
        for d in w.documents
        if d.site == site
        and d.column in columns
        and d.spec.get("form") in ("print", "notice")
        and not d.spec.get("old")
        and not d.spec.get("replaces")
        and not d.spec.get("case")
        and d.ref not in explained
        and d.ref not in linked
        and not d.interpretations
    ]
    return sorted(docs, key=lambda d: d.article_id)


def _next_id(w: World, site: str) -> int:
    return max(a.article_id for a in [*w.documents, *w.interpretations] if a.site == site) + 37


def _new_document(w: World, log: list[dict]) -> None:
    site = _site(w, "jx-nync")
    column = next(c for c in site.columns if c.kind == "normative")
    rng = random.Random("change:new-document")
    titles = {d.title for d in w.documents if d.site == site.name}
    doc = documents._normative(site, column, rng, special=False, late=True)
    while doc.title in titles:
        doc = documents._normative(site, column, rng, special=False, late=True)
    code, year = doc.spec["code"], doc.written.year
    used = [
        int(m[1])
        for d in w.documents
        if d.number and (m := re.search(rf"^{re.escape(code)}〔{year}〕(\d+)号$", d.number))
    ]
    n = max(used, default=0) + 1
    doc.number_raw = text.number_spelling(rng, code, year, n, loose=0)
    doc.number = numbers.canonical_number(code, year, n)
    serials = [
        int(d.index_no.rsplit("-", 1)[1])
        for d in w.documents
        if d.site == site.name and d.index_no and d.written.year == year
    ]
    serial = max(serials, default=0) + 1
    if site.style.index_format == "dated":
        doc.index_no = f"{year}-{doc.written.month:02d}-{serial:05d}"
    else:
        doc.index_no = f"{vocab.INDEX_ORGS[site.name]}/{year}-{serial:05d}"
    if doc.layout == "C" and doc.column not in site.style.number_spans:
        doc.index_no = ""
    doc.pub = CHANGE_TIME
    doc.article_id = _next_id(w, site.name)
    bodies.document_body(doc, site)
    w.documents.append(doc)
    log.append({"change": "new-document", "ref": doc.ref})


def _edit_document(w: World, log: list[dict]) -> None:
    doc = _candidates(w, "jx-sthjt")[3]
    doc.body = [*doc.body, Block([EDIT_LINE])]
    doc.spec["modified"] = CHANGE_TIME
    log.append({"change": "edit-document", "ref": doc.ref})


def _remove_document(w: World, log: list[dict]) -> None:
    doc = _candidates(w, "jx-sthjt")[5]
    w.documents.remove(doc)
    log.append({"change": "remove-document", "ref": doc.ref})


def _validity_change(w: World, log: list[dict]) -> None:
    """A document in force (its page says 有效, its term runs on) is repealed on its page."""
    shown = [d for d in _candidates(w, "jx-nync") if d.layout in ("A", "B")]
    in_force = [
        d
        for d in shown
        if d.validity_raw in IN_FORCE
        and (d.expires is None or d.expires > date(2028, 12, 31))
        and d.effective is not None
        and d.effective <= date(2026, 11, 27)
    ]
    doc = (in_force or [d for d in shown if d.validity_raw in IN_FORCE] or shown)[0]
    doc.validity_raw = "废止"
    doc.spec["modified"] = CHANGE_TIME
    log.append({"change": "validity-change", "ref": doc.ref})


def _new_interpretation(w: World, log: list[dict]) -> None:
    site = _site(w, "jx-sthjt")
    column = next(c for c in site.columns if c.kind == "interpretation")
    target = _candidates(w, "jx-sthjt")[1]
    rng = random.Random("change:new-interpretation")
    interp: Interpretation = interpretations._interpretation(
        site, column, rng, [target], "plain", mode="interp", day=CHANGE_TIME.date()
    )
    interp.pub = CHANGE_TIME.replace(hour=15)
    interp.article_id = _next_id(w, site.name)
    bodies.interpretation_body(interp, site, [])
    interp.explains = [target.ref]
    w.interpretations.append(interp)
    log.append({"change": "new-interpretation", "ref": interp.ref})


_APPLY = {
    "new-document": _new_document,
    "edit-document": _edit_document,
    "remove-document": _remove_document,
    "validity-change": _validity_change,
    "new-interpretation": _new_interpretation,
}
