"""Two lanes: ``make test`` runs everything; ``make test-fast`` (``pytest --fast``) runs what needs
no subprocess and no server, in well under a minute.

A test is in the slow lane when it is marked ``integration`` or uses a fixture that starts a
server or a crawl (``SLOW_FIXTURES``). In the fast lane the rest run with subprocesses and
listening sockets forbidden, so a test that quietly starts one fails there with a message saying
to mark it, instead of slowing the lane down or passing by luck.
"""

from __future__ import annotations

import socket
import subprocess

import pytest

# Fixtures that start the mirror, a crawl, a Datasette or another process.
SLOW_FIXTURES = frozenset(
    {
        "mirror_base_port",
        "mirror_sites_file",
        "mirror_crawl",
        "crawled_db",
        "served",  # tests/test_mirror.py: the mirror in a thread of this process
        "redis_module_url",  # a redis-server process (tests/conftest.py)
    }
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast",
        action="store_true",
        help="only tests that need no subprocess and no server (make test-fast)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: starts a subprocess or a server (slow lane only)"
    )


def is_slow(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("integration") is not None or bool(fixtures & SLOW_FIXTURES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--fast"):
        return
    slow = [item for item in items if is_slow(item)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not is_slow(item)]


class _Forbidden(RuntimeError):
    pass


_running = ["(collection)"]
_bind = socket.socket.bind
_popen_init = subprocess.Popen.__init__


def _guard() -> None:
    """Forbid starting processes and listening on TCP ports, for the whole fast session
    (fixtures of any scope included)."""

    def no_process(self, *args, **kwargs):
        raise _Forbidden(f"{_running[0]} starts a subprocess: mark it @pytest.mark.integration")

    def no_listening(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise _Forbidden(f"{_running[0]} binds {address}: mark it @pytest.mark.integration")
        return _bind(self, address)

    subprocess.Popen.__init__ = no_process
    socket.socket.bind = no_listening


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _running[0] = item.nodeid
    return (yield)


def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.getoption("--fast"):
        _guard()


def pytest_sessionfinish(session: pytest.Session) -> None:
    subprocess.Popen.__init__ = _popen_init
    socket.socket.bind = _bind
