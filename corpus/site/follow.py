"""Changes followed: Atom feeds of status changes and of searches, and the links to them.

Two canned queries with datasette-atom's ``atom_*`` columns (``corpus.site.plugin`` renders
them, an empty one too):

* ``changes`` — status changes from ``status_history``: all of them, one department's
  (``department``, as ``document_departments`` names it) or one document's (``document``, its
  id). The first build's rows (``old_status`` empty) are not changes and are left out. An entry
  says the document, old → new status, the as-of date and the one-line why, and links to the
  document page's evidence (``#validity``).
* ``search_feed`` — the ``search`` query as a feed: the same words and filters (``q``,
  ``status``, ``kind``, ``issuer``, ``since``, ``until``, read by the same ``nd_match`` and
  ``nd_date``), so the same documents, newest first instead of by rank (a feed tells what is
  new); and an entry per status change of a document matching the words and the other filters
  whose old *or* new status is the ``status`` asked for, so a subscriber to 生态环境 + 现行有效
  hears of a new document and of one that stops being in force (the document itself no longer
  matches 现行有效 then, its change does). The changes are read newest first (``CROSS JOIN``:
  the history outside, through its index of changes, migration 13) and each document's match
  looked up in the whole match set, read once and only when there is a change to check (before:
  the match set drove the query, about 90 ms for a word in 30,000 of 100,000 documents even
  with no change at all; now 1–2 ms with none).

Entry ids are stable: a document's is the one the ``newest`` feed gives it
(``tag:normdocs,2026:documents/<id>``), a change's is its ``status_history`` row
(``tag:normdocs,2026:status-changes/<row id>``: rows are only ever added, and the published file
is a copy of the working library). ``updated`` is when the change was recorded (the build's
``built_at``) or the document's publication date (midnight, China time), both in UTC.
"""

from __future__ import annotations

from urllib.parse import urlencode

from corpus.site.labels import value_label
from corpus.site.names import DB_NAME, SITE_NAME

CHANGES = "changes"
SEARCH_FEED = "search_feed"
SEARCH_PARAMS = ("q", "status", "kind", "issuer", "since", "until")  # the search's, in order

_UTC = "'%Y-%m-%dT%H:%M:%SZ'"
# A change is dated by the build that recorded it (a library built without a time: its as-of).
_CHANGED_AT = f"strftime({_UTC}, coalesce(nullif(h.built_at, ''), h.as_of))"
_CHANGE_TITLE = "d.title || '：' || h.old_status || ' → ' || h.new_status"
_CHANGE_CONTENT = """\
'效力状态：' || h.old_status || ' → ' || h.new_status || '（截至 ' || h.as_of || '）'
    || char(10) || '原因：' || coalesce(h.why, '')
    || char(10) || '文号：' || coalesce(d.doc_number, '无')
    || char(10) || '发文机关：' || coalesce(d.issuer, '')
    || char(10) || '原网页：' || d.url"""

# One document's rows by its index; else the newest rows, read backwards (the first build's rows,
# never changes, come first), of the department when one is asked.
_IN_DEPARTMENT = """(:department = '' or {h}document_id in (
        select document_id from document_departments where department = :department))"""
CHANGES_SQL = f"""\
select h.as_of, h.old_status, h.new_status, h.why, d.title, d.doc_number, d.issuer, h.built_at,
  d.id, d.url,
  'tag:normdocs,2026:status-changes/' || h.id as atom_id,
  {_CHANGE_TITLE} as atom_title,
  {_CHANGED_AT} as atom_updated,
  '/{DB_NAME}/documents/' || d.id || '#validity' as atom_link,
  d.issuer as atom_author_name,
  {_CHANGE_CONTENT} as atom_content
from status_history h join documents d on d.id = h.document_id
where h.id in (
    select id from status_history where document_id = :document
    union all
    select id from (
      select id from status_history
      where :document = '' and old_status is not null and {_IN_DEPARTMENT.format(h="")}
      order by id desc
      limit 100)
  )
  and h.old_status is not null
  and {_IN_DEPARTMENT.format(h="h.")}
order by h.id desc
limit 100"""

# The search's own bounds: a date as typed (2020, 2021-06 …), '' when none.
_IN_DATES = """\
(nd_date(:since, '') = '' or d.published_date >= nd_date(:since, ''))
    and (nd_date(:until, 'end') = '' or d.published_date <= nd_date(:until, 'end'))"""

