"""Documents by article (corpus/articles): the splitter on snippets written here, references, the
build step (only changed documents split again) and the search's article column.

The mirror's truth and the real pages are in tests/test_articles_mirror.py and
tests/test_articles_real.py; the site (table of contents, anchors, links) in
tests/test_articles_site.py and tests/test_browser.py.
"""

from __future__ import annotations

import pytest

from corpus.articles import step as articles_step
from corpus.articles.numbers import to_chinese, to_int
from corpus.articles.refs import references
from corpus.articles.split import Attachment, measure_of_title, split, split_document
from corpus.articles.step import assign_articles
from corpus.search.index import build_search_index
from corpus.search.sql import SEARCH_SQL, register_functions
from corpus.store.identity import stable_id
from corpus.store.records import Attachment as AttachmentRecord
from corpus.store.records import DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import open_db


def lines(*text: str) -> str:
    return "\n".join(text)


def by_kind(units, kind):
    return [u for u in units if u.kind == kind]


def numbers(units, kind="条"):
    return [u.number for u in units if u.kind == kind]


# ---------------------------------------------------------------- numerals


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十一", 21), ("一百", 100),
     ("一百零五", 105), ("一百一十二", 112), ("两", 2), ("12", 12), ("１２", 12), ("二〇", 20),
     ("", None), ("十a", None), ("1二", None)],
)  # fmt: skip
def test_numerals_read_as_written(numeral, value):
    assert to_int(numeral) == value


def test_numerals_written_back_read_the_same():
    assert [to_chinese(n) for n in (1, 10, 12, 20, 105, 112)] == [
        "一", "十", "十二", "二十", "一百零五", "一百一十二"
    ]  # fmt: skip
    assert all(to_int(to_chinese(n)) == n for n in range(1, 1000))


# ---------------------------------------------------------------- 编 章 节 条 款 项

MEASURE = lines(
    "江西省农作物种子管理办法",
    "第一章　总则",
    "第一条　为了规范农作物种子管理，根据《中华人民共和国种子法》，制定本办法。",
    "第二条　本办法适用于本省行政区域内的农作物种子生产经营活动。",
    "第二章　生产经营",
    "第一节　生产",
    "第三条　种子生产应当符合下列条件：",
    "（一）有与生产规模相适应的场地；",
    "（二）有种子生产技术人员；",
    "（三）法律法规规定的其他条件。",
    "有前款第（一）项情形的，应当报县级农业农村主管部门备案。",
    "第二节　经营",
    "第四条【经营许可】种子经营者应当依法取得种子经营许可证。",
    "第四条之一　依照本办法第三条规定备案的，免于重复提交材料。",
    "第三章 附 则",
    "第五条　本办法自2025年1月1日起施行。",
)


def test_divisions_articles_clauses_and_items():
    units = split(MEASURE, "江西省农业农村厅关于印发《江西省农作物种子管理办法》的通知")
    assert [(u.kind, u.number) for u in units if u.kind in "编章节"] == [
        ("章", "第一章"), ("章", "第二章"), ("节", "第一节"), ("节", "第二节"), ("章", "第三章")
    ]  # fmt: skip
    assert numbers(units) == ["第一条", "第二条", "第三条", "第四条", "第四条之一", "第五条"]
    assert [u.ordinal for u in units] == list(range(1, len(units) + 1))
    third = next(u for u in units if u.number == "第三条")
    assert third.path == "第二章/第一节/第三条"
    assert third.anchor == "第三条"
    assert third.value == 3
    assert third.text.endswith("应当报县级农业农村主管部门备案。")
    assert [(u.number, u.path, u.anchor) for u in units if u.path.startswith("第二章/第一节/第三条/")] == [
        ("第一款", "第二章/第一节/第三条/第一款", "第三条第一款"),
        ("（一）", "第二章/第一节/第三条/第一款/（一）", "第三条第一款第（一）项"),
        ("（二）", "第二章/第一节/第三条/第一款/（二）", "第三条第一款第（二）项"),
        ("（三）", "第二章/第一节/第三条/第一款/（三）", "第三条第一款第（三）项"),
        ("第二款", "第二章/第一节/第三条/第二款", "第三条第二款"),
    ]  # fmt: skip
    # 节 are numbered again in every 章: their anchors carry the 章
    assert [u.anchor for u in by_kind(units, "节")] == ["第二章第一节", "第二章第二节"]
    assert [u.heading for u in units if u.kind == "章"] == ["总则", "生产经营", "附则"]
    assert next(u for u in units if u.number == "第四条").heading == "经营许可"
    # every unit's text is where its offsets say; a division's text is its heading line
    for u in units:
        assert MEASURE[u.start : u.end].strip().startswith(u.text.split("\n")[0]), u
        assert u.measure == "江西省农作物种子管理办法"
    assert by_kind(units, "章")[0].text == "第一章　总则"


