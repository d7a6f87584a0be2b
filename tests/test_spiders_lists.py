"""The list walks of the jxnew and TRS spiders on small pages, without a server.

The jxnew spider takes a column page's inline items without asking for them again, continues with
``POST /queryList`` from the first page they do not wholly cover, and reads an item's relation
JSON before its page, whose links end up in the page's record. The TRS spider hands the container
page 1 kept its items in to the pages after it.
"""

from __future__ import annotations

import json

from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, TextResponse

from corpus.store.records import PageLink
from crawler.sites import Column, Site
from crawler.spiders.jxnew import JxnewSpider
from crawler.spiders.trs import TrsSpider
from crawler.stats import ColumnStats
from crawler.walk import ColumnCrawl

ORIGIN = "https://h.example"
COLUMN = f"{ORIGIN}/jxsx/col/col9/index.html"


def _items(n: int, relation_every: int = 0) -> str:
    rows = [
        {
            "title": f"文件{k}",
            "pubDate": "2025-07-01 09:00",
            "urls": json.dumps({"pc": f"/jxsx/col/col9/content/content_{k}.html"}),
            "relation": int(bool(relation_every) and k % relation_every == 0),
            "relationUrl": f"/jxsx/col9/relation/{k}-RelationArticle.json",
        }
        for k in range(n)
    ]
    return json.dumps(rows, ensure_ascii=False)


def _column_page(inline: int, total: int, relation_every: int = 0) -> HtmlResponse:
    html = f"""<html><head><base href="/jxsx/" /><script>
  var channelsTagSelf = {{"code": "col9", "articleCount": {total}}};
  var listData = {{ articleList: {_items(inline, relation_every)}, }};
</script></head><body><div id="380055"></div><script>
  var params = {{ current: 1, unitid: '380055', webSiteCode: ['jxsx'], channelCode: ['col9'],
    perPage: '15', }};
  loadPageData(params, '380055');
</script></body></html>"""
    return HtmlResponse(url=COLUMN, body=html.encode(), encoding="utf-8")


def _crawl(spider_cls, url: str = COLUMN, kind: str = "normative", family: str = "jxnew"):
    site = Site(name="s", title="站", family=family, columns=[Column(url=url, kind=kind)])
    spider = spider_cls(sites=[site])
    crawl = ColumnCrawl(site, site.columns[0], ColumnStats("s", url, kind))
    return spider, crawl


def test_takes_the_inline_items_and_asks_from_the_first_page_they_do_not_cover():
    spider, crawl = _crawl(JxnewSpider)
    out = list(spider.parse_column(_column_page(inline=20, total=40), crawl))
    details = [r for r in out if isinstance(r, Request) and not isinstance(r, FormRequest)]
    (query,) = [r for r in out if isinstance(r, FormRequest)]
    assert len(details) == 20 and crawl.stats.listed == 20 and crawl.stats.reported == 40
    form = dict(pair.split("=") for pair in query.body.decode().split("&"))
    assert query.url == f"{ORIGIN}/queryList" and form["current"] == "2"  # items 16-30
    assert crawl.stats.params["found_in"] == "loadPageData"


def test_asks_nothing_more_when_the_inline_items_are_the_whole_column():
    spider, crawl = _crawl(JxnewSpider)
    out = list(spider.parse_column(_column_page(inline=8, total=8), crawl))
    assert len(out) == 8 and not any(isinstance(r, FormRequest) for r in out)


def test_an_items_relation_json_is_read_before_its_page_and_its_links_reach_the_record():
    spider, crawl = _crawl(JxnewSpider)
    out = list(spider.parse_column(_column_page(inline=4, total=4, relation_every=2), crawl))
    relation = [r for r in out if r.url.endswith("-RelationArticle.json")]
    assert [r.url for r in relation] == [
        f"{ORIGIN}/jxsx/col9/relation/0-RelationArticle.json",
        f"{ORIGIN}/jxsx/col9/relation/2-RelationArticle.json",
    ]
    rows = [
        {"title": "解读甲", "urls": json.dumps({"pc": "/jxsx/col/col8/content/content_70.html"})},
        {"title": "自身", "urls": json.dumps({"pc": "/jxsx/col/col9/content/content_0.html"})},
    ]
    answer = TextResponse(
        url=relation[0].url,
        body=json.dumps({"data": rows}, ensure_ascii=False).encode(),
        encoding="utf-8",
        request=relation[0],
    )
    (detail,) = list(spider.parse_relations(answer, **relation[0].cb_kwargs))
    assert detail.url == f"{ORIGIN}/jxsx/col/col9/content/content_0.html"
    entry = detail.cb_kwargs["entry"]
    assert entry.links == [
        PageLink(
            f"{ORIGIN}/jxsx/col/col8/content/content_70.html",
            "解读甲",
            "interpretation",
            "relation",
        )
    ]  # the item itself is not its own relation
    page = HtmlResponse(
        url=detail.url,
        body='<html><head><meta name="ArticleTitle" content="文件0"></head><body><div id="zoom"><p>正文</p></div></body></html>'.encode(),
        encoding="utf-8",
    )
    record = spider.parse_page(page, crawl, entry)
    assert [link.url for link in record.links] == [
        f"{ORIGIN}/jxsx/col/col8/content/content_70.html"
    ]


def test_an_interpretation_columns_relations_are_documents():
    spider, crawl = _crawl(JxnewSpider, kind="interpretation")
    out = list(spider.parse_column(_column_page(inline=1, total=1, relation_every=1), crawl))
    rows = [{"title": "原文", "url": "/jxsx/col/col8/content/content_5.html"}]
    answer = TextResponse(url=out[0].url, body=json.dumps(rows).encode(), encoding="utf-8")
    (detail,) = list(spider.parse_relations(answer, **out[0].cb_kwargs))
    assert [link.role for link in detail.cb_kwargs["entry"].links] == ["document"]


def test_the_trs_walk_hands_page_ones_container_to_the_next_page():
    url = f"{ORIGIN}/xxgk/gfxwj/index.html"
    spider, crawl = _crawl(TrsSpider, url=url, family="trs")
    items = "".join(f'<li><a href="./202401/t20240101_{n}.html">条目{n}</a></li>' for n in range(3))
    html = f"""<html><body><div class="main"><ul class="list">{items}</ul></div>
<script>createPageHTML(2, 0, "index", "html");</script></body></html>"""
    out = list(
        spider.parse_column(HtmlResponse(url=url, body=html.encode(), encoding="utf-8"), crawl)
    )
    (next_page,) = [r for r in out if r.url.endswith("index_1.html")]
    assert next_page.cb_kwargs["container"] == "ul.list < div.main"
