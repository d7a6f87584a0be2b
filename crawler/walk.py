"""The state of a crawl's list walks: what the spiders and the incremental policy both hold.

``ColumnCrawl`` is one column's list walk, ``Page`` a detail page listed by one column or more.
``crawler.spiders.base.FamilySpider`` makes them; ``crawler.incremental.Incremental`` reads and
updates them. They live here, below both, so that neither has to import the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.sites import Column, Site
from crawler.stats import ColumnStats


@dataclass
class ColumnCrawl:
    """The state of one column's list walk."""

    site: Site
    column: Column
    stats: ColumnStats
    params: Any = None  # what the family discovered on the column page (its own dataclass)
    seen: set[str] = field(default_factory=set)  # canonical URLs listed by this column
    stopped: str = ""  # why the list walk was stopped early (``stop_column``), "" while walking


@dataclass
class Page:
    """A detail page, possibly listed by several columns (credited to each of them)."""

    url: str
    columns: list[ColumnCrawl]
    state: str = "pending"  # pending | fetched | failed | known | removed
