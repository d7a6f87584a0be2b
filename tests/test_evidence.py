"""What documents say about other documents: decisions, lists, clauses, citations, and matching."""

import pytest

from corpus.store.normalize import BASIS_WORDS
from corpus.validity.evidence import (
    AMEND,
    EXPIRE,
    EXTEND,
    IN_FORCE,
    PARTIAL,
    REPEAL,
    action_of,
    cited_items,
    classify,
    clause_items,
    numbers_in,
    parse_items,
    title_items,
)
from corpus.validity.relations import Doc, Index, act_date, collect, number_key, title_keys
from corpus.validity.terms import Term, extract_term

# ---------------------------------------------------------------- which documents act on others


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("江西省人民政府关于废止和修改部分省政府规章的决定", "decision"),
        ("江西省农业农村厅关于修改《江西省农作物种子管理办法》的决定", "decision"),
        ("江西省生态环境厅关于宣布失效一批行政规范性文件的决定", "decision"),
        ("关于公布现行有效行政规范性文件目录和废止、失效行政规范性文件目录的通知", "list"),
        ("江西省农业农村厅关于公布行政规范性文件清理结果的通知", "list"),
        ("江西省人民政府关于印发《江西省XX管理办法》的通知", None),
        ("江西省人民政府关于表彰全省先进集体的决定", None),
        ("关于印发《江西省政府信息公开目录编制规范》的通知", None),
    ],
)
def test_tells_decisions_and_lists_from_other_documents(title, kind):
    assert classify(title) == kind


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("一、对下列三件省政府规章予以废止：", REPEAL),
        ("二、对下列三件省政府规章的部分条款予以修改：", AMEND),
        ("二、失效的行政规范性文件（2件）", EXPIRE),
        ("江西省农业农村厅现行有效行政规范性文件目录", IN_FORCE),
        ("下列文件继续有效：", IN_FORCE),
        ("废止、失效行政规范性文件目录", None),
        ("省人民政府对现行有效的省政府规章进行了清理。经清理，省人民政府决定：", None),
        ("二、停止执行的文件：", EXPIRE),
        ("下列文件不再适用：", EXPIRE),
        ("关于修订<某市住房公积金管理办法>的通知", AMEND),
        # a version note inside a title names no action
        ("一、对《某某办法（2019年修订）》予以废止：", REPEAL),
    ],
)
def test_a_heading_names_one_action_or_none(line, action):
    assert action_of(line) == action


def test_reads_the_documents_named_in_a_decision_title():
    (item,) = title_items("江西省农业农村厅关于修改《江西省农作物种子管理办法》的决定")
    assert (item.action, item.title, item.number) == (AMEND, "江西省农作物种子管理办法", None)
    assert [i.title for i in title_items("关于废止《甲办法》和《乙规定》的决定")] == [
        "甲办法",
        "乙规定",
    ]


# ---------------------------------------------------------------- items


RULES_DECISION = """江西省人民政府令
第229号
《江西省人民政府关于废止和修改部分省政府规章的决定》已经2024年3月1日省人民政府第20次常务会议审议通过，现予公布，自2024年5月1日起施行。
为维护法制统一，省人民政府对现行有效的省政府规章进行了清理。经清理，省人民政府决定：
一、对下列二件省政府规章予以废止：
1.江西省电梯安全管理办法（2016年12月8日江西省人民政府令第225号公布）
2.江西省地名管理规定（2017年1月8日江西省人民政府令第２２７号公布 2019年11月28日江西省人民政府令第242号修正）
二、对下列一件省政府规章的部分条款予以修改：
（一）江西省统计管理办法（2018年3月8日江西省人民政府令第230号公布）
将第三条中的“统筹规划”修改为“统筹规划、依法管理”。
上述规章根据本决定作相应修改，重新公布。
本决定自2024年5月1日起施行。"""


def test_reads_a_rules_decision_section_by_section():
    items = parse_items(
        RULES_DECISION, action_of("江西省人民政府关于废止和修改部分省政府规章的决定")
    )
    assert [(i.action, i.title, i.number) for i in items] == [
        (REPEAL, "江西省电梯安全管理办法", "江西省人民政府令第225号"),
        (REPEAL, "江西省地名管理规定", "江西省人民政府令第227号"),  # the first order: 公布
        (AMEND, "江西省统计管理办法", "江西省人民政府令第230号"),
    ]
    assert items[0].quote == "江西省电梯安全管理办法（2016年12月8日江西省人民政府令第225号公布）"


