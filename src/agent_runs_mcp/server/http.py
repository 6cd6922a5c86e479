"""The HTTP transport: streamable HTTP at ``/mcp``, SSE at ``/sse``, ``/healthz`` and ``/readyz``.

* Stateless streamable HTTP with JSON responses: any replica (or uvicorn worker)
  can answer any request, since refs and cursors carry their own context. A request
  that carries a ``progressToken`` is answered as an SSE stream instead, so its
  progress notifications reach the client (:mod:`.progress_routing`).
* Bearer auth through the SDK's token-verifier mechanism when
  ``AGENT_RUNS_HTTP_TOKEN`` is set (one or several comma-separated tokens,
  compared in constant time). Binding a non-loopback host without a token is
  refused unless ``--allow-unauthenticated`` says otherwise, loudly.
* Host and Origin checks stay on for every bind address (DNS rebinding).
* ``/healthz``, ``/readyz`` and ``/metrics`` (:mod:`.probes`): details only for a token
  when the server has auth, and a Host check where DNS rebinding could read them.
* Connection cap, a deadline for each request to arrive, bounded headers, quiet EMFILE logs
  (:mod:`.connections`).
* No access log unless ``--log-level debug`` (and then without query strings): a token
  sent as ``?access_token=`` never lands in a log.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

from agent_runs_mcp.config import Settings
from agent_runs_mcp.server.connections import uvicorn_options
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.server.host_check import HostCheck
from agent_runs_mcp.server.probes import add_probe_routes
from agent_runs_mcp.server.progress_routing import route_progress, streaming_manager

log = logging.getLogger("agent_runs_mcp.http_server")

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
MCP_PATH = "/mcp"
READY_CHECK_TTL_S = 60.0


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def security_settings(host: str, extra_hosts: Sequence[str]) -> Any:
    """Host/Origin allow-lists: loopback always, plus the bind host and any operator-given names."""
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    for name in (host, *extra_hosts):
        if not name or name in LOOPBACK_NAMES or name in ("0.0.0.0", "::"):
            continue
        if ":" in name and not name.startswith("["):  # "host:port" given
            hosts.append(name)
            base = name.rsplit(":", 1)[0]
        else:
            hosts += [name, f"{name}:*"]
            base = name
        origins += [f"http://{base}", f"https://{base}", f"http://{base}:*", f"https://{base}:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def create_http_app(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    extra_hosts: Sequence[str] = (),
    registry: Any = None,
) -> Any:
    """The ASGI app serving MCP over streamable HTTP and SSE, plus health endpoints."""
    from agent_runs_mcp.server.app import build_server

    options = oauth_options(settings)
    server = build_server(settings, registry, **options)
    security = security_settings(host, extra_hosts)
    add_probe_routes(server, settings, security.allowed_hosts, options.get("token_verifier"))
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        transport_security=security,
        host=host,
    )
    stream_manager = streaming_manager(server, security)
    route_progress(app, MCP_PATH, stream_manager)  # requests with a progressToken are answered as a stream
    sse = server.sse_app(sse_path="/sse", message_path="/messages/", transport_security=security, host=host)
    existing = {getattr(r, "path", None) for r in app.router.routes}
    app.router.routes.extend(r for r in sse.router.routes if getattr(r, "path", None) not in existing)
    session_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(scope_app: Any) -> AsyncIterator[None]:
        async with session_lifespan(scope_app), stream_manager.run():
            try:
                yield
            finally:
                await server.registry.aclose()  # after uvicorn has drained in-flight requests
                log.info("agent-runs-mcp stopped")

    app.router.lifespan_context = lifespan
    app.state.mcp_server = server
    outer: Any = app
    if settings.http_tokens and not settings.oauth:  # with OAuth, the SDK's auth takes static tokens too
        from agent_runs_mcp.server.static_auth import StaticBearerGuard

        outer = StaticBearerGuard(app, settings.http_tokens)
    outer = HostCheck(outer, security.allowed_hosts)  # an unlisted Host: 421 naming --allowed-host
    outer.state = app.state  # tests and the load bench read it
    outer.router = app.router
    return outer


def oauth_options(settings: Settings, transport: Any = None) -> dict[str, Any]:
    """The SDK's resource-server settings and our token verifier, when an issuer is configured."""
    if not settings.oauth:
        return {}
    from mcp.server.auth.settings import AuthSettings

    from agent_runs_mcp.server.oauth import TokenVerifier

    verifier = TokenVerifier(
        issuer=settings.oauth_issuer,
        public_url=settings.public_url,
        scope=settings.oauth_scope,
        static_tokens=settings.http_tokens,
        transport=transport,
    )
    auth = AuthSettings(
        issuer_url=settings.oauth_issuer,  # type: ignore[arg-type]
        resource_server_url=settings.public_url,  # type: ignore[arg-type]
        required_scopes=[settings.oauth_scope] if settings.oauth_scope else None,
        validate_token_resource=False,  # the verifier checks the audience itself (public URL or its /mcp)
    )
    return {"token_verifier": verifier, "auth": auth}


