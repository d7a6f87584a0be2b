"""The validity cases of the mirror: documents whose status other documents decide, and hard ones.

Drawn per normative column of the three Jiangxi sites after its ordinary documents, from a
generator of their own (the ordinary documents are drawn as before, a few fewer: the case
documents take their place, so every column keeps its size). A case that no document of the
column fits (seeds other than the default) takes a fresh one, drawn like the others in the place
of one no case took: every case is there for any seed. Each document in a case names it in
``spec["validity_case"]``; an act of another document on a document is in its ``spec["acts"]``
as ``(kind, declares, source document)``; a document's outgoing relations are in
``spec["relations"]`` as ``(relation, target or None, title, 文号)``; a clause it cannot date is
in ``spec["problems"]``. The texts are written by ``validity_texts``.

The cases (``CASES``) and the status rules they exercise are listed in CONTRACTS.md.

One department site of another family (``LATER_NOTICES``) gains notices of its own after its
ordinary documents: one that stops part of some of them, one that extends the 有效期 of others,
and one that does both from 2027. They are added to the column (its size grows by them), written
and published after every other page of the site and drawn no interpretation, so that every page
drawn before stays as it was: numbers, index numbers, ids and interpretations are drawn in date
order. Their targets are documents of the column as they are; only their status changes. An
extension is an act declaring 现行有效 whose new last day the notice keeps in
``spec["extends"]`` as ``(target, until)``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from . import facts
from .model import Column, Document, Site
from .validity import Act

FIRST_AS_OF, LAST_AS_OF = date(2026, 11, 27), date(2028, 12, 31)
# Case documents per normative column (decisions, lists, and one extra old version).
RESERVED = {"jx-portal": 3, "jx-nync": 2, "jx-sthjt": 2}
# Department sites whose normative column gains the later notices (partial stops, extensions),
# beyond its size: see the module docstring.
LATER_NOTICES = ("jx-gxt",)

CASES = {
    "repeal_table": "a repeal decision whose list is a table in a DOCX attachment",
    "repeal_table_target": "repealed by it (page says 有效, blank or 失效, or its term had ended)",
    "repeal_future": "a repeal and amendment decision that takes effect in 2027, items in the body",
    "repeal_future_target": "in force in 2026 (page or term), repealed or amended by 2028",
    "list_notice": "a department's 现行有效目录 and 废止、失效目录 (DOCX tables in two attachments)",
    "list_current": "on the 现行有效目录: no other information, a term ending by 2028, or a page "
    "that says 失效/废止/有效",
    "list_repealed": "on the 废止目录 (page still says 有效, or nothing)",
    "list_expired": "on the 失效目录 (page says 有效 while its term runs, or the term had ended)",
    "amend_decision": "关于修改《…》的决定",
    "amend_target": "amended in 2026, its term ends before 2028",
    "repeal_pdf": "a repeal decision whose list is a table in a PDF attachment (rows wrap)",
    "repeal_pdf_target": "repealed by it",
    "expire_undated": "a 宣布失效 decision whose 施行日期 cannot be read (2026年6月31日)",
    "expire_undated_target": "declared 失效 by it: 未知, never a guess",
    "late_old_version": "the older version of a document that takes effect in 2027",
    "repeal_clause": "a document ending 《…》（文号）同时废止 for an older one with another title",
    "repeal_clause_target": "repealed by that clause (page says 有效 or nothing)",
    "bare_clause": "原《…》同时废止 without a 文号: the older version found by title and date",
    "cites": "按照《…》（文号）有关规定办理",
    "bad_effective": "施行日期 2月30日: cannot be dated, 未知 even though the page says 有效",
    "bad_expiry": "有效期至…6月底: cannot be dated, 未知",
    "page_void_in_term": "page says 失效 while its term runs",
    "partial_notice": "a notice stopping one article of a document and a policy in another",
    "partial_target": "partly stopped by it: 部分失效 while its term runs; one also extended to a "
    "day before 2028-12-31, 已失效 after that day",
    "extend_notice": "a notice extending the 有效期 of documents (延长至…)",
    "extend_target": "extended before its term ran out (in force past its own end), or after it "
    "had (nothing left to extend: 已失效)",
    "adjust_notice": "a notice, in effect from 2027, repealing one article of a document "
    "(废止《…》第八条) and extending another's 有效期",
    "adjust_target": "in force in 2026 (the act pending), partly stopped or extended by 2028",
}

NewDoc = Callable[[date, str, str], Document]
Draw = Callable[[bool], Document]  # a fresh ordinary document of the column (late: from 2027)
DRAWS = 2000  # fresh documents tried for a case before giving up


def shown(doc: Document) -> bool:
    """Whether the page shows a 有效性 field at all (layout C has no table)."""
    return doc.layout != "C"


def in_force_on(doc: Document, day: date) -> bool:
    """Started by ``day`` and not yet ended on it (by its own term)."""
    return bool(doc.effective and doc.effective <= day and (not doc.expires or doc.expires >= day))


def runs_past(doc: Document, day: date) -> bool:
    """Its own term runs past ``day`` (or has no end)."""
    return doc.expires is None or doc.expires > day


def quote_title(doc: Document) -> str:
    """How other documents name it: the printed measure, else the title (without a 文号)."""
    return doc.inner_title or doc.title.split("（")[0]


class _Pool:
    """The ordinary documents of a column that a case may still take.

    When none fits a case (seeds other than the default draw other columns), ``draw`` makes a
    fresh ordinary document of the column until one fits, and it takes the place of an untaken
    one: the case is always there and the column keeps its size.
    """

    def __init__(self, docs: list[Document], rng: random.Random, draw: Draw | None = None) -> None:
        self.rng = rng
        self.all = docs
        self.docs = [d for d in docs if _ordinary(d)]
        self.draw = draw

    def take(
        self, label: str, pred: Callable[[Document], bool], page: str | None = None
    ) -> Document:
        """One document satisfying ``pred``, labelled, with its page's 有效性 set to ``page``."""
        doc = self.pick(label, pred)
        doc.spec["validity_case"] = label
        if page is not None:
            doc.validity_raw = page if shown(doc) else ""
        return doc

    def pick(self, label: str, pred: Callable[[Document], bool]) -> Document:
        """One document satisfying ``pred`` (a fresh one if none does), no longer to be taken."""
        fits = [d for d in self.docs if pred(d)] or [self.drawn(label, pred)]
        doc = self.rng.choice(fits)
        self.docs.remove(doc)
        return doc

    def replace(self, doc: Document) -> None:
        """Put ``doc`` in the column in the place of an untaken document."""
        gone = self.rng.choice(self.docs)
        self.docs.remove(gone)
        self.all[self.all.index(gone)] = doc

    def unique(self, doc: Document) -> bool:
        """No other document of the column prints a measure of the same title."""
        return sum(d.inner_title == doc.inner_title for d in self.all) == 1

    def drawn(self, label: str, pred: Callable[[Document], bool], late: bool = False) -> Document:
        """A fresh ordinary document satisfying ``pred``, in the place of an untaken one."""
        titles = {d.title for d in self.all}
        inner = {d.inner_title for d in self.all} - {""}
        for _ in range(DRAWS if self.draw and self.docs else 0):
            doc = self.draw(late)
            if not _ordinary(doc) or doc.title in titles or doc.inner_title in inner:
                continue
            self.all.append(doc)  # a predicate may look at the whole column
            fits = pred(doc)
            self.all.pop()
            if fits:
                self.replace(doc)
                self.docs.append(doc)
                return doc
        raise ValueError(f"no document left for the validity case {label!r}")


