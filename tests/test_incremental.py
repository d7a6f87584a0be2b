"""Incremental recrawls on the mirror: a no-change recrawl costs almost nothing, and a recrawl
after the mirror changes (``mirror/changes.py``) picks up exactly those changes.

One first crawl of the two department sites the changes touch; every recrawl starts from a copy of its library:

- the same day, nothing changed: the request count against the first crawl's (≤ 5%);
- the same day, after the changes: what the lists show (a new document, a new interpretation,
  a removal) is found; what only the pages show waits for the periodic re-check;
- 31 days later (every page due for its re-check), after the changes: all five changes, and
  nothing else; unchanged pages answer 304 to the conditional requests; built and published,
  the document pages show the removal and the new versions.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from servicekit import FAST, crawl, mirror, rows, sites_file, truth_for

SITES = ("jx-nync", "jx-sthjt")  # the sites mirror/changes.py changes

pytestmark = pytest.mark.integration

FIELDS = ("title", "doc_number", "validity_raw", "published_date", "body_text")


class Library:
    """The first crawl's library and the mirror it came from."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        with mirror() as (base, _):
            self.base = base
            self.sites = sites_file(tmp / "sites.yml", base, SITES)
            self.db = tmp / "first.db"
            self.result = crawl(self.sites, self.db)
        self.truth = truth_for(self.base, SITES)

    def recrawl(self, name: str, changes: str = "", **settings: str) -> Path:
        """Recrawl a copy of the first library, against the mirror with ``changes`` applied."""
        db = self.tmp / f"{name}.db"
        shutil.copy(self.db, db)
        with mirror(changes=changes, base=self.base):
            result = crawl(self.sites, db, {**FAST, **settings})
        assert result.returncode == 0, result.stderr[-3000:]
        return db


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    lib = Library(tmp_path_factory.mktemp("incremental"))
    assert lib.result.returncode == 0, lib.result.stderr[-3000:]
    return lib


def _run(db: Path, which: int = -1) -> dict:
    return dict(rows(db, "SELECT * FROM crawl_runs ORDER BY id")[which])


def _versions(db: Path) -> dict[str, int]:
    return {
        r["url"]: r["n"]
        for r in rows(db, "SELECT url, count(*) AS n FROM document_versions GROUP BY url")
    }


def _changes(library: Library, names: str = "all") -> dict[str, str]:
    truth = truth_for(library.base, SITES, changes=names)
    return {c["change"]: c["url"] for c in truth["changes"]}


# ---------------------------------------------------------------- no change


@pytest.fixture(scope="module")
def unchanged(library: Library) -> Path:
    return library.recrawl("unchanged")


def test_a_no_change_recrawl_makes_at_most_5_percent_of_the_first_crawls_requests(
    library: Library, unchanged: Path
) -> None:
    first, again = _run(library.db)["requests"], _run(unchanged)["requests"]
    ratio = again / first
    print(f"\nrecrawl ratio: {again} requests ÷ {first} of the first crawl = {ratio:.4f}")
    assert ratio <= 0.05


def test_a_no_change_recrawl_is_complete_and_stores_nothing_new(unchanged: Path) -> None:
    run = _run(unchanged)
    assert run["complete"] == 1 and run["stored"] == 0 and run["fetched"] == 0
    assert run["known"] == run["reported"]
    columns = rows(unchanged, "SELECT * FROM crawl_run_columns WHERE run_id = ?", run["id"])
    assert columns and all(c["mode"] == "incremental" and c["complete"] for c in columns)
    assert set(_versions(unchanged).values()) == {1}


# ---------------------------------------------------------------- the same day, after changes


@pytest.fixture(scope="module")
def same_day(library: Library) -> Path:
    return library.recrawl("same_day", changes="all")


def test_the_same_day_a_recrawl_finds_what_the_lists_show(library: Library, same_day: Path) -> None:
    changes = _changes(library)
    truth = truth_for(library.base, SITES, changes="all")
    new_doc = next(d for d in truth["documents"] if d["url"] == changes["new-document"])
    (stored,) = rows(same_day, "SELECT * FROM documents WHERE url = ?", new_doc["url"])
    assert all(stored[f] == new_doc[f] for f in FIELDS)
    assert rows(
        same_day, "SELECT 1 FROM interpretations WHERE url = ?", changes["new-interpretation"]
    )
    (removed,) = rows(same_day, "SELECT * FROM documents WHERE url = ?", changes["remove-document"])
    assert removed["removed_at"]  # marked, never deleted
    # Edits the lists do not show wait for the periodic re-check (see the next tests).
    versions = _versions(same_day)
    assert versions[changes["edit-document"]] == versions[changes["validity-change"]] == 1


