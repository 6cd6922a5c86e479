"""get_run_tasks(detail="stats"): every matching task added up, against the simulator's truth (trial 7 paged
286-555 rows to average a duration and count people by name, where names repeat)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from statistics import fmean

import pytest
from mcp import Client

from agent_runs_mcp.domain import Status, Task
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.task_stats import TOP_VALUES, stats_lines, task_stats
from tests.conftest import call, call_error
from tests.test_window_tasks import duration_of, iso, unpod_truth

pytestmark = pytest.mark.anyio
AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def task(n: int, status: Status, **values: object) -> Task:
    return Task(task_id=f"t{n}", status=status, **values)  # type: ignore[arg-type]


def test_the_figures_of_a_set_of_tasks() -> None:
    tasks = [
        task(1, Status.COMPLETED, duration_s=10, cost_usd=0.1, contact="Ana Ruiz (+1 555 0101)", outcome="Interested"),
        task(2, Status.COMPLETED, duration_s=30, cost_usd=0.3, contact="Ana Ruiz (+1 555 0199)", outcome="Interested"),
        task(3, Status.COMPLETED, duration_s=50, contact="Ana  Ruiz (+1 555 0101)", outcome="Call Back"),
        task(4, Status.FAILED, failure_reason="SIP_TRUNK_ERROR", contact="Bo Li (+1 555 0102)"),
        task(5, Status.FAILED, failure_reason="customer-did-not-answer"),
        task(6, Status.COMPLETED, outcome="Maya is interested and agreed to the next step; confirmation sent."),
    ]
    stats = task_stats(tasks, str)
    assert stats == {
        "tasks": 6,
        "statuses": {"completed": 4, "failed": 2},
        "duration_s": {"mean": 30.0, "median": 30.0, "min": 10.0, "max": 50.0, "timed": 3},
        "cost_usd": 0.4,
        "costed": 2,
        "contacts": 3,  # two people named Ana Ruiz are two; the same one twice (spacing aside) is one
        "shared_names": 2,  # and the count says that two share a name
        "no_contact": 2,
        "outcomes": {"Interested": 2, "Call Back": 1},
        "outcome_sentences": 1,  # a sentence about one call is no category
        "failed_by_reason": {"SIP or carrier error": 1, "no answer": 1},
    }
    lines = stats_lines(stats)
    assert lines[0] == "6 task(s): completed 4, failed 2"
    assert "duration: mean 30s, median 30s, shortest 10s, longest 50s (of the 3 with a duration)" in lines
    assert "distinct contacts, told apart by number: 3 (2 share a name with another); 2 task(s) without one" in lines
    assert "1 outcome(s) are sentences, not labels: not counted by their words" in lines


def test_many_outcomes_name_the_largest_and_sum_the_rest() -> None:
    tasks = [task(i, Status.COMPLETED, outcome=f"o{i % (TOP_VALUES + 3)}") for i in range(40)]
    outcomes = task_stats(tasks, str)["outcomes"]
    assert len(outcomes) == TOP_VALUES + 1 and sum(outcomes.values()) == 40 and outcomes["other"] > 0
    assert task_stats([], str) == {"tasks": 0, "statuses": {}}


async def test_an_agents_completed_calls_add_up_as_the_simulator_made_them(client: Client, world: World) -> None:
    agent = world.unpod_agents[0]
    since = world.anchor - timedelta(hours=40)
    truth = unpod_truth(world, agent, since)
    done = [doc for status, doc in truth.values() if status == "completed"]
    args = {"provider": "unpod", "agent": agent.handle, "since": iso(since), "detail": "stats"}
    res = await call(client, "get_run_tasks", **args, status="completed")
    page = res.structured_content
    stats = page["stats"]
    assert stats["tasks"] == len(done) > 20 and page["complete"] and page["tasks"] == []
    seconds = [d for d in map(duration_of, done) if d is not None]
    assert stats["duration_s"]["mean"] == round(fmean(seconds), 1)
    assert (stats["duration_s"]["min"], stats["duration_s"]["max"]) == (min(seconds), max(seconds))
    people = {(doc["input"]["name"], doc["input"]["contact_number"]) for doc in done}
    assert stats["contacts"] == len(people)
    names = Counter(name for name, _number in people)
    assert stats.get("shared_names", 0) == sum(n for n in names.values() if n > 1)
    text = res.content[0].text
    assert f"{len(done)} task(s): completed {len(done)}" in text and f"mean {stats['duration_s']['mean']:g}s" in text
    assert "+1" not in text and "555" not in text  # contacts are counted, never shown

    every = (await call(client, "get_run_tasks", **args)).structured_content["stats"]
    assert every["statuses"] == dict(Counter(status for status, _doc in truth.values()))
    under = (await call(client, "get_run_tasks", **args, duration="-20")).structured_content["stats"]
    assert under["tasks"] == sum(1 for _s, doc in truth.values() if (d := duration_of(doc)) is not None and d <= 20)


async def test_a_runs_failed_tasks_by_category_match_its_report(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.agent == world.unpod_agents[0])
    args = {"provider": "unpod", "run_id": run.run_id, "agent": world.unpod_agents[0].handle}
    stats = (await call(client, "get_run_tasks", **args, detail="stats", status="failed")).structured_content["stats"]
    report = (await call(client, "summarize_run_health", **args)).structured_content
    counted = {r["label"]: r["count"] for r in report["top_failure_reasons"]}
    assert stats["failed_by_reason"] == counted and len(counted) > 1  # the categories the report counts
    assert sum(counted.values()) == stats["tasks"] == report["totals"]["failed"]


async def test_stats_take_no_cursor(client: Client, world: World) -> None:
    agent = world.unpod_agents[0]
    args = {"provider": "unpod", "agent": agent.handle, "detail": "stats", "cursor": "c1.x"}
    text = await call_error(client, "get_run_tasks", **args)
    assert '`detail="stats"` adds up every matching task in one call; drop `cursor`.' in text


async def test_a_run_past_the_cap_is_added_up_as_a_sample() -> None:
    from agent_runs_mcp.config import Settings
    from agent_runs_mcp.refs import make_ref
    from tests.conftest import accounts_for, mcp_client, start_simulator

    world = World(seed=7, big_run_tasks=1000)
    run = next(r for r in world.unpod_runs if r.n_tasks == 1000)
    live = start_simulator(world)
    try:
        settings = Settings(accounts=accounts_for(live.url), health_max_items=400, cache_enabled=False)
        async with mcp_client(settings) as client:
            ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
            res = await call(client, "get_run_tasks", ref=ref, detail="stats")
    finally:
        live.stop()
    page = res.structured_content
    assert page["sampled"] is True and page["complete"] is False
    assert 0 < page["stats"]["tasks"] <= page["scanned"] < run.n_tasks
    assert any("first" in note and "summarize_run_health counts them all" in note for note in page["notes"])
    assert "sampled" in res.content[0].text.splitlines()[0]