def _ordinary(doc: Document) -> bool:
    """Not an old version, a successor, the 赣消办 special, or a document in a case already."""
    spec = doc.spec
    return not (
        spec.get("old")
        or spec.get("replaces")
        or spec.get("spelling")
        or spec.get("number_in_title")
        or spec.get("validity_case")
        or spec.get("form") not in ("print", "notice")
    )


def act(target: Document, kind: str, declares: str, source: Document) -> None:
    """Record that ``source`` declares ``target`` ``declares`` (kind: decision | list | clause)."""
    target.spec.setdefault("acts", []).append((kind, declares, source))


def relate(source: Document, relation: str, target: Document | None, title="", number="") -> None:
    """Record a relation from ``source`` (target None: it names no document of the world)."""
    source.spec.setdefault("relations", []).append((relation, target, title, number))


def declare(
    source: Document, targets: list[Document], kind: str, declares: str, relation: str = ""
) -> None:
    """``source`` declares each of ``targets`` ``declares`` (acts of one kind), and relates to it
    as ``relation`` (repeals, amends; none for 失效 and 现行有效: evidence only)."""
    for target in targets:
        act(target, kind, declares, source)
        if relation:
            relate(source, relation, target)


def act_date(source: Document) -> date | None:
    """The day the acts of ``source`` take effect: its 施行日期, else its 发布日期; None when its
    施行日期 cannot be read."""
    if "effective" in source.spec.get("problems", ()):
        return None
    return source.effective or source.pub.date()


