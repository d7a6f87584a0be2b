"""The published site in a real browser: headless Chromium drives the production server.

The library is the real crawl of the mirror (conftest ``crawled_db``), built as of 2026-11-27 and
served by the production command (``uvicorn corpus.site.asgi:app``, two workers, uvloop) on loopback.
Debian's ``chromium`` (``make chromium`` / .ci/run install it) is driven by Playwright for Python,
launched with a fresh profile; Playwright's own browser downloads are never used. Screenshots go
to test-artifacts/ (not committed).

A reader searches a Chinese term, opens a document, sees its status, the evidence and its
interpretations; an analyst downloads the Excel CSV; and the mirror's hostile page (markup in its
title, body, links and attachment: mirror/hostile.py) executes nothing on any page showing it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sqlite3
import sys
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from corpus.build import build
from corpus.site.serve import checkpoint
from corpus.store.identity import stable_id
from mirror.harness import serve_on_socket

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AS_OF = date(2026, 11, 27)
BOM = b"\xef\xbb\xbf"

pytestmark = pytest.mark.integration


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`, as root)"
    if os.environ.get("NORMDOCS_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def library(crawled_db, tmp_path_factory) -> Path:
    """The crawled mirror, built as of 2026-11-27 and checkpointed, ready to publish."""
    path = tmp_path_factory.mktemp("browser") / "normdocs.db"
    shutil.copy(crawled_db, path)
    build(str(path), AS_OF)
    checkpoint(path)
    return path


@pytest.fixture(scope="module")
def site(library) -> str:
    """The production server (README: uvicorn, two workers, uvloop) on a socket bound here and
    handed to it (``uvicorn --fd``): no other process can take the port in between."""
    env = {**os.environ, "NORMDOCS_DB": str(library)}

    def command(fd: int) -> list[str]:
        args = [sys.executable, "-m", "uvicorn", "corpus.site.asgi:app", "--workers", "2"]
        args += ["--loop", "uvloop", "--http", "httptools"]
        return [*args, "--fd", str(fd), "--log-level", "warning"]

    with serve_on_socket(command, ready_path="/-/versions.json", env=env) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's Chromium, headless, with a fresh profile directory."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            accept_downloads=True,
            locale="zh-CN",
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


class Watched:
    """A page with what it did recorded: dialogs opened and uncaught script errors."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def shot(self, name: str, full_page: bool = False) -> None:
        """Save a screenshot (the first screen; full_page for short pages only: tall table
        pages take software-rendered Chromium tens of seconds)."""
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=full_page)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    watched = Watched(page)
    yield watched
    page.close()
    assert watched.errors == [], "uncaught script errors on our pages"


# ---------------------------------------------------------------- truth helpers


@pytest.fixture(scope="module")
def truth(mirror_base_port) -> dict:
    import mirror

    return mirror.truth(mirror_base_port)


def _interpreted_document(truth: dict) -> tuple[dict, str]:
    """A document in force, with interpretations linked from its page, and a search term for it:
    the quoted title of a 印发 notice (《…》), else the title itself."""
    for doc in truth["documents"]:
        if doc["status"][AS_OF.isoformat()] == "现行有效" and doc["interpretation_urls"]:
            quoted = re.search(r"《([^》]+)》", doc["title"])
            return doc, quoted[1] if quoted else doc["title"]
    raise AssertionError("the mirror has no interpreted document in force")


# ---------------------------------------------------------------- a reader


