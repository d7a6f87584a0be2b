"""The TRS parsers on saved mirror pages (read as bytes), against the truth; the GBK pages too."""

from __future__ import annotations

import pytest
from family_fixtures import FIXTURES, differences, expected, response
from scrapy.http import Headers, HtmlResponse
from scrapy.responsetypes import responsetypes

from corpus.store.records import ListEntry
from crawler.charset import better_encoding
from crawler.parsers.trs import parse_document, parse_interpretation, parse_list_page, parse_pager

EXPECTED = expected("trs")
LISTS = EXPECTED["lists"]
PAGES = EXPECTED["pages"]


def listing(name: str):
    row = LISTS[name]
    return parse_list_page(response("trs", name, row["url"], row["content_type"])), row


@pytest.mark.parametrize(
    "name",
    [
        "list-pages-signature.html",
        "list-container-signature-gbk.shtml",
        "list-createpage-signature.shtml",
    ],
)
def test_reads_every_item_of_a_list_page_with_its_date(name):
    page, row = listing(name)
    assert [(e.url, e.title, e.date) for e in page.entries] == [
        (e["url"], e["title"], e["date"]) for e in row["entries"]
    ]
    assert all(
        "/t" in e.url and e.url.startswith(row["column_url"].rsplit("/", 1)[0])
        for e in page.entries
    )


@pytest.mark.parametrize(
    "name",
    [
        "list-pages-signature.html",
        "list-container-signature-gbk.shtml",
        "list-createpage-signature.shtml",
    ],
)
def test_reads_the_pager_in_each_signature(name):
    page, row = listing(name)
    assert page.pager.signature == row["pager"]
    assert page.pager.pages == row["pages"]
    assert page.pager.total == row["total"]


def test_page_n_of_a_list_is_prefix_underscore_n_minus_one():
    page, row = listing("list-container-signature-gbk.shtml")
    column = row["column_url"]
    assert page.pager.page_url(column, 1) == column
    assert page.pager.page_url(column, 3) == column.replace("list.shtml", "list_2.shtml")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('createPageHTML(89, 0, "index", "shtml");', ("pages", 89, 1, "index", "shtml", None)),
        (
            "createPageHTML('page_div', 11, 1, 'list', 'shtml', 154);",
            ("container", 11, 1, "list", "shtml", 154),
        ),
        ('createPage(12, 3, "index", "html");', ("createPage", 12, 4, "index", "html", None)),
        (
            "Pager({size:266, current:0, prefix:'index', suffix:'html'});",
            ("Pager", 266, 1, "index", "html", None),
        ),
    ],
)
def test_reads_the_pager_signatures_seen_on_real_sites(script, expected):
    pager = parse_pager(f"<script>{script}</script>")
    assert (
        pager.signature,
        pager.pages,
        pager.current,
        pager.prefix,
        pager.suffix,
        pager.total,
    ) == expected


def test_a_late_stub_page_has_no_items_and_no_pager():
    page, _ = listing("list-stub.html")
    assert page.entries == [] and page.pager is None and page.size < 500


DOCS = sorted(n for n in PAGES if n.startswith("doc-"))


def _entry(row: dict) -> ListEntry:
    e = row["list_entry"]
    return ListEntry(e["url"], e["title"], e["date"], e["date"])


@pytest.mark.parametrize("name", DOCS)
def test_every_document_field_agrees_with_the_truth(name):
    row = PAGES[name]
    resp = response("trs", name, row["url"], row["content_type"])
    record = parse_document(
        resp, site=row["site"], kind=row["kind"], column_url=row["column_url"], entry=_entry(row)
    )
    assert differences(record, row) == {}


def test_every_interpretation_field_agrees_with_the_truth():
    row = PAGES["interpretation.shtml"]
    resp = response("trs", "interpretation.shtml", row["url"], row["content_type"])
    record = parse_interpretation(
        resp, site=row["site"], column_url=row["column_url"], entry=_entry(row)
    )
    assert differences(record, row) == {}


def test_takes_relative_p0_attachments_beside_the_article():
    row = PAGES["doc-attachments-after.html"]
    resp = response("trs", "doc-attachments-after.html", row["url"], row["content_type"])
    assert 'href="./P0' in resp.text
    record = parse_document(resp, site=row["site"], kind=row["kind"], column_url=row["column_url"])
    assert [a.url for a in record.attachments] == [a["url"] for a in row["attachments"]]


# ---------------------------------------------------------------- GBK with a wrong charset


@pytest.mark.parametrize("name", ["doc-gbk-no-meta.shtml", "doc-gbk-meta.shtml"])
def test_a_gbk_page_served_as_utf8_is_read_as_gb18030(name):
    row = PAGES[name]
    body = (FIXTURES / "trs" / name).read_bytes()
    assert row["content_type"] == "text/html; charset=UTF-8"  # what the server says: wrong
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    raw = HtmlResponse(url=row["url"], body=body, headers={"Content-Type": row["content_type"]})
    assert "\ufffd" in raw.text  # what Scrapy alone would store
    assert better_encoding(raw) == ("utf-8", "gb18030")
    resp = response("trs", name, row["url"], row["content_type"])
    record = parse_document(
        resp, site=row["site"], kind=row["kind"], column_url=row["column_url"], entry=_entry(row)
    )
    assert record.body_text == row["body_text"] and record.title == row["title"]
    assert "\ufffd" not in record.body_text + record.title


def test_the_gbk_fixtures_hold_characters_outside_gb2312():
    row = PAGES["doc-gbk-meta.shtml"]
    assert "〇" in row["body_text"]  # GBK A996, not in GB2312: a GB2312 decoder would fail
    assert b"charset=gb2312" in (FIXTURES / "trs" / "doc-gbk-meta.shtml").read_bytes()
    assert b"charset=" not in (FIXTURES / "trs" / "doc-gbk-no-meta.shtml").read_bytes()


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("江西省".encode("gbk"), "text/html", ("cp1252", "gb18030")),  # no charset anywhere
        ("江西省".encode(), "text/html; charset=utf-8", None),
        ("江西省".encode("gbk"), "text/html; charset=gbk", None),
        (b"%PDF-1.4 \xb9\xf3", "application/pdf", None),  # never re-read a file
    ],
)
def test_rereads_only_pages_no_declared_charset_decodes(body, content_type, expected):
    headers = Headers({"Content-Type": content_type})
    cls = responsetypes.from_args(headers=headers, url="http://h/a", body=body)  # as Scrapy does
    found = better_encoding(cls(url="http://h/a", body=body, headers=headers))
    assert (found[1] if found else None) == (expected[1] if expected else None)
