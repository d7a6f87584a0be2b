"""The document and interpretation pages tell a reader what happened to the page at its source:
taken down, edited.

A small library made by the real save path (``corpus.store.save``: of the documents and of the
interpretations, one saved again after its page changed, one unchanged, one marked gone from its
site), built, and read through a real Datasette. The same against a real recrawl of the changed
mirror: ``tests/test_incremental.py``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sitekit import served

from corpus.build import build
from corpus.site.serve import checkpoint
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord, InterpretationRecord
from corpus.store.save import mark_removed, save_document, save_interpretation, save_site
from corpus.store.schema import open_db

AS_OF = date(2026, 11, 27)
ART = "http://sthjt.example/art/"
BODY = "为规范排污许可管理，现通知如下。\n本通知自2024年3月1日起施行，有效期5年。"
EDITED = "\n（2026年11月20日更正：第二条所称“重点单位”含重点排污单位。）"
INTERP_BODY = "一、出台背景\n为规范排污许可管理，省生态环境厅印发了本通知。"
INTERP_EDITED = "\n二、主要内容\n明确了重点排污单位的范围。"
# the same page fetched again later (16:30 UTC is the next day in China)
REFETCHED = "2026-11-20T16:30:00+00:00"
REMOVED = "2026-11-25T03:00:00+00:00"
TABLES = ("documents", "interpretations")


NUMBERS = {"排污许可": 1, "危险废物": 2, "信用评价": 3}


def _record(name: str, **changes: str) -> DocumentRecord:
    number = f"赣环规〔2024〕{NUMBERS[name]}号"
    fields = {
        "url": f"{ART}{name}.html",
        "site": "jx-sthjt",
        "kind": "normative",
        "title": f"江西省生态环境厅关于{name}的通知",
        "doc_number_raw": number,
        "doc_number": number,
        "issuer": "江西省生态环境厅",
        "written_date": "2024-02-20",
        "published_date": "2024-02-22",
        "validity_raw": "有效",
        "body_text": BODY,
        "fetched_at": "2026-11-01T02:00:00+00:00",
    }
    return DocumentRecord(**{**fields, **changes})


def _interpretation(name: str, **changes: str) -> InterpretationRecord:
    fields = {
        "url": f"{ART}jd-{NUMBERS[name]}.html",
        "site": "jx-sthjt",
        "title": f"《江西省生态环境厅关于{name}的通知》政策解读",
        "published_date": "2024-02-23",
        "source": "省生态环境厅",
        "form": "文字解读",
        "body_text": INTERP_BODY,
        "fetched_at": "2026-11-01T02:00:00+00:00",
    }
    return InterpretationRecord(**{**fields, **changes})


# per table: how a record is made and saved, the edit of its changed page, the words for it
KINDS = {
    "documents": {
        "make": _record,
        "save": save_document,
        # repealed on its page and with a correction appended
        "edit": {"validity_raw": "废止", "body_text": BODY + EDITED},
        "added": len(EDITED),
        "change": "网页标注的有效性：有效 → 废止",
        "kept": "本文件仍保留在库中",
    },
    "interpretations": {
        "make": _interpretation,
        "save": save_interpretation,
        # another source, a section added
        "edit": {"source": "省生态环境厅法规处", "body_text": INTERP_BODY + INTERP_EDITED},
        "added": len(INTERP_EDITED),
        "change": "信息来源：省生态环境厅 → 省生态环境厅法规处",
        "kept": "本解读仍保留在库中",
    },
}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "normdocs.db"
    db = open_db(str(path))
    save_site(db, {"name": "jx-sthjt", "title": "江西省生态环境厅", "family": "hanweb"})
    for table, kind in KINDS.items():
        make, save = kind["make"], kind["save"]
        save(db, make("排污许可"))
        assert save(db, make("排污许可", **kind["edit"], fetched_at=REFETCHED)) == "changed"
        save(db, make("危险废物"))
        assert save(db, make("信用评价")) == "new"
        assert mark_removed(db, make("信用评价").url, REMOVED) == table
    db.conn.close()
    build(str(path), AS_OF)
    checkpoint(path)
    return path


@pytest.fixture(scope="module")
def site(library: Path):
    """GET a path from the real Datasette app, in-process; returns the httpx response."""
    with served(library) as get:
        yield get


def _page(site, table: str, name: str) -> str:
    """The HTML of the page of the document (or interpretation) called ``name``."""
    response = site(f"/normdocs/{table}/{stable_id(KINDS[table]['make'](name).url)}")
    assert response.status_code == 200
    return response.text


def _section(html: str, name: str) -> str:
    return re.search(rf'<section id="{name}">.*?</section>', html, flags=re.S)[0]


@pytest.mark.parametrize("table", TABLES)
def test_a_page_taken_down_at_its_source_says_so_and_keeps_the_text(site, table) -> None:
    html = _page(site, table, "信用评价")
    notice = re.search(r'<p class="nd-removed" id="removed"[^>]*>.*?</p>', html, flags=re.S)[0]
    assert "原网页已于 2026-11-25 11:00（北京时间）前从网站撤下" in notice
    assert KINDS[table]["kept"] in notice
    # only a document has a validity that a reader could take the removal to end
    assert ("撤下不等于废止" in notice) == (table == "documents")
    assert "（已撤下）" in html  # beside the link to the source page
    assert "为规范排污许可管理" in _section(html, "fulltext")  # the text is still shown
    for name in ("排污许可", "危险废物"):
        html = _page(site, table, name)
        assert 'id="removed"' not in html and "（已撤下）" not in html


@pytest.mark.parametrize("table", TABLES)
def test_the_versions_of_a_changed_page_say_what_changed_and_link_to_their_text(
    site, table
) -> None:
    section = _section(_page(site, table, "排污许可"), "versions")
    assert "版本记录（2）" in section
    rows = re.findall(r"<tr><td>(\d)(（本页所示）)?</td><td>([^<]+)</td>", section)
    assert rows == [("1", "", "2026-11-01 10:00"), ("2", "（本页所示）", "2026-11-21 00:30")]
    assert "首次采集" in section
    assert KINDS[table]["change"] in section
    assert f"正文（增加 {KINDS[table]['added']} 字）" in section
    # the 有效性 a page states: an interpretation's page states none
    assert ("<th>网页标注的有效性</th>" in section) == (table == "documents")
    # each version's stored text is one click away, the old one included
    links = re.findall(r'href="(/normdocs/document_versions/\d+)"', section)
    assert len(links) == 2
    old, new = (site(link).text for link in links)
    assert "为规范排污许可管理" in old and "重点排污单位" not in old
    assert "重点排污单位" in new
    # all versions, as a table to download
    assert f"parent_table={table}&amp;parent_id=" in section


@pytest.mark.parametrize("table", TABLES)
def test_a_page_that_never_changed_has_one_version_and_says_so(site, table) -> None:
    section = _section(_page(site, table, "危险废物"), "versions")
    assert "版本记录（1）" in section
    assert "2026-11-01 10:00（北京时间）首次采集，此后复查未发现原网页内容变化" in section
    assert "<table" not in section
    (link,) = re.findall(r'href="(/normdocs/document_versions/\d+)"', section)
    assert site(link).status_code == 200
