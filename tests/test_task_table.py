"""get_run_tasks as a table: filters, sorting and the compact row form, checked against the simulator's truth."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.errors import InputError
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.task_table import parse_duration, parse_reason
from tests.conftest import call, call_error, tasks_of

pytestmark = pytest.mark.anyio


def outage_run(world: World) -> Any:
    return next(r for r in world.unpod_runs if r.profile == "carrier_outage" and r.n_tasks == 64)


def truth(world: World, run: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(task id, scenario, raw output) of every task, from the generator itself."""
    docs = world.unpod_tasks(run)
    return [(doc["task_id"], world._scenario(run, i)[0], doc["output"]) for i, doc in enumerate(docs)]


def test_parse_reason_accepts_keys_and_labels_and_lists_the_vocabulary() -> None:
    assert parse_reason("SIP or carrier error") == "sip_error"
    assert parse_reason("sip_error") == "sip_error"
    assert parse_reason("  No   Answer ") == "no_answer"
    assert parse_reason(None) is None
    with pytest.raises(InputError, match='Accepted: "no answer"'):
        parse_reason("the moon" * 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("60-300", (60, 300)), ("120-", (120, None)), ("-10", (None, 10)), ("2m-", (120, None)), ("1m-1.5m", (60, 90))],
)
def test_parse_duration(text: str, expected: tuple[float | None, float | None]) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["x", "60", "-", "300-60", "1d-", "60-300-900", "--5", "1e9-"])
def test_parse_duration_refuses_what_is_not_a_range(text: str) -> None:
    with pytest.raises(InputError, match="`duration`"):
        parse_duration(text)


async def test_reason_filter_finds_exactly_the_category_a_report_counts(client: Client, world: World) -> None:
    run = outage_run(world)
    expected = {tid for tid, scenario, _ in truth(world, run) if scenario == "sip_error"}
    res = await call(
        client, "get_run_tasks", provider="unpod", run_id=run.run_id, agent=run.agent.handle,
        reason="SIP or carrier error", limit=100, detail="rows",
    )  # fmt: skip
    data = res.structured_content
    assert data["columns"][0] == "task_id"
    assert {row[0] for row in data["rows"]} == expected
    assert data["total"] == len(expected)
    reasons = {row[data["columns"].index("reason")] for row in data["rows"]}
    assert reasons == {"SIP or carrier error"}  # read from the provider's detail, not "max retries"
    health = await call(client, "summarize_run_health", provider="unpod", run_id=run.run_id, agent=run.agent.handle)
    sip = next(r for r in health.structured_content["top_failure_reasons"] if r["reason"] == "sip_error")
    assert sip["count"] == len(expected)  # the table and the report agree


async def test_sort_by_duration_and_cursor_continue_in_order(client: Client, world: World) -> None:
    run = outage_run(world)
    durations = sorted((out["duration"] for _, _, out in truth(world, run) if out.get("duration")), reverse=True)
    args = {"provider": "unpod", "run_id": run.run_id, "agent": run.agent.handle, "sort": "duration", "limit": 4}
    first = (await call(client, "get_run_tasks", **args)).structured_content
    second = (await call(client, "get_run_tasks", **args, cursor=first["next_cursor"])).structured_content
    got = [t["duration_s"] for t in tasks_of(first) + tasks_of(second)]
    assert got == durations[:8]
    assert first["filters"] == {"sort": "duration"}
    costliest = await call(client, "get_run_tasks", **{**args, "sort": "cost", "limit": 1})
    costs = [out["cost"] for _, _, out in truth(world, run) if out.get("cost") is not None]
    assert tasks_of(costliest.structured_content)[0]["cost_usd"] == max(costs)


async def test_ascending_sorts_give_the_shortest_and_cheapest_first(client: Client, world: World) -> None:
    """Trial 6: "the shortest completed call" took a guessed duration filter; `duration_asc` answers it."""
    run = outage_run(world)
    durations = sorted(out["duration"] for _, _, out in truth(world, run) if out.get("duration"))
    args = {"provider": "unpod", "run_id": run.run_id, "agent": run.agent.handle, "sort": "duration_asc", "limit": 4}
    first = (await call(client, "get_run_tasks", **args)).structured_content
    second = (await call(client, "get_run_tasks", **args, cursor=first["next_cursor"])).structured_content
    assert [t["duration_s"] for t in tasks_of(first) + tasks_of(second)] == durations[:8]
    assert first["filters"] == {"sort": "duration_asc"}
    cheapest = await call(client, "get_run_tasks", **{**args, "sort": "cost_asc", "limit": 1})
    costs = [out["cost"] for _, _, out in truth(world, run) if out.get("cost") is not None]
    assert tasks_of(cheapest.structured_content)[0]["cost_usd"] == min(costs)


async def test_outcome_and_duration_filters(client: Client, world: World) -> None:
    run = outage_run(world)
    out_of = {
        tid: out for tid, _, out in truth(world, run) if out.get("duration") and out["duration"] >= 30
    }  # fmt: skip
    expected = {
        tid for tid, out in out_of.items()
        if (out.get("post_call_data") or {}).get("summary", {}).get("status") == "Call Back"
    }  # fmt: skip
    res = await call(
        client, "get_run_tasks", provider="unpod", run_id=run.run_id, agent=run.agent.handle,
        outcome="call back", duration="30-", limit=100,
    )  # fmt: skip
    data = res.structured_content
    assert {t["task_id"] for t in data["tasks"]} == expected
    assert all(t["duration_s"] >= 30 and t["outcome"] == "Call Back" for t in tasks_of(data))
    assert "total" not in data  # the provider's count is of every task


