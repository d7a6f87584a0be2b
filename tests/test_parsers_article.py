"""The document page rules every family shares, on small page shapes seen on real sites.

Each test writes the few lines of HTML that show one shape (never a saved page): labels and
their spellings, values a template's own script sets, hidden alternatives, placeholders, the
signature block, the title's prefixes, and where the body is found.
"""

from __future__ import annotations

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from corpus.store.records import ParseError
from crawler.parsers import gkmlpt, hanweb, trs
from crawler.parsers.article import li_fields, order_of_region
from crawler.parsers.common import (
    clean_value,
    join_pieces,
    label_field,
    page_fields,
    same_body,
    signature_block,
    text_fields,
    title_prefix_number,
    title_status,
)
from crawler.parsers.pagescript import run_inline_scripts, without_hidden

BODY = "<div class='TRS_Editor'><p>各有关单位：</p><p>现将有关事项通知如下。</p></div>"


def page(inner: str, head: str = "", title: str = "关于做好某项工作的通知") -> HtmlResponse:
    html = (
        f"<html><head><meta name='ArticleTitle' content='{title}'>{head}</head>"
        f"<body>{inner}</body></html>"
    )
    return HtmlResponse(url="https://example.gov.cn/a/t20230101_1.html", body=html.encode())


def document(inner: str, parser=trs, **kw):
    return parser.parse_document(page(inner, **kw), site="t", kind="normative")


def fields(html: str) -> dict[str, str]:
    return {name: value for name, (_, value) in page_fields(Selector(text=html)).items()}


def scripted(html: str) -> Selector:
    root = Selector(text=html).root
    run_inline_scripts(root)
    return Selector(root=without_hidden(root), type="html")


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("文件状态", "validity"),
        ("信息时效期", "validity"),
        ("文件有效性", "validity"),
        ("备注/文号", "doc_number"),
        ("公文生成日期", "written_date"),
        ("制发单位", "issuer"),
        ("公布日期", "published_date"),
        ("公开日期", "published_date"),
        ("日期", "published_date"),
        ("索\u3000引\u3000号", "index_no"),
        ("文\u2003\u2003号", "doc_number"),
        ("[有效性]", "validity"),
    ],
)
def test_knows_the_label_spellings_of_real_templates(label: str, field: str) -> None:
    assert label_field(label) == field


def test_reads_a_bracketed_label_whose_value_is_split_over_spans() -> None:
    html = (
        "<ol><li>[发文字号] <span><span>京政办发</span><span>〔2023〕</span><span>15号</span>"
        "</span></li><li>[有效性] <span>现行有效</span></li><li>[废止日期] <span></span></li></ol>"
    )
    got = fields(html)
    assert got["doc_number"].replace(" ", "") == "京政办发〔2023〕15号"
    assert got["validity"] == "现行有效"


def test_reads_a_label_in_a_heading_with_its_value_beside_it() -> None:
    html = "<div class='flex'><h1>有效性：</h1><p>有效</p></div><div class='flex'><h1>发布机构：</h1><p>市住建局</p></div>"
    assert fields(html) == {"validity": "有效", "issuer": "市住建局"}


def test_reads_label_and_value_list_items_and_label_span_rows() -> None:
    html = (
        "<ul><li class='gk-l1'>索引号:</li><li class='gk-l2'>2102000003/2021-13983</li></ul>"
        "<div class='row'><label>成文日期：</label><span>2021-08-13</span></div>"
    )
    assert fields(html) == {"index_no": "2102000003/2021-13983", "written_date": "2021-08-13"}


def test_a_label_that_ends_its_list_has_no_value() -> None:
    html = "<ul><li>发布机构：省发改委</li><li>有效性：</li></ul><div>其他栏目</div>"
    assert fields(html) == {"issuer": "省发改委", "validity": ""}


def test_reads_every_label_of_a_line_that_holds_several() -> None:
    html = "<p>日期：2025-02-26 11:54 来源：省发改委</p>"
    assert fields(html) == {"published_date": "2025-02-26 11:54", "source": "省发改委"}


def test_a_specific_date_label_wins_over_a_bare_date_wherever_it_stands() -> None:
    html = "<p>日期：2025-02-26</p><table><tr><td>发布日期：</td><td>2025-02-20</td></tr></table>"
    assert fields(html)["published_date"] == "2025-02-20"


def test_a_search_forms_status_choices_are_no_value() -> None:
    html = (
        "<span class='file-status'><span>文件状态</span><input type='radio' checked><i>不限</i>"
        "<input type='radio'><i>现行有效</i><input type='radio'><i>已失效</i></span>"
    )
    assert fields(html).get("validity", "") == ""