def acts_of(doc: Document) -> list[Act]:
    """The acts on ``doc`` with their dates (mirror.validity.Act); an extension with its new
    last day."""
    return [
        Act(kind, declares, act_date(src), _until(src, doc))
        for kind, declares, src in doc.spec.get("acts", [])
    ]


def _until(source: Document, target: Document) -> date | None:
    """The new last day ``source`` gives ``target``'s 有效期, if it extends it."""
    return next((until for t, until in source.spec.get("extends", ()) if t is target), None)


# ---------------------------------------------------------------- the cases


def add_cases(
    site: Site,
    column: Column,
    docs: list[Document],
    new_doc: NewDoc,
    old_version: Callable[[Document], Document],
    draw: Draw | None = None,
) -> list[Document]:
    """Turn some of ``docs`` into cases and return the case documents to add to the column.

    ``draw`` makes a fresh ordinary document of the column, for a case none of ``docs`` fits.
    """
    if site.name in LATER_NOTICES and draw is not None:
        return _later_notices(_Pool(docs, random.Random(f"{site.name}:{column.id}:later"), draw))
    if site.name not in RESERVED:
        return []
    rng = random.Random(f"{site.name}:{column.id}:validity")
    pool = _Pool(docs, rng, draw)
    if site.name != "jx-portal":  # the portal's old version is the late one (_late_old_version)
        _old_version_pair(pool, old_version)
    _restate_old_versions(docs)
    made = [_late_old_version(pool, old_version)] if site.name == "jx-portal" else []
    made += {"jx-portal": _portal, "jx-nync": _nync, "jx-sthjt": _sthjt}[site.name](pool, new_doc)
    _bare_clause(docs, rng)
    return made


def _restate_old_versions(docs: list[Document]) -> None:
    """An old version's page as of the day pages were last edited: 废止 once its successor took
    effect (sometimes still 有效, or blank: stale pages), 有效 or blank before."""
    for new in [d for d in docs if d.spec.get("replaces")]:
        old = new.spec["replaces"]
        rng = random.Random(f"old:{old.seed}")
        roll = rng.random()
        if act_date(new) > facts.PAGE_DAY:
            old.validity_raw = "有效" if roll < 0.5 else ""
        elif roll >= 0.6:
            old.validity_raw = "有效" if roll < 0.8 else ""


def _late_old_version(pool: _Pool, old_version: Callable[[Document], Document]) -> Document:
    """An older version of a document that takes effect in 2027: repealed only from then.

    The first printed document of the column that takes effect after the first as-of date; when
    there is none (other seeds than the default may draw none), a fresh one.
    """

    def late(d: Document) -> bool:
        return bool(
            d.effective
            and d.effective > FIRST_AS_OF
            and d.spec["form"] == "print"
            and not d.spec.get("replaces")
            and not d.spec.get("validity_case")
        )

    new = next((d for d in pool.all if late(d)), None) or pool.drawn("late_old_version", late, True)
    old = old_version(new)
    new.spec["validity_case"] = old.spec["validity_case"] = "late_old_version"
    if new in pool.docs:  # no longer ordinary: no other case may take it
        pool.docs.remove(new)
    _restate_old_versions([new])
    return old


