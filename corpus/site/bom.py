"""CSV that Excel opens correctly: a UTF-8 byte-order mark behind an explicit ``_bom=1``.

Chinese Excel reads a CSV file without a BOM as GBK and shows mojibake; Datasette's CSV has no BOM
and no option for one. This ASGI middleware prepends ``EF BB BF`` to the first body chunk of a
CSV response when the URL asks for it, so it works the same for one page and for
``_stream=on`` (all rows, many chunks). Every other response passes through untouched, and
Datasette never sees the ``_bom`` argument.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

BOM = b"\xef\xbb\xbf"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]  # fmt: skip


def wants_bom(scope: Scope) -> tuple[bool, bytes]:
    """Whether this request asks for a BOM CSV, and its query string without ``_bom``.

    The other arguments are kept byte for byte (no decoding and re-encoding of Chinese values).
    """
    query: bytes = scope.get("query_string", b"")
    parts = [p for p in query.split(b"&") if p]
    keys = [p.split(b"=", 1) for p in parts]
    bom = any(k[0] == b"_bom" and k[-1] in (b"1", b"on", b"true") for k in keys)
    is_csv = scope.get("path", "").endswith(".csv") or [b"_format", b"csv"] in keys
    if not (bom and is_csv):
        return False, query
    return True, b"&".join(p for p, k in zip(parts, keys, strict=True) if k[0] != b"_bom")


def bom_csv(app: ASGIApp) -> ASGIApp:
    """Wrap ``app`` so ``*.csv?_bom=1`` responses start with a UTF-8 byte-order mark."""

    async def wrapped(scope: Scope, receive, send) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        bom, query_string = wants_bom(scope)
        if not bom:
            await app(scope, receive, send)
            return
        state = {"ok": False, "sent": False}

        async def send_with_bom(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["ok"] = message.get("status") == 200
                if state["ok"]:
                    message = dict(message)
                    message["headers"] = _grow_content_length(message.get("headers", []))
            elif message["type"] == "http.response.body" and state["ok"] and not state["sent"]:
                state["sent"] = True
                message = dict(message)
                message["body"] = BOM + message.get("body", b"")
            await send(message)

        await app({**scope, "query_string": query_string}, receive, send_with_bom)

    return wrapped


def _grow_content_length(headers: list) -> list:
    """The headers with ``content-length`` (if any) three bytes longer, for the BOM."""
    out = []
    for name, value in headers:
        if name.lower() == b"content-length":
            value = str(int(value) + len(BOM)).encode("latin-1")
        out.append((name, value))
    return out
