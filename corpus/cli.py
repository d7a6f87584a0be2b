"""The ``normdocs`` command: crawl, build, serve, and the demo that runs everything on the mirror.

This is the one module where the crawler, the library and the mirror meet. Each command imports
what it runs inside its own function: Scrapy, Datasette and jieba take a second or more to import,
and ``normdocs --help`` or a bad sites file should not wait for them; the mirror is an extra
(``pip install -e '.[mirror]'``) that only the demo and ``normdocs mirror`` need.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import click

from corpus.store.lock import CrawlRunning
from corpus.store.schema import open_db
from crawler.sites import Site, SitesFileError, load_sites, select_sites


def _sites_or_exit(sites_file: str, site: str | None) -> list[Site]:
    """The chosen sites of a registry; a malformed file is one line naming the entry and field,
    and exit code 2, before anything slow is imported or fetched."""
    try:
        return select_sites(load_sites(sites_file), site)
    except SitesFileError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _as_of(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from exc


@click.group()
@click.version_option(package_name="normdocs")
def cli() -> None:
    """normdocs: an open library of Chinese provincial normative documents.

    \b
    Typical use:
      normdocs crawl --sites sites/jiangxi.yml --db normdocs.db
      normdocs build --db normdocs.db --as-of 2026-11-27
      normdocs serve --db normdocs.db
    or, on the bundled local mirror of the real sites:
      normdocs demo
    """


@cli.command()
@click.option(
    "--sites",
    "sites_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Sites registry (YAML).",
)
@click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="SQLite library to crawl into (created if missing).",
)
@click.option("--site", default=None, help="Crawl only the site with this name.")
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option("--verbose", is_flag=True, help="Show Scrapy's log (INFO) instead of warnings only.")
@click.option(
    "--redis",
    "redis_url",
    default=None,
    metavar="URL",
    help="Crawl distributed over workers through this Redis server (redis://… or unix://…).",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(0),
    help="With --redis: local worker processes to start (default 2; 0: only remote ones).",
)
@click.option(
    "--settings-module",
    default=None,
    metavar="MODULE",
    help="A settings module laid over crawler.settings (default: $NORMDOCS_SETTINGS_MODULE).",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="With --redis: a crawler setting for every worker of the run (repeatable).",
)
def crawl(
    sites_file: str,
    db_path: str,
    site: str | None,
    quiet: bool,
    verbose: bool,
    redis_url: str | None,
    workers: int | None,
    settings_module: str | None,
    overrides: tuple[str, ...],
) -> None:
    """Crawl the sites of a registry into the library.

    \b
    Example:
      normdocs crawl --sites sites/mirror.yml --db demo.db --site jx-nync
      normdocs crawl --sites sites/jiangxi.yml --db normdocs.db --redis redis://host:6379/0 --workers 4
    A malformed sites file is reported in one line naming the entry and field (exit code 2);
    a run that fetched fewer items than the sites report exits with code 1. A second crawl of
    the same library is refused while one runs (exit code 2); a killed crawl is resumed.
    With --redis the run is queued on that Redis server, crawled by N local worker processes
    (and any `normdocs worker` started elsewhere) and written by one `normdocs writer`
    (docs/distributed.md); the report and exit codes are the same.
    """
    _sites_or_exit(sites_file, site)
    if redis_url is None:
        if workers is not None or overrides:
            click.echo("error: --workers and --set need --redis", err=True)
            sys.exit(2)
    else:
        _crawl_distributed(
            sites_file,
            db_path,
            site,
            redis_url,
            2 if workers is None else workers,
            settings_module,
            overrides,
            quiet,
            verbose,
        )
        return
    from crawler.run import crawl as run_crawl  # noqa: PLC0415 - loaded by the command that runs it

    progress = None if quiet else _progress_printer()
    settings = None if verbose else {"LOG_LEVEL": "WARNING"}
    try:
        run_id = run_crawl(
            sites_file,
            db_path,
            site=site,
            settings=settings,
            progress=progress,
            settings_module=_settings_module(settings_module) if settings_module else None,
        )
    except CrawlRunning as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if not _report_run(db_path, run_id):
        sys.exit(1)


def _overrides(items: tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` settings given on the command line."""
    for item in items:
        if "=" not in item:
            click.echo(f"error: --set {item!r}: expected NAME=VALUE", err=True)
            sys.exit(2)
    return dict(item.split("=", 1) for item in items)


