"""Next steps that work: every filled-in `next` entry of a report or an empty listing is called as written and
must find something on that provider; empty-result hints never suggest the window just used."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.simulator.unpod_world import SCENARIO_TRUTH
from agent_runs_mcp.simulator.world import World
from tests.conftest import call, executions_of, tasks_of

pytestmark = pytest.mark.anyio

CALL = re.compile(r"^(\w+)\((.*?)\)(?:\s|$)")
ARG = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<[^>]*>)')


def parsed(step: str) -> tuple[str, dict[str, Any]] | None:
    """``tool(a="x", b="y") words`` -> (tool, args); ``None`` when an argument is a placeholder."""
    match = CALL.match(step)
    assert match, f"not a call: {step}"
    args = dict(ARG.findall(match.group(2)))
    if any(value.startswith("<") for value in args.values()):
        return None
    return match.group(1), {key: value[1:-1] for key, value in args.items()}


async def follow(client: Client, steps: list[str]) -> int:
    """Call every filled-in step; each must succeed and list something. Returns how many were followed."""
    followed = 0
    for step in steps:
        found = parsed(step)
        if found is None:
            continue
        tool, args = found
        res = await call(client, tool, **args)
        data = res.structured_content
        listed = data.get("rows") or data.get("tasks") or data.get("executions") or data.get("totals")
        assert listed, f"{step} found nothing: {res.content[0].text[:300]}"
        followed += 1
    return followed


async def test_report_next_steps_lead_somewhere(client: Client, world: World) -> None:
    priya = world.unpod_agents[0].handle
    outage = next(r for r in world.unpod_runs if r.profile == "carrier_outage")
    reports = [
        {"provider": "unpod", "agent": priya, "since": "7d"},
        {"provider": "unpod", "agent": priya, "run_id": outage.run_id},
        {"provider": "runtype", "agent": world.runtype_agents[0].id, "since": "7d"},
        {"provider": "modus", "agent": "57", "since": "7d"},
    ]
    followed = 0
    for args in reports:
        res = await call(client, "summarize_run_health", **args)
        steps = res.structured_content["next"]
        assert steps, args
        followed += await follow(client, steps)
        if not any(r.get("example_refs") for r in res.structured_content["top_failure_reasons"]):
            assert not any("get_call_transcript(ref=" in s for s in steps)  # no refs, no ref to read
    assert followed == len(reports)  # each report offers one filled-in call that finds its failures


async def test_speech_plane_report_never_points_at_refs_it_does_not_have(client: Client, world: World) -> None:
    agent = world.speech_agents[0]
    res = await call(client, "summarize_run_health", provider="unpod", agent=agent["agent_id"], since="7d")
    data = res.structured_content
    has_refs = any(r.get("example_refs") for r in data["top_failure_reasons"])
    assert has_refs or not any("<an example's ref>" in s for s in data["next"])
    await follow(client, data["next"])


async def test_failed_filter_on_runs_that_completed_with_failed_calls(client: Client, world: World) -> None:
    priya = world.unpod_agents[0].handle
    res = await call(client, "list_agent_executions", provider="unpod", agent=priya, status="failed", since="7d")
    notes = res.structured_content["notes"]
    assert not res.structured_content["executions"]
    assert "since=7d" not in notes[0] and "since=30d" in notes[0]  # never the window just used
    hint = notes[1]
    assert "get_run_tasks(" in hint
    steps = [hint.split(": ", 1)[1].split(" lists")[0]]
    assert await follow(client, steps) == 1  # the suggested call lists failed tasks


@pytest.mark.parametrize("since", ["7d", None])
async def test_failed_tasks_hint_is_one_call_over_the_window(client: Client, world: World, since: str | None) -> None:
    """No run failed, runs hold failed tasks: the hint is one get_run_tasks call over the agent's window (no run
    id), filled in, and it lists every failed task of the runs the listing read in its window."""
    agent = world.unpod_agents[0]
    window = {"since": since} if since else {}
    res = await call(client, "list_agent_executions", provider="unpod", agent=agent.handle, status="failed",
                     limit=100, **window)  # fmt: skip
    hint = next(n for n in res.structured_content["notes"] if "get_run_tasks(" in n)
    found = parsed(hint.split(": ", 1)[1].split(" lists")[0])
    assert found is not None, hint  # every argument filled in
    tool, args = found
    assert tool == "get_run_tasks" and "run_id" not in args, hint
    assert args["provider"] == "unpod" and args["agent"] == agent.handle and args["status"] == "failed", hint
    assert args["since"] == since if since else args["since"].endswith("Z"), hint
    tasks: list[dict[str, Any]] = []
    cursor = None
    for _ in range(20):
        page = (
            await call(client, tool, **args, limit=100, **({"cursor": cursor} if cursor else {}))
        ).structured_content
        tasks += tasks_of(page)
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert tasks and all(t["status"] == "failed" for t in tasks)
    listed = (await call(client, "list_agent_executions", provider="unpod", agent=agent.handle, limit=100,
                         **window)).structured_content  # fmt: skip
    holding = {
        r["run_id"]
        for r in executions_of(listed)
        if r["status"] == "completed" and r.get("tasks_completed", 0) < r.get("tasks_total", 0)
    }
    expected = {
        doc["task_id"]
        for run in world.unpod_runs
        if run.agent == agent and run.run_id in holding
        for i, doc in enumerate(world.unpod_tasks(run))
        if SCENARIO_TRUTH[world._scenario(run, i)[0]] == "failed"
    }
    assert holding and {t["task_id"] for t in tasks} >= expected  # every failed task of those runs
