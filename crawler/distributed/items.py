"""What workers and the coordinator send the writer through the stream, besides the crawl's own
items (``CrawlError``, ``ListedEntries``, ``PageChecked``, ``PageRemoved``).

Counting happens at the writer, from durable rows, never on the workers' copies of a column's
state (docs/distributed.md, "What counts where").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.store.records import CrawlError, DocumentRecord, InterpretationRecord
from crawler.incremental import PageChecked
from crawler.stats import ColumnStats

# An attachment the library already holds with its text (``SharedIncremental.known_attachment``):
# not downloaded again; the writer puts the stored text back before the record is saved.
KNOWN_TEXT = "\x00normdocs: the text of this attachment is in the library\x00"


@dataclass
class StoredRecord:
    """A record, with what the server said of its page (its 200's validators, if any)."""

    record: DocumentRecord | InterpretationRecord
    answer: PageChecked | None = None


@dataclass
class PageOutcome:
    """A listed page accounted for without a download (``known``: stored, unchanged, not due)."""

    url: str
    outcome: str
    column_url: str


@dataclass
class ColumnListed:
    """The URLs a column's list answer gave that the walk had not seen before."""

    column_url: str
    urls: list[str]


@dataclass
class Tally:
    """What a detail page or attachment changed on its column (errors, removals, notes)."""

    column_url: str
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Fault:
    """A fault retried or repaired on the way (``crawler.errors.fault_seen``)."""

    error: CrawlError
    outcome: str


@dataclass
class Blocked:
    """A host found answering with an anti-bot challenge (``crawler.errors.host_blocked``)."""

    host: str
    site: str
    url: str
    status: int | None
    reason: str


@dataclass
class WorkerStats:
    """One spider's Scrapy stats in one worker, sent when it closes."""

    worker: str  # host:pid
    host: str
    pid: int
    spider: str
    stats: dict


@dataclass
class RunEnd:
    """The coordinator's last word: each column's walk, the pages re-checked late, the reason."""

    columns: list[ColumnStats]
    late: dict[str, list[str]]  # column URL → pages re-checked for it after every walk ended
    reason: str = "finished"
    reaped: int = 0  # leases that expired and went back to the queue (0: each ended by commit)
