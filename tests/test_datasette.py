"""The published site: a real library file, built, read back through a real Datasette.

The library is made of hand-written records saved with ``corpus.store.save`` and built as of
2026-11-27; Datasette runs in-process (``datasette.client``, the real ASGI app) with the project's
metadata, templates and plugin, and once more as a real server over HTTP.
"""

from __future__ import annotations

import asyncio
import csv
import fnmatch
import hashlib
import html
import io
import json
import re
import shutil
import sqlite3
import sys
import tomllib
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from sitekit import served

from corpus.build import build
from corpus.site import plugin as datasette_plugin
from corpus.site.asgi import NotPublishable, create_app
from corpus.site.bom import BOM, bom_csv
from corpus.site.plugin import safe_snippet, url_link
from corpus.site.serve import (
    METADATA_PATH,
    PACKAGE_DIR,
    STATIC_DIR,
    TEMPLATES_DIR,
    checkpoint,
    datasette_args,
    make_datasette,
    require_built,
)
from corpus.store.identity import stable_id
from corpus.store.records import Attachment, DocumentRecord, InterpretationRecord, PageLink
from corpus.store.save import save_document, save_interpretation, save_site
from corpus.store.schema import open_db
from mirror.harness import serve_reporting_port

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 27)
# a paragraph that opens an article or a clause (corpus/articles), with its anchors
ANCHORED = r'<p id="[^"]+" class="nd-unit nd-unit-\w+">(?:<span id="[^"]+"></span>)*'
STHJT = "http://sthjt.example/art/"
NYNC = "http://nync.example/art/"
PORTAL = "http://portal.example/art/"

SITES = [
    {"name": "jx-portal", "title": "江西省人民政府", "family": "hanweb"},
    {"name": "jx-nync", "title": "江西省农业农村厅", "family": "hanweb"},
    {"name": "jx-sthjt", "title": "江西省生态环境厅", "family": "hanweb"},
]

# name -> (record fields, status as of AS_OF). Every document carries its true status so that
# the tests can say which ones the search and the in_force query must return.
DOCUMENTS = {
    "督察办法": (
        dict(
            url=STHJT + "2023/2/15/art_1.html",
            site="jx-sthjt",
            kind="normative",
            title="江西省生态环境厅关于印发《江西省生态环境保护督察实施办法》的通知",
            doc_number="赣环规〔2023〕1号",
            issuer="江西省生态环境厅",
            written_date="2023-02-10",
            published_date="2023-02-15",
            validity_raw="有效",
            body_text="为加强生态环境保护督察，压实生态环境保护责任，制定本办法。\n"
            "第一条 省生态环境厅负责组织实施督察工作。\n"
            "本办法自2023年3月1日起施行，有效期5年。",
        ),
        "现行有效",
    ),
    "排污许可": (
        dict(
            url=STHJT + "2019/5/20/art_2.html",
            site="jx-sthjt",
            kind="normative",
            title="江西省生态环境厅关于进一步规范排污许可管理的通知",
            doc_number="赣环规〔2019〕3号",
            issuer="江西省生态环境厅",
            written_date="2019-05-20",
            published_date="2019-05-22",
            body_text="各设区市生态环境局：\n为规范排污许可管理，现通知如下。\n"
            "本通知自印发之日起施行，有效期5年。",
        ),
        "已失效",
    ),
    "信用评价": (
        dict(
            url=STHJT + "2026/10/20/art_3.html",
            site="jx-sthjt",
            kind="normative",
            title="江西省生态环境厅关于印发《江西省生态环境信用评价办法》的通知",
            doc_number="赣环规〔2026〕5号",
            issuer="江西省生态环境厅",
            written_date="2026-10-20",
            published_date="2026-10-22",
            body_text="为推进生态环境信用体系建设，制定本办法。\n"
            "本办法自2027年1月1日起施行，有效期5年。",
        ),
        "尚未生效",
    ),
    "危险废物": (
        dict(
            url=STHJT + "2024/3/1/art_4.html",
            site="jx-sthjt",
            kind="normative",
            title="关于印发《江西省危险废物跨省转移管理规定》的通知",
            doc_number="赣环规〔2024〕2号",
            issuer="江西省生态环境厅、江西省发展和改革委员会",
            written_date="2024-03-01",
            published_date="2024-03-05",
            validity_raw="有效",
            # Markup in the text must come out of the snippet escaped.
            body_text="<script>alert(1)</script>为防范危险废物污染，保障生态环境安全，制定本规定。\n"
            "本规定自2024年4月1日起施行，有效期5年。",
        ),
        "现行有效",
    ),
    "农作物种子": (
        dict(
            url=NYNC + "2024/6/1/art_5.html",
            site="jx-nync",
            kind="normative",
            title="江西省农业农村厅关于加强农作物种子管理的通知",
            doc_number="赣农规〔2024〕2号",
            issuer="江西省农业农村厅",
            written_date="2024-06-01",
            published_date="2024-06-03",
            body_text="为规范农作物种子生产经营，保护农业生态环境，现通知如下。\n"
            "本通知自2024年7月1日起施行，有效期5年。",
        ),
        "现行有效",
    ),
    "信息公开规定": (
        dict(
            url=PORTAL + "2021/3/1/art_6.html",
            site="jx-portal",
            kind="rule",
            title="江西省政府信息公开规定",
            doc_number="江西省人民政府令第251号",
            issuer="江西省人民政府",
            written_date="2021-03-01",
            published_date="2021-03-05",
            body_text="第一条 为了保障公民依法获取政府信息，制定本规定。\n"
            "本规定自2021年5月1日起施行。",
            attachments=[Attachment(url="javascript:alert('xss')", name="附件（无效链接）")],
        ),
        "现行有效",
    ),
}
INTERPRETATION_URL = STHJT + "2023/2/16/art_7.html"


