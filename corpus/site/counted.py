"""Whether the site may show the counts the build precomputed (``corpus.counts``) for a library.

Asked once per database object of an immutable library (a new build is a new file and a new
process), every time of a mutable one.
"""

from __future__ import annotations

import weakref

from datasette.database import Database

from corpus.counts import read

_FRESH: weakref.WeakKeyDictionary[Database, bool] = weakref.WeakKeyDictionary()


async def fresh(db: Database) -> bool:
    """``corpus.counts.read.fresh`` of the library ``db`` serves."""
    if not db.is_mutable and db in _FRESH:
        return _FRESH[db]
    value = await db.execute_fn(read.fresh)
    if not db.is_mutable:
        _FRESH[db] = value
    return value
