"""Request guards: a body-size and JSON-depth limit (ASGI middleware), a time budget per request,
and the same-origin header check."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

APP_HEADER = "x-airshield"
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_too_deep(body: bytes, max_depth: int) -> bool:
    """True if a JSON text nests arrays/objects deeper than ``max_depth`` (linear; strings are
    skipped; stops at the first level over the limit). Python's ``json`` would raise
    ``RecursionError`` on such a body; it is refused with 400 before it is parsed."""
    depth = 0
    for m in _BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if m.group() in b"[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


async def _reject(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413: at once by Content-Length, or while
    reading a body that has none (chunked), which is then buffered (it is small) and replayed."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_json_depth: int = 64) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    n = int(v)
                except ValueError:
                    await _reject(send, 400, "invalid Content-Length")
                    return
                if n > self.max_bytes:
                    await _reject(
                        send, 413, f"request body over the limit of {self.max_bytes} bytes"
                    )
                    return
        # read the body here, up to the limit (also without a Content-Length), check it, replay it
        chunks: list[bytes] = []
        received = 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            body = msg.get("body", b"")
            received += len(body)
            if received > self.max_bytes:
                await _reject(send, 413, f"request body over the limit of {self.max_bytes} bytes")
                return
            chunks.append(body)
            if not msg.get("more_body", False):
                break
        whole = b"".join(chunks)
        if whole[:1] in (b"[", b"{") or any(
            k == b"content-type" and b"json" in v for k, v in scope.get("headers", [])
        ):
            if json_too_deep(whole, self.max_json_depth):
                await _reject(send, 400, f"JSON nested deeper than {self.max_json_depth} levels")
                return
        chunks = [whole]
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class TimeBudgetMiddleware:
    """Answer 503 when a request takes longer than ``budget_s`` and cancel its handler (an async
    handler stops at its next await; work in a thread is bounded by the input limits, and runs
    have their own budget in :class:`~airshield.web.runner.Runner`). Streaming responses are
    not affected once they have started."""

    def __init__(self, app: ASGIApp, budget_s: float) -> None:
        self.app = app
        self.budget_s = budget_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await asyncio.wait_for(self.app(scope, receive, tracked), timeout=self.budget_s)
        except TimeoutError:
            if not started:
                await _reject(send, 503, f"request over its time budget of {self.budget_s:g} s")
