"""Connections under a flood: a cap, a deadline for each request to arrive, bounded headers, quiet logs.

uvicorn alone accepts connections until the process runs out of file descriptors, keeps one that
never sends a byte open forever (it has no header or body read timeout), and asyncio then logs every
failed ``accept``. A red-team flood of 20,200 idle connections made ``/healthz`` time out and wrote
116 MB of log in 40 s. Served through :func:`uvicorn_options`, the server instead:

* refuses a connection beyond ``AGENT_RUNS_HTTP_MAX_CONNECTIONS`` (default 1,000, and never more
  than the descriptors left after a reserve for provider sockets and files) with a one-line 503 and
  closes it at once, so its descriptor is freed;
* closes a connection whose next request (headers and body) has not fully arrived
  ``AGENT_RUNS_HTTP_REQUEST_TIMEOUT_S`` (default 30) after the connection opened or its previous
  answer was sent: idle floods and slowloris drain by themselves. (A request being answered is never
  cut: tool calls have their own time limit.) This is enforced in the HTTP protocol layer because an
  ASGI app never sees a request whose headers have not arrived;
* answers 431 and closes when a request line and headers pass 16 KB (h11's bound on an incomplete
  event applies too), and caps concurrent tasks with uvicorn's ``limit_concurrency`` (503 beyond);
* logs descriptor exhaustion (EMFILE/ENFILE on accept) and refused connections once per minute each,
  with a count of what was held back.

Behind HAProxy or an ingress, the proxy's own timeouts (``timeout http-request``, ``timeout client``)
do the same at the edge: see ``deploy/haproxy.cfg`` and ``deploy/k8s``.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import resource
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from agent_runs_mcp.server.throttled_log import Throttled

log = logging.getLogger("agent_runs_mcp.http_server")
FLOOD_LOG = Throttled(log, 60.0)
FD_RESERVE = 128
"""Descriptors kept free for provider connections, Redis, logs and the listening socket."""
MAX_HEADER_BYTES = 16 * 1024
TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"


def connection_cap(wanted: int) -> int:
    """``wanted``, lowered to what the descriptor limit leaves after :data:`FD_RESERVE` (at least 16)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - FD_RESERVE))


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a connection cap and a deadline for each request to arrive."""

    max_connections = 1000
    request_timeout_s = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refused = False
        self._head = b""
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.max_connections:
            self._refused = True
            self.transport = transport
            FLOOD_LOG.warning(
                "cap",
                "refusing connections: %d open, the cap is %d (AGENT_RUNS_HTTP_MAX_CONNECTIONS)",
                len(self.connections),
                self.max_connections,
            )
            transport.write(BUSY)
            transport.close()
            return
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._refused or self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # reading a request line and headers
            head = self._head + data
            end = head.find(b"\r\n\r\n")
            if end > MAX_HEADER_BYTES or (end == -1 and len(head) > MAX_HEADER_BYTES):
                self._head = b""
                self.transport.write(TOO_LARGE)
                self.transport.close()
                return
            self._head = b"" if end != -1 else head
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if not self._refused:
            super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets the same time to arrive

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        waiting = self.cycle is None or self.cycle.response_complete  # no request has fully started
        if waiting or self.cycle.more_body:  # or its body is still trickling in
            FLOOD_LOG.info(
                "slow",
                "closed a connection whose request had not arrived within %.0f s (AGENT_RUNS_HTTP_REQUEST_TIMEOUT_S)",
                self.request_timeout_s,
            )
            self.transport.close()


class QuietExhaustion(logging.Filter):
    """Descriptor exhaustion on accept, logged once per minute instead of once per attempt."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        exhausted = isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS)
        if not exhausted and "out of system resource" not in record.getMessage():
            return True
        FLOOD_LOG.warning(
            "emfile",
            "out of file descriptors accepting connections (%s); lower AGENT_RUNS_HTTP_MAX_CONNECTIONS "
            "or raise the descriptor limit (ulimit -n)",
            exc.strerror if isinstance(exc, OSError) else "accept",
        )
        return False  # the line above (at most once a minute) stands for this record and its traceback


def quiet_exhaustion_logs() -> None:
    """Install :class:`QuietExhaustion` on the loggers asyncio and uvicorn report accept errors on."""
    for name in ("asyncio", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, QuietExhaustion) for f in logger.filters):
            logger.addFilter(QuietExhaustion())


def uvicorn_options(max_connections: int, request_timeout_s: float) -> dict[str, Any]:
    """The uvicorn settings that apply the limits above (and set them on :class:`GuardedH11`)."""
    cap = connection_cap(max_connections)
    GuardedH11.max_connections = cap
    GuardedH11.request_timeout_s = request_timeout_s
    quiet_exhaustion_logs()
    return {
        "http": GuardedH11,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "limit_concurrency": cap + 64,  # tasks and connections; the cap above refuses connections first
        "timeout_keep_alive": 5,
        "backlog": min(2048, cap),
    }
