"""Each department's interpretation rate (解读率) per year, against the 90% target (``TARGET``).

A **department** is an issuer (发文机关) of the document, not the site that published it: the
target binds the office that drafts a document (it must draft and publish the interpretation with
it), the portal publishes documents of the provincial government, its general office and joint
issuers alike, and an interpretation is often posted on another site than its document. A joint
document counts once for each of its issuers. Names are canonical: ``省农业农村厅`` and
``江西省农业农村厅`` are one department (``canonical_department``); a document whose page names no
issuer is counted under ``UNKNOWN`` rather than guessed.

Rate of a department in a year = its rules and normative documents of that year (``documents.year``,
the 成文日期's year) with at least one linked interpretation ÷ all of them. Documents repealed or
expired since count for the year they were issued in: the target applied when they were. An
interpretation published no later than its document (same day, or earlier when the document's page
went up late) is 同步发布 and counted separately (``document_interpretations.synchronous``).

The build fills ``document_departments``; the view ``interpretation_rates`` (corpus/store/schema.py)
does the counting, so the numbers always follow the stored links.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlite_utils

# The target, in percent: at least this share of a department's rules and normative documents
# interpreted (2022年江西省政务公开工作要点). The one definition: the canned query, the department
# page and the query's description use it; the ``interpretation_rates`` view (a migration,
# corpus/store/schema.py) and metadata.yml spell it out, and tests/test_rates.py pins them to it.
TARGET = 90
UNKNOWN = "（未注明发文机关）"

_SPLIT = re.compile(r"[、，,;；/\s]+")
# Short forms used in running text and ContentSource, by what they stand for (after the province).
_ALIASES = {
    "省政府": "人民政府",
    "省人民政府": "人民政府",
    "省政府办公厅": "人民政府办公厅",
    "省人民政府办公厅": "人民政府办公厅",
    "省发改委": "发展和改革委员会",
    "省发展改革委": "发展和改革委员会",
}


def canonical_department(name: str, province: str | None) -> str:
    """One spelling per department: ``省农业农村厅`` → ``江西省农业农村厅`` when the province is 江西省.

    National bodies (国务院, 农业农村部) and names of other provinces are returned as given.
    """
    name = name.strip()
    if not province:
        return name
    bare = province.removesuffix("省")  # 江西省 → 江西: 江西省政府 is 省政府 of 江西
    if name.startswith(bare + "省"):
        name = name[len(bare) :]
    if name in _ALIASES:
        return province + _ALIASES[name]
    if name.startswith("省"):
        return province + name[1:]
    return name


def departments(issuer: str | None, province: str | None) -> list[str]:
    """The canonical departments of an issuer field (joint issuers split), in order, no repeats."""
    names = [canonical_department(n, province) for n in _SPLIT.split(issuer or "") if n.strip()]
    return list(dict.fromkeys(names))


@lru_cache(maxsize=4096)  # few issuers, every document
def _departments(issuer: str | None, province: str | None) -> tuple[str, ...]:
    return tuple(departments(issuer, province))


def is_foreign(department: str, province: str | None) -> bool:
    """True for a body outside the province (a ministry, 国务院, another province)."""
    return not department.startswith(province or "省")


def assign_departments(db: sqlite_utils.Database) -> dict:
    """Rebuild ``document_departments`` from the issuer fields; return counts."""
    provinces = dict(db.execute("SELECT name, province FROM sites").fetchall())
    rows = []
    for doc_id, issuer, site in db.execute("SELECT id, issuer, site FROM documents").fetchall():
        names = _departments(issuer, provinces.get(site)) or (UNKNOWN,)
        rows += [(doc_id, name) for name in names]
    wanted = set(rows)
    stored = set(db.execute("SELECT document_id, department FROM document_departments"))
    with db.conn:  # only the rows that change (a build of an unchanged library writes none)
        db.conn.executemany(
            "DELETE FROM document_departments WHERE document_id = ? AND department = ?",
            sorted(stored - wanted),
        )
        db.conn.executemany(
            "INSERT INTO document_departments (document_id, department) VALUES (?, ?)",
            [r for r in rows if r not in stored],
        )
    return {
        "departments": len({name for _, name in rows}),
        "joint_documents": len(rows) - len({doc_id for doc_id, _ in rows}),
        "without_issuer": sum(1 for _, name in rows if name == UNKNOWN),
    }


def interpretation_rates(db: sqlite_utils.Database) -> list[dict]:
    """The ``interpretation_rates`` view as dicts, by department and year."""
    return list(db.query("SELECT * FROM interpretation_rates ORDER BY department, year"))


# The rows of the canned query ``interpretation_rate``: the build's copy of the view
# (``department_rates``, corpus/counts) while the counts hold for the file, else the view itself
# (a scan of every document: 3 s at a million). ``nd_counts_hold()`` (corpus.counts.read) is
# evaluated once per statement and a WHERE term of it alone is tested before its loop, so only
# one branch reads anything.
_RATE_FILTER = """(:department = '' or instr(department, :department) > 0)
    and (:year = '' or year = cast(:year as integer))"""

# The canned query ``interpretation_rate``: per department and year, then a 合计 row per department,
# departments with the most documents first. shortfall = documents still to interpret to reach the
# target (⌈TARGET·n/100⌉ − interpreted, in integers).
RATE_SQL = f"""\
with per_year as (
  select department, year, documents, interpreted, interpreted_same_day
  from department_rates
  where nd_counts_hold()
    and {_RATE_FILTER}
  union all
  select department, year, documents, interpreted, interpreted_same_day
  from interpretation_rates
  where not nd_counts_hold()
    and {_RATE_FILTER}
),
all_rows as (
  select department, cast(year as text) as year, documents, interpreted, interpreted_same_day,
    0 as total
  from per_year
  union all
  select department, '合计', sum(documents), sum(interpreted), sum(interpreted_same_day), 1
  from per_year
  group by department
)
select department, year, documents, interpreted, interpreted_same_day,
  interpreted - interpreted_same_day as interpreted_later,
  round(100.0 * interpreted / documents, 1) as rate,
  round(100.0 * interpreted_same_day / documents, 1) as same_day_rate,
  {TARGET} as target,
  case when 100 * interpreted >= {TARGET} * documents then '达标' else '未达标' end as verdict,
  max(0, ({TARGET} * documents + 99) / 100 - interpreted) as shortfall
from all_rows
order by sum(total * documents) over (partition by department) desc, department, total, year"""

# The canned query ``unlinked_interpretations``: what the linker could not place, with its note.
UNLINKED_SQL = """\
select id, published_date, title, form, site, source, link_note, url
from interpretations
where document_count = 0
  and (:site = '' or site = :site)
order by published_date desc, id desc"""
