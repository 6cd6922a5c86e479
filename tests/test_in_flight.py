"""Items in flight for over an hour are named, oldest first, in a note of the listing (trial 3: a workflow
step running for two days and calls ringing for an hour looked like healthy running items)."""

from __future__ import annotations

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
