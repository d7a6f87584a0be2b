"""The local mirror: a deterministic world, faithful Hanweb conventions, and a truth that matches
what the pages really say. Pages are fetched over loopback from an in-process server."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import docx
import lxml.html
import pytest
from pypdf import PdfReader

import mirror
from corpus.store.normalize import canonical_doc_number, clean_text_lines, squash_spaces
from crawler.sites import load_sites
from mirror import files, groundtruth
from mirror.interpretations import form_of
from mirror.server import serve_background
from mirror.validity import status
from mirror.world import build_world

ROOT = Path(__file__).resolve().parent.parent
BASE = 18801
TRUTH = mirror.truth(BASE)
# This file checks the Hanweb imitation; the other families' sites: tests/test_families_mirror.py.
HANWEB = {s["name"] for s in TRUTH["sites"] if s["family"] == "hanweb"}
DOCS = [d for d in TRUTH["documents"] if d["site"] in HANWEB]
INTERPS = [i for i in TRUTH["interpretations"] if i["site"] in HANWEB]
COLUMNS = [(s["name"], c) for s in TRUTH["sites"] if s["name"] in HANWEB for c in s["columns"]]
WEBIDS = {"jx-portal": 3, "jx-nync": 46, "jx-sthjt": 63}
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr"}


@pytest.fixture(scope="module")
def served():
    """The mirror served in-process on free ports it binds; yields (base port, truth for it)."""
    background = serve_background(0)
    base = background.base_port
    truth = TRUTH if base == BASE else mirror.truth(base)
    hanweb = {
        k: [p for p in truth[k] if p["site"] in HANWEB] for k in ("documents", "interpretations")
    }
    yield base, {**truth, **hanweb}
    background.stop()


def fetch(url: str, data: dict | None = None, method: str | None = None) -> tuple[int, bytes, dict]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def rebase(url: str, base: int) -> str:
    """A truth URL for BASE moved to another base port."""
    parts = urllib.parse.urlsplit(url)
    return parts._replace(netloc=f"127.0.0.1:{base + parts.port - BASE}").geturl()


def canonical(url: str) -> str:
    return url.replace("?xxgkhide=1", "")


def records(xml: str) -> list[str]:
    return re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml, re.S)


def hrefs(fragment: str) -> list[str]:
    """The link targets in an HTML fragment, entities decoded, in order."""
    if not fragment.strip():
        return []
    return lxml.html.fragment_fromstring(fragment, create_parent="div").xpath(".//a/@href")


def body_lines(html: str) -> str:
    """Body text per CONTRACTS.md: block elements between the markers, one line each."""
    start = re.search(r'<meta name="ContentStart"\s*/?>', html).end()
    end = re.search(r'<meta name="ContentEnd"\s*/?>', html).start()
    elements = lxml.html.fragments_fromstring(html[start:end])
    return clean_text_lines(
        [e.text_content() for e in elements if not isinstance(e, str) and e.tag in BLOCKS]
    )


def meta(html: str, name: str) -> str:
    return lxml.html.fromstring(html).xpath(f'//meta[@name="{name}"]/@content')[0]


# ---------------------------------------------------------------- the world and its truth


def test_generator_is_deterministic_within_a_process():
    assert groundtruth.truth(BASE, build_world()) == groundtruth.truth(BASE, build_world())


@pytest.mark.integration
def test_generator_ignores_hash_randomisation(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"truth{seed}.json"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "mirror", "truth", "--base-port", str(BASE), "--out", str(out)],
            check=True,
            env=env,
            cwd=ROOT,
        )
        outputs.append(json.loads(out.read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1] == TRUTH


def test_counts_are_pinned():
    assert len(DOCS) == 441  # 440 generated + the hostile page (mirror/hostile.py)
    assert len(INTERPS) == 130
    totals = {(name, c["title"]): c["total"] for name, c in COLUMNS}
    assert totals == {
        ("jx-portal", "规章"): 60, ("jx-portal", "规范性文件"): 200, ("jx-portal", "部门解读"): 60,
        ("jx-nync", "规范性文件"): 101, ("jx-nync", "政策解读"): 40,  # 100 + mirror/hostile.py
        ("jx-sthjt", "规范性文件"): 80, ("jx-sthjt", "政策解读"): 30,
    }  # fmt: skip


def test_truth_has_the_contract_shape():
    assert TRUTH["as_of_dates"] == ["2026-11-27", "2028-12-31"]
    doc_keys = {"url", "site", "kind", "column_url", "title", "doc_number", "doc_number_raw", "issuer",
                "written_date", "published_date", "validity_raw", "index_no", "subject", "body_text",
                "attachments", "interpretation_urls", "effective_date", "expires_on", "status",
                "status_won_by", "term_problems", "validity_acts", "relations", "validity_case",
                "page_effective_label", "page_effective_raw", "page_expiry_label",
                "page_expiry_raw"}  # fmt: skip
    interp_keys = {"url", "site", "column_url", "title", "published_date", "source", "form", "body_text",
                   "attachments", "linked_document_urls", "document_urls"}  # fmt: skip
    assert all(set(d) == doc_keys for d in DOCS)
    assert all(set(i) == interp_keys for i in INTERPS)
    urls = [d["url"] for d in DOCS] + [i["url"] for i in INTERPS]
    assert len(set(urls)) == len(urls)


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d["url"].split("/")[-1])
def test_every_document_number_round_trips(doc):
    assert doc["doc_number"] == canonical_doc_number(doc["doc_number_raw"])
    if doc["kind"] == "rule":
        assert re.fullmatch(r"江西省人民政府令第\d+号", doc["doc_number"])


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d["url"].split("/")[-1])
def test_every_document_is_dated_within_the_worlds_years(doc):
    # (Its statuses are not re-derived here: the truth is built by mirror.validity.status, and
    # recomputing it with the same function would check nothing. The build is checked against
    # the truth in tests/test_build_mirror.py; the rule function by hand values below.)
    assert "2015-01-01" <= doc["published_date"] <= "2026-10-31"
    assert doc["written_date"] <= doc["published_date"]


def test_the_world_holds_every_kind_of_case():
    statuses = {d["status"]["2026-11-27"] for d in DOCS}
    assert {"现行有效", "已失效", "已废止", "已修改", "部分失效", "尚未生效", "未知"} <= statuses
    assert any(d["doc_number_raw"] == "赣消办2025年13号" for d in DOCS)
    assert any("（赣" in d["title"] and d["doc_number_raw"] in d["title"] for d in DOCS)
    assert any(re.search(r"[０-９]", d["doc_number_raw"]) for d in DOCS)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{5}", d["index_no"]) for d in DOCS)
    assert {i["form"] for i in INTERPS} == {
        "文字解读",
        "图解",
        "答记者问",
        "专家解读",
        "起草说明",
        "视频",
    }
    assert any(not i["document_urls"] for i in INTERPS)  # decoys: national documents
    assert any(not i["linked_document_urls"] and i["document_urls"] for i in INTERPS)
    portal = f"http://127.0.0.1:{BASE}/"
    cross = [
        i
        for i in INTERPS
        if i["site"] == "jx-portal" and any(not u.startswith(portal) for u in i["document_urls"])
    ]
    assert len(cross) == 12  # the default seed's world
    assert any("○" in d["body_text"] or "Ｏ" in d["body_text"] for d in DOCS)


@pytest.mark.parametrize("interp", INTERPS, ids=lambda i: i["url"].split("/")[-1])
def test_every_interpretation_form_follows_its_title(interp):
    assert interp["form"] == form_of(interp["title"])
    assert set(interp["linked_document_urls"]) <= set(interp["document_urls"])


def test_sites_file_is_accepted_by_the_registry(tmp_path):
    path = tmp_path / "sites.yml"
    path.write_text(mirror.sites_yaml(BASE), encoding="utf-8")
    assert [s.name for s in load_sites(path)] == [
        "jx-portal", "jx-nync", "jx-sthjt", "jx-gxt", "jx-portal-new", "hn-nynct", "gz-sthjt",
        "gd-gov",
    ]  # fmt: skip
    assert (ROOT / "sites" / "mirror.yml").read_text(encoding="utf-8") == mirror.sites_yaml(8701)


# ---------------------------------------------------------------- served pages


@pytest.mark.parametrize("name,column", COLUMNS, ids=[f"{n}-{c['title']}" for n, c in COLUMNS])
def test_column_page_embeds_first_group_and_param_block(served, name, column):
    base, _ = served
    url = rebase(column["url"], base)
    status_code, body, _ = fetch(url)
    html = body.decode("utf-8")
    assert status_code == 200
    m = re.search(
        r'<div id="(\d+)"><script type="text/xml"><datastore>(.*?)</datastore></script>', html, re.S
    )
    unit = m[1]
    assert len(records(m[2])) == min(45, column["total"])
    assert f"var param_{unit} = {{col:1,appid:1,webid:{WEBIDS[name]},path:'/',columnid:" in html
    for piece in (
        "proxyUrl:'/module/web/jpage/dataproxy.jsp'",
        "perPage:15",
        f"totalRecord:{column['total']}",
        "groupSize:3",
    ):
        assert piece in html
    assert "网站标识码" in html and "主办单位" in html and "ICP" in html
    assert fetch(f"{url}?uid={unit}&pageNum=2")[1] == body


def _param(html: str) -> dict:
    m = re.search(r"var param_\d+ = \{(.*?)\};", html)
    return {k: v.strip("'") for k, v in (pair.split(":", 1) for pair in m[1].split(","))}


def _all_list_urls(base: int, column: dict, name: str) -> list[str]:
    """Walk a column the way a crawler must, in the site's convention."""
    url = rebase(column["url"], base)
    html = fetch(url)[1].decode()
    param, origin = _param(html), url.split("/", 3)[:3]
    proxy = "/".join(origin) + "/module/web/jpage/dataproxy.jsp"
    items = []
    if name == "jx-nync":
        page = 1
        while True:
            query = {k: param[k] for k in ("appid", "webid", "columnid", "unitid")}
            xml = fetch(f"{proxy}?page={page}&{urllib.parse.urlencode(query)}")[1].decode()
            got = records(xml)
            if not got:
                break
            items += got
            page += 1
    else:
        for start in range(1, column["total"] + 1, 45):
            xml = fetch(f"{proxy}?startrecord={start}&endrecord={start + 44}&perpage=15", param)[
                1
            ].decode()
            got = records(xml)
            items += got[1:] if name == "jx-sthjt" and start > 1 else got
    return [canonical(urllib.parse.urljoin(url, hrefs(li)[0])) for li in items]