def test_an_article_with_one_paragraph_has_no_clause_rows_and_its_items_hang_on_it():
    units = split(lines("第一条　下列行为应当禁止：", "（一）甲；", "（二）乙。", "第二条　其他。"))
    assert [(u.kind, u.path) for u in units] == [
        ("条", "第一条"), ("项", "第一条/（一）"), ("项", "第一条/（二）"), ("条", "第二条")
    ]  # fmt: skip
    assert units[1].anchor == "第一条第（一）项"


def test_wrapped_lines_are_one_paragraph_and_sub_items_stay_under_their_item():
    # a PDF's text: lines cut at a width, not at the end of a paragraph
    text = lines(
        "第一条　申请人应当提交下列材料，并对材料的",
        "真实性负责：",
        "（一）申请书；",
        "（二）证明材料，包括：",
        "1.身份证明；",
        "2.资格证明。",
        "申请材料不齐全的，受理机关应当一次告知需",
        "要补正的全部内容。",
    )
    units = split(text)
    assert [(u.kind, u.number) for u in units] == [
        ("条", "第一条"), ("款", "第一款"), ("项", "（一）"), ("项", "（二）"), ("款", "第二款")
    ]  # fmt: skip
    assert units[3].text.endswith("2.资格证明。")
    assert units[4].text == "申请材料不齐全的，受理机关应当一次告知需\n要补正的全部内容。"


def test_a_second_paragraph_of_an_item_stays_with_it_when_the_next_item_follows():
    units = split(lines(
        "第一条　额度应当同时符合下列要求：",
        "（一）不高于账户余额的十倍；",
        "（二）购买住房的，不高于房价的七成；",
        "建造住房的，不高于造价的七成；",
        "（三）不高于最高额度。",
    ))  # fmt: skip
    assert numbers(units, "项") == ["（一）", "（二）", "（三）"]
    assert by_kind(units, "款") == []


# ---------------------------------------------------------------- what is not a heading


def test_a_table_of_contents_is_skipped():
    text = lines(
        "江西省档案管理办法",
        "目　录",
        "第一章　总则",
        "第二章　档案管理",
        "第三章　附则",
        "第一章　总则",
        "第一条　为了加强档案管理，制定本办法。",
        "第二章　档案管理",
        "第二条　档案应当集中管理。",
        "第三章　附则",
        "第三条　本办法自公布之日起施行。",
    )
    units = split(text)
    assert [(u.kind, u.number) for u in units] == [
        ("章", "第一章"), ("条", "第一条"), ("章", "第二章"), ("条", "第二条"),
        ("章", "第三章"), ("条", "第三条"),
    ]  # fmt: skip
    assert units[0].start == text.index("第一章　总则\n第一条")
    assert units[0].measure == "江西省档案管理办法"


def test_a_table_of_contents_without_its_label_is_skipped_too():
    text = lines(
        "第一章 总则", "第二章 附则",
        "第一章 总则", "第一条 为了规范管理，制定本办法。",
        "第二章 附则", "第二条 本办法自公布之日起施行。",
    )  # fmt: skip
    units = split(text)
    assert [u.number for u in units] == ["第一章", "第一条", "第二章", "第二条"]
    assert units[0].start == text.index("第一章 总则\n第一条")


def test_references_to_articles_are_not_headings():
    text = lines(
        "第一条　为了规范管理，制定本办法。",
        "第二条　依照本办法第十二条的规定办理。",
        "第三条规定的期限届满后，不再受理。",  # a sentence that starts with a reference
        "第三条　违反本办法第二条规定的，责令改正。",
        "第五条修改为：“申请人应当提交申请书。”",
        "“第四条　本办法自公布之日起施行。”",  # quoted by an amendment
        "第四条　本办法自公布之日起施行。",
    )
    units = split(text)
    assert numbers(units) == ["第一条", "第二条", "第三条", "第四条"]
    second = next(u for u in units if u.number == "第二条")
    assert "第三条规定的期限届满后" in second.text  # stays in the article before


