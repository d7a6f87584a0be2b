"""Every table, view and column a reader can see on the site is described in Chinese in metadata.

A new migration that adds a column without a description fails here, so the published site never
shows a bare snake_case name without saying what it holds.
"""

import pytest
import sqlite_utils
import yaml

from corpus.site.serve import load_metadata
from corpus.store.schema import ensure_db_shape

INTERNAL = ("sqlite_", "_fts")  # SQLite's own tables and the full-text index shadows


def _shape() -> dict[str, list[str]]:
    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    names = db.table_names() + db.view_names()
    return {
        name: list(db[name].columns_dict)
        for name in names
        if not name.startswith(INTERNAL[0]) and INTERNAL[1] not in name
    }


SHAPE = _shape()
TABLES = yaml.safe_load(yaml.safe_dump(load_metadata()))["databases"]["normdocs"]["tables"]


@pytest.mark.parametrize("table", sorted(SHAPE))
def test_every_table_is_described_or_hidden(table):
    meta = TABLES.get(table)
    assert meta, f"{table} has no entry in corpus/site/metadata.yml"
    if meta.get("hidden"):
        return
    assert meta.get("title") and meta.get("description"), f"{table}: title and description"
    described = meta.get("columns") or {}
    missing = [c for c in SHAPE[table] if c not in described]
    assert not missing, f"{table}: columns without a description: {missing}"
