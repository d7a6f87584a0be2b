"""The library's canned queries: the menu of the published site, one entry per query.

Each entry is in Datasette's metadata shape (sql, title, description …). The plugin serves them
through the ``canned_queries`` hook, so SQL that lives in Python (the ranked search) has one
source. Add a query by adding an entry to ``canned_queries_for_library``.
"""

from __future__ import annotations

from corpus.links.rates import RATE_SQL, TARGET, UNLINKED_SQL
from corpus.search.sql import PAGED_SEARCH_SQL
from corpus.site.crawl_queries import crawl_queries
from corpus.site.follow import follow_queries
from corpus.validity.queries import CATALOGUE_SQL, validity_queries

IN_FORCE_SQL = """\
select id, doc_number, title, issuer, kind, published_date, effective_date, expires_on,
  status_basis, interpretation_count, url
from documents
where status = '现行有效'
  and (:issuer = '' or instr(issuer, :issuer) > 0)
  and (:site = '' or site = :site)
order by published_date desc, id desc"""

# Also the Atom feeds (datasette-atom: `newest.atom`, optionally ?department=, ?site=, ?kind=):
# the atom_* columns are the feed entries; the site's pages hide them. Dates: China time.
NEWEST_SQL = """\
select id, published_date, title, doc_number, issuer, kind, status, site, url,
  'tag:normdocs,2026:documents/' || id as atom_id,
  title as atom_title,
  published_date || 'T00:00:00+08:00' as atom_updated,
  '/normdocs/documents/' || id as atom_link,
  issuer as atom_author_name,
  '文号：' || coalesce(doc_number, '无') || char(10) || '发文机关：' || coalesce(issuer, '')
    || char(10) || '发布日期：' || published_date || char(10) || '效力状态：' || status
    || char(10) || '原网页：' || url as atom_content
from documents
where published_date is not null
  and (:site = '' or site = :site)
  and (:kind = '' or kind = :kind)
  and (:department = '' or id in (
    select document_id from document_departments where department = :department))
order by published_date desc, id desc
limit 100"""


# A department's 现行有效目录 as the build numbered it (corpus/counts: the current_catalogue
# query's rows and order, corpus/validity/queries.py), for the department page's downloads: a
# page of 1,000 of a list of 50,000 without sorting the list. The page links here only while
# the counts hold for the file (corpus.site.counted), else to current_catalogue.
DEPARTMENT_CATALOGUE_SQL = """\
select c.seq, d.title, d.doc_number, d.issuer, d.written_date, d.published_date, d.effective_date,
  d.expires_on, d.status, d.status_basis, d.status_as_of, d.id, d.url
from department_catalogue c join documents d on d.id = c.document_id
where c.department = :department
order by c.seq"""


# The 现行有效目录 of one department from the build's numbering while the counts hold (the rows of
# the page only: a department of 50,000 documents in force took 1 s to number at a million), else
# the validity's query (CATALOGUE_SQL: the whole library when no department is given, and
# whenever the counts do not hold). ``nd_counts_hold()`` (corpus.counts.read) is evaluated once per
# statement, a WHERE term of constants alone is tested before its loop: one branch reads rows.
# ORDER BY seq over the UNION ALL merges the branches, each in its own order (the first from
# department_catalogue's primary key, without sorting).
COUNTED_CATALOGUE_SQL = f"""\
select c.seq, d.title, d.doc_number, d.issuer, d.written_date, d.published_date, d.effective_date,
  d.expires_on, d.status, d.status_basis, d.status_as_of, d.id, d.url
from department_catalogue c join documents d on d.id = c.document_id
where nd_counts_hold() and :department <> '' and c.department = :department
union all
select * from (
{CATALOGUE_SQL}
)
where not (nd_counts_hold() and :department <> '')
order by seq"""


