"""Real material nobody here wrote, and our hand labels of it.

The pages and clauses themselves are not in the repository (they are other people's pages): they
are read from a folder beside the checkout when it is there — ``../shared/real-pages`` and
``../shared/real-clauses`` relative to the repository, or ``$NORMDOCS_REAL_MATERIAL`` (a folder
holding ``real-pages/`` and ``real-clauses/``). The labels (``pages_*.yml``, ``clauses_labels.yml``)
are ours: values a person read off each page or sentence, written without running our code.
Tests that need the material skip when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MATERIAL = Path(os.environ.get("NORMDOCS_REAL_MATERIAL") or ROOT.parent / "shared")
PAGES = MATERIAL / "real-pages"
CLAUSES = MATERIAL / "real-clauses" / "clauses.jsonl"


def have_pages() -> bool:
    return PAGES.is_dir()


def have_clauses() -> bool:
    return CLAUSES.is_file()


def page_labels() -> list[dict]:
    """Every labelled page, in file order of the label files."""
    out: list[dict] = []
    for path in sorted(HERE.glob("pages_*.yml")):
        out.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def clause_labels() -> dict[str, dict]:
    rows = yaml.safe_load((HERE / "clauses_labels.yml").read_text(encoding="utf-8"))
    return {row["id"]: row for row in rows}
