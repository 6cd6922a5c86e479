"""A request with a Host this server was not told about: 421, saying how to allow it.

The SDK refuses such a request with `421 Invalid Host header` and logs `Invalid Host header: <host>`,
which leaves an operator who just put the server behind a public name guessing. The check here runs
first on the MCP endpoints with the same rule and the same allow-list (the SDK's check stays behind
it), and its answer and its one log line name the option and the variable that allow the name. The
probes (``/healthz``, ``/readyz``, ``/metrics``) keep their own rule (IP addresses allowed) and use
:func:`refusal` for their message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from agent_runs_mcp.server.throttled_log import Throttled

log = logging.getLogger("agent_runs_mcp.http_server")
REFUSED = Throttled(log, 60.0)
"""One 421 line a minute (with a count of the others): a flood of bad Hosts cannot fill the log."""

MCP_PATHS = ("/mcp", "/sse", "/messages")
_SHOWN = 100
"""At most this many characters of a refused Host are repeated in the answer and the log."""


def sdk_rule(host: str | None, allowed: Sequence[str]) -> bool:
    """The SDK's Host rule: exact, or ``name:*`` for ``name`` with any port."""
    if not host:
        return False
    return host in allowed or any(a.endswith(":*") and host.startswith(a[:-2] + ":") for a in allowed)


def refusal(host: str | None) -> str:
    """What a refused Host is told (and the log says): which name, and how to allow it."""
    if not host:
        return "The request has no Host header; send the name the server is reached by."
    shown = "".join(c for c in host[:_SHOWN] if c.isprintable())
    name = shown.rsplit(":", 1)[0] if shown.count(":") == 1 else shown
    return (
        f"Host {shown!r} is not one this server was told it is reached by (DNS rebinding protection). "
        f"If clients reach it by that name, start it with --allowed-host {name} "
        f"(or AGENT_RUNS_HTTP_ALLOWED_HOSTS={name}; comma-separated for several)."
    )


class HostCheck:
    """ASGI middleware: refuse an unlisted Host on the MCP endpoints with :func:`refusal` (421)."""

    def __init__(self, app: Any, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.allowed = list(allowed_hosts)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(MCP_PATHS):
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(b"host")
        host = raw.decode("latin-1") if raw is not None else None
        if sdk_rule(host, self.allowed):
            await self.app(scope, receive, send)
            return
        message = refusal(host)
        REFUSED.warning("421", "421 for %s %s: %s", scope["method"], scope["path"][:_SHOWN], message)
        body = message.encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 421, "headers": headers})
        await send({"type": "http.response.body", "body": body})
