"""summarize_run_health on a 10,000-task run, over real HTTP, against a plain sequential httpx fetch.

    .venv/bin/python bench/health_scale.py [tasks] [repeats, default 7]

Prints, for a local simulator answering at once and for one that adds 40 ms per request (like a
provider across a network): the tool's wall time (median), the wall time of fetching the same pages
one after another with httpx (median), their ratio, and the peak RSS growth of this process during
the tool call. The simulator runs in its own process so it does not share this process's GIL.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time

import anyio
import httpx
from mcp import Client

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import peak_mb, reset_peak, rss_mb, simulator_process
from agent_runs_mcp.config import Account, Settings
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.providers.unpod.adapter import UnpodProvider
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.server.app import build_server
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World

PAGE_SIZE = UnpodProvider.scan_page_size  # the plain fetch reads exactly the pages the tool reads


def plain_fetch(url: str, space: str, run_id: str, n_tasks: int) -> float:
    headers = {"Authorization": f"Token {DEMO_CREDENTIALS['unpod']['token']}"}
    started = time.perf_counter()
    seen = 0
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        page = 1
        while True:
            body = client.get(
                f"/api/v2/platform/spaces/{space}/runs/{run_id}/tasks/", params={"page": page, "page_size": PAGE_SIZE}
            ).json()
            seen += len(body["data"])
            if not body["data"] or seen >= body["count"]:
                break
            page += 1
    assert seen == n_tasks, (seen, n_tasks)
    return time.perf_counter() - started


async def tool_call(url: str, space: str, run_id: str, n_tasks: int) -> tuple[float, float, str]:
    creds = DEMO_CREDENTIALS["unpod"]
    account = Account(name="unpod", kind="unpod", base_url=url, token=creds["token"], org_handle=creds["org_handle"])
    settings = Settings(accounts={"unpod": account})
    registry = Registry(settings)
    async with Client(build_server(settings, registry)) as client:
        ref = make_ref("unpod", "run", r=run_id, s=space)
        before = rss_mb()
        reset_peak()
        started = time.perf_counter()
        res = await client.call_tool("summarize_run_health", {"ref": ref})
        elapsed = time.perf_counter() - started
        growth = peak_mb() - before
    await registry.aclose()
    report = res.structured_content
    assert report and report["scanned"] == n_tasks and report["complete"], res.content
    return elapsed, growth, report["headline"]


def measure(url: str, run: object, n_tasks: int, repeats: int, label: str) -> None:
    space, run_id = run.space, run.run_id  # type: ignore[attr-defined]
    plain_fetch(url, space, run_id, n_tasks)  # warm the simulator
    plain, tool, growth, ratios = [], [], [], []
    headline = ""
    for _ in range(repeats):  # interleaved, so a noisy moment on this shared machine hits both
        plain.append(plain_fetch(url, space, run_id, n_tasks))
        elapsed, grown, headline = anyio.run(tool_call, url, space, run_id, n_tasks)
        tool.append(elapsed)
        growth.append(grown)
        ratios.append(elapsed / plain[-1])
    p, t = statistics.median(plain), statistics.median(tool)
    print(f"{label}: run of {n_tasks} tasks, {n_tasks // PAGE_SIZE} pages of {PAGE_SIZE}, medians of {repeats}")
    print(f"  summarize_run_health wall time     {t:7.2f} s   (range {min(tool):.2f}-{max(tool):.2f})")
    print(f"  plain sequential httpx fetch       {p:7.2f} s   (range {min(plain):.2f}-{max(plain):.2f})")
    print(f"  ratio tool / plain                 {statistics.median(ratios):7.2f}x  (median of pairs; target <= 1.5x)")
    print(f"  peak RSS growth during the tool    {max(growth):7.1f} MB (max of {repeats}; target < 100 MB)")
    print(f"  headline: {headline[:150]}")


def main() -> None:
    logging.disable(logging.INFO)
    n_tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    run = next(r for r in World(big_run_tasks=n_tasks).unpod_runs if r.n_tasks == n_tasks)
    with simulator_process("--big-run", str(n_tasks)) as url:
        measure(url, run, n_tasks, repeats, "local simulator")
        rule = [{"match": "/runs/", "fault": "slow", "delay_s": 0.04}]
        httpx.post(url + "/_sim/faults", json=rule).raise_for_status()
        measure(url, run, n_tasks, repeats, "simulator + 40 ms per request")


if __name__ == "__main__":
    main()
