"""Failed items say why where they are listed, and say the same as the health reports about the same item."""

from __future__ import annotations

import pytest
from mcp import Client

from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.health.reasons import classify_failure, is_generic
from tests.conftest import call

pytestmark = pytest.mark.anyio


async def every_item(client: Client, tool: str, key: str, **args: object) -> tuple[list[dict], list[str]]:
    items, notes, cursor = [], [], None
    for _ in range(60):
        res = await call(client, tool, **args, limit=100, **({"cursor": cursor} if cursor else {}))
        defaults = res.structured_content.get("item_defaults", {})
        items += [{**defaults, **item} for item in res.structured_content[key]]
        notes += res.structured_content.get("notes", [])
        cursor = res.structured_content.get("next_cursor")
        if not cursor:
            return items, notes
    raise AssertionError("cursor never ended")


async def test_failed_tasks_carry_the_reason_their_run_report_counts(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.profile == "carrier_outage" and r.phase == "done")
    ref = make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)
    tasks, _ = await every_item(client, "get_run_tasks", "tasks", ref=ref, status="failed", detail="full")
    truth = {t["task_id"]: t["last_failure_reason"] for t in world.unpod_tasks(run) if t["status"] == "failed"}
    assert {t["task_id"]: t["failure_reason"] for t in tasks} == truth  # the list's generic words were replaced
    listed = {t["task_id"]: t["failure_reason"] for t in tasks}
    report = (await call(client, "summarize_run_health", ref=ref)).structured_content
    examples = 0
    for reason in report["top_failure_reasons"]:
        for task_id in reason["example_task_ids"]:
            examples += 1
            assert classify_failure(listed[task_id]) == reason["reason"], (task_id, listed[task_id], reason)
            assert listed[task_id][:120] in reason["raw_reasons"]
    assert examples


async def test_a_reason_not_read_is_said_once_per_page(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.profile == "carrier_outage" and r.phase == "done")
    res = await call(client, "get_run_tasks", provider="unpod", run_id=run.run_id, space=run.space, status="failed")
    data = res.structured_content
    generic = [t for t in data["tasks"] if is_generic(t.get("failure_reason"))]
    said = [n for n in data["notes"] if "generic reason" in n]
    assert generic and len(said) == 1 and said[0].startswith(f"{len(generic)} failed item(s)") and "`agent`" in said[0]


async def test_failed_executions_carry_their_specific_reason(client: Client, world: World) -> None:
    agent = world.runtype_agents[0]
    runs, _notes = await every_item(
        client, "list_agent_executions", "executions", provider="runtype", agent=agent.id, status="failed", since="30d"
    )
    assert runs and all(r.get("error") and not is_generic(r["error"]) for r in runs), runs
    report = (
        await call(client, "summarize_run_health", provider="runtype", agent=agent.id, since="30d")
    ).structured_content
    listed = {r["run_id"]: r["error"] for r in runs}
    for reason in report["top_failure_reasons"]:
        for run_id in reason["example_task_ids"]:
            assert classify_failure(listed[run_id]) == reason["reason"]