def _id(name: str) -> int:
    return stable_id(DOCUMENTS[name][0]["url"])


def _body(doc_id: int) -> str:
    (text,) = [f["body_text"] for n, (f, _) in DOCUMENTS.items() if _id(n) == doc_id]
    return text


def _containing(text: str) -> set[int]:
    """The documents whose title, 文号 or body contain ``text``: what a search must find."""
    return {
        _id(name)
        for name, (fields, _) in DOCUMENTS.items()
        if any(text in (fields.get(k) or "") for k in ("title", "doc_number", "body_text"))
    }


def _make_library(path: Path) -> None:
    db = open_db(str(path))
    for site in SITES:
        save_site(db, site)
    for name, (fields, _status) in DOCUMENTS.items():
        links = []
        if name == "督察办法":
            links = [PageLink(url=INTERPRETATION_URL, text="图解", role="interpretation")]
        save_document(
            db, DocumentRecord(**fields, doc_number_raw=fields["doc_number"], links=links)
        )
    save_interpretation(
        db,
        InterpretationRecord(
            url=INTERPRETATION_URL,
            site="jx-sthjt",
            title="图解：《江西省生态环境保护督察实施办法》",
            published_date="2023-02-16",
            form="图解",
            body_text="一图读懂《江西省生态环境保护督察实施办法》。\n督察对象包括各设区市人民政府。",
            links=[PageLink(url=DOCUMENTS["督察办法"][0]["url"], text="原文", role="document")],
        ),
    )
    db.conn.close()
    build(str(path), AS_OF)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("site") / "normdocs.db"
    _make_library(path)
    checkpoint(path)
    return path


@pytest.fixture(scope="module")
def site(library):
    """GET a path from the real Datasette app, in-process; returns the httpx response."""
    with served(library) as get:
        yield get


def _q(value: str) -> str:
    return urllib.parse.quote(value)


# ---------------------------------------------------------------- configuration


def test_the_top_level_metadata_is_the_packaged_one():
    assert (ROOT / "metadata.yml").read_bytes() == METADATA_PATH.read_bytes()


def test_the_templates_static_files_and_metadata_are_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["corpus.site"]
    shipped = [METADATA_PATH, *TEMPLATES_DIR.iterdir(), *STATIC_DIR.iterdir()]
    for path in shipped:
        relative = path.relative_to(PACKAGE_DIR).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_the_base_template_differs_from_datasettes_only_by_the_language():
    import datasette

    theirs = (Path(datasette.__file__).parent / "templates" / "base.html").read_text()
    ours = (TEMPLATES_DIR / "base.html").read_text()
    ours = re.sub(r"\A\{#-.*?-#\}\n", "", ours, flags=re.S)
    ours = ours.replace('<html lang="zh-CN">', "<html>").replace('    <meta charset="utf-8">\n', "")
    assert ours == theirs, "Datasette's base.html changed: copy it again and re-apply lang=zh-CN"


def test_the_command_line_matches_the_in_process_configuration(tmp_path):
    args = datasette_args(tmp_path / "normdocs.db")
    assert args[:3] == ["serve", "-i", str(tmp_path / "normdocs.db")]
    settings = {args[i + 1]: args[i + 2] for i, arg in enumerate(args) if arg == "--setting"}
    assert settings == {
        "suggest_facets": "off",
        "sql_time_limit_ms": "3000",
        "max_returned_rows": "1000",
        "default_page_size": "50",
        "allow_download": "off",
        "default_cache_ttl": "300",
    }
    assert args[args.index("-m") + 1] == str(METADATA_PATH)
    with pytest.raises(ValueError, match="normdocs.db"):
        datasette_args(tmp_path / "demo.db")


def test_any_file_is_published_as_normdocs(library, tmp_path):
    copy = tmp_path / "demo.db"
    shutil.copy(library, copy)
    ds = make_datasette(copy)
    assert [n for n in ds.databases if not n.startswith("_")] == ["normdocs"]
    assert not ds.databases["normdocs"].is_mutable


def test_checkpoint_makes_wal_writes_visible_to_an_immutable_reader(tmp_path):
    path = tmp_path / "wal.db"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x)")
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()  # the writer stays open, so nothing is checkpointed on close

    def immutable_tables():
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
        finally:
            conn.close()

    assert immutable_tables() == []
    checkpoint(path)
    assert immutable_tables() == ["t"]
    writer.close()