@pytest.mark.parametrize("shown", ["无", "-", "----", "〔〕号", "〔 〕号", "暂无", "/"])
def test_a_placeholder_is_an_empty_value(shown: str) -> None:
    assert clean_value(shown) == ""
    assert fields(f"<table><tr><td>文号：</td><td>{shown}</td></tr></table>")["doc_number"] == ""


# ---------------------------------------------------------------- the page's own scripts


def test_reads_the_value_a_templates_script_rewrites() -> None:
    html = (
        "<ol><li class='yxx'>[有效性] <span>是</span></li></ol><script>"
        "if($('.yxx span').html()=='是'){$('.yxx span').html('现行有效');}"
        "if($('.yxx span').html()=='否'){$('.yxx span').html('失效');}</script>"
    )
    assert scripted(html).css(".yxx span::text").get() == "现行有效"


def test_runs_the_branch_the_pages_own_data_chooses() -> None:
    html = (
        "<table><tr><td>发布机构：</td><script>if(''!=''){document.write('<td></td>')}"
        "else{document.write('<td>市政府办公厅</td>')}</script></tr></table>"
        "<span id='yxxVal'></span><script>var fzTime = '';\n"
        "if(fzTime != ''){ if(new Date(fzTime) < Date.now()){ $('#yxxVal').html('废止') }"
        " else { $('#yxxVal').html('有效') } } else { $('#yxxVal').html('有效') }</script>"
    )
    sel = scripted(html)
    assert sel.css("#yxxVal::text").get() == "有效"
    assert fields(sel.get())["issuer"] == "市政府办公厅"


def test_a_condition_it_cannot_decide_runs_no_branch() -> None:
    html = (
        "<span id='v'>原值</span><script>var fzTime = '2020-01-01';\n"
        "if(new Date(fzTime).getTime() < Date.now()){ $('#v').html('废止') }"
        " else { $('#v').html('有效') }</script>"
    )
    assert scripted(html).css("#v::text").get() == "原值"


def test_writes_what_a_script_builds_from_its_variables() -> None:
    html = (
        "<span><script>var pubdata = '2023-06-25 12:04:51';\n"
        "if (pubdata != '') { document.write('发布时间：' + pubdata); }</script></span>"
    )
    assert fields(scripted(html).get())["published_date"] == "2023-06-25 12:04:51"


def test_an_event_handler_is_never_run() -> None:
    html = "<span id='v'>原值</span><script>$('#b').click(function(){ $('#v').html('点过') });</script>"
    assert scripted(html).css("#v::text").get() == "原值"


# ---------------------------------------------------------------- hidden alternatives


def test_only_the_visible_alternative_row_is_the_pages_word() -> None:
    rows = "".join(
        f"<li ms-visible='\"02\"==\"{code}\"' style='display:none'>有效性：<em>{word}</em></li>"
        for code, word in (("01", "有效"), ("02", "失效"), ("03", "废止"))
    )
    record = document(f"<ul>{rows}</ul>{BODY}")
    assert record.validity_raw == "失效"


def test_a_table_its_own_stylesheet_shows_is_read() -> None:
    html = (
        "<style>#xxgkhide { display: block !important; }</style>"
        "<div id='xxgkhide' style='display:none;'><table><tr><td>索引号:</td>"
        "<td>002489639/2020-23021</td></tr></table></div>"
        "<div class='hide' style='display:none'><table><tr><td>文号:</td><td>杭房〔2020〕2号</td></tr>"
        f"</table></div>{BODY}"
    )
    record = document(html)
    assert record.index_no == "002489639/2020-23021"
    assert record.doc_number == "杭房〔2020〕2号"  # hidden, shown on a condition: the one value


def test_hidden_alternatives_that_disagree_give_no_value() -> None:
    rows = "".join(
        f"<li style='display:none'>有效性：<em>{word}</em></li>" for word in ("有效", "失效")
    )
    assert document(f"<ul>{rows}</ul>{BODY}").validity_raw == ""


def test_a_gkmlpt_post_page_gives_its_validity_flags_from_its_script_data() -> None:
    html = (
        '<script>window._CONFIG = {DETAIL: {"gkml_data": {"is_expired":1,'
        "\"is_abolished\":0}}};</script><div class='article-content'><p>各单位：</p></div>"
    )
    record = document(html, parser=gkmlpt)
    assert record.validity_raw == "已失效"


# ---------------------------------------------------------------- signature, issuer, dates


def test_reads_the_issuer_and_date_from_the_signature_block_before_the_plan() -> None:
    lines = [
        "各县、区人民政府：",
        "《工作方案》已经市政府常务会议审议通过，现印发给你们，请认真贯彻落实。",
        "白银市人民政府办公室",
        "2022年10月6日",
        "（此件公开发布）",
        "工作方案",
        "一、总体要求 ……",
        "附件：领导小组组成人员名单",
    ]
    assert signature_block(lines) == ("白银市人民政府办公室", "2022年10月6日", "2022-10-06")