def _pairs(docs: list[Document]) -> list[Document]:
    """The successors of ``docs`` whose older version is the only other one of their title."""
    inner = [d.inner_title for d in docs if d.inner_title]
    pairs = [d for d in docs if d.spec.get("replaces") and inner.count(d.inner_title) == 2]
    return [d for d in pairs if d.spec["replaces"].written < d.written]


def _old_version_pair(pool: _Pool, old_version: Callable[[Document], Document]) -> None:
    """A column with no old version and its successor (other seeds than the default may draw
    none) gets one: the bare clause needs one, and so do the linker's old/new version cases."""
    if _pairs(pool.all):
        return
    new = pool.pick(
        "bare_clause",
        lambda d: d.spec["form"] == "print" and d.written.year >= 2019 and pool.unique(d),
    )
    pool.replace(old_version(new))


def _bare_clause(docs: list[Document], rng: random.Random) -> None:
    """One successor names its old version by title only (原《…》同时废止): its title is unique."""
    pairs = _pairs(docs)
    if pairs:
        new = rng.choice(pairs)
        new.spec["bare_clause"] = True
        new.spec["validity_case"] = "bare_clause"


def _decision(
    new_doc: NewDoc,
    written: date,
    title: str,
    code: str,
    case: str,
    effective: date | None,
    clause: str,
    page: str,
) -> Document:
    """A decision or list document (form ``decision``: no interpretations are drawn for it)."""
    doc = new_doc(written, title, code)
    doc.effective, doc.expires = effective, None
    doc.validity_raw = page if shown(doc) else ""
    doc.spec.update(
        form="decision",
        case_body=case,
        validity_case=case,
        clause=clause,
        self_word="本决定",
        topic="规范性文件清理",
    )
    return doc


def _repeal_clause_and_cites(pool: _Pool, cites: int) -> None:
    """A 同时废止 clause for an older document of another title, and citations."""
    source = pool.take(
        "repeal_clause", lambda d: d.written.year >= 2021 and in_force_on(d, FIRST_AS_OF)
    )
    target = pool.take(
        "repeal_clause_target",
        lambda d: (
            d.written < source.written - timedelta(days=365)
            and d.spec["topic"] != source.spec["topic"]
        ),
        page="有效" if pool.rng.random() < 0.5 else "",
    )
    source.spec["repeals"] = [target]
    declare(source, [target], "clause", "已废止", "repeals")
    for _ in range(cites):
        citing = pool.take("cites", lambda d: d.written.year >= 2020)
        cited = pool.take(
            "cites",
            lambda d, c=citing: (
                d.written < c.written - timedelta(days=90) and d.spec["topic"] != c.spec["topic"]
            ),
        )
        citing.spec["cites"] = [cited]
        relate(citing, "cites", cited)


