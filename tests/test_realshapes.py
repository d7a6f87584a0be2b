"""The mirror's pages on the structures of real detail pages (mirror/realshapes.py, realpages.py).

Each page is asked of its site's handler in-process (no server) and read here with lxml, by
hand, against the truth: the page must show what the truth says, in the real structure it
imitates. Nothing of the crawler is used. The crawl of these sites is in
tests/test_mirror_real_shapes.py.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest

import mirror
from mirror import server
from mirror.catalog import site_by_name
from mirror.groundtruth import clean_text_lines, squash_spaces
from mirror.realshapes import GATEWAY, HANWEB_SHAPES, TRS_SHAPES
from mirror.world import build_world, world

BASE = 18801
SITES = ("zj-jst", "bj-zjw")
TRUTH = mirror.truth(BASE, include_extra=True)
DOCS = {d["url"]: d for d in TRUTH["documents"] if d["site"] in SITES}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def ask(site: str, url: str):
    """The site's answer to a GET of ``url`` (its handler, in-process)."""
    s = site_by_name(site)
    parts = urlsplit(url)
    query = dict(p.split("=", 1) for p in parts.query.split("&")) if parts.query else {}
    return server.FAMILIES[s.family](world(), s, BASE, "GET", parts.path, query, {})


def _shaped() -> dict[str, list[tuple[dict, lxml.html.HtmlElement, str]]]:
    """shape → [(truth row, parsed page, page text)] for every document of the two sites."""
    out: dict[str, list] = {}
    for url, row in DOCS.items():
        art = world().pages[
            next(r for r in world().pages if r.site == row["site"] and r.path == _path(url))
        ]
        reply = ask(row["site"], url)
        assert reply.status == 200, url
        out.setdefault(art.spec["shape"], []).append(
            (row, lxml.html.fromstring(reply.body), reply.body)
        )
    return out


SHAPED = _shaped()


def rows(shape: str):
    return SHAPED[shape]


def lines(el) -> str:
    """The contract's body text of the ``<p>`` lines under ``el``."""
    return clean_text_lines([p.text_content() for p in el.iter("p")])


def meta(doc, name: str) -> str:
    return doc.xpath(f'//meta[@name="{name}"]/@content')[0]


def iso(text: str) -> str:
    """2024-06-06, 2024年6月6日, 2024年06月06日 → 2024-06-06."""
    y, m, d = re.search(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})", text).groups()
    return f"{y}-{int(m):02d}-{int(d):02d}"


def hidden(el) -> bool:
    return "display:none" in (el.get("style") or "").replace(" ", "")


# ---------------------------------------------------------------- the sites


def test_every_document_takes_a_shape_and_every_shape_two_pages_or_more():
    counts = Counter((d.site, d.spec.get("shape")) for d in world().documents if d.site in SITES)
    assert counts == {
        ("zj-jst", "signature_only"): 3, ("zj-jst", "repealed_title"): 3,
        ("zj-jst", "zoom_class"): 3, ("zj-jst", "easysite"): 3, ("zj-jst", "con_main"): 2,
        ("zj-jst", "jpaas"): 2, ("bj-zjw", "chongqing"): 4, ("bj-zjw", "wuhan"): 3,
        ("bj-zjw", "changsha"): 3, ("bj-zjw", "beijing"): 3, ("bj-zjw", "fujian"): 3,
        ("bj-zjw", "gansu"): 2,
    }  # fmt: skip
    assert {s for _, s in counts} == set(HANWEB_SHAPES + TRS_SHAPES)


def test_the_sites_are_extra_and_the_shapes_are_drawn_the_same_every_time():
    assert not {s["name"] for s in mirror.truth(BASE)["sites"]} & set(SITES)
    assert not set(SITES) & set(mirror.sites_yaml(BASE).split())
    again = build_world()
    for doc in (d for d in world().documents if d.site in SITES):
        twin = again.pages[doc.ref]
        assert twin.spec["shape"] == doc.spec["shape"]
        s = site_by_name(doc.site)
        first = server.FAMILIES[s.family](world(), s, BASE, "GET", doc.path, {}, {})
        second = server.FAMILIES[s.family](again, s, BASE, "GET", doc.path, {}, {})
        assert first.body == second.body, doc.path


