"""A detail page whose body no known container holds is kept, and the repair is recorded."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from corpus.store.records import DocumentRecord, ListEntry
from crawler.errors import fault_seen
from crawler.sites import Column, Site
from crawler.spiders.trs import TrsSpider
from crawler.stats import ColumnStats
from crawler.walk import ColumnCrawl, Page

URL = "https://h.example/zwgk/202301/t20230101_1.html"
PROSE = "为贯彻落实党中央、国务院决策部署，现就相关事项通知如下，请认真贯彻执行。"


class _Signals:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send_catch_log(self, signal: object, **kw: object) -> list:
        self.sent.append({"signal": signal, **kw})
        return []


class _Crawler:
    def __init__(self) -> None:
        self.signals = _Signals()


def test_a_body_found_by_its_prose_is_kept_and_recorded_as_a_layout_repair() -> None:
    column = "https://h.example/zwgk/index.html"
    site = Site(name="s", title="站", family="trs", columns=[Column(url=column, kind="normative")])
    spider = TrsSpider(sites=[site])
    spider.crawler = _Crawler()
    crawl = ColumnCrawl(site, site.columns[0], ColumnStats("s", column, "normative"))
    html = (
        "<html><head><meta name='ArticleTitle' content='关于做好某项工作的通知'></head><body>"
        f"<div class='con-main'><p>各有关单位：</p><p>{PROSE}</p></div></body></html>"
    )
    response = HtmlResponse(url=URL, body=html.encode(), encoding="utf-8")
    entry = ListEntry(url=URL, title="关于做好某项工作的通知")
    out = list(spider.parse_detail(response, entry, Page(URL, [crawl])))
    assert any(isinstance(item, DocumentRecord) for item in out)
    (sent,) = spider.crawler.signals.sent
    assert sent["signal"] is fault_seen and sent["outcome"] == "repaired"
    assert sent["error"].error_class == "layout"
    assert sent["error"].reason == "body taken by text density: div.con-main"
