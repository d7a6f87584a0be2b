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


@pytest.fixture(autouse=True)
def _fast_lane_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """In the fast lane, starting a process or listening on a port is an error."""
    if not request.config.getoption("--fast"):
        yield
        return
    name = request.node.nodeid

    def no_process(*args, **kwargs):
        raise _Forbidden(f"{name} starts a subprocess: mark it @pytest.mark.integration")

    def no_listening(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise _Forbidden(f"{name} binds {address}: mark it @pytest.mark.integration")
        return _bind(self, address)

    monkeypatch.setattr(subprocess.Popen, "__init__", no_process)
    monkeypatch.setattr(socket.socket, "bind", no_listening)
    yield


_bind = socket.socket.bind