def test_interpretation_pages_and_lists_stay_the_familys_own():
    for row in (i for i in TRUTH["interpretations"] if i["site"] in SITES):
        body = ask(row["site"], row["url"]).body
        assert squash_spaces(row["title"]) in body
        assert "ContentStart" in body or "TRS_Editor" in body


# ---------------------------------------------------------------- body containers


CONTAINERS = {
    "zoom_class": '//div[@class="zoom"]',
    "easysite": '//div[@class="article clearfix"]',
    "con_main": '//div[@class="con-main"]',
    "jpaas": '//div[@id="zoom"]',
    "beijing": '//div[@id="mainText"]',
    "chongqing": '//div[@class="document"]',
    "changsha": '//div[@class="content-main"]',
    "fujian": '//div[@class="TRS_Editor"]',
    "wuhan": '//div[@class="paragraph"]',
    "gansu": '//div[@id="detailContent"]',
    "signature_only": '//div[@id="zoom"]',
    "repealed_title": '//div[@id="zoom"]',
}


@pytest.mark.parametrize("shape", sorted(CONTAINERS))
def test_the_body_container_holds_exactly_the_truths_body(shape):
    for row, doc, _ in rows(shape):
        (container,) = doc.xpath(CONTAINERS[shape])
        assert lines(container) == row["body_text"], row["url"]


def test_only_the_marked_shapes_carry_content_markers_and_easysites_are_empty_in_the_head():
    for shape in HANWEB_SHAPES + TRS_SHAPES:
        for row, doc, text in rows(shape):
            starts = doc.xpath('//meta[@name="ContentStart"]')
            if shape in ("signature_only", "repealed_title"):
                assert len(starts) == 1 and starts[0].getparent().get("id") == "zoom"
            elif shape == "easysite":
                head = doc.find("head")
                assert [m.get("content") for m in head.iter("meta") if m.get("name") in
                        ("ContentStart", "ContentEnd")] == ["[contentStart]", "[contentEnd]"]  # fmt: skip
                assert text.index('name="ContentEnd"') < text.index("</head>")
            else:
                assert not starts and "ZJEG_RSS" not in text, (shape, row["url"])


def test_con_main_holds_its_paragraphs_loose_beside_a_share_box_and_print_links():
    for row, doc, _ in rows("con_main"):
        (main,) = doc.xpath('//div[@class="con-main"]')
        loose = [p for p in main if p.tag == "p"]
        assert clean_text_lines([p.text_content() for p in loose]) == row["body_text"]
        assert main.xpath('./div[@class="small-title"]//script')
        assert [a.text for a in main.xpath('.//div[@class="main-word-right"]/a')] == [
            "打印",
            "关闭",
        ]


# ---------------------------------------------------------------- labels and values


def cells(doc, xpath: str) -> dict[str, str]:
    """label → value of consecutive cells (labels keep their inner padding)."""
    found = [td.text_content().strip() for td in doc.xpath(xpath)]
    return dict(zip(found[::2], found[1::2], strict=True))


def test_zoom_class_table_labels_are_padded_and_its_only_date_is_the_fawen_date():
    placeholders = 0
    for row, doc, _ in rows("zoom_class"):
        got = cells(doc, '//table[@class="xxgk_article"]//td')
        assert set(got) == {
            "索　引　号",
            "文　　号",
            "组配分类",
            "发布机构",
            "发文日期",
            "有　效　性",
        }
        assert got["索　引　号"] == row["index_no"] and got["发布机构"] == row["issuer"]
        assert got["有　效　性"] == row["validity_raw"]
        assert iso(got["发文日期"]) == row["written_date"] and row["subject"] == ""
        if got["文　　号"] == "无":
            placeholders += 1
            assert (row["doc_number_raw"], row["doc_number"]) == ("", None)
        else:
            assert got["文　　号"] == row["doc_number_raw"]
    assert placeholders == 1


