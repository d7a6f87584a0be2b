"""Per-column crawl counters: what the site reported against what we listed, fetched and stored.

A column whose fetched count falls short of what the site reported is incomplete, and says why:
the library never records a silent success.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ColumnStats:
    """Counters of one column in one crawl; also what the progress hook receives."""

    site: str
    column_url: str
    kind: str
    title: str = ""
    reported: int | None = None  # the site's own total (jpage totalRecord / <totalrecord>)
    listed: int = 0  # distinct items seen in the list
    fetched: int = 0  # detail pages fetched and parsed
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    # Incremental crawls (crawler/incremental.py): items accounted for without a new download
    # (known and unchanged, or answered 304), pages found gone, and how the list was walked.
    known: int = 0
    not_modified: int = 0
    removed: int = 0
    mode: str = "full"  # full | incremental
    full_walk: bool = False  # the whole list was walked without error (removals can be told)
    params: dict = field(default_factory=dict)  # what the spider discovered on the column page
    notes: list[str] = field(default_factory=list)  # why the list or the fetch fell short

    @property
    def stored(self) -> int:
        """Records written this run (new or changed)."""
        return self.new + self.changed

    @property
    def complete(self) -> bool:
        """Everything the site reported was fetched, or is known unchanged (never for an unknown
        total)."""
        return self.reported is not None and self.fetched + self.known >= self.reported

    def note(self) -> str:
        """Why the column is incomplete (or any other remark), in words."""
        notes = list(self.notes)
        if self.reported is None:
            notes.insert(0, "the site reported no total: completeness cannot be confirmed")
        elif self.fetched + self.known < self.reported:
            known = f" + {self.known} known unchanged" if self.known else ""
            notes.insert(
                0,
                f"INCOMPLETE: fetched {self.fetched}{known} of {self.reported} reported "
                f"(listed {self.listed}, errors {self.errors})",
            )
        elif self.listed > self.reported:
            notes.append(f"listed {self.listed}, more than the {self.reported} reported")
        return "; ".join(dict.fromkeys(notes))


ProgressHook = Callable[[ColumnStats], None]