def test_a_reader_searches_opens_a_document_and_sees_evidence_and_interpretations(
    site, page, truth
):
    doc, term = _interpreted_document(truth)
    p = page.page
    p.goto(site + "/")
    assert p.get_attribute("html", "lang") == "zh-CN"
    p.fill("#nd-q", term)
    p.press("#nd-q", "Enter")
    p.wait_for_url(re.compile(r"/normdocs/search\?"))
    assert "q=" + urllib.parse.quote(term) in p.url
    assert p.locator("table.rows-and-columns mark").count() > 0, "hits are highlighted"
    page.shot("search")

    p.get_by_role("link", name=doc["title"], exact=True).first.click()
    p.wait_for_url(re.compile(rf"/normdocs/documents/{stable_id(doc['url'])}$"))
    assert p.inner_text("h1") == doc["title"]
    status = p.locator("#status .nd-status")
    assert status.inner_text() == doc["status"][AS_OF.isoformat()] == "现行有效"
    assert "截至 2026-11-27" in p.inner_text("#status")

    evidence = p.locator("#validity table.nd-evidence tbody tr")
    assert evidence.count() >= 1
    assert "决定性证据" in p.inner_text("#validity")

    titles = {i["url"]: i["title"] for i in truth["interpretations"]}
    shown = p.locator("#interpretations table a").all_inner_texts()
    for url in doc["interpretation_urls"]:
        assert titles[url] in shown, titles[url]
    assert p.locator("#fulltext .nd-body p").count() == len(doc["body_text"].split("\n"))
    source = p.locator("#metadata .nd-source a")
    assert source.get_attribute("href") == doc["url"]
    page.shot("document", full_page=True)

    # and from the interpretation back to the document
    p.get_by_role("link", name=titles[doc["interpretation_urls"][0]], exact=True).first.click()
    p.wait_for_url(re.compile(r"/normdocs/interpretations/\d+$"))
    assert doc["title"] in p.locator("#documents table a").all_inner_texts()
    page.shot("interpretation", full_page=True)
    assert page.dialogs == []


# ---------------------------------------------------------------- an analyst


def _download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.locator(selector).first.click()
    path = info.value.path()
    return Path(path).read_bytes()


def test_a_reader_pages_past_the_first_100_search_results_keeping_the_filters(site, page, library):
    """共 N 份 as the rows count it, page 2 shows results 101–200, the filters stay."""
    conn = sqlite3.connect(library)
    kind, term = "normative", None
    for word in ("江西省", "管理", "规定", "工作"):
        n = conn.execute(
            "select count(*) from documents where kind = ? and (title like ? or body_text like ?"
            " or doc_number like ?)",
            [kind, f"%{word}%", f"%{word}%", f"%{word}%"],
        ).fetchone()[0]
        if n > 100:
            term = word
            break
    conn.close()
    assert term, "no word in more than 100 normative documents of the mirror"
    p = page.page
    p.goto(site + "/normdocs/search?" + urllib.parse.urlencode({"q": term, "kind": kind}))
    assert f"共 {n:,} 份" in p.inner_text("form.sql h3")
    assert p.locator("td.col-position").first.inner_text() == "1"
    p.locator("a.nd-page-next").first.click()
    p.wait_for_url(re.compile(r"page=2"))
    assert "第 101–" in p.inner_text("form.sql h3")
    positions = p.locator("td.col-position").all_inner_texts()
    assert positions[0] == "101" and positions == [str(101 + i) for i in range(len(positions))]
    assert p.locator("select[name=kind]").input_value() == kind  # the filter kept
    args = urllib.parse.parse_qs(urllib.parse.urlsplit(p.url).query)
    assert args["q"] == [term] and args["kind"] == [kind]
    page.shot("search-page-2")
    p.locator("a.nd-page-previous").first.click()
    p.wait_for_url(lambda url: "page=" not in url)
    assert p.locator("td.col-position").first.inner_text() == "1"


def test_the_excel_csv_download_starts_with_a_bom_and_holds_every_row_in_chinese(
    site, page, library
):
    p = page.page
    status = urllib.parse.quote("现行有效")
    p.goto(f"{site}/normdocs/documents?status={status}")
    page.shot("documents-table")
    data = _download(p, "a.nd-excel-csv")
    assert data[:3] == BOM
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))
    conn = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    expected = {
        r[0]: r[1]
        for r in conn.execute("select id, title from documents where status = '现行有效'")
    }
    conn.close()
    # Every row, not just the first page (the table shows 50): the link streams all of them.
    assert len(expected) > 50
    assert {int(r["id"]): r["title"] for r in rows} == expected
    assert all(r["status"] == "现行有效" for r in rows)
    assert any("江西省" in r["title"] for r in rows)


