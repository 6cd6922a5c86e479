"""Soak: N MCP sessions over HTTP for a set time against the simulator with a provider fault rate.

    .venv/bin/python bench/soak.py [--sessions 20] [--minutes 2] [--fault-rate 0.2] [--cache off]

Starts the simulator (`agent-runs-mcp simulate`) with fault rules that hit `--fault-rate` of all
provider requests (500, 503, 429, cut-off and empty 200 bodies, a 1 s stall, in equal shares), and
`agent-runs-mcp serve --transport http` pointed at it with real (non-demo) accounts, each in its own
process (the response cache off by default, so every call reads the faulty provider). Then N
sessions loop over the usual chain on every provider (list_agents -> list_agent_executions ->
get_run_tasks -> get_call_transcript -> summarize_run_health) until the time is up.

Every minute it prints the calls answered, errors, p50/p99 of that minute, and the server's RSS and
open file descriptors; at the end, totals, errors by kind, p50/p99 overall, the RSS slope after
warm-up (MB per 10 minutes, least squares), the plateau and the size of the server's log.
It stops by itself: the loop ends at the deadline and every call has a timeout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import free_port

TOKEN = "soak-token"
FAULT_KINDS = ("500", "503", "429", "truncated_json", "empty_body", "slow")


def fault_rules(rate: float) -> list[dict[str, Any]]:
    """Rules hitting ``rate`` of all requests in total: each kind gets r with 1 - (1 - r)^k = rate."""
    if rate <= 0:
        return []
    each = 1 - (1 - rate) ** (1 / len(FAULT_KINDS))
    rules: list[dict[str, Any]] = []
    for kind in FAULT_KINDS:
        rule: dict[str, Any] = {"match": "/", "fault": kind, "rate": round(each, 5)}
        if kind == "429":
            rule["retry_after"] = "1"
        if kind == "slow":
            rule["delay_s"] = 1.0
        rules.append(rule)
    return rules


@dataclass
class Tally:
    """What the sessions saw; the minute's latencies are moved to ``all_latencies`` at each report."""

    calls: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    minute: list[float] = field(default_factory=list)
    all_latencies: list[float] = field(default_factory=list)


def error_kind(text: str) -> str:
    """A short name for a tool error, from the wording our errors use."""
    lowered = text.lower()
    for needle, kind in (
        ("server error", "provider 5xx after retries"),
        ("rate limit", "provider 429 after retries"),
        ("not json", "bad body after retries"),
        ("timeout", "provider timeout"),
        ("time limit", "call time limit"),
        ("could not connect", "provider connection"),
        ("partial content", "206"),
    ):
        if needle in lowered:
            return kind
    return "other: " + text[:60]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else float("nan")


async def session(url: str, deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=90)
    try:
        async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:

            async def call(name: str, **args: Any) -> Any:
                started = time.perf_counter()
                tally.calls += 1
                try:
                    with anyio.fail_after(120):
                        res = await client.call_tool(name, args)
                except Exception as exc:  # every failure kind is counted, none stops the soak
                    tally.errors[f"transport: {type(exc).__name__}"] += 1
                    return None
                tally.minute.append(time.perf_counter() - started)
                if res.is_error:
                    tally.errors[error_kind(res.content[0].text if res.content else "")] += 1
                    return None
                tally.ok += 1
                return res.structured_content

            while time.monotonic() < deadline:
                provider = rng.choice(("unpod", "runtype", "modus"))
                agents = await call("list_agents", provider=provider)
                if not agents or not agents["agents"]:
                    continue
                agent = rng.choice(agents["agents"])["id"]
                runs = await call("list_agent_executions", provider=provider, agent=agent, limit=5, detail="full")
                if not runs or not runs["executions"]:
                    continue
                run = rng.choice(runs["executions"])
                tasks = await call("get_run_tasks", ref=run["ref"], limit=5, detail="full")
                if provider == "unpod":
                    with_transcript = [t for t in (tasks or {}).get("tasks", []) if t.get("has_transcript")]
                    if with_transcript:
                        await call("get_call_transcript", ref=with_transcript[0]["ref"], max_turns=12)
                else:
                    await call("get_call_transcript", provider=provider, agent=agent, call_id=run["run_id"])
                if time.monotonic() < deadline:
                    await call("summarize_run_health", ref=run["ref"])
    except Exception as exc:  # a session that cannot even start counts as one error
        tally.errors[f"session: {type(exc).__name__}"] += 1


