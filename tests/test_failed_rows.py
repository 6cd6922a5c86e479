"""`get_run_tasks(agent=X, status="failed", detail="rows")`: "which of X's calls failed, and why?" as the why.

The rows come under their failure category (`by_reason`, the largest first: each label said once, not on every
row), a start column of calls that never connected is named `queued` (no mark on every value, no note), and a
page of calls that never connected names no transcript to open (they have none)."""

from __future__ import annotations

from datetime import datetime

import pytest
from mcp import Client

from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.task_table import QUEUED_NOTE
from tests.conftest import call
from tests.test_window_tasks import iso, unpod_truth

pytestmark = pytest.mark.anyio


async def test_failed_rows_come_under_their_failure_category(client: Client, world: World) -> None:
    agent = world.unpod_agents[0]
    args = {"provider": "unpod", "agent": agent.handle, "detail": "rows", "limit": 100}  # the default 24h
    res = await call(client, "get_run_tasks", **args, status="failed")
    data = res.structured_content
    grouped = data["by_reason"]
    assert "reason" not in data["columns"] and not data.get("rows")
    sizes = [len(rows) for rows in grouped.values()]
    assert len(grouped) > 1 and sizes == sorted(sizes, reverse=True)  # the largest category first
    assert data["complete"] and not data.get("next_cursor")
    since = datetime.fromisoformat(data["filters"]["since"].replace("Z", "+00:00"))
    truth = unpod_truth(world, agent, since)
    failed = {tid for tid, (status, _doc) in truth.items() if status == "failed"}
    assert {row[0] for rows in grouped.values() for row in rows} == failed and sum(sizes) == len(failed)
    for label, rows in grouped.items():  # each row is under the category the `reason` filter finds it by
        same = (await call(client, "get_run_tasks", **args, since=iso(since), reason=label)).structured_content
        assert {row[0] for row in rows} == {row[0] for row in same["rows"]}, label
    text = res.content[0].text
    for label, rows in grouped.items():
        assert f"\n{label} ({len(rows)}):\n" in text  # the text says each category once, with its count
    assert f"· {sum(sizes)} call task(s)" in text or f"· {sum(sizes)} task(s)" in text


async def test_calls_that_never_connected_are_said_queued_once(client: Client, world: World) -> None:
    agent = world.unpod_agents[0]
    args = {"provider": "unpod", "agent": agent.handle, "status": "failed", "reason": "busy", "detail": "rows"}
    data = (await call(client, "get_run_tasks", **args, since="7d")).structured_content
    assert data["rows"] and "queued" in data["columns"] and "start" not in data["columns"]
    at = data["columns"].index("queued")
    assert all(not str(row[at]).endswith("*") for row in data["rows"]) and QUEUED_NOTE not in data["notes"]
    assert "next" not in data  # calls that never connected: no transcript to open


async def test_a_sorted_failed_table_keeps_its_order(client: Client, world: World) -> None:
    """Grouping would undo `sort`: a sorted table of failed calls stays one list, in its order."""
    agent = world.unpod_agents[0]
    args = {"provider": "unpod", "agent": agent.handle, "status": "failed", "since": "7d", "detail": "rows"}
    data = (await call(client, "get_run_tasks", **args, sort="start", limit=30)).structured_content
    assert data["rows"] and "by_reason" not in data and "reason" in data["columns"]