def _portal(pool: _Pool, new_doc: NewDoc) -> list[Document]:
    """A repeal decision with a DOCX table; a repeal-and-amend decision effective in 2027."""
    before = date(2025, 12, 31)
    table = _decision(
        new_doc,
        date(2026, 3, 18),
        "江西省人民政府关于废止部分省政府行政规范性文件的决定",
        "赣府发",
        "repeal_table",
        date(2026, 3, 18),
        "本决定自印发之日起施行。",
        "有效",
    )
    label = "repeal_table_target"
    lasting = lambda d: shown(d) and in_force_on(d, before) and runs_past(d, LAST_AS_OF)  # noqa: E731
    targets = [
        pool.take(label, lasting, "有效"),
        pool.take(label, lambda d: d.written < before, ""),
        pool.take(label, lasting, "失效"),
        pool.take(label, lambda d: d.expires is not None and d.expires < date(2026, 3, 1), "有效"),
    ]
    declare(table, targets, "decision", "已废止", "repeals")
    table.spec["items"] = targets
    table.spec["unmatched"] = (
        "江西省人民政府关于加强城市节约用水工作的通知",
        "赣府发〔2013〕21号",
        date(2013, 5, 10),
    )
    relate(table, "repeals", None, *table.spec["unmatched"][:2])
    future = _decision(
        new_doc,
        date(2026, 10, 12),
        "江西省人民政府关于废止和修改部分省政府行政规范性文件的决定",
        "赣府发",
        "repeal_future",
        date(2027, 1, 1),
        "本决定自2027年1月1日起施行。",
        "",
    )
    label = "repeal_future_target"
    ok = lambda d: in_force_on(d, FIRST_AS_OF) and d.written < date(2026, 9, 1)  # noqa: E731
    repealed = [
        pool.take(label, lambda d: ok(d) and shown(d), "有效"),
        pool.take(
            label, lambda d: ok(d) and runs_past(d, LAST_AS_OF) and d.expires is not None, ""
        ),
    ]
    amended = pool.take(
        label, lambda d: ok(d) and shown(d) and runs_past(d, LAST_AS_OF), "现行有效"
    )
    declare(future, repealed, "decision", "已废止", "repeals")
    declare(future, [amended], "decision", "已修改", "amends")
    future.spec.update(repealed=repealed, amended=[amended])
    _bad_effective(pool)
    pool.take(
        "page_void_in_term",
        lambda d: shown(d) and in_force_on(d, FIRST_AS_OF) and runs_past(d, LAST_AS_OF),
        "失效",
    )
    _repeal_clause_and_cites(pool, cites=2)
    return [table, future]


def _bad_effective(pool: _Pool) -> None:
    """施行日期 on a day that does not exist: the page's 有效 does not rescue it."""
    doc = pool.take(
        "bad_effective", lambda d: shown(d) and d.spec["clause"] and d.written.year < 2026, "有效"
    )
    doc.spec["clause"] = (
        f"{doc.spec['self_word']}自{doc.written.year + 1}年2月30日起施行，有效期5年。"
    )
    doc.effective = doc.expires = None
    doc.spec["problems"] = ("effective", "expiry")


def _nync(pool: _Pool, new_doc: NewDoc) -> list[Document]:
    """The department's official lists, and an amendment decision."""
    listed = date(2025, 12, 15)
    notice = _decision(
        new_doc,
        listed,
        "江西省农业农村厅关于公布现行有效行政规范性文件目录和废止、失效行政规范性文件目录的通知",
        "赣农字",
        "list_notice",
        None,
        "",
        "有效",
    )

    def early(d: Document) -> bool:
        return bool(d.written < date(2025, 11, 1) and d.effective and d.effective <= listed)

    current = [
        pool.take("list_current", lambda d: early(d) and d.expires is None, ""),
        pool.take(
            "list_current",
            lambda d: early(d) and d.expires and FIRST_AS_OF < d.expires < LAST_AS_OF,
            "",
        ),
        pool.take(
            "list_current", lambda d: early(d) and shown(d) and runs_past(d, LAST_AS_OF), "失效"
        ),
        pool.take("list_current", lambda d: early(d) and shown(d), "废止"),
        pool.take(
            "list_current", lambda d: early(d) and shown(d) and runs_past(d, LAST_AS_OF), "有效"
        ),
    ]
    repealed = [
        pool.take("list_repealed", lambda d: early(d) and shown(d), "有效"),
        pool.take("list_repealed", lambda d: early(d), ""),
    ]
    expired = [
        pool.take(
            "list_expired", lambda d: early(d) and shown(d) and runs_past(d, LAST_AS_OF), "有效"
        ),
        pool.take("list_expired", lambda d: d.expires is not None and d.expires < listed, ""),
    ]
    declare(notice, current, "list", "现行有效")
    declare(notice, repealed, "list", "已废止", "repeals")
    declare(notice, expired, "list", "已失效")
    notice.spec.update(current=current, repealed=repealed, expired=expired)
    notice.spec["unmatched"] = (
        "江西省农业厅关于加强农药市场监管工作的通知",
        "赣农字〔2014〕37号",
        date(2014, 6, 3),
    )
    relate(notice, "repeals", None, *notice.spec["unmatched"][:2])
    amend = _amend_decision(pool, new_doc)
    _bad_expiry(pool)
    _repeal_clause_and_cites(pool, cites=1)
    return [notice, amend]