# ---------------------------------------------------------------- a month later, after changes


@pytest.fixture(scope="module")
def month_later(library: Library) -> Path:
    later = datetime.now(UTC) + timedelta(days=31)
    return library.recrawl("month_later", changes="all", NORMDOCS_NOW=later.isoformat())


def test_a_recrawl_after_changes_picks_up_exactly_those_changes(
    library: Library, month_later: Path
) -> None:
    changes = _changes(library)
    truth = truth_for(library.base, SITES, changes="all")
    compared = matched = 0
    for table, pages in (
        ("documents", truth["documents"]),
        ("interpretations", truth["interpretations"]),
    ):
        stored = {r["url"]: r for r in rows(month_later, f"SELECT * FROM {table}")}
        for page in pages:
            row = stored[page["url"]]
            assert row["removed_at"] is None
            for field in FIELDS:
                if field in page:
                    compared += 1
                    matched += row[field] == page[field]
    print(f"\nafter the changes: {matched}/{compared} fields agree with the changed truth")
    assert matched == compared
    (removed,) = rows(
        month_later, "SELECT removed_at FROM documents WHERE url = ?", changes["remove-document"]
    )
    assert removed["removed_at"]
    # Exactly the changed pages have a second version; every other page has one.
    versions = _versions(month_later)
    twice = {u for u, n in versions.items() if n == 2}
    assert twice == {changes["edit-document"], changes["validity-change"]}
    assert set(versions.values()) == {1, 2}
    all_urls = {p["url"] for p in [*truth["documents"], *truth["interpretations"]]}
    assert set(versions) == all_urls | {changes["remove-document"]}


def test_a_month_later_unchanged_pages_answer_304_to_conditional_requests(
    library: Library, month_later: Path
) -> None:
    run = _run(month_later)
    (new, changed, not_modified) = rows(
        month_later,
        "SELECT sum(new), sum(changed), sum(not_modified) FROM crawl_run_columns WHERE run_id = ?",
        run["id"],
    )[0]
    assert (new, changed, run["removed"]) == (2, 2, 1)
    # Every known page was due: asked for with its validators. A page whose bytes changed comes
    # back whole and is compared by its content: the edited ones, and pages of a column whose
    # list changed (their 相关阅读 and 上一篇/下一篇 blocks moved). Exactly the others are 304s.
    same = _unchanged_pages(library.base)
    pages = len(library.truth["documents"]) + len(library.truth["interpretations"])
    print(f"\na month later: {not_modified} of {pages} known pages answered 304")
    assert not_modified == same
    assert run["complete"] == 1


def test_a_month_later_the_document_pages_show_the_removal_and_the_new_versions(
    library: Library, month_later: Path, tmp_path: Path
) -> None:
    from corpus.build import build
    from corpus.site.serve import make_datasette
    from corpus.store.identity import stable_id

    db = tmp_path / "normdocs.db"
    shutil.copy(month_later, db)
    build(str(db), date(2026, 12, 28))
    changes = _changes(library)
    ds = make_datasette(db)
    loop = asyncio.new_event_loop()

    def page(change: str) -> str:
        path = f"/normdocs/documents/{stable_id(changes[change])}"
        response = loop.run_until_complete(ds.client.get(path))
        assert response.status_code == 200, path
        return response.text

    try:
        removed, edited, repealed = (
            page(c) for c in ("remove-document", "edit-document", "validity-change")
        )
    finally:
        loop.close()
    assert 'id="removed"' in removed and "前从网站撤下" in removed
    assert "版本记录（2）" in edited and re.search(r"正文（增加 \d+ 字）", edited)
    assert "版本记录（2）" in repealed and re.search(r"网页标注的有效性：\S+ → 废止", repealed)
    assert 'id="removed"' not in edited + repealed


def _unchanged_pages(base: int) -> int:
    """How many pages of SITES the changes leave byte for byte the same."""
    from mirror import hanweb_article
    from mirror.changes import changed_world
    from mirror.world import world

    before, after = world(), changed_world("all")
    sites = {s.name: s for s in before.sites}
    return sum(
        hanweb_article.render(before, sites[ref.site], art, base)
        == hanweb_article.render(after, sites[ref.site], after.pages[ref], base)
        for ref, art in before.pages.items()
        if ref.site in SITES and ref in after.pages
    )


