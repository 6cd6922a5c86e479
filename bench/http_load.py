"""Load on the HTTP transport: N concurrent MCP sessions against one local server in demo mode.

    .venv/bin/python bench/http_load.py [sessions] [rounds] [workers]

Starts `agent-runs-mcp serve --transport http --demo` in its own process (with a bearer token), then
runs N sessions at once; each session initializes and makes `rounds` passes of the usual tool chain
(list_agents -> list_agent_executions -> get_run_tasks -> get_call_transcript -> summarize_run_health).
Prints throughput, p50/p99 latency per tool and the error count.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import free_port, process

TOKEN = "bench-token"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (uvicorn workers), from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            pids += [int(p) for p in children.read().split()]
    except OSError:
        pass
    for one in pids:
        try:
            with open(f"/proc/{one}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue
    return total


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.0f} ms"


async def session(url: str, rounds: int, latencies: dict[str, list[float]], errors: list[str]) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:

        async def call(name: str, **args: Any) -> Any:
            started = time.perf_counter()
            try:
                res = await client.call_tool(name, args)
            except Exception as exc:  # the benchmark counts every failure kind
                errors.append(f"{name}: {type(exc).__name__}")
                return None
            latencies[name].append(time.perf_counter() - started)
            if res.is_error:
                errors.append(f"{name}: {res.content[0].text[:80]}")
                return None
            return res.structured_content

        for _ in range(rounds):
            agents = await call("list_agents", provider="unpod")
            if not agents:
                continue
            args = {"provider": "unpod", "agent": agents["agents"][0]["id"], "limit": 5, "detail": "full"}
            runs = await call("list_agent_executions", **args)
            if not runs:
                continue
            ref = next(r["ref"] for r in runs["executions"] if r["status"] == "completed")
            tasks = await call("get_run_tasks", ref=ref, status="completed", limit=5, detail="full")
            if tasks and tasks["tasks"]:
                await call("get_call_transcript", ref=tasks["tasks"][0]["ref"])
            await call("summarize_run_health", ref=ref)


async def run(url: str, sessions: int, rounds: int) -> tuple[dict[str, list[float]], list[str], float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(sessions):
            group.start_soon(session, url, rounds, latencies, errors)
    return latencies, errors, time.perf_counter() - started


def main() -> None:
    sessions = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AGENT_RUNS_HTTP_TOKEN": TOKEN}
    args = ["serve", "--transport", "http", "--demo", "--port", str(port), "--workers", str(workers)]
    with process([*args, "--log-level", "warning"], base + "/healthz", env) as server:
        anyio.run(run, base + "/mcp", 2, 1)  # warm-up: the simulator builds its world, caches fill
        server_cpu = _cpu_seconds(server.pid)
        client_cpu = time.process_time()
        latencies, errors, elapsed = anyio.run(run, base + "/mcp", sessions, rounds)
        server_cpu = _cpu_seconds(server.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
    calls = sum(len(v) for v in latencies.values())
    print(
        f"{sessions} concurrent sessions x {rounds} rounds, {workers} worker(s): {calls} tool calls in {elapsed:.1f}s"
    )
    print(f"  throughput {calls / elapsed:.0f} calls/s, errors {len(errors)}")
    print(
        f"  CPU per call: server {server_cpu / calls * 1000:.1f} ms (all its processes), "
        f"load generator {client_cpu / calls * 1000:.1f} ms (both on the same 2 cores)"
    )
    every = [x for values in latencies.values() for x in values]
    print(f"  {'all calls':22s} p50 {ms(statistics.median(every))}   p99 {ms(percentile(every, 0.99))}")
    for name, values in latencies.items():
        p50, p99 = ms(statistics.median(values)), ms(percentile(values, 0.99))
        print(f"  {name:22s} p50 {p50}   p99 {p99}   (n={len(values)})")
    if errors:
        print("  first errors:", errors[:5])


if __name__ == "__main__":
    main()