def _amend_decision(pool: _Pool, new_doc: NewDoc) -> Document:
    """关于修改《X》的决定, in force from July 2026; X's own term ends before 2028."""
    target = pool.take(
        "amend_target",
        lambda d: (
            shown(d)
            and d.inner_title
            and pool.unique(d)
            and in_force_on(d, date(2026, 7, 1))
            and d.expires
            and FIRST_AS_OF < d.expires < LAST_AS_OF
        ),
        "有效",
    )
    written = date(2026, 7, 8)
    doc = _decision(
        new_doc,
        written,
        f"江西省农业农村厅关于修改《{target.inner_title}》的决定",
        "赣农规",
        "amend_decision",
        written,
        "本决定自印发之日起施行。",
        "有效",
    )
    declare(doc, [target], "decision", "已修改", "amends")
    doc.spec["amended"] = [target]
    return doc


def _bad_expiry(pool: _Pool) -> None:
    """有效期至…年6月底: a month's end is not read as a date, so no status from it."""
    doc = pool.take(
        "bad_expiry", lambda d: d.spec["form"] == "print" and d.written < date(2024, 5, 1), "有效"
    )
    eff = date(doc.written.year + (doc.written.month + 1 > 12), doc.written.month % 12 + 1, 1)
    doc.spec["clause"] = (
        f"{doc.spec['self_word']}自{eff.year}年{eff.month}月1日起施行，有效期至{eff.year + 5}年6月底。"
    )
    doc.effective, doc.expires = eff, None
    doc.spec["problems"] = ("expiry",)


def _sthjt(pool: _Pool, new_doc: NewDoc) -> list[Document]:
    """A repeal decision with a PDF table, and a 失效 decision whose date cannot be read."""
    pdf = _decision(
        new_doc,
        date(2026, 5, 11),
        "江西省生态环境厅关于废止部分行政规范性文件的决定",
        "赣环规",
        "repeal_pdf",
        date(2026, 6, 1),
        "本决定自2026年6月1日起施行。",
        "有效",
    )
    label = "repeal_pdf_target"
    ok = lambda d: d.written < date(2026, 4, 1)  # noqa: E731
    targets = [
        pool.take(label, lambda d: ok(d) and shown(d) and in_force_on(d, date(2026, 4, 1)), "有效"),
        pool.take(label, lambda d: ok(d), ""),
        pool.take(
            label,
            lambda d: ok(d) and d.expires is not None and d.expires < date(2026, 6, 1),
            "有效",
        ),
    ]
    declare(pdf, targets, "decision", "已废止", "repeals")
    pdf.spec["items"] = targets
    undated = _decision(
        new_doc,
        date(2026, 8, 20),
        "江西省生态环境厅关于宣布失效一批行政规范性文件的决定",
        "赣环规",
        "expire_undated",
        None,
        "本决定自2026年6月31日起施行。",
        "",
    )
    undated.spec["problems"] = ("effective",)
    label = "expire_undated_target"
    void = [
        pool.take(
            label,
            lambda d: (
                ok(d) and shown(d) and in_force_on(d, FIRST_AS_OF) and runs_past(d, LAST_AS_OF)
            ),
            "有效",
        ),
        pool.take(
            label, lambda d: ok(d) and in_force_on(d, FIRST_AS_OF) and d.expires is not None, ""
        ),
    ]
    declare(undated, void, "decision", "已失效")
    undated.spec["items"] = void
    _repeal_clause_and_cites(pool, cites=1)
    return [pdf, undated]


# ---------------------------------------------------------------- later notices (LATER_NOTICES)

IN_FORCE_WORDS = ("", "有效", "现行有效", "全文有效", "继续有效")
EXTENDED_TO = date(2029, 12, 31)


