"""Canned queries about validity: the 现行有效目录, what expires soon, what needs review, and each
document's evidence and relations (merged into the site's menu by ``corpus.site.queries``).

Dates are the build's as-of date (``status_as_of``), never today: a query answers for the day the
statuses were decided.
"""

from __future__ import annotations

# The list the Jiangxi plan asks every department to publish: its rules and normative documents in
# force (as amended, or partly in force, included), oldest first as official lists number them.
CATALOGUE_SQL = """\
select row_number() over (order by coalesce(d.written_date, d.published_date), d.id) as seq,
  d.title, d.doc_number, d.issuer, d.written_date, d.published_date, d.effective_date,
  d.expires_on, d.status, d.status_basis, d.status_as_of, d.id, d.url
from documents d
where d.status in ('现行有效', '已修改', '部分失效')
  and d.kind in ('rule', 'normative')
  and (:department = '' or d.id in (
    select document_id from document_departments where department = :department))
order by seq"""

EXPIRING_SQL = """\
select d.expires_on,
  cast(julianday(d.expires_on) - julianday(d.status_as_of) as integer) as days_left,
  d.title, d.doc_number, d.issuer, d.term_raw, d.status, d.id, d.url
from documents d
where d.status = '现行有效' and d.expires_on is not null
  and d.expires_on >= d.status_as_of
  and d.expires_on <= date(d.status_as_of,
    '+' || cast(coalesce(nullif(:days, ''), '90') as integer) || ' days')
  and (:department = '' or instr(d.issuer, :department) > 0)
order by d.expires_on, d.id"""

STALE_SQL = """\
select d.title, d.doc_number, d.issuer, d.validity_raw, d.expires_on, d.term_raw, d.status,
  d.status_basis, d.status_as_of, d.id, d.url
from documents d
where d.expires_on is not null and d.expires_on < d.status_as_of
  and exists (select 1 from validity_evidence e
              where e.document_id = d.id and e.kind = 'page_field' and e.status = '现行有效')
order by d.expires_on desc, d.id"""

UNKNOWN_SQL = """\
select d.title, d.doc_number, d.issuer, d.published_date, d.validity_raw, d.status_basis,
  d.site, d.id, d.url
from documents d
where d.status = '未知'
  and (:site = '' or d.site = :site)
order by d.published_date desc, d.id"""

EVIDENCE_SQL = """\
select e.wins, e.status, e.kind, e.quote, e.date, e.note, e.source,
  e.source_document_id, e.source_url, d.status as document_status, d.status_basis, d.status_as_of
from validity_evidence e join documents d on d.id = e.document_id
where e.document_id = :id
order by e.wins desc, e.rowid"""

RELATIONS_SQL = """\
select 'outgoing' as direction, r.relation, r.to_document_id as other_id,
  coalesce(t.title, r.to_title) as other_title, coalesce(t.doc_number, r.to_doc_number)
    as other_doc_number, r.quote, r.effective_date, r.method, r.note, r.source_url
from relations r left join documents t on t.id = r.to_document_id
where r.from_document_id = :id
union all
select 'incoming', r.relation, r.from_document_id, f.title, f.doc_number, r.quote,
  r.effective_date, r.method, r.note, r.source_url
from relations r join documents f on f.id = r.from_document_id
where r.to_document_id = :id
order by direction desc, relation"""

HISTORY_SQL = """\
select h.as_of, h.old_as_of, h.old_status, h.new_status, h.why, d.title, d.doc_number,
  h.built_at, h.document_id, d.url
from status_history h join documents d on d.id = h.document_id
where h.old_status is not null
  and (:department = '' or instr(d.issuer, :department) > 0)
order by h.as_of desc, h.id desc
limit 1000"""

UNMATCHED_SQL = """\
select r.relation, r.to_title, r.to_doc_number, r.note, f.title as from_title,
  f.doc_number as from_doc_number, r.quote, r.source_url, r.from_document_id
from relations r join documents f on f.id = r.from_document_id
where r.to_document_id is null
order by f.published_date desc, r.id"""


def validity_queries() -> dict[str, dict]:
    """The validity entries of the site's menu, in Datasette's metadata shape."""
    return {
        "current_catalogue": {
            "sql": CATALOGUE_SQL,
            "title": "现行有效目录",
            "description": (
                "某部门截至构建日期现行有效的规章和行政规范性文件（含已修改、部分失效），"
                "按成文日期编号，可导出 CSV、JSON。department：发文机关（如 江西省农业农村厅；"
                "空则列出全部）。"
            ),
        },
        "expiring": {
            "sql": EXPIRING_SQL,
            "title": "即将到期的文件",
            "description": (
                "现行有效、有效期（经延长的，按延长后的截止日期）将在构建日期后 N 天内届满的文件，"
                "按到期日排列。"
                "days：天数（空则 90）；department：发文机关（可空）。"
            ),
        },
        "stale_pages": {
            "sql": STALE_SQL,
            "title": "网页仍标“有效”但有效期已届满",
            "description": (
                "网页的有效性标注为有效，但按文件的有效期（含其他文件的延期）截至构建日期已届满的文件。"
            ),
        },
        "unknown_status": {
            "sql": UNKNOWN_SQL,
            "title": "效力未知的文件（待核查）",
            "description": (
                "没有可靠依据判断效力、或所据日期无法解析的文件，附原因，供人工核查。"
                "site：来源网站代码（可空）。"
            ),
        },
        "document_evidence": {
            "sql": EVIDENCE_SQL,
            "title": "文件的效力证据",
            "description": (
                "一份文件的全部效力证据：页面标注、施行日期、有效期、废止或修改决定、目录、"
                "同时废止条款、部分条款停止执行和延长有效期的条款；wins=1 为决定效力状态的证据。"
                "id：文件编号。"
            ),
        },
        "document_relations": {
            "sql": RELATIONS_SQL,
            "title": "文件之间的关系",
            "description": (
                "一份文件废止、替代、修改、引用的文件（outgoing），以及废止、替代、修改、引用它的文件"
                "（incoming），附原文。id：文件编号。"
            ),
        },
        "status_changes": {
            "sql": HISTORY_SQL,
            "title": "效力状态变化记录",
            "description": (
                "各次构建之间效力状态发生变化的文件：基准日、原状态、新状态及原因。"
                "department：发文机关（可空）。"
            ),
        },
        "unmatched_relations": {
            "sql": UNMATCHED_SQL,
            "title": "未匹配的废止、修改对象（待核查）",
            "description": "废止或修改决定、目录、同时废止条款中提到、但库中找不到或无法确定的文件。",
        },
    }