def test_joins_the_issuers_of_a_joint_signature() -> None:
    lines = [
        "现印发你们，请认真贯彻落实。",
        "甘肃省发展和改革委员会 甘肃省工业和信息化厅",
        "甘肃省财政厅 国家税务总局甘肃省税务局",
        "2025年2月25日",
    ]
    issuer, _, iso = signature_block(lines)
    assert issuer.split() == ["甘肃省发展和改革委员会", "甘肃省工业和信息化厅", "甘肃省财政厅",
                              "国家税务总局甘肃省税务局"]  # fmt: skip
    assert iso == "2025-02-25"


def test_a_dated_clause_is_no_signature() -> None:
    assert signature_block(["本办法自2023年4月1日起施行。", "2023年3月8日"]) is None


def test_the_signature_names_the_issuer_unless_the_source_names_the_same_body() -> None:
    signed = "<p>东营市住房公积金管理委员会</p><p>2022年6月1日</p>"
    body = f"<div class='TRS_Editor'><p>现就有关政策调整如下：</p>{signed}</div>"
    other = document(f"<p>来源：市住房公积金管理中心</p>{body}")
    assert other.issuer == "东营市住房公积金管理委员会"
    assert other.written_date == "2022-06-01"
    short = document(f"<p>来源：市住房公积金管理委员会</p>{body}")
    assert short.issuer == "市住房公积金管理委员会"
    assert same_body("省政府办公厅", "江西省人民政府办公厅")
    assert not same_body("产业处", "甘肃省发展和改革委员会")


def test_fawen_date_is_the_written_date_beside_a_publishing_date() -> None:
    table = "<table><tr><td>发文日期：</td><td>2023-06-19</td></tr></table>"
    record = document(f"{table}<p>发布日期：2023-06-21 14:18</p>{BODY}")
    assert (record.written_date, record.published_date) == ("2023-06-19", "2023-06-21")


def test_fawen_date_is_the_publishing_date_beside_a_written_date() -> None:
    cells = "<td>成文日期：</td><td>2023-06-10</td><td>发文日期：</td><td>2023-06-19</td>"
    record = document(f"<table><tr>{cells}</tr></table>{BODY}")
    assert (record.written_date, record.published_date) == ("2023-06-10", "2023-06-19")


def test_reads_a_meta_whatever_its_case_and_padding() -> None:
    record = document(BODY, head="<meta name=' Pubdate ' content='2018-06-26'>")
    assert record.published_date == "2018-06-26"


# ---------------------------------------------------------------- titles and numbers


def test_a_status_opening_the_title_is_the_pages_validity() -> None:
    assert title_status("[已废止]大连市人民政府办公室关于…的通知") == (
        "大连市人民政府办公室关于…的通知",
        "已废止",
    )
    record = document(BODY, title="（失效）北京市某某区关于…的实施意见")
    assert (record.title, record.validity_raw) == ("北京市某某区关于…的实施意见", "失效")


def test_a_tag_and_a_number_opening_the_title_are_taken_off_it() -> None:
    record = document(
        BODY, title="【贷款】武公中规〔2026〕2号武汉住房公积金管理中心关于优化政策的通知"
    )
    assert record.title == "武汉住房公积金管理中心关于优化政策的通知"
    assert record.doc_number == "武公中规〔2026〕2号"
    # A number that begins a phrase of the title stays in it.
    assert title_prefix_number("赣府厅发〔2015〕18号文件政策解读")[1] is None


def test_an_order_of_the_provincial_government_names_its_province() -> None:
    assert order_of_region("省政府令第232号", "江西省人民政府") == "江西省人民政府令第232号"
    assert order_of_region("省政府令第232号", "省政府办公厅", "江西省人民政府") == (
        "江西省人民政府令第232号"
    )
    assert order_of_region("市人民政府令第5号", "武汉市人民政府") == "武汉市人民政府令第5号"
    assert order_of_region("赣府发〔2020〕1号", "江西省人民政府") == "赣府发〔2020〕1号"


# ---------------------------------------------------------------- where the body is


def test_finds_a_body_in_a_container_of_another_template() -> None:
    record = document("<div class='zoom'><p>莲都区人民政府，市直各单位：</p></div>", parser=hanweb)
    assert record.body_text == "莲都区人民政府，市直各单位："


def test_empty_content_markers_in_the_head_do_not_hide_the_body() -> None:
    head = "<meta name='ContentStart' content='[contentStart]'><meta name='ContentEnd' content=''>"
    inner = "<div class='article'><p>各住房公积金缴存单位：</p><p>现就有关问题通知如下。</p></div>"
    record = document(inner, parser=hanweb, head=head)
    assert record.body_text.startswith("各住房公积金缴存单位：")


