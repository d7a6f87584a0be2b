"""Canned queries about the crawl itself: how fresh each site is, every run, what went wrong.

The library is honest about what it missed: these publish ``site_freshness`` (a view),
``crawl_runs`` (reported vs fetched vs stored per run), ``crawl_errors`` by class and outcome,
and the pages gone from their sites. ``corpus.site.queries`` adds them to the site's menu.
"""

from __future__ import annotations

FRESHNESS_SQL = """\
select site, title, last_crawled_at, last_complete_at, documents, interpretations, removed,
  oldest_check, last_blocked
from site_freshness
order by site"""

RUNS_SQL = """\
select id, started_at, finished_at, seconds, complete, finish_reason, site,
  reported, listed, fetched, known, stored, removed, errors, errors_by_class, requests
from crawl_runs
order by id desc
limit 100"""

ERRORS_SQL = """\
select e.run_id, e.at, e.site, e.error_class, e.outcome, e.status, e.reason, e.url
from crawl_errors e
where e.run_id = coalesce(nullif(:run_id, ''), (select max(id) from crawl_runs))
  and (:error_class = '' or e.error_class = :error_class)
  and (:outcome = '' or e.outcome = :outcome)
order by e.id
limit 1000"""

ERROR_CLASSES_SQL = """\
select e.error_class, e.outcome, count(*) as n, min(e.reason) as example
from crawl_errors e
where e.run_id = coalesce(nullif(:run_id, ''), (select max(id) from crawl_runs))
group by e.error_class, e.outcome
order by n desc"""

REMOVED_SQL = """\
select 'documents' as kind, id, title, site, removed_at, url from documents
where removed_at is not null
union all
select 'interpretations', id, title, site, removed_at, url from interpretations
where removed_at is not null
order by removed_at desc"""


def crawl_queries() -> dict[str, dict]:
    """The crawl's canned queries, in Datasette's metadata shape."""
    return {
        "freshness": {
            "sql": FRESHNESS_SQL,
            "title": "各网站更新情况",
            "description": (
                "每个来源网站最近一次抓取和最近一次完整抓取的时间、库中文件和解读数、"
                "已从原网站撤下的页面数、最久未核对的页面时间，以及最近一次被反爬虫拦截的情况。"
            ),
        },
        "crawl_runs": {
            "sql": RUNS_SQL,
            "title": "抓取记录",
            "description": (
                "最近 100 次抓取：网站报告的条数（reported）、列表中看到的（listed）、下载解析的"
                "（fetched）、无变化而未重新下载的（known）、新增或修改后存入的（stored）、"
                "已撤下的（removed）、失败数及按类别统计（errors_by_class）、请求数和用时。"
                "complete=0 表示这次抓取少于网站报告的条数。"
            ),
        },
        "crawl_errors": {
            "sql": ERRORS_SQL,
            "title": "抓取错误",
            "description": (
                "一次抓取中遇到的问题，每条附网址和原因。run_id：抓取编号（空＝最近一次）；"
                "error_class：类别（http_status、timeout、connection、truncated、blocked、robots、"
                "redirect_loop、oversized、charset、parse、attachment，可空）；"
                "outcome：failed（最终失败）、retried（重试后）、repaired（已纠正，如字符集），可空。"
            ),
        },
        "crawl_error_classes": {
            "sql": ERROR_CLASSES_SQL,
            "title": "抓取错误分类统计",
            "description": "一次抓取（run_id，空＝最近一次）的错误按类别和结果计数，附一例原因。",
        },
        "removed_pages": {
            "sql": REMOVED_SQL,
            "title": "已从原网站撤下的页面",
            "description": (
                "原网站上已不存在（返回 404/410）的文件和解读。本库保留其全部内容和历史版本，"
                "并注明发现撤下的时间。"
            ),
        },
    }