@pytest.mark.parametrize("name,column", COLUMNS, ids=[f"{n}-{c['title']}" for n, c in COLUMNS])
def test_walking_the_data_proxy_lists_every_page_of_the_truth(served, name, column):
    base, truth = served
    pages = [
        d["url"]
        for d in truth["documents"] + truth["interpretations"]
        if d["column_url"] == rebase(column["url"], base)
    ]
    assert _all_list_urls(base, column, name) == pages


def test_record_proxy_answers_ranges_with_total(served):
    base, _ = served
    name, column = COLUMNS[1]
    param = _param(fetch(rebase(column["url"], base))[1].decode())
    status_code, body, headers = fetch(
        f"http://127.0.0.1:{base}/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
        param,
    )
    xml = body.decode("utf-8")
    assert status_code == 200 and headers["Content-Type"].startswith("text/xml")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert len(records(xml)) == 45 and "<totalrecord>200</totalrecord>" in xml
    big = fetch(
        f"http://127.0.0.1:{base}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=5000&perpage=15",
        param,
    )[1]
    assert len(records(big.decode())) == 200


def test_sthjt_repeats_the_previous_groups_last_record(served):
    base, _ = served
    column = next(c for n, c in COLUMNS if n == "jx-sthjt" and c["kind"] == "normative")
    param = _param(fetch(rebase(column["url"], base))[1].decode())
    proxy = f"http://127.0.0.1:{base + 2}/module/web/jpage/dataproxy.jsp"
    first = records(fetch(f"{proxy}?startrecord=1&endrecord=45&perpage=15", param)[1].decode())
    second = records(fetch(f"{proxy}?startrecord=46&endrecord=90&perpage=15", param)[1].decode())
    assert len(first) == 45 and len(second) == 36
    assert second[0] == first[-1]