def test_reads_table_rows_and_skips_the_header():
    table = (
        "废止的省政府行政规范性文件目录\n序号 文件名称 文号 成文日期\n"
        "1 江西省人民政府关于印发《江西省XX管理办法（试行）》的通知 赣府发[2019]3号 2019年3月1日\n"
        "2 江西省人民政府办公厅关于加强YY工作的通知 赣府厅字〔２０１８〕12 号 2018年5月1日"
    )
    items = parse_items(table)
    assert [(i.action, i.title, i.number) for i in items] == [
        (REPEAL, "江西省XX管理办法（试行）", "赣府发〔2019〕3号"),
        (REPEAL, "江西省人民政府办公厅关于加强YY工作的通知", "赣府厅字〔2018〕12号"),
    ]


def test_a_mixed_list_takes_the_action_of_each_sub_heading():
    text = (
        "江西省农业农村厅废止、失效行政规范性文件目录\n一、废止的行政规范性文件（1件）\n"
        "序号 文件名称 文号 成文日期\n1 关于甲的通知 赣农字〔2019〕5号 2019年1月2日\n"
        "二、失效的行政规范性文件（1件）\n序号 文件名称 文号 成文日期\n"
        "1 关于乙的通知 赣农规〔2018〕7号 2018年3月4日"
    )
    assert [(i.action, i.number) for i in parse_items(text)] == [
        (REPEAL, "赣农字〔2019〕5号"),
        (EXPIRE, "赣农规〔2018〕7号"),
    ]
    # before any heading that names one action, an item has none and is not read
    assert parse_items("废止、失效目录\n1 关于甲的通知 赣农字〔2019〕5号") == []


def test_joins_pdf_rows_wrapped_over_lines_even_inside_a_number():
    pdf = (
        "废止的行政规范性文件目录\n序号 文件名称 文号 发布日期\n"
        "1 江西省生态环境厅关于印发《江西省排污许可管理\n办法》的通知 赣环规〔2019〕3号 2019年3月1日\n"
        "2 江西省生态环境厅关于进一步加强环境监测工作的通知 赣环办字〔2020〕1\n2号 2020年4月1日"
    )
    items = parse_items(pdf, wrapped=True)
    assert [(i.title, i.number) for i in items] == [
        ("江西省排污许可管理办法", "赣环规〔2019〕3号"),
        ("江西省生态环境厅关于进一步加强环境监测工作的通知", "赣环办字〔2020〕12号"),
    ]


def test_an_amendment_names_its_document_with_the_number_inline():
    text = "经研究，决定对《江西省XX办法》（赣农规〔2023〕2号）作如下修改：\n一、将第五条修改为：…"
    (item,) = parse_items(text, AMEND)
    assert (item.action, item.title, item.number) == (AMEND, "江西省XX办法", "赣农规〔2023〕2号")
    # a law named as the basis of a decision is not one of its items
    assert (
        parse_items("根据《江西省行政规范性文件管理办法》（省政府令第247号），决定废止：", REPEAL)
        == []
    )


@pytest.mark.parametrize("word", BASIS_WORDS)
def test_every_basis_word_marks_a_quote_as_cited_not_acted_on(word):
    # the one list (corpus.store.normalize.BASIS_WORDS), read the same way by the linker
    line = f"为{word}《江西省行政规范性文件管理办法》（省政府令第247号），决定废止："
    assert parse_items(line, REPEAL) == []


def test_reads_orders_by_their_own_pattern():
    found = numbers_in("2016年12月8日江西省人民政府令第225号公布，另见赣府发〔2020〕1号")
    assert [c for _, _, c in found] == ["江西省人民政府令第225号", "赣府发〔2020〕1号"]
    assert (
        number_key("江西省人民政府令第225号")
        == number_key("江西省人民政府令第０２２５号")
        == "令225"
    )


# ---------------------------------------------------------------- clauses and citations


def test_reads_repeal_clauses():
    body = (
        "本办法自2023年6月1日起施行，有效期5年。原《江西省某办法》（赣府发〔2018〕1号，"
        "自2018年1月1日起施行）同时废止。《甲》和《乙》（赣府字〔2017〕3号）同时废止。\n"
        "赣府发〔2016〕5号文件同时废止。"
    )
    assert [(i.title, i.number) for i in clause_items(body)] == [
        ("江西省某办法", "赣府发〔2018〕1号"),
        ("甲", None),
        ("乙", "赣府字〔2017〕3号"),
        (None, "赣府发〔2016〕5号"),
    ]
    assert clause_items("本办法自2023年6月1日起施行。") == []


