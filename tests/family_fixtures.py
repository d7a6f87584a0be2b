"""Helpers of the family parser tests: saved mirror pages as responses, truth rows as expectations.

The fixtures and each family's ``expected.json`` are written by
``tests/fixtures/save_family_fixtures.py`` from the mirror and its truth (never from a parser).
"""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.http import HtmlResponse

from corpus.store.records import DocumentRecord, InterpretationRecord
from crawler.charset import better_encoding

FIXTURES = Path(__file__).parent / "fixtures"
DOC_FIELDS = ("title", "doc_number", "doc_number_raw", "issuer", "written_date", "published_date",
              "validity_raw", "index_no", "subject", "body_text")  # fmt: skip
INTERP_FIELDS = ("title", "published_date", "source", "form", "body_text")


def expected(family: str) -> dict:
    return json.loads((FIXTURES / family / "expected.json").read_text(encoding="utf-8"))


def response(family: str, name: str, url: str, content_type: str = "") -> HtmlResponse:
    """A saved page as the crawler gets it: the bytes, the server's Content-Type header, and the
    charset repair of ``crawler.charset`` applied."""
    headers = {"Content-Type": content_type} if content_type else {}
    page = HtmlResponse(url=url, body=(FIXTURES / family / name).read_bytes(), headers=headers)
    found = better_encoding(page)
    return page.replace(encoding=found[1]) if found else page


def differences(record: DocumentRecord | InterpretationRecord, row: dict) -> dict:
    """Fields of ``record`` that differ from the truth ``row`` ("" and None alike)."""
    fields = DOC_FIELDS if isinstance(record, DocumentRecord) else INTERP_FIELDS
    out = {}
    for field in fields:
        got, want = getattr(record, field), row[field]
        if (got or None) != (want or None):
            out[field] = (want, got)
    atts = sorted((a.url, a.name, a.ext) for a in record.attachments)
    want_atts = sorted((a["url"], a["name"], a["ext"]) for a in row["attachments"])
    if atts != want_atts:
        out["attachments"] = (want_atts, atts)
    role, key = (
        ("interpretation", "interpretation_urls")
        if isinstance(record, DocumentRecord)
        else ("document", "linked_document_urls")
    )
    links = sorted(link.url for link in record.links if link.role == role)
    if links != sorted(row[key]):
        out["links"] = (sorted(row[key]), links)
    return out