def test_nync_proxy_pages_with_get_and_refuses_post(served):
    base, _ = served
    proxy = f"http://127.0.0.1:{base + 1}/module/web/jpage/dataproxy.jsp"
    xml = fetch(f"{proxy}?page=7&appid=1&webid=46&columnid=27784&unitid=305681")[1].decode()
    # 101 = 100 + the hostile page (mirror/hostile.py): 6 pages of 15, then 11
    assert "<totalrecord>101</totalrecord><totalpage>7</totalpage>" in xml
    assert len(records(xml)) == 11
    assert (
        fetch(f"{proxy}?startrecord=1&endrecord=45", {"webid": "46", "columnid": "27784"})[0] == 405
    )


def test_robots_txt_per_site(served):
    base, _ = served
    assert fetch(f"http://127.0.0.1:{base}/robots.txt")[1] == b"User-agent: *\nAllow: /\n"
    assert fetch(f"http://127.0.0.1:{base + 1}/robots.txt")[0] == 404
    assert b"Disallow: /private/" in fetch(f"http://127.0.0.1:{base + 2}/robots.txt")[1]


def test_unknown_pages_answer_404(served):
    base, _ = served
    assert fetch(f"http://127.0.0.1:{base}/art/2020/1/1/art_1_1.html")[0] == 404
    assert fetch(f"http://127.0.0.1:{base + 2}/col/col42150/index.html")[0] == 404