def test_easysite_lists_its_labels_in_spans_and_cuts_the_written_date_by_script():
    for row, doc, text in rows("easysite"):
        got = {
            li.find("span").text.rstrip("：:"): squash_spaces(li.find("p").text_content())
            for li in doc.xpath('//div[@class="fw_content"]//li')
        }
        assert got["文件有效性"] == row["validity_raw"] and got["制发单位"] == row["issuer"]
        assert got["成文日期"] == f"{row['written_date']} 00:00:00"
        assert got["发文字号"] == row["doc_number_raw"] and got["主题分类"] == row["subject"]
        assert got["发布日期"] == row["published_date"] and row["index_no"] == ""
        assert '$(this).text().split(" ")[0]' in text


def test_con_main_table_is_hidden_inline_and_shown_by_the_pages_stylesheet():
    placeholders = 0
    for row, doc, text in rows("con_main"):
        (box,) = doc.xpath('//div[@id="xxgkhide"]')
        assert hidden(box) and "#xxgkhide { display: block !important; }" in text
        got = {k.rstrip(":"): v for k, v in cells(doc, '//table[@class="xxgkinfo"]//td').items()}
        assert got["公开日期"] == row["published_date"] and got["发布单位"] == row["issuer"]
        assert got["有效性"] == row["validity_raw"] and "成文日期" not in text
        assert got["文号"] in ("-", row["doc_number_raw"])
        placeholders += got["文号"] == "-"
        assert "meta_695767_2" in text  # an unrendered template field beside 主题分类
    assert placeholders == 1


def _signature(row: dict) -> int:
    """Where the signature stands in the truth's body: the issuer's line, then the date's."""
    body = row["body_text"].split("\n")
    at = body.index(row["issuer"])
    assert re.search(r"年.+月.+日$", body[at + 1])
    return len(body) - at


@pytest.mark.parametrize("shape", ["signature_only", "gansu"])
def test_pages_without_metadata_name_issuer_and_date_only_in_a_signature_the_measure_follows(shape):
    for row, doc, _ in rows(shape):
        outside = [t for t in doc.xpath("//body//text()") if t.strip()]
        (container,) = doc.xpath(CONTAINERS[shape])
        text = " ".join(outside).replace(container.text_content(), "")
        for label in ("索引号", "文号", "发布机构", "成文日期", "有效性"):
            assert label not in text, (row["url"], label)
        assert (row["index_no"], row["doc_number"], row["validity_raw"]) == ("", None, "")
        assert meta(doc, "ContentSource") in ("办公室", "政策法规处")
        assert _signature(row) > 4  # the measure the notice issues comes after it


def test_a_repealed_title_is_the_pages_only_word_on_validity():
    for row, doc, text in rows("repealed_title"):
        assert meta(doc, "ArticleTitle") == f"[已废止]{row['title']}"
        assert doc.xpath("//h3/text()")[0] == f"[已废止]{row['title']}"
        assert row["validity_raw"] == "已废止" and "有效性" not in text
        got = cells(doc, '//div[@class="gk-bq"]/ul/li')
        assert (
            got["文件编号:"] == row["doc_number_raw"]
            and iso(got["成文日期:"]) == row["written_date"]
        )
        assert '<!--<ul><li class="gk-l1">主题分类:' in text and row["subject"] == ""


def test_a_number_and_a_tag_open_the_title_of_a_page_without_a_table():
    for row, doc, _ in rows("wuhan"):
        shown = meta(doc, "ArticleTitle")
        assert re.fullmatch(r"【[^】]+】", shown[: shown.index("】") + 1])
        assert shown.endswith(row["doc_number"] + row["title"])
        assert row["doc_number_raw"] == row["doc_number"] and row["index_no"] == ""
        assert doc.xpath('//div[@class="title"]/p/text()')[0] == shown
        assert meta(doc, "ContentSource") == row["issuer"]


