"""The one harness for everything that runs servers and crawls on this machine: the tests, the
benches and ``normdocs demo``.

Servers:

* ``Server(command)``: a server process with its output in a log file; ``wait_until`` and
  ``wait_for_http`` wait for it (failing at once, with the log's tail, if it dies first);
  ``stop()`` (or leaving the ``with`` block) ends it.
* ``serve_mirror(*options)``: ``python -m mirror serve --base-port 0 --port-file F``; the mirror
  binds its own consecutive ports and writes their base to F; yields the base port.
* ``serve_reporting_port(command)``: a uvicorn-based server started with ``--port 0``; the port
  the system gave it is read from its "Uvicorn running on …" line. Yields the base URL.
* ``serve_on_socket(make_command)``: binds a socket here and hands it to the server by file
  descriptor (``uvicorn --fd N``). Yields the base URL.

None of them chooses a port that another process could take before the server binds it.

Crawls of the mirror (``python -m crawler.run``, one Twisted reactor per process):

* ``crawl_command(sites, db, settings)``: the command line, with the loopback overlay
  (``mirror.loopback``) so that the mirror is crawled without the delays real hosts get;
* ``run_crawl(sites, db, …)``: runs it, returns a ``CrawlResult``;
* ``crawl_env()``: the environment that gives the overlay to a command that crawls through
  ``crawler.run`` itself (``normdocs refresh``, ``normdocs crawl``).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from crawler import command as crawler_command
from crawler.command import SETTINGS_MODULE_ENV

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
OVERLAY = "mirror.loopback"  # the settings overlay for crawls of loopback servers
CRAWL_TIMEOUT = 300.0
T = TypeVar("T")


# ---------------------------------------------------------------- servers


def wait_for_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` gives any HTTP answer (a 404 counts: the server is up); fails at once
    if the process ``proc`` (the server) has ended."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return
        except OSError as exc:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode} before {url}") from exc
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer from {url} after {timeout:g}s") from None
            time.sleep(0.1)


class ServerError(RuntimeError):
    """A server process that died or did not come up; the message ends with its log's tail."""