def _settings_module(given: str | None) -> str | None:
    """The settings overlay: the option, else ``$NORMDOCS_SETTINGS_MODULE``; checked importable."""
    import importlib  # noqa: PLC0415 - only the commands that take an overlay need it
    import os  # noqa: PLC0415 - likewise

    from crawler.command import SETTINGS_MODULE_ENV  # noqa: PLC0415 - likewise

    name = given or os.environ.get(SETTINGS_MODULE_ENV) or None
    if name:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            click.echo(f"error: settings module {name}: {exc}", err=True)
            sys.exit(2)
    return name


def _crawl_distributed(
    sites_file: str,
    db_path: str,
    site: str | None,
    redis_url: str,
    workers: int,
    settings_module: str | None,
    overrides: tuple[str, ...],
    quiet: bool,
    verbose: bool,
) -> None:
    """``normdocs crawl --redis``: the coordinator (crawler/distributed/coordinator.py)."""
    from redis.exceptions import RedisError  # noqa: PLC0415 - loaded by the command that runs it

    from crawler.distributed.coordinator import Coordinator, RunBusy, RunFailed  # noqa: PLC0415 - loaded by the command that runs it

    settings = _overrides(overrides)
    if not verbose:
        settings.setdefault("LOG_LEVEL", "WARNING")
    say = (lambda line: None) if quiet else (lambda line: click.echo(line, err=True))
    coordinator = Coordinator(
        sites_file,
        db_path,
        redis_url,
        workers=workers,
        site=site,
        settings_module=_settings_module(settings_module),
        overrides=settings,
        say=say,
    )
    try:
        run_id = coordinator.crawl()
    except (CrawlRunning, RunBusy, RedisError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except RunFailed as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if not _report_run(db_path, run_id):
        sys.exit(1)


@cli.command()
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The run's Redis server.")
@click.option(
    "--settings-module",
    default=None,
    metavar="MODULE",
    help="A settings module laid over crawler.settings (default: the run's, else "
    "$NORMDOCS_SETTINGS_MODULE).",
)
@click.option("--once", is_flag=True, help="Crawl one run, then exit.")
def worker(redis_url: str, settings_module: str | None, once: bool) -> None:
    """Join the distributed crawl queued on a Redis server (on any machine).

    \b
    Example:
      normdocs worker --redis redis://crawl-host:6379/0
    Needs no sites file and no library: it crawls whatever run is queued, with the run's
    settings, and waits for the next one. SIGTERM: it finishes the requests it holds, then exits.
    """
    from crawler.distributed.worker import main as run_worker  # noqa: PLC0415 - loaded by the command that runs it

    overlay = settings_module
    if overlay:
        overlay = _settings_module(overlay)
    sys.exit(run_worker(redis_url, overlay, once=once))


@cli.command()
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The run's Redis server.")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False))
@click.option("--once", is_flag=True, help="Write one run, then exit.")
def writer(redis_url: str, db_path: str, once: bool) -> None:
    """Write the items of the distributed crawl queued on a Redis server into the library.

    \b
    Example:
      normdocs writer --redis redis://crawl-host:6379/0 --db normdocs.db
    The only process that writes the library during a distributed crawl (one per library);
    killed, it is started again and stores what waited in Redis, nothing twice.
    """
    from crawler.distributed.writer import serve  # noqa: PLC0415 - loaded by the command that runs it

    sys.exit(serve(redis_url, db_path, once=once))


@cli.command()
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The run's Redis server.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(redis_url: str, as_json: bool) -> None:
    """The distributed crawl on a Redis server: queue, leases, workers, hosts, the writer.

    \b
    Example:
      normdocs status --redis redis://crawl-host:6379/0 --json
    """
    from redis import Redis  # noqa: PLC0415 - loaded by the command that runs it
    from redis.exceptions import RedisError  # noqa: PLC0415 - loaded by the command that runs it

    from crawler.distributed.status import lines, snapshot  # noqa: PLC0415 - loaded by the command that runs it

    try:
        found = snapshot(Redis.from_url(redis_url))
    except RedisError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=1))
    else:
        for line in lines(found):
            click.echo(line)


