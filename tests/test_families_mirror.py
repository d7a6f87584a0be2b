"""The other CMS families end to end: their mirror quirks, a new site of each family added by one
YAML entry and crawled field for field, the GBK site read exactly, and a redesigned list that
makes the crawl fail loudly instead of looking like a site with nothing new.

Real Scrapy engine over loopback into real SQLite (``python -m crawler.run`` subprocesses).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from agreement import agrees, page_checks, rows
from conftest import run_crawl, wait_for_http

import mirror
from mirror import harness

pytestmark = pytest.mark.integration

# One site of each family that the default sites file leaves out (mirror/more_sites.py).
EXTRA = {"hanweb": "jx-slt", "jxnew": "jx-drc", "trs": "hb-sthjt", "gkmlpt": "gd-rst"}
DOC_FIELDS = ("title", "doc_number", "doc_number_raw", "issuer", "written_date", "published_date",
              "validity_raw", "index_no", "subject", "body_text")  # fmt: skip
INTERP_FIELDS = ("title", "published_date", "source", "form", "body_text")


def fetch(url: str, data: dict | None = None, method: str | None = None) -> tuple[int, bytes, dict]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def _compare(db: Path, truth: dict, sites: set[str]) -> tuple[int, int, list]:
    """(matched, compared, mismatches) over every field of every truth page of ``sites``."""
    matched = compared = 0
    misses = []
    for table, key, fields in (
        ("documents", "documents", DOC_FIELDS),
        ("interpretations", "interpretations", INTERP_FIELDS),
    ):
        for page in (p for p in truth[key] if p["site"] in sites):
            for field, want, got in page_checks(db, table, page, fields):
                compared += 1
                if agrees(want, got):
                    matched += 1
                else:
                    misses.append((page["url"], field, want, got))
    return matched, compared, misses


# ---------------------------------------------------------------- the mirror's quirks


def test_jxnew_lists_answer_post_only_in_the_sites_own_field_names(mirror_base_port):
    truth = mirror.truth(mirror_base_port)
    gxt = next(s for s in truth["sites"] if s["name"] == "jx-gxt")
    origin = gxt["columns"][0]["url"].split("/jxsgyhxxht/")[0]
    assert fetch(f"{origin}/queryList")[0] == 404  # GET: 404
    form = {"current": 1, "pageSize": 15, "unitid": "371204"}
    right = {**form, "webSiteCode[]": "jxsgyhxxht", "channelCode[]": "gfxwj"}
    wrong = {**form, "webSiteCode": "jxsgyhxxht", "channelCode": "gfxwj"}
    answer = json.loads(fetch(f"{origin}/queryList", right)[1])
    assert answer["data"]["total"] == gxt["columns"][0]["total"] == 53  # 50 and 3 later notices
    source = answer["data"]["results"][0]["source"]
    assert isinstance(source["urls"], str) and json.loads(source["urls"])["pc"].endswith(".html")
    assert source["title"] != source["title"].strip()  # padded
    assert json.loads(fetch(f"{origin}/queryList", wrong)[1])["data"]["total"] == 0


def test_trs_sites_serve_two_pager_signatures_a_stub_and_gbk_with_a_wrong_header(mirror_base_port):
    truth = mirror.truth(mirror_base_port)
    columns = {s["name"]: s["columns"][0]["url"] for s in truth["sites"]}
    hn = fetch(columns["hn-nynct"])[1].decode()
    assert 'createPageHTML(4, 0, "index", "html");' in hn  # pages, current (0-based)
    stub = fetch(columns["hn-nynct"].replace("index.html", "index_3.html"))[1]
    assert len(stub) < 500 and b"<a " not in stub
    status, gz, headers = fetch(columns["gz-sthjt"])
    assert status == 200 and headers["Content-Type"] == "text/html"  # no charset in the header
    assert "createPageHTML('page_div', 3, 1, 'list', 'shtml', 45);" in gz.decode("gb18030")
    doc = next(d for d in truth["documents"] if d["site"] == "gz-sthjt")
    status, body, headers = fetch(doc["url"])
    assert headers["Content-Type"] == "text/html; charset=UTF-8"  # wrong: the bytes are GBK
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert doc["title"] in body.decode("gb18030")


def test_gkmlpt_lists_count_posts_and_carry_flags_and_relations(mirror_base_port):
    truth = mirror.truth(mirror_base_port)
    gd = next(s for s in truth["sites"] if s["name"] == "gd-gov")
    origin = gd["columns"][0]["url"].split("/gkmlpt/")[0]
    assert "SID: '2'" in fetch(f"{origin}/gkmlpt/index")[1].decode()
    answer = json.loads(fetch(f"{origin}/gkmlpt/api/all/5?page=1&sid=2")[1])
    assert answer["classify"]["post_count"] == gd["columns"][0]["total"] == 60
    first = answer["articles"][0]
    assert {"id", "title", "date", "publisher", "identifier", "document_number", "url",
            "is_expired", "is_abolished", "relation", "attachment"} <= set(first)  # fmt: skip
    assert isinstance(first["date"], int)
    docs = {d["url"]: d for d in truth["documents"] if d["site"] == "gd-gov"}
    flagged = {d["validity_raw"] for d in docs.values()}
    assert {"已废止", "已失效", ""} <= flagged
    assert json.loads(fetch(f"{origin}/gkmlpt/api/all/5?page=1&sid=9")[1])["articles"] == []


# ---------------------------------------------------------------- a new site: one YAML entry


def _new_sites_yaml(base: int) -> str:
    """What a user writes to add one site of each family: one YAML entry each, no code.

    The mirror serves these four sites on ports base+8 … base+11 (mirror/more_sites.py).
    """
    slt, drc, hb, rst = (f"http://127.0.0.1:{base + offset}" for offset in (8, 9, 10, 11))
    return f"""sites:
  - name: jx-slt
    title: 江西省水利厅
    family: hanweb
    columns:
      - {{url: "{slt}/col/col33584/index.html", kind: normative}}
      - {{url: "{slt}/col/col33587/index.html", kind: interpretation}}
  - name: jx-drc
    title: 江西省发展和改革委员会
    family: jxnew
    columns:
      - {{url: "{drc}/jxsfzhggwyh/col/col14590/index.html", kind: normative}}
      - {{url: "{drc}/jxsfzhggwyh/col/col14593/index.html", kind: interpretation}}
  - name: hb-sthjt
    title: 湖北省生态环境厅
    family: trs
    province: 湖北省
    columns:
      - {{url: "{hb}/fbjd/zc/gfxwj/index.shtml", kind: normative}}
      - {{url: "{hb}/fbjd/zc/zcjd/index.shtml", kind: interpretation}}
  - name: gd-rst
    title: 广东省人力资源和社会保障厅
    family: gkmlpt
    province: 广东省
    columns:
      - {{url: "{rst}/gkmlpt/index#505", kind: normative}}
      - {{url: "{rst}/gkmlpt/index#507", kind: interpretation}}
