"""The one SQLite writer of a crawl: records, errors, sites, and the run's accounting.

At spider close it writes one ``crawl_run_columns`` row per column and the ``crawl_runs`` row.
A column (and so the run) that fetched fewer items than the site reported is stored with
``complete = 0`` and a note saying why, and logged as a warning: never a silent success.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from corpus.records import CrawlError, DocumentRecord, InterpretationRecord
from corpus.save import (
    finish_run,
    save_document,
    save_error,
    save_interpretation,
    save_site,
    start_run,
    utcnow,
)
from corpus.schema import open_db
from crawler.stats import ColumnStats, ProgressHook

logger = logging.getLogger(__name__)


class SQLitePipeline:
    """Stores what the spider emits into the library at ``NORMDOCS_DB``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_path: str = settings.get("NORMDOCS_DB") or "normdocs.db"
        self.run_id: int | None = settings.getint("NORMDOCS_RUN_ID") or None
        self.progress: ProgressHook | None = settings.get("NORMDOCS_PROGRESS")
        self.db = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SQLitePipeline:
        pipeline = cls(crawler)
        # The close reason (finished, shutdown, closespider_errorcount …) is only known once the
        # spider has closed, after the pipelines: the run row is finished then.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)
        spider = self.spider
        if self.run_id is None:
            self.run_id = start_run(self.db, spider.sites_file, None)
        self.crawler.stats.set_value("normdocs/run_id", self.run_id)
        for site in spider.sites:
            save_site(self.db, site.model_dump(), registry=spider.sites_file)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CrawlError):
            save_error(self.db, item, self.run_id)
            self.crawler.stats.inc_value(f"normdocs/errors/{item.error_class}")
            return item
        if isinstance(item, DocumentRecord):
            outcome = save_document(self.db, item)
        elif isinstance(item, InterpretationRecord):
            outcome = save_interpretation(self.db, item)
        else:
            return item
        self.crawler.stats.inc_value(f"normdocs/stored/{outcome}")
        stats = self.spider.column_stats.get(item.column_url)
        if stats is not None:
            setattr(stats, outcome, getattr(stats, outcome) + 1)
            if self.progress is not None:
                self.progress(stats)
        return item

    def close_spider(self) -> None:
        spider = self.spider
        now = utcnow()
        columns: list[ColumnStats] = list(spider.column_stats.values())
        with self.db.conn:
            for c in columns:
                self.db["crawl_run_columns"].upsert(
                    {
                        "run_id": self.run_id,
                        "column_url": c.column_url,
                        "site": c.site,
                        "kind": c.kind,
                        "reported": c.reported,
                        "listed": c.listed,
                        "fetched": c.fetched,
                        "new": c.new,
                        "changed": c.changed,
                        "unchanged": c.unchanged,
                        "errors": c.errors,
                        "complete": int(c.complete),
                        "note": c.note(),
                    },
                    pk=("run_id", "column_url"),
                )
                self.db["columns"].update(
                    c.column_url,
                    {
                        "params": json.dumps(c.params, ensure_ascii=False, sort_keys=True),
                        "reported_total": c.reported,
                        "last_crawled_at": now,
                    },
                )
            for name in {c.site for c in columns}:
                self.db["sites"].update(name, {"last_crawled_at": now})
        for c in columns:
            if not c.complete:
                logger.warning("INCOMPLETE column %s (%s): %s", c.column_url, c.site, c.note())

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Close the run row with totals over every column of the run (all spiders so far)."""
        if self.db is None:
            return
        rows = list(
            self.db.query("SELECT * FROM crawl_run_columns WHERE run_id = ?", [self.run_id])
        )
        complete = bool(rows) and all(r["complete"] for r in rows) and reason == "finished"
        stats = dict(self.crawler.stats.get_stats())
        finish_run(
            self.db,
            self.run_id,
            reported=sum(r["reported"] or 0 for r in rows),
            listed=sum(r["listed"] for r in rows),
            fetched=sum(r["fetched"] for r in rows),
            stored=sum(r["new"] + r["changed"] for r in rows),
            errors=self.db.execute(
                "SELECT count(*) FROM crawl_errors WHERE run_id = ?", [self.run_id]
            ).fetchone()[0],
            complete=int(complete),
            finish_reason=reason,
            stats=stats,
        )
        if not complete:
            logger.warning(
                "crawl run %s is INCOMPLETE (%s): %d of %d columns complete, see crawl_run_columns",
                self.run_id,
                reason,
                sum(r["complete"] for r in rows),
                len(rows),
            )
        self.db.conn.close()
        self.db = None
