"""Articles on the published site, through a real Datasette (in-process, the real ASGI app).

A hand-made library, built: a rule whose body holds its measure, a notice whose measure is in an
attachment, a notice cited by article in another document and in an interpretation, and a
hostile reference. The document page has a table of contents and an anchor per article
(…/documents/ID#第十二条), the articles of an attached measure are anchored in the attachment's
text, 《title》第N条 links to the article in any text, escaping kept; the search says which article
a hit is in and links there.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
from sitekit import served

from corpus.build import build
from corpus.site.serve import checkpoint
from corpus.store.identity import stable_id
from corpus.store.records import Attachment, DocumentRecord, InterpretationRecord
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import open_db

SITE = "jx-nync"
ART = "http://nync.example/art/"
RULE_URL, NOTICE_URL, CITING_URL, HOSTILE_URL = (
    ART + "rule.html", ART + "notice.html", ART + "citing.html", ART + "hostile.html"
)  # fmt: skip
INTERP_URL = ART + "jd.html"

RULE_BODY = "\n".join([
    "江西省人民政府令",
    "第250号",
    "《江西省农作物种子管理办法》已经省人民政府常务会议审议通过，现予公布。",
    "省长　张三",
    "2025年1月10日",
    "江西省农作物种子管理办法",
    "第一章　总则",
    "第一条　为了规范农作物种子管理，制定本办法。",
    "第二条　本办法适用于本省行政区域内的种子生产经营。",
    "第二章　生产经营",
    "第三条　种子生产应当符合下列条件：",
    "（一）有生产场地；",
    "（二）有技术人员。",
    "违反本办法第二条规定的，责令改正。",
    "第三章　附则",
    "第四条　本办法自2025年2月1日起施行。",
])  # fmt: skip
MEASURE_TEXT = "\n".join([
    "江西省种猪场管理办法",
    "第一条　为了规范种猪场管理，制定本办法。",
    "第二条　种猪场应当建立养殖档案。",
    "第三条　本办法自2025年3月1日起施行。",
])  # fmt: skip


def _make_library(path: Path) -> None:
    db = open_db(str(path))
    save_site(db, {"name": SITE, "title": "江西省农业农村厅", "family": "hanweb", "columns": []})
    docs = [
        (RULE_URL, "rule", "江西省农作物种子管理办法", "2025-01-10", RULE_BODY, []),
        (NOTICE_URL, "normative", "江西省农业农村厅关于印发《江西省种猪场管理办法》的通知",
         "2025-02-10", "各设区市农业农村局：\n现将《江西省种猪场管理办法》印发给你们，请遵照执行。"
         "\n附件：江西省种猪场管理办法\n江西省农业农村厅\n2025年2月10日",
         [Attachment(url=ART + "measure.docx", name="江西省种猪场管理办法.docx", ext="docx",
                     text=MEASURE_TEXT)]),
        (CITING_URL, "normative", "江西省农业农村厅关于做好种猪场检查的通知", "2025-03-10",
         "各地要依照《江西省种猪场管理办法》第二条，检查养殖档案；"
         "《江西省农作物种子管理办法》第三条规定的条件应当逐项核实。\n"
         "《未收录的办法》第五条不链接。", []),
        (HOSTILE_URL, "policy", "关于<script>的通知", "2025-03-11",
         "依照《<script>alert(1)</script>》第一条，以及《江西省种猪场管理办法》第一条"
         "<b>加粗</b>。", []),
    ]  # fmt: skip
    for url, kind, title, published, body, attachments in docs:
        save_document(
            db,
            DocumentRecord(url=url, site=SITE, kind=kind, title=title, published_date=published,
                           body_text=body, attachments=attachments),
        )  # fmt: skip
    save_interpretation(
        db,
        InterpretationRecord(
            url=INTERP_URL, site=SITE, title="《江西省种猪场管理办法》解读",
            published_date="2025-02-11",
            body_text="《江西省种猪场管理办法》第二条要求种猪场建立养殖档案。",
        ),
    )  # fmt: skip
    db.conn.close()
    build(str(path), date(2026, 11, 27))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("articles-site") / "normdocs.db"
    _make_library(path)
    checkpoint(path)
    with served(path) as get:
        yield get


def _page(site, url: str) -> str:
    response = site(f"/normdocs/documents/{stable_id(url)}")
    assert response.status_code == 200
    return response.text


def _section(page: str, name: str) -> str:
    return page.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def test_the_document_page_has_a_table_of_contents_and_an_anchor_per_article(site):
    page = _page(site, RULE_URL)
    toc = _section(page, "toc")
    assert "条文目录（共 4 条）" in toc
    entries = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert entries == [
        ("第一章", "第一章"), ("第一条", "第一条"), ("第二条", "第二条"), ("第二章", "第二章"),
        ("第三条", "第三条"), ("第三章", "第三章"), ("第四条", "第四条"),
    ]  # fmt: skip
    assert "总则" in toc and "为了规范农作物种子管理，制定本办法。" in toc
    text = _section(page, "fulltext")
    for anchor, _ in entries:  # every entry leads to its paragraph
        assert f'id="{anchor}"' in text
    assert re.search(
        r'<p id="第三条" class="nd-unit nd-unit-article"><span id="第三条第一款"></span>第三条\s种子生产',
        text,
    )
    assert '<p id="第一章" class="nd-unit nd-unit-division">' in text
    # 款 and 项 are anchored too (the line of 第三条 is also its 第一款)
    assert '<span id="第三条第一款"></span>' in text
    assert 'id="第三条第一款第（一）项"' in text and 'id="第三条第二款"' in text
    # 本办法第二条: to its own article
    own = f'<a class="nd-cite" href="/normdocs/documents/{stable_id(RULE_URL)}#第二条">第二条</a>'
    assert own in text


def test_an_attached_measure_is_anchored_in_the_attachments_text(site):
    page = _page(site, NOTICE_URL)
    toc = _section(page, "toc")
    assert "条文取自附件：江西省种猪场管理办法.docx（见上方“附件”）" in toc
    assert re.findall(r'<a href="#([^"]+)">', toc) == ["第一条", "第二条", "第三条"]
    attachments = _section(page, "attachments")
    assert "<details open>" in attachments
    assert (
        '<p id="第二条" class="nd-unit nd-unit-article">第二条　种猪场应当建立养殖档案。</p>'
        in (attachments)
    )
    assert 'id="第二条"' not in _section(page, "fulltext")


def test_a_reference_to_an_article_links_to_it_in_documents_and_interpretations(site):
    notice, rule = stable_id(NOTICE_URL), stable_id(RULE_URL)
    text = _section(_page(site, CITING_URL), "fulltext")
    assert (
        f'<a class="nd-cite" href="/normdocs/documents/{notice}#第二条">'
        "《江西省种猪场管理办法》第二条</a>"
    ) in text
    assert (
        f'<a class="nd-cite" href="/normdocs/documents/{rule}#第三条">'
        "《江西省农作物种子管理办法》第三条</a>"
    ) in text
    assert "《未收录的办法》第五条不链接" in text  # not in the library: text
    assert "nd-toc" not in _page(site, CITING_URL)  # nothing to list: no table of contents
    interp = site(f"/normdocs/interpretations/{stable_id(INTERP_URL)}").text
    assert (
        f'<a class="nd-cite" href="/normdocs/documents/{notice}#第二条">'
        "《江西省种猪场管理办法》第二条</a>要求"
    ) in interp


def test_references_keep_the_text_escaped(site):
    text = _section(_page(site, HOSTILE_URL), "fulltext")
    assert "<script>" not in text and "<b>" not in text
    assert "依照《&lt;script&gt;alert(1)&lt;/script&gt;》第一条" in text
    assert (
        f'<a class="nd-cite" href="/normdocs/documents/{stable_id(NOTICE_URL)}#第一条">'
        "《江西省种猪场管理办法》第一条</a>&lt;b&gt;加粗&lt;/b&gt;。"
    ) in text


def test_search_results_say_which_article_a_hit_is_in(site):
    q = urllib.parse.quote("养殖档案")
    rows = site(f"/normdocs/search.json?q={q}&_shape=array").json()
    by_id = {r["id"]: r["article"] for r in rows}
    # the rule's body, the notice (its measure is attached: its body has no such words)
    assert by_id == {stable_id(CITING_URL): None}
    q = urllib.parse.quote("生产经营")
    rows = site(f"/normdocs/search.json?q={q}&_shape=array").json()
    assert {r["id"]: r["article"] for r in rows} == {stable_id(RULE_URL): "第二条"}
    page = site(f"/normdocs/search?q={q}").text
    link = f'<a href="/normdocs/documents/{stable_id(RULE_URL)}#第二条">第二条</a>'
    assert link in page
    assert "所在条文" in page


def test_the_articles_table_is_published_and_labelled(site):
    rows = site("/normdocs/articles.json?_shape=array&kind=条&_size=max").json()
    assert len(rows) == 4 + 3
    page = site("/normdocs/articles").text
    assert "条文" in page
    assert html.escape("第二章/第三条") in page or "第二章/第三条" in page