def canned_queries_for_library() -> dict[str, dict]:
    """The library's canned queries, keyed by name, in Datasette's metadata shape."""
    catalogue = validity_queries()["current_catalogue"]
    queries = {
        "search": {
            "sql": PAGED_SEARCH_SQL,
            "title": "全文检索",
            "description": (
                "检索文件的标题、文号和正文，凡含检索词的文件都能找到；标题命中排最前，"
                "其次文号、正文命中，同级按发布日期由新到旧，命中处高亮；结果上方写明共有多少份"
                "文件符合条件，每页 100 份，可翻页（page：页码，最多翻到第 100 页）。"
                "q：检索词——多个词用空格分隔（须同时出现），“引号”内为整句，"
                "-词 表示排除，文号任何写法均可（如 赣府厅字2022年49号）；"
                "kind：类别（rule、normative、policy，可空）；status：效力状态（如 现行有效，可空）；"
                "issuer：发文机关名称的一部分（可空）；since、until：发布日期范围"
                "（如 2020、2021-06、2022-03-15，可空）。全部结果见文件表的检索框。"
            ),
            "hide_sql": True,
        },
        "in_force": {
            "sql": IN_FORCE_SQL,
            "title": "现行有效文件",
            "description": (
                "某部门截至构建日期现行有效的文件，按发布日期由新到旧，附判定依据。"
                "issuer：发文机关名称（含联合发文，如 江西省生态环境厅）；"
                "site：来源网站代码（如 jx-sthjt）。两者都空时列出全部现行有效文件。"
            ),
        },
        "newest": {
            "sql": NEWEST_SQL,
            "title": "最新文件",
            "description": (
                "按发布日期由新到旧的最近 100 份文件；也是 Atom 订阅源（newest.atom）。"
                "site：来源网站代码（如 jx-nync，可空）；kind：类别（rule、normative、policy，可空）；"
                "department：发文机关（如 江西省农业农村厅，可空）。"
            ),
        },
        "interpretation_rate": {
            "sql": RATE_SQL,
            "title": "各部门解读率",
            "hide_sql": True,
            "description": (
                "各发文机关每年印发的规章和行政规范性文件中，已关联至少一篇政策解读的比例，"
                f"对照 {TARGET}% 的目标（2022年江西省政务公开工作要点）；同步解读＝解读不晚于文件发布，"
                "事后解读＝晚于文件发布。联合发文计入每个发文机关；年份取成文日期。"
                "department：发文机关（可空）；year：年份（可空）。"
            ),
        },
        "unlinked_interpretations": {
            "sql": UNLINKED_SQL,
            "title": "未关联文件的解读（待核查）",
            "description": (
                "未能关联到库中任何文件的政策解读，附原因（引用的文件不在库中、发文机关不符、"
                "文件晚于解读等），供人工核查。site：来源网站代码（可空）。"
            ),
        },
        **validity_queries(),  # 现行有效目录, expiring, review lists, evidence (validity_queries.py)
        "current_catalogue": {**catalogue, "sql": COUNTED_CATALOGUE_SQL},  # as numbered, or live
        "department_catalogue": {
            "sql": DEPARTMENT_CATALOGUE_SQL,
            "title": "部门现行有效目录（构建时编号）",
            "description": (
                "与“现行有效目录”相同的文件、相同的顺序，读自构建时为每个部门编好的目录，"
                "大型库上也很快；部门页的下载链接用它。department：发文机关（必填）。"
            ),
            "nd_hidden": True,  # not in the menus: the department pages link to it
        },
        **crawl_queries(),  # freshness per site, crawl runs and errors (crawl_queries.py)
        **follow_queries(),  # the feeds of status changes and of searches (follow.py)
    }
    return in_menu_order(queries)


# The site's menu, first: what readers ask for most (the home page and /normdocs list the
# queries in this order, then the rest as defined above).
MENU = ("search", "current_catalogue", "newest", "expiring", "interpretation_rate")


def in_menu_order(queries: dict[str, dict]) -> dict[str, dict]:
    """``queries`` with the MENU entries first, in MENU order; the others after, as they came."""
    first = {name: queries[name] for name in MENU if name in queries}
    return {**first, **{k: v for k, v in queries.items() if k not in first}}
