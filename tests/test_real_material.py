"""Our readers on real pages and real clauses nobody here wrote, against our hand labels.

The material lives outside the repository (see ``tests/real/__init__.py``); these tests skip
without it. The exact set of misses is pinned in ``tests/real/known_misses.txt``: a reader that
gets worse fails, and one that gets better fails until the file is regenerated
(``python tests/real/score.py --write-known``) so that every change of the score is on record.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from real import PAGES, have_clauses, have_pages, page_labels
from real.score import (
    DOCUMENT_FIELDS,
    INTERPRETATION_FIELDS,
    _empty,
    known_misses,
    misses,
    page_summary,
    read_page,
    score_clauses,
    score_pages,
)
from scrapy.http import HtmlResponse

from crawler.parsers import hanweb

needs_pages = pytest.mark.skipif(not have_pages(), reason="real pages not present")
needs_material = pytest.mark.skipif(
    not (have_pages() and have_clauses()), reason="real pages and clauses not present"
)


@needs_material
def test_the_misses_on_real_material_are_exactly_the_known_ones():
    found = misses(score_pages(), score_clauses())
    known = known_misses()
    assert [m for m in found if m not in known] == [], "new misses (a reader got worse)"
    assert [m for m in known if m not in found] == [], "fixed: regenerate known_misses.txt"


def test_every_label_names_its_page_family_and_kind():
    for label in page_labels():
        assert label["family"] in {"hanweb", "jxnew", "trs", "gkmlpt", "other"}, label["file"]
        assert label["page"] in {"document", "interpretation", "list"}, label["file"]
        assert label["url"].startswith("http"), label["file"]


@needs_pages
def test_a_wrong_value_is_scored_as_a_miss():
    label = next(lab for lab in page_labels() if lab["page"] == "document" and lab["title"])
    good = read_page(label)
    assert "title" not in good.misses()
    bad = read_page({**label, "title": label["title"] + "（错）"})
    assert "title" in bad.misses()


@needs_pages
def test_the_summary_counts_only_fields_the_pages_state():
    results = score_pages()
    stated = sum(1 for r in results for want, _ in r.fields.values() if not _empty(want))
    assert page_summary(results)["families"]["all"]["stated"] == stated
    assert set(DOCUMENT_FIELDS) | set(INTERPRETATION_FIELDS) | {"items", "total"} >= set(
        page_summary(results)["fields"]
    )


def _unlabelled() -> list[Path]:
    folder = PAGES / "unlabelled"
    return sorted(folder.glob("*.html")) if folder.is_dir() else []


@needs_pages
@pytest.mark.parametrize("path", _unlabelled(), ids=lambda p: p.name)
def test_every_unlabelled_real_page_is_read_with_a_title_and_a_body(path):
    """Pages nobody labelled (and nobody tuned a rule on): each must still be read, not lost."""
    body = path.read_bytes()
    found = re.search(rb'<meta name="[Uu]rl" content="([^"]+)"', body)
    assert found, "the saved page names its own URL"
    response = HtmlResponse(url=found[1].decode(), body=body, headers={"Content-Type": "text/html"})
    record = hanweb.parse_document(response, site="real", kind="normative")
    assert record.title and len(record.body_text) > 20