def test_an_unbuilt_library_is_not_served(tmp_path):
    path = tmp_path / "normdocs.db"
    open_db(str(path)).conn.close()
    with pytest.raises(RuntimeError, match="normdocs build"):
        require_built(path)


def test_checkpoint_refuses_a_missing_file_without_creating_it(tmp_path):
    with pytest.raises(FileNotFoundError):
        checkpoint(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


# ---------------------------------------------------------------- rendering, pure


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("保护<mark>生态环境</mark>安全", "保护<mark>生态环境</mark>安全"),
        ("&lt;script&gt;<mark>生态</mark>", "&lt;script&gt;<mark>生态</mark>"),
        (
            "<script>alert(1)</script><mark>x</mark>",
            "&lt;script&gt;alert(1)&lt;/script&gt;<mark>x</mark>",
        ),
        ('<mark onclick="x">a</mark>', "&lt;mark onclick=&#34;x&#34;&gt;a"),
        ("<mark>a", "<mark>a</mark>"),
        ("a</mark>b<mark><mark>c", "ab<mark>c</mark>"),
        ("A &amp; B", "A &amp; B"),
    ],
)
def test_snippets_keep_only_mark_tags(snippet, expected):
    assert str(safe_snippet(snippet)) == expected


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://a.example/x y",
        "//evil.example/x",
        "http:///x",
        "https://?a=1",
        "http://#top",
        "http:/a.example",
        "ftp://a.example/x",
    ],
)
def test_only_http_urls_become_links(value):
    assert "<a " not in str(url_link(value))
    assert "<script>" not in str(url_link(value))


@pytest.mark.parametrize(
    "value", ["http://a.example", " HTTPS://a.example/x ", "https://a.example:8080?q=1"]
)
def test_urls_with_a_host_become_links(value):
    assert str(url_link(value)).startswith(f'<a href="{value.strip()}"')


def test_http_urls_become_escaped_links():
    link = str(url_link('https://a.example/x?a=1&b="2"'))
    assert link.startswith('<a href="https://a.example/x?a=1&amp;b=&#34;2&#34;"')
    assert 'rel="nofollow noopener"' in link


def _cell(value, column, table=None):
    return datasette_plugin.render_cell(
        row={}, value=value, column=column, table=table, database="normdocs", datasette=None
    )


def test_statuses_render_as_badges_and_other_cells_are_left_alone():
    badge = str(_cell("现行有效", "status"))
    assert badge == '<span class="nd-status nd-status-in-force">现行有效</span>'
    assert _cell(404, "status") is None  # crawl_errors' HTTP status
    assert _cell("<b>", "title") is None


def test_codes_render_as_words_keeping_the_code_in_a_tooltip():
    assert str(_cell("normative", "kind")) == '<span title="normative">行政规范性文件</span>'
    assert "解读标题引用文件标题" in str(_cell("title_quote", "method"))
    assert _cell("<b>", "kind") is None


# ---------------------------------------------------------------- the site, in-process


def test_the_build_gave_the_statuses_these_tests_expect(site):
    rows = site("/normdocs/documents.json?_col=status&_shape=array").json()
    assert {r["id"]: r["status"] for r in rows} == {_id(n): s for n, (_, s) in DOCUMENTS.items()}


def test_the_home_page_is_chinese(site):
    response = site("/")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "规范性文件库 · normdocs" in response.text
    assert "数据许可" in response.text and "Powered by" not in response.text
    assert "效力状态截至 2026-11-27" in response.text
    assert "/assets/normdocs.css" in response.text
    assert site("/assets/normdocs.css").status_code == 200


def test_the_plugin_is_loaded(site):
    names = {p["name"] for p in site("/-/plugins.json").json()}
    assert "normdocs" in names


def test_internal_tables_are_hidden(site):
    tables = {t["name"]: t for t in site("/normdocs.json").json()["tables"]}
    assert tables["page_links"]["hidden"] and tables["build_info"]["hidden"]
    assert not tables["documents"]["hidden"]
    for name, table in tables.items():
        if "_fts" in name:
            assert table["hidden"], name


def test_the_canned_queries_have_chinese_titles(site):
    queries = {q["name"]: q for q in site("/normdocs.json").json()["queries"]}
    assert {"search", "in_force", "newest"} <= set(queries)
    assert queries["in_force"]["title"] == "现行有效文件"
    assert "全文检索" in site("/normdocs/search").text


def test_the_database_is_not_writable(site, library):
    before = hashlib.sha256(library.read_bytes()).hexdigest()
    assert site("/-/databases.json").json()[0]["is_mutable"] is False
    write = "update documents set title = 'x'"
    response = site(f"/normdocs.json?sql={_q(write)}")
    assert response.status_code == 400
    assert site("/normdocs.db").status_code in (403, 404)  # allow_download off
    assert hashlib.sha256(library.read_bytes()).hexdigest() == before
    assert not library.with_name(library.name + "-wal").exists()


def test_the_robots_file_keeps_crawlers_off_the_endless_urls(site):
    text = site("/robots.txt").text
    assert "Disallow: /*?" in text and "Disallow: /*.csv" in text
    assert "Disallow: /\n" not in text + "\n"


