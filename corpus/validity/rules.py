"""The rule book: whether a document is in force as of a date, on what evidence, and why.

This docstring is the one complete statement of the rules; ``decide`` implements them in this
order, and the rest of the project (README, docs/CONTRACTS.md) refers here.

**Evidence.** Everything known about a document, each piece with the status it supports as of
the date D (its kind is ``validity_evidence.kind``):

* ``page_field`` — the page's own 有效性 field, mapped to the vocabulary by ``map_page_status``
  (有效 / 现行有效 / 全文有效 / 继续有效 / 是 → 现行有效; 失效 / 已失效 / 全文失效 / 否 → 已失效;
  废止 / 已废止 / 全文废止 / 已被废止 → 已废止; 修改 / 已修改 / 已被修改 / 修订 / 已修订 / 修正 /
  已修正 → 已修改; 部分失效 / 部分废止 / 条款失效 → 部分失效; 尚未生效 / 未生效 / 尚未施行 /
  未施行 / 尚未实施 → 尚未生效; any other wording → 未知; of a list line
  ``尚未生效/2021年2月9日发布/…`` the first part). It carries no date: it is what the page said
  when it was last crawled.
* ``term`` — the document's own 有效期 (``corpus.validity.terms``): its last day, against D
  (before D → 已失效, else 现行有效); a clause that cannot be read supports 未知, with the reason.
  The term is read in every wording a document uses for its own end — 有效期N年 / 至X, 试行期,
  暂行一年, 执行期限, 实施期限, 起试行N年, 至X止, X（含）截止 (last day X), X废止, 至X前有效 (last
  day the day before X) — and never from another thing's (许可证、签证、房票 … 有效期), another
  document's (该通知有效期…), or a measure's (…予以补贴，执行期限为…). A 试行 term ends like any
  other: after it the document is 已失效 by rule 3.
* ``effective_date`` — the document's own 施行日期 (``corpus.validity.terms``): after D → 尚未生效,
  else 现行有效; a clause that cannot be read supports 未知, with the reason (a start counted from
  another document's date, 自《…》印发之日起, is such a clause). 起施行 / 起实行 / 起试行 /
  起正式施行 / 自即日起 / 自…之日起 / 公告次日 are all read; a general rule about other texts
  (规章应当自公布之日起30日后施行) is not this document's.
* Where ``term`` and ``effective_date`` come from (the evidence row's ``source``): the
  document's own words speak first — ``正文`` (the body), then ``标题`` (a title such as
  ``…（2024年2月18日起施行，有效期至2029年2月17日）``); the dates the page's metadata states
  (``页面标注``: 实施日期 / 施行日期 / 生效日期; 有效期至 and 信息时效期, the last day in force;
  废止日期 / 失效日期, the first day no longer in force, so the last day is the day before) are the
  publisher's reading of the document and count only where its words give no date (no clause,
  or one that cannot be dated). A 施行日期 from the page also dates a span the body states
  (有效期5年). ``自发布/公布/颁布之日起`` is the day the document was issued: the 公布 date an
  order states (``现予公布`` and its signature date, or a history note of its own 令号), else its
  成文日期, else the 发布日期 — a page's 发布日期 is the day a website posted it, days or years
  later (see ``corpus.validity.terms.extract_term``).
* ``decision``, ``list``, ``clause`` — *acts* of other documents that name this one
  (``corpus.validity.relations``): a repeal, 失效 or amendment decision (关于废止/修改…的决定), an
  official list (现行有效目录, 废止目录, 失效目录, also as tables in its attachments), a clause of
  any document (``corpus.validity.evidence.clause_items``): ``《…》（赣府发〔2015〕12号）同时废止``,
  ``废止《…》``, ``…予以废止`` (a repeal); ``…失效``, ``…停止执行``, ``不再执行《…》``,
  ``…不再适用`` (a 失效); a clause that stops only part of a document (…第五条第一款停止执行,
  废止《…》第八条, …中的限转售政策不再执行) is a *partial stop* (supports 部分失效); one that
  moves its 有效期 (《…》的有效期延长至2029年12月31日) is an *extension* to that new last day
  (supports 现行有效 up to that day, 已失效 after it). An act takes effect on the 施行日期 of the
  document it is in, else on that document's 发布日期, else on its 成文日期. It *applies* as of D
  when that day is not after D; a later act is *pending* (kept and shown, not applied); an act
  whose document's 施行日期 clause cannot be read, or that has no date at all, is *undatable* and
  supports 未知.

Acts are weighed in one order: by the day they take effect (undatable ones last), then decision
before list before clause, then by their words. "The earliest applying act" below is the first
applying act of the status in that order.

**The last day.** "The 有效期" in the rules below is the document's own term as moved by the
extensions that apply as of D, taken in that order: an extension counts when it takes effect on
or before the last day it would move (the own term's, or the one an earlier extension set), and
the last day becomes the later of the two; one that takes effect after the term had already run
out finds nothing to extend (shown, with a note, never applied), and one that would shorten the
term changes nothing. A document that states no term, or whose term cannot be read, takes its
last day from an applying extension as the extension states it. ``documents.expires_on`` is that
last day and ``term_raw`` the words that set it (the extension's, once one has moved it).

**The rules**, in order; the first that applies decides, and the evidence it names (the winner)
is flagged (``wins = 1``):

 1. 已废止 — an applying repeal: a decision, a 废止目录 or a repeal clause (…同时废止, 废止《…》)
    (winner: the earliest such act); else the page's field means 已废止 (winner: ``page_field``).
    A repeal beats everything below, the term included.
 2. 已失效 — an applying 失效 declaration: a decision, a 失效目录 or a clause (…停止执行,
    …不再适用) (winner: the earliest); else the page's field means 已失效 (``page_field``): an
    authority may end a document before its term runs out.
 3. 已失效 — the 有效期 (as extended) ended before D (winner: ``term``, or the extension that
    set the last day), even when the page or a 现行有效目录 still says 有效: a term ends by
    itself, and no 有效 label renews it; only an extension made before the end moves it. When an
    undatable extension would carry the last day to D or beyond, rule 4 decides instead.
 4. 未知 — an act would repeal, expire, partly stop or amend the document but is undatable, or
    the term ended and an undatable extension would carry it to D or beyond (winner: the first
    such act's evidence, which supports 未知).
 5. 未知 — the 有效期 clause cannot be read and no applying extension gives the last day
    (winner: ``term``), unless the 施行日期 is after D: a term cannot end before it starts, so
    rule 7 decides.
 6. 未知 — the 施行日期 clause cannot be read (winner: ``effective_date``).
 7. 尚未生效 — the 施行日期 is after D (winner: ``effective_date``), even when the page says 有效.
 8. 部分失效 — an applying partial stop: one article, annex or policy of the document stops
    (winner: the earliest); else the page's field means 部分失效 (``page_field``). The rest is in
    force — an act stopping a part says the rest stands, even when nothing else is known of the
    document — but a full repeal or 失效 (rules 1–2) and the end of its term (rule 3) beat it;
    it beats an amendment (rule 9).
 9. 已修改 — an applying amendment: a decision, or a list's 修改 section (winner: the earliest);
    else the page's field means 已修改 (``page_field``). The document is in force, as amended.
10. 现行有效 — the page's field means 现行有效 (``page_field``).
11. 现行有效 — an applying act lists it in force: a 现行有效目录, or a 继续有效 section of a
    list or decision (winner: the earliest).
12. 现行有效 — 施行日期 ≤ D ≤ the last day of its 有效期 (winner: ``term``, or the extension
    that set the last day: a document whose own term ended but was extended before that end is
    in force until the new end).
13. 现行有效 — a rule (规章, kind ``rule``) whose text states no 有效期, with 施行日期 ≤ D
    (winner: ``effective_date``).
14. 未知 — nothing above applies: never a guess, and no winner. Absence from a 现行有效目录
    proves nothing; a page that says 尚未生效, or words we do not know, decide nothing alone.

**Why.** Every piece of evidence is returned, winners and losers, and ``Decision.basis`` says in
one Chinese line why the status is what it is: the act and the document it is in
(《title》（文号）) with the day it took effect, the page's words, or the dates. When an act (rules
1, 2, 8, 9 and 11) or the term (rule 3) decided and the page says otherwise, it adds
（页面仍标注“有效”）; from rule 7 on, except an amendment decided by an act, it names the next
pending repeal, 失效, partial stop, amendment or extension (（《…》定于2027年1月1日起废止）);
rules 10 and 11 add the end of the 有效期 when there is one. A last day set by an extension is
told with the act that set it (有效期经《…》延长至2029年12月31日（原至2026年12月31日）).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from corpus.store.normalize import to_halfwidth
from corpus.validity.terms import Term, extract_term

__all__ = [
    "AMENDED",
    "EXPIRED",
    "IN_FORCE",
    "NOT_YET",
    "PARTLY",
    "REPEALED",
    "STATUSES",
    "UNKNOWN",
    "Act",
    "Decision",
    "Evidence",
    "Term",
    "cn_date",
    "decide",
    "extract_term",
    "map_page_status",
]

# ---------------------------------------------------------------- the vocabulary

IN_FORCE = "现行有效"
NOT_YET = "尚未生效"
AMENDED = "已修改"
PARTLY = "部分失效"
REPEALED = "已废止"
EXPIRED = "已失效"
UNKNOWN = "未知"
STATUSES: tuple[str, ...] = (IN_FORCE, NOT_YET, AMENDED, PARTLY, REPEALED, EXPIRED, UNKNOWN)

# Every wording seen on the sites (after removing spaces, brackets and a leading label).
_PAGE_WORDS: dict[str, str] = {
    "有效": IN_FORCE,
    "现行有效": IN_FORCE,
    "全文有效": IN_FORCE,
    "继续有效": IN_FORCE,
    "失效": EXPIRED,
    "已失效": EXPIRED,
    "全文失效": EXPIRED,
    "废止": REPEALED,
    "已废止": REPEALED,
    "全文废止": REPEALED,
    "已被废止": REPEALED,
    "已修改": AMENDED,
    "修改": AMENDED,
    "已被修改": AMENDED,
    "修订": AMENDED,
    "已修订": AMENDED,
    "修正": AMENDED,
    "已修正": AMENDED,
    "部分失效": PARTLY,
    "部分废止": PARTLY,  # part repealed, the rest in force
    "条款失效": PARTLY,  # some articles no longer apply (the tax authority's 时效性)
    "部分条款失效": PARTLY,
    "尚未生效": NOT_YET,
    "未生效": NOT_YET,
    "尚未施行": NOT_YET,
    "未施行": NOT_YET,
    "尚未实施": NOT_YET,
    "是": IN_FORCE,  # a yes/no 有效性 field (Beijing's TRS template: 是 → 现行有效, 否 → 失效)
    "否": EXPIRED,
    "未知": UNKNOWN,
}
_PAGE_NOISE = re.compile(r"[\s\u3000()（）\[\]【】〔〕<>《》\"'“”‘’:：,，.。;；、]")
_PAGE_LABEL = re.compile(r"^(?:有效性|是否有效|效力状态|效力|时效性|时效|文件状态|状态)")
# A list line gives the status first and dates after it: 尚未生效/2021年2月9日发布/2021年6月1日施行.
_PAGE_PARTS = re.compile(r"\s*[/|｜]\s*")


def map_page_status(raw: str | None) -> str | None:
    """The controlled status a page's 有效性 wording means; None for a blank field.

    Tolerates spaces, full-width characters, brackets and a leading label (``有效性：全文有效``).
    A wording we do not know maps to 未知, never to a guess.
    """
    if raw is None:
        return None
    first = next((p for p in _PAGE_PARTS.split(to_halfwidth(raw)) if p.strip()), "")
    s = _PAGE_NOISE.sub("", first)
    s = _PAGE_LABEL.sub("", s)
    if not s:
        return None
    return _PAGE_WORDS.get(s, UNKNOWN)


# ---------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Act:
    """What another document says of this one: repealed, expired, partly stopped, amended,
    listed in force, or its 有效期 extended.

    ``date`` is the day the act takes effect (ISO), None when it cannot be read; ``date_note``
    says how the date was found or why it could not be (shown with the evidence). An extension
    has ``until``, the new last day (ISO), and ``status`` 现行有效 (what it says up to that day).
    """

    kind: str  # decision | list | clause
    status: str  # the status it declares: 已废止 | 已失效 | 部分失效 | 已修改 | 现行有效
    date: str | None
    quote: str  # the words that say so (the list row, the decision item, the clause)
    source_title: str
    source_number: str | None = None  # the 文号 of the document the act is in
    source_document_id: int | None = None
    source_url: str = ""  # that document, or the attachment the words were found in
    date_note: str = ""
    until: str | None = None  # an extension: the new last day of the 有效期

    @property
    def source_ref(self) -> str:
        """《title》（文号） as the basis line cites it (a title quoting another gets 〈〉)."""
        number = f"（{self.source_number}）" if self.source_number else ""
        title = self.source_title.replace("《", "〈").replace("》", "〉")
        return f"《{title}》{number}"


@dataclass
class Evidence:
    """One thing that bears on a document's status, with the status it supports."""

    kind: str  # page_field | term | effective_date | decision | list | clause
    status: str
    quote: str
    date: str | None = None
    source: str = ""  # 页面 | 正文 | 标题 | 页面标注, or the title of the document an act is in
    wins: bool = False
    source_document_id: int | None = None
    source_url: str = ""
    note: str = ""  # how this evidence was weighed (pending, undatable, date from 发布日期 …)


