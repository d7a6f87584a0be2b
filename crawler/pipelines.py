"""The one SQLite writer of a crawl: records, errors, sites, and the run's accounting.

At spider close it writes one ``crawl_run_columns`` row per column and the ``crawl_runs`` row.
The storing and the run's closing are module functions (``store_record``, ``store_incremental``,
``write_run_columns``, ``close_run``) that the distributed crawl's writer calls too.
A column (and so the run) that fetched fewer items than the site reported is stored with
``complete = 0`` and a note saying why, and logged as a warning: never a silent success.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlite_utils import Database

from corpus.store.records import CrawlError, DocumentRecord, InterpretationRecord
from corpus.store.save import (
    content_hash,
    finish_run,
    mark_removed,
    record_check,
    save_blocked_host,
    save_document,
    save_error,
    save_interpretation,
    save_listed,
    save_site,
    start_run,
    utcnow,
)
from corpus.store.schema import open_db
from crawler.errors import fault_seen, host_blocked
from crawler.incremental import ListedEntries, PageChecked, PageRemoved
from crawler.stats import ColumnStats, ProgressHook

logger = logging.getLogger(__name__)


# The run's stats (``crawl_runs.stats``): the Scrapy stats of its spiders (one per CMS family)
# merged, and each spider's own under "spiders", by spider name (hanweb, jxnew …).
SPIDERS = "spiders"
_LARGEST = ("elapsed_time_seconds", "memusage/max", "memusage/startup", "request_depth_max")
_SAME = ("normdocs/run_id",)  # every spider of a run has the same
# LogStats' per-minute rates, of these counts: the run's are its counts over its time
_RATES = {
    "responses_per_minute": "response_received_count",
    "items_per_minute": "item_scraped_count",
}


def plain_stats(stats: dict) -> dict:
    """Scrapy stats as JSON values: numbers, strings and booleans as they are, others (datetimes)
    as text."""
    return {k: v if isinstance(v, int | float | str | bool) else str(v) for k, v in stats.items()}


def merge_stats(total: dict, more: dict) -> dict:
    """Scrapy stats of two spiders of one run: counts added, times and peaks the larger, the
    start the earlier, the rates of two recomputed over the run's time."""
    merged = dict(total)
    for key, value in plain_stats(more).items():
        old = merged.get(key)
        if isinstance(value, int | float) and isinstance(old, int | float) and key not in _SAME:
            merged[key] = max(old, value) if key in _LARGEST else old + value
        elif key == "start_time" and old is not None:
            merged[key] = min(str(old), value)
        else:
            merged[key] = value
    minutes = (merged.get("elapsed_time_seconds") or 0) / 60
    for rate, count in _RATES.items():
        if rate in total and rate in merged and minutes:
            merged[rate] = round(merged.get(count, 0) / minutes, 1)
    return merged


def add_spider_stats(run: dict, name: str, own: dict) -> dict:
    """The run's stats with those of one more spider: merged in, and kept as they are under
    ``run["spiders"][name]``; the run's ``finish_reason`` is that of all its spiders."""
    spiders = {**run.get(SPIDERS, {}), name: plain_stats(own)}
    total = merge_stats({k: v for k, v in run.items() if k != SPIDERS}, own)
    return {**total, "finish_reason": run_finish_reason(spiders), SPIDERS: spiders}