def test_a_department_page_exports_its_in_force_list_for_excel(site, page, library):
    p = page.page
    p.goto(site + "/department/" + urllib.parse.quote("江西省生态环境厅"))
    assert p.get_attribute("html", "lang") == "zh-CN"
    hrefs = p.locator("#in-force table tbody a").evaluate_all("links => links.map(a => a.href)")
    listed = {int(h.rsplit("/", 1)[1]) for h in hrefs}
    assert listed
    assert "解读率" in p.inner_text("#rate")
    page.shot("department")
    data = _download(p, "#in-force a.nd-excel-csv")
    assert data[:3] == BOM
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))
    assert {int(r["id"]) for r in rows} == listed  # the download is the list on the page
    # the department's own documents, also those whose page names it 省生态环境厅
    assert all("生态环境厅" in r["issuer"] for r in rows)


# ---------------------------------------------------------------- a lawyer checks a list


def _list_to_check(library: Path) -> dict:
    """From the crawled mirror: a document with a title and 文号 no other has, and the measure
    two versions of one notice print (a title the check must not resolve)."""
    conn = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    unique = conn.execute(
        """select id, title, doc_number, status from documents d
           where doc_number like '%〔%' and title not like '%《%'
             and (select count(*) from documents o where o.title = d.title) = 1
             and (select count(*) from documents o where o.doc_number = d.doc_number) = 1
           order by id limit 2"""
    ).fetchall()
    twin = conn.execute(
        """select title from documents where title like '%印发《%》的通知'
           group by title having count(*) = 2 order by title limit 1"""
    ).fetchone()[0]
    conn.close()
    return {"unique": unique, "measure": re.search(r"《(.+)》", twin)[1]}


def test_a_lawyer_pastes_lines_uploads_a_csv_sees_the_statuses_and_downloads_xlsx(
    site, page, library, tmp_path
):
    import openpyxl

    known = _list_to_check(library)
    (a_id, _, a_number, a_status), (b_id, b_title, _, b_status) = known["unique"]
    spelled = a_number.replace("〔", "[").replace("〕", "]")  # 赣府发[2022]3号, as people type it
    p = page.page
    p.goto(site + "/")
    p.get_by_role("link", name="批量核对").first.click()
    p.wait_for_url(re.compile(r"/check$"))
    assert p.input_value("#nd-as-of") == AS_OF.isoformat()
    p.fill("#nd-lines", f"1. {spelled}\n2. 《{known['measure']}》")
    listing = tmp_path / "清单.csv"
    listing.write_bytes(f"文件名称\n{b_title}\n江西省并不存在的管理办法\n".encode("gb18030"))
    p.set_input_files("#nd-file", str(listing))
    p.get_by_role("button", name="核对").click()
    p.wait_for_selector("#results")
    rows = p.locator("table.nd-check-results tbody tr")
    assert rows.count() == 4
    assert [rows.nth(i).get_attribute("data-match") for i in range(4)] == [
        "doc_number",
        "ambiguous",
        "title",
        "unmatched",
    ]
    assert rows.nth(0).locator(".nd-status").first.inner_text() == a_status
    assert rows.nth(2).locator(".nd-status").first.inner_text() == b_status
    assert rows.nth(1).locator("ul.nd-candidates li").count() >= 2  # both versions, no guess
    assert "未匹配" in rows.nth(3).inner_text()
    rows.nth(0).locator("a.nd-doc").click()
    p.wait_for_url(re.compile(rf"/normdocs/documents/{a_id}$"))
    p.go_back()
    p.wait_for_selector("#results")
    page.shot("check")

    data = _download(p, "button.nd-download-xlsx")
    table = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    header, body = table[0], table[1:]
    assert [r[header.index("match")] for r in body] == ["doc_number", "ambiguous", "title", "unmatched"]  # fmt: skip
    assert body[0][header.index("status")] == a_status
    assert body[0][header.index("link")].endswith(f"/normdocs/documents/{a_id}")
    assert body[2][header.index("link")].endswith(f"/normdocs/documents/{b_id}")
    csv_data = _download(p, "button.nd-download-csv")
    assert csv_data[:3] == BOM
    assert len(list(csv.reader(io.StringIO(csv_data[3:].decode("utf-8"))))) == 5
    assert page.dialogs == []


# ---------------------------------------------------------------- a lawyer reads by article


def _in_view(p, anchor: str) -> bool:
    """The element ``anchor`` names is at the top of the window, or the page is scrolled to its
    end (the last articles cannot reach the top)."""
    return p.evaluate(
        """id => {
            const top = document.getElementById(id).getBoundingClientRect().top;
            const end = window.scrollY + window.innerHeight >= document.body.scrollHeight - 2;
            return window.scrollY > 0 && (Math.abs(top) < 4 || (end && top >= 0
                && top < window.innerHeight));
        }""",
        anchor,
    )


