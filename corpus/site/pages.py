"""What the site's own pages show: the home page, a document, an interpretation, a department.

Each page's data is read in one go, in one call on Datasette's read thread (``execute_fn``)
under the site's SQL time limit: a page of a dozen small queries would otherwise pay a thread
hop each. The loaders return plain dicts for the templates in ``corpus/site/templates``. Every
table, view and column read here is one the migrations (``corpus.store.schema``) create, so none
is looked for first. Crawled text is returned as text;
the templates escape it (Jinja autoescape) and make links only of http(s) URLs.

What the home, department and site pages count (documents by status, kind, site, department;
解读率) is read from the counts the build made (``corpus.counts``) when they hold for the file
(``Reader.counted``), else counted from the rows by the same loaders; both give the same page
(``tests/test_facet_counts.py``).
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections.abc import Callable
from typing import Any

from datasette.database import Database
from datasette.utils import sqlite_timelimit

from corpus import counts as counts_def
from corpus.articles import amend
from corpus.articles.refs import references
from corpus.counts import read as counts
from corpus.counts import sql_list
from corpus.links.rates import TARGET
from corpus.search.keywords import stored as stored_keywords
from corpus.site import counted as counted_views
from corpus.site import labels as site_labels
from corpus.validity.rules import STATUSES

# A department's 现行有效目录: its rules and normative documents in force, as amended or partly
# (the definition of the `current_catalogue` query, corpus/validity/queries.py), oldest first,
# CATALOGUE_PAGE to a page.
CATALOGUE_STATUSES = sql_list(counts_def.CATALOGUE_STATUSES)
CATALOGUE_KINDS = sql_list(counts_def.CATALOGUE_KINDS)
CATALOGUE_PAGE = 100
HOME_NEWEST = 10

# The home page and the as-of date are the same for every request of an immutable library:
# read once per Database object (a new build is a new file and a new process).
_HOME_CACHE: weakref.WeakKeyDictionary[Database, dict] = weakref.WeakKeyDictionary()
_AS_OF_CACHE: weakref.WeakKeyDictionary[Database, str | None] = weakref.WeakKeyDictionary()


class Reader:
    """Rows as dicts from one SQLite connection; ``counted``: the build's counts hold for it."""

    def __init__(self, conn: sqlite3.Connection, counted: bool = False):
        self.conn = conn
        self.counted = counted

    def rows(self, sql: str, params: dict | None = None) -> list[dict]:
        """Every row of ``sql`` as a dict."""
        cursor = self.conn.execute(sql, params or {})
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def first(self, sql: str, params: dict | None = None) -> dict | None:
        """The first row of ``sql`` as a dict, or None."""
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    @property
    def as_of(self) -> str | None:
        """The build's as-of date, or None for an unbuilt library."""
        row = self.first("select value from build_info where key = 'as_of'")
        return row["value"] if row else None