def _check_page(url: str, row: dict, base: int) -> str:
    status_code, body, _ = fetch(url)
    assert status_code == 200, url
    html = body.decode("utf-8")
    assert body_lines(html) == row["body_text"], url
    assert squash_spaces(meta(html, "ArticleTitle")) == row["title"]
    assert meta(html, "PubDate")[:10] == row["published_date"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?", meta(html, "PubDate"))
    for name in (
        "ContentSource",
        "ColumnName",
        "SiteName",
        "SiteDomain",
        "SiteIDCode",
        "Keywords",
        "Description",
    ):
        meta(html, name)
    found = {canonical(urllib.parse.urljoin(url, h)) for h in hrefs(html) if "downfile.jsp" in h}
    assert found == {a["url"] for a in row["attachments"]}
    return html


def block_links(html: str, cls: str) -> list[str]:
    """The link targets inside the div of class ``cls``."""
    return lxml.html.fromstring(html).xpath(f'//div[@class="{cls}"]//a/@href')


def test_document_pages_say_what_the_truth_says(served):
    base, truth = served
    for row in truth["documents"]:
        html = _check_page(row["url"], row, base)
        related = [
            canonical(urllib.parse.urljoin(row["url"], h)) for h in block_links(html, "xgjd")
        ]
        assert related == row["interpretation_urls"], row["url"]
        text = lxml.html.fromstring(html).text_content()
        assert row["doc_number_raw"] in text and row["issuer"] in text
        if row["validity_raw"]:
            assert row["validity_raw"] in html[: html.find('id="zoom"')]


def test_interpretation_pages_say_what_the_truth_says(served):
    base, truth = served
    for row in truth["interpretations"]:
        html = _check_page(row["url"], row, base)
        assert meta(html, "ContentSource") == row["source"]
        zoom = html[html.find('id="zoom"') :]
        linked = [
            canonical(urllib.parse.urljoin(row["url"], h)) for h in hrefs(zoom) if "/art/" in h
        ]
        linked = [u for u in linked if u not in _reading_urls(html, row["url"])]
        assert linked == row["linked_document_urls"], row["url"]


def _reading_urls(html: str, url: str) -> set[str]:
    """Links of the noise blocks (上一篇/下一篇, 相关阅读)."""
    noise = block_links(html, "prev-next") + block_links(html, "xgyd")
    return {urllib.parse.urljoin(url, h) for h in noise}


def _extract(ext: str, data: bytes) -> str:
    if ext == "pdf":
        reader = PdfReader(io.BytesIO(data))
        return clean_text_lines("\n".join(p.extract_text() for p in reader.pages).split("\n"))
    document = docx.Document(io.BytesIO(data))  # paragraphs and table rows, in document order
    lines = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            lines.append(docx.text.paragraph.Paragraph(child, document).text)
        elif child.tag.endswith("}tbl"):
            table = docx.table.Table(child, document)
            lines += [" ".join(c.text for c in row.cells) for row in table.rows]
    return clean_text_lines(lines)


def test_attachments_are_real_files_holding_the_truth_text(served):
    base, truth = served
    attachments = [
        a for row in truth["documents"] + truth["interpretations"] for a in row["attachments"]
    ]
    assert {a["ext"] for a in attachments} == {"pdf", "docx"} and len(attachments) == 136
    for att in attachments:
        assert re.search(
            r"downfile\.jsp\?classid=0&filename=[0-9a-f]{32}\.(pdf|docx)&showname=", att["url"]
        )
        status_code, data, headers = fetch(att["url"])
        assert status_code == 200
        assert data.startswith(b"%PDF" if att["ext"] == "pdf" else b"PK")
        assert _extract(att["ext"], data) == att["text"], att["url"]


def test_attachment_bytes_are_deterministic():
    att = next(a for d in build_world().documents for a in d.attachments if a.ext == "docx")
    pdf = next(a for d in build_world().documents for a in d.attachments if a.ext == "pdf")
    for one in (att, pdf):
        first = files.file_bytes(one)
        files._render.cache_clear()
        assert files.file_bytes(one) == first


def test_validity_rules_in_order():
    from datetime import date

    d = date(2026, 11, 27)
    assert status("normative", "有效", date(2015, 1, 1), date(2020, 1, 1), d) == "已失效"
    assert status("normative", "废止", date(2025, 1, 1), None, d) == "已废止"
    assert status("normative", "有效", date(2027, 1, 1), None, d) == "尚未生效"
    assert status("normative", "", date(2025, 1, 1), None, d) == "未知"
    assert status("rule", "", date(2025, 1, 1), None, d) == "现行有效"
    assert status("normative", "", date(2025, 1, 1), date(2029, 12, 31), d) == "现行有效"