"""


def test_a_new_site_of_each_family_is_one_yaml_entry_and_crawls_completely(
    mirror_base_port, tmp_path
):
    base = mirror_base_port
    assert not {s["name"] for s in mirror.truth(base)["sites"]} & set(EXTRA.values())
    assert not set(EXTRA.values()) & set(mirror.sites_yaml(base).split())  # not in the file
    text = _new_sites_yaml(base)
    truth = mirror.truth(base, include_extra=True)
    extra = [s for s in truth["sites"] if s["name"] in EXTRA.values()]
    assert {s["family"] for s in extra} == set(EXTRA)
    assert all(c["url"] in text for s in extra for c in s["columns"])
    sites_file = tmp_path / "new-sites.yml"
    sites_file.write_text(text, encoding="utf-8")
    for offset in (8, 9, 10, 11):
        wait_for_http(f"http://127.0.0.1:{base + offset}/robots.txt")
    result = run_crawl(sites_file, tmp_path / "new.db")
    assert result.returncode == 0, result.stderr[-3000:]
    matched, compared, misses = _compare(tmp_path / "new.db", truth, set(EXTRA.values()))
    print(f"\nnew sites by YAML alone: {matched}/{compared} fields agree with the truth")
    assert compared > 300 and matched == compared, misses[:5]
    columns = rows(tmp_path / "new.db", "SELECT * FROM crawl_run_columns")
    assert {r["site"] for r in columns} == set(EXTRA.values())
    assert all(r["complete"] == 1 and r["reported"] == r["fetched"] > 0 for r in columns)


def test_a_run_of_two_families_keeps_the_stats_of_each_spider(mirror_base_port, tmp_path):
    # two small sites of two families: one spider each, in one run
    families = {"jx-slt": "hanweb", "jx-drc": "jxnew"}
    entries = yaml.safe_load(_new_sites_yaml(mirror_base_port))["sites"]
    sites_file = tmp_path / "two.yml"
    sites_file.write_text(
        yaml.safe_dump(
            {"sites": [e for e in entries if e["name"] in families]}, allow_unicode=True
        ),
        encoding="utf-8",
    )
    for offset in (8, 9):
        wait_for_http(f"http://127.0.0.1:{mirror_base_port + offset}/robots.txt")
    result = run_crawl(sites_file, tmp_path / "two.db")
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = rows(tmp_path / "two.db", "SELECT * FROM crawl_runs")
    stats = json.loads(run["stats"])
    spiders = stats["spiders"]
    assert set(spiders) == set(families.values())
    truth = mirror.truth(mirror_base_port, include_extra=True)
    for site, family in families.items():
        pages = [p for p in truth["documents"] + truth["interpretations"] if p["site"] == site]
        assert spiders[family]["normdocs/stored/new"] == len(pages) == 19
        assert spiders[family]["finish_reason"] == "finished"
        assert spiders[family]["downloader/request_count"] > len(pages)
    # the run's own counters are the spiders' added up; its time the longest of theirs
    for key in ("downloader/request_count", "downloader/response_count", "normdocs/stored/new"):
        assert stats[key] == sum(s[key] for s in spiders.values())
    assert stats["normdocs/stored/new"] == run["stored"] == 38
    assert run["requests"] == stats["downloader/request_count"]
    for key in ("elapsed_time_seconds", "request_depth_max"):
        assert stats[key] == max(s[key] for s in spiders.values())
    assert stats["normdocs/run_id"] == run["id"]  # the same in both, not added up
    assert run["finish_reason"] == "finished" and run["complete"] == 1


# ---------------------------------------------------------------- sites on real 2025 structures

# Extra sites built on the structures of real 2025 pages (mirror/more_sites.py): a new-platform
# column page with ``var params`` + loadPageData, its first items inline and relation JSON; a
# TRS-like list inside an HTML comment beside 热点信息 / 最新 sidebars of detail links.
REAL_SHAPES = {"jxnew": "jx-jtt", "trs": "gs-jyt"}


def _real_shapes_yaml(base: int) -> str:
    jtt, jyt = (f"http://127.0.0.1:{base + offset}" for offset in (12, 13))
    return f"""sites:
  - name: jx-jtt
    title: 江西省交通运输厅
    family: jxnew
    columns:
      - {{url: "{jtt}/jxsjtyst/col/col42871/index.html", kind: normative}}
      - {{url: "{jtt}/jxsjtyst/col/col42874/index.html", kind: interpretation}}
  - name: gs-jyt
    title: 甘肃省教育厅
    family: trs
    province: 甘肃省
    columns:
      - {{url: "{jyt}/jyt/c110634/zwgklist.shtml", kind: normative}}
      - {{url: "{jyt}/jyt/c110641/zwgklist.shtml", kind: interpretation}}
