"""Modus on both API generations: today's `/api/v1/workflows` (the official SDK's) and the seed documents'
`/api/v1/agents`, found per host without configuration; workflows by id or slug; times that add up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent_runs_mcp.config import Settings
from agent_runs_mcp.simulator.world import World
from tests.conftest import LiveServer, accounts_for, call, call_error, mcp_client, start_simulator, turns_of

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module", params=[("workflows",), ("agents",)], ids=["workflows-only", "agents-only"])
def modus_host(request: pytest.FixtureRequest, world: World) -> Iterator[tuple[LiveServer, str]]:
    live = start_simulator(world, modus_resources=request.param)
    yield live, request.param[0]
    live.stop()


async def test_every_tool_answers_on_a_host_of_one_generation(modus_host, world: World) -> None:
    live, family = modus_host
    settings = Settings(accounts=accounts_for(live.url), cache_enabled=False)
    async with mcp_client(settings) as client:
        before = await call(client, "list_providers")
        modus = next(p for p in before.structured_content["providers"] if p["name"] == "modus")
        assert modus["facts"]["paths"].startswith("auto")
        agents = await call(client, "list_agents", provider="modus")
        assert [a["id"] for a in agents.structured_content["agents"]] == [str(a.id) for a in world.modus_agents]
        after = await call(client, "list_providers")
        modus = next(p for p in after.structured_content["providers"] if p["name"] == "modus")
        assert modus["facts"]["paths"] == f"/api/v1/{family}" and f"paths /api/v1/{family}" in after.content[0].text
        flow = world.modus_agents[-1]
        runs = await call(client, "list_agent_executions", provider="modus", agent=flow.slug, limit=5, detail="full")
        run = runs.structured_content["executions"][0]
        assert run["run_id"] == world.modus_runs[flow.id][0]["id"]
        tasks = await call(client, "get_run_tasks", ref=run["ref"])
        assert len(tasks.structured_content["tasks"]) == len(flow.nodes)
        await call(client, "get_call_transcript", ref=run["ref"])
        health = await call(client, "summarize_run_health", provider="modus", agent=str(flow.id), since="30d")
        assert health.structured_content["scanned"] == len(world.modus_runs[flow.id])


async def test_pinned_resource_on_a_host_without_it_says_so(modus_host) -> None:
    live, family = modus_host
    other = "agents" if family == "workflows" else "workflows"
    settings = Settings(accounts=accounts_for(live.url, modus={"resource": other}), cache_enabled=False)
    async with mcp_client(settings) as client:
        text = await call_error(client, "list_agents", provider="modus")
    assert "does not exist" in text and "base URL" in text


async def test_run_and_node_times_add_up(demo_client, world: World) -> None:
    """Every node lies inside its run; turns never go back in time nor past the run's duration."""
    checked = 0
    for agent in world.modus_agents:
        for run in world.modus_runs[agent.id][:15]:
            res = await call(
                demo_client, "get_call_transcript", provider="modus", call_id=run["id"], agent=str(agent.id)
            )
            data = res.structured_content
            offsets = [t["seconds_from_start"] for t in turns_of(data) if t.get("seconds_from_start") is not None]
            assert offsets == sorted(offsets), (run["id"], offsets)
            duration = data["call"]["duration_s"]
            if duration is not None:
                assert all(0 <= o <= duration + 0.001 for o in offsets), (run["id"], offsets, duration)
            checked += 1
    assert checked >= 30
