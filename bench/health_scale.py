"""Reports at the provider's speed limit: the simulator 50 ms away (and rate-limited), over real HTTP.

    .venv/bin/python bench/health_scale.py [--tasks 100000] [--latency-ms 50] [--repeats 3] [--only NAME]

Scenarios (``--only`` runs one: unpod, runtype, refresh, search):

- ``unpod``: ``summarize_run_health`` on one Unpod run of ``--tasks`` tasks, against the ideal floor
  (pages / parallelism x latency) and a plain sequential httpx fetch of the same pages; peak RSS growth.
- ``runtype``: an agent window of 5,000 Runtype executions read in parallel time slices (the report's
  walk), against the plain sequential cursor walk of the same window; and the whole tool call.
- ``refresh``: a second report on a 10,000-task run still running (85% then 95% finished), against the first.
- ``search``: ``search_calls`` over a 2,000-call run, against fetching its pages one after another.

The simulator runs in its own process (not sharing this process's GIL), with ``--latency-ms`` per
request and a rate limit per credential (``--rate-limit``, default 100/s); its 429 count is printed.
Timing targets are printed next to the numbers, never asserted.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import anyio
import httpx
from mcp import Client

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import peak_mb, reset_peak, rss_mb, simulator_process
from agent_runs_mcp.config import Account, Settings
from agent_runs_mcp.domain import ProviderPage
from agent_runs_mcp.providers.base import ExecutionQuery
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.providers.unpod.adapter import UnpodProvider
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.server.app import build_server
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World
from agent_runs_mcp.tools.paging import walk

PAGE = UnpodProvider.scan_page_size
RUNTYPE_EXECUTIONS = 5000


def settings_for(url: str, **extra: Any) -> Settings:
    creds = DEMO_CREDENTIALS
    accounts = {
        "unpod": Account(
            name="unpod",
            kind="unpod",
            base_url=url,
            token=creds["unpod"]["token"],
            org_handle=creds["unpod"]["org_handle"],
        ),
        "runtype": Account(name="runtype", kind="runtype", base_url=url, token=creds["runtype"]["token"]),
    }
    return Settings(accounts=accounts, **extra)


def pacing(url: str) -> dict[str, Any]:
    return httpx.get(url + "/_sim/pacing").json()


def limited(url: str) -> int:
    return sum(t["limited"] for t in pacing(url)["traffic"].values())


def unpod_pages_fetch(url: str, space: str, run_id: str, size: int = PAGE) -> tuple[float, int]:
    """The plain sequential fetch: every page of the run's tasks, one after another."""
    headers = {"Authorization": f"Token {DEMO_CREDENTIALS['unpod']['token']}"}
    started = time.perf_counter()
    seen = 0
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        page = 1
        while True:
            body = client.get(
                f"/api/v2/platform/spaces/{space}/runs/{run_id}/tasks/", params={"page": page, "page_size": size}
            ).json()
            seen += len(body["data"])
            if not body["data"] or seen >= body["count"]:
                break
            page += 1
    return time.perf_counter() - started, seen


async def tool_call(settings: Settings, tool: str, args: dict[str, Any]) -> tuple[float, float, dict[str, Any]]:
    """(wall time, peak RSS growth in MB, structured result) of one tool call on a fresh server."""
    registry = Registry(settings)
    async with Client(build_server(settings, registry)) as client:
        before = rss_mb()
        reset_peak()
        started = time.perf_counter()
        res = await client.call_tool(tool, args)
        elapsed = time.perf_counter() - started
        growth = peak_mb() - before
    await registry.aclose()
    assert not res.is_error and res.structured_content, res.content
    return elapsed, growth, res.structured_content


def line(label: str, value: float, unit: str = "s", extra: str = "") -> None:
    print(f"  {label:<44} {value:8.2f} {unit:<3} {extra}")