@dataclass
class Decision:
    """A status as of a date, why (one Chinese line), and all the evidence weighed.

    ``expires_on`` is the last day of the 有效期 as of that date (the own term's, or the one an
    extension set), ``term_raw`` the words that set it.
    """

    status: str
    basis: str
    evidence: list[Evidence] = field(default_factory=list)
    expires_on: str | None = None
    term_raw: str = ""


def cn_date(iso: str | date | None) -> str:
    """2025-05-31 → 2025年5月31日 (how the basis line writes dates)."""
    if iso is None:
        return ""
    d = iso if isinstance(iso, date) else date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------- deciding

_ACT_ORDER = {"decision": 0, "list": 1, "clause": 2}
_ACT_WORDS = {
    REPEALED: {"decision": "废止决定", "list": "废止目录", "clause": "同时废止条款"},
    EXPIRED: {"decision": "失效决定", "list": "失效目录", "clause": "失效条款"},
    PARTLY: {"decision": "决定", "list": "目录", "clause": "部分失效条款"},
    AMENDED: {"decision": "修改决定", "list": "修改目录", "clause": "修改条款"},
    IN_FORCE: {"decision": "决定", "list": "现行有效目录", "clause": "条款"},
}
_VERBS = {
    REPEALED: "废止",
    EXPIRED: "失效",
    PARTLY: "部分失效",
    AMENDED: "修改",
    IN_FORCE: "列为现行有效",
}
_DECLARING = {
    REPEALED: "废止",
    EXPIRED: "宣布失效",
    PARTLY: "部分停止执行",
    AMENDED: "修改",
    IN_FORCE: "列为现行有效",
}