def test_an_amendment_decision_has_no_articles_of_its_own():
    text = lines(
        "省人民政府决定对《江西省流动人口服务和管理办法》作如下修改：",
        "一、将第六条修改为：“公安机关负责流动人口的居住登记。”",
        "二、将第七条第二款修改为：“流动人口办理居住登记，应当出示有效身份证件。”",
        "三、删除第十二条。",
        "本决定自公布之日起施行。",
    )
    units = split(text)
    assert by_kind(units, "条") == []
    assert numbers(units, "部分") == ["一、", "二、", "三、"]  # its items, numbered 一、二、三、


def test_numbers_must_run_first_article_first():
    assert split(lines("第五条　本办法自公布之日起施行。", "第六条　其他。")) == []
    units = split(lines("第一条　甲。", "第二条　乙。", "第九条　丙。", "第三条　丁。"))
    assert numbers(units) == ["第一条", "第二条", "第三条"]  # 第九条 is no next article
    # a gap of a lost line is bridged when the heading is set apart
    assert numbers(split(lines("第一条 甲。", "第三条 乙。"))) == ["第一条", "第三条"]


def test_a_page_that_lost_its_first_chapter_heading_keeps_the_others():
    units = split(lines("第一条 甲。", "第二章 行为", "第二条 乙。", "第三章 附则", "第三条 丙。"))
    assert numbers(units, "章") == ["第二章", "第三章"]
    assert next(u for u in units if u.number == "第二条").path == "第二章/第二条"


def test_a_chapter_title_on_its_own_line():
    units = split(lines("第一章", "总　则", "第一条 甲。"))
    assert (units[0].number, units[0].heading, units[0].text) == (
        "第一章",
        "总则",
        "第一章\n总　则",
    )
    assert units[1].text == "第一条 甲。"


# ---------------------------------------------------------------- notices and measures

NOTICE_AND_MEASURE = lines(
    "赣农规〔2025〕1号",
    "各设区市农业农村局：",
    "现将《江西省种猪场管理办法》印发给你们，请认真贯彻执行。",
    "一、各地要加强组织领导。",
    "二、各地要做好宣传。",
    "江西省农业农村厅",
    "2025年1月10日",
    "（此件主动公开）",
    "江西省种猪场管理办法",
    "第一条　为了规范种猪场管理，制定本办法。",
    "第二条　本办法自2025年2月1日起施行。",
    "附件：种猪场备案表",
)
TITLE = "江西省农业农村厅关于印发《江西省种猪场管理办法》的通知"


def test_an_issuing_notice_with_its_measure_gives_the_measures_articles():
    units = split(NOTICE_AND_MEASURE, TITLE)
    assert [(u.kind, u.number) for u in units] == [("条", "第一条"), ("条", "第二条")]
    assert units[-1].text == "第二条　本办法自2025年2月1日起施行。"  # 附件 is not in it
    assert {u.measure for u in units} == {"江西省种猪场管理办法"}


def test_the_measure_in_an_attachment_when_the_body_is_only_the_notice():
    body = lines(
        "各设区市农业农村局：",
        "现将《江西省种猪场管理办法》印发给你们，请认真贯彻执行。",
        "附件：江西省种猪场管理办法.pdf",
        "江西省农业农村厅",
        "2025年1月10日",
    )
    form = Attachment(7, "种猪场备案表.docx", lines("种猪场备案表", "第一条 申请单位："))
    measure = Attachment(
        8,
        "江西省种猪场管理办法.pdf",
        lines("江西省种猪场管理办法", "第一条　为了规范种猪场管理，", "制定本办法。",
              "第二条　本办法自2025年2月1日起施行。"),
    )  # fmt: skip
    found = split_document(TITLE, body, [form, measure])
    assert found.attachment_id == 8
    assert numbers(found.units) == ["第一条", "第二条"]
    assert found.articles[0].text == "第一条　为了规范种猪场管理，\n制定本办法。"
    assert found.articles[0].measure == "江西省种猪场管理办法"
    # a body with articles of its own never looks at the attachments
    asked = []
    own = split_document(TITLE, NOTICE_AND_MEASURE, lambda: asked.append(1) or [measure])
    assert own.attachment_id is None and len(own.articles) == 2 and asked == []
    # a notice that issues nothing keeps its own parts, whatever its attachments hold
    plain = split_document("关于做好春耕工作的通知", lines("一、甲。", "二、乙。"), [measure])
    assert plain.attachment_id is None and numbers(plain.units, "部分") == ["一、", "二、"]