def bench_unpod(args: argparse.Namespace) -> None:
    n = args.tasks
    run = next(r for r in World(big_run_tasks=n).unpod_runs if r.n_tasks == n)
    extra = ("--big-run", str(n), "--latency-ms", str(args.latency_ms), "--rate-limit", str(args.rate_limit))
    with simulator_process(*extra) as url:
        unpod_pages_fetch(url, run.space, run.run_id)  # warm the simulator's page cache: both sides then pay I/O
        settings = settings_for(
            url, health_max_items=max(n, 100), cache_enabled=False, health_concurrency=args.concurrency
        )
        ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
        tool, plain, growth = [], [], []
        for _ in range(args.repeats):  # interleaved, so a noisy moment hits both
            elapsed, seen = unpod_pages_fetch(url, run.space, run.run_id)
            assert seen == n
            plain.append(elapsed)
            t, g, report = anyio.run(tool_call, settings, "summarize_run_health", {"ref": ref})
            assert report["scanned"] == n and report.get("complete", True), report.get("notes")
            tool.append(t)
            growth.append(g)
        rejected = limited(url)
    pages = -(-n // PAGE)
    floor = pages / settings.health_concurrency * args.latency_ms / 1000
    t, p = statistics.median(tool), statistics.median(plain)
    print(f"unpod: run of {n:,} tasks = {pages} pages of {PAGE}, {args.latency_ms:g} ms per request, "
          f"{settings.health_concurrency} in parallel, medians of {args.repeats}")  # fmt: skip
    line("summarize_run_health", t, "s", f"(range {min(tool):.2f}-{max(tool):.2f})")
    line("ideal floor: pages / parallelism x latency", floor)
    line("plain sequential fetch of the same pages", p)
    line("tool / floor", t / floor, "x", "(target <= 1.3x)")
    line("tool / sequential", t / p, "x", "(target < 0.35x)")
    line("peak RSS growth during the tool call", max(growth), "MB", "(target < 100 MB)")
    print(f"  429s from the simulator's limit of {args.rate_limit:g}/s: {rejected}")


def bench_runtype(args: argparse.Namespace) -> None:
    world = World(big_agent_executions=RUNTYPE_EXECUTIONS)
    agent = next(a.id for a in world.runtype_agents if a.name == "Bulk Runner")
    extra = ("--big-agent", str(RUNTYPE_EXECUTIONS), "--latency-ms", str(args.latency_ms))
    with simulator_process(*extra, "--rate-limit", str(args.rate_limit)) as url:
        settings = settings_for(url, cache_enabled=False)
        anchor = httpx.get(url + "/_sim/health").json()["anchor"]
        until = world.anchor.fromisoformat(anchor) + timedelta(minutes=1)
        since = until - timedelta(days=11)
        query = ExecutionQuery(agent=agent, since=since, until=until)

        def plain_walk() -> tuple[float, int]:
            headers = {"Authorization": f"Bearer {DEMO_CREDENTIALS['runtype']['token']}"}
            params: dict[str, Any] = {"limit": 50, "from": since.isoformat(), "to": until.isoformat()}
            started, seen = time.perf_counter(), 0
            with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
                while True:
                    body = client.get(f"/v1/agents/{agent}/executions", params=params).json()
                    seen += len(body["data"])
                    cursor = body["pagination"]["nextCursor"]
                    if not cursor:
                        break
                    params["cursor"] = cursor
            return time.perf_counter() - started, seen

        async def sliced_walk() -> tuple[float, int, int]:
            registry = Registry(settings)
            adapter = registry.get("runtype")
            seen = 0
            slices = 0

            async def on_page(page: ProviderPage[Any], _token: str | None) -> bool:
                nonlocal seen, slices
                seen += len(page.items)
                slices = max(slices, len(page.slices or []))
                return True

            fetch: Callable[[str | None], Awaitable[ProviderPage[Any]]] = lambda t: adapter.activity_tally_page(  # noqa: E731
                query, t
            )
            started = time.perf_counter()
            await walk(fetch, None, on_page, concurrency=settings.health_concurrency)
            elapsed = time.perf_counter() - started
            await registry.aclose()
            return elapsed, seen, slices

        plain, sliced, tool = [], [], []
        slices = 0
        for _ in range(args.repeats):
            p, seen_plain = plain_walk()
            s, seen_sliced, slices = anyio.run(sliced_walk)
            assert seen_plain == seen_sliced, (seen_plain, seen_sliced)
            plain.append(p)
            sliced.append(s)
            t, _g, _report = anyio.run(
                tool_call, settings, "summarize_run_health", {"provider": "runtype", "agent": agent, "since": "5d"}
            )
            tool.append(t)
        rejected = limited(url)
    p, s = statistics.median(plain), statistics.median(sliced)
    print(f"runtype: window of {seen_plain:,} executions (pages of 50), {slices} time slices, "
          f"{settings.health_concurrency} in parallel, {args.latency_ms:g} ms per request, "
          f"medians of {args.repeats}")  # fmt: skip
    line("walk in parallel time slices", s, "s", f"(range {min(sliced):.2f}-{max(sliced):.2f})")
    line("plain sequential cursor walk", p, "s", f"(range {min(plain):.2f}-{max(plain):.2f})")
    line("sliced / sequential", s / p, "x", "(target < 0.5x)")
    line("whole tool call (5d window vs 5d before)", statistics.median(tool), "s", "(includes failure look-ups)")
    print(f"  429s from the simulator's limit of {args.rate_limit:g}/s: {rejected}")


def bench_refresh(args: argparse.Namespace) -> None:
    n = 10_000
    run = next(r for r in World(big_run_tasks=n, big_run_done=0.85).unpod_runs if r.n_tasks == n)
    extra = ("--big-run", str(n), "--big-run-done", "0.85", "--latency-ms", str(args.latency_ms))
    with simulator_process(*extra, "--rate-limit", str(args.rate_limit)) as url:
        settings = settings_for(url, health_max_items=n)
        ref = make_ref("unpod", "run", r=run.run_id, s=run.space)

        async def advance(done: float) -> None:
            async with httpx.AsyncClient() as sim:
                answer = await sim.post(url + "/_sim/progress", json={"run_id": run.run_id, "done": done})
                answer.raise_for_status()

        async def twice() -> tuple[float, float, int, int, str]:
            registry = Registry(settings)
            async with Client(build_server(settings, registry)) as client:
                started = time.perf_counter()
                first = await client.call_tool("summarize_run_health", {"ref": ref})
                t1 = time.perf_counter() - started
                before = sum(t["requests"] for t in pacing(url)["traffic"].values())
                await advance(0.95)
                started = time.perf_counter()
                second = await client.call_tool("summarize_run_health", {"ref": ref, "fresh": True})
                t2 = time.perf_counter() - started
                after = sum(t["requests"] for t in pacing(url)["traffic"].values())
            await registry.aclose()
            assert first.structured_content and second.structured_content
            assert first.structured_content["totals"] != second.structured_content["totals"]
            note = next((x for x in second.structured_content.get("notes", []) if "not read again" in x), "")
            return t1, t2, after - before, -(-n // PAGE), note

        firsts, seconds = [], []
        for _ in range(args.repeats):
            httpx.post(url + "/_sim/progress", json={"run_id": run.run_id, "done": 0.85}).raise_for_status()
            t1, t2, reread, pages, note = anyio.run(twice)
            firsts.append(t1)
            seconds.append(t2)
    f, s = statistics.median(firsts), statistics.median(seconds)
    print(f"refresh: running run of {n:,} tasks ({pages} pages), 85% then 95% finished, medians of {args.repeats}")
    line("first report", f)
    line("second report (fresh=true)", s, "s", f"({reread} requests; {note[:70]})")
    line("second / first", s / f, "x", "(target < 0.25x)")


def bench_search(args: argparse.Namespace) -> None:
    n = 2000
    run = next(r for r in World(big_run_tasks=n).unpod_runs if r.n_tasks == n)
    extra = ("--big-run", str(n), "--latency-ms", str(args.latency_ms), "--rate-limit", str(args.rate_limit))
    with simulator_process(*extra) as url:
        settings = settings_for(url, cache_enabled=False)
        ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
        unpod_pages_fetch(url, run.space, run.run_id)
        searched, fetched = [], []
        for _ in range(args.repeats):
            fetched.append(unpod_pages_fetch(url, run.space, run.run_id)[0])
            t, _g, found = anyio.run(tool_call, settings, "search_calls", {"ref": ref, "query": "survey"})
            searched.append(t)
    s, p = statistics.median(searched), statistics.median(fetched)
    print(f"search: search_calls over a run of {n:,} tasks ({found['scanned']} calls searched, "
          f"{found['matched']} matched), medians of {args.repeats}")  # fmt: skip
    line("search_calls", s)
    line("fetching its pages one after another", p)
    line("search / fetch", s / p, "x", "(target < 2x)")


SCENARIOS = {"unpod": bench_unpod, "runtype": bench_runtype, "refresh": bench_refresh, "search": bench_search}


def main() -> None:
    logging.disable(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--rate-limit", type=float, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4, help="AGENT_RUNS_HEALTH_CONCURRENCY for the unpod run")
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    for name, scenario in SCENARIOS.items():
        if args.only in (None, name):
            scenario(args)


if __name__ == "__main__":
    main()