class Server:
    """A server process; its stdout and stderr go to ``log`` (a temporary file by default,
    removed when the server is stopped).

    A context manager: leaving the block stops the process (SIGTERM, then SIGKILL).
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path = ROOT,
        pass_fds: Sequence[int] = (),
        log: str | Path | None = None,
    ) -> None:
        self._own_log = log is None
        if log is None:
            handle, name = tempfile.mkstemp(prefix="normdocs-server-", suffix=".log")
            os.close(handle)
            log = name
        self.log = Path(log)
        self.command = list(command)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=tuple(pass_fds),
            )

    def output(self) -> str:
        """What the process has written so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def failure(self, what: str) -> ServerError:
        tail = self.output()[-3000:]
        return ServerError(f"{what}: {' '.join(self.command)}\n--- its output:\n{tail}")

    def wait_until(self, found: Callable[[], T | None], timeout: float, what: str) -> T:
        """Poll ``found()`` until it returns something; fails if the process ends first."""
        deadline = time.monotonic() + timeout
        while True:
            value = found()
            if value is not None:
                return value
            if self.process.poll() is not None:
                raise self.failure(
                    f"the server exited with {self.process.returncode} before {what}"
                )
            if time.monotonic() > deadline:
                raise self.failure(f"no {what} after {timeout:g}s")
            time.sleep(0.05)

    def wait_for_http(self, url: str, timeout: float = 60.0) -> None:
        """Wait until ``url`` answers (any HTTP status)."""
        try:
            wait_for_http(url, timeout, self.process)
        except (RuntimeError, TimeoutError) as exc:
            raise self.failure(str(exc)) from None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, and SIGKILL if it has not ended within ``timeout`` seconds."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._own_log:
            self.log.unlink(missing_ok=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def mirror_command(*options: str, base_port: int = 0, port_file: str | Path) -> list[str]:
    """``python -m mirror serve`` on ``base_port`` (0: free ports), reporting to ``port_file``."""
    return [
        sys.executable,
        "-m",
        "mirror",
        "serve",
        "--base-port",
        str(base_port),
        "--port-file",
        str(port_file),
        *options,
    ]


@contextmanager
def serve_mirror(
    *options: str,
    base_port: int = 0,
    timeout: float = 60.0,
    log: str | Path | None = None,
    host: str = HOST,
) -> Iterator[int]:
    """Serve the mirror in a child process (``options``: more ``mirror serve`` arguments, e.g.
    ``--faults``, ``--scale``, ``--layout-changed``); yields the base port it holds. ``host``:
    where its first site answers (with ``--hosts K``: ``mirror.scale.host_of(0, K)``)."""
    with tempfile.TemporaryDirectory(prefix="normdocs-mirror-") as tmp:
        port_file = Path(tmp) / "base-port"
        command = mirror_command(*options, base_port=base_port, port_file=port_file)
        with Server(command, log=log) as server:
            base = server.wait_until(lambda: _read_port(port_file), timeout, "base port")
            server.wait_for_http(f"http://{host}:{base}/robots.txt", timeout)
            yield base


def _read_port(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


UVICORN_RUNNING = re.compile(r"Uvicorn running on (https?://[^\s]+:\d+)")


@contextmanager
def serve_reporting_port(
    command: Sequence[str],
    *,
    ready_path: str = "/",
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    pattern: re.Pattern[str] = UVICORN_RUNNING,
) -> Iterator[str]:
    """Run a server told to listen on port 0 (its ``command`` says so) and read the port it got
    from its output (``pattern``'s first group is the base URL); yields the base URL once
    ``ready_path`` answers."""
    with Server(command, env=env) as server:

        def announced() -> str | None:
            found = pattern.search(server.output())
            return found[1] if found else None

        base = server.wait_until(announced, timeout, "announced address")
        server.wait_for_http(base + ready_path, timeout)
        yield base


@contextmanager
def serve_on_socket(
    make_command: Callable[[int], Sequence[str]],
    *,
    ready_path: str = "/",
    env: Mapping[str, str] | None = None,
    host: str = HOST,
    timeout: float = 60.0,
) -> Iterator[str]:
    """Bind a TCP socket on a free port here and give it to the server: ``make_command(fd)`` is
    its command line, serving the inherited descriptor ``fd`` (``uvicorn --fd``); yields the
    base URL once ``ready_path`` answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        port = sock.getsockname()[1]
        fd = sock.fileno()
        server = Server(make_command(fd), env=env, pass_fds=(fd,))
    finally:
        sock.close()  # the child has its own copy; the port stays bound while it lives
    with server:
        base = f"http://{host}:{port}"
        server.wait_for_http(base + ready_path, timeout)
        yield base


# ---------------------------------------------------------------- crawls


@dataclass
class CrawlResult:
    """One ``python -m crawler.run`` subprocess: its library file, exit code, output, time."""

    db: Path
    returncode: int
    seconds: float
    stderr: str


def crawl_command(
    sites: str | Path,
    db: str | Path,
    settings: Mapping[str, object] | None = None,
    *extra: str,
    overlay: str | None = OVERLAY,
) -> list[str]:
    """The command line of a crawl of ``sites`` into ``db`` with the loopback ``overlay`` and
    ``settings`` (``-s NAME=VALUE`` each); ``extra`` are more ``crawler.run`` arguments."""
    command = crawler_command.crawl_command(sites, db, settings=settings, settings_module=overlay)
    return [*command, *extra]


def crawl_env(base: Mapping[str, str] | None = None, overlay: str = OVERLAY) -> dict[str, str]:
    """An environment in which every ``crawler.run`` crawl gets ``overlay`` (for commands that
    crawl through it: ``normdocs refresh``, ``normdocs crawl``)."""
    return {**(os.environ if base is None else base), SETTINGS_MODULE_ENV: overlay}


def run_crawl(
    sites: str | Path,
    db: str | Path,
    *extra: str,
    settings: Mapping[str, object] | None = None,
    timeout: float = CRAWL_TIMEOUT,
) -> CrawlResult:
    """Crawl ``sites`` into ``db`` in a subprocess (``crawl_command``) and wait for it."""
    started = time.monotonic()
    proc = subprocess.run(
        crawl_command(sites, db, settings, *extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CrawlResult(Path(db), proc.returncode, time.monotonic() - started, proc.stderr)
