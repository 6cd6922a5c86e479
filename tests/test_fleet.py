"""summarize_fleet_health: every agent of every account, ranked by what needs attention, checked against
each agent's own report and the simulator; a provider that fails for one agent is a row, not an error."""

from __future__ import annotations

import pytest
from mcp import Client

from agent_runs_mcp.simulator.faults import Rule
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.health.fleet_view import RANK
from tests.conftest import call

pytestmark = pytest.mark.anyio


async def test_every_agent_ranked_by_what_needs_attention(client: Client, world: World) -> None:
    res = await call(client, "summarize_fleet_health", since="7d")
    data = res.structured_content
    expected = len(world.unpod_agents) + len(world.speech_agents) + len(world.runtype_agents) + len(world.modus_agents)
    assert data["counted"] == expected == sum(data["verdicts"].values())
    rows = data["agents"]
    order = [RANK[r["verdict"]] for r in rows]
    assert order == sorted(order)  # failing, then degraded, healthy, not enough data
    for verdict in {r["verdict"] for r in rows}:
        changes = [r.get("change_pts", 0) for r in rows if r["verdict"] == verdict]
        assert changes == sorted(changes)  # inside a verdict: the biggest drop first
    # Each row says what that agent's own report says.
    for row in rows[:4]:
        own = await call(client, "summarize_run_health", provider=row["provider"], agent=row["agent"], since="7d")
        assert own.structured_content["verdict"] == row["verdict"]
        own_rate = own.structured_content.get("success_rate")
        if row["verdict"] == "insufficient_data":
            assert "success_rate" not in row  # too few finished: no rate, no change
        else:  # rows carry whole percents, as their text says
            assert row["success_rate"] == pytest.approx(own_rate, abs=0.005)
    assert data["next"] and res.content[0].text.startswith(f"Fleet · {expected} agent(s)")


async def test_one_account_and_a_failing_agent(client: Client, world: World, faults) -> None:
    faults.rules = [Rule(match="/api/v1/workflows/57/runs", fault="500")]
    res = await call(client, "summarize_fleet_health", provider="modus", since="7d")
    rows = {r["agent"]: r for r in res.structured_content["agents"]}
    assert set(rows) == {str(a.id) for a in world.modus_agents}
    assert rows["57"]["verdict"] == "error" and "Modus" in rows["57"]["headline"]
    assert res.structured_content["agents"][-1]["agent"] == "57"  # errors rank last


async def test_a_row_names_its_rate_s_denominator_and_what_its_waits_count(client: Client) -> None:
    """`4 failed of 8 finished (11 in window)`: the figures reconcile with the rate and the agent's own report;
    the waits are those of items started in the window, and the text says so."""
    res = await call(client, "summarize_fleet_health", since="24h")
    rows = [{"finished": 0, "failed": 0, **r} for r in res.structured_content["agents"]]  # 0: left out
    for row in rows:
        row.setdefault("items", row["finished"])  # left out when it equals finished
    lines = res.content[0].text.splitlines()
    unfinished = [r for r in rows if r["failed"] and r["finished"] < r["items"]]
    assert unfinished  # the case that confused: items still running or waiting in the window
    for row in rows:
        line = next(x for x in lines if x.startswith(f"- {row['provider']}/{row['agent']} "))
        if row["failed"]:
            rest = f" ({row['items']} in window)" if row["items"] != row["finished"] else ""
            assert f" · {row['failed']} failed of {row['finished']} finished{rest} · " in line
        if row.get("awaiting"):
            assert f" · {row['awaiting']} waiting (started in window)" in line
    row = unfinished[0]
    own = await call(client, "summarize_run_health", provider=row["provider"], agent=row["agent"], since="24h")
    assert own.structured_content["finished"] == row["finished"]
    assert sum(own.structured_content["totals"].values()) == row["items"]
    waits = [r for r in rows if r.get("awaiting")]
    assert waits and "Waiting on a person (started in window): " in res.content[0].text
    # trial 6: "awaiting 1" read as every wait; the next step lists them all, those started earlier too
    step = 'list_agent_executions(status="awaiting_human"): every wait now, with its step and since'
    assert step in res.structured_content["next"] and f"Next: {step}" in res.content[0].text
    listed = await call(client, "list_agent_executions", status="awaiting_human")
    assert len(listed.structured_content["executions"]) >= sum(r["awaiting"] for r in waits)