def check_bind(host: str, settings: Settings, allow_unauthenticated: bool) -> str | None:
    """Why the server must not start on ``host``, or ``None`` when it may."""
    if settings.http_tokens or settings.oauth or is_loopback(host):
        return None
    if allow_unauthenticated:
        log.warning(
            "SERVING WITHOUT AUTHENTICATION on %s: anyone who can reach this port can read your agent runs. "
            "Set AGENT_RUNS_HTTP_TOKEN instead of --allow-unauthenticated.",
            host,
        )
        return None
    return (
        f"refusing to serve on non-loopback host {host} without authentication. "
        "Set AGENT_RUNS_HTTP_TOKEN to one or more bearer tokens (comma-separated) that clients must send, "
        "or AGENT_RUNS_OAUTH_ISSUER and AGENT_RUNS_PUBLIC_URL for your organization's OAuth issuer, "
        "or bind 127.0.0.1. (--allow-unauthenticated overrides this; do not use it on a shared network.)"
    )


def app_factory() -> Any:
    """Entry point for uvicorn workers (``--workers N``): rebuilds the app from the environment."""
    from agent_runs_mcp.server.logs import configure_logging

    configure_logging(os.environ.get("AGENT_RUNS_LOG_LEVEL", "info"), os.environ.get("AGENT_RUNS_LOG_FORMAT", "text"))
    settings = load_settings()
    uvicorn_options(settings.http_max_connections, settings.http_request_timeout_s)  # this worker's limits
    return create_http_app(
        settings,
        host=os.environ.get("AGENT_RUNS_HTTP_HOST", "127.0.0.1"),
        port=int(os.environ.get("AGENT_RUNS_HTTP_PORT", "8765")),
        extra_hosts=[h for h in os.environ.get("AGENT_RUNS_HTTP_ALLOWED_HOSTS", "").split(",") if h],
    )


def serve_http(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int = 1,
    allow_unauthenticated: bool = False,
    extra_hosts: Sequence[str] = (),
    log_level: str = "info",
    log_format: str = "text",
) -> int:
    from agent_runs_mcp.server import ports

    problem = check_bind(host, settings, allow_unauthenticated)
    if problem:
        print(f"agent-runs-mcp: {problem}", file=sys.stderr)
        return 2
    try:  # bind first, announce after: a busy port is one sentence, not a traceback after the banner
        sock = ports.bind(host, port)
    except ports.PortError as exc:
        print(f"agent-runs-mcp: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    log.info(
        "MCP over streamable HTTP at %s%s (SSE at /sse, deprecated by the spec: docs/protocol.md)",
        ports.url(sock, host),
        MCP_PATH,
    )
    # uvicorn keeps our logging set-up (log_config=None) and drains in-flight calls for up to 20 s on SIGTERM.
    common = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "log_config": None,
        "timeout_graceful_shutdown": 20,
        "access_log": log_level == "debug",  # and then without query strings (server/logs.py)
        **uvicorn_options(settings.http_max_connections, settings.http_request_timeout_s),  # flood limits
    }
    if workers > 1:
        os.environ.update(
            {
                "AGENT_RUNS_HTTP_HOST": host,
                "AGENT_RUNS_HTTP_PORT": str(port),
                "AGENT_RUNS_HTTP_ALLOWED_HOSTS": ",".join(extra_hosts),
                "AGENT_RUNS_LOG_LEVEL": log_level,
                "AGENT_RUNS_LOG_FORMAT": log_format,
                **({"AGENT_RUNS_DEMO": "1"} if settings.demo else {}),
            }
        )
        ports.run_uvicorn(sock, "agent_runs_mcp.server.http:app_factory", factory=True, workers=workers, **common)
        return 0
    ports.run_uvicorn(sock, create_http_app(settings, host=host, port=port, extra_hosts=extra_hosts), **common)
    return 0
