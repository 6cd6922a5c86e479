"""``/healthz``, ``/readyz`` and ``/metrics``: what they say, and to whom.

* ``/healthz`` answers without touching a provider (liveness), to anyone.
* ``/readyz`` says whether accounts are configured and, with ``?check=providers``, whether each one
  answers (cached for a minute, so load balancers cannot hammer providers). When the server has
  bearer tokens or OAuth, a request without a valid token gets the status alone (the same HTTP code):
  account names, org handles, space tokens and agent counts are for the operator.
* ``/metrics`` (Prometheus) takes ``AGENT_RUNS_METRICS_TOKEN`` when it is set, else one of the
  server's own tokens when it has any, else is open (a loopback server without auth).

``/readyz?check=providers`` and ``/metrics`` also check the ``Host`` header, as the MCP endpoint does
(DNS rebinding: a page on ``evil.example`` resolving to 127.0.0.1 must not read them). A Host that is
an IP address is accepted too: a rebinding page can only send its own name, and Kubernetes probes
and Prometheus scrape a pod by its IP.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agent_runs_mcp import __version__
from agent_runs_mcp.config import Settings
from agent_runs_mcp.metrics import exposition
from agent_runs_mcp.server.host_check import refusal

READY_CHECK_TTL_S = 60.0


def host_allowed(host: str | None, allowed: list[str]) -> bool:
    """The SDK's Host rule (exact, or ``name:*`` for any port), plus any IP-address Host."""
    if not host:
        return False
    if host in allowed or any(a.endswith(":*") and host.startswith(a[:-2] + ":") for a in allowed):
        return True
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


class Gate:
    """Who may see details: the server's static tokens, the metrics token, or a valid OAuth token."""

    def __init__(self, settings: Settings, verifier: Any = None) -> None:
        self._tokens = [t.get_secret_value().encode() for t in settings.http_tokens]
        self._metrics = settings.metrics_token.get_secret_value().encode() if settings.metrics_token else b""
        self._verifier = verifier
        self.auth_configured = bool(self._tokens or verifier is not None)

    @staticmethod
    def bearer(request: Request) -> bytes:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return value.strip().encode() if scheme.lower() == "bearer" else b""

    async def server_token(self, request: Request) -> bool:
        sent = self.bearer(request)
        if not sent:
            return False
        if any(hmac.compare_digest(sent, t) for t in self._tokens):
            return True
        if self._metrics and hmac.compare_digest(sent, self._metrics):
            return True
        if self._verifier is not None:
            return await self._verifier.verify_token(sent.decode(errors="replace")) is not None
        return False

    async def metrics_allowed(self, request: Request) -> bool:
        if self._metrics:
            return hmac.compare_digest(self.bearer(request), self._metrics)
        return not self.auth_configured or await self.server_token(request)


def add_probe_routes(server: Any, settings: Settings, allowed_hosts: list[str], verifier: Any = None) -> None:
    """Register the three routes on ``server`` (a FastMCP-style server with ``custom_route``)."""
    gate = Gate(settings, verifier)
    checks: dict[str, Any] = {"at": 0.0, "results": {}}

    def wrong_host(request: Request) -> Response | None:
        if host_allowed(request.headers.get("host"), allowed_hosts):
            return None
        return JSONResponse({"error": "invalid_host", "message": refusal(request.headers.get("host"))}, 421)

    @server.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    @server.custom_route("/readyz", methods=["GET"])
    async def readyz(request: Request) -> Response:
        accounts = sorted(settings.accounts)
        body: dict[str, Any] = {"status": "ready" if accounts else "no_accounts", "accounts": accounts}
        body["demo"] = settings.demo
        ok = bool(accounts)
        if request.query_params.get("check") == "providers":
            if (refused := wrong_host(request)) is not None:
                return refused
            if accounts:
                if time.monotonic() - checks["at"] > READY_CHECK_TTL_S:
                    checks["results"] = await _check_providers(server.registry)
                    checks["at"] = time.monotonic()
                body["providers"] = checks["results"]
                ok = ok and all(r["ok"] for r in checks["results"].values())
                body["status"] = "ready" if ok else "degraded"
        if gate.auth_configured and not await gate.server_token(request):
            body = {"status": body["status"]}  # details (accounts, org handle, space token) need a token
        return JSONResponse(body, status_code=200 if ok else 503)

    @server.custom_route("/metrics", methods=["GET"])
    async def metrics(request: Request) -> Response:
        if (refused := wrong_host(request)) is not None:
            return refused
        if not await gate.metrics_allowed(request):
            return JSONResponse({"error": "unauthorized"}, 401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        body, content_type = exposition()
        return Response(body, media_type=content_type)


async def _check_providers(registry: Any) -> dict[str, dict[str, Any]]:
    """One cheap authenticated read per account, with what went wrong (never a secret)."""
    from agent_runs_mcp.errors import AgentRunsError
    from agent_runs_mcp.tools.capabilities import check

    results: dict[str, dict[str, Any]] = {}
    for name in registry.names:
        try:
            seen = await check(registry.get(name))
            results[name] = {"ok": True, "detail": seen}
        except AgentRunsError as exc:
            results[name] = {"ok": False, "detail": str(exc)}
    return results