"""


@pytest.fixture(scope="module")
def real_shapes_db(mirror_base_port, tmp_path_factory) -> Path:
    """A crawl of the two sites on real 2025 structures, by one YAML entry each."""
    path = tmp_path_factory.mktemp("real-shapes")
    sites_file = path / "sites.yml"
    sites_file.write_text(_real_shapes_yaml(mirror_base_port), encoding="utf-8")
    for offset in (12, 13):
        wait_for_http(f"http://127.0.0.1:{mirror_base_port + offset}/robots.txt")
    result = run_crawl(sites_file, path / "real.db")
    assert result.returncode == 0, result.stderr[-3000:]
    return path / "real.db"


def test_sites_on_real_2025_structures_crawl_completely_field_for_field(
    real_shapes_db, mirror_base_port
):
    truth = mirror.truth(mirror_base_port, include_extra=True)
    sites = [s for s in truth["sites"] if s["name"] in REAL_SHAPES.values()]
    assert [s["family"] for s in sites] == list(REAL_SHAPES)
    text = _real_shapes_yaml(mirror_base_port)
    assert all(c["url"] in text for s in sites for c in s["columns"])
    matched, compared, misses = _compare(real_shapes_db, truth, set(REAL_SHAPES.values()))
    print(f"\nsites on real 2025 structures: {matched}/{compared} fields agree with the truth")
    # 47 documents of 11 fields (attachments included), 15 interpretations of 6
    assert (matched, compared) == (compared, 47 * 11 + 15 * 6), misses[:5]
    columns = {r["column_url"]: r for r in rows(real_shapes_db, "SELECT * FROM crawl_run_columns")}
    totals = {c["url"]: c["total"] for s in sites for c in s["columns"]}
    assert set(columns) == set(totals)
    for url, col in columns.items():
        assert col["complete"] == 1, dict(col)
        assert col["reported"] == col["listed"] == col["fetched"] == totals[url], dict(col)


def test_only_the_columns_own_items_are_stored_never_sidebar_links(
    real_shapes_db, mirror_base_port
):
    truth = mirror.truth(mirror_base_port, include_extra=True)
    for table, key in (("documents", "documents"), ("interpretations", "interpretations")):
        want = {
            (p["url"], p["column_url"]) for p in truth[key] if p["site"] in REAL_SHAPES.values()
        }
        got = {
            (r["url"], r["column_url"])
            for r in rows(
                real_shapes_db,
                f"SELECT url, column_url FROM {table} WHERE site IN (?, ?)",
                *REAL_SHAPES.values(),
            )
        }
        assert got == want, (table, sorted(got ^ want)[:5])
    (trs,) = [
        r
        for r in rows(real_shapes_db, "SELECT * FROM crawl_run_columns WHERE site = 'gs-jyt'")
        if r["kind"] == "normative"
    ]
    assert "inside an HTML comment" in trs["note"] and "left out" in trs["note"]
    (params,) = rows(real_shapes_db, "SELECT params FROM columns WHERE url = ?", trs["column_url"])
    assert json.loads(params["params"])["container"].startswith("ul.jytxxgklist")


def test_the_inline_first_page_is_not_asked_again_and_relation_json_gives_the_links(
    real_shapes_db, mirror_base_port
):
    truth = mirror.truth(mirror_base_port, include_extra=True)
    (jtt,) = [s for s in truth["sites"] if s["name"] == "jx-jtt"]
    params = {
        r["url"]: json.loads(r["params"])
        for r in rows(real_shapes_db, "SELECT url, params FROM columns WHERE site = 'jx-jtt'")
    }
    for column in jtt["columns"]:
        found = params[column["url"]]
        assert found["found_in"] == "loadPageData" and found["field_names"] == "name[]"
        assert (found["inline_items"], found["stated_total"]) == (
            min(20, column["total"]),
            column["total"],
        )
    links = defaultdict(set)
    for table in ("documents", "interpretations"):
        for r in rows(
            real_shapes_db,
            f"SELECT p.url, l.to_url, l.role FROM page_links l JOIN {table} p ON l.from_id = p.id "
            "AND l.from_table = ? WHERE p.site = 'jx-jtt'",
            table,
        ):
            links[r["url"], r["role"]].add(r["to_url"])
    docs = [d for d in truth["documents"] if d["site"] == "jx-jtt"]
    interps = [i for i in truth["interpretations"] if i["site"] == "jx-jtt"]
    assert sum(bool(d["interpretation_urls"]) for d in docs) == 3
    for doc in docs:
        assert links[doc["url"], "interpretation"] == set(doc["interpretation_urls"]), doc["url"]
    for interp in interps:
        assert links[interp["url"], "document"] == set(interp["linked_document_urls"])


# ---------------------------------------------------------------- the GBK site, exactly


def test_the_gbk_sites_text_is_stored_exactly(crawled_db, mirror_base_port):
    truth = mirror.truth(mirror_base_port)
    pages = [p for p in truth["documents"] + truth["interpretations"] if p["site"] == "gz-sthjt"]
    matched, compared, misses = _compare(crawled_db, truth, {"gz-sthjt"})
    assert matched == compared and compared > 300, misses[:3]
    stored = rows(
        crawled_db,
        "SELECT title || body_text AS t FROM documents WHERE site = 'gz-sthjt' UNION ALL "
        "SELECT title || body_text FROM interpretations WHERE site = 'gz-sthjt'",
    )
    assert len(stored) == len(pages) == 59
    text = "".join(r["t"] for r in stored)
    assert "\ufffd" not in text and "贵州省" in text
    assert "〇" in text  # GBK A996, outside GB2312: read as gb18030, not as GB2312
    # Every article page of the site was repaired (its header says UTF-8), and recorded so.
    repaired = {
        r["url"]
        for r in rows(
            crawled_db,
            "SELECT url FROM crawl_errors WHERE site = 'gz-sthjt' AND error_class = 'charset' "
            "AND outcome = 'repaired'",
        )
    }
    assert repaired == {p["url"] for p in pages}


def test_the_charset_repairs_are_counted_in_the_crawls_stats(mirror_sites_file, tmp_path):
    result = run_crawl(mirror_sites_file, tmp_path / "gbk.db", "--site", "gz-sthjt")
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = rows(tmp_path / "gbk.db", "SELECT stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    # Pages with a <meta> charset are repaired by FaultsMiddleware, the rest by
    # crawler.charset.CharsetFallbackMiddleware: together, every one of the 59 article pages.
    by_meta = stats.get("normdocs/faults/repaired/charset", 0)
    by_fallback = stats.get("normdocs/charset/redecoded", 0)
    assert by_fallback > 0 and by_meta + by_fallback == 59


# ---------------------------------------------------------------- a redesigned list


CHANGED = {"hanweb": "jx-sthjt", "jxnew": "jx-gxt", "trs": "gz-sthjt", "gkmlpt": "gd-gov"}


@pytest.fixture(scope="module")
def changed_mirror(tmp_path_factory):
    """A second mirror whose sites named in CHANGED serve a redesigned list layout."""
    log = tmp_path_factory.mktemp("changed") / "mirror.log"
    options = [arg for name in CHANGED.values() for arg in ("--layout-changed", name)]
    with harness.serve_mirror(*options, log=log) as base:
        yield base


def test_a_changed_list_layout_yields_zero_items_and_an_incomplete_run(changed_mirror, tmp_path):
    import yaml  # noqa: PLC0415

    registry = yaml.safe_load(mirror.sites_yaml(changed_mirror))
    registry["sites"] = [s for s in registry["sites"] if s["name"] in CHANGED.values()]
    sites_file = tmp_path / "changed.yml"
    sites_file.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    result = run_crawl(sites_file, tmp_path / "changed.db")
    db = tmp_path / "changed.db"
    assert result.returncode == 1  # never a silent success
    assert "INCOMPLETE" in result.stderr and "LAYOUT CHANGED?" in result.stderr
    columns = rows(db, "SELECT * FROM crawl_run_columns")
    assert {r["site"] for r in columns} == set(CHANGED.values())
    for col in columns:
        assert (col["listed"], col["fetched"], col["complete"]) == (0, 0, 0), dict(col)
        assert col["reported"] > 0
        assert f"fetched 0 of {col['reported']} reported" in col["note"]
        assert "LAYOUT CHANGED?" in col["note"]
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["complete"] == 0 and run["fetched"] == 0 and run["reported"] > 0
    assert not rows(db, "SELECT * FROM documents") and not rows(db, "SELECT * FROM interpretations")
