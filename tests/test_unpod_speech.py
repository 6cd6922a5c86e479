"""Unpod's speech plane next to the platform API: agents created through the SDK (`asst_...`), their calls
as executions, a call's detail and transcript, its status table and end reasons, and health over them."""

from __future__ import annotations

from collections import Counter

import pytest
from mcp import Client

from agent_runs_mcp.simulator.faults import Rule
from agent_runs_mcp.simulator.world import World
from tests.conftest import call, turns_of
from tests.test_tools import page_all

pytestmark = pytest.mark.anyio


def calls_of(world: World, agent_id: str) -> list[dict]:
    return [c for c in world.speech_calls if c["agent_id"] == agent_id]


async def test_list_agents_shows_both_planes(client: Client, world: World) -> None:
    res = await call(client, "list_agents", provider="unpod")
    agents = {a["id"]: a for a in res.structured_content["agents"]}
    for speech in world.speech_agents:
        assert agents[speech["agent_id"]]["kind"] == "speech-plane agent"
    assert all(agents[a.handle].get("kind") != "speech-plane agent" for a in world.unpod_agents)
    assert "speech-plane agent" in res.content[0].text


async def test_speech_calls_are_executions_with_their_facts(client: Client, world: World) -> None:
    agent = world.speech_agents[0]["agent_id"]
    truth = calls_of(world, agent)
    runs = await page_all(client, "list_agent_executions", "executions", provider="unpod", agent=agent, detail="full")
    assert Counter(r["status"] for r in runs) == Counter(c["_truth"] for c in truth)
    by_id = {c["id"]: c for c in truth}
    for run in runs:
        raw = by_id[run["run_id"]]
        if raw.get("ended_at"):
            assert run["started_at"] and run["duration_s"] == raw["duration_s"]
            assert raw["end_reason"] in run["stop_reason"]
    assert {r.get("provider_status") for r in runs} >= {"connected", "notConnected", "failed"}
    failed = await page_all(
        client, "list_agent_executions", "executions", provider="unpod", agent=agent, status="failed"
    )
    assert len(failed) == sum(c["_truth"] == "failed" for c in truth)


@pytest.mark.parametrize("status", ["running", "scheduled", "pending"])
async def test_an_in_flight_status_lists_every_call_in_it(client: Client, world: World, status: str) -> None:
    """`running` is both `ringing` and `active` on the speech plane: a filter the API takes one word of
    would list only the active calls (an operator asking "what is running?" missed the ringing ones)."""
    for speech in world.speech_agents:
        agent = speech["agent_id"]
        truth = [c["id"] for c in calls_of(world, agent) if c["_truth"] == status]
        runs = await page_all(
            client, "list_agent_executions", "executions", provider="unpod", agent=agent, status=status
        )
        assert sorted(r["run_id"] for r in runs) == sorted(truth), (agent, status)
    words = {c["status"] for c in world.speech_calls if c["_truth"] == "running"}
    assert words == {"ringing", "active"}  # the case the test is about is in the world


async def test_a_call_run_task_and_transcript(client: Client, world: World) -> None:
    agent = world.speech_agents[1]["agent_id"]
    no_answer = next(c for c in calls_of(world, agent) if c.get("end_reason") == "USER_DID_NOT_PICK_UP")
    talked = next(c for c in calls_of(world, agent) if c["_transcript"])
    runs = await page_all(client, "list_agent_executions", "executions", provider="unpod", agent=agent, detail="full")
    refs = {r["run_id"]: r["ref"] for r in runs}
    tasks = await call(client, "get_run_tasks", ref=refs[no_answer["id"]])
    (task,) = tasks.structured_content["tasks"]
    assert task["status"] == "failed" and task["end_reason"] == "no answer (USER_DID_NOT_PICK_UP)"
    assert task["contact"] and task["duration_s"] is not None
    tasks = await call(client, "get_run_tasks", ref=refs[talked["id"]], detail="full")
    (task,) = tasks.structured_content["tasks"]
    assert task["has_transcript"] is True
    text = await call(client, "get_call_transcript", ref=task["ref"], max_turns=200)
    data = text.structured_content
    assert data["total_turns"] == len(talked["_transcript"]) and data["call"]["status"] == "completed"
    assert data["call"]["recording_url"] and turns_of(data)[0]["speaker"] == "agent"
    again = await call(client, "get_call_transcript", provider="unpod", call_id=talked["id"])
    assert again.structured_content["total_turns"] == len(talked["_transcript"])


async def test_health_over_speech_calls(client: Client, world: World) -> None:
    agent = world.speech_agents[0]["agent_id"]
    truth = calls_of(world, agent)
    res = await call(client, "summarize_run_health", provider="unpod", agent=agent, since="7d")
    report = res.structured_content
    assert report["totals"] == dict(Counter(c["_truth"] for c in truth))  # every call is inside the 7 days
    reasons = {r["reason"]: r["count"] for r in report["top_failure_reasons"]}
    expected = Counter(c["_reason"] for c in truth if c["_reason"])
    assert reasons == dict(expected.most_common(5))
    assert "no_answer" in reasons and "other" not in reasons


async def test_a_host_without_the_speech_plane_is_a_note(client: Client, world: World, faults) -> None:
    faults.rules = [Rule(match="/speech/v1/agents", fault="404_html")]
    res = await call(client, "list_agents", provider="unpod", fresh=True)
    ids = [a["id"] for a in res.structured_content["agents"]]
    assert ids == [a.handle for a in world.unpod_agents]
    assert any("no speech plane" in n for n in res.structured_content["notes"])


async def test_search_finds_calls_that_never_talked_by_why_they_failed(client: Client, world: World) -> None:
    """A voicemail or unanswered call has no turns, but its end reason is searched (from its list row), so
    "how many calls reached voicemail?" counts them all (trial 3 found 72 of 83)."""
    for speech in world.speech_agents:
        agent = speech["agent_id"]
        truth = {c["id"] for c in calls_of(world, agent) if c.get("_reason") == "voicemail"}
        assert truth and not any(c["_transcript"] for c in calls_of(world, agent) if c["id"] in truth)
        res = await call(client, "search_calls", provider="unpod", agent=agent, query="voicemail", since="30d")
        assert res.structured_content["matched"] == len(truth), agent