def test_a_javascript_url_is_not_rendered_as_a_link(site):
    page = site("/normdocs/attachments").text
    assert "javascript:alert" in page
    assert not re.search(r"href=[\"']?\s*javascript:", page, flags=re.I)


def test_the_documents_table_has_its_facets(site):
    data = site("/normdocs/documents.json").json()
    assert {"kind", "status", "issuer", "year", "site"} <= set(data["facet_results"])
    assert data["suggested_facets"] == []
    assert len(data["rows"]) == len(DOCUMENTS)


def test_search_finds_every_document_containing_the_words_ranked_with_highlights(site):
    rows = site(f"/normdocs/search.json?q={_q('生态环境')}&_shape=array").json()
    ids = [r["id"] for r in rows]
    assert set(ids) == _containing("生态环境")
    assert len(ids) == len(set(ids))
    in_title = {_id(n) for n, (f, _) in DOCUMENTS.items() if "生态环境" in f["title"]}
    assert set(ids[: len(in_title)]) == in_title, "title hits must rank above body hits"
    for row in rows:
        snippet = row["snippet"]
        assert "<mark>" in snippet
        assert "<script>" not in snippet
        # The snippet is a piece of the original text (no segmentation spaces), lines joined.
        plain = html.unescape(re.sub(r"</?mark>", "", snippet)).strip("…")
        assert "生态环境" in plain
        assert plain in _body(row["id"]).replace("\n", " "), snippet


