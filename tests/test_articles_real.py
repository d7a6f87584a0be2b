"""The article splitter on real pages nobody here wrote, against articles counted by hand.

``tests/real/articles.yml`` says, for every labelled real document page, how many articles its text
has, the first and the last, its chapter headings and the title of the measure printed on it,
as a person counted them. Each page is read by the crawler's parser of its family (the body the
library would store) and split; the per-page agreement is printed (``pytest -s``) and written to
test-artifacts/articles_real.json. Skips without the real pages (tests/real/__init__.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from real import HERE, have_pages, page_labels
from real.score import PARSERS, response_for

from corpus.articles.split import split_document

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
COUNTS = yaml.safe_load((HERE / "articles.yml").read_text(encoding="utf-8"))
needs_pages = pytest.mark.skipif(not have_pages(), reason="real pages not present")


def test_every_labelled_document_page_has_its_articles_counted():
    documents = {lab["file"] for lab in page_labels() if lab["page"] == "document"}
    assert {c["file"] for c in COUNTS} == documents
    for c in COUNTS:
        assert (c["first"] is None) == (c["articles"] == 0), c["file"]


def _found(count: dict) -> dict:
    label = next(lab for lab in page_labels() if lab["file"] == count["file"])
    record = PARSERS[label["family"]].parse_document(
        response_for(label), site="real", kind="normative"
    )
    found = split_document(record.title or "", record.body_text)
    articles = found.articles
    return {
        "articles": len(articles),
        "first": articles[0].number if articles else None,
        "last": articles[-1].number if articles else None,
        "chapters": sum(1 for u in found.units if u.kind == "章"),
        "measure": articles[0].measure if articles else None,
    }


@pytest.fixture(scope="module")
def report():
    data: dict = {}
    yield data
    if not data:
        return
    present = sum(c["articles"] for c in COUNTS)
    found = sum(data[c["file"]]["articles"] for c in COUNTS if c["file"] in data)
    agree = sum(
        min(data[c["file"]]["articles"], c["articles"]) for c in COUNTS if c["file"] in data
    )
    summary = {"pages": len(data), "articles_present": present, "articles_found": found,
               "articles_agreeing": agree}  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "articles_real.json").write_text(
        json.dumps({"summary": summary, "pages": data}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    print("\narticles on real pages (found vs present):", json.dumps(summary, ensure_ascii=False))


@needs_pages
@pytest.mark.parametrize("count", COUNTS, ids=lambda c: c["file"])
def test_articles_found_are_the_articles_present(count, report):
    found = _found(count)
    report[count["file"]] = {**found, "present": count["articles"]}
    want = {key: count[key] for key in ("articles", "first", "last", "chapters", "measure")}
    assert found == want
