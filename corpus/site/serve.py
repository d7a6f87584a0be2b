"""Publishing the library with Datasette: read-only (immutable), Chinese, with the project's plugin.

The configuration lives in one place, used three ways: ``serve()`` runs the site, ``make_datasette()``
builds the same ``Datasette`` instance for tests, ``datasette_args()`` is the equivalent command
line for ``datasette`` itself. metadata.yml, the templates and the static files are resolved from
the installed package, not from the working directory.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from datasette.app import Datasette
from datasette.utils import parse_metadata

from corpus.counts import read as counts
from corpus.site.names import DB_NAME, STATIC_MOUNT
from corpus.site.table_search import publish

PACKAGE_DIR = Path(__file__).resolve().parent
METADATA_PATH = PACKAGE_DIR / "metadata.yml"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

SETTINGS: dict[str, bool | int] = {
    "suggest_facets": False,  # suggestions cost ~20x a plain page on big tables; facets are declared
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "allow_download": False,  # the whole file is published elsewhere, not through the web server
    "default_cache_ttl": 300,  # the data changes only when a new build is published
}


def checkpoint(db_path: str | Path) -> None:
    """Fold the WAL into the database file: an immutable reader never sees the WAL."""
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"no library at {path}")
    conn = sqlite3.connect(path)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    if busy:
        raise RuntimeError(
            f"{path} is still being written (WAL checkpoint blocked); try again later"
        )


def require_built(db_path: str | Path) -> None:
    """Refuse a library that was crawled but never built: its search would fail on every page."""
    conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        built = (
            "build_info" in tables
            and conn.execute("SELECT 1 FROM build_info WHERE key = 'as_of'").fetchone()
        )
    finally:
        conn.close()
    if not (built and "documents_fts" in tables):
        raise RuntimeError(
            f"{db_path} has not been built: run `normdocs build --db {db_path}` first"
        )


def load_metadata() -> dict:
    """The site's metadata (titles, descriptions, facets, search settings) from the package."""
    return parse_metadata(METADATA_PATH.read_text(encoding="utf-8"))


def datasette_args(db_path: str | Path) -> list[str]:
    """The ``datasette`` command line equivalent to ``serve()`` (append --host and --port).

    The command line names a database after its file, so this needs a file named
    ``normdocs.db``; ``serve()`` and ``make_datasette()`` publish any file under that name.
    """
    path = Path(db_path)
    if path.stem != DB_NAME:
        raise ValueError(
            f"datasette would publish {path.name} as /{path.stem}; metadata.yml describes "
            f"/{DB_NAME}: name the file {DB_NAME}.db or use corpus.site.serve.serve()"
        )
    args = ["serve", "-i", str(path), "-m", str(METADATA_PATH)]
    args += ["--template-dir", str(TEMPLATES_DIR), "--static", f"{STATIC_MOUNT}:{STATIC_DIR}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, _cli_value(value)]
    return args


def _cli_value(value: bool | int) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def make_datasette(db_path: str | Path, inspect_data: dict | None = None) -> Datasette:
    """A ``Datasette`` serving ``db_path`` immutable as ``/normdocs`` with the site's configuration.

    ``inspect_data`` is what ``datasette inspect`` wrote for the file (table counts), if any.
    """
    path = str(db_path)
    if inspect_data and len(inspect_data) == 1:
        # `datasette inspect` keys the file by its stem; it is published as DB_NAME.
        inspect_data = {DB_NAME: next(iter(inspect_data.values()))}
    inspect_data = inspect_data or counted_inspect(path)
    ds = Datasette(
        immutables=[path],
        inspect_data=inspect_data,
        metadata=load_metadata(),
        template_dir=str(TEMPLATES_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
        settings=dict(SETTINGS),
    )
    # Published as DB_NAME, by a Database that answers a windowed table search's row count
    # (corpus.site.table_search; the plugin's startup does the same for `datasette serve`).
    (name,) = [n for n, db in ds.databases.items() if db.path == path]
    publish(ds, name, as_name=DB_NAME)
    return ds


def counted_inspect(db_path: str | Path) -> dict | None:
    """What ``datasette inspect`` would say of the library's tables, from the build's counts
    (``corpus.counts``), or None when they do not hold for the file: every table view then
    shows its row count without counting a million rows (the hash is not computed: it would
    read the whole file)."""
    path = Path(db_path)
    # immutable, as it is served: a read-only open of a WAL file would leave a -wal beside it
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        if not counts.fresh(conn):
            return None
        counted = counts.totals(conn)
        # every table (Datasette lists a database's tables from these), None: not counted (the
        # full-text index, the build's own small tables), so Datasette counts when asked
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
    finally:
        conn.close()
    tables = {name: {"count": counted.get(name)} for name in sorted(names)}
    return {
        DB_NAME: {"hash": None, "size": path.stat().st_size, "file": path.name, "tables": tables}
    }


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Checkpoint the library's WAL, check it was built, then serve it read-only until stopped."""
    # Only serving needs the server and Datasette's command line (its every command, slow to
    # import); make_datasette's users (tests, corpus.site.asgi) need neither.
    import uvicorn  # noqa: PLC0415 - only serving needs it (see above)
    from datasette.cli import check_databases  # noqa: PLC0415 - only serving needs it

    checkpoint(db_path)
    require_built(db_path)
    ds = make_datasette(db_path)
    asyncio.run(_start(ds, check_databases))
    # The same uvicorn settings as `datasette serve` (which also hard-codes one worker).
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)


async def _start(ds: Datasette, check_databases) -> None:
    await ds.invoke_startup()
    await check_databases(ds)
