"""A failed call's facts (issue 22 item 10): a call that never connected answers with its failure reason,
attempts and times (not only "No turns were recorded"), in both channels, even when it is located through its
run's task list, which leaves the attempt history out."""

from __future__ import annotations

import pytest
from mcp import Client

from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.world import World
from tests.conftest import call, tasks_of

pytestmark = pytest.mark.anyio


def text_of(res) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(b.text for b in res.content if getattr(b, "type", "") == "text")


def _never_connected(world: World):  # type: ignore[no-untyped-def]
    """A finished run and one of its failed call tasks that has no conversation, with its full document."""
    for run in world.unpod_runs:
        if run.phase != "done":
            continue
        for doc in world.unpod_tasks(run, 0, run.n_tasks):
            output = doc.get("output") or {}
            if doc["status"] == "failed" and not output.get("transcript") and doc.get("failure_count"):
                return run, doc
    raise AssertionError("the simulator has no failed call without a transcript")


async def test_a_call_that_never_connected_says_why_how_often_and_when(client: Client, world: World) -> None:
    run, doc = _never_connected(world)
    ref = make_ref("unpod", "run", r=run.run_id, s=run.space)  # the run's list: no attempt history in it
    listed = await call(client, "get_run_tasks", ref=ref, status="failed", limit=100, detail="full")
    task = next(t for t in tasks_of(listed.structured_content) if t["task_id"] == doc["task_id"])
    assert "attempts" not in task  # what the run's task list gives

    res = await call(client, "get_call_transcript", ref=task["ref"])
    text, facts = text_of(res), res.structured_content["call"]
    assert "No turns were recorded" in text
    assert f"failure: {doc['last_failure_reason']}" in text
    assert f"{doc['failure_count']} attempts" in text
    assert "Times: queued " in text and ", ended " in text
    assert facts["failure_reason"] == doc["last_failure_reason"]
    assert facts["attempts"] == doc["failure_count"]
    assert facts["created_at"] and facts["ended_at"]
    assert res.structured_content["turns"] == []


async def test_a_call_with_turns_keeps_its_text_as_it_was(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.phase == "done" and r.n_tasks >= 20)
    ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
    listed = await call(client, "get_run_tasks", ref=ref, status="completed", limit=5)
    task = next(t for t in tasks_of(listed.structured_content) if t.get("has_transcript"))
    full = await call(client, "get_run_tasks", ref=ref, status="completed", limit=5, detail="full")
    task_ref = next(t["ref"] for t in full.structured_content["tasks"] if t["task_id"] == task["task_id"])
    res = await call(client, "get_call_transcript", ref=task_ref)
    assert res.structured_content["turns"] and "Times:" not in text_of(res)
    assert "ended_at" not in res.structured_content["call"]
