"""The crawler end to end: real Scrapy engine over loopback into real SQLite, against the truth.

Every field of every document and interpretation the mirror publishes is compared with what the
crawl stored; the agreement (matching ÷ compared fields) is printed per site and field, written
to ``test-artifacts/crawl_agreement.json`` and must be 100%.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import fake_hanweb
import pytest
from agreement import rows as _rows
from conftest import ROOT, CrawlResult, run_crawl

pytestmark = pytest.mark.integration

DOC_FIELDS = (
    "title",
    "doc_number",
    "doc_number_raw",
    "issuer",
    "written_date",
    "published_date",
    "validity_raw",
    "index_no",
    "subject",
    "body_text",
)
INTERP_FIELDS = ("title", "published_date", "source", "form", "body_text")


@pytest.fixture(scope="module")
def truth(mirror_base_port: int) -> dict:
    import mirror

    return mirror.truth(mirror_base_port)


def _same(a: object, b: object) -> bool:
    """Equal, with "" and None both meaning "the page shows nothing"."""
    return (a if a != "" else None) == (b if b != "" else None)


class Agreement:
    """Counts of compared and matching fields, per site and field, with the first mismatches."""

    def __init__(self) -> None:
        self.compared: dict[tuple[str, str], int] = defaultdict(int)
        self.matched: dict[tuple[str, str], int] = defaultdict(int)
        self.mismatches: list[dict] = []

    def check(self, site: str, field: str, url: str, want: object, got: object) -> None:
        self.compared[site, field] += 1
        if _same(want, got):
            self.matched[site, field] += 1
        else:
            self.mismatches.append({"url": url, "field": field, "truth": want, "stored": got})

    def by_family(self, families: dict[str, str]) -> dict:
        """Agreement per CMS family (``families``: site name → family), with its fields."""
        out: dict = {}
        for (site, field), n in sorted(self.compared.items()):
            fam = out.setdefault(families[site], {"matched": 0, "compared": 0, "fields": {}})
            fam["compared"] += n
            fam["matched"] += self.matched[site, field]
            f = fam["fields"].setdefault(field, {"matched": 0, "compared": 0})
            f["compared"] += n
            f["matched"] += self.matched[site, field]
        for fam in out.values():
            fam["agreement"] = round(fam["matched"] / fam["compared"], 4)
            fam["sites"] = sorted(s for s, f in families.items() if fam is out.get(f))
        return out

    def table(self) -> dict:
        out: dict = {}
        for (site, field), n in sorted(self.compared.items()):
            out.setdefault(site, {})[field] = {
                "matched": self.matched[site, field],
                "compared": n,
                "agreement": round(self.matched[site, field] / n, 4),
            }
        total = sum(self.compared.values())
        out["overall"] = {
            "matched": sum(self.matched.values()),
            "compared": total,
            "agreement": round(sum(self.matched.values()) / total, 4) if total else 0.0,
        }
        return out


def _attachments(db: Path, table: str, url: str) -> dict[str, dict]:
    rows = _rows(
        db,
        f"SELECT a.* FROM attachments a JOIN {table} p ON a.parent_id = p.id "
        "WHERE a.parent_table = ? AND p.url = ?",
        table,
        url,
    )
    return {r["url"]: dict(r) for r in rows}


def _links(db: Path, table: str, url: str, role: str) -> list[str]:
    rows = _rows(
        db,
        f"SELECT l.to_url FROM page_links l JOIN {table} p ON l.from_id = p.id "
        "WHERE l.from_table = ? AND p.url = ? AND l.role = ?",
        table,
        url,
        role,
    )
    return sorted(r[0] for r in rows)


def _compare_page(
    agree: Agreement, db: Path, table: str, page: dict, fields: tuple[str, ...], links: tuple
) -> None:
    site, url = page["site"], page["url"]
    stored = _rows(db, f"SELECT * FROM {table} WHERE url = ?", url)
    row = dict(stored[0]) if stored else {}
    for field in fields:
        agree.check(site, field, url, page[field], row.get(field, "<missing page>"))
    got = _attachments(db, table, url) if row else {}
    for att in page["attachments"]:
        mine = got.get(att["url"], {})
        agree.check(site, "attachment.name", att["url"], att["name"], mine.get("name"))
        agree.check(site, "attachment.ext", att["url"], att["ext"], mine.get("ext"))
        agree.check(site, "attachment.text", att["url"], att["text"], mine.get("text"))
    agree.check(site, "attachments.count", url, len(page["attachments"]), len(got) if row else None)
    truth_key, role = links
    want = sorted(page[truth_key])
    agree.check(site, f"links.{role}", url, want, _links(db, table, url, role) if row else None)


@pytest.fixture(scope="module")
def agreement(truth: dict, crawled_db: Path) -> Agreement:
    agree = Agreement()
    for doc in truth["documents"]:
        _compare_page(
            agree,
            crawled_db,
            "documents",
            doc,
            DOC_FIELDS,
            ("interpretation_urls", "interpretation"),
        )
    for interp in truth["interpretations"]:
        _compare_page(
            agree,
            crawled_db,
            "interpretations",
            interp,
            INTERP_FIELDS,
            ("linked_document_urls", "document"),
        )
    return agree


def _report(agree: Agreement, result: CrawlResult, tmp_dir: Path, truth: dict) -> dict:
    families = {s["name"]: s["family"] for s in truth["sites"]}
    report = {
        "crawl_seconds": round(result.seconds, 2),
        "agreement_per_family": agree.by_family(families),
        "agreement": agree.table(),
        "first_mismatches": agree.mismatches[:50],
    }
    blob = json.dumps(report, ensure_ascii=False, indent=2)
    for folder in (ROOT / "test-artifacts", tmp_dir):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "crawl_agreement.json").write_text(blob, encoding="utf-8")
    return report


def test_every_field_agrees_with_the_truth(
    agreement: Agreement, mirror_crawl: CrawlResult, tmp_path: Path, truth: dict
) -> None:
    report = _report(agreement, mirror_crawl, tmp_path, truth)
    print(f"\ncrawl of the whole mirror: {mirror_crawl.seconds:.1f}s")
    print(f"{'site':<10} {'field':<26} {'agreement':>9}  matched/compared")
    for site, fields in report["agreement"].items():
        if site == "overall":
            continue
        for field, n in fields.items():
            print(f"{site:<10} {field:<26} {n['agreement']:>9.2%}  {n['matched']}/{n['compared']}")
    overall = report["agreement"]["overall"]
    print(
        f"overall agreement {overall['agreement']:.2%} ({overall['matched']}/{overall['compared']})"
    )
    per_family = report["agreement_per_family"]
    for family, n in per_family.items():
        print(
            f"family {family:<8} agreement {n['agreement']:.2%} ({n['matched']}/{n['compared']} "
            f"fields over {len(n['fields'])} field kinds; sites {', '.join(n['sites'])})"
        )
    for m in agreement.mismatches[:15]:
        print("MISMATCH", json.dumps(m, ensure_ascii=False)[:600])
    assert overall["compared"] > 0
    assert overall["matched"] == overall["compared"], agreement.mismatches[:5]
    # Every CMS family the crawler speaks is in the mirror, and agrees fully on its own.
    assert set(per_family) == {"hanweb", "jxnew", "trs", "gkmlpt"}
    assert all(n["matched"] == n["compared"] > 0 for n in per_family.values())


def test_stores_every_truth_page_exactly_once(truth: dict, crawled_db: Path) -> None:
    for table, pages in (
        ("documents", truth["documents"]),
        ("interpretations", truth["interpretations"]),
    ):
        stored = [r["url"] for r in _rows(crawled_db, f"SELECT url FROM {table}")]
        assert len(stored) == len(set(stored))
        assert sorted(stored) == sorted(p["url"] for p in pages)
        assert not [u for u in stored if "xxgkhide" in u]


def test_records_a_complete_run_with_reported_equal_to_fetched(
    truth: dict, crawled_db: Path
) -> None:
    (run,) = _rows(crawled_db, "SELECT * FROM crawl_runs")
    assert run["complete"] == 1
    assert run["finish_reason"] == "finished"
    assert run["reported"] == run["fetched"] == run["listed"]
    assert run["fetched"] == len(truth["documents"]) + len(truth["interpretations"])
    assert run["errors"] == 0
    columns = {r["column_url"]: r for r in _rows(crawled_db, "SELECT * FROM crawl_run_columns")}
    for site in truth["sites"]:
        for column in site["columns"]:
            row = columns[column["url"]]
            assert (row["reported"], row["fetched"], row["complete"]) == (column["total"],) * 2 + (
                1,
            )
    assert not _rows(crawled_db, "SELECT * FROM crawl_errors WHERE outcome = 'failed'")
    # What was repaired on the way: only the GBK site's pages served with a wrong charset.
    repaired = _rows(crawled_db, "SELECT site, error_class FROM crawl_errors")
    assert {(r["site"], r["error_class"]) for r in repaired} <= {("gz-sthjt", "charset")}


def _fingerprint(db: Path) -> dict:
    return {
        table: sorted(tuple(r) for r in _rows(db, sql))
        for table, sql in {
            "documents": "SELECT url, content_hash, first_seen_at FROM documents",
            "interpretations": "SELECT url, content_hash, first_seen_at FROM interpretations",
            "attachments": "SELECT id, text, size, error FROM attachments",
            "page_links": "SELECT from_id, to_url, role FROM page_links",
        }.items()
    }


def test_crawling_twice_changes_and_duplicates_nothing(
    crawled_db: Path, mirror_sites_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "twice.db"
    shutil.copy(crawled_db, db)
    before = _fingerprint(db)
    result = run_crawl(mirror_sites_file, db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _fingerprint(db) == before
    runs = _rows(db, "SELECT * FROM crawl_runs ORDER BY id")
    assert len(runs) == 2 and runs[1]["complete"] == 1 and runs[1]["stored"] == 0
    (new, changed) = _rows(
        db, "SELECT sum(new), sum(changed) FROM crawl_run_columns WHERE run_id = ?", runs[1]["id"]
    )[0]
    assert (new, changed) == (0, 0)


def test_a_malformed_sites_file_exits_2_naming_entry_and_field(tmp_path: Path) -> None:
    sites = tmp_path / "bad.yml"
    sites.write_text(
        "sites:\n  - name: jx-bad\n    title: 坏站\n    family: hanweb\n"
        "    columns:\n      - {url: 'http://127.0.0.1:9/col/col1/index.html', kind: nonsense}\n",
        encoding="utf-8",
    )
    result = run_crawl(sites, tmp_path / "bad.db")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "jx-bad" in lines[0] and "columns[0].kind" in lines[0]


def test_a_missing_page_and_a_false_attachment_become_crawl_errors(tmp_path: Path) -> None:
    with fake_hanweb.serve() as origin:
        sites = tmp_path / "fake.yml"
        sites.write_text(fake_hanweb.sites_yaml(origin), encoding="utf-8")
        result = run_crawl(sites, tmp_path / "fake.db")
    db = result.db
    assert result.returncode == 1  # incomplete: one listed page could not be fetched
    errors = {
        (r["url"].removeprefix(origin), r["error_class"], r["status"])
        for r in _rows(db, "SELECT * FROM crawl_errors")
    }
    assert errors == {
        (fake_hanweb.MISSING, "http_status", 404),
        (fake_hanweb.FAKE_PDF, "attachment", 200),
    }
    reasons = [
        r["reason"]
        for r in _rows(db, "SELECT reason FROM crawl_errors WHERE error_class = 'attachment'")
    ]
    assert reasons[0].startswith("claims .pdf but is an HTML page")
    # The crawl went on: both good pages are stored, the real PDF read.
    titles = sorted(r["title"] for r in _rows(db, "SELECT title FROM documents"))
    assert titles == ["好页面", "带附件的页面"]
    texts = {r["name"]: (r["text"], r["error"]) for r in _rows(db, "SELECT * FROM attachments")}
    assert texts == {
        "fake.pdf": (None, "claims .pdf but is an HTML page"),
        "real.pdf": ("real attachment text", None),
    }
    (run,) = _rows(db, "SELECT * FROM crawl_runs")
    assert (run["reported"], run["listed"], run["fetched"], run["complete"]) == (3, 3, 2, 0)
    (column,) = _rows(db, "SELECT * FROM crawl_run_columns")
    assert column["complete"] == 0 and "fetched 2 of 3 reported" in column["note"]
    assert "INCOMPLETE" in result.stderr


def test_reports_progress_per_column(mirror_sites_file: Path, tmp_path: Path) -> None:
    result = run_crawl(mirror_sites_file, tmp_path / "one.db", "--site", "jx-sthjt", "--progress")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "jx-sthjt normative 规范性文件: 80/80 saved" in result.stderr
    assert "jx-sthjt interpretation 政策解读: 30/30 saved" in result.stderr
    assert not _rows(tmp_path / "one.db", "SELECT * FROM documents WHERE site != 'jx-sthjt'")