def _progress_printer():
    """A progress hook that keeps one status line on stderr: items saved of items reported."""
    columns: dict[str, tuple[int, int]] = {}
    last = [0.0]

    def show(stats) -> None:
        done = stats.new + stats.changed + stats.unchanged
        columns[stats.column_url] = (done, stats.reported or 0)
        now = time.monotonic()
        if now - last[0] < 0.2 and done != stats.reported:
            return
        last[0] = now
        saved = sum(d for d, _ in columns.values())
        reported = sum(r for _, r in columns.values())
        line = f"  saved {saved}/{reported} items from {len(columns)} columns · {stats.site} {stats.title}"
        click.echo(f"\r{line:<78}", nl=False, err=True)

    return show


def _report_run(db_path: str, run_id: int) -> bool:
    """Print the run's honest summary: reported vs fetched per column, errors, completeness."""

    db = open_db(db_path)
    run = db["crawl_runs"].get(run_id)
    click.echo("", err=True)
    for col in db.query("SELECT * FROM crawl_run_columns WHERE run_id = ?", [run_id]):
        flag = "ok " if col["complete"] else "INCOMPLETE"
        click.echo(
            f"{flag} {col['site']:<12} {col['kind']:<14} reported {col['reported']} "
            f"fetched {col['fetched']} known {col['known'] or 0} new {col['new']} "
            f"changed {col['changed']} "
            f"errors {col['errors']}  {col['column_url']}",
            err=True,
        )
    state = "complete" if run["complete"] else "INCOMPLETE: fewer fetched than the sites report"
    click.echo(
        f"run {run_id}: {state}; fetched {run['fetched']} of {run['reported']} reported, "
        f"{run['errors']} errors",
        err=True,
    )
    return bool(run["complete"])


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Decide validity as of this date (YYYY-MM-DD). Default: today.",
)
def build(db_path: str, as_of: str | None) -> None:
    """Decide validity, link interpretations, build the search index.

    \b
    Example:
      normdocs build --db demo.db --as-of 2026-11-27
    """
    from corpus.build import build as run_build  # noqa: PLC0415 - loaded by the command that runs it

    report = run_build(db_path, _as_of(as_of))
    for key, value in report.items():
        click.echo(f"{key}: {value}")


