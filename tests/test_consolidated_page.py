"""An amended document's page through a real Datasette: the consolidated reading where every
change of the amending decision applies, and otherwise which change could not be applied, and
why (never half a reading). A hand-made library, built; the decision amends the rule by title."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sitekit import served as site_of

from corpus.build import build
from corpus.site.serve import checkpoint
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import open_db

SITE = "jx-portal"
ART = "http://www.example.gov.cn/art/"
RULE_BODY = "\n".join([
    "江西省种子管理办法",
    "第一条　为了规范种子管理，制定本办法。",
    "第二条　种子生产应当具备生产场地。",
    "第三条　本办法自2020年1月1日起施行。",
])  # fmt: skip
OTHER_BODY = "\n".join([
    "江西省果树管理办法",
    "第一条　为了规范果树管理，制定本办法。",
    "第二条　本办法自2020年1月1日起施行。",
])  # fmt: skip
GOOD_DECISION = "\n".join([
    "省人民政府决定对《江西省种子管理办法》作如下修改：",
    "一、将第二条修改为：“第二条　种子生产应当具备生产场地和技术人员。”",
    "二、增加一条，作为第三条：“第三条　种子经营者应当建立经营档案。”",
    "本决定自2023年1月1日起施行。",
])  # fmt: skip
BAD_DECISION = "\n".join([
    "省人民政府决定对《江西省果树管理办法》作如下修改：",
    "一、将第九条修改为：“第九条　果树应当登记。”",
    "本决定自2023年1月1日起施行。",
])  # fmt: skip
DOCS = [
    ("rule.html", "rule", "江西省种子管理办法", "2019-12-01", RULE_BODY),
    ("other.html", "rule", "江西省果树管理办法", "2019-12-02", OTHER_BODY),
    ("good.html", "rule", "江西省人民政府关于修改《江西省种子管理办法》的决定", "2022-12-01",
     GOOD_DECISION),
    ("bad.html", "rule", "江西省人民政府关于修改《江西省果树管理办法》的决定", "2022-12-02",
     BAD_DECISION),
]  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("consolidated") / "normdocs.db"
    db = open_db(str(path))
    save_site(db, {"name": SITE, "title": "江西省人民政府", "family": "hanweb", "columns": []})
    for name, kind, title, published, body in DOCS:
        record = DocumentRecord(url=ART + name, site=SITE, kind=kind, title=title,
                                published_date=published, body_text=body)  # fmt: skip
        save_document(db, record)
    db.conn.close()
    build(str(path), date(2026, 11, 27))
    checkpoint(path)
    with site_of(path) as get:
        yield get


@pytest.fixture(scope="module")
def page(served):
    def get(name: str) -> str:
        answer = served(f"/normdocs/documents/{stable_id(ART + name)}")
        assert answer.status_code == 200
        return answer.text

    return get


@pytest.fixture(scope="module")
def compare(served):
    return served


def _section(text: str) -> str:
    assert 'class="nd-consolidated"' in text
    return text.split('class="nd-consolidated"', 1)[1].split("</section>", 1)[0]


def test_a_decision_whose_every_change_applies_gives_the_consolidated_reading(page):
    section = _section(page("rule.html"))
    assert "该决定的 2 处修改均已逐条应用于本文件" in section
    assert "种子生产应当具备生产场地和技术人员。" in section
    assert '第三条 种子经营者应当建立经营档案。<span class="nd-muted">（新增）' in section
    assert "第四条" in section and "（原第三条）" in section  # renumbered after the addition
    assert "关于修改《江西省种子管理办法》的决定" in section


def test_a_change_that_cannot_be_applied_is_named_with_its_reason_and_no_reading_is_given(page):
    section = _section(page("other.html"))
    assert "以下修改未能应用，故不提供整合文本" in section
    assert "将第九条修改为" in section and "文件中没有第九条" in section
    assert "查看整合文本" not in section


def test_a_document_nobody_amends_has_no_such_section(page):
    assert 'class="nd-consolidated"' not in page("good.html")


def test_the_changes_are_shown_side_by_side_article_by_article(page, compare):
    rule, decision = stable_id(ART + "rule.html"), stable_id(ART + "good.html")
    assert f"/compare?table=documents&amp;id={rule}&amp;amended_by={decision}" in page("rule.html")
    answer = compare(f"/compare?table=documents&id={rule}&amended_by={decision}")
    assert answer.status_code == 200
    text = answer.text
    assert "<h1>修改对照</h1>" in text and "<th>现文本</th><th>修改后</th>" in text
    assert "<ins>和技术人员</ins>" in text  # the changed words of 第二条 marked
    assert "种子经营者应当建立经营档案。" in text  # the added article


def test_no_side_by_side_where_a_change_cannot_be_applied_or_nothing_amends(compare):
    other, bad = stable_id(ART + "other.html"), stable_id(ART + "bad.html")
    rule, good = stable_id(ART + "rule.html"), stable_id(ART + "good.html")
    assert compare(f"/compare?table=documents&id={other}&amended_by={bad}").status_code == 404
    assert compare(f"/compare?table=documents&id={other}&amended_by={good}").status_code == 404
    assert compare(f"/compare?table=documents&id={rule}&amended_by={rule}").status_code == 404