SEARCH_FEED_SQL = f"""\
with found as (
  select d.id from documents_fts f join documents d on d.search_rowid = f.rowid
  where documents_fts match nd_match(:q, '', :kind, :status, :issuer)
    and {_IN_DATES}
  order by f.rowid desc
  limit 100
),
changed as (
  select h.id from status_history h cross join documents d on d.id = h.document_id
  where h.old_status is not null
    and (trim(:status) = '' or h.old_status = trim(:status) or h.new_status = trim(:status))
    and {_IN_DATES}
    and d.search_rowid in (
      select rowid from documents_fts where documents_fts match nd_match(:q, '', :kind, '', :issuer))
  order by h.id desc
  limit 100
),
entries as (
  select '新文件' as event, d.id, d.title, d.doc_number, d.issuer, d.published_date, d.status,
    null as old_status, null as as_of, d.status_basis as why, d.url,
    'tag:normdocs,2026:documents/' || d.id as atom_id,
    d.title as atom_title,
    coalesce(strftime({_UTC}, d.published_date, '-8 hours'), strftime({_UTC}, d.first_seen_at),
      strftime({_UTC}, d.status_as_of)) as atom_updated,
    '/{DB_NAME}/documents/' || d.id as atom_link,
    d.issuer as atom_author_name,
    '文号：' || coalesce(d.doc_number, '无') || char(10) || '发文机关：' || coalesce(d.issuer, '')
      || char(10) || '发布日期：' || coalesce(d.published_date, '未注明') || char(10)
      || '效力状态：' || d.status || '（截至 ' || coalesce(d.status_as_of, '') || '）'
      || char(10) || '判定依据：' || coalesce(d.status_basis, '') || char(10) || '原网页：' || d.url
      as atom_content
  from found join documents d on d.id = found.id
  union all
  select '效力变化', d.id, d.title, d.doc_number, d.issuer, d.published_date, h.new_status,
    h.old_status, h.as_of, h.why, d.url,
    'tag:normdocs,2026:status-changes/' || h.id,
    {_CHANGE_TITLE},
    {_CHANGED_AT},
    '/{DB_NAME}/documents/' || d.id || '#validity',
    d.issuer,
    {_CHANGE_CONTENT}
  from changed join status_history h on h.id = changed.id join documents d on d.id = h.document_id
)
select * from entries
order by atom_updated desc, atom_id desc
limit 100"""


def follow_queries() -> dict[str, dict]:
    """The two feed queries, in Datasette's metadata shape (merged by ``corpus.site.queries``)."""
    return {
        CHANGES: {
            "sql": CHANGES_SQL,
            "title": "效力变化订阅",
            "description": (
                "文件效力状态的变化（废止、失效、修改、生效……），最近的在前，最多 100 条；"
                "也是 Atom 订阅源（changes.atom）。每条写明原状态 → 新状态、基准日期和原因。"
                "department：发文机关（如 江西省生态环境厅，可空）；document：文件编号（可空）。"
                "首次构建时的状态不算变化。"
            ),
            "hide_sql": True,
        },
        SEARCH_FEED: {
            "sql": SEARCH_FEED_SQL,
            "title": "检索订阅",
            "description": (
                "全文检索的订阅源（search_feed.atom）：与“全文检索”相同的检索词和条件，"
                "列出匹配的文件（最新发布的在前）和这些文件的效力变化——限定效力状态时，"
                "变化前或变化后为该状态的都列出，因此订阅“现行有效”也能得知文件被废止或失效。"
                "q：检索词；status：效力状态；kind：类别；issuer：发文机关名称的一部分；"
                "since、until：发布日期范围（均可空，检索词必填）。"
            ),
            "hide_sql": True,
        },
    }


def feed_link(datasette, query: str, title: str, args: dict) -> dict:
    """``{"title", "url"}`` of the feed of canned ``query`` with ``args``, named ``title``."""
    params = urlencode({**args, "_feed_title": f"{SITE_NAME} · {title}"})
    return {"title": title, "url": datasette.urls.path(f"/{DB_NAME}/{query}.atom?{params}")}


def change_feed(datasette, title: str, **args: str) -> dict:
    """The feed of status changes: ``document=<id>``, ``department=<name>``, or all of them."""
    return feed_link(datasette, CHANGES, title, {k: str(v) for k, v in args.items()})


def search_feed(datasette, values: dict | None) -> dict | None:
    """The feed of the search asked with ``values`` (the search page's parameters), or None when
    there are no words to search for (the search finds nothing then)."""
    values = {k: str((values or {}).get(k) or "").strip() for k in SEARCH_PARAMS}
    if not values["q"]:
        return None
    return feed_link(datasette, SEARCH_FEED, search_title(values), values)


def search_title(values: dict) -> str:
    """检索“生态环境” · 现行有效 · 行政规范性文件 · 发文机关含… · 2020 起 · 至 2022-06."""
    parts = [f"检索“{values['q']}”"]
    if values.get("status"):
        parts.append(values["status"])
    if values.get("kind"):
        parts.append(value_label(values["kind"]))
    if values.get("issuer"):
        parts.append(f"发文机关含“{values['issuer']}”")
    if values.get("since"):
        parts.append(f"{values['since']} 起")
    if values.get("until"):
        parts.append(f"至 {values['until']}")
    return " · ".join(parts)
