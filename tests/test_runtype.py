"""Runtype as its official SDK describes it: the whole status vocabulary, server-side filters for every
status, failure reasons from the real sources (no `error` field exists), `{toolCalls}` with truncated
values completed from the detail, optional look-ups that become notes, and every retry-wait header."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from mcp import Client

from agent_runs_mcp.providers.client import wait_from_headers
from agent_runs_mcp.simulator.faults import Rule
from agent_runs_mcp.simulator.world import World
from tests.conftest import call, turns_of
from tests.test_tools import page_all

pytestmark = pytest.mark.anyio


def top_level(world: World, agent_id: str) -> list[dict]:
    return [e for e in world.runtype_executions if e["agentId"] == agent_id and e["parentExecutionId"] is None]


async def test_every_status_maps_and_one_word_filters_on_the_server(client: Client, world: World, sim) -> None:
    agent = world.runtype_agents[0]
    runs = top_level(world, agent.id)
    words = Counter(e["status"] for e in runs)
    assert {"queued", "paused", "running", "failed", "completed"} <= set(words)
    for status, expected in (
        ("failed", words["failed"] + words["interrupted"]),
        ("pending", words["queued"]),
        ("awaiting_human", words["paused"]),
        ("completed", words["completed"]),
    ):
        args = {"provider": "runtype", "agent": agent.id, "status": status, "limit": 100, "detail": "full"}
        res = await call(client, "list_agent_executions", **args)
        data = res.structured_content
        assert all(e["status"] == status for e in data["executions"])
        if status != "failed":  # one server word: filtered on the server, the provider's count is exact
            assert data["scanned"] == expected and data["total"] == expected, status
        else:  # two words: read unfiltered and filtered here, so the listing stays newest first
            listed = await page_all(client, "list_agent_executions", "executions", **args)
            assert len(listed) == expected
            starts = [e["started_at"] for e in listed if e.get("started_at")]
            assert starts == sorted(starts, reverse=True)
    paused = await call(client, "list_agent_executions", provider="runtype", agent=agent.id, status="awaiting_human")
    waiting = paused.structured_content["executions"][0]["waiting"]  # said once: `waiting`, not also `summary`
    assert waiting["step"].startswith("tool ") and "summary" not in paused.structured_content["executions"][0]


async def test_failure_reasons_come_from_the_real_sources(client: Client, world: World) -> None:
    """Every failed execution's reason is read from where the recorded truth says it is: the events
    replay, the failed tool call, the error logs; interrupted runs say so."""
    checked = Counter()
    for agent in world.runtype_agents[:3]:
        for execution in top_level(world, agent.id):
            if execution["_truth"] != "failed":
                continue
            reason, source = execution["_reason"]
            res = await call(client, "get_call_transcript", provider="runtype", call_id=execution["id"], agent=agent.id)
            call_info = res.structured_content["call"]
            assert reason in call_info["end_reason"], (execution["id"], source, call_info)
            checked[source] += 1
    assert checked["tool"] and checked["events"] and checked["logs"], checked


async def test_window_report_explains_failures_without_an_error_field(client: Client, world: World) -> None:
    agent = world.runtype_agents[0]
    res = await call(client, "summarize_run_health", provider="runtype", agent=agent.id, since="30d")
    report = res.structured_content
    failed = [e for e in top_level(world, agent.id) if e["_truth"] == "failed"]
    assert report["totals"].get("failed") == len(failed)
    raw = {word for r in report["top_failure_reasons"] for word in r["raw_reasons"]}
    assert "error" not in raw and "interrupted" not in raw, raw  # generic words were explained
    if any(e["status"] == "interrupted" for e in failed):
        assert any(r["reason"] == "interrupted" for r in report["top_failure_reasons"])


async def test_truncated_tool_values_are_completed_from_the_detail(client: Client, world: World, faults) -> None:
    execution = next(
        e for e in world.runtype_executions if any(len(str(t["outputResult"])) > 16_384 for t in e["_tools"])
    )
    args = {"provider": "runtype", "call_id": execution["id"], "agent": execution["agentId"]}
    res = await call(client, "get_call_transcript", **args)
    tool_turns = [t["text"] for t in turns_of(res.structured_content) if t["speaker"] == "tool"]
    assert tool_turns and not any("[truncated; preview]" in t for t in tool_turns)
    faults.rules = [Rule(match="/tool-calls/", fault="404")]
    res = await call(client, "get_call_transcript", **args, fresh=True)
    data = res.structured_content
    assert any("[truncated; preview]" in t["text"] for t in turns_of(data))
    assert any("could not be read in full" in n for n in data["notes"])


async def test_optional_lookups_never_sink_the_answer(client: Client, world: World, faults) -> None:
    failed = next(e for e in world.runtype_executions if e["status"] == "failed" and e["parentExecutionId"] is None)
    faults.rules = [Rule(match="/events", fault="500"), Rule(match="/v1/logs", fault="404")]
    res = await call(client, "get_call_transcript", provider="runtype", call_id=failed["id"], agent=failed["agentId"])
    assert res.structured_content["call"]["status"] == "failed"
    health = await call(client, "summarize_run_health", provider="runtype", agent=failed["agentId"], since="30d")
    assert health.structured_content["totals"]["failed"] >= 1


def test_every_wait_header_is_honoured() -> None:
    now = 1_800_000_000.0
    assert wait_from_headers(httpx.Headers({"retry-after-ms": "1500"}), now) == 1.5
    assert wait_from_headers(httpx.Headers({"Retry-After": "3"}), now) == 3.0
    assert wait_from_headers(httpx.Headers({"X-RateLimit-Reset": str(now + 4)}), now) == 4.0
    assert wait_from_headers(httpx.Headers({"X-RateLimit-Reset": "7"}), now) == 7.0
    assert wait_from_headers(httpx.Headers({}), now) is None


async def test_a_fleet_listing_of_failed_runs_is_newest_first(client: Client) -> None:
    """Runtype's `failed` is two words; read one after the other, every failed run came before any
    interrupted one, and the listing merged across agents by time came out of order (trial 5)."""
    res = await call(client, "list_agent_executions", status="failed", since="30d", limit=100)
    data = res.structured_content
    items = [{**data.get("item_defaults", {}), **e} for e in data["executions"]]
    starts = [e["started_at"] for e in items if e.get("started_at")]
    assert len(starts) > 10 and starts == sorted(starts, reverse=True)