@cli.command()
@click.option("--sites", "sites_file", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Working library: crawled into, kept between refreshes (created if missing).",
)
@click.option(
    "--publish",
    "published",
    required=True,
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Published file: replaced atomically by the new build. Repeatable: one per serving "
    "replica, each replaced on its own.",
)
@click.option("--as-of", "as_of", default=None, help="Validity as-of date. Default: today.")
@click.option("--site", default=None, help="Refresh only the site with this name.")
@click.option(
    "--require-complete", is_flag=True, help="Publish nothing unless the crawl was complete."
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Crawler setting, e.g. --set NORMDOCS_RECHECK_DAYS=7 (repeatable).",
)
@click.option(
    "--redis",
    "redis_url",
    default=None,
    metavar="URL",
    help="Crawl distributed through this Redis server (as `normdocs crawl --redis`).",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(0),
    help="With --redis: local worker processes (0: only workers started elsewhere).",
)
def refresh(
    sites_file: str,
    db_path: str,
    published: tuple[str, ...],
    as_of: str | None,
    site: str | None,
    require_complete: bool,
    overrides: tuple[str, ...],
    redis_url: str | None,
    workers: int,
) -> None:
    """Crawl incrementally, build, and swap in the published library atomically (daily job).

    \b
    Example (cron, every night at 02:30):
      30 2 * * *  normdocs refresh --sites sites/jiangxi.yml --db /srv/normdocs/work.db \\
                  --publish /srv/normdocs/normdocs.db
    Several serving replicas: --publish /srv/a/normdocs.db --publish /mnt/b/normdocs.db
    Distributed crawl: --redis redis://crawl-host:6379/0 --workers 0 (the workers run elsewhere)
    Exit codes: 0 complete and published; 1 published but the crawl was incomplete (or, with
    --require-complete, not published); 2 nothing could be done (bad sites file, another crawl);
    3 one or more --publish targets could not be replaced (the others were; each one named).
    """
    from corpus.refresh import RefreshError  # noqa: PLC0415 - loaded by the command that runs it
    from corpus.refresh import refresh as run_refresh  # noqa: PLC0415 - loaded by the command that runs it

    _sites_or_exit(sites_file, site)
    settings = dict(item.split("=", 1) for item in overrides if "=" in item)
    try:
        report = run_refresh(
            sites_file, db_path, published, _as_of(as_of), site, require_complete, settings,
            redis_url, workers,
        )  # fmt: skip
    except RefreshError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    state = "complete" if report.complete else "INCOMPLETE (see crawl_run_columns)"
    click.echo(
        f"crawl run {report.run_id}: {state}; {report.requests} requests, "
        f"{report.stored} records new or changed",
        err=True,
    )
    for target in report.targets:
        click.echo(f"published {target} (as of {report.build.get('as_of')})", err=True)
    for target, why in report.failed.items():
        click.echo(f"error: not published to {target} (left as it was): {why}", err=True)
    if not report.targets and not report.failed:
        click.echo("not published: the crawl was incomplete (--require-complete)", err=True)
    if report.failed:
        sys.exit(3)
    if not report.complete:
        sys.exit(1)


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve(db_path: str, host: str, port: int) -> None:
    """Publish the library with Datasette (read-only, immutable).

    \b
    Example:
      normdocs serve --db demo.db --port 8001
    """
    from corpus.site.serve import serve as run_serve  # noqa: PLC0415 - loaded by the command that runs it

    run_serve(db_path, host=host, port=port)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--as-of", "as_of", default=None, help="Statuses as of this date. Default: the build's date."
)
@click.option(
    "--out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the results to OUT.xlsx, OUT.csv (for Excel) or OUT.json instead of a table.",
)
@click.option(
    "--site-url",
    default="",
    help="The published site's address, for links to document pages (default: paths only).",
)
def check(file: str, db_path: str, as_of: str | None, out: str | None, site_url: str) -> None:
    """Check a list of documents at once: titles, 文号 or both, one a line.

    FILE is text (one input a line; '-' reads standard input) or a CSV or XLSX whose first
    column holds the inputs (a header row is skipped). Every input gets a row: the matched
    document (or every candidate when several fit, or none), how it matched, its status as of
    the date and why. A file that cannot be read exits with code 2.

    \b
    Example:
      normdocs check list.xlsx --db normdocs.db --as-of 2027-01-01 --out checked.xlsx
    """
    import sqlite3  # noqa: PLC0415 - loaded by the command that runs it

    from corpus.check.files import FORMATS, BadFile, read_inputs, to_table, write  # noqa: PLC0415 - loaded by the command that runs it (openpyxl is slow to import)
    from corpus.check.match import Library  # noqa: PLC0415 - loaded by the command that runs it
    from corpus.check.match import check as run_check  # noqa: PLC0415 - loaded by the command that runs it
    from corpus.site.names import DB_NAME  # noqa: PLC0415 - loaded by the command that runs it

    fmt = Path(out).suffix.lower().lstrip(".") if out else None
    if out and fmt not in FORMATS:
        raise click.BadParameter("OUT must end in .xlsx, .csv or .json", param_hint="--out")
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        inputs = read_inputs(data, file)
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    except BadFile as exc:
        click.echo(f"error: {file}: {exc}", err=True)
        sys.exit(2)
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"documents", "validity_evidence"} <= tables:
            click.echo(f"error: {db_path} is not a normdocs library", err=True)
            sys.exit(2)
        built = conn.execute("SELECT value FROM build_info WHERE key = 'as_of'").fetchone()
        day = _as_of(as_of) if as_of else (date.fromisoformat(built[0]) if built else None)
        base = site_url.rstrip("/")
        rows = run_check(
            conn,
            inputs,
            day,
            library=Library.load(conn),
            link=lambda doc_id: f"{base}/{DB_NAME}/documents/{doc_id}",
        )
    except sqlite3.DatabaseError as exc:
        click.echo(f"error: {db_path}: {exc}", err=True)
        sys.exit(2)
    finally:
        conn.close()
    if out:
        Path(out).write_bytes(write(rows, fmt))
        matched = sum(1 for r in rows if r["match"] not in ("ambiguous", "unmatched"))
        when = day.isoformat() if day else "the build"
        click.echo(f"wrote {out}: {len(rows)} rows, {matched} matched, as of {when}", err=True)
    else:
        click.echo(to_table(rows))