def test_a_notice_without_articles_gives_its_parts_only_when_clearly_numbered():
    text = lines(
        "各设区市人民政府：",
        "为做好春耕工作，现就有关事项通知如下：",
        "一、总体要求",
        "（一）加强组织领导。各地要把春耕工作摆上重要议事日程。",
        "（二）强化部门协同。各有关部门要密切配合。",
        "二、保障措施",
        "（一）加大资金投入。各级财政要统筹安排资金。",
        "三、有关要求",
        "各地要于3月1日前报送工作情况。",
        "江西省人民政府办公厅",
        "2025年1月10日",
    )
    units = split(text)
    assert by_kind(units, "条") == []  # never invented
    assert [(u.kind, u.path, u.anchor, u.heading) for u in units] == [
        ("部分", "一、", "一", "总体要求"),
        ("项", "一、/（一）", "一（一）", "加强组织领导"),
        ("项", "一、/（二）", "一（二）", "强化部门协同"),
        ("部分", "二、", "二", "保障措施"),
        ("项", "二、/（一）", "二（一）", "加大资金投入"),
        ("部分", "三、", "三", "有关要求"),
    ]  # fmt: skip
    assert units[-1].text == "三、有关要求\n各地要于3月1日前报送工作情况。"  # not the signature
    assert units[0].text.endswith("各有关部门要密切配合。")
    # one numbered line is no structure
    assert split(lines("现通知如下：", "一、各地要加强领导。", "请遵照执行。")) == []
    assert split(lines("二、各地要加强领导。", "三、请遵照执行。")) == []


def test_two_measures_in_one_body_number_their_articles_again():
    text = lines(
        "重庆市暂行办法",
        "第一条 甲。",
        "第二条 乙。",
        "重庆市实施细则",
        "第一章 总则",
        "第一条 丙。",
        "第二条 丁。",
    )
    units = split(text)
    assert [(u.number, u.anchor, u.measure) for u in units] == [
        ("第一条", "第一条", "重庆市暂行办法"),
        ("第二条", "第二条", "重庆市暂行办法"),
        ("第一章", "2-第一章", "重庆市实施细则"),
        ("第一条", "2-第一条", "重庆市实施细则"),
        ("第二条", "2-第二条", "重庆市实施细则"),
    ]  # fmt: skip
    assert units[1].text == "第二条 乙。"  # the next measure's title is not in it


def test_a_measure_title_broken_over_lines_and_a_history_line_under_it():
    text = lines(
        "重庆市关于开展对部分",
        "个人住房征收房产税改革试点的暂行办法",
        "（2011年1月27日重庆市人民政府令第247号公布）",
        "第一条 为调节收入分配，制定本办法。",
    )
    assert split(text)[0].measure == "重庆市关于开展对部分个人住房征收房产税改革试点的暂行办法"


def test_the_measure_a_title_names():
    assert measure_of_title(TITLE) == "江西省种猪场管理办法"
    assert (
        measure_of_title("江西省人民政府办公厅关于印发江西省X实施方案的通知") == "江西省X实施方案"
    )
    assert measure_of_title("江西省种猪场管理办法") == "江西省种猪场管理办法"


def test_nothing_to_split():
    assert split(None) == split("") == split("请各地认真组织实施。") == []


# ---------------------------------------------------------------- references