async def test_rows_fit_a_hundred_tasks_in_the_default_budget(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.n_tasks == 118)
    args = {"provider": "unpod", "run_id": run.run_id, "agent": run.agent.handle, "limit": 100}
    rows = (await call(client, "get_run_tasks", **args, detail="rows")).structured_content
    assert len(rows["rows"]) == 100 and not rows.get("truncated")
    assert rows["tasks"] == []
    concise = await call(client, "get_run_tasks", **args)
    data = concise.structured_content
    assert data["truncated"] and data["notes"][0].startswith("Cut to ")
    text = concise.content[0].text.splitlines()
    assert text[1].startswith("Cut to ") and 'detail="rows"' in text[1]  # said first, with what continues


async def test_empty_filtered_table_says_what_was_searched(client: Client, world: World) -> None:
    run = outage_run(world)
    res = await call(
        client, "get_run_tasks", provider="unpod", run_id=run.run_id, agent=run.agent.handle,
        reason="plan or quota limit", sort="start",
    )  # fmt: skip
    note = res.structured_content["notes"][-1]
    assert "reason=plan or quota limit" in note and f"none among {run.n_tasks} task(s)" in note


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ({"reason": "x" * 64}, "`reason`"),
        ({"duration": "9" * 32}, "`duration`"),
        ({"duration": "60-30"}, "minimum is above"),
        ({"sort": "random"}, "sort"),
        ({"sort": "-duration"}, "sort"),
        ({"sort": "DURATION_ASC"}, "sort"),
        ({"sort": "duration_asc" * 400}, "sort"),
        ({"detail": "table"}, "detail"),
        ({"outcome": "y" * 5000}, "outcome"),
    ],
)
async def test_hostile_table_arguments_get_bounded_errors(
    client: Client, world: World, args: dict, needle: str
) -> None:
    run = outage_run(world)
    text = await call_error(client, "get_run_tasks", provider="unpod", run_id=run.run_id, **args)
    assert needle in text and len(text) < 1200 and "Traceback" not in text


async def test_a_task_that_never_started_shows_when_it_was_queued(client: Client, world: World) -> None:
    """`sort=start` orders a never-connected call by when it was queued: the row and the line show that time
    (marked, among calls that started; a page of only such calls names its column `queued`: test_failed_rows)."""
    run = outage_run(world)
    docs = {d["task_id"]: d for d in world.unpod_tasks(run)}
    args = {"provider": "unpod", "run_id": run.run_id, "agent": run.agent.handle, "limit": 100}
    data = (await call(client, "get_run_tasks", **args, sort="start", detail="rows")).structured_content
    start = data["columns"].index("start")
    never = [row for row in data["rows"] if "start_time" not in (docs[row[0]]["output"] or {})]
    assert never and all(row[start] == docs[row[0]]["created"][5:16].replace("T", " ") + "*" for row in never)
    assert "start ending in *: the task never started" in " ".join(data["notes"])
    queued = [row[start].removesuffix("*") for row in data["rows"]]
    assert queued == sorted(queued, reverse=True)
    text = (await call(client, "get_run_tasks", **{**args, "limit": 5}, sort="start")).content[0].text
    task = next(row[0] for row in data["rows"][:5] if row in never)
    assert f"{task} · failed · queued {docs[task]['created'][:16].replace('T', ' ')}Z" in text
    assert len(never) < len(data["rows"])  # calls that started too: the column is `start`, with the mark


async def test_a_completed_tasks_failure_reason_is_an_earlier_attempts(client: Client, world: World) -> None:
    """Unpod keeps the last failed attempt's reason on a task a later attempt completed: trial 6 read
    `failure: customer-did-not-answer` on a 61-second call. Concise results say it is an earlier attempt's
    and keep the call's summary; a failed task still says `failure:`."""
    run, doc = next(
        (r, d)
        for r in world.unpod_runs
        for d in world.unpod_tasks(r)
        if d["status"] == "completed" and d.get("last_failure_reason") and (d["output"] or {}).get("duration")
    )
    # the agent's task list carries the attempt fields (a run's task list does not: unpod_api.RUN_TASK_DROP)
    seconds = round(doc["output"]["duration"])
    args = {"provider": "unpod", "agent": run.agent.handle, "since": "30d", "status": "completed",
            "duration": f"{seconds - 1}-{seconds + 1}", "limit": 100}  # fmt: skip
    res = await call(client, "get_run_tasks", **args)
    listed = next(t for t in tasks_of(res.structured_content) if t["task_id"] == doc["task_id"])
    assert listed["earlier_failure"] == doc["last_failure_reason"] and "failure_reason" not in listed
    assert listed.get("summary")  # the completed call's own summary, not hidden behind the old failure
    line = next(line for line in res.content[0].text.splitlines() if doc["task_id"] in line)
    assert f"earlier attempt failed: {doc['last_failure_reason']}" in line and "· failure:" not in line
    opened = await call(client, "get_call_transcript", provider="unpod", run_id=run.run_id,
                        agent=run.agent.handle, task_id=doc["task_id"])  # fmt: skip
    assert f"earlier attempt failed: {doc['last_failure_reason']}" in opened.content[0].text
    failed = await call(client, "get_run_tasks", **{**args, "status": "failed", "duration": None, "limit": 3})
    assert "· failure: " in failed.content[0].text and "earlier attempt" not in failed.content[0].text
