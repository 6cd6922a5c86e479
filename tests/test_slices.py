"""Time slices (Runtype windows read as parallel cursor chains) and the walker that follows them."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agent_runs_mcp.config import Settings
from agent_runs_mcp.domain import ProviderPage
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.providers.base import ExecutionQuery
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.providers.runtype.adapter import RuntypeProvider
from agent_runs_mcp.providers.slices import MAX_SLICES, cut, read_token
from agent_runs_mcp.simulator.pacing import Pacing
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.paging import walk
from tests.conftest import FAST_RETRY, accounts_for, call, mcp_client, start_simulator

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_every_second_of_a_window_lands_in_exactly_one_slice() -> None:
    """With a provider filter inclusive at both ends, `keeps` assigns each moment to one slice."""
    parts = cut(T0, T0 + timedelta(seconds=1000), 7)
    assert len(parts) == 7 and parts[0].until == T0 + timedelta(seconds=1000) and parts[-1].since == T0
    for second in range(0, 1001):
        moment = T0 + timedelta(seconds=second)
        holders = [p.index for p in parts if p.since <= moment <= p.until and p.keeps(moment)]
        assert len(holders) == 1, (second, holders)
    assert [p.index for p in parts if p.keeps(None)] == [0]  # undated items: once


def test_slice_tokens_round_trip_and_refuse_garbage() -> None:
    part = cut(T0, T0 + timedelta(days=3), 4)[2]
    again = read_token(part.token("cur_9"))
    assert (again.index, again.count, again.since, again.until, again.cursor) == (
        2,
        4,
        part.since,
        part.until,
        "cur_9",
    )
    assert len(cut(T0, T0 + timedelta(seconds=3), 8)) == 3  # never slices shorter than a second
    assert len(cut(T0, T0 + timedelta(days=9), 50)) == MAX_SLICES
    for bad in ("s9/4/1/2|", "sx|", "s0/4/5/2|c", "s1/99/1/2|"):
        with pytest.raises(InputError):
            read_token(bad)


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_walk_follows_every_chain_to_its_end(concurrency: int) -> None:
    chains = {"a": 3, "b": 1, "c": 4}  # pages per chain; the first page names the chains
    seen: list[str] = []

    async def fetch(token: str | None) -> ProviderPage[str]:
        await asyncio.sleep(0)
        if token is None:
            return ProviderPage([], None, None, slices=["a0", "b0", "c0"])
        name, n = token[0], int(token[1:])
        more = f"{name}{n + 1}" if n + 1 < chains[name] else None
        return ProviderPage([token], token, more)

    async def on_page(page: ProviderPage[str], _token: str | None) -> bool:
        seen.extend(page.items)
        return True

    ended = await walk(fetch, None, on_page, concurrency=concurrency)
    assert sorted(seen) == sorted(f"{k}{i}" for k, n in chains.items() for i in range(n))
    assert ended.pages == 1 + sum(chains.values()) and ended.stopped_by is None


async def test_sliced_window_reads_the_same_executions_as_one_cursor_walk() -> None:
    """The sliced walk and the provider's plain cursor walk over one window see the same executions."""
    live = start_simulator(World(seed=11, big_agent_executions=700))
    try:
        registry = Registry(Settings(accounts=accounts_for(live.url), cache_enabled=False), retry=FAST_RETRY)
        adapter = registry.get("runtype")
        assert isinstance(adapter, RuntypeProvider)
        agent = next(a.id for a in live.world.runtype_agents if a.name == "Bulk Runner")
        until = live.world.anchor.replace(microsecond=0)
        query = ExecutionQuery(agent=agent, since=until - timedelta(days=6), until=until)
        sliced: Counter[str] = Counter()
        first: list[ProviderPage[Any]] = []

        async def on_page(page: ProviderPage[Any], _token: str | None) -> bool:
            first.append(page)
            sliced.update(t.item_id for t in page.items)
            return True

        ended = await walk(lambda t: adapter.activity_tally_page(query, t), None, on_page, concurrency=4)
        plain: Counter[str] = Counter()
        token = None
        while True:
            page = await adapter.executions_page(query, token)
            plain.update(e.run_id for e in page.items)
            token = page.next_token
            if not token:
                break
        await registry.aclose()
    finally:
        live.stop()
    assert first[0].slices and len(first[0].slices) > 1  # the window was sliced
    assert max(sliced.values()) == 1  # nothing counted twice
    assert sliced == plain and len(plain) > 300
    assert ended.pages > len(first[0].slices)


async def test_window_report_by_slices_matches_the_recorded_truth() -> None:
    live = start_simulator(World(seed=5, big_agent_executions=400))
    try:
        agent = next(a.id for a in live.world.runtype_agents if a.name == "Bulk Runner")
        truth = live.world.runtype_truth(agent)
        settings = Settings(accounts=accounts_for(live.url), cache_enabled=False)
        async with mcp_client(settings) as client:
            res = await call(client, "summarize_run_health", provider="runtype", agent=agent, since="30d")
            report = res.structured_content
    finally:
        live.stop()
    got = Counter({k: v for k, v in report["totals"].items() if v})
    assert got == Counter({k: v for k, v in truth.items() if v})
    assert report["complete"] is True


async def test_simulated_rate_limit_is_kept_by_the_accounts_pacing() -> None:
    """The simulator answers 429 past its rate; an account paced below it never meets one."""
    pacing = Pacing(latency_ms=5, rate_limit=20)
    live = start_simulator(World(seed=3), pacing=pacing)
    try:
        import httpx

        async with httpx.AsyncClient(base_url=live.url) as raw:
            codes = Counter(
                r.status_code
                for r in await asyncio.gather(
                    *(raw.get("/v1/agents", headers={"Authorization": "Bearer x"}) for _ in range(40))
                )
            )
        assert codes[429] >= 1 and codes[401] + codes[429] == 40  # 40 at once against a bucket of 20 (bad token: 401)
        limited = pacing.report()["traffic"]
        assert sum(t["limited"] for t in limited.values()) == codes[429]
        pacing.set(latency_ms=5, rate_limit=20)
        accounts = accounts_for(live.url, runtype={"max_requests_per_s": 18})
        registry = Registry(Settings(accounts=accounts, cache_enabled=False), retry=FAST_RETRY)
        adapter = registry.get("runtype")
        agent = live.world.runtype_agents[0].id
        await asyncio.gather(*(adapter.agents_page(None, None) for _ in range(10)))
        await asyncio.gather(*(adapter.executions_page(ExecutionQuery(agent=agent), None) for _ in range(20)))
        await registry.aclose()
    finally:
        live.stop()
    traffic = next(iter(pacing.report()["traffic"].values()))
    assert traffic["requests"] == 30 and traffic["limited"] == 0  # paced at 18/s: the bucket of 20 never ran dry
