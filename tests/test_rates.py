"""The 解读率: departments, the rate per department and year, and its page through a real Datasette.

A small library with numbers worked out by hand is saved, built, and read back through
``corpus.site.serve.make_datasette`` (the real ASGI app with the project's metadata, plugin and
templates): the canned query must give these numbers and the chart must draw them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sitekit import served

from corpus.build import build
from corpus.links.rates import TARGET, UNKNOWN, canonical_department, departments
from corpus.site.queries import canned_queries_for_library
from corpus.site.serve import checkpoint, load_metadata
from corpus.store.records import DocumentRecord, InterpretationRecord, PageLink
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import open_db

NYNC = "江西省农业农村厅"
SEED = "江西省农作物种子生产经营许可管理办法"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("省农业农村厅", NYNC),
        (NYNC, NYNC),
        ("省政府", "江西省人民政府"),
        ("江西省政府办公厅", "江西省人民政府办公厅"),
        ("省政府办公厅", "江西省人民政府办公厅"),
        ("省发展改革委", "江西省发展和改革委员会"),
        ("农业农村部", "农业农村部"),
        ("国务院办公厅", "国务院办公厅"),
    ],
)
def test_one_spelling_per_department(name, expected):
    assert canonical_department(name, "江西省") == expected


def test_joint_issuers_are_split_and_deduplicated():
    assert departments("江西省农业农村厅、省财政厅 省农业农村厅", "江西省") == [
        NYNC,
        "江西省财政厅",
    ]
    assert departments("", "江西省") == []
    assert canonical_department("省农业农村厅", None) == "省农业农村厅"  # no province: as given


# ---------------------------------------------------------------- a library with known rates

SITES = [
    {"name": "jx-nync", "title": NYNC, "family": "hanweb", "province": "江西省"},
    {"name": "jx-portal", "title": "江西省人民政府", "family": "hanweb", "province": "江西省"},
]


def _doc(db, n, issuer, written, published, kind="normative", site="jx-nync", title=None):
    url = f"http://{site}.example/art/doc{n}.html"
    save_document(
        db,
        DocumentRecord(
            url=url,
            site=site,
            kind=kind,
            title=title or f"{NYNC}关于做好第{n}项工作的通知",
            issuer=issuer,
            written_date=written,
            published_date=published,
        ),
    )
    return url


def _interp(db, n, published, doc_urls=(), title=None, site="jx-nync"):
    save_interpretation(
        db,
        InterpretationRecord(
            url=f"http://{site}.example/art/jd{n}.html",
            site=site,
            title=title or f"第{n}项工作政策解读",
            published_date=published,
            links=[
                PageLink(url=u, text="原文", role="document", label="原文链接") for u in doc_urls
            ],
        ),
    )


def _make_library(path: Path) -> None:
    db = open_db(str(path))
    for site in SITES:
        save_site(db, site)
    # 2023, 江西省农业农村厅: 10 documents, 9 interpreted, 4 of them the same day → 90.0%.
    for n in range(1, 11):
        issuer = {3: f"{NYNC}、省财政厅", 10: "省农业农村厅"}.get(n, NYNC)
        url = _doc(db, n, issuer, "2023-05-02", "2023-05-05")
        if n <= 4:
            _interp(db, n, "2023-05-05", [url])
        elif n <= 9:
            _interp(db, n, "2023-05-08", [url])
    # 2024: one interpreted later, one not, one interpreted before its page went up (同步);
    # a policy document (not counted) with an interpretation.
    _interp(db, 11, "2024-02-20", [_doc(db, 11, NYNC, "2024-02-01", "2024-02-10")])
    _doc(db, 12, NYNC, "2024-03-01", "2024-03-02")
    _interp(db, 13, "2024-03-05", [_doc(db, 13, NYNC, "2024-03-01", "2024-03-10")])
    _interp(db, 14, "2024-04-01", [_doc(db, 14, NYNC, "2024-04-01", "2024-04-01", kind="policy")])
    # A rule of the provincial government, interpreted the same day by its quoted title.
    _doc(db, 15, "江西省人民政府", "2024-06-01", "2024-06-03", "rule", "jx-portal", SEED)
    _interp(db, 15, "2024-06-03", title=f"《{SEED}》政策解读", site="jx-portal")
    # No issuer on the page: counted, not guessed.
    _doc(db, 16, "", "2024-07-01", "2024-07-01")
    # A national decoy: linked to nothing, listed for review.
    _interp(db, 17, "2024-08-01", title="《农作物种子生产经营许可管理办法》解读")
    db.conn.close()
    build(str(path), date(2026, 11, 27))


EXPECTED = {
    # (department, year): documents, interpreted, same day, rate, same-day rate, verdict, shortfall
    (NYNC, "2023"): (10, 9, 4, 90.0, 40.0, "达标", 0),
    (NYNC, "2024"): (3, 2, 1, 66.7, 33.3, "未达标", 1),
    (NYNC, "合计"): (13, 11, 5, 84.6, 38.5, "未达标", 1),
    ("江西省财政厅", "2023"): (1, 1, 1, 100.0, 100.0, "达标", 0),
    ("江西省财政厅", "合计"): (1, 1, 1, 100.0, 100.0, "达标", 0),
    ("江西省人民政府", "2024"): (1, 1, 1, 100.0, 100.0, "达标", 0),
    ("江西省人民政府", "合计"): (1, 1, 1, 100.0, 100.0, "达标", 0),
    (UNKNOWN, "2024"): (1, 0, 0, 0.0, 0.0, "未达标", 1),
    (UNKNOWN, "合计"): (1, 0, 0, 0.0, 0.0, "未达标", 1),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """GET from the real Datasette app serving the built library, in-process."""
    path = tmp_path_factory.mktemp("rates") / "normdocs.db"
    _make_library(path)
    checkpoint(path)
    with served(path) as get:
        yield get


def _rows(site, params: str = "department=&year=") -> list[dict]:
    response = site(f"/normdocs/interpretation_rate.json?{params}&_shape=array")
    assert response.status_code == 200, response.text
    return response.json()


def test_the_rate_query_gives_the_worked_out_numbers(site):
    rows = _rows(site)
    got = {
        (r["department"], r["year"]): (
            r["documents"], r["interpreted"], r["interpreted_same_day"], r["rate"],
            r["same_day_rate"], r["verdict"], r["shortfall"],
        )
        for r in rows
    }  # fmt: skip
    assert got == EXPECTED
    assert all(r["target"] == 90 == TARGET for r in rows)
    assert all(r["interpreted_later"] == r["interpreted"] - r["interpreted_same_day"] for r in rows)
    assert rows[0]["department"] == NYNC  # most documents first, years then 合计
    assert [r["year"] for r in rows[:3]] == ["2023", "2024", "合计"]


def test_the_target_is_one_number_wherever_it_is_written(tmp_path):
    """``TARGET`` is the one definition; the view (a migration, never edited) and metadata.yml
    spell the number out, and must say the same."""
    db = open_db(str(tmp_path / "shape.db"))
    (view,) = db.execute(
        "select sql from sqlite_master where name = 'interpretation_rates'"
    ).fetchone()
    assert f"{TARGET} AS target" in view
    tables = load_metadata()["databases"]["normdocs"]["tables"]
    assert f"目标 {TARGET}%" in tables["interpretation_rates"]["description"]
    query = canned_queries_for_library()["interpretation_rate"]
    assert f"对照 {TARGET}% 的目标" in query["description"]


def test_the_rate_query_filters_by_department_and_year(site):
    rows = _rows(site, "department=财政&year=")
    assert {(r["department"], r["year"]) for r in rows} == {
        ("江西省财政厅", "2023"),
        ("江西省财政厅", "合计"),
    }
    rows = _rows(site, "department=&year=2024")
    assert {r["department"] for r in rows} == {NYNC, "江西省人民政府", UNKNOWN}
    assert (
        next(r for r in rows if r["department"] == NYNC and r["year"] == "合计")["documents"] == 3
    )


def test_the_rate_page_draws_the_numbers(site):
    response = site("/normdocs/interpretation_rate?department=&year=")
    assert response.status_code == 200
    page = response.text
    assert "各部门解读率" in page
    assert page.count('<svg class="nd-rate-svg"') == 4  # one panel per department
    assert page.count('<g class="nd-rate-bar">') == 5  # one bar per department and year
    assert f"<strong>{NYNC}</strong>：合计 84.6%（11/13），同步 38.5%，未达标，差 1 份" in page
    assert f"{NYNC} 2023年：解读率 90.0%（9/10），同步 40.0%（4），达标" in page
    assert f"{NYNC} 2024年：解读率 66.7%（3/3）" not in page
    assert f"{NYNC} 2024年：解读率 66.7%（2/3），同步 33.3%（1），未达标" in page
    # bar heights are the rates (100 px = 100%), the target line at 90%
    assert '<rect x="40" y="30.0" width="26" height="90.0" fill="#2e7d32"/>' in page
    assert '<rect x="76" y="53.3" width="26" height="66.7" fill="#e07b00"/>' in page
    assert 'class="nd-rate-target" x1="34" y1="30"' in page
    # works offline: no script or stylesheet from another host
    assert not re.search(r"<script[^>]+src=\"(?:https?:)?//", page)
    assert not re.search(r"<link[^>]+stylesheet[^>]+href=\"(?:https?:)?//", page)


def test_the_rate_page_without_rows_has_no_chart(site):
    response = site("/normdocs/interpretation_rate?department=没有这个部门&year=")
    assert response.status_code == 200
    assert "nd-rate-svg" not in response.text


def test_unlinked_interpretations_are_listed_for_review_with_a_reason(site):
    rows = site("/normdocs/unlinked_interpretations.json?site=&_shape=array").json()
    assert [r["title"] for r in rows] == ["《农作物种子生产经营许可管理办法》解读"]
    assert "库中无此文件" in rows[0]["link_note"]


def test_the_queries_are_on_the_menu(site):
    queries = {q["name"]: q for q in site("/normdocs.json").json()["queries"]}
    assert queries["interpretation_rate"]["title"] == "各部门解读率"
    assert queries["unlinked_interpretations"]["title"].startswith("未关联文件的解读")


def test_links_say_how_soon_the_interpretation_followed(site):
    rows = site(
        "/normdocs/document_interpretations.json?_shape=array&_size=max"
        "&_col=days_after&_col=synchronous&_col=method"
    ).json()
    days = sorted(r["days_after"] for r in rows)
    assert days == [-5, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 10]
    assert all(r["synchronous"] == (r["days_after"] <= 0) for r in rows)