async def _run(db: Database, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(Reader, *args)`` on Datasette's read thread, under the site's SQL time limit."""
    limit = db.ds.setting("sql_time_limit_ms")
    fresh = await counted_views.fresh(db)

    def read(conn: sqlite3.Connection) -> Any:
        with sqlite_timelimit(conn, limit):
            return fn(Reader(conn, fresh), *args)

    return await db.execute_fn(read)


async def run(db: Database, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(Reader, *args)`` on Datasette's read thread: for the site's other pages."""
    return await _run(db, fn, *args)


async def as_of(db: Database) -> str | None:
    """The date the statuses hold as of (``build_info``), or None for an unbuilt library."""
    if not db.is_mutable and db in _AS_OF_CACHE:
        return _AS_OF_CACHE[db]
    value = await _run(db, lambda r: r.as_of)
    if not db.is_mutable:
        _AS_OF_CACHE[db] = value
    return value


async def home(db: Database) -> dict[str, Any]:
    """The home page: counts by status, kind and department, the newest documents."""
    if not db.is_mutable and db in _HOME_CACHE:
        return _HOME_CACHE[db]
    data = await _run(db, _home)
    if not db.is_mutable:
        _HOME_CACHE[db] = data
    return data


async def document(db: Database, doc_id: int) -> dict[str, Any] | None:
    """Everything the document page shows, or None when there is no such document."""
    return await _run(db, _document, doc_id)


async def interpretation(db: Database, interp_id: int) -> dict[str, Any] | None:
    """The interpretation page, or None when there is no such interpretation."""
    return await _run(db, _interpretation, interp_id)


async def department(db: Database, name: str, page: int = 1) -> dict[str, Any] | None:
    """A department's page (``page``: of its 现行有效目录), or None when no document names it."""
    return await _run(db, _department, name, page)


async def site(db: Database, name: str) -> dict[str, Any] | None:
    """A source site's page, or None when there is no such site."""
    return await _run(db, _site, name)


# ---------------------------------------------------------------- home


def _home(r: Reader) -> dict[str, Any]:
    """Counts by status, kind and department, the newest documents, the as-of date."""
    if r.counted:
        by_status = dict(counts.facet(r.conn, "documents", "status"))
        documents = counts.total(r.conn, "documents")
        interpretations = counts.total(r.conn, "interpretations")
        kinds = [{"kind": k, "count": n} for k, n in counts.facet(r.conn, "documents", "kind")]
        sites = r.rows(f"""select s.name, s.title, coalesce(d.count, 0) as count,
                coalesce(i.count, 0) as interpretations
              from sites s left join ({_COUNTED.format(table="documents", facet="site")}) d
                on d.value = s.name
              left join ({_COUNTED.format(table="interpretations", facet="site")}) i
                on i.value = s.name
              order by count desc, s.name""")  # fmt: skip
    else:
        by_status = {
            row["status"]: row["n"]
            for row in r.rows(
                "select status, count(*) as n from documents where status is not null"
                " group by status"
            )
        }
        documents = r.first("select count(*) as n from documents")["n"]
        interpretations = r.first("select count(*) as n from interpretations")["n"]
        kinds = r.rows(
            "select kind, count(*) as count from documents where kind is not null group by kind"
            " order by count desc, kind"
        )
        sites = r.rows(
            """select s.name, s.title, count(d.id) as count,
                 (select count(*) from interpretations i where i.site = s.name) as interpretations
               from sites s left join documents d on d.site = s.name
               group by s.name order by count desc, s.name""",
        )
    statuses = [{"status": s, "count": by_status.pop(s, 0)} for s in STATUSES]
    statuses += [{"status": s, "count": n} for s, n in sorted(by_status.items(), key=str)]
    return {
        "as_of": r.as_of,
        "documents": documents,
        "interpretations": interpretations,
        "statuses": [s for s in statuses if s["count"]],
        "kinds": kinds,
        "departments": _departments(r),
        "sites": sites,
        "newest": r.rows(
            """select id, title, doc_number, issuer, published_date, status, kind
               from documents order by published_date desc, id desc limit :n""",
            {"n": HOME_NEWEST},
        ),
    }


# ---------------------------------------------------------------- a document


def _document(r: Reader, doc_id: int) -> dict[str, Any] | None:
    """Everything the document page shows, or None when there is no such document."""
    doc = r.first("select * from documents where id = :id", {"id": doc_id})
    if doc is None:
        return None
    # a list or decision that says so is a document of the library: show its title
    evidence = r.rows(
        """select e.*, s.title as source_title
           from validity_evidence e left join documents s on s.id = e.source_document_id
           where e.document_id = :id order by e.wins desc, e.rowid""",
        {"id": doc_id},
    )
    data_attachments = _attachments(r, "documents", doc_id)
    relations = _relations(r, doc_id)
    return {
        "doc": doc,
        "as_of": doc["status_as_of"] or r.as_of,
        "site": r.first("select * from sites where name = :s", {"s": doc["site"]}),
        "evidence": evidence,
        "interpretations": r.rows(
            """select i.id, i.title, i.form, i.published_date, i.site,
                 di.method, di.confidence, di.evidence
               from document_interpretations di join interpretations i
                 on i.id = di.interpretation_id
               where di.document_id = :id
               order by di.confidence desc, i.published_date, i.id""",
            {"id": doc_id},
        ),
        "attachments": data_attachments,
        "relations": relations,
        "amended": _amended_readings(r, doc, relations["incoming"]),
        "history": _status_history(r, doc_id),
        "versions": _versions(r, "documents", doc_id),
        "keywords": stored_keywords(doc["keywords"]),
        "body_lines": _lines(doc["body_text"]),
        **_articles(r, doc, data_attachments),
    }


def _attachments(r: Reader, parent_table: str, parent_id: int) -> list[dict]:
    """The attachments of a document or an interpretation, text lines split for display."""
    rows = r.rows(
        """select * from attachments where parent_table = :t and parent_id = :id
           order by rowid""",
        {"t": parent_table, "id": parent_id},
    )
    for row in rows:
        row["lines"] = _lines(row["text"])
    return rows


def _relations(r: Reader, doc_id: int) -> dict[str, Any]:
    """Repeals, amendments … to and from this document (``relations``, written by the build's
    validity step)."""
    outgoing = r.rows(
        """select r.*, d.id as other_id, d.title as other_title, d.doc_number as other_number,
             d.status as other_status
           from relations r left join documents d on d.id = r.to_document_id
           where r.from_document_id = :id order by r.rowid""",
        {"id": doc_id},
    )
    incoming = r.rows(
        """select r.*, d.id as other_id, d.title as other_title, d.doc_number as other_number,
             d.status as other_status
           from relations r left join documents d on d.id = r.from_document_id
           where r.to_document_id = :id order by r.rowid""",
        {"id": doc_id},
    )
    return {"outgoing": outgoing, "incoming": incoming}


def _amended_readings(r: Reader, doc: dict, incoming: list[dict]) -> list[dict]:
    """Each decision in the library that amends this document, applied to its articles
    (``corpus.articles.amend``): the consolidated reading where every instruction applied,
    otherwise the instructions that could not be, each with its reason — never half a reading."""
    decisions = [rel for rel in incoming if rel["relation"] == "amends" and rel["other_id"]]
    if not decisions:
        return []
    units = r.rows(
        """select kind, value, text from articles
           where document_id = :id and kind in ('编', '章', '节', '条') order by ordinal""",
        {"id": doc["id"]},
    )
    if not any(u["kind"] == "条" for u in units):
        return []
    out = []
    for rel in decisions:
        decision = r.first(
            "select id, title, body_text from documents where id = :id", {"id": rel["other_id"]}
        )
        result = amend.apply(decision["body_text"] or "", units, title=doc["title"])
        out.append(
            {
                "decision": decision,
                "complete": result.complete,
                "applied": len(result.applied),
                "units": result.items,
                "failed": result.failed,
            }
        )
    return out


def _status_history(r: Reader, doc_id: int) -> list[dict]:
    """The changes of this document's status between builds (``status_history``).

    The first build records every status with no old one: that is not a change, not shown.
    """
    return r.rows(
        """select * from status_history where document_id = :id and old_status is not null
           order by as_of, rowid""",
        {"id": doc_id},
    )


# The page fields a version compares (each also with its raw string, where it has one), in the
# order a reader names the changes; the body and the attachments are compared after them.
VERSION_FIELDS = (
    "title",
    "doc_number",
    "issuer",
    "written_date",
    "published_date",
    "validity_raw",
    "index_no",
    "subject",
    "unified_no",
    "source",
    "form",
)


def _versions(r: Reader, table: str, parent_id: int) -> list[dict]:
    """Every content the page has had (``document_versions``), oldest first, each with its body
    length and what changed from the one before."""
    rows = r.rows(
        """select id, version, fetched_at, title, validity_raw, body_text, record
           from document_versions where parent_table = :t and parent_id = :id
           order by version""",
        {"t": table, "id": parent_id},
    )
    before: dict | None = None
    for row in rows:
        after = {**_json_object(row.pop("record")), "body_text": row.pop("body_text") or ""}
        row["body_chars"] = len(after["body_text"])
        row["changes"] = _changes(before, after) if before is not None else []
        before = after
    return rows


def _changes(before: dict, after: dict) -> list[str]:
    """What differs between two versions of a page, in words: 网页标注的有效性：有效 → 废止,
    正文（增加 25 字）, 附件, 其他信息 (links, head meta …)."""
    changes = []
    for name in VERSION_FIELDS:
        raw = f"{name}_raw"
        if before.get(name) == after.get(name) and before.get(raw) == after.get(raw):
            continue
        label = site_labels.column_label(name)
        old, new = before.get(name) or "（空）", after.get(name) or "（空）"
        # short values (有效性, dates, 文号) are worth seeing; a long title is only named
        changes.append(f"{label}：{old} → {new}" if len(old) + len(new) <= 40 else label)
    if before["body_text"] != after["body_text"]:
        delta = len(after["body_text"]) - len(before["body_text"])
        size = f"增加 {delta} 字" if delta > 0 else f"减少 {-delta} 字" if delta else "字数不变"
        changes.append(f"正文（{size}）")
    if before.get("attachments") != after.get("attachments"):
        changes.append("附件")
    compared = {*VERSION_FIELDS, *(f"{n}_raw" for n in VERSION_FIELDS), "body_text", "attachments"}
    if any(before.get(k) != after.get(k) for k in {*before, *after} - compared):
        changes.append("其他信息")
    return changes


def _json_object(text: str | None) -> dict:
    """A stored JSON object; an empty dict for anything else."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------- an interpretation


def _interpretation(r: Reader, interp_id: int) -> dict[str, Any] | None:
    """The interpretation page: its fields, the documents it explains, attachments, the
    versions of its page, body."""
    row = r.first("select * from interpretations where id = :id", {"id": interp_id})
    if row is None:
        return None
    linker = _Linker(r)  # 《title》第N条 in its text → the article, when the library has it
    attachments = _attachments(r, "interpretations", interp_id)
    for a in attachments:
        a["body"] = linker.lines(a["text"])
    return {
        "interp": row,
        "site": r.first("select * from sites where name = :s", {"s": row["site"]}),
        "documents": r.rows(
            """select d.id, d.title, d.doc_number, d.issuer, d.published_date, d.status,
                 di.method, di.confidence, di.evidence
               from document_interpretations di join documents d on d.id = di.document_id
               where di.interpretation_id = :id
               order by di.confidence desc, d.published_date desc, d.id""",
            {"id": interp_id},
        ),
        "attachments": attachments,
        "versions": _versions(r, "interpretations", interp_id),
        "keywords": stored_keywords(row["keywords"]),
        "body_lines": _lines(row["body_text"]),
        "body": linker.lines(row["body_text"]),
    }


# ---------------------------------------------------------------- departments and sites
#
# A department is an issuer (发文机关), canonical, as ``corpus.links.rates`` assigns them in the table
# ``document_departments`` (a joint document belongs to each of its issuers).

# "document d belongs to department :name"
_MEMBER = (
    "exists (select 1 from document_departments dd"
    " where dd.document_id = d.id and dd.department = :name)"
)


# the counted values of one facet of a whole table (corpus.counts), as a subquery
_COUNTED = """select value, count from facet_counts where table_name = '{table}'
    and filter_column = '' and filter_value is null and facet_column = '{facet}'"""


def _departments(r: Reader) -> list[dict]:
    """Every department with its number of documents and of documents in force."""
    if r.counted:
        return r.rows(
            """select department as name, sum(count) as count,
                 sum(case when status = '现行有效' then count else 0 end) as in_force
               from department_counts group by department order by count desc, name"""
        )
    return r.rows(
        """select dd.department as name, count(*) as count, sum(d.status = '现行有效') as in_force
           from document_departments dd join documents d on d.id = dd.document_id
           group by dd.department order by count desc, name"""
    )


def _department(r: Reader, name: str, page: int = 1) -> dict[str, Any] | None:
    """A department's page: documents by status, a page of its 现行有效目录, its 解读率 by
    year."""
    if r.counted:
        by_status = {
            row["status"]: row["n"]
            for row in r.rows(
                """select status, sum(count) as n from department_counts
                   where department = :name group by status""",
                {"name": name},
            )
        }
        sites = r.rows(
            """select s.name, s.title, sum(c.count) as count
               from department_counts c join sites s on s.name = c.site
               where c.department = :name group by s.name order by count desc, s.name""",
            {"name": name},
        )
    else:
        by_status = {
            row["status"]: row["n"]
            for row in r.rows(
                f"select status, count(*) as n from documents d where {_MEMBER} group by status",
                {"name": name},
            )
        }
        sites = r.rows(
            f"""select s.name, s.title, count(*) as count
                from documents d join sites s on s.name = d.site
                where {_MEMBER} group by s.name order by count desc, s.name""",
            {"name": name},
        )
    if not by_status:
        return None
    return {
        "name": name,
        "as_of": r.as_of,
        "statuses": [{"status": s, "count": by_status[s]} for s in STATUSES if s in by_status],
        "documents": sum(by_status.values()),
        "catalogue": _catalogue(r, name, page),
        "sites": sites,
        "rates": _interpretation_rates(r, name),
        "target": TARGET / 100,  # a share, as the rates on the page
    }


_CATALOGUE_COLUMNS = """d.id, d.doc_number, d.title, d.issuer, d.kind, d.status, d.written_date,
    d.published_date, d.effective_date, d.expires_on, d.interpretation_count"""


def _catalogue(r: Reader, name: str, page: int) -> dict[str, Any]:
    """A page of the department's 现行有效目录 (the last there is, if ``page`` is past it): its
    ``rows`` (each with its ``seq``, its number in the whole list), ``total``, ``page``,
    ``pages``, ``first``/``last`` (the numbers shown).

    Read in the order the build numbered (``department_catalogue``), so a page of a list of
    50,000 reads its 100 rows only; else sorted here, found through the status index (+kind: not
    the kind index, which holds far more).
    """
    if r.counted:
        total = r.first(
            "select count(*) as n from department_catalogue where department = :name",
            {"name": name},
        )["n"]
    else:
        total = r.first(
            f"""select count(*) as n from documents d where {_MEMBER}
                and d.status in {CATALOGUE_STATUSES} and +d.kind in {CATALOGUE_KINDS}""",
            {"name": name},
        )["n"]
    pages = max(1, -(-total // CATALOGUE_PAGE))
    page = max(1, min(page, pages))
    args = {"name": name, "offset": (page - 1) * CATALOGUE_PAGE, "n": CATALOGUE_PAGE}
    if r.counted:
        rows = r.rows(
            f"""select c.seq, {_CATALOGUE_COLUMNS}
                from department_catalogue c join documents d on d.id = c.document_id
                where c.department = :name and c.seq > :offset order by c.seq limit :n""",
            args,
        )
    else:
        rows = r.rows(
            f"""select {_CATALOGUE_COLUMNS} from documents d
                where {_MEMBER} and d.status in {CATALOGUE_STATUSES}
                  and +d.kind in {CATALOGUE_KINDS}
                order by {counts_def.CATALOGUE_ORDER} limit :n offset :offset""",
            args,
        )
        for i, row in enumerate(rows, start=args["offset"] + 1):
            row["seq"] = i
    return {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "first": args["offset"] + 1,
        "last": args["offset"] + len(rows),
    }


def _interpretation_rates(r: Reader, name: str) -> dict[str, Any]:
    """解读率 of a department by year and overall: rules and normative documents with ≥1 linked
    interpretation ÷ all of them; 同步发布: an interpretation published with the document.

    Read from the ``interpretation_rates`` view (``corpus.links.rates``), so the page and the
    ``interpretation_rate`` query agree — or from the build's copy of its rows
    (``department_rates``).
    """
    source = "department_rates" if r.counted else "interpretation_rates"
    rows = r.rows(
        f"""select year, documents as total, interpreted, interpreted_same_day as same_day
            from {source} where department = :name order by year desc""",
        {"name": name},
    )
    for row in rows:
        row["rate"] = row["interpreted"] / row["total"] if row["total"] else None
        row["meets_target"] = row["rate"] is not None and row["rate"] >= TARGET / 100
    total = sum(row["total"] for row in rows)
    interpreted = sum(row["interpreted"] for row in rows)
    return {
        "by_year": rows,
        "total": total,
        "interpreted": interpreted,
        "same_day": sum(row["same_day"] or 0 for row in rows),
        "rate": interpreted / total if total else None,
    }


def _site(r: Reader, name: str) -> dict[str, Any] | None:
    """A source site's page: what it publishes, by status and by department."""
    site_row = r.first("select * from sites where name = :s", {"s": name})
    if site_row is None:
        return None
    if r.counted:
        view = ("site", name)
        by_status = dict(counts.facet(r.conn, "documents", "status", view))
        documents = counts.total(r.conn, "documents", *view) or 0
        interpretations = counts.total(r.conn, "interpretations", *view) or 0
        departments = r.rows(
            """select department as name, sum(count) as count from department_counts
               where site = :s group by department order by count desc, name""",
            {"s": name},
        )
    else:
        by_status = {
            row["status"]: row["n"]
            for row in r.rows(
                "select status, count(*) as n from documents where site = :s"
                " and status is not null group by status",
                {"s": name},
            )
        }
        documents = r.first("select count(*) as n from documents where site = :s", {"s": name})["n"]
        interpretations = (
            r.first("select count(*) as n from interpretations where site = :s", {"s": name})
        )["n"]
        departments = r.rows(
            """select dd.department as name, count(*) as count
               from document_departments dd join documents d on d.id = dd.document_id
               where d.site = :s group by dd.department order by count desc, name""",
            {"s": name},
        )
    return {
        "site": site_row,
        "as_of": r.as_of,
        "statuses": [{"status": s, "count": by_status[s]} for s in STATUSES if s in by_status],
        "documents": documents,
        "interpretations": interpretations,
        "departments": departments,
    }


# ---------------------------------------------------------------- helpers


def _lines(text: str | None) -> list[str]:
    """Stored text as display lines (the crawl joined block lines with newlines)."""
    return [line for line in (text or "").split("\n") if line.strip()]


# ---------------------------------------------------------------- articles
#
# The ``articles`` table (corpus/articles, written by the build): the document's table of
# contents, an anchor on the line where each unit starts, and links from 《title》第N条 (and
# 本办法第N条) to the article cited, when the library holds it. Lines stay text: each is a list
# of parts, a part a piece of text and, for a reference, the document and anchor it links to.

TOC_KINDS = ("编", "章", "节", "条", "部分", "项")
MAX_LOOKUPS = 100  # distinct references looked up per page
# of several documents printing a measure of that title: one in force, else the newest
_CITED_ARTICLE = """
    select a.document_id, a.anchor from articles a join documents d on d.id = a.document_id
    where a.measure = :measure and a.kind = '条' and a.value = :value
    order by d.status in ('现行有效', '已修改', '部分失效') desc, d.published_date desc, d.id
    limit 1"""


class _Linker:
    """Text lines with their anchors and the references in them linked (see above)."""

    def __init__(self, r: Reader, doc_id: int | None = None, own: dict[int, str] | None = None):
        self.r = r
        self.doc_id = doc_id
        self.own = own or {}  # 本办法第N条: this document's articles by number
        self.found: dict[tuple[str, int], tuple[int, str] | None] = {}

    def target(self, title: str, value: int) -> tuple[int, str] | None:
        if not title:
            anchor = self.own.get(value)
            return (self.doc_id, anchor) if anchor and self.doc_id is not None else None
        key = (title, value)
        if key not in self.found:
            if len(self.found) >= MAX_LOOKUPS:
                return None
            row = self.r.first(_CITED_ARTICLE, {"measure": title, "value": value})
            self.found[key] = (row["document_id"], row["anchor"]) if row else None
        return self.found[key]

    def parts(self, line: str) -> list[dict]:
        out, pos = [], 0
        for ref in references(line):
            target = self.target(ref.title, ref.value)
            if target is None or ref.start < pos:
                continue
            if ref.start > pos:
                out.append({"text": line[pos : ref.start]})
            out.append({"text": line[ref.start : ref.end], "document_id": target[0],
                        "anchor": target[1]})  # fmt: skip
            pos = ref.end
        if pos < len(line):
            out.append({"text": line[pos:]})
        return out

    def lines(self, text: str | None, starts: dict[int, list[dict]] | None = None) -> list[dict]:
        """The non-empty lines of ``text``, each with its parts and the units that start on it."""
        out, pos = [], 0
        for line in (text or "").split("\n"):
            if line.strip():
                units = (starts or {}).get(pos, [])
                out.append({
                    "parts": self.parts(line),
                    "anchors": [u["anchor"] for u in units],
                    "kind": units[0]["kind"] if units else "",
                })  # fmt: skip
            pos += len(line) + 1
        return out


def _articles(r: Reader, doc: dict, attachments: list[dict]) -> dict[str, Any]:
    """The document's structure for its page: ``toc`` (编章节条, or a notice's parts), ``body``
    (its lines, linked and anchored), each attachment's ``body``, and where the articles come
    from (``articles_from``: the attachment that holds the measure, or None for the body)."""
    units = r.rows(
        """select kind, number, path, anchor, heading, substr(text, 1, 60) as opening, value,
             attachment_id, start
           from articles where document_id = :id order by ordinal""",
        {"id": doc["id"]},
    )
    articles = [u for u in units if u["kind"] == "条"]
    own: dict[int, str] = {}
    for u in articles:
        own.setdefault(u["value"], u["anchor"])
    linker = _Linker(r, doc["id"], own)
    source = units[0]["attachment_id"] if units else None
    starts: dict[int, list[dict]] = {}
    for u in units:
        starts.setdefault(u["start"], []).append(u)
    toc = [
        {**u, "depth": u["path"].count("/"), "summary": _summary(u)}
        for u in units
        if u["kind"] in TOC_KINDS and not (u["kind"] == "项" and articles)
    ]
    for a in attachments:
        a["body"] = linker.lines(a["text"], starts if a["id"] == source else None)
        a["holds_articles"] = a["id"] == source and bool(units)
    return {
        "toc": toc,
        "article_count": len(articles),
        "articles_from": next((a for a in attachments if a["id"] == source), None),
        "body": linker.lines(doc["body_text"], starts if source is None else None),
    }


def _summary(unit: dict) -> str:
    """What a table of contents says of a unit: its heading, else its opening words."""
    if unit["heading"]:
        return unit["heading"]
    if unit["kind"] not in ("条", "部分", "项"):
        return ""
    words = (unit["opening"] or "")[len(unit["number"]) :].lstrip(" 　:：、.．")
    return words[:24] + "…" if len(words) > 24 else words
