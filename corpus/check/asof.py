"""A document's status as of any date, decided again from what the build stored.

The build decides every status as of one date (``documents.status_as_of``) and keeps every piece
of evidence it weighed (``validity_evidence``): the page's 有效性, the 施行日期 and 有效期 with
their quotes, and each act of another document (repeal, 失效, amendment, list) with the day it
takes effect. ``statuses`` gives those same statuses as of another date by handing that
evidence back to the rule book (``corpus.validity.rules.decide``) with the new date: nothing is
read again from the texts, so the answer is the build's own rules on the build's own evidence.

One thing the evidence does not keep: what an *undatable* act (the document it is in has no
readable date) would do, since it is stored as supporting 未知. The build's own decision tells
it when it matters: rule 4 names the first such act that would repeal, expire or amend (its
basis line says which); a status decided after rule 4 means none would; a status decided before
it (已废止, 已失效) leaves it open. When the new date reaches past rule 4 with such an act
left open, the status is 未知 and the basis says why, naming the build's status as of its own
date: never a guess. So is a document whose evidence holds a kind this module does not know.

What the rule book weighs and what the build stores must stay in step for this to hold: a new
kind of evidence, or a new field of an act, has to be stored by the validity step and read back
here. ``tests/test_check.py`` holds the statuses decided again equal, document by document, to
those of builds made at other dates, on the crawled mirror.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from corpus.validity.rules import (
    AMENDED,
    EXPIRED,
    IN_FORCE,
    PARTLY,
    REPEALED,
    UNKNOWN,
    Act,
    Term,
    cn_date,
    decide,
)

ACT_KINDS = ("decision", "list", "clause")
KNOWN_KINDS = {"page_field", "term", "effective_date", *ACT_KINDS}
# The words rule 4's basis line uses for what an undatable act would do (corpus.validity.rules).
_UNDATABLE_WORDS = {
    "废止": REPEALED,
    "宣布失效": EXPIRED,
    "修改": AMENDED,
    "部分停止执行": PARTLY,
}
_DATE_NOTE = re.compile(r"（(.+)）$")


@dataclass(frozen=True)
class Status:
    """A document's status as of ``as_of`` (ISO; None for a library never built), why, and a
    note when it is not as of the date asked."""

    status: str
    basis: str
    as_of: str | None
    note: str = ""


def statuses(conn: sqlite3.Connection, ids: Iterable[int], as_of: date | None) -> dict[int, Status]:
    """The status of each document in ``ids`` as of ``as_of`` (None: as the build stored it)."""
    wanted = sorted(set(ids))
    docs: dict[int, dict] = {}
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        cursor = conn.execute(
            "SELECT id, kind, validity_raw, effective_date, effective_date_raw, expires_on,"
            f" term_raw, status, status_basis, status_as_of FROM documents WHERE id IN ({marks})",
            chunk,
        )
        names = [c[0] for c in cursor.description]
        for row in cursor:
            docs[row[0]] = dict(zip(names, row, strict=True))
    day = as_of.isoformat() if as_of else None
    again = [i for i, d in docs.items() if day and d["status_as_of"] and d["status_as_of"] != day]
    evidence = _evidence(conn, again) if again else {}
    out = {}
    for doc_id, doc in docs.items():
        stored = Status(doc["status"] or UNKNOWN, doc["status_basis"] or "", doc["status_as_of"])
        if doc_id not in again:
            if doc["status_as_of"] is None:
                stored = Status(stored.status, stored.basis, None, "文库未经构建，状态为页面所存")
            out[doc_id] = stored
            continue
        out[doc_id] = _redecide(doc, evidence.get(doc_id, []), as_of)
    return out


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _evidence(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[dict]]:
    """Every stored evidence row of ``ids``, in the order the build wrote it, with the 文号 of
    the document an act is in."""
    out: dict[int, list[dict]] = defaultdict(list)
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        cursor = conn.execute(
            "SELECT e.document_id, e.status, e.kind, e.quote, e.source, e.date, e.wins,"
            " e.source_document_id, e.source_url, e.note, s.doc_number AS source_number"
            " FROM validity_evidence e LEFT JOIN documents s ON s.id = e.source_document_id"
            f" WHERE e.document_id IN ({marks}) ORDER BY e.rowid",
            chunk,
        )
        names = [c[0] for c in cursor.description]
        for row in cursor:
            out[row[0]].append(dict(zip(names, row, strict=True)))
    return out


def _term(doc: dict, rows: list[dict]) -> Term:
    """The document's own 施行日期 and 有效期 as the build read them: from the evidence that
    quotes them (dates, words, problems, where they were read), else from the document."""
    found: dict[str, str | None] = {
        "effective_date": doc["effective_date"],
        "effective_date_raw": doc["effective_date_raw"] or "",
        "expires_on": doc["expires_on"],
        "term_raw": doc["term_raw"] or "",
    }
    for row in rows:
        if row["kind"] == "term":
            found.update(expires_on=row["date"], term_raw=row["quote"] or "")
            found["term_source"] = row["source"] or ""
            if row["date"] is None:
                found["expiry_problem"] = row["note"] or ""
        elif row["kind"] == "effective_date":
            found.update(effective_date=row["date"], effective_date_raw=row["quote"] or "")
            found["effective_source"] = row["source"] or ""
            if row["date"] is None:
                found["effective_problem"] = row["note"] or ""
    return Term(**found)


def _acts(doc: dict, rows: list[dict]) -> tuple[list[Act], list[Act]]:
    """The acts of other documents on this one, and the undatable ones left open (what they
    would do is not known)."""
    acts, open_ = [], []
    stored = doc["status"]
    for row in rows:
        if row["kind"] not in ACT_KINDS:
            continue
        status, note = row["status"], row["note"] or ""
        if row["date"] is None:
            # stored as supporting 未知: what it would do, from the build's decision (see above)
            if row["wins"]:
                status = _undatable_status(doc["status_basis"] or "")
            elif stored in (REPEALED, EXPIRED):
                status = IN_FORCE  # stands for "not known": see _redecide
            else:
                status = IN_FORCE
            date_note = note
        else:
            m = _DATE_NOTE.search(note)
            date_note = m[1] if m else ""
        act = Act(
            kind=row["kind"],
            status=status,
            date=row["date"],
            quote=row["quote"] or "",
            source_title=row["source"] or "",
            source_number=row["source_number"],
            source_document_id=row["source_document_id"],
            source_url=row["source_url"] or "",
            date_note=date_note,
        )
        acts.append(act)
        if row["date"] is None and not row["wins"] and stored in (REPEALED, EXPIRED):
            open_.append(act)
    return acts, open_


def _undatable_status(basis: str) -> str:
    """What the undatable act that decided (rule 4) would do, from the basis line's words."""
    head = basis.split("本文件，但", 1)[0]
    for word, status in _UNDATABLE_WORDS.items():
        if head.endswith(word):
            return status
    return REPEALED  # rule 4 fires only for an act that repeals, expires or amends


