"""Hold the mirror's answers after its N-th request, until released: a crawl paused on cue.

A test that must stop a crawl at a chosen moment (tests/test_kill.py kills one with SIGKILL)
arms a ``Hold`` on the mirror it serves in-process. The first N requests are answered as usual;
every later one waits. ``wait_held()`` returns once a request is waiting, that is when the crawl
is mid-flight with exactly N answers given; ``release()`` lets every waiting request (and every
later one) through. ``arm(n)`` starts over for the next crawl. Requests are counted over every
site and port of the mirror, robots.txt included.
"""

from __future__ import annotations

import asyncio
import threading


class Hold:
    """Every request after the ``after``-th waits until ``release()`` (thread-safe controls)."""

    def __init__(self, after: int) -> None:
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = []
        self.arm(after)

    def arm(self, after: int) -> None:
        """Count from zero again: answer the next ``after`` requests, hold the ones after."""
        if after < 0:
            raise ValueError(f"hold after {after} requests: the count cannot be negative")
        with self._lock:
            self.after = after
            self.seen = 0
            self.answered: list[str] = []  # path?query of the requests let through, in order
            self.held: list[str] = []  # path?query of the requests waiting
            self.released = False
            self._held_event = threading.Event()

    async def gate(self, key: str) -> None:
        """Called by the server before it answers a request: returns when it may answer."""
        with self._lock:
            self.seen += 1
            if self.released or self.seen <= self.after:
                self.answered.append(key)
                return
            loop = asyncio.get_running_loop()
            waiter = loop.create_future()
            self._waiters.append((loop, waiter))
            self.held.append(key)
            self._held_event.set()
        await waiter

    def wait_held(self, timeout: float = 60.0) -> bool:
        """Block until a request is held (False if none was within ``timeout`` seconds)."""
        return self._held_event.wait(timeout)

    def release(self) -> None:
        """Let every held request through, and every later one until the next ``arm``."""
        with self._lock:
            self.released = True
            waiters, self._waiters = self._waiters, []
        for loop, waiter in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_wake, waiter)


def _wake(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)