def test_beijing_numbers_are_split_over_spans_and_validity_is_what_its_script_shows():
    shown = Counter()
    for row, doc, text in rows("beijing"):
        spans = doc.xpath('//li[@class="fwzh"]/span/span')
        parts = [s.text or "" for s in spans]
        if row["doc_number"]:
            assert "".join(parts) == row["doc_number_raw"] == row["doc_number"] and len(parts) == 3
        else:
            assert parts == ["", "〔〕", "号"] and row["doc_number_raw"] == ""
        (value,) = doc.xpath('//li[@class="yxx"]/span/text()')
        shown[value] += 1
        assert row["validity_raw"] == {"是": "现行有效", "否": "失效"}[value]
        assert 'if($(".yxx span").html()=="否"){$(".yxx span").html("失效");}' in text
        labels = [li.text.strip() for li in doc.xpath('//ol[@class="doc-info clearfix"]/li')]
        assert all(re.fullmatch(r"\[[^\]]+\]", label) for label in labels)  # no colon
    assert shown == {"否": 2, "是": 1}


def test_beijing_states_its_start_and_the_day_after_its_end_as_the_truth_says():
    cases = Counter()
    for row, doc, _ in rows("beijing"):
        values = {
            li.text.strip(): "".join(li.xpath("./span/text()")).strip()
            for li in doc.xpath('//ol[@class="doc-info clearfix"]/li')
        }
        effective, repealed = values["[实施日期]"], values["[废止日期]"]
        assert (row["page_effective_raw"], row["page_expiry_raw"]) == (effective, repealed)
        assert row["page_effective_label"] == ("实施日期" if effective else "")
        assert row["page_expiry_label"] == ("废止日期" if repealed else "")
        if repealed:  # the day after the last day in force
            last = date.fromisoformat(repealed) - timedelta(days=1)
            assert row["expires_on"] == last.isoformat()
        body_states_end = bool(re.search("有效期|废止|止", row["body_text"]))
        if effective != row["effective_date"]:
            cases["slip"] += (
                1  # the page's 实施日期 is its 成文日期; the text's clause is the truth
            )
            start = date.fromisoformat(row["effective_date"])
            assert effective == row["written_date"]
            assert f"{start.year}年{start.month}月{start.day}日起施行" in row["body_text"]
        if repealed and not body_states_end:
            cases["page only"] += 1  # no term in the text: the truth's end is the page's
    assert cases == {"slip": 1, "page only": 1}


def test_changsha_states_the_texts_start_under_a_padded_label_and_may_date_its_end():
    dated = 0
    for row, doc, _ in rows("changsha"):
        items = [s.text_content().strip() for s in doc.xpath('//div[@class="wjxx"]//span')]
        got = dict(item.split("：", 1) for item in items)
        assert got["生　效　日　期"] == row["page_effective_raw"] == (row["effective_date"] or "")
        assert row["page_effective_label"] == ("生效日期" if row["effective_date"] else "")
        if re.fullmatch(r"\d{4}-\d\d-\d\d", got["信息时效期"]):  # the term's last day
            dated += 1
            assert got["信息时效期"] == row["page_expiry_raw"] == row["expires_on"]
            assert row["page_expiry_label"] == "信息时效期"
        else:
            assert row["page_expiry_raw"] == row["page_expiry_label"] == ""
    assert dated == 1


def test_chongqing_shows_one_file_status_of_its_alternatives_and_files_only_on_click():
    for row, doc, _ in rows("chongqing"):
        status = doc.xpath('//tr[td[1][normalize-space()="文件状态："]]')
        visible = [tr for tr in status if not hidden(tr)]
        assert len(status) == 3 and len(visible) == 1
        assert squash_spaces(visible[0][1].text_content()) == row["validity_raw"]
        assert row["attachments"]
        links = doc.xpath('//ul[@class="detail_fj"]//a')
        assert all(a.get("href") is None for a in links)
        got = []
        for a in links:
            name, path = re.fullmatch(r"downloadFj\('(.+)','(.+)'\)", a.get("onclick")).groups()
            got.append((urljoin(row["url"], path), name))
        assert got == [(att["url"], att["name"]) for att in row["attachments"]]
        assert not doc.xpath('//div[@class="document"]//a[@href]')  # none in the body
        for att in row["attachments"]:
            reply = ask(row["site"], att["url"])
            assert reply.body.startswith(b"%PDF" if att["ext"] == "pdf" else b"PK")