# ---------------------------------------------------------------- the pieces (no network)


def test_a_known_page_is_due_for_its_recheck_between_half_and_the_whole_interval() -> None:
    from crawler.incremental import Policy

    now = datetime(2026, 11, 27, tzinfo=UTC)
    policy = Policy(recheck_days=30, now=now)
    urls = [f"http://h/art_{i}.html" for i in range(1000)]
    assert not any(policy.due(u, now - timedelta(days=14)) for u in urls)
    assert all(policy.due(u, now - timedelta(days=30)) for u in urls)
    halfway = sum(policy.due(u, now - timedelta(days=22.5)) for u in urls)
    assert 350 < halfway < 650  # spread, so the re-checks do not all fall on one day
    assert Policy(recheck_days=0, now=now).due(urls[0], now)


def _record(**changes: object):
    from corpus.store.records import Attachment, DocumentRecord

    base = {
        "url": "http://a.example/art/2023/5/11/art_1_2.html",
        "site": "jx-a",
        "kind": "normative",
        "title": "关于印发《某办法》的通知",
        "validity_raw": "有效",
        "body_text": "第一条 为了…",
        "fetched_at": "2026-11-27T00:00:00+00:00",
        "attachments": [
            Attachment(url="http://a.example/f.pdf", name="附件.pdf", ext="pdf", text="附件正文")
        ],
    }
    return DocumentRecord(**{**base, **changes})


def test_every_change_of_content_is_kept_as_a_version_and_nothing_else_is() -> None:
    import sqlite_utils

    from corpus.store.records import Attachment
    from corpus.store.save import mark_removed, save_document, save_site
    from corpus.store.schema import ensure_db_shape

    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    save_site(db, {"name": "jx-a", "title": "甲厅", "family": "hanweb", "columns": []})
    assert save_document(db, _record()) == "new"
    assert save_document(db, _record(fetched_at="2026-11-28T00:00:00+00:00")) == "unchanged"
    broken = Attachment(url="http://a.example/f.pdf", name="附件.pdf", ext="pdf", error="HTTP 503")
    save_document(db, _record(attachments=[broken]))  # a failed download keeps the text we had
    assert save_document(db, _record(validity_raw="废止")) == "changed"
    versions = list(db.query("SELECT * FROM document_versions ORDER BY version"))
    assert [(v["version"], v["validity_raw"]) for v in versions] == [(1, "有效"), (2, "废止")]
    assert all(json.loads(v["record"])["attachments"][0]["text"] == "附件正文" for v in versions)
    # Gone from its site: marked with the date, kept; back again: unmarked.
    assert mark_removed(db, _record().url, "2026-12-01T00:00:00+00:00") == "documents"
    assert (
        db.execute("SELECT removed_at FROM documents").fetchone()[0] == "2026-12-01T00:00:00+00:00"
    )
    assert save_document(db, _record(validity_raw="废止")) == "unchanged"
    assert db.execute("SELECT removed_at FROM documents").fetchone()[0] is None


def test_the_stats_of_several_spiders_of_one_run_add_up() -> None:
    from crawler.pipelines import merge_stats

    one = {
        "downloader/request_count": 10,
        "elapsed_time_seconds": 5.0,
        "start_time": "2026-01-01 1",
    }
    two = {"downloader/request_count": 7, "elapsed_time_seconds": 8.0, "start_time": "2026-01-01 0"}
    assert merge_stats(merge_stats({}, one), two) == {
        "downloader/request_count": 17,
        "elapsed_time_seconds": 8.0,
        "start_time": "2026-01-01 0",
    }


def test_a_run_whose_spiders_ended_differently_says_how_each_ended() -> None:
    from crawler.pipelines import add_spider_stats

    run = add_spider_stats({}, "hanweb", {"finish_reason": "closespider_errorcount"})
    assert run["finish_reason"] == "closespider_errorcount"
    run = add_spider_stats(run, "jxnew", {"finish_reason": "finished"})
    assert run["finish_reason"] == "hanweb: closespider_errorcount; jxnew: finished"
    assert run["spiders"]["hanweb"] == {"finish_reason": "closespider_errorcount"}
