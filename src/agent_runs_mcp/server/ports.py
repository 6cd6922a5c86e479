"""Listening ports: bind first, announce after, and say what to do when the port is taken.

`simulate` and `serve --transport http` used to print their banner ("... on http://127.0.0.1:9101") and
only then let uvicorn fail with a traceback ending in `[Errno 98] address already in use`. Here the socket
is bound before anything is announced, a bind that fails becomes one sentence naming the port and a free
one to pick instead, and uvicorn is handed the bound socket (one process, or `--workers N` sharing it).
"""

from __future__ import annotations

import contextlib
import errno
import socket
from typing import Any

_SEARCH = 50
"""How many ports after a busy one are tried for a suggestion."""


class PortError(Exception):
    """The port cannot be listened on; the message says which and what to do."""


def _socket_for(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a port in TIME_WAIT is free
    try:
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _free_port_after(host: str, port: int) -> int | None:
    for candidate in range(port + 1, min(port + 1 + _SEARCH, 65536)):
        with contextlib.suppress(OSError):
            _socket_for(host, candidate).close()
            return candidate
    return None


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening, or :class:`PortError` saying why not."""
    if not 0 <= port <= 65535:
        raise PortError(f"--port {port} is not a TCP port: give 1-65535 (or 0 for any free port).")
    try:
        sock = _socket_for(host, port)
        sock.listen(2048)
    except socket.gaierror:
        raise PortError(f"--host {host} is not an address or a name that resolves here.") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            free = _free_port_after(host, port)
            pick = f"--port {free} (free right now)" if free else "--port 0 (any free port)"
            raise PortError(
                f"port {port} on {host} is already in use (another program is listening there). "
                f"Stop that program, or pick another port with {pick}."
            ) from None
        if exc.errno == errno.EACCES:
            raise PortError(
                f"port {port} on {host} needs privileges this user does not have (ports below 1024 usually do). "
                "Pick a port above 1023 with --port."
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise PortError(
                f"--host {host} is not an address of this machine. Use 127.0.0.1 (this machine only) "
                "or 0.0.0.0 (every interface)."
            ) from None
        raise PortError(f"cannot listen on {host}:{port}: {exc.strerror or exc}.") from None
    sock.set_inheritable(True)  # --workers N: the worker processes serve this socket
    return sock


def url(sock: socket.socket, host: str) -> str:
    """``http://host:port`` with the port actually bound (``--port 0`` picks one)."""
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run_uvicorn(sock: socket.socket, app: Any, *, workers: int = 1, **options: Any) -> None:
    """Serve ``app`` on the bound ``sock`` (``workers`` > 1: ``app`` is an import string or a picklable
    factory, which each worker process loads)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(app, workers=workers, **options)
    with contextlib.suppress(KeyboardInterrupt):
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
