"""Next steps that work: every filled-in `next` entry of a report or an empty listing is called as written and
must find something on that provider; empty-result hints never suggest the window just used."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.simulator.world import World
from tests.conftest import call

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
    assert await follow(client, steps) == 1  # the suggested run's failed tasks exist