def _act_evidence(act: Act, as_of: date) -> Evidence:
    """An act as evidence: pending, applying, or undatable (then it supports 未知). An extension
    supports 现行有效 up to its new last day, 已失效 after it."""
    if act.date is None:
        note = act.date_note or "所在文件的施行日期无法确定"
        status = UNKNOWN
        if act.until:
            note = f"将有效期延长至{cn_date(act.until)}，但{note}"
    else:
        status = act.status
        if act.until and date.fromisoformat(act.until) < as_of:
            status = EXPIRED
        pending = date.fromisoformat(act.date) > as_of
        note = f"自{cn_date(act.date)}起生效"
        if act.until:
            note += f"，有效期延长至{cn_date(act.until)}"
        if pending:
            note += f"，截至{cn_date(as_of)}尚未生效"
        if act.date_note:
            note += f"（{act.date_note}）"
    return Evidence(
        act.kind,
        status,
        act.quote,
        act.date,
        act.source_title,
        source_document_id=act.source_document_id,
        source_url=act.source_url,
        note=note,
    )


class _Weigher:
    """The evidence of one document as of one date, and the rule that picks the winner."""

    def __init__(self, kind: str, raw: str, term: Term, as_of: date, acts: list[Act]) -> None:
        self.kind, self.raw, self.term, self.as_of = kind, raw, term, as_of
        self.page = map_page_status(raw)
        self.evidence: list[Evidence] = []
        self.ev_page = (
            self._add(Evidence("page_field", self.page, raw, None, "页面")) if self.page else None
        )
        self.ev_end = self.ev_start = None
        if term.expires_on:
            ended = date.fromisoformat(term.expires_on) < as_of
            status = EXPIRED if ended else IN_FORCE
            ev = Evidence("term", status, term.term_raw, term.expires_on, term.term_source)
            self.ev_end = self._add(ev)
        elif term.expiry_problem:
            ev = Evidence(
                "term", UNKNOWN, term.term_raw, None, term.term_source, note=term.expiry_problem
            )
            self.ev_end = self._add(ev)
        if term.effective_date:
            later = date.fromisoformat(term.effective_date) > as_of
            ev = Evidence("effective_date", NOT_YET if later else IN_FORCE, term.effective_date_raw,
                          term.effective_date, term.effective_source)  # fmt: skip
            self.ev_start = self._add(ev)
        elif term.effective_problem:
            ev = Evidence("effective_date", UNKNOWN, term.effective_date_raw, None,
                          term.effective_source, note=term.effective_problem)  # fmt: skip
            self.ev_start = self._add(ev)
        ordered = sorted(acts, key=lambda a: (a.date or "9999", _ACT_ORDER.get(a.kind, 9), a.quote))
        self.acts = [(a, self._add(_act_evidence(a, as_of))) for a in ordered]
        self._last_day()

    def _add(self, ev: Evidence) -> Evidence:
        self.evidence.append(ev)
        return ev

    def _last_day(self) -> None:
        """The last day of the 有效期 as of the date: the own term's, moved by each applying
        extension that takes effect before the term it moves has run out (the rule book)."""
        self.end, self.end_raw = self.term.expires_on, self.term.term_raw
        self.ev_last = self.ev_end if self.term.expires_on else None  # what set the last day
        self.extension: Act | None = None  # the extension that set it, if one did
        for act, ev in self.acts:
            if not act.until or not act.date or date.fromisoformat(act.date) > self.as_of:
                continue
            if self.end and act.date > self.end:
                ev.note += f"；生效时有效期已于{cn_date(self.end)}届满，无从延长"
                continue
            if self.end and act.until <= self.end:
                continue  # it would not move the last day later
            self.end, self.end_raw, self.ev_last, self.extension = act.until, act.quote, ev, act
        if self.extension and self.ev_end and self.ev_end.date:
            self.ev_end.note = f"经{self.extension.source_ref}延长至{cn_date(self.end)}"

    @property
    def ended(self) -> bool:
        return bool(self.end and date.fromisoformat(self.end) < self.as_of)

    def applying(self, status: str) -> tuple[Act, Evidence] | None:
        """The earliest act declaring ``status`` that has taken effect by the as-of date
        (extensions are not declarations: they move the last day)."""
        for act, ev in self.acts:
            if act.status != status or act.until or not act.date:
                continue
            if date.fromisoformat(act.date) <= self.as_of:
                return act, ev
        return None

    def carried(self, act: Act) -> bool:
        """An undatable extension that may carry an ended term to the as-of date."""
        return bool(
            act.until and act.date is None and self.ended and act.until >= self.as_of.isoformat()
        )

    def undatable(self) -> tuple[Act, Evidence] | None:
        """The first act that would change the status but cannot be dated: a repeal, 失效,
        partial stop or amendment, or an extension that may carry an ended term past the date."""
        for act, ev in self.acts:
            if self.carried(act) or (act.date is None and not act.until and act.status != IN_FORCE):
                return act, ev
        return None

    def pending_note(self) -> str:
        """（…定于X起废止） for a repeal, 失效, partial stop, amendment or extension not yet in
        effect: worth knowing."""
        for act, _ in self.acts:
            if not act.date or date.fromisoformat(act.date) <= self.as_of:
                continue
            if act.until:
                return f"（{act.source_ref}定于{cn_date(act.date)}起将有效期延长至{cn_date(act.until)}）"
            if act.status != IN_FORCE:
                return f"（{act.source_ref}定于{cn_date(act.date)}起{_VERBS[act.status]}）"
        return ""

    def page_note(self, status: str) -> str:
        """（页面仍标注“有效”） when the page says something else than the decided status."""
        if not self.page or self.page == status:
            return ""
        still = "仍" if self.page == IN_FORCE else ""
        return f"（页面{still}标注“{self.raw}”）"

    def last_day_words(self) -> str:
        """有效期至Y, or 有效期经《…》延长至Y（原至X） when an extension set the last day."""
        if not self.extension:
            return f"有效期至{cn_date(self.end)}"
        own = f"（原至{cn_date(self.term.expires_on)}）" if self.term.expires_on else ""
        return f"有效期经{self.extension.source_ref}延长至{cn_date(self.end)}{own}"

    def decision(self, status: str, basis: str, winner: Evidence | None) -> Decision:
        if winner:
            winner.wins = True
        return Decision(status, basis, self.evidence, self.end, self.end_raw)