def test_an_empty_body_inside_a_page_wrapper_stays_empty() -> None:
    inner = (
        "<div class='content'><ul><li>文号：长金管委〔2022〕3号</li></ul>"
        "<div class='content-main'><p></p></div></div>"
    )
    record = document(inner)
    assert record.body_text == ""
    assert record.doc_number == "长金管委〔2022〕3号"


def test_takes_the_densest_paragraphs_for_a_body_no_template_names_and_says_so() -> None:
    paragraph = "为贯彻落实党中央、国务院决策部署，现就相关事项通知如下。" * 3
    inner = (
        "<div class='nav'><p>首页</p></div><div class='con-main'><div class='small-title'>分享</div>"
        f"<p>各有关单位：</p><p>{paragraph}</p></div>"
    )
    record = document(inner, parser=hanweb)
    assert record.body_text.splitlines()[-2:] == ["各有关单位：", paragraph]
    assert record.meta["layout_repair"] == "body taken by text density: div.con-main"


def test_the_density_fallback_prefers_prose_to_a_footer_and_the_body_to_its_wrapper() -> None:
    footer = (
        "<div class='footer'>"
        + "<p>主办单位：某某市人民政府办公室 地址：某某路1号 电话：12345678</p>" * 3
        + "</div>"
    )
    notice = "<p>各区人民政府，市政府各部门：</p><p>现将《办法》印发给你们，请认真贯彻执行。</p>"
    inner = f"<div class='wrap'><div class='meta'>索引号：X</div><div class='txt'>{notice}</div></div>{footer}"
    record = document(inner, parser=hanweb)
    assert record.meta["layout_repair"] == "body taken by text density: div.txt"
    assert record.body_text.startswith("各区人民政府")


def test_a_disclosure_page_whose_text_is_only_attached_is_kept_with_an_empty_body() -> None:
    inner = "<ul><li>索引号：000014349/2022-01348</li><li>文号：长金管委〔2022〕3号</li></ul>"
    record = document(inner)
    assert (record.body_text, record.doc_number) == ("", "长金管委〔2022〕3号")
    assert record.meta["layout_repair"] == "no body found: a disclosure page without text"


def test_a_page_without_any_body_is_lost_with_a_reason() -> None:
    with pytest.raises(ParseError, match="no known body container"):
        document("<div class='nav'><p>首页</p></div>")


def test_reads_the_number_atop_the_body_beside_a_registration_number() -> None:
    inner = (
        "<div class='TRS_Editor'><p>CSCR-2018-01025　长政办函〔2018〕75号</p><p>各单位：</p></div>"
    )
    assert document(inner).doc_number == "长政办函〔2018〕75号"


def test_a_title_from_the_page_is_its_longest_heading_without_the_sites_name() -> None:
    html = "<html><head><title>某某市政府门户网站-关于做好某项工作的通知</title>"
    html += "<meta name='SiteName' content='某某市政府门户网站'></head><body>"
    html += "<div id='zoom'><p>各单位：</p></div></body></html>"
    response = HtmlResponse(url="https://example.gov.cn/art/1.html", body=html.encode())
    assert (
        hanweb.parse_document(response, site="t", kind="normative").title
        == "关于做好某项工作的通知"
    )
    inner = "<h1>某某市人民政府</h1><h1>关于做好某项工作的通知</h1>" + BODY
    response = HtmlResponse(
        url="https://example.gov.cn/t1.html", body=f"<html><body>{inner}</body></html>".encode()
    )
    assert (
        trs.parse_document(response, site="t", kind="normative").title == "关于做好某项工作的通知"
    )


def test_pieces_of_one_value_join_without_spaces_the_page_does_not_show():
    assert join_pieces(["京建发", "〔2024〕", "11号"]) == "京建发〔2024〕11号"
    assert join_pieces(["GB", "2312"]) == "GB 2312"  # two Latin words keep their space
    assert join_pieces(["", " 赣府发 ", "〔2022〕1号"]) == "赣府发〔2022〕1号"


def test_a_value_split_over_spans_is_read_as_the_page_shows_it():
    html = (
        "<ul><li>[发文字号] <span><span>京建发</span><span>〔2024〕</span><span>11号</span>"
        "</span></li></ul>"
    )
    fields = text_fields(Selector(text=html))
    assert fields["doc_number"][1] == "京建发〔2024〕11号"


def test_a_placeholder_in_a_label_value_list_item_is_empty():
    html = "<ul><li><span>文　　号：〔〕号</span></li><li>有效性：有效</li></ul>"
    fields = li_fields(Selector(text=html))
    assert fields["doc_number"][1] == ""
    assert fields["validity"][1] == "有效"
