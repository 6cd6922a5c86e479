"""Progress over streamable HTTP: a request that asks for progress gets its answer as a stream.

The server answers streamable HTTP statelessly with one JSON body per request (any replica can serve
any request), and a JSON body has no room for the ``notifications/progress`` a long health report
sends. So a ``POST /mcp`` whose JSON-RPC request carries ``params._meta.progressToken`` (and whose
client accepts ``text/event-stream``, as the spec requires every client to) goes to a second,
equally stateless session manager that answers as SSE: the progress notifications, then the result,
on that request's own stream. Everything else keeps the single JSON body.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_PEEK_BYTES = 4 * 1024 * 1024
"""Bodies are read whole to be routed; larger ones go to the JSON manager, which refuses them."""


def wants_progress(body: bytes) -> bool:
    """Whether a JSON-RPC request (or any request of a batch) asks for progress notifications."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested 1,000 deep: the JSON path answers 400
        return False
    for item in message if isinstance(message, list) else [message]:
        params = item.get("params") if isinstance(item, dict) else None
        meta = params.get("_meta") if isinstance(params, dict) else None
        if isinstance(meta, dict) and meta.get("progressToken") is not None and "id" in item:
            return True
    return False


def accepts_sse(scope: Scope) -> bool:
    return any(name == b"accept" and b"text/event-stream" in value.lower() for name, value in scope.get("headers", []))


class ProgressRouting:
    """ASGI endpoint choosing, per POST, the JSON answer or the streamed one (module docstring)."""

    def __init__(self, json_app: ASGIApp, stream_app: ASGIApp) -> None:
        self.json_app = json_app
        self.stream_app = stream_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or not accepts_sse(scope):
            await self.json_app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more and size <= MAX_PEEK_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                await self.json_app(scope, _replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        target = self.stream_app if not more and wants_progress(body) else self.json_app
        await target(scope, _replay(chunks, None, receive, more), send)


def _replay(chunks: list[bytes], pending: Message | None, receive: Receive, more: bool = False) -> Receive:
    """A receive channel that gives back what was read, then carries on with the client's."""
    queue: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": more or index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    if pending is not None:
        queue.append(pending)

    async def replayed() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replayed


def streaming_manager(server: Any, security: Any) -> StreamableHTTPSessionManager:
    """The stateless manager that answers as SSE, over the same low-level server."""
    return StreamableHTTPSessionManager(
        app=server._lowlevel_server, json_response=False, stateless=True, security_settings=security
    )


def route_progress(app: Any, path: str, manager: StreamableHTTPSessionManager) -> None:
    """Put :class:`ProgressRouting` in front of the streamable HTTP endpoint at ``path``."""
    from mcp.server.auth.middleware.bearer_auth import RequireAuthMiddleware
    from starlette.routing import Route

    for index, route in enumerate(app.router.routes):
        if isinstance(route, Route) and route.path == path:
            guard = route.app if isinstance(route.app, RequireAuthMiddleware) else None
            inner = guard.app if guard is not None else route.app
            routed: ASGIApp = ProgressRouting(inner, StreamableHTTPASGIApp(manager))
            if guard is not None:  # OAuth: both answers stay behind the same check
                guard.app = routed
                routed = guard
            app.router.routes[index] = Route(path, endpoint=routed, methods=None)
            return
    raise RuntimeError(f"no streamable HTTP route at {path}")
