"""The aiohttp server: one application per site, each on its own port from the base port.

``run`` blocks (for the CLI); ``start_background`` serves from a daemon thread (for tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from aiohttp import web

from . import hanweb
from .model import Reply, Site
from .world import World, world

FAMILIES: dict[str, Callable[..., Reply]] = {"hanweb": hanweb.handle}
HOST = "127.0.0.1"


def make_app(the_world: World, site: Site, base_port: int) -> web.Application:
    """The application serving ``site``: every path goes to its family's renderer."""
    family = FAMILIES[site.family]

    async def handle(request: web.Request) -> web.StreamResponse:
        form: dict[str, str] = {}
        if request.method == "POST":
            posted = await request.post()
            form = {k: v for k, v in posted.items() if isinstance(v, str)}
        reply = family(
            the_world, site, base_port, request.method, request.path, dict(request.query), form
        )
        if isinstance(reply.body, bytes):
            return web.Response(
                status=reply.status,
                body=reply.body,
                content_type=reply.content_type,
                headers=reply.headers,
            )
        return web.Response(
            status=reply.status,
            text=reply.body,
            content_type=reply.content_type,
            charset="utf-8",
            headers=reply.headers,
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


async def start(base_port: int, host: str = HOST) -> list[web.AppRunner]:
    """Start every site; returns the runners (call ``cleanup()`` on each to stop)."""
    the_world = world()
    runners = []
    for site in the_world.sites:
        runner = web.AppRunner(make_app(the_world, site, base_port), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, base_port + site.offset).start()
        runners.append(runner)
    return runners


def run(base_port: int = 8701, host: str = HOST) -> None:
    """Serve every site until interrupted (blocking)."""

    async def main() -> None:
        runners = await start(base_port, host)
        names = ", ".join(f"{s.name}:{base_port + s.offset}" for s in world().sites)
        print(f"mirror serving on {host}: {names}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            for runner in runners:
                await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


def start_background(base_port: int, host: str = HOST) -> Callable[[], None]:
    """Serve from a daemon thread; returns a function that stops the server."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    def target() -> None:
        asyncio.set_event_loop(loop)
        try:
            holder["runners"] = loop.run_until_complete(start(base_port, host))
        except OSError as exc:  # a port in use
            holder["error"] = exc
            return
        finally:
            ready.set()
        loop.run_forever()

    thread = threading.Thread(target=target, daemon=True, name=f"mirror-{base_port}")
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("mirror did not start within 30 s")
    if "error" in holder:
        raise holder["error"]

    def stop() -> None:
        async def cleanup() -> None:
            for runner in holder["runners"]:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    return stop
