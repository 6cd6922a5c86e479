"""Modus usage and approvals: credits (not dollars), tokens and LLM calls per workflow in health reports from
`/api/v1/usage` (an optional look-up: a host without it gets a note), and who a waiting run waits on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mcp import Client

from agent_runs_mcp.providers.modus.usage import CREDITS_UNIT, usage_of, waiting_of
from agent_runs_mcp.simulator.faults import Rule
from agent_runs_mcp.simulator.shared import parse_iso
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.timeutil import parse_time
from tests.conftest import call, executions_of

pytestmark = pytest.mark.anyio


def expected_usage(world: World, agent_id: int, since, until) -> dict[str, float]:
    out = {"call_count": 0, "input_tokens": 0, "output_tokens": 0, "credits": 0.0}
    for run in world.modus_runs[agent_id]:
        if since <= parse_iso(run["startedAt"]) < until:
            for key, value in world.modus_run_usage(run).items():
                out[key] += value
    return out


@pytest.mark.parametrize("by", ["id", "slug"])
async def test_health_reports_credits_and_tokens_of_the_workflow(client: Client, world: World, sim, by: str) -> None:
    flow = next(a for a in world.modus_agents if a.id == 57)
    res = await call(client, "summarize_run_health", provider="modus", agent=getattr(flow, by), since="7d")
    report = res.structured_content
    since = parse_time(report["scope"]["since"]).replace(microsecond=0)
    until = parse_time(report["scope"]["until"]).replace(microsecond=0)
    want = expected_usage(world, flow.id, since, until)
    usage = report["usage"]
    assert usage["unit"] == CREDITS_UNIT and "not USD" in usage["unit"]
    assert usage["credits"] == pytest.approx(want["credits"], abs=0.01)
    assert usage["tokens"] == want["input_tokens"] + want["output_tokens"]
    assert usage["llm_calls"] == want["call_count"]
    other = expected_usage(world, 63, since, until)  # another workflow's usage is not counted
    assert other["credits"] > 0
    assert f"{want['credits']:,.2f} Modus credits (not USD)" in res.content[0].text


@pytest.mark.parametrize("fault", ["404_html", "404", "503"])
async def test_a_host_without_usage_gets_a_note(client: Client, faults, fault: str) -> None:
    faults.rules = [Rule(match="/api/v1/usage", fault=fault)]
    res = await call(client, "summarize_run_health", provider="modus", agent="57", since="7d")
    report = res.structured_content
    assert "usage" not in report and faults.rules[0].hits >= 1
    assert any("usage" in note.lower() for note in report["notes"])
    assert report["scanned"] > 0


async def test_every_waiting_run_is_listed_with_who_and_since_when(client: Client, world: World) -> None:
    """approvalScope=all is sent: the default (`mine`) would hide runs awaiting someone else."""
    waiting = [r for r in world.modus_runs[63] if r["status"] == "awaiting_human"]
    res = await call(client, "list_agent_executions", provider="modus", agent="63", status="awaiting_human")
    items = executions_of(res.structured_content)
    assert [i["run_id"] for i in items] == [r["id"] for r in waiting]
    for item, run in zip(items, waiting, strict=True):
        pending = run["pendingApproval"]
        assert item["waiting"]["approver"] == pending["approver"]
        assert item["waiting"]["message"] == pending["message"]
        assert item["waiting"]["step"] == f"node {pending['nodeId']}"
        assert parse_time(item["waiting"]["since"]) == parse_time(pending["requestedAt"])
    assert f"(approver {waiting[0]['pendingApproval']['approver']})" in res.content[0].text
    health = await call(client, "summarize_run_health", provider="modus", agent="63", since="30d")
    assert health.structured_content["waiting"]["count"] == len(waiting)


def test_usage_reads_both_spellings_and_keeps_to_the_workflow() -> None:
    camel = {
        "groupBy": "agent",
        "buckets": [
            {"groupValue": "57", "callCount": 3, "inputTokens": 100, "outputTokens": 20, "credits": 1.5},
            {"groupValue": "63", "callCount": 9, "inputTokens": 900, "outputTokens": 90, "credits": 7.0},
            {"groupValue": "57", "callCount": 1, "inputTokens": 10, "outputTokens": 2, "credits": 0.25},
        ],
        "totals": {"callCount": 13, "inputTokens": 1010, "outputTokens": 112, "credits": 8.75},
    }
    usage = usage_of(camel, "57")
    assert usage is not None and (usage.credits, usage.tokens, usage.llm_calls) == (1.75, 132, 4)
    empty = usage_of({"group_by": "agent", "buckets": [], "totals": {"call_count": 0, "credits": 0}}, "57")
    assert empty is not None and empty.credits == 0
    assert usage_of({"unexpected": True}, "57") is None


def test_waiting_names_the_node_from_the_runs_nodes() -> None:
    pending = {
        "nodeId": "3",
        "approver": ["a@x.com", "b@x.com"],
        "message": "Approve?",
        "requestedAt": "2026-01-01T10:00:00Z",
    }
    waiting = waiting_of(pending, [{"id": "3", "name": "Finance approval"}])
    assert waiting is not None and waiting.step == "node Finance approval" and waiting.approver == "a@x.com, b@x.com"
    assert waiting_of(None) is None
    assert waiting_of({"target": {"toolName": "send_email", "args": {}}}).step == "tool send_email"  # type: ignore[union-attr]


async def test_fleet_rows_show_credits_in_their_unit(client: Client, world: World) -> None:
    window = {"since": (world.anchor - timedelta(days=7)).isoformat(), "until": world.anchor.isoformat()}
    res = await call(client, "summarize_fleet_health", provider="modus", **window)
    rows = {row["agent"]: row for row in res.structured_content["agents"]}
    report = await call(client, "summarize_run_health", provider="modus", agent="57", **window)
    credits = report.structured_content["usage"]["credits"]
    assert rows["57"]["usage"] == f"{credits:,.2f} Modus credits (not USD)"
    assert f"{credits:,.2f} Modus credits (not USD)" in res.content[0].text
