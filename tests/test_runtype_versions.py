"""Runtype's "what changed": executions' agent versions, reports split by version naming the one where
failures began, run insights for which tool fails (an optional look-up: failures become notes), and what a
paused execution waits for."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from mcp import Client

from agent_runs_mcp.simulator.faults import Rule
from agent_runs_mcp.simulator.runtype_world import REGRESSED_VERSION
from agent_runs_mcp.simulator.shared import parse_iso
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.timeutil import parse_time
from tests.conftest import call, executions_of

pytestmark = pytest.mark.anyio


def agent_named(world: World, name: str):
    return next(a for a in world.runtype_agents if a.name == name)


def top_level(world: World, agent_id: str) -> list[dict]:
    return [e for e in world.runtype_executions if e["agentId"] == agent_id and e["parentExecutionId"] is None]


async def test_a_report_splits_by_version_and_names_where_failures_began(client: Client, world: World) -> None:
    triage = agent_named(world, "Support Triage")
    res = await call(client, "summarize_run_health", provider="runtype", agent=triage.id, since="7d")
    report = res.structured_content
    since = parse_time(report["scope"]["since"])
    expected: Counter[tuple[int, str]] = Counter()
    for e in top_level(world, triage.id):
        if parse_iso(e["createdAt"]) >= since:
            expected[(e["agentVersion"]["versionNumber"], e["_truth"])] += 1
    versions = {v["version"].split()[0]: v for v in report["versions"]}
    assert list(versions) == [f"v{REGRESSED_VERSION - 1}", f"v{REGRESSED_VERSION}"]  # oldest first
    for number in (REGRESSED_VERSION - 1, REGRESSED_VERSION):
        figures = versions[f"v{number}"]
        assert figures["items"] == sum(n for (v, _), n in expected.items() if v == number)
        assert figures["failed"] == expected[(number, "failed")]
    began = report["failures_began_in"]
    assert began.startswith(f"v{REGRESSED_VERSION}") and "stricter ticket schema" in began
    text = res.content[0].text
    assert f"failures began in version {began}" in report["headline"]
    assert "Versions: v7" in text and f"Failures began in version {began}." in text


async def test_run_insights_say_which_tool_fails(client: Client, world: World) -> None:
    triage = agent_named(world, "Support Triage")
    runs = top_level(world, triage.id)[:200]
    calls = Counter(c["toolName"] for e in runs for c in e["_tools"])
    failed = Counter(c["toolName"] for e in runs for c in e["_tools"] if c["status"] == "failed")
    res = await call(client, "summarize_run_health", provider="runtype", agent=triage.id)
    tools = res.structured_content["tools"]
    assert tools[0]["tool"] == failed.most_common(1)[0][0] == "create_ticket"
    assert {t["tool"]: (t["calls"], t["failed"]) for t in tools} == {n: (calls[n], failed[n]) for n in calls}
    line = next(n for n in res.structured_content["notes"] if n.startswith("Tools over"))
    assert f"the agent's last {len(runs)} runs" in line
    assert f"create_ticket {failed['create_ticket']} of {calls['create_ticket']} calls failed" in line


@pytest.mark.parametrize("fault", ["404", "503", "404_html"])
async def test_run_insights_failing_is_a_note(client: Client, world: World, faults, fault: str) -> None:
    faults.rules = [Rule(match="/run-insights", fault=fault)]
    triage = agent_named(world, "Support Triage")
    res = await call(client, "summarize_run_health", provider="runtype", agent=triage.id)
    report = res.structured_content
    assert "tools" not in report and report["failures_began_in"].startswith("v8")  # paging still splits versions
    assert any("run-insights" in n or "Run insights could not be read" in n for n in report["notes"])
    assert faults.rules[0].hits >= 1


async def test_one_version_gives_no_split(client: Client, world: World) -> None:
    invoice = agent_named(world, "Invoice Extractor")
    res = await call(client, "summarize_run_health", provider="runtype", agent=invoice.id, since="7d")
    assert "versions" not in res.structured_content and "failures_began_in" not in res.structured_content


async def test_paused_executions_say_which_tool_waits_and_since_when(client: Client, world: World) -> None:
    triage = agent_named(world, "Support Triage")
    paused = next(e for e in top_level(world, triage.id) if e["status"] == "paused")
    res = await call(
        client, "list_agent_executions", provider="runtype", agent=triage.id, status="awaiting_human", limit=5
    )
    item = next(e for e in executions_of(res.structured_content) if e["run_id"] == paused["id"])
    pending = paused["pendingApproval"]
    assert item["waiting"]["step"] == f"tool {pending['toolName']}"
    assert item["waiting"]["message"] == pending["reason"]
    assert parse_time(item["waiting"]["since"]) == parse_time(pending["requestedAt"])
    assert item["agent_version"].startswith(f"v{paused['agentVersion']['versionNumber']}")
    assert f"waits on tool {pending['toolName']}" in res.content[0].text
    health = await call(client, "summarize_run_health", provider="runtype", agent=triage.id)
    waiting = health.structured_content["waiting"]
    assert waiting["count"] >= 1 and parse_time(waiting["oldest_since"]) <= parse_time(
        pending["requestedAt"]
    ) + timedelta(0)


async def test_the_fleet_row_names_the_version_failures_began_in(client: Client, world: World) -> None:
    triage = agent_named(world, "Support Triage")
    res = await call(client, "summarize_fleet_health", provider="runtype", since="7d")
    row = next(r for r in res.structured_content["agents"] if r["agent"] == triage.id)
    assert row["failures_began_in"].startswith(f"v{REGRESSED_VERSION}")
    assert f"failures began in version {row['failures_began_in']}" in res.content[0].text
    others = [r for r in res.structured_content["agents"] if r["agent"] != triage.id]
    assert all("failures_began_in" not in r for r in others)
