"""Helpers shared by the benchmark scripts: a simulator in its own process, memory readings."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def process(args: list[str], ready_url: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Run `python -m agent_runs_mcp <args>` in its own process until the block ends; wait until
    ``ready_url`` answers 200 first."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_runs_mcp", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"`agent-runs-mcp {' '.join(args)}` did not start")
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextlib.contextmanager
def simulator_process(*extra: str) -> Iterator[str]:
    """`agent-runs-mcp simulate` in a separate process (so it does not share our GIL); yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with process(["simulate", "--port", str(port), *extra], url + "/_sim/health"):
        yield url


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def reset_peak() -> None:
    """Reset the kernel's peak-RSS mark (Linux: writing 5 to clear_refs)."""
    with contextlib.suppress(OSError), open(f"/proc/{os.getpid()}/clear_refs", "w") as refs:
        refs.write("5")


def peak_mb() -> float:
    return _status_kb("VmHWM") / 1024


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Debian's `redis-server` on a free loopback port, nothing persisted; yields its URL and process."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (`make test-redis` or `make test-scale` installs it)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        proc.kill()
        proc.wait()