def test_references_to_articles_in_any_text():
    text = (
        "依据《江西省种猪场管理办法》第十二条和《江西省种子条例》（2020年修订）第三条，"
        "按照本办法第五条办理；《X办法》第二条之一不链接；《Y规定》第十二条第二款。"
    )
    found = [(r.title, r.value, text[r.start : r.end]) for r in references(text)]
    assert found == [
        ("江西省种猪场管理办法", 12, "《江西省种猪场管理办法》第十二条"),
        ("江西省种子条例", 3, "《江西省种子条例》（2020年修订）第三条"),
        ("", 5, "第五条"),
        ("Y规定", 12, "《Y规定》第十二条"),
    ]
    assert references("没有引用。") == references(None) == []


# ---------------------------------------------------------------- the build step

SITE = "jx-nync"


def _url(name: str) -> str:
    return f"http://nync.example/art/{name}.html"


def _save(db, name: str, title: str, body: str, attachments=(), published="2025-01-10") -> int:
    save_document(
        db,
        DocumentRecord(
            url=_url(name), site=SITE, kind="normative", title=title,
            published_date=published, body_text=body, attachments=list(attachments),
        ),
    )  # fmt: skip
    return stable_id(_url(name))


@pytest.fixture
def db(tmp_path):
    database = open_db(str(tmp_path / "articles.db"))
    save_site(
        database, {"name": SITE, "title": "江西省农业农村厅", "family": "hanweb", "columns": []}
    )
    yield database
    database.close()


def _articles(db, doc_id: int) -> list[tuple]:
    return db.execute(
        "SELECT kind, number, anchor, attachment_id FROM articles WHERE document_id = ?"
        " ORDER BY ordinal",
        [doc_id],
    ).fetchall()


def test_the_build_step_splits_only_what_changed(db, monkeypatch):
    one = _save(db, "one", TITLE, NOTICE_AND_MEASURE)
    two = _save(db, "two", "关于做好春耕工作的通知", "请各地认真组织实施。")
    att = AttachmentRecord(
        url=_url("three-file"), name="江西省种猪场管理办法.docx", ext="docx",
        text=lines("江西省种猪场管理办法", "第一条　甲。", "第二条　乙。", "第三条　丙。"),
    )  # fmt: skip
    three = _save(db, "three", TITLE, "现将《江西省种猪场管理办法》印发给你们。", [att])
    first = assign_articles(db)
    assert first == {"documents_split": 3, "articles": 5, "from_attachments": 1}
    assert _articles(db, one) == [
        ("条", "第一条", "第一条", None),
        ("条", "第二条", "第二条", None),
    ]
    assert _articles(db, two) == []
    att_id = db.execute("SELECT id FROM attachments WHERE parent_id = ?", [three]).fetchone()[0]
    assert {row[3] for row in _articles(db, three)} == {att_id}
    counts = dict(db.execute("SELECT id, article_count FROM documents").fetchall())
    assert counts == {one: 2, two: 0, three: 3}
    # nothing changed: nothing split
    assert assign_articles(db)["documents_split"] == 0
    # one page changed: that one only, its old rows gone
    _save(db, "one", TITLE, NOTICE_AND_MEASURE.replace("第二条　本办法", "第二条　本规定"))
    assert assign_articles(db) == {"documents_split": 1, "articles": 2, "from_attachments": 0}
    assert len(_articles(db, one)) == 2
    # a new splitter: every document again
    monkeypatch.setattr(articles_step, "VERSION", articles_step.VERSION + "-next")
    assert assign_articles(db)["documents_split"] == 3
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 5


# ---------------------------------------------------------------- the search's article column


def test_search_results_say_which_article_a_hit_is_in(db):
    one = _save(db, "one", TITLE, NOTICE_AND_MEASURE)
    _save(db, "plain", "关于种猪场检查的通知", "各地要开展种猪场检查。", published="2025-02-01")
    assign_articles(db)
    build_search_index(db)
    register_functions(db.conn)
    params = {"kind": "", "status": "", "issuer": "", "since": "", "until": ""}

    def found(q: str) -> dict:
        return {r["id"]: r["article"] for r in db.query(SEARCH_SQL, {"q": q, **params})}

    assert found("施行") == {one: "第二条"}  # 本办法自2025年2月1日起施行 is in 第二条
    assert found("规范种猪场管理")[one] == "第一条"
    # in the notice before the measure, or in no document's article: none
    assert found("印发给你们") == {one: None}
    assert found("种猪场检查") == {stable_id(_url("plain")): None}
    # after the last article (附件：…): none
    assert found("备案表") == {one: None}
