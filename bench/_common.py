"""Helpers shared by the benchmark scripts: a simulator in its own process, memory readings."""

from __future__ import annotations

import contextlib
import os
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
def simulator_process(*extra: str) -> Iterator[str]:
    """`agent-runs-mcp simulate` in a separate process (so it does not share our GIL); yields its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_runs_mcp", "simulate", "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/_sim/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("simulator did not start")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
