"""Connection floods (issue 23, item 1): the server under a lowered descriptor limit, in its own process.

The red team's flood: 20,200 idle TCP connections exhausted the descriptors, `/healthz` timed out and
asyncio logged 262,000 EMFILE tracebacks. Here the server runs with `ulimit -n 256` (so its cap is
128 connections) and a 2 s request deadline, and gets 600 idle connections.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, wait_until_up

SCRIPT = Path(__file__).parent / "flood" / "serve_limited.py"
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and sets RLIMIT_NOFILE")


@contextmanager
def limited_server(
    tmp_path: Path, nofile: int = 256, *extra: str, request_timeout_s: str = "2"
) -> Iterator[tuple[str, int, Path]]:
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "AGENT_RUNS_HTTP_REQUEST_TIMEOUT_S": request_timeout_s}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), str(port), str(nofile), *extra], env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc, lambda: log.read_text()[-2000:])
        yield url, proc.pid, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_idle(port: int, count: int, timeout_s: float = 2) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.settimeout(timeout_s)
        try:
            sock.connect(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sockets.append(sock)
    return sockets


def healthz_answers(url: str) -> str:
    """`ok`, `busy` (503), `refused` (closed or reset) or `timeout`: what a probe gets right now."""
    try:
        status = httpx.get(url + "/healthz", timeout=3).status_code
    except httpx.TimeoutException:
        return "timeout"
    except httpx.TransportError:
        return "refused"
    return "ok" if status == 200 else "busy" if status == 503 else str(status)


def test_an_idle_flood_is_refused_then_drains_and_the_log_stays_small(tmp_path: Path) -> None:
    with limited_server(tmp_path) as (url, pid, log):
        port = int(url.rsplit(":", 1)[1])
        before = rss_mb(pid)
        flood = open_idle(port, 600)
        try:
            during = healthz_answers(url)
            assert during in ("ok", "busy", "refused"), f"/healthz during the flood: {during}"
            fds = len(os.listdir(f"/proc/{pid}/fd"))
            assert fds < 256, f"the server holds {fds} descriptors at a limit of 256"
            time.sleep(3.5)  # past the 2 s request deadline: the idle connections are closed by the server
            assert healthz_answers(url) == "ok"
            closed = sum(1 for s in flood if _closed_by_peer(s))
            assert closed >= len(flood) - 5, f"only {closed} of {len(flood)} idle connections were closed"
        finally:
            for sock in flood:
                sock.close()
        assert healthz_answers(url) == "ok"
        grown = rss_mb(pid) - before
        assert grown < 30, f"RSS grew {grown:.0f} MB after the flood"
    text = log.read_text()
    assert len(text) < 5_000 and "Traceback" not in text, text[-2000:]
    assert text.count("refusing connections") <= 1


def _closed_by_peer(sock: socket.socket) -> bool:
    try:
        sock.settimeout(0.2)
        return sock.recv(4096) is not None  # b"" (closed) or the one-line 503 of a refused connection
    except TimeoutError:
        return False
    except OSError:
        return True


def test_slow_headers_and_a_slow_body_are_cut_off(tmp_path: Path) -> None:
    with limited_server(tmp_path) as (url, _pid, _log):
        port = int(url.rsplit(":", 1)[1])
        slow_headers = socket.create_connection(("127.0.0.1", port))
        slow_body = socket.create_connection(("127.0.0.1", port))
        slow_body.sendall(
            b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{"jsonrpc"'
        )
        started = time.monotonic()
        cut = {"headers": None, "body": None}
        for line in (b"GET /healthz HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"X-A: 1\r\n") * 4:
            try:
                slow_headers.sendall(line)  # slowloris: a header line every half second, never the end
            except OSError:
                cut["headers"] = time.monotonic() - started
                break
            time.sleep(0.5)
        for name, sock in (("headers", slow_headers), ("body", slow_body)):
            if cut[name] is None:
                sock.settimeout(5)
                with suppress(OSError):
                    sock.recv(4096)
                cut[name] = time.monotonic() - started
            sock.close()
        assert cut["headers"] is not None and cut["headers"] < 4.5, cut
        assert cut["body"] is not None and cut["body"] < 4.5, cut
        assert healthz_answers(url) == "ok"


def test_oversized_headers_are_refused(tmp_path: Path) -> None:
    with limited_server(tmp_path) as (url, _pid, _log):
        res = httpx.get(url + "/healthz", headers={"X-Big": "a" * 64 * 1024}, timeout=5)
        assert res.status_code in (400, 431)
        assert healthz_answers(url) == "ok"


def test_descriptor_exhaustion_is_logged_once_per_interval(tmp_path: Path) -> None:
    """The cap forced above what the descriptors allow: accept() hits EMFILE, the log says so once.

    The idle connections are held (a 60 s request deadline) so that exhaustion does not depend on how
    fast this machine connects: with the 2 s deadline a loaded machine, whose connects stall a second
    each time the 16-deep listen queue is full, never held 56 at once (CI failed so, 1 run in 3 here).
    Connections are opened until the line appears, then held 3 s more: asyncio retries accept() once a
    second and meets EMFILE again each time, and those must not be logged.
    """
    with limited_server(tmp_path, 64, "10000", request_timeout_s="60") as (url, _pid, log):
        port = int(url.rsplit(":", 1)[1])
        flood: list[socket.socket] = []
        started = time.monotonic()
        while "out of file descriptors" not in log.read_text() and time.monotonic() < started + 30:
            flood += open_idle(port, 8, timeout_s=0.5)
        seen_after = time.monotonic() - started
        time.sleep(3)  # accept() is retried and fails about three more times
        for sock in flood:
            sock.close()
        answers = _wait_for_ok(url, 10)  # the closed ones are read as closed and their descriptors freed
        assert answers[-1] == "ok", f"after the flood /healthz answered {answers}"
    text = log.read_text()
    assert "out of file descriptors" in text, f"{len(flood)} connections in {seen_after:.0f} s: {text[-2000:]}"
    assert text.count("out of file descriptors") == 1 and "Traceback" not in text, text[-3000:]
    assert len(text) < 5_000


def _wait_for_ok(url: str, seconds: float) -> list[str]:
    answers = [healthz_answers(url)]
    deadline = time.monotonic() + seconds
    while answers[-1] != "ok" and time.monotonic() < deadline:
        time.sleep(0.5)
        answers.append(healthz_answers(url))
    return answers
