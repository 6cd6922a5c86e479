"""Items in flight for over an hour are named, oldest first, in a note of the listing (trial 3: a workflow
step running for two days and calls ringing for an hour looked like healthy running items)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from mcp import Client

from agent_runs_mcp.domain import Execution, Status
from agent_runs_mcp.tools.executions import long_in_flight_note
from tests.conftest import call
from tests.test_tools import page_all

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def run(run_id: str, status: Status, hours_ago: float | None) -> Execution:
    started = NOW - timedelta(hours=hours_ago) if hours_ago is not None else None
    return Execution(run_id=run_id, status=status, started_at=started)


def test_the_note_names_the_oldest_first_and_counts_the_rest() -> None:
    items = [
        run("young", Status.RUNNING, 0.5),
        run("a", Status.RUNNING, 2),
        run("b", Status.PENDING, 54),
        run("c", Status.RUNNING, 1.5),
        run("d", Status.RUNNING, 3),
        run("done", Status.COMPLETED, 80),
        run("waits", Status.AWAITING_HUMAN, 80),  # waits on a person: said elsewhere, not stuck
        run("no start", Status.RUNNING, None),
    ]
    note = long_in_flight_note(items, NOW)
    assert note == (
        "4 shown in flight for over an hour: b (54h00m), d (3h00m), a (2h00m) and 1 more; check whether they are stuck."
    )
    assert long_in_flight_note(items[:1], NOW) is None


async def test_a_running_listing_names_what_has_run_for_hours(client: Client) -> None:
    items = await page_all(client, "list_agent_executions", "executions", status="running", detail="full")
    now = datetime.now(UTC)
    old = [
        (now - datetime.fromisoformat(i["started_at"].replace("Z", "+00:00")), i["run_id"])
        for i in items
        if i.get("started_at")
    ]
    old = sorted(((age, r) for age, r in old if age > timedelta(hours=1)), reverse=True)
    assert old  # the world has a workflow stuck for days and calls ringing for an hour
    res = await call(client, "list_agent_executions", status="running", limit=50)
    (note,) = [n for n in res.structured_content["notes"] if "in flight for over an hour" in n]
    assert note.startswith(f"{len(old)} shown in flight for over an hour: {old[0][1]} (")
    assert note in res.content[0].text


def test_how_long_a_run_has_waited_is_said() -> None:
    from agent_runs_mcp.domain import Waiting
    from agent_runs_mcp.tools.executions import waiting_words
    from agent_runs_mcp.tools.formatting import fmt_age

    assert [fmt_age(s) for s in (59, 42 * 60, 5 * 3600 + 600, 47 * 3600, 6 * 86400 + 23 * 3600)] == [
        "0m", "42m", "5h10m", "47h00m", "6d23h"
    ]  # fmt: skip
    words = waiting_words(Waiting(step="tool send_email", since=NOW - timedelta(hours=23, minutes=10)), NOW)
    assert words == "waits on tool send_email since 2026-12-04 12:50Z (23h10m)"


async def test_a_waiting_listing_says_how_long_each_has_waited(client: Client) -> None:
    res = await call(client, "list_agent_executions", status="awaiting_human", limit=50)
    lines = [line for line in res.content[0].text.splitlines() if " since " in line and "waits on" in line]
    pattern = re.compile(r"since \d{4}-\d{2}-\d{2} \d{2}:\d{2}Z \((\d+m|\d+h\d{2}m|\d+d\d{2}h)\)")
    assert lines and all(pattern.search(line) for line in lines), lines


def test_waits_over_an_hour_are_named_longest_first() -> None:
    from agent_runs_mcp.domain import Waiting
    from agent_runs_mcp.tools.executions import long_waits_note

    def waits(run_id: str, hours: float | None) -> Execution:
        since = NOW - timedelta(hours=hours) if hours is not None else None
        return Execution(run_id=run_id, status=Status.AWAITING_HUMAN, started_at=NOW, waiting=Waiting(since=since))

    items = [waits("fresh", 0.5), waits("week", 176), waits("day", 25), waits("unknown", None)]
    items.append(run("runs", Status.RUNNING, 30))  # in flight: the other note's
    assert long_waits_note(items, NOW) == "2 shown waiting on a person for over an hour: week (7d08h), day (25h00m)."
    assert long_waits_note(items[:1], NOW) is None


async def test_a_waiting_listing_names_the_long_waits(client: Client) -> None:
    res = await call(client, "list_agent_executions", status="awaiting_human", limit=50)
    now = datetime.now(UTC)
    old = [
        i["run_id"]
        for i in res.structured_content["executions"]
        if now - datetime.fromisoformat(i["waiting"]["since"].replace("Z", "+00:00")) > timedelta(hours=1)
    ]
    assert old  # the world has approvals waiting for days
    (note,) = [n for n in res.structured_content["notes"] if "waiting on a person" in n]
    assert note.startswith(f"{len(old)} shown waiting on a person for over an hour: ")
    assert all(run_id in note for run_id in old[:3]) and note in res.content[0].text
