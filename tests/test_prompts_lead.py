"""Prompts that lead somewhere (issue 22 item 6): `triage_run` asks for what makes its answer complete (the
run's agent), and a run that is not where the server looked says which argument finds it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from mcp import Client

from agent_runs_mcp.config import Settings
from agent_runs_mcp.simulator.world import World
from tests.conftest import LiveServer, accounts_for, call, call_error, mcp_client

pytestmark = pytest.mark.anyio


@pytest.fixture
async def spaced(sim: LiveServer, world: World) -> AsyncIterator[Client]:
    """An Unpod account whose default space is the first one, as UNPOD_SPACE_TOKEN makes it."""
    default = world.unpod_runs[0].space
    settings = Settings(accounts=accounts_for(sim.url, unpod={"space_token": default}), cache_enabled=False)
    async with mcp_client(settings) as client:
        yield client


def _elsewhere(world: World):  # type: ignore[no-untyped-def]
    default = world.unpod_runs[0].space
    return next(r for r in world.unpod_runs if r.space != default and r.phase == "done")


async def test_triage_run_asks_for_the_agent(client: Client) -> None:
    prompt = next(p for p in (await client.list_prompts()).prompts if p.name == "triage_run")
    args = {a.name: a for a in prompt.arguments or []}
    assert args["provider"].required and args["run"].required
    assert not args["agent"].required and "agent" in (args["agent"].description or "")
    assert not args["space"].required


async def test_a_run_outside_the_default_space_names_the_argument_that_finds_it(spaced: Client, world: World) -> None:
    run = _elsewhere(world)
    said = await call_error(spaced, "get_run_tasks", provider="unpod", run_id=run.run_id)
    assert "not found" in said and "`agent=`" in said and "`space=`" in said, said
    for extra in ({"agent": run.agent.handle}, {"space": run.space}):  # each suggestion works
        res = await call(spaced, "get_run_tasks", provider="unpod", run_id=run.run_id, limit=3, **extra)
        assert res.structured_content["tasks"], extra


async def test_the_prompt_s_calls_work_for_that_run_once_the_agent_is_given(spaced: Client, world: World) -> None:
    run = _elsewhere(world)
    bare = (await spaced.get_prompt("triage_run", {"provider": "unpod", "run": run.run_id})).messages[0].content.text
    assert "agent was not given" in bare and "`agent=`" in bare
    full = await spaced.get_prompt("triage_run", {"provider": "unpod", "run": run.run_id, "agent": run.agent.handle})
    text = full.messages[0].content.text
    assert "was not given" not in text
    target = re.search(r"summarize_run_health\((.*?)\)", text)
    assert target is not None
    args = dict(re.findall(r'(\w+)="([^"]*)"', target.group(1)))
    assert args == {"provider": "unpod", "run_id": run.run_id, "agent": run.agent.handle}
    res = await call(spaced, "summarize_run_health", **args)
    assert res.structured_content["verdict"]
