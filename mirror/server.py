"""The aiohttp server: one application per site, each on its own port from the base port.

``run`` blocks (for the CLI); ``start_background`` serves from a daemon thread (for tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import Callable

from aiohttp import web

from . import conditional, gkmlpt, hanweb, jxnew, trs
from .faults import Faults
from .model import Reply, Site
from .world import World, world

FAMILIES: dict[str, Callable[..., Reply]] = {
    "hanweb": hanweb.handle,
    "jxnew": jxnew.handle,
    "trs": trs.handle,
    "gkmlpt": gkmlpt.handle,
}
HOST = "127.0.0.1"


def make_app(
    the_world: World, site: Site, base_port: int, faults: Faults | None = None
) -> web.Application:
    """The application serving ``site``: every path goes to its family's renderer.

    Article and column pages answer conditional GETs (``conditional.py``); ``faults`` switches on
    the faults of real hosts (``faults.py``).
    """
    family = FAMILIES[site.family]

    async def handle(request: web.Request) -> web.StreamResponse:
        form: dict[str, str] = {}
        if request.method == "POST":
            posted = await request.post()
            form = {k: v for k, v in posted.items() if isinstance(v, str)}

        def answer() -> Reply:
            reply = family(
                the_world, site, base_port, request.method, request.path, dict(request.query), form
            )
            return conditional.apply(
                the_world, site, request.method, request.path, request.headers, reply
            )

        if faults is not None:
            return await faults.respond(request, site, answer, _response)
        return _response(answer())

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def _response(reply: Reply) -> web.Response:
    """The aiohttp response for a family's ``Reply``."""
    if isinstance(reply.body, bytes):
        # A renderer may set Content-Type itself (a wrong or missing charset, on purpose: trs.py).
        own_type = "Content-Type" in reply.headers
        return web.Response(
            status=reply.status,
            body=reply.body,
            content_type=None if own_type else reply.content_type,
            headers=reply.headers,
        )
    return web.Response(
        status=reply.status,
        text=reply.body,
        content_type=reply.content_type,
        charset="utf-8",
        headers=reply.headers,
    )


async def start(
    base_port: int,
    host: str = HOST,
    faults: Faults | None = None,
    the_world: World | None = None,
    tenants: int = 1,
    layout_changed: tuple[str, ...] = (),
) -> list[web.AppRunner]:
    """Start every site; returns the runners (call ``cleanup()`` on each to stop).

    ``the_world`` replaces the default world (e.g. one with ``mirror.changes`` applied);
    ``tenants`` > 1 serves that many copies of it on the following ports (``mirror.scale``);
    the sites named in ``layout_changed`` serve a redesigned list layout that a crawler of the
    old one cannot read (a crawl of them must say so, loudly).
    """
    the_world = the_world or world()
    span = max(s.offset for s in the_world.sites) + 1  # ports one copy of the world takes
    runners = []
    for tenant in range(tenants):
        base = base_port + tenant * span
        for site in the_world.sites:
            if site.name in layout_changed:
                site = dataclasses.replace(site, layout_changed=True)
            app = make_app(the_world, site, base, faults)
            # A short shutdown: a ``timeout`` fault's answers would otherwise hold it for a minute.
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
            await runner.setup()
            await web.TCPSite(runner, host, base + site.offset).start()
            runners.append(runner)
    return runners


def run(
    base_port: int = 8701,
    host: str = HOST,
    faults: Faults | None = None,
    the_world: World | None = None,
    tenants: int = 1,
    layout_changed: tuple[str, ...] = (),
) -> None:
    """Serve every site until interrupted (blocking)."""

    async def main() -> None:
        runners = await start(base_port, host, faults, the_world, tenants, layout_changed)
        sites = (the_world or world()).sites
        names = ", ".join(f"{s.name}:{base_port + s.offset}" for s in sites)
        if tenants > 1:
            last = base_port + tenants * (max(s.offset for s in sites) + 1) - 1
            names += f" (and {tenants - 1} more copies of each, up to port {last})"
        print(f"mirror serving on {host}: {names}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            for runner in runners:
                await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


def start_background(
    base_port: int,
    host: str = HOST,
    faults: Faults | None = None,
    the_world: World | None = None,
    tenants: int = 1,
) -> Callable[[], None]:
    """Serve from a daemon thread; returns a function that stops the server."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    def target() -> None:
        asyncio.set_event_loop(loop)
        try:
            holder["runners"] = loop.run_until_complete(
                start(base_port, host, faults, the_world, tenants)
            )
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
