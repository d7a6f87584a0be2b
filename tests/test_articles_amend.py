"""The amendment applier (corpus.articles.amend): a decision's instructions applied to the
articles of the document it amends. Texts written here."""

from __future__ import annotations

from corpus.articles.amend import apply, instructions, section_for
from corpus.articles.split import split

TARGET = "\n".join([
    "江西省某某管理办法",
    "第一章 总则",
    "第一条 为了规范某某管理，制定本办法。",
    "第二条 本办法适用于本省行政区域内的某某活动。",
    "第二章 管理",
    "第三条 县级以上人民政府负责本行政区域内的某某工作。",
    "主管部门应当加强监督检查。",
    "第四条 违反本办法的，由主管部门责令改正。",
    "第五条 本办法自2020年1月1日起施行。",
])  # fmt: skip


def _articles(result) -> list[str]:
    return [i.text for i in result.items if i.kind == "条"]


def test_every_kind_of_instruction_applies_and_articles_are_renumbered() -> None:
    decision = "\n".join([
        "江西省人民政府关于修改《江西省某某管理办法》的决定",
        "省人民政府决定对《江西省某某管理办法》作如下修改：",
        "一、将第一条修改为：“第一条 为了规范某某管理，根据有关法律，制定本办法。”",
        "二、删去第二条。",
        "三、将第三条第二款中的“监督检查”修改为“日常监督检查”。",
        "四、增加一条，作为第四条：“第四条 鼓励社会力量参与某某工作。”",
        "五、删去第四条中的“由主管部门”。",
        "此外，对条文顺序作相应调整。",
        "本决定自公布之日起施行。",
    ])  # fmt: skip
    result = apply(decision, split(TARGET))
    assert result.failed == []
    assert result.complete
    assert [i.kind for i in result.applied] == ["replace", "delete", "words", "add", "delete_words"]
    assert _articles(result) == [
        "第一条 为了规范某某管理，根据有关法律，制定本办法。",
        "第二条 县级以上人民政府负责本行政区域内的某某工作。\n主管部门应当加强日常监督检查。",
        "第三条 违反本办法的，责令改正。",
        "第四条 鼓励社会力量参与某某工作。",  # the fourth of the result
        "第五条 本办法自2020年1月1日起施行。",
    ]
    # the headings stay where they stood; old numbers are kept for each article
    assert [(i.kind, i.number, i.old) for i in result.items] == [
        ("章", "", ""),
        ("条", "第一条", "第一条"),
        ("章", "", ""),
        ("条", "第二条", "第三条"),
        ("条", "第三条", "第四条"),
        ("条", "第四条", ""),
        ("条", "第五条", "第五条"),
    ]
    assert result.text.startswith("第一章 总则\n第一条 为了规范某某管理，根据有关法律")


def test_an_article_added_after_a_named_one_and_a_paragraph_replaced() -> None:
    decision = (
        '一、在第三条后增加一条，作为第四条："第四条 建立某某信息平台。"\n'
        "二、将第三条第二款修改为：“主管部门应当每年开展监督检查。”"
    )
    result = apply(decision, split(TARGET))
    assert result.complete, result.failed
    assert _articles(result)[2:4] == [
        "第三条 县级以上人民政府负责本行政区域内的某某工作。\n主管部门应当每年开展监督检查。",
        "第四条 建立某某信息平台。",
    ]
    assert len(_articles(result)) == 6


def test_an_instruction_that_cannot_be_applied_says_which_and_why() -> None:
    decision = "\n".join([
        "一、将第九条修改为：“第九条 新内容。”",
        "二、删去第二条。",
        "三、将第二条中的“某某活动”修改为“某某事项”。",
        "四、将第四条中的“罚款”修改为“处罚”。",
        "五、将第三条第五款中的“监督”修改为“检查”。",
        "六、将第一条、第二条合并为一条。",
    ])  # fmt: skip
    result = apply(decision, split(TARGET))
    assert not result.complete
    assert [f.reason for f in result.failed] == [
        "文件中没有第九条",
        "第二条已被本决定删去",
        "第四条中没有“罚款”",
        "第三条没有第五款",
        "未能识别的修改方式",
    ]
    assert result.failed[0].quote.startswith("将第九条修改为")
    assert result.failed[-1].quote == "六、将第一条、第二条合并为一条。"
    assert [i.kind for i in result.applied] == ["delete"]


def test_two_articles_added_at_one_place_fail_and_nothing_is_not_complete() -> None:
    decision = "增加一条，作为第三条：“第三条 甲。”\n增加一条，作为第三条：“第三条 乙。”"
    result = apply(decision, split(TARGET))
    assert [f.reason for f in result.failed] == ["两处增加的条文都作为第三条"]
    assert not apply("本决定自公布之日起施行。", split(TARGET)).complete


def test_a_decision_amending_several_documents_is_cut_to_the_target() -> None:
    decision = "\n".join([
        "一、对《江西省甲办法》作如下修改：",
        "（一）删去第二条。",
        "二、对《江西省某某管理办法》（省政府令第1号）作如下修改：",
        "（一）将第四条中的“责令改正”修改为“责令限期改正”。",
        "三、对《江西省乙规定》作如下修改：",
        "（一）删去第一条。",
    ])  # fmt: skip
    part = section_for(decision, "江西省某某管理办法")
    assert "责令限期改正" in part and "删去" not in part
    result = apply(decision, split(TARGET), title="江西省某某管理办法")
    assert result.complete
    assert _articles(result)[3] == "第四条 违反本办法的，由主管部门责令限期改正。"
    assert section_for("将第一条修改为……", "江西省某某管理办法") == "将第一条修改为……"


def test_instructions_are_read_in_order_with_ascii_quotes() -> None:
    found, failed = instructions('删除第五条。\n将第一条中的"规范"修改为"加强"。')
    assert [(i.kind, i.article) for i in found] == [("delete", 5), ("words", 1)]
    assert found[1].text == "规范" and found[1].new == "加强"
    assert failed == []


def test_rows_from_the_articles_table_work_as_units() -> None:
    rows = [{"kind": u.kind, "value": u.value, "text": u.text} for u in split(TARGET)]
    assert apply("删去第五条。", rows).complete
    assert len(_articles(apply("删去第五条。", rows))) == 4