def test_a_lawyer_opens_an_article_from_the_table_of_contents(site, page, library):
    conn = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    doc_id, count = conn.execute(
        "select id, article_count from documents where article_count >= 12"
        " and exists (select 1 from articles a where a.document_id = documents.id"
        " and a.attachment_id is null) order by article_count desc, id limit 1"
    ).fetchone()
    anchors = [
        r[0]
        for r in conn.execute(
            "select anchor from articles where document_id = ? and kind = '条' order by ordinal",
            [doc_id],
        )
    ]
    conn.close()
    assert len(anchors) == count
    p = page.page
    p.goto(f"{site}/normdocs/documents/{doc_id}")
    hashes = p.locator("#toc .nd-toc a").evaluate_all("links => links.map(a => a.hash)")
    assert set(anchors) <= {urllib.parse.unquote(h)[1:] for h in hashes}  # every article listed
    assert p.evaluate("window.scrollY") == 0
    target = anchors[count // 2]
    p.locator(f'#toc a[href="#{target}"]').click()
    p.wait_for_function("h => decodeURIComponent(location.hash) === h", arg="#" + target)
    assert _in_view(p, target)
    assert p.inner_text(f'[id="{target}"]').startswith(target)
    page.shot("article")
    # the address of an article, as a lawyer cites it: …/documents/ID#第N条
    other = anchors[2]
    p.goto(f"{site}/normdocs/documents/{doc_id}#{other}")
    p.wait_for_function("id => document.getElementById(id) !== null", arg=other)
    assert _in_view(p, other)
    assert page.dialogs == []


# ---------------------------------------------------------------- a hostile page


def _hostile(library: Path) -> tuple[int, str]:
    """The hostile document as the crawl stored it: the attack must have reached the library."""
    conn = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "select id, title, body_text from documents where title like '%<script>%'"
        ).fetchone()
        names = [
            r[0] for r in conn.execute("select name from attachments where name like '%<img%'")
        ]
    finally:
        conn.close()
    assert row is not None, "the mirror's hostile page (mirror/hostile.py) was not crawled"
    doc_id, title, body = row
    assert "onerror=" in body and names, "the markup in the body and attachment must be stored"
    return doc_id, title


def _assert_nothing_ran(page: Watched, where: str) -> None:
    p = page.page
    p.wait_for_load_state("load")
    assert page.dialogs == [], where
    assert p.evaluate("document.documentElement.dataset.pwned") is None, where
    assert p.evaluate("document.querySelectorAll('[onerror]').length") == 0, where
    assert (
        p.evaluate(
            "[...document.querySelectorAll('a[href]')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length"
        )
        == 0
    ), where
    scripts = p.evaluate("[...document.scripts].map(s => s.text)")
    assert not any("pwned" in s for s in scripts), where


def test_the_hostile_page_executes_nothing_anywhere_it_is_shown(site, page, library):
    doc_id, title = _hostile(library)
    p = page.page
    pages = {
        "hostile-document": f"/normdocs/documents/{doc_id}",
        "hostile-search": "/normdocs/search?q=" + urllib.parse.quote("农机安全生产监管"),
        "hostile-table": "/normdocs/documents?_search=" + urllib.parse.quote("农机安全生产监管"),
        "hostile-department": "/department/" + urllib.parse.quote("江西省农业农村厅"),
        "hostile-attachments": f"/normdocs/attachments?parent_id={doc_id}",
    }
    for name, path in pages.items():
        p.goto(site + path)
        _assert_nothing_ran(page, name)
        assert "<script>" in p.inner_text("body") or "<img" in p.inner_text("body"), name
        page.shot(name)
    # The document page shows the markup as the text it is.
    p.goto(f"{site}/normdocs/documents/{doc_id}")
    assert p.inner_text("h1") == title
    assert 'onerror="document.documentElement' in p.inner_text("#fulltext")
    assert "onerror=" in p.inner_text("#attachments")
    # Clicking every link on the page runs nothing either (links are http(s) or site paths).
    hrefs = p.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    _assert_nothing_ran(page, "after reading")