def test_changsha_items_pad_their_labels_and_read_the_term_as_validity():
    placeholders = 0
    for row, doc, _ in rows("changsha"):
        items = [s.text_content().strip() for s in doc.xpath('//div[@class="wjxx"]//span')]
        got = dict(item.split("：", 1) for item in items)
        assert got["索　引　号"] == row["index_no"] and got["公布日期"] == row["published_date"]
        assert got["信息时效期"] == row["validity_raw"] and got["公开责任部门"] == "市司法局"
        assert row["issuer"] != "市司法局" and meta(doc, "ContentSource") == row["issuer"]
        if got["文　　号"] == "〔〕号":
            placeholders += 1
            assert row["doc_number_raw"] == ""
        else:
            assert got["文　　号"] == row["doc_number_raw"]
    assert placeholders == 1


def test_fujian_hides_every_validity_item_and_its_code_shows_the_truth():
    for row, doc, _ in rows("fujian"):
        items = doc.xpath('//div[contains(@class,"index_box")]//li')
        pairs = (squash_spaces(li.text_content()).split("：", 1) for li in items[:4])
        got = {label: value.strip() for label, value in pairs}
        assert got["备注/文号"] == row["doc_number_raw"] and got["发布机构"] == row["issuer"]
        assert got["公文生成日期"] == row["written_date"]
        options = items[4:]
        assert len(options) == 4 and all(hidden(li) for li in options)
        chosen = [
            li for li in options if len(set(re.findall(r'"(\d*)"', li.get("ms-visible")))) == 1
        ]
        assert [li.find("em").text for li in chosen] == [row["validity_raw"]]


# ---------------------------------------------------------------- links and files


def test_jpaas_files_come_from_the_gateway_without_extension_and_tell_it_when_fetched():
    files = [att for row, _, _ in rows("jpaas") for att in row["attachments"]]
    assert files
    for att in files:
        parts = urlsplit(att["url"])
        assert parts.path == GATEWAY and parts.query.startswith("fileUrl=/cms_files/")
        assert "." not in parts.query and "." not in att["name"]
        reply = ask("zj-jst", att["url"])
        assert reply.status == 200 and reply.content_type == "application/octet-stream"
        disposition = unquote(reply.headers["Content-Disposition"])
        assert disposition.endswith(f"{att['name']}.{att['ext']}")
        assert reply.body.startswith(b"%PDF" if att["ext"] == "pdf" else b"PK")
    assert ask("zj-jst", f"http://x{GATEWAY}?fileUrl=/nothing").status == 404


def test_jpaas_links_every_interpretation_under_a_label_then_over_sibling_paragraphs():
    longest = 0
    for row, doc, _ in rows("jpaas"):
        (box,) = doc.xpath('//div[@class="article-con-list"]')
        paragraphs = box.findall("p")
        assert paragraphs[0].find("span").text == "政策解读（文字版）"
        assert all(len(p.findall("a")) == 1 for p in paragraphs)
        got = [urljoin(row["url"], p.find("a").get("href")) for p in paragraphs]
        assert got == row["interpretation_urls"] and got
        longest = max(longest, len(got))
        grid = [h.text for h in doc.xpath('//div[@class="article-top"]//h1')]
        assert "规范性文件编号：" in grid and "文件编号：" in grid
        row_of_dates = doc.xpath('//div[@class="flex"][h1="发布日期："]/h1/text()')
        assert row_of_dates == ["发布日期：", "成文日期："]
    assert longest >= 2


def test_every_other_shape_shows_its_interpretations_in_a_related_block():
    for shape, found in SHAPED.items():
        if shape == "jpaas":
            continue
        for row, doc, _ in found:
            blocks = doc.xpath('//div[contains(@class,"xgjd")]//a/@href')
            assert [urljoin(row["url"], h) for h in blocks] == row["interpretation_urls"]