@pytest.mark.parametrize(
    ("body", "items"),
    [
        # the verb after the named documents
        ("《某某通知》（某政办〔2022〕1号）停止执行。", [(EXPIRE, "某某通知", "某政办〔2022〕1号")]),
        ("本解释施行后，《某某解释》（法释〔2002〕3号）不再适用。",
         [(EXPIRE, "某某解释", "法释〔2002〕3号")]),
        ("《某某意见》（某金规〔2022〕1号）文件废止，取消该项业务。",
         [(REPEAL, "某某意见", "某金规〔2022〕1号")]),
        ("对《甲意见》（某政字[2017]16号）和《乙通知》（某政字[2017)19号）两文件予以废止。",
         [(REPEAL, "甲意见", "某政字〔2017〕16号"), (REPEAL, "乙通知", "某政字〔2017〕19号")]),
        ("本公告自发布之日起施行，中国人民银行公告〔2019〕第16号同时废止。",
         [(REPEAL, None, "中国人民银行公告〔2019〕第16号")]),
        # the verb before them
        ("经市政府同意，废止《某某通知》（某政办规〔2018〕12号）。",
         [(REPEAL, "某某通知", "某政办规〔2018〕12号")]),
        # only a part stops: an article, an annex, one policy
        ("《某某通知》（财税〔2016〕36号）附件3《某某规定》第五条第一款同步停止执行。",
         [(PARTIAL, "某某通知", "财税〔2016〕36号")]),
        ("不再执行《某某通知》（某政办〔2017〕90号）中的限转售政策。",
         [(PARTIAL, "某某通知", "某政办〔2017〕90号")]),
        ("废止《某某办法》（某管委会〔2020〕4号）第四章第十条。",
         [(PARTIAL, "某某办法", "某管委会〔2020〕4号")]),
        # the 文号 of an order written before the title, the city's prefix inside the brackets
        ("2014年2月14日原国家工商行政管理总局令第62号公布的《某某办法》同时废止。",
         [(REPEAL, "某某办法", "国家工商行政管理总局令第62号")]),
        ("原《某某标准的通知》（穗国房字〔2005〕375号）同时废止。",
         [(REPEAL, "某某标准的通知", "穗国房字〔2005〕375号")]),
        # an extension of another document's term
        ("现将《某某意见》（某府办发函〔2022〕92号）有效期延长至2023年12月31日。",
         [(EXTEND, "某某意见", "某府办发函〔2022〕92号")]),
        # nothing named, a fact told, the document's own new title, its own end
        ("各地区的征收办法，与本条例相抵触的，同时停止执行。", []),
        ("《某某办法》已于2020年1月1日废止。", []),
        ("（七）《评价办法》自2023年9月1日实施，原办法同时废止。", []),
        ("本通知自2026年7月1日起施行，2027年6月30日废止。", []),
        ("根据《某某条例》第十条，废止后的文件不再公开。", []),
    ],
)  # fmt: skip
def test_reads_every_repeal_and_stop_wording(body, items):
    assert [(i.action, i.title, i.number) for i in clause_items(body)] == items


def test_an_extension_carries_its_new_last_day():
    (item,) = clause_items(
        "（三）将《某某细则》（某金管规〔2023〕1号）（2025年修订）的有效期延长至2028年底。"
    )
    assert (item.action, item.number, item.until) == (EXTEND, "某金管规〔2023〕1号", "2028-12-31")


def test_reads_citations():
    items = cited_items(
        "按照《江西省XX办法》（赣农规〔2023〕2号）有关规定办理。\n根据《中华人民共和国种子法》。"
    )
    assert [(i.title, i.number) for i in items] == [
        ("江西省XX办法", "赣农规〔2023〕2号"),
        ("中华人民共和国种子法", None),
    ]
    assert items[0].quote == "按照《江西省XX办法》（赣农规〔2023〕2号）有关规定办理。"


# ---------------------------------------------------------------- matching


def test_title_keys_cover_the_measure_and_the_title_without_issuer_or_number():
    keys = title_keys("江西省人民政府关于印发《江西省XX管理办法》的通知（赣府发〔2020〕1号）")
    assert {"江西省XX管理办法", "关于印发江西省XX管理办法的通知",
            "江西省人民政府关于印发江西省XX管理办法的通知"} <= keys  # fmt: skip


def _doc(i, title, number=None, written="2020-01-01", body=""):
    return Doc(i, f"http://x/{i}", title, number, written, written, body)


