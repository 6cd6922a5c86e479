"""Replicas sharing Redis: answers, reports computed once, one request budget, and outages survived.

Needs Debian's `redis-server` (`make test-redis` installs it and runs these); without it they skip.
"""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest
from bench._common import redis_server
from pydantic import SecretStr

from agent_runs_mcp.config import Settings
from agent_runs_mcp.metrics import REGISTRY
from agent_runs_mcp.providers.base import ExecutionQuery
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.pacing import Pacing
from agent_runs_mcp.simulator.world import World
from tests.conftest import FAST_RETRY, accounts_for, call, free_port, mcp_client, start_simulator

REDIS = shutil.which("redis-server")
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(REDIS is None, reason="redis-server is not installed: `make test-redis` installs it"),
]


def replica(url: str, redis_url: str | None, cache: bool = True, **account: object) -> Settings:
    accounts = accounts_for(url, runtype=account) if account else accounts_for(url)
    return Settings(accounts=accounts, redis_url=SecretStr(redis_url) if redis_url else None, cache_enabled=cache)


def requests(pacing: Pacing) -> int:
    return sum(t["requests"] for t in pacing.report()["traffic"].values())


def reports_computed() -> float:
    return sum(
        s.value for f in REGISTRY.collect() if f.name == "agent_runs_reports_computed" for s in f.samples
        if s.name.endswith("_total")
    )  # fmt: skip


async def test_an_answer_one_replica_fetched_serves_the_other() -> None:
    pacing = Pacing()
    live = start_simulator(World(seed=3), pacing=pacing)
    try:
        with redis_server() as (redis_url, _):
            a = Registry(replica(live.url, redis_url), retry=FAST_RETRY)
            b = Registry(replica(live.url, redis_url), retry=FAST_RETRY)
            first = await a.get("runtype").agents_page(None, None)
            after_a = requests(pacing)
            second = await b.get("runtype").agents_page(None, None)
            assert requests(pacing) == after_a  # b read a's answer from Redis
            assert [x.id for x in second.items] == [x.id for x in first.items]
            await a.aclose()
            await b.aclose()
    finally:
        live.stop()


async def test_a_big_report_is_computed_once_across_replicas() -> None:
    pacing = Pacing(latency_ms=20)
    live = start_simulator(World(seed=7, big_run_tasks=4000), pacing=pacing)
    try:
        run = next(r for r in live.world.unpod_runs if r.n_tasks == 4000)
        ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
        with redis_server() as (redis_url, _):
            settings = replica(live.url, redis_url)
            async with mcp_client(settings) as one, mcp_client(settings) as two:
                before_requests, before_reports = requests(pacing), reports_computed()
                results = await asyncio.gather(
                    call(one, "summarize_run_health", ref=ref), call(two, "summarize_run_health", ref=ref)
                )
                made = requests(pacing) - before_requests
    finally:
        live.stop()
    a, b = (r.structured_content for r in results)
    assert a["headline"] == b["headline"] and a["totals"] == b["totals"]
    assert [bool(r.get("from_cache")) for r in (a, b)].count(True) == 1  # one computed, one waited
    assert reports_computed() - before_reports == 1
    assert made <= 4000 // 200 + 3  # the run's pages once (plus look-ups), not twice


async def test_replicas_keep_one_request_budget_per_account() -> None:
    async def burst(redis_url: str | None, url: str, agent: str) -> float:
        settings = replica(url, redis_url, cache=False, max_requests_per_s=10)
        replicas = [Registry(settings, retry=FAST_RETRY) for _ in range(2)]
        started = time.monotonic()
        await asyncio.gather(
            *(r.get("runtype").executions_page(ExecutionQuery(agent=agent), None) for r in replicas for _ in range(12))
        )
        elapsed = time.monotonic() - started
        for r in replicas:
            await r.aclose()
        return elapsed

    peaks, took = {}, {}
    for shared in (True, False):
        pacing = Pacing()
        live = start_simulator(World(seed=3), pacing=pacing)
        try:
            agent = live.world.runtype_agents[0].id
            with redis_server() as (redis_url, _):
                took[shared] = await burst(redis_url if shared else None, live.url, agent)
        finally:
            live.stop()
        peaks[shared] = next(iter(pacing.report()["traffic"].values()))["peak_per_s"]
    # 24 request starts spaced 0.1 s apart span 2.3 s when the replicas share one budget; each alone
    # spaces only its own 12 (1.1 s). (The busiest second, measured at arrival, jitters by a request or two.)
    assert took[True] >= 2.2 and took[False] < 1.8
    assert peaks[True] < peaks[False]


async def test_a_redis_outage_degrades_to_in_process_state(caplog: pytest.LogCaptureFixture) -> None:
    live = start_simulator(World(seed=3))
    try:
        with redis_server() as (redis_url, proc):
            settings = replica(live.url, redis_url)
            async with mcp_client(settings) as client:
                assert (await call(client, "list_agents", provider="runtype")).structured_content["agents"]
                proc.kill()
                proc.wait()
                for _ in range(3):  # Redis gone mid-run: every call still answers
                    res = await call(client, "list_agents", provider="modus", fresh=True)
                    assert res.structured_content["agents"]
        closed = Settings(accounts=accounts_for(live.url), redis_url=SecretStr(f"redis://127.0.0.1:{free_port()}/0"))
        async with mcp_client(closed) as client:  # never there at all
            assert (await call(client, "list_agents", provider="unpod")).structured_content["agents"]
    finally:
        live.stop()
    assert "Redis unavailable" in caplog.text
