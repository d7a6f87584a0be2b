"""The comparison page (/compare): two stored versions of a page side by side, by article,
through a real in-process Datasette over a library made by the real save path (a measure saved,
then saved again after an article was changed, one added and one removed)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sitekit import served

from corpus.build import build
from corpus.site.serve import checkpoint
from corpus.store.identity import stable_id
from corpus.store.records import DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import open_db

URL = "http://gov.example/art/banfa.html"
OLD = "\n".join([
    "江西省某某管理办法",
    "第一条 为了规范某某管理，制定本办法。",
    "第二条 本办法适用于本省行政区域内的某某活动。",
    "第三条 县级以上人民政府负责本行政区域内的<某某>工作。",
    "第四条 违反本办法的，由主管部门责令改正。",
    "第五条 本办法自2020年1月1日起施行。",
])  # fmt: skip
NEW = "\n".join([
    "江西省某某管理办法",
    "第一条 为了规范某某管理，制定本办法。",
    "第二条 县级以上人民政府负责本行政区域内的<某某>工作。",
    "第三条 违反本办法的，由主管部门责令限期改正。",
    "第四条 鼓励社会力量参与某某工作。",
    "第五条 本办法自2020年1月1日起施行。",
])  # fmt: skip


def _record(body: str, fetched_at: str) -> DocumentRecord:
    return DocumentRecord(
        url=URL, site="gov", kind="rule", title="江西省某某管理办法", issuer="江西省人民政府",
        published_date="2020-01-01", body_text=body, fetched_at=fetched_at,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("compare") / "normdocs.db"
    db = open_db(str(path))
    save_site(db, {"name": "gov", "title": "某某政府", "family": "hanweb"})
    save_document(db, _record(OLD, "2026-11-01T02:00:00+00:00"))
    assert save_document(db, _record(NEW, "2026-11-20T02:00:00+00:00")) == "changed"
    db.conn.close()
    build(str(path), date(2026, 11, 27))
    checkpoint(path)
    with served(path) as get:
        yield get


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(status class, old cell, new cell) of each row of the comparison, tags removed."""
    rows = re.findall(
        r'<tr class="nd-(\w+)".*?<td class="nd-old">(.*?)</td>\s*<td class="nd-new">(.*?)</td>',
        html,
        flags=re.S,
    )
    return [(s, re.sub("<[^>]+>", "", o), re.sub("<[^>]+>", "", n)) for s, o, n in rows]


def test_the_versions_list_links_each_later_version_to_its_comparison(site) -> None:
    doc_id = stable_id(URL)
    html = site(f"/normdocs/documents/{doc_id}").text
    links = re.findall(r'class="nd-compare-link" href="([^"]+)"', html)
    assert links == [f"/compare?table=documents&amp;id={doc_id}&amp;version=2"]
    assert site(links[0].replace("&amp;", "&")).status_code == 200


def test_the_comparison_shows_old_and_new_side_by_side_by_article(site) -> None:
    response = site(f"/compare?table=documents&id={stable_id(URL)}&version=2")
    assert response.status_code == 200
    html = response.text
    assert "版本 1（2026-11-01 10:00 采集） → 版本 2（2026-11-20 10:00 采集）" in html
    assert "按条比较" in html
    assert "新增 1 · 删除 1 · 修改 1 · 仅条号变化 1 · 未变 2" in html
    assert _rows(html) == [
        ("removed", "第二条 本办法适用于本省行政区域内的某某活动。", ""),
        ("renumbered", "第三条 县级以上人民政府负责本行政区域内的&lt;某某&gt;工作。",
         "第二条 县级以上人民政府负责本行政区域内的&lt;某某&gt;工作。"),
        ("changed", "第四条 违反本办法的，由主管部门责令改正。",
         "第三条 违反本办法的，由主管部门责令限期改正。"),
        ("added", "", "第四条 鼓励社会力量参与某某工作。"),
    ]  # fmt: skip
    # the changed words marked, crawled text escaped
    assert "<ins>限期</ins>" in html
    assert "<某某>" not in html
    assert "第三条 → 第二条" in html


def test_all_articles_on_request_and_errors(site) -> None:
    doc_id = stable_id(URL)
    html = site(f"/compare?table=documents&id={doc_id}&version=2&from=1&all=1").text
    assert [r[0] for r in _rows(html)].count("same") == 2
    assert "只看变化" in html
    # the latest version by default
    assert _rows(site(f"/compare?id={doc_id}").text) == _rows(
        site(f"/compare?id={doc_id}&version=2").text
    )
    for bad in ("", "?id=abc", f"?id={doc_id}&version=1", f"?id={doc_id}&version=9",
                f"?table=sites&id={doc_id}", "?id=12345"):  # fmt: skip
        assert site(f"/compare{bad}").status_code == 404, bad