def server_reading(pid: int) -> tuple[float, int]:
    """The server's RSS (MB) and open file descriptors, from /proc."""
    rss = 0.0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def slope_per_10min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minute, MB) points, in MB per 10 minutes."""
    if len(points) < 2:
        return float("nan")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return 10 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else float("nan")


async def soak(url: str, pid: int, sessions: int, seconds: float) -> tuple[Tally, list[tuple[float, float, int]]]:
    tally = Tally()
    samples: list[tuple[float, float, int]] = []
    started = time.monotonic()
    deadline = started + seconds

    async def reporter() -> None:
        last_calls = 0
        while True:
            await anyio.sleep(60)
            minute = (time.monotonic() - started) / 60
            rss, fds = server_reading(pid)
            samples.append((minute, rss, fds))
            lat, tally.minute = tally.minute, []
            tally.all_latencies += lat
            print(
                f"[{minute:5.1f} min] calls {tally.calls - last_calls:5d} (total {tally.calls}, ok {tally.ok}, "
                f"errors {sum(tally.errors.values())})  p50 {statistics.median(lat) * 1000 if lat else 0:6.0f} ms  "
                f"p99 {percentile(lat, 0.99) * 1000:6.0f} ms  server RSS {rss:6.1f} MB  fds {fds}",
                flush=True,
            )
            last_calls = tally.calls

    async with anyio.create_task_group() as group:
        group.start_soon(reporter)
        with anyio.move_on_after(seconds + 180):  # a bound even if a call hangs past its own timeout
            async with anyio.create_task_group() as users:
                for n in range(sessions):
                    users.start_soon(session, url, deadline, tally, n)
                    await anyio.sleep(0.05)
        group.cancel_scope.cancel()
    tally.all_latencies += tally.minute
    rss, fds = server_reading(pid)
    samples.append(((time.monotonic() - started) / 60, rss, fds))
    return tally, samples


def start(args: list[str], env: dict[str, str], log: Any, ready: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "agent_runs_mcp", *args], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(ready, timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError(f"`agent-runs-mcp {' '.join(args)}` did not start")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=2.0, help="how long (make soak: 30)")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of provider requests that fail (0-1)")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    parser.add_argument("--sim-port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument(
        "--cache", choices=("on", "off"), default="off", help="the server's response cache (off: every call reads)"
    )
    args = parser.parse_args()

    from agent_runs_mcp.providers.platforms import PLATFORMS
    from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS

    sim_port, port = args.sim_port or free_port(), args.port or free_port()
    sim_url, base = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{port}"
    rules = fault_rules(args.fault_rate)
    sim_env = {**os.environ, "AGENT_RUNS_SIM_FAULTS": json.dumps(rules), "AGENT_RUNS_SIM_FAULT_SEED": str(args.seed)}
    env = {**os.environ, "AGENT_RUNS_HTTP_TOKEN": TOKEN, "AGENT_RUNS_CACHE": "1" if args.cache == "on" else "0"}
    for name in ("AGENT_RUNS_DEMO", "AGENT_RUNS_CONFIG", "AGENT_RUNS_REDIS_URL"):
        env.pop(name, None)
    for kind, platform in PLATFORMS.items():
        creds = DEMO_CREDENTIALS[kind]
        env[platform.base_url_variable] = sim_url
        env[platform.token_variable] = creds["token"]
        for field_name, var in platform.settings_variables.items():
            if creds.get(field_name):
                env[var] = creds[field_name]
    logs = tempfile.NamedTemporaryFile(prefix="soak-server-", suffix=".log", delete=False)  # noqa: SIM115
    sim_log = open(os.devnull, "wb")  # noqa: SIM115
    print(
        f"soak: {args.sessions} sessions for {args.minutes:g} min, provider fault rate {args.fault_rate:.0%} "
        f"({', '.join(FAULT_KINDS)}), response cache {args.cache}, server log {logs.name}",
        flush=True,
    )
    simulator = start(["simulate", "--port", str(sim_port)], sim_env, sim_log, sim_url + "/_sim/health")
    server = None
    try:
        serve = ["serve", "--transport", "http", "--port", str(port), "--log-level", "warning"]
        server = start(serve, env, logs, base + "/healthz")
        tally, samples = anyio.run(soak, base + "/mcp", server.pid, args.sessions, args.minutes * 60)
    finally:
        for proc in (server, simulator):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    report(tally, samples, os.path.getsize(logs.name))


def report(tally: Tally, samples: list[tuple[float, float, int]], log_bytes: int) -> None:
    lat = tally.all_latencies
    errors = sum(tally.errors.values())
    print(f"\ncalls {tally.calls}, answered {tally.ok} ({tally.ok / max(1, tally.calls):.1%}), errors {errors}")
    for kind, count in tally.errors.most_common():
        print(f"  {count:6d}  {kind}")
    if lat:
        p50, p99 = statistics.median(lat) * 1000, percentile(lat, 0.99) * 1000
        print(f"latency p50 {p50:.0f} ms, p99 {p99:.0f} ms (n={len(lat)})")
    warm = [(m, rss) for m, rss, _ in samples if m >= 5] or [(m, rss) for m, rss, _ in samples]
    if samples:
        half = [rss for m, rss, _ in samples if m >= samples[-1][0] / 2]
        print(
            f"server RSS: first minute {samples[0][1]:.1f} MB, last {samples[-1][1]:.1f} MB, "
            f"max {max(s[1] for s in samples):.1f} MB; plateau (second half) {min(half):.1f}-{max(half):.1f} MB; "
            f"slope after 5 min {slope_per_10min(warm):+.2f} MB per 10 min"
        )
        print(f"server fds: first {samples[0][2]}, last {samples[-1][2]}, max {max(s[2] for s in samples)}")
    print(f"server log: {log_bytes} bytes")


if __name__ == "__main__":
    main()