def test_matches_by_number_then_by_title_and_only_earlier_versions():
    old = _doc(1, "关于印发《江西省甲办法》的通知", "赣府发〔2018〕1号", "2018-01-01")
    new = _doc(2, "关于印发《江西省甲办法》的通知", "赣府发〔2022〕9号", "2022-01-01")
    later = _doc(3, "关于印发《江西省甲办法》的通知", "赣府发〔2024〕2号", "2024-01-01")
    index = Index([old, new, later])
    by_number = clause_items("原《江西省甲办法》（赣府发〔2018〕1号）同时废止。")[0]
    assert index.match(by_number, new) == ([old], "doc_number")
    bare = clause_items("原《江西省甲办法》同时废止。")[0]
    assert index.match(bare, new) == ([old], "title")  # not itself, not the later one
    assert index.match(bare, later) == ([old, new], "title")  # two earlier: ambiguous


def test_collects_acts_and_relations_from_a_decision_with_an_attachment():
    a = _doc(1, "江西省人民政府关于印发《江西省甲办法》的通知", "赣府发〔2019〕3号")
    b = _doc(2, "江西省人民政府关于加强乙工作的通知", "赣府字〔2018〕5号")
    decision = _doc(3, "江西省人民政府关于废止部分省政府行政规范性文件的决定", "赣府发〔2026〕1号",
                    "2026-03-18", "经清理，决定予以废止（目录见附件）。本决定自印发之日起施行。")  # fmt: skip
    decision.attachments = [("http://x/att.docx", "docx",
                             "废止的省政府行政规范性文件目录\n序号 文件名称 文号 成文日期\n"
                             "1 江西省人民政府关于印发《江西省甲办法》的通知 赣府发〔2019〕3号 2019年3月1日\n"
                             "2 关于丙的通知 赣府发〔2013〕21号 2013年5月10日")]  # fmt: skip
    docs = [a, b, decision]
    terms = {
        d.id: extract_term(d.body_text, d.title, d.written_date, d.published_date) for d in docs
    }
    found = collect(docs, terms)
    (act,) = found.acts[1]
    assert (act.kind, act.status, act.date, act.source_document_id) == (
        "decision",
        "已废止",
        "2026-03-18",
        3,
    )
    assert act.source_url == "http://x/att.docx"
    assert 2 not in found.acts
    rows = {(r["to_document_id"], r["relation"], r["to_doc_number"]) for r in found.relations}
    assert rows == {(1, "repeals", "赣府发〔2019〕3号"), (None, "repeals", "赣府发〔2013〕21号")}


def test_an_ambiguous_title_gives_an_act_that_cannot_apply():
    one = _doc(1, "关于印发《江西省甲办法》的通知", None, "2018-01-01")
    two = _doc(2, "关于印发《江西省甲办法》的通知", None, "2019-01-01")
    repeal = _doc(3, "关于废止《江西省甲办法》的决定", "赣府发〔2026〕1号", "2026-01-01",
                  "本决定自2026年2月1日起施行。")  # fmt: skip
    docs = [one, two, repeal]
    terms = {
        d.id: extract_term(d.body_text, d.title, d.written_date, d.published_date) for d in docs
    }
    found = collect(docs, terms)
    assert [a.date for a in found.acts[1]] == [None] == [a.date for a in found.acts[2]]
    assert "同名文件2份" in found.acts[1][0].date_note
    assert [(r["to_document_id"], r["note"]) for r in found.relations] == [
        (None, "同名文件2份，无法确定所指")
    ]


def test_citations_link_only_other_stored_documents():
    cited = _doc(1, "江西省人民政府关于印发《江西省甲办法》的通知", "赣府发〔2019〕3号")
    citing = _doc(2, "江西省人民政府关于印发《江西省乙办法》的通知", "赣府发〔2022〕1号", "2022-01-01",
                  "现将《江西省乙办法》印发给你们。根据《中华人民共和国甲法》，按照《江西省甲办法》"
                  "（赣府发〔2019〕3号）有关规定办理。")  # fmt: skip
    docs = [cited, citing]
    found = collect(docs, {d.id: Term() for d in docs})
    assert [
        (r["from_document_id"], r["to_document_id"], r["relation"]) for r in found.relations
    ] == [(2, 1, "cites")]
    assert not found.acts


@pytest.mark.parametrize(
    ("term", "published", "expected"),
    [
        (Term(effective_date="2026-06-01"), "2026-05-20", ("2026-06-01", "")),
        (Term(), "2026-05-20", ("2026-05-20", "所在文件未载明施行日期，以发布日期计")),
        (Term(effective_problem="施行日期“2026年6月31日”无法解析"), "2026-05-20", (None, "所在文件施行日期“2026年6月31日”无法解析")),
    ],
)  # fmt: skip
def test_an_act_takes_effect_when_its_document_does(term, published, expected):
    assert act_date(Doc(1, "u", "t", None, None, published), term) == expected