def run_finish_reason(spiders: dict[str, dict]) -> str:
    """Why the run ended: its spiders' reason when they share one, else each spider's."""
    reasons = {name: str(s.get("finish_reason")) for name, s in sorted(spiders.items())}
    if len(set(reasons.values())) == 1:
        return next(iter(reasons.values()))
    return "; ".join(f"{name}: {reason}" for name, reason in reasons.items())


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
        # Faults that were retried or repaired, and hosts found blocked (crawler/middlewares.py).
        crawler.signals.connect(pipeline.fault_seen, signal=fault_seen)
        crawler.signals.connect(pipeline.host_blocked, signal=host_blocked)
        return pipeline

    def fault_seen(self, error: CrawlError, outcome: str) -> None:
        if self.db is not None:
            save_error(self.db, error, self.run_id, outcome)

    def host_blocked(self, host: str, site: str, url: str, status: int | None, reason: str) -> None:
        if self.db is not None:
            save_blocked_host(self.db, self.run_id, host, site, url, status, reason)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)
        # WAL with synchronous=NORMAL: a commit survives the crawler being killed (only a power
        # cut may lose the last ones, never the file's integrity), at a fraction of FULL's fsyncs.
        self.db.execute("PRAGMA synchronous = NORMAL")
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
        if isinstance(item, ListedEntries | PageChecked | PageRemoved):
            store_incremental(self.db, item)
            if isinstance(item, PageRemoved):
                self.crawler.stats.inc_value("normdocs/removed")
            return item
        if not isinstance(item, DocumentRecord | InterpretationRecord):
            return item
        answer = self.spider.incremental.validators.pop(item.url, None)
        outcome = store_record(self.db, item, answer)
        self.crawler.stats.inc_value(f"normdocs/stored/{outcome}")
        stats = self.spider.column_stats.get(item.column_url)
        if stats is not None:
            setattr(stats, outcome, getattr(stats, outcome) + 1)
            if self.progress is not None:
                self.progress(stats)
        return item

    def close_spider(self) -> None:
        write_run_columns(self.db, self.run_id, list(self.spider.column_stats.values()))

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Close the run row with totals over every column of the run (all spiders so far)."""
        if self.db is None:
            return
        # One run may have several spiders (one per CMS family), each closing in turn with its
        # own Scrapy stats: the run's stats add up theirs and keep each; it is complete when
        # every one of them finished.
        previous = self.db.execute(
            "SELECT stats FROM crawl_runs WHERE id = ?", [self.run_id]
        ).fetchone()[0]
        own = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        stats = add_spider_stats(json.loads(previous) if previous else {}, spider.name, own)
        close_run(self.db, self.run_id, stats)
        self.db.conn.close()
        self.db = None


# ---------------------------------------------------------------- shared with the distributed writer
# The single-machine pipeline above and the distributed crawl's writer (crawler/distributed/
# writer.py) store items and close runs through these functions, so both write the same rows.


def store_record(
    db: Database, item: DocumentRecord | InterpretationRecord, answer: PageChecked | None
) -> str:
    """Store a record and what the server said of it (``answer``: its 200's validators, if any)
    in one transaction; returns ``new``, ``changed`` or ``unchanged``."""
    with db.atomic():
        if isinstance(item, DocumentRecord):
            outcome = save_document(db, item)
        else:
            outcome = save_interpretation(db, item)
        record_check(
            db,
            item.url,
            status=200,
            at=item.fetched_at or None,
            etag=answer.etag if answer else None,
            last_modified=answer.last_modified if answer else None,
            content_hash=content_hash(item),
        )
    return outcome


def store_incremental(db: Database, item: ListedEntries | PageChecked | PageRemoved) -> None:
    """The bookkeeping of incremental crawls (crawler/incremental.py)."""
    if isinstance(item, ListedEntries):
        save_listed(db, item.column_url, item.entries)
    elif isinstance(item, PageRemoved):
        mark_removed(db, item.url)
        record_check(db, item.url, status=item.status)
    else:  # a 304 (a 200's validators come with its record, see store_record)
        record_check(
            db,
            item.url,
            status=item.status,
            etag=item.etag,
            last_modified=item.last_modified,
        )


def write_run_columns(db: Database, run_id: int | None, columns: list[ColumnStats]) -> None:
    """One ``crawl_run_columns`` row per column, and each column's and site's crawl dates."""
    now = utcnow()
    with db.atomic():
        for c in columns:
            db["crawl_run_columns"].upsert(
                {
                    "run_id": run_id,
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
                    "known": c.known,
                    "not_modified": c.not_modified,
                    "removed": c.removed,
                    "mode": c.mode,
                },
                pk=("run_id", "column_url"),
            )
            column = {
                "params": json.dumps(c.params, ensure_ascii=False, sort_keys=True),
                "reported_total": c.reported,
                "last_crawled_at": now,
            }
            if c.complete:  # the next crawl may walk this column incrementally
                column["last_complete_at"] = now
            if c.full_walk:
                column["last_full_walk_at"] = now
            db["columns"].update(c.column_url, column)
        for name in {c.site for c in columns}:
            db["sites"].update(name, {"last_crawled_at": now})
    for c in columns:
        if not c.complete:
            logger.warning("INCOMPLETE column %s (%s): %s", c.column_url, c.site, c.note())


def close_run(db: Database, run_id: int | None, stats: dict) -> bool:
    """Close the run row with totals over its ``crawl_run_columns`` and ``stats`` (the run's
    Scrapy stats, ``finish_reason`` among them); returns whether the run is complete."""
    rows = list(db.query("SELECT * FROM crawl_run_columns WHERE run_id = ?", [run_id]))
    reason = stats["finish_reason"]
    complete = bool(rows) and all(r["complete"] for r in rows) and reason == "finished"
    by_class = dict(
        db.execute(
            "SELECT error_class, count(*) FROM crawl_errors WHERE run_id = ?"
            " AND outcome = 'failed' GROUP BY error_class ORDER BY error_class",
            [run_id],
        ).fetchall()
    )
    started = db.execute("SELECT started_at FROM crawl_runs WHERE id = ?", [run_id]).fetchone()[0]
    finish_run(
        db,
        run_id,
        reported=sum(r["reported"] or 0 for r in rows),
        listed=sum(r["listed"] for r in rows),
        fetched=sum(r["fetched"] for r in rows),
        stored=sum(r["new"] + r["changed"] for r in rows),
        known=sum(r["known"] or 0 for r in rows),
        removed=sum(r["removed"] or 0 for r in rows),
        errors=sum(by_class.values()),
        errors_by_class=json.dumps(by_class, ensure_ascii=False),
        requests=stats.get("downloader/request_count", 0),
        seconds=round(
            (datetime.fromisoformat(utcnow()) - datetime.fromisoformat(started)).total_seconds(),
            1,
        ),
        complete=int(complete),
        finish_reason=reason,
        stats=stats,
    )
    if not complete:
        logger.warning(
            "crawl run %s is INCOMPLETE (%s): %d of %d columns complete, see crawl_run_columns",
            run_id,
            reason,
            sum(r["complete"] for r in rows),
            len(rows),
        )
    return complete
