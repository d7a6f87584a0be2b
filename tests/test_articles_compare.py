"""The comparer (corpus.articles.compare): two versions of a text → article-level changes, with
the changed characters marked. Texts written here."""

from __future__ import annotations

from corpus.articles.compare import Piece, body, compare, pieces

OLD = "\n".join([
    "江西省某某管理办法",
    "第一条 为了规范某某管理，制定本办法。",
    "第二条 本办法适用于本省行政区域内的某某活动。",
    "第三条 县级以上人民政府负责本行政区域内的某某工作。",
    "第四条 违反本办法的，由主管部门责令改正。",
    "第五条 本办法自2020年1月1日起施行。",
])  # fmt: skip


def _statuses(c) -> list[tuple[str, str, str]]:
    return [
        (x.status, x.old.number if x.old else "", x.new.number if x.new else "") for x in c.changes
    ]


def test_unchanged_texts_compare_the_same() -> None:
    c = compare(OLD, OLD)
    assert not c.changed
    assert c.unit == "条"
    assert c.counts["same"] == 5


def test_an_article_changed_has_its_changed_characters_marked() -> None:
    new = OLD.replace("责令改正", "责令限期改正，处一千元以下罚款")
    c = compare(OLD, new)
    assert _statuses(c)[3] == ("changed", "第四条", "第四条")
    change = c.changes[3]
    assert [p.text for p in change.new_pieces if p.mark] == ["限期", "，处一千元以下罚款"]
    assert not any(p.mark for p in change.old_pieces)
    assert "".join(p.text for p in change.old_pieces) == change.old.text
    assert "".join(p.text for p in change.new_pieces) == change.new.text
    assert c.counts == {"same": 4, "renumbered": 0, "changed": 1, "added": 0, "removed": 0}


def test_an_article_added_renumbers_the_following_without_calling_them_changed() -> None:
    new = OLD.replace(
        "第四条 违反本办法的，由主管部门责令改正。\n第五条",
        "第四条 鼓励社会力量参与某某工作。\n第五条 违反本办法的，由主管部门责令改正。\n第六条",
    )
    c = compare(OLD, new)
    assert _statuses(c) == [
        ("same", "第一条", "第一条"),
        ("same", "第二条", "第二条"),
        ("same", "第三条", "第三条"),
        ("added", "", "第四条"),
        ("renumbered", "第四条", "第五条"),
        ("renumbered", "第五条", "第六条"),
    ]


def test_an_article_removed_renumbers_the_following() -> None:
    new = OLD.replace("第二条 本办法适用于本省行政区域内的某某活动。\n", "")
    new = new.replace("第三条", "第二条").replace("第四条", "第三条").replace("第五条", "第四条")
    c = compare(OLD, new)
    assert _statuses(c) == [
        ("same", "第一条", "第一条"),
        ("removed", "第二条", ""),
        ("renumbered", "第三条", "第二条"),
        ("renumbered", "第四条", "第三条"),
        ("renumbered", "第五条", "第四条"),
    ]


def test_a_changed_article_keeps_its_number_among_added_and_removed() -> None:
    new = "\n".join([
        "第一条 为了规范某某管理，根据有关法律，制定本办法。",
        "第二条 本办法适用于本省行政区域内的某某活动。",
        "第三条 设区的市人民政府统筹本行政区域内的某某工作。",
        "第四条 完全不同的新内容，规定信息公开。",
        "第五条 本办法自2020年1月1日起施行。",
    ])  # fmt: skip
    c = compare(OLD, new)
    statuses = _statuses(c)
    assert statuses[0] == ("changed", "第一条", "第一条")
    assert statuses[1] == ("same", "第二条", "第二条")
    assert ("changed", "第三条", "第三条") in statuses
    assert ("changed", "第四条", "第四条") in statuses  # paired by number
    assert statuses[-1] == ("same", "第五条", "第五条")


def test_an_article_moved_and_changed_is_paired_by_likeness() -> None:
    old = "第一条 甲。\n第二条 县级以上人民政府应当加强某某工作的组织领导。\n第三条 丙。"
    new = "第一条 甲。\n第二条 全新的一条。\n第三条 县级以上人民政府应当加强某某工作的统一领导。\n第四条 丙。"
    c = compare(old, new)
    assert ("changed", "第二条", "第三条") in _statuses(c) or (
        "changed",
        "第二条",
        "第二条",
    ) in _statuses(c)
    assert c.counts["added"] + c.counts["changed"] + c.counts["renumbered"] >= 2
    assert _statuses(c)[-1] == ("renumbered", "第三条", "第四条")


def test_texts_without_articles_compare_as_parts_or_whole() -> None:
    old = "现通知如下：\n一、加强领导。\n二、落实责任。"
    new = "现通知如下：\n一、加强领导。\n二、压实责任。\n三、强化监督。"
    c = compare(old, new)
    assert c.unit == "部分"
    assert _statuses(c) == [
        ("same", "一、", "一、"),
        ("changed", "二、", "二、"),
        ("added", "", "三、"),
    ]
    c = compare("为规范管理，现通知。\n请遵照执行。", "为规范管理，现通知如下。\n请遵照执行。")
    assert c.unit == "段落"
    assert [x.status for x in c.changes] == ["changed", "same"]
    assert [p.text for p in c.changes[0].new_pieces if p.mark] == ["如下"]
    assert compare("", "新的内容。").counts["added"] == 1


def test_body_and_pieces() -> None:
    assert body("第十二条 内容。") == "内容。"
    assert body("第十二条之一　内容。") == "内容。"
    assert body("三、内容。") == "内容。"
    a, b = pieces("甲乙丙", "甲丁丙")
    assert a == [Piece("甲"), Piece("乙", True), Piece("丙")]
    assert b == [Piece("甲"), Piece("丁", True), Piece("丙")]


def test_a_long_text_rewritten_compares_quickly() -> None:
    import time

    old = "\n".join(f"第{n}条 旧的内容第{n}项规定，涉及事项{n * 7}。" for n in range(1, 301))
    new = "\n".join(f"第{n}条 完全改写的条文{n}，另行规定其他事项{n * 13}。" for n in range(1, 301))
    started = time.perf_counter()
    c = compare(_cn(old), _cn(new))
    assert time.perf_counter() - started < 5
    assert len(c.changes) >= 300


def _cn(text: str) -> str:
    """第12条 → 第十二条 (the splitter reads both; Chinese numbers as documents write them)."""
    import re

    from corpus.articles.numbers import to_chinese

    return re.sub(r"第(\d+)条", lambda m: f"第{to_chinese(int(m[1]))}条", text)
