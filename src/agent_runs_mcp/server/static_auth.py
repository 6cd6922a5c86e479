"""Static bearer tokens for the HTTP transport, saying plainly what is wrong.

With `AGENT_RUNS_HTTP_TOKEN` the server takes one of the operator's tokens and nothing else: there is
no OAuth here, so no protected-resource metadata names an authorization server. Hosts and bridges try
OAuth after any 401 all the same (`mcp-remote` asks for the metadata, then registers a client), so
every one of those requests gets the same message as the 401 itself: this server takes a bearer
token, and the one sent was missing or wrong.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence
from typing import Any

from pydantic import SecretStr

GUARDED = ("/mcp", "/sse", "/messages")
OAUTH_PATHS = (
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
    "/register",
    "/authorize",
    "/token",
)
REALM = "agent-runs-mcp"
HOW = (
    "This MCP server takes a static bearer token set by its operator (AGENT_RUNS_HTTP_TOKEN), not OAuth: "
    'send the header `Authorization: Bearer <token>` (mcp-remote: --header "Authorization:Bearer ${TOKEN}").'
)
MISSING = "No bearer token was sent. " + HOW
WRONG = "The bearer token sent was refused: it is not one of this server's tokens. " + HOW


class StaticBearerGuard:
    """ASGI middleware: MCP endpoints need one of ``tokens`` (compared in constant time)."""

    def __init__(self, app: Any, tokens: Sequence[SecretStr]) -> None:
        self.app = app
        self._tokens = [t.get_secret_value().encode() for t in tokens]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith(OAUTH_PATHS):
            # No OAuth here: discovery and registration get the token message, not a 404 a bridge misreads.
            await _answer(send, 404, "invalid_request", self._message(scope), challenge=False)
            return
        if path.startswith(GUARDED) and not self._accepted(scope):
            await _answer(send, 401, "invalid_token", self._message(scope), challenge=True)
            return
        await self.app(scope, receive, send)

    def _token(self, scope: dict[str, Any]) -> bytes | None:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.partition(b" ")
                return token.strip() if scheme.lower() == b"bearer" else b""
        return None

    def _accepted(self, scope: dict[str, Any]) -> bool:
        token = self._token(scope)
        if not token:
            return False
        matched = False
        for known in self._tokens:
            matched |= hmac.compare_digest(token, known)
        return matched

    def _message(self, scope: dict[str, Any]) -> str:
        return MISSING if not self._token(scope) else WRONG


async def _answer(send: Any, status: int, error: str, description: str, *, challenge: bool) -> None:
    body = json.dumps({"error": error, "error_description": description}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if challenge:  # RFC 6750 section 3: the scheme, the realm, the error and what it means
        quoted = description.replace('"', "'")  # a quoted-string: no double quotes inside
        value = f'Bearer realm="{REALM}", error="{error}", error_description="{quoted}"'
        headers.append((b"www-authenticate", value.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