def _by_act(w: _Weigher, status: str, found: tuple[Act, Evidence]) -> Decision:
    act, ev = found
    what = _ACT_WORDS[status][act.kind]
    basis = f"据{what}{act.source_ref}，自{cn_date(act.date)}起{_VERBS[status]}"
    if status == IN_FORCE:
        basis = f"列入{act.source_ref}现行有效目录（{cn_date(act.date)}）"
    return w.decision(status, basis + w.page_note(status), ev)


def decide(
    kind: str,
    validity_raw: str | None,
    term: Term,
    as_of: date,
    acts: list[Act] | tuple[Act, ...] = (),
) -> Decision:
    """The status of a document as of ``as_of`` by the rules of this module's docstring.

    ``acts`` are what other documents say of it (``corpus.validity.relations``). Every evidence item is
    returned, the winning one flagged; the basis is one line.
    """
    raw = (validity_raw or "").strip()
    w = _Weigher(kind, raw, term, as_of, list(acts))
    page = w.page
    # 1–2. repealed or declared 失效 by an act in effect, or by the page
    for status in (REPEALED, EXPIRED):
        found = w.applying(status)
        if found:
            return _by_act(w, status, found)
        if page == status:
            return w.decision(status, f"页面标注“{raw}”", w.ev_page)
    # 3. the term (as extended) has run out, unless an undatable extension may carry it (rule 4)
    if w.ended and not any(w.carried(act) for act, _ in w.acts):
        basis = f"{w.last_day_words()}，已于截至日期（{cn_date(as_of)}）前届满"
        return w.decision(EXPIRED, basis + w.page_note(EXPIRED), w.ev_last)
    # 4. an act that would change the status, undatable
    found = w.undatable()
    if found:
        act, ev = found
        if act.until:
            why = act.date_note or "所在文件的施行日期无法确定"
            basis = (
                f"{act.source_ref}将本文件有效期延长至{cn_date(act.until)}，但{why}，"
                f"无法判断是否已届满"
            )
        else:
            basis = f"{act.source_ref}{_DECLARING[act.status]}本文件，但{ev.note}，无法判断是否适用"
        return w.decision(UNKNOWN, basis, ev)
    # 5–7. its own dates: unreadable, or not yet in force
    starts_later = w.ev_start is not None and w.ev_start.status == NOT_YET
    if term.expiry_problem and not w.extension and not starts_later:  # no end before the start
        return w.decision(UNKNOWN, f"{term.expiry_problem}，无法判断是否届满", w.ev_end)
    if term.effective_problem:
        return w.decision(UNKNOWN, f"{term.effective_problem}，无法判断是否已施行", w.ev_start)
    pending = w.pending_note()
    if starts_later:
        basis = f"施行日期为{cn_date(term.effective_date)}，截至{cn_date(as_of)}尚未施行"
        return w.decision(NOT_YET, basis + pending, w.ev_start)
    # 8–9. in force with changes
    found = w.applying(PARTLY)
    if found:
        decided = _by_act(w, PARTLY, found)
        decided.basis += pending
        return decided
    if page == PARTLY:
        return w.decision(PARTLY, f"页面标注“{raw}”" + pending, w.ev_page)
    found = w.applying(AMENDED)
    if found:
        return _by_act(w, AMENDED, found)
    if page == AMENDED:
        return w.decision(AMENDED, f"页面标注“{raw}”" + pending, w.ev_page)
    # 10–13. in force
    if page == IN_FORCE:
        basis = f"页面标注“{raw}”"
        if w.end:
            basis += f"，{w.last_day_words()}"
        return w.decision(IN_FORCE, basis + pending, w.ev_page)
    found = w.applying(IN_FORCE)
    if found:
        decided = _by_act(w, IN_FORCE, found)
        if w.end:
            decided.basis += f"，{w.last_day_words()}"
        decided.basis += pending
        return decided
    if term.effective_date and w.end:
        basis = (
            f"自{cn_date(term.effective_date)}起施行，{w.last_day_words()}，"
            f"截至{cn_date(as_of)}在有效期内"
        )
        return w.decision(IN_FORCE, basis + pending, w.ev_last)
    if kind == "rule" and term.effective_date and not term.term_raw:
        basis = f"规章，自{cn_date(term.effective_date)}起施行，未规定有效期"
        return w.decision(IN_FORCE, basis + pending, w.ev_start)
    # 14. nothing reliable
    return w.decision(UNKNOWN, _why_unknown(page, raw, term, w.end) + pending, None)


def _why_unknown(page: str | None, raw: str, term: Term, end: str | None) -> str:
    """Say what was missing when no rule applied."""
    parts = []
    if page is None:
        parts.append("页面未标注有效性")
    elif page != IN_FORCE:
        parts.append(f"页面标注“{raw}”不足以判断")
    if not term.effective_date:
        parts.append("未找到施行日期")
    if not end:
        parts.append("未找到有效期")
    return "，".join(parts) + "，不作推断"