def _notice(pool: _Pool, k: int, title: str, case: str, effective: date | None) -> Document:
    """The ``k``-th later notice: written after every document of the column (10-26 on) and
    published on the last day after office hours, after every page of the site."""
    assert pool.draw is not None
    doc = pool.draw(False)  # the column's own generator, after all its documents: none changes
    doc.written = date(2026, 10, 26) + timedelta(days=k)
    doc.pub = datetime(2026, 10, 31, 19, 5 + 10 * k, 0)
    issuer = doc.spec["issuers"][0]
    doc.title, doc.inner_title, doc.issuer = f"{issuer}关于{title}的通知", "", issuer
    doc.effective, doc.expires = effective or doc.written, None  # 自印发之日起施行: written
    doc.layout, doc.validity_raw = "A", "有效"
    when = (
        f"自{effective.year}年{effective.month}月{effective.day}日" if effective else "自印发之日"
    )
    doc.spec.update(
        form="decision",
        case_body=case,
        validity_case=case,
        clause=f"本通知{when}起施行。",
        self_word="本通知",
        issuers=[issuer],
        number_in_title=False,
        spelling="",
        # drawn no interpretation (mirror/families.py leaves old versions out of its draw)
        old=True,
    )
    return doc


def _in_force_page(d: Document) -> bool:
    return d.validity_raw in IN_FORCE_WORDS


def _later_notices(pool: _Pool) -> list[Document]:
    """A partial stop now, an extension now, and an adjustment (both) from 2027."""
    partial = _notice(pool, 0, "停止执行部分行政规范性文件有关条款", "partial_notice", None)
    extend = _notice(pool, 1, "延长部分行政规范性文件有效期", "extend_notice", None)
    adjust = _notice(pool, 2, "调整部分行政规范性文件有关政策", "adjust_notice", date(2027, 1, 1))

    def lasting(d: Document) -> bool:
        """In force by its own term on both as-of dates (the page does not say otherwise)."""
        in_term = d.expires is not None and runs_past(d, LAST_AS_OF)
        return in_term and in_force_on(d, FIRST_AS_OF) and _in_force_page(d)

    def ends(first: date, last: date, blank: bool = False) -> Callable[[Document], bool]:
        """Its own term ends in [first, last), started by the first as-of date (or by that end,
        if earlier); its page says nothing (``blank``), or nothing against it."""
        return lambda d: bool(
            d.effective and d.expires and first <= d.expires < last
            and d.effective <= min(FIRST_AS_OF, d.expires)
            and (d.validity_raw == "" if blank else _in_force_page(d))
        )  # fmt: skip

    # The documents whose term ends between the as-of dates, first those with a blank page (the
    # term, not the page, decides them): one extended now, one from 2027, one stopped in part
    # now and extended to a day before the last as-of date.
    extended_now = pool.take("extend_target", ends(FIRST_AS_OF, LAST_AS_OF, True))
    moved = pool.take("adjust_target", ends(FIRST_AS_OF, LAST_AS_OF, True))
    stopped_then_ended = pool.take("partial_target", ends(FIRST_AS_OF, date(2028, 11, 30)))
    too_late = pool.take("extend_target", ends(date(2019, 1, 1), extend.written))
    stopped = pool.take("partial_target", lasting)
    repealed = pool.take("adjust_target", lasting)

    partial.spec["stops"] = [stopped, stopped_then_ended]
    declare(partial, partial.spec["stops"], "clause", "部分失效")
    extend.spec["extends"] = [
        (extended_now, EXTENDED_TO),
        (stopped_then_ended, date(2028, 11, 30)),
        (too_late, date(2028, 12, 31)),
    ]
    declare(extend, [t for t, _ in extend.spec["extends"]], "clause", "现行有效")
    adjust.spec.update(stops=[repealed], extends=[(moved, EXTENDED_TO)])
    declare(adjust, [repealed], "clause", "部分失效")
    declare(adjust, [moved], "clause", "现行有效")
    return [partial, extend, adjust]