def _redecide(doc: dict, rows: list[dict], as_of: date) -> Status:
    """The rule book's decision on the stored evidence as of ``as_of``; 未知 when an undatable
    act left open could change it, or the evidence holds a kind this module cannot hand back
    (see the module docstring)."""
    strange = sorted({r["kind"] for r in rows} - KNOWN_KINDS)
    # an act extending the 有效期: its new last day is in its note only, not a field to hand back
    # (rule 4 names an undatable one in the build's basis line: 将本文件有效期延长至…，但…)
    extended = any("延长至" in (r["note"] or "") for r in rows) or "有效期延长至" in (
        doc["status_basis"] or ""
    )
    strange += ["有效期延长"] if extended else []
    if strange:
        basis = (
            f"所存证据（{'、'.join(strange)}）无法据以重新判断截至{cn_date(as_of)}的状态"
            f"（构建日期{cn_date(doc['status_as_of'])}的状态为{doc['status']}）"
        )
        return Status(UNKNOWN, basis, as_of.isoformat())
    acts, open_ = _acts(doc, rows)
    decision = decide(doc["kind"], doc["validity_raw"], _term(doc, rows), as_of, acts)
    if open_ and decision.status not in (REPEALED, EXPIRED):
        act = open_[0]
        basis = (
            f"{act.source_ref}涉及本文件，但{act.date_note or '其日期无法确定'}，"
            f"截至{cn_date(as_of)}的状态无法由所存证据判断"
            f"（构建日期{cn_date(doc['status_as_of'])}的状态为{doc['status']}）"
        )
        return Status(UNKNOWN, basis, as_of.isoformat())
    return Status(decision.status, decision.basis, as_of.isoformat())