@cli.group()
def sites() -> None:
    """The sites registry: check a sites file against the live sites."""


@sites.command("check")
@click.option(
    "--sites",
    "sites_file",
    default="sites/jiangxi.yml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Sites registry (YAML).",
)
@click.option("--site", default=None, help="Check only the site with this name.")
@click.option("--offline", is_flag=True, help="Only validate the file; fetch nothing.")
@click.option("--timeout", default=15.0, show_default=True, help="Seconds per request.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
def sites_check(
    sites_file: str, site: str | None, offline: bool, timeout: float, as_json: bool
) -> None:
    """Validate every entry, then fetch each column URL once and report what it shows.

    
    For each column: the family parameters discovered (webid/unitid, channel and form-field
    names, pager signature, gkmlpt sid …) and the total the site reports, or why it failed
    (network, HTTP status, robots.txt, anti-bot challenge, a page the parser cannot read).
    Exit code 0: every column answered; 1: some failed; 2: the file is malformed.
    
    Example:
      normdocs sites check --sites sites/jiangxi.yml
      normdocs sites check --sites sites/mirror.yml --site jx-gxt
    """
    chosen = _sites_or_exit(sites_file, site)
    columns = sum(len(s.columns) for s in chosen)
    unverified = sum(1 for s in chosen if not s.verified)
    click.echo(
        f"{sites_file}: {len(chosen)} sites, {columns} columns, valid "
        f"({unverified} sites marked unverified)",
        err=True,
    )
    if offline:
        return
    from crawler.check import as_json as reports_json  # noqa: PLC0415 - loaded by the command that runs it
    from crawler.check import check_sites  # noqa: PLC0415 - loaded by the command that runs it

    reports = check_sites(chosen, timeout=timeout)
    if as_json:
        click.echo(reports_json(reports))
    else:
        for report in reports:
            click.echo(report.line())
    failed = [r for r in reports if not r.ok]
    kinds = sorted({r.error_kind for r in failed})
    click.echo(
        f"{len(reports) - len(failed)} of {len(reports)} columns answered"
        + (f"; failures: {', '.join(kinds)}" if failed else ""),
        err=True,
    )
    if failed:
        sys.exit(1)


@cli.group()
def mirror() -> None:
    """The local mirror of the real sites (for development, tests and the demo)."""


@mirror.command("serve")
@click.option(
    "--base-port",
    default=8701,
    show_default=True,
    type=int,
    help="First port of the mirror; 0 takes free consecutive ports.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port-file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the base port here once every site listens.",
)
def mirror_serve(base_port: int, host: str, port_file: str | None) -> None:
    """Serve the mirror, one site per port from BASE_PORT.

    \b
    Example:
      normdocs mirror serve --base-port 8701
    """
    # The mirror (and aiohttp) is in the source checkout's `mirror` extra, not in the wheel:
    # imported only by the commands that need it.
    from mirror.server import run  # noqa: PLC0415 - mirror extra, only for this command

    try:
        run(base_port=base_port, host=host, port_file=port_file)
    except OSError as exc:  # a port taken (or, with --base-port 0, no free run of ports)
        raise click.ClickException(f"cannot serve on {host}: {exc}") from None


@mirror.command("sites")
@click.option("--base-port", default=8701, show_default=True, type=int)
def mirror_sites(base_port: int) -> None:
    """Print the mirror's sites registry for BASE_PORT.

    \b
    Example:
      normdocs mirror sites --base-port 8701 > mirror.yml
    """
    import mirror as mirror_pkg  # noqa: PLC0415 - mirror extra, only for this command

    click.echo(mirror_pkg.sites_yaml(base_port), nl=False)


@mirror.command("truth")
@click.option("--base-port", default=8701, show_default=True, type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def mirror_truth(base_port: int, out: str) -> None:
    """Write the mirror's ground truth (every page's fields, statuses, links) as JSON.

    \b
    Example:
      normdocs mirror truth --out truth.json
    """
    import mirror as mirror_pkg  # noqa: PLC0415 - mirror extra, only for this command

    Path(out).write_text(
        json.dumps(mirror_pkg.truth(base_port), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    click.echo(f"wrote {out}")


@cli.command()
@click.option(
    "--db", "db_path", default="data/demo.db", show_default=True, type=click.Path(dir_okay=False)
)
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.option(
    "--mirror-port",
    default=8701,
    show_default=True,
    type=int,
    help="First port of the mirror; 0 takes free consecutive ports.",
)
@click.option("--as-of", "as_of", default=None, help="Validity as-of date. Default: today.")
@click.option("--no-serve", is_flag=True, help="Stop after the build (for CI smoke runs).")
def demo(db_path: str, port: int, mirror_port: int, as_of: str | None, no_serve: bool) -> None:
    """Start the mirror, crawl it, build, and serve the library at http://127.0.0.1:PORT.

    \b
    Example:
      normdocs demo --port 8001
    """
    # The mirror and its harness are in the source checkout's `mirror` extra, not in the wheel.
    import mirror as mirror_pkg  # noqa: PLC0415 - mirror extra, only for the demo
    from mirror import harness  # noqa: PLC0415 - mirror extra, only for the demo

    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    click.echo("starting the mirror…", err=True)
    try:
        with harness.serve_mirror(base_port=mirror_port) as base:
            click.echo(f"the mirror serves on 127.0.0.1:{base} and the ports after it", err=True)
            with tempfile.TemporaryDirectory(prefix="normdocs-demo-") as tmp:
                sites_file = Path(tmp) / "mirror.yml"
                sites_file.write_text(mirror_pkg.sites_yaml(base), encoding="utf-8")
                click.echo("crawling the mirror…", err=True)
                # `normdocs crawl` (its progress line and report) with the mirror's loopback
                # settings overlay, which the harness's environment gives every crawl.
                code = subprocess.call(
                    [sys.executable, "-m", "corpus.cli", "crawl"]
                    + ["--sites", str(sites_file), "--db", db_path],
                    env=harness.crawl_env(),
                )
    except harness.ServerError as exc:
        raise click.ClickException(f"the mirror did not start: {exc}") from None
    if code != 0:
        raise click.ClickException(f"crawl failed with exit code {code}")
    click.echo("building…", err=True)
    from corpus.build import build as run_build  # noqa: PLC0415 - loaded by the command that runs it

    for key, value in run_build(db_path, _as_of(as_of)).items():
        click.echo(f"  {key}: {value}", err=True)
    if no_serve:
        return
    click.echo(f"serving at http://127.0.0.1:{port}/ (Ctrl-C to stop)", err=True)
    from corpus.site.serve import serve as run_serve  # noqa: PLC0415 - loaded by the command that runs it

    run_serve(db_path, host="127.0.0.1", port=port)


if __name__ == "__main__":
    cli()
