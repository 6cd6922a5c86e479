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
import functools
import ipaddress
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

from agent_runs_mcp.config import Settings
from agent_runs_mcp.server.connections import uvicorn_options
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
    host: str | None = None,
    port: int | None = None,
    extra_hosts: Sequence[str] | None = None,
    registry: Any = None,
) -> Any:
    """The ASGI app serving MCP over streamable HTTP and SSE, plus health endpoints.

    ``host`` and ``extra_hosts`` default to the settings' (the bind host and ``--allowed-host``s); ``port``
    is accepted for callers that name it and not used (the Host check accepts any port of a listed name).
    """
    from agent_runs_mcp.server.app import build_server

    host = settings.host if host is None else host
    extra_hosts = settings.allowed_hosts if extra_hosts is None else extra_hosts

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


def worker_app(settings: Settings) -> Any:
    """The app of one uvicorn worker process (``--workers N``), built from the settings the server parsed.

    uvicorn starts its workers with multiprocessing's *spawn* and hands each a pickled copy of its
    ``Config``, whose ``app`` here is ``functools.partial(worker_app, settings)`` with ``factory=True``:
    the settings read once at start-up travel inside that ``Config``, so workers read no variable and
    the server writes none into ``os.environ`` (as it once did). A worker sets up its own logging,
    tracing and connection limits, which do not cross processes.
    """
    from agent_runs_mcp.server.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    if settings.otlp_endpoint:
        from agent_runs_mcp.server.tracing import setup_tracing

        setup_tracing(settings)
    uvicorn_options(settings.http_max_connections, settings.http_request_timeout_s)  # this worker's limits
    return create_http_app(settings)


def serve_http(settings: Settings) -> int:
    """Serve ``settings`` over HTTP: bind ``settings.host:port``, then run one uvicorn process or ``workers``."""
    from agent_runs_mcp.server import ports

    host = settings.host
    problem = check_bind(host, settings, settings.allow_unauthenticated)
    if problem:
        print(f"agent-runs-mcp: {problem}", file=sys.stderr)
        return 2
    try:  # bind first, announce after: a busy port is one sentence, not a traceback after the banner
        sock = ports.bind(host, settings.port)
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
        "log_level": settings.log_level,
        "log_config": None,
        "timeout_graceful_shutdown": 20,
        "access_log": settings.log_level == "debug",  # and then without query strings (server/logs.py)
        **uvicorn_options(settings.http_max_connections, settings.http_request_timeout_s),  # flood limits
    }
    if settings.workers > 1:
        factory = functools.partial(worker_app, settings.model_copy(update={"port": port}))
        ports.run_uvicorn(sock, factory, factory=True, workers=settings.workers, **common)
        return 0
    ports.run_uvicorn(sock, create_http_app(settings), **common)
    return 0