def test_search_snippets_are_shown_as_html(site):
    page = site(f"/normdocs/search?q={_q('危险废物')}").text
    assert "<mark>" in page and "&lt;mark&gt;" not in page
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize(
    ("table", "query", "expected"),
    [
        ("documents", "生态环境", _containing("生态环境")),
        ("documents", "种子", {_id("农作物种子")}),
        ("documents", "信息公开", {_id("信息公开规定")}),
        ("interpretations", "督察", {stable_id(INTERPRETATION_URL)}),
    ],
)
def test_the_table_search_box_works_for_chinese(site, table, query, expected):
    rows = site(f"/normdocs/{table}.json?_search={_q(query)}&_shape=array").json()
    assert {r["id"] for r in rows} == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("issuer=江西省生态环境厅", {"督察办法", "危险废物"}),  # 危险废物: a joint document
        ("site=jx-sthjt", {"督察办法", "危险废物"}),
        ("issuer=江西省农业农村厅", {"农作物种子"}),
        ("site=jx-portal", {"信息公开规定"}),
    ],
)
def test_in_force_lists_only_the_documents_in_force_of_the_department(site, params, expected):
    key, value = params.split("=")
    rows = site(f"/normdocs/in_force.json?{key}={_q(value)}&_shape=array").json()
    assert {r["id"] for r in rows} == {_id(n) for n in expected}
    assert all(DOCUMENTS[n][1] == "现行有效" for n in expected)
    dates = [r["published_date"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    assert all(r["status_basis"] for r in rows)


def test_statuses_are_shown_as_badges(site):
    page = site("/normdocs/documents").text
    assert 'class="nd-status nd-status-in-force">现行有效<' in page
    assert 'class="nd-status nd-status-expired">已失效<' in page


def test_newest_lists_documents_newest_first(site):
    rows = site("/normdocs/newest.json?_shape=array").json()
    assert rows[0]["id"] == _id("信用评价")
    assert len(rows) == len(DOCUMENTS)


# ---------------------------------------------------------------- the site's own pages


def test_translated_templates_are_copies_of_the_installed_datasette():
    import datasette

    upstream = Path(datasette.__file__).parent / "templates"
    translated = 0
    for path in TEMPLATES_DIR.glob("*.html"):
        m = re.search(
            r"Translation of Datasette ([\d.]+)'s templates/(\S+) \(sha256 (\w+)\)",
            path.read_text(),
        )
        if not m:
            continue
        translated += 1
        assert m[1] == datasette.__version__, path.name
        digest = hashlib.sha256((upstream / m[2]).read_bytes()).hexdigest()
        assert digest.startswith(m[3]), f"Datasette's {m[2]} changed: translate {path.name} again"
    assert translated >= 9


def test_no_template_marks_crawled_text_as_safe():
    allowed = {"metadata.description_html|safe", "urlencode|safe"}  # ours; SQL in a URL
    for path in TEMPLATES_DIR.glob("*.html"):
        for m in re.finditer(r"[\w.)\]'\"]*\|safe", path.read_text()):
            assert any(m[0].endswith(a) for a in allowed), f"{path.name}: {m[0]}"


def test_the_home_page_counts_by_status_kind_and_department_and_lists_the_newest(site):
    page = site("/").text
    for status in {s for _, s in DOCUMENTS.values()}:
        count = sum(1 for _, s in DOCUMENTS.values() if s == status)
        assert re.search(rf">{status}</span></a> <span class=\"nd-count\">{count}</span>", page)
    assert '>行政规范性文件</a> <span class="nd-count">5</span>' in page
    assert '>规章</a> <span class="nd-count">1</span>' in page
    assert f'href="/department/{_q("江西省生态环境厅")}"' in page
    newest = re.search(r'<section id="newest">.*?</section>', page, flags=re.S)[0]
    first = re.search(r'<a href="/normdocs/documents/(\d+)">', newest)
    assert int(first[1]) == _id("信用评价")
    assert '<form class="nd-search" action="/normdocs/search"' in page
    assert 'type="application/atom+xml"' in page


def test_the_document_page_shows_status_evidence_interpretations_and_text(site, library):
    doc_id = _id("督察办法")
    response = site(f"/normdocs/documents/{doc_id}")
    assert response.status_code == 200
    page = response.text
    fields = DOCUMENTS["督察办法"][0]
    assert f'<h1 class="nd-doc-title">{html.escape(fields["title"], quote=False)}</h1>' in page
    assert 'nd-status nd-status-in-force">现行有效</span>' in page
    assert "截至 2026-11-27" in page
    conn = sqlite3.connect(library)
    evidence = conn.execute(
        "select count(*) from validity_evidence where document_id = ?", [doc_id]
    ).fetchone()[0]
    conn.close()
    table = re.search(r'<table class="nd-plain nd-evidence">.*?</table>', page, flags=re.S)[0]
    assert table.count("<tr") - 1 == evidence > 0
    assert "决定性证据" in table
    interp_id = stable_id(INTERPRETATION_URL)
    assert (
        f'<a href="/normdocs/interpretations/{interp_id}">图解：《江西省生态环境保护督察实施办法》</a>'
        in page
    )
    assert "文件页“相关解读”链接" in page or "解读页“原文链接”" in page
    for line in fields["body_text"].split("\n"):  # an article's line carries its anchors
        assert re.search(rf"(?:<p>|{ANCHORED}){re.escape(line)}</p>", page), line
    assert f'<a href="{fields["url"]}" rel="nofollow noopener">' in page
    assert "赣环规〔2023〕1号" in page and "行政规范性文件" in page


def test_the_document_page_lists_its_keywords_each_a_search(site, library):
    doc_id = _id("督察办法")
    conn = sqlite3.connect(library)
    stored = conn.execute("select keywords from documents where id = ?", [doc_id]).fetchone()[0]
    conn.close()
    words = json.loads(stored)
    assert 0 < len(words) <= 8
    page = site(f"/normdocs/documents/{doc_id}").text
    shown = re.search(r'<dd class="nd-keywords">(.*?)</dd>', page, flags=re.S)[1]
    links = re.findall(r'<a href="/normdocs/search\?q=([^"]+)">([^<]+)</a>', shown)
    assert [text for _, text in links] == words
    assert [urllib.parse.unquote_plus(q) for q, _ in links] == words
    # a keyword's search finds the document it came from
    hits = site(f"/normdocs/search.json?_shape=array&q={_q(words[0])}").json()
    assert doc_id in [h["id"] for h in hits]


def test_a_document_page_escapes_markup_and_never_links_a_javascript_url(site):
    page = site(f"/normdocs/documents/{_id('危险废物')}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    page = site(f"/normdocs/documents/{_id('信息公开规定')}").text
    assert "附件（无效链接）" in page
    assert not re.search(r"href=[\"']?\s*javascript:", page, flags=re.I)


def _with_tables(library: Path, tmp_path: Path, sql: str) -> Path:
    copy = tmp_path / "normdocs.db"
    shutil.copy(library, copy)
    conn = sqlite3.connect(copy)
    conn.executescript(sql)
    conn.close()
    return copy


def _get(path_to_db: Path, url: str):
    ds = make_datasette(path_to_db)
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(ds.client.get(url))
    finally:
        loop.close()


def test_document_pages_show_relations_and_history_where_there_are_some(library, tmp_path):
    plain = _get(library, f"/normdocs/documents/{_id('督察办法')}").text
    assert "未发现废止、修改或替代本文件的文件" in plain and "状态变化记录" not in plain

    (tmp_path / "full").mkdir()
    repealing, repealed = _id("督察办法"), _id("排污许可")
    # the columns the pages read; the validity engine's tables have more
    full = _with_tables(
        library,
        tmp_path / "full",
        f"""create table if not exists relations (from_document_id, to_document_id, relation,
              quote, source_url);
        create table if not exists status_history (document_id, as_of, built_at, old_status,
              new_status, why);
        insert into relations (from_document_id, to_document_id, relation, quote, source_url)
          values ({repealing}, {repealed}, 'repeals',
            '《关于进一步规范排污许可管理的通知》同时废止', 'javascript:alert(1)');
        insert into status_history (document_id, as_of, built_at, old_status, new_status, why)
          values ({repealed}, '2026-11-27', '2026-11-27', '现行有效', '已废止', '被废止');""",
    )
    page = _get(full, f"/normdocs/documents/{repealing}").text
    assert "本文件<strong>废止了</strong>" in page
    assert (
        f'<a href="/normdocs/documents/{repealed}">江西省生态环境厅关于进一步规范排污许可管理的通知</a>'
        in page
    )
    assert "同时废止" in page and "javascript:alert" in page
    assert not re.search(r"href=[\"']?\s*javascript:", page, flags=re.I)
    page = _get(full, f"/normdocs/documents/{repealed}").text
    assert "<strong>废止了</strong>本文件" in page
    assert "状态变化记录" in page and "<th>原状态</th>" in page and "<td>被废止</td>" in page


def test_the_interpretation_page_lists_the_documents_it_explains(site):
    page = site(f"/normdocs/interpretations/{stable_id(INTERPRETATION_URL)}").text
    assert "<h1>图解：《江西省生态环境保护督察实施办法》</h1>" in page
    link = f'<a href="/normdocs/documents/{_id("督察办法")}">{html.escape(DOCUMENTS["督察办法"][0]["title"], quote=False)}</a>'
    assert link in page
    assert "所解读的文件（1）" in page


def test_the_department_page_lists_its_documents_in_force_and_its_interpretation_rate(site):
    response = site("/department/" + _q("江西省生态环境厅"))
    assert response.status_code == 200
    page = response.text
    section = re.search(r'<section id="in-force">.*?</section>', page, flags=re.S)[0]
    listed = {int(i) for i in re.findall(r'href="/normdocs/documents/(\d+)"', section)}
    assert listed == {_id("督察办法"), _id("危险废物")}  # 危险废物: a joint document
    # rules and normative documents of the department: 督察办法 (interpreted), 排污许可,
    # 信用评价, 危险废物 → 1 of 4
    rate = re.search(r'<section id="rate">.*?</section>', page, flags=re.S)[0]
    assert "共 4 份，已有解读 1 份" in rate and "25.0%" in rate
    # The list's Excel download holds the same documents (the 现行有效目录 query).
    href = re.search(r'<a class="nd-excel-csv" href="([^"]+)"', section)[1]
    export = site(html.unescape(href)).content
    assert export[:3] == BOM
    rows = list(csv.DictReader(io.StringIO(export[3:].decode("utf-8"))))
    assert {int(r["id"]) for r in rows} == listed
    missing = site("/department/" + _q("没有这个部门"))
    assert missing.status_code == 302  # Datasette's 404 handler: to the ~-encoded path
    assert site(missing.headers["location"]).status_code == 404


def test_the_site_page_links_to_its_departments(site):
    page = site("/normdocs/sites/jx-sthjt").text
    assert "<h1>江西省生态环境厅</h1>" in page
    assert f'href="/department/{_q("江西省生态环境厅")}"' in page


def test_table_pages_show_chinese_headers_facets_and_filters_over_snake_case_data(site):
    page = site("/normdocs/documents").text
    assert re.search(r'<th [^>]*data-column="title"[^>]*>\s*<a [^>]*>标题</a>', page)
    assert re.search(r'<th [^>]*data-column="status"[^>]*>\s*<a [^>]*>效力状态</a>', page)
    assert re.search(r'<strong>效力状态\s*<span class="facet-info-total">', page)
    assert ">行政规范性文件</a> 5</li>" in page  # the kind facet, in words
    assert '<option value="title">标题</option>' in page
    assert "下载本页数据" in page and 'a class="nd-excel-csv"' in page
    assert "This data as" not in page and "Apply" not in page
    rows = site("/normdocs/documents.json?_shape=array&_size=1").json()
    assert {"title", "status", "doc_number", "published_date"} <= set(rows[0])


def test_query_pages_label_their_parameters_and_link_titles_to_documents(site):
    page = site(f"/normdocs/search?q={_q('生态环境')}").text
    assert '<label for="qp1">检索词</label>' in page or ">检索词</label>" in page
    assert '<option value="现行有效">现行有效</option>' in page
    for doc_id in _containing("生态环境"):
        assert f'<a href="/normdocs/documents/{doc_id}">' in page
    page = site("/normdocs/newest").text
    assert "col-atom_" not in page and ">标题</th>" in page
    assert site("/normdocs/newest.json?_shape=array").json()[0]["atom_id"]


# ---------------------------------------------------------------- exports


def test_the_excel_csv_is_the_csv_with_a_byte_order_mark(site):
    plain = site("/normdocs/documents.csv?_stream=on").content
    excel = site("/normdocs/documents.csv?_stream=on&_bom=1").content
    assert plain[:3] != BOM and excel[:3] == BOM
    assert excel[3:] == plain
    assert "江西省生态环境厅" in excel[3:].decode("utf-8")
    page_csv = site("/normdocs/documents.csv?_bom=1&_size=2")
    assert page_csv.content[:3] == BOM and page_csv.content.count(b"\n") >= 3


def test_query_csv_downloads_for_excel(site):
    response = site(f"/normdocs/in_force.csv?issuer={_q('江西省生态环境厅')}&site=&_bom=1&_dl=on")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers.get("content-disposition", "")
    assert response.content[:3] == BOM
    rows = list(csv.DictReader(io.StringIO(response.content[3:].decode("utf-8"))))
    assert {int(r["id"]) for r in rows} == {_id("督察办法"), _id("危险废物")}


def test_other_responses_never_get_a_byte_order_mark(site):
    assert site("/normdocs/documents.json?_bom=1").content[:1] == b"{"
    assert site("/?_bom=1").content[:3] != BOM


def _asgi_app(chunks: list[bytes], status: int = 200, length: bool = False):
    seen = {}

    async def app(scope, receive, send):
        seen["query_string"] = scope["query_string"]
        headers = [(b"content-type", b"text/csv")]
        if length:
            headers.append((b"content-length", str(sum(map(len, chunks))).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for i, chunk in enumerate(chunks):
            await send(
                {"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1}
            )

    return app, seen


def _call(app, path: str, query: bytes) -> list[dict]:
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "path": path, "query_string": query}
    asyncio.run(app(scope, receive, send))
    return sent


@pytest.mark.parametrize("length", [False, True])
def test_the_bom_goes_before_the_first_chunk_of_a_streamed_csv_only(length):
    inner, seen = _asgi_app([b"id,title\r\n", "1,中文\r\n".encode(), b"2,x\r\n"], length=length)
    sent = _call(bom_csv(inner), "/normdocs/documents.csv", b"_stream=on&_bom=1&q=%E4%B8%AD")
    assert seen["query_string"] == b"_stream=on&q=%E4%B8%AD"  # Datasette never sees _bom
    bodies = [m["body"] for m in sent if m["type"] == "http.response.body"]
    assert bodies[0] == BOM + b"id,title\r\n" and BOM not in b"".join(bodies[1:])
    if length:
        headers = dict(sent[0]["headers"])
        assert int(headers[b"content-length"]) == len(b"".join(bodies))


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/normdocs/documents.csv", b"_stream=on", 200),  # not asked for
        ("/normdocs/documents.json", b"_bom=1", 200),  # not a CSV
        ("/normdocs/documents.csv", b"_bom=1", 400),  # an error page
        ("/normdocs/documents.csv", b"_bom=0", 200),
    ],
)
def test_the_bom_is_added_only_to_successful_csv_that_asks_for_it(path, query, status):
    inner, seen = _asgi_app([b"id\r\n"], status=status)
    sent = _call(bom_csv(inner), path, query)
    assert sent[1]["body"] == b"id\r\n"


def test_the_xlsx_export_holds_the_chinese_text(site):
    import openpyxl

    response = site(f"/normdocs/documents.xlsx?status={_q('现行有效')}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    titles = {r[header.index("title")] for r in rows[1:]}
    expected = {f["title"] for f, s in DOCUMENTS.values() if s == "现行有效"}
    assert titles == expected


# ---------------------------------------------------------------- feeds


def _feed(site, query: str) -> tuple[str, list[tuple[str, str]]]:
    import xml.etree.ElementTree as ET

    response = site(f"/normdocs/newest.atom?{query}")
    assert response.status_code == 200, response.text[:500]
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.content)
    entries = [
        (e.find("a:link", ns).get("href"), e.find("a:title", ns).text)
        for e in root.findall("a:entry", ns)
    ]
    return root.find("a:title", ns).text, entries


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", set(DOCUMENTS)),
        (f"department={_q('江西省生态环境厅')}", {"督察办法", "排污许可", "信用评价", "危险废物"}),
        (f"department={_q('江西省农业农村厅')}", {"农作物种子"}),
        ("site=jx-portal", {"信息公开规定"}),
        ("kind=rule", {"信息公开规定"}),
    ],
)
def test_the_atom_feeds_hold_new_documents_overall_per_department_and_per_kind(
    site, query, expected
):
    title, entries = _feed(site, query + f"&_feed_title={_q('规范性文件库 · 新文件')}")
    assert title == "规范性文件库 · 新文件"
    assert {href for href, _ in entries} == {f"/normdocs/documents/{_id(n)}" for n in expected}
    for href, entry_title in entries[:2]:
        assert site(href).status_code == 200
        assert entry_title in {f["title"] for f, _ in DOCUMENTS.values()}


def test_every_feed_the_site_offers_is_a_valid_feed(site):
    pages = ["/", "/department/" + _q("江西省农业农村厅"), "/normdocs/sites/jx-portal"]
    page = "".join(site(path).text for path in pages)
    urls = set(re.findall(r'href="(/normdocs/newest\.atom\?[^"]+)"', page))
    # all, every kind (the library has no 其他政策文件: an empty feed), a department, a site
    assert len(urls) == 6
    for url in urls:
        title, entries = _feed(site, html.unescape(url).split("?", 1)[1])
        assert title.startswith("规范性文件库 · "), url
        assert bool(entries) != ("kind=policy" in url), url


@pytest.mark.parametrize(
    "query", [f"department={_q('不存在的机关')}", "kind=policy", "site=no-such-site"]
)
def test_a_feed_filtered_to_nothing_is_a_valid_empty_feed(site, library, query):
    title, entries = _feed(site, query + f"&_feed_title={_q('规范性文件库 · 无')}")
    assert (title, entries) == ("规范性文件库 · 无", [])
    title, entries = _feed(site, query)  # unnamed: the query's title
    assert (title, entries) == ("最新文件", [])
    response = site(f"/normdocs/newest.atom?{query}")
    assert response.headers["content-type"].startswith("application/xml")
    conn = sqlite3.connect(library)
    (built_at,) = conn.execute("select value from build_info where key = 'built_at'").fetchone()
    conn.close()
    assert f"<updated>{built_at}</updated>" in response.text  # dated by the build


def test_a_table_without_feed_columns_still_has_no_feed(site):
    assert site("/normdocs/sites.atom").status_code == 400
    assert site("/normdocs/sites.atom?name=no-such-site").status_code == 400


# ---------------------------------------------------------------- production serving


def test_the_production_app_refuses_a_library_with_pending_wal_pages(library, tmp_path):
    copy = tmp_path / "normdocs.db"
    shutil.copy(library, copy)
    writer = sqlite3.connect(copy)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("create table later (x)")
    writer.commit()
    try:
        with pytest.raises(NotPublishable, match="normdocs build"):
            create_app(copy)
    finally:
        writer.close()  # the last connection checkpoints on close
    assert create_app(copy) is not None


def test_the_production_module_imports_without_side_effects(monkeypatch):
    import importlib

    monkeypatch.delenv("NORMDOCS_DB", raising=False)
    module = importlib.reload(importlib.import_module("corpus.site.asgi"))
    with pytest.raises(module.NotPublishable, match="NORMDOCS_DB"):
        module.app  # noqa: B018 - the attribute makes the app


# ---------------------------------------------------------------- the site, over HTTP


def _fetch(url: str, timeout: float = 10) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
        return response.read()


@pytest.fixture(params=["normdocs serve", "datasette serve"])
def server(request, library):
    """The library served by a real server process; yields its base URL. The server listens on
    port 0 (a port the system gives it) and the harness reads which from its log."""
    if request.param == "normdocs serve":
        command = [sys.executable, "-m", "corpus.cli", "serve", "--db", str(library)]
    else:
        command = [sys.executable, "-m", "datasette", *datasette_args(library)]
    command += ["--host", "127.0.0.1", "--port", "0"]
    with serve_reporting_port(command, ready_path="/-/versions.json") as base:
        yield base


@pytest.mark.integration
def test_the_served_home_page_is_chinese(server):
    page = _fetch(server + "/").decode()
    assert '<html lang="zh-CN">' in page and "规范性文件库" in page


@pytest.mark.integration
def test_search_over_http(server):
    import json

    body = _fetch(f"{server}/normdocs/search.json?q={_q('生态环境')}&_shape=array")
    rows = json.loads(body)
    assert {r["id"] for r in rows} == _containing("生态环境")
    assert all("<mark>" in r["snippet"] for r in rows)


# ---------------------------------------------------------------- the crawled mirror, end to end


@pytest.mark.integration
def test_the_crawled_mirror_reads_back_through_the_site(crawled_db, mirror_base_port, tmp_path):
    import mirror

    truth = mirror.truth(mirror_base_port)
    path = tmp_path / "normdocs.db"
    shutil.copy(crawled_db, path)
    build(str(path), AS_OF)
    checkpoint(path)
    ds = make_datasette(path)
    loop = asyncio.new_event_loop()
    try:

        def rows(url: str) -> list[dict]:
            return loop.run_until_complete(ds.client.get(url + "&_shape=array")).json()

        all_docs = rows("/normdocs/documents.json?_size=max&_col=site&_col=status")
        assert len(all_docs) == len(truth["documents"])
        for site_entry in truth["sites"]:
            name = site_entry["name"]
            in_force = {r["id"] for r in rows(f"/normdocs/in_force.json?site={name}&issuer=")}
            stored = {r["id"] for r in all_docs if r["site"] == name and r["status"] == "现行有效"}
            assert in_force and in_force == stored, name
        numbered = [d for d in truth["documents"] if d["doc_number"]][:5]
        assert numbered
        for doc in numbered:
            found = rows(f"/normdocs/search.json?q={_q(doc['doc_number'])}")
            assert stable_id(doc["url"]) in {r["id"] for r in found}, doc["doc_number"]
    finally:
        loop.close()


def test_a_query_page_shows_every_row_of_its_json_with_titles_linked_and_escaped(library, tmp_path):
    # The rows of a query page are written by one function (corpus.site.views.rows_html), not
    # the template's loop: every row and cell of the JSON is there, the ids only in the links.
    odd = "关于<script>alert(1)</script>的通知 & 附件"
    full = _with_tables(
        library, tmp_path, f"update documents set title = '{odd}' where id = {_id('督察办法')}"
    )
    rows = _get(full, "/normdocs/in_force.json?_shape=objects").json()["rows"]
    page = _get(full, "/normdocs/in_force").text
    body = re.search(r"<tbody>(.*?)</tbody>", page, flags=re.S)[1]
    shown = re.findall(r'<th class="col-([\w-]+)"', page)
    assert "id" not in shown and "title" in shown
    html_rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    assert len(html_rows) == len(rows) >= 3
    for row, tr in zip(rows, html_rows, strict=True):
        cells = re.findall(r'<td class="col-([\w-]+)">(.*?)</td>', tr, flags=re.S)
        assert [c for c, _ in cells] == shown
        title = dict(cells)["title"]
        assert title == f'<a href="/normdocs/documents/{row["id"]}">{html.escape(row["title"])}</a>'
    assert "<script>" not in body and html.escape(odd) in body
