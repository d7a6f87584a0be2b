"""The build: everything derived from the stored pages, recomputed as of one date.

``build`` reads only what the crawl stored (body text, titles, page fields, links), so improving a
rule never needs a recrawl, and building twice gives the same library. It ends by checkpointing
the WAL so the file can be copied and served immutable.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import sqlite_utils

from corpus.articles.step import assign_articles
from corpus.counts.step import count_views
from corpus.links.linker import link_interpretations
from corpus.links.rates import assign_departments
from corpus.search.index import build_search_index
from corpus.search.keywords import assign_keywords
from corpus.store.save import utcnow
from corpus.store.schema import open_db
from corpus.validity.rules import STATUSES
from corpus.validity.step import apply_validity


def build(db_path: str | Path | sqlite_utils.Database, as_of: date) -> dict:
    """Build the library at ``db_path`` as of ``as_of``: validity, articles, links, search; return
    a report."""
    started = time.perf_counter()
    db = db_path if isinstance(db_path, sqlite_utils.Database) else open_db(str(db_path))
    built_at = utcnow()
    counts = apply_validity(db, as_of, built_at)
    after_validity = time.perf_counter()
    articles = assign_articles(db)  # 编章节条款项, only of documents whose content changed
    after_articles = time.perf_counter()
    links = link_interpretations(db)
    links["issuers"] = assign_departments(db)  # the departments the 解读率 counts by
    after_links = time.perf_counter()
    keywords = assign_keywords(db)  # before the index: the ranking's keyword tier reads them
    after_keywords = time.perf_counter()
    index = build_search_index(db)
    after_index = time.perf_counter()
    counted = count_views(db, built_at)  # what the site's pages count, once (corpus.counts)
    report = {
        "as_of": as_of.isoformat(),
        "built_at": built_at,
        "documents": sum(counts.values()),
        "interpretations": index["interpretations_indexed"],
        "status_counts": {s: counts[s] for s in STATUSES if counts[s]},
        "links": links,
        "keywords": keywords,
        "articles": articles,
        "counts": counted,
        "seconds": {
            "validity": round(after_validity - started, 3),
            "articles": round(after_articles - after_validity, 3),
            "links": round(after_links - after_articles, 3),
            "keywords": round(after_keywords - after_links, 3),
            "search_index": round(after_index - after_keywords, 3),
        },
    }
    with db.conn:
        db["build_info"].upsert_all(
            [
                {"key": k, "value": v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}
                for k, v in report.items()
                # work done by this build, not the library
                if k not in ("seconds", "keywords", "articles")
            ],
            pk="key",
        )
    # Fold the WAL into the main file so it can be copied and served with immutable=1.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if db is not db_path:
        db.close()
    report["seconds"]["total"] = round(time.perf_counter() - started, 3)
    return report
