"""summarize_run_health: the aggregation pinned on hand-built items, and checked against the simulator's truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.domain import Execution, Status, Task
from agent_runs_mcp.providers.base import Explained
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.formatting import fmt_duration
from agent_runs_mcp.tools.health import (
    Accumulator,
    classify_failure,
    compare,
    headline_of,
    is_generic,
    verdict_of,
)
from tests.conftest import call

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def task(n: int, status: str, **kw: Any) -> Task:
    defaults: dict[str, Any] = {"kind": "call", "created_at": T0 + timedelta(minutes=n)}
    return Task(
        task_id=f"T{n}", run_id="R1", status=Status(status), ref=make_ref("unpod", "task", t=f"T{n}"), **defaults | kw
    )


def run_of(*tasks: Task | Execution) -> Accumulator:
    acc = Accumulator()
    for t in tasks:
        acc.add_item(t)
    return acc


# --- classification -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "category"),
    [
        ("customer-did-not-answer", "no_answer"),
        ("customer-busy", "busy"),
        ("voicemail", "voicemail"),
        ("sip-480-temporarily-unavailable", "sip_error"),
        ("call.in-progress.error-sip-outbound-call-failed-to-connect", "sip_error"),
        ("Customer hung up", "customer_hung_up_early"),
        ("LLM provider timeout after 30s", "timeout"),
        ("tool search_kb failed: HTTP 502 from upstream CRM", "tool_error"),
        ("Task exceeded maximum retries (3)", "max_retries"),
        ("TTS provider returned 500", "agent_error"),
        ("Model returned an invalid tool call", "agent_error"),
        ("the moon was in the wrong phase", "other"),
        (None, "other"),
    ],
)
def test_failure_vocabulary(raw: str | None, category: str) -> None:
    assert classify_failure(raw) == category


def test_generic_reasons() -> None:
    assert is_generic(None) and is_generic("error") and is_generic("Task exceeded maximum retries (3)")
    assert not is_generic("customer-busy")


# --- aggregation ----------------------------------------------------------------------------------


def test_every_figure_of_a_small_voice_run() -> None:
    acc = run_of(
        task(1, "completed", duration_s=120, cost_usd=0.3, outcome="Interested", end_reason="customer-ended-call",
             call_status="completed", attempts=1, tokens=100),
        task(2, "completed", duration_s=6, cost_usd=0.02, outcome="Dropped", end_reason="customer-ended-call",
             call_status="droped", attempts=2),
        task(3, "completed", duration_s=20, cost_usd=0.05, outcome="Not Connected", end_reason="voicemail",
             call_status="voicemail"),
        task(4, "failed", failure_reason="customer-did-not-answer", attempts=3),
        task(5, "failed", failure_reason="sip-480-temporarily-unavailable", attempts=3),
        task(6, "failed", failure_reason="sip-503-service-unavailable"),
        task(7, "partial", duration_s=60, cost_usd=0.1, call_status="completed", end_reason="assistant-ended-call"),
        task(8, "pending"),
        task(9, "cancelled"),
    )  # fmt: skip
    assert dict(acc.totals) == {"completed": 3, "failed": 3, "partial": 1, "pending": 1, "cancelled": 1}
    assert acc.finished == 8
    assert acc.success_rate() == 0.375
    assert acc.system_failure_rate() == 0.25  # two SIP failures of eight finished
    top = acc.top_reasons()
    assert [(r.reason, r.count) for r in top] == [("sip_error", 2), ("no_answer", 1)]
    assert top[0].share == round(2 / 3, 2) and top[0].share_of_finished == 0.25
    assert top[0].example_task_ids == ["T5", "T6"] and top[0].raw_reasons == {
        "sip-480-temporarily-unavailable": 1,
        "sip-503-service-unavailable": 1,
    }
    voice = acc.voice()
    assert voice is not None
    assert (voice.calls_finished, voice.connected, voice.voicemail, voice.early_hangups) == (8, 3, 1, 1)
    assert voice.connect_rate == 0.375 and voice.voicemail_rate == 0.125
    assert voice.talk_time_s.p50 == 60 and voice.talk_time_s.max == 120
    assert voice.talk_time_s.mean == 62.0  # (6 + 60 + 120) / 3: "the average connected call"
    assert dict(acc.outcomes) == {"Interested": 1, "Dropped": 1, "Not Connected": 1}
    assert round(acc.cost, 4) == 0.47 and acc.with_cost == 4 and acc.tokens == 100
    assert (acc.retried, acc.attempts_reported) == (3, 4)
    assert verdict_of(acc) == "failing"  # 25% system failures
    headline = headline_of(acc, "failing", "call tasks", "in run R1")
    assert headline.startswith("Failing: 38% of 8 finished call tasks in run R1 completed")
    assert "cause: system failures 25% of finished, mostly SIP or carrier error (25%)" in headline
    assert "connect rate 38%" in headline


def test_empty_run_is_insufficient_data() -> None:
    acc = Accumulator()
    assert acc.items == 0 and acc.success_rate() is None and acc.voice() is None and acc.top_reasons() == []
    assert verdict_of(acc) == "insufficient_data"
    assert headline_of(acc, "insufficient_data", "tasks", "in run R") == (
        "Insufficient data: 0 finished tasks in run R (at least 5 needed)."
    )


def test_all_pending_says_in_flight() -> None:
    acc = run_of(*(task(n, "pending") for n in range(30)))
    assert verdict_of(acc) == "insufficient_data"
    assert "30 still in flight" in headline_of(acc, "insufficient_data", "tasks", "in run R")


def test_unknown_statuses_and_missing_numbers() -> None:
    acc = run_of(task(1, "unknown"), task(2, "completed", kind=None), task(3, "failed", kind=None))
    assert dict(acc.totals) == {"unknown": 1, "completed": 1, "failed": 1}
    assert acc.finished == 2 and acc.durations == [] and acc.with_cost == 0
    assert acc.voice() is None  # not calls
    assert acc.top_reasons()[0].raw_reasons == {"(no reason given)": 1}


@pytest.mark.parametrize(
    ("completed", "system", "contact", "verdict"),
    [
        (19, 0, 1, "healthy"),
        (16, 1, 3, "degraded"),
        (12, 0, 8, "degraded"),
        (15, 5, 0, "failing"),
        (7, 0, 13, "failing"),
    ],
)
def test_verdict_thresholds(completed: int, system: int, contact: int, verdict: str) -> None:
    tasks = [task(n, "completed") for n in range(completed)]
    tasks += [task(100 + n, "failed", failure_reason="sip-480") for n in range(system)]
    tasks += [task(200 + n, "failed", failure_reason="customer-busy") for n in range(contact)]
    assert verdict_of(run_of(*tasks)) == verdict


def test_explained_failures_replace_generic_reasons() -> None:
    acc = run_of(
        task(1, "failed", failure_reason="Task exceeded maximum retries (3)"),
        task(2, "failed", failure_reason="Task exceeded maximum retries (3)"),
        task(3, "failed", failure_reason="customer-busy"),
    )
    generic = acc.generic_failures()
    assert [f.item_id for f in generic] == ["T1", "T2"]
    changed = acc.apply({"T1": Explained("sip-480-temporarily-unavailable", attempts=3), "T2": Explained("error")})
    assert changed == 1
    assert dict(acc.reasons) == {"sip_error": 1, "max_retries": 1, "busy": 1}
    assert acc.retried == 1


def test_executions_aggregate_stop_reasons_and_compare_windows() -> None:
    def execution(n: int, status: str, **kw: Any) -> Execution:
        return Execution(run_id=f"e{n}", status=Status(status), ref=make_ref("runtype", "run", r=f"e{n}"), **kw)

    now = run_of(
        *(execution(n, "completed", cost_usd=0.01, tokens=10, duration_s=n) for n in range(8)),
        execution(8, "failed", error="HTTP 502 from upstream CRM"),
        execution(9, "failed", stop_reason="error"),
    )
    before = run_of(*(execution(n, "completed") for n in range(9)), execution(9, "failed", error="timed out"))
    assert now.tokens == 80 and round(now.cost, 2) == 0.08
    assert [f.item_id for f in now.generic_failures()] == ["e9"]
    changes = compare(now, before)
    assert changes[0] == "success rate 90% -> 80% (-10 pts)"
    assert "items 10 -> 10" in changes


# --- against the simulator ------------------------------------------------------------------------


@pytest.mark.anyio
async def test_run_totals_and_reasons_match_ground_truth(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.profile == "carrier_outage" and r.phase == "done")
    ref = make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)
    report = (await call(client, "summarize_run_health", ref=ref)).structured_content
    truth = world.unpod_truth(run)
    assert report["totals"] == dict(truth)
    failed = [t for t in world.unpod_tasks(run) if t["status"] == "failed"]
    sip = sum(1 for t in failed if (t["last_failure_reason"] or "").startswith(("sip", "call.in-progress")))
    top = {r["reason"]: r["count"] for r in report["top_failure_reasons"]}
    assert top["sip_error"] == sip
    assert report["verdict"] == "failing" and "SIP or carrier error" in report["headline"]
    assert report["cost_usd"] == round(sum(t["output"].get("cost", 0) for t in world.unpod_tasks(run)), 4)


@pytest.mark.anyio
async def test_sampled_when_the_cap_is_reached(sim, world: World) -> None:
    from agent_runs_mcp.config import Settings
    from tests.conftest import accounts_for, mcp_client

    run = max(world.unpod_runs, key=lambda r: r.n_tasks)
    settings = Settings(accounts=accounts_for(sim.url), health_max_items=100, cache_enabled=False)
    async with mcp_client(settings) as client:
        ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
        report = (await call(client, "summarize_run_health", ref=ref)).structured_content
    assert report["scanned"] == 100 and report["complete"] is False and report["sampled"] is True
    assert sum(report["totals"].values()) == 100
    assert any("Sampled" in n for n in report["notes"])


@pytest.mark.anyio
async def test_progress_is_reported(sim, world: World, settings) -> None:
    from agent_runs_mcp.providers.registry import Registry
    from agent_runs_mcp.server.app import build_server

    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    run = max(world.unpod_runs, key=lambda r: r.n_tasks)
    registry = Registry(settings)
    async with Client(build_server(settings, registry), mode="legacy") as client:
        ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
        await client.call_tool("summarize_run_health", {"ref": ref}, progress_callback=on_progress)
    await registry.aclose()
    assert seen and seen[-1] == run.n_tasks


@pytest.mark.anyio
async def test_the_mean_duration_is_beside_the_percentiles(client: Client, world: World) -> None:
    """An operator asked for the average duration of connected calls: both channels say the mean."""
    run = next(r for r in world.unpod_runs if r.phase == "done" and r.n_tasks >= 20)
    ref = make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)
    res = await call(client, "summarize_run_health", ref=ref)
    report, text = res.structured_content, res.content[0].text
    durations = [float(t["output"]["duration"]) for t in world.unpod_tasks(run) if (t["output"] or {}).get("duration")]
    mean = report["duration_s"]["mean"]
    assert report["duration_s"]["count"] == len(durations) and mean == round(sum(durations) / len(durations), 1)
    assert f"): mean {fmt_duration(mean)}, p50 " in text
    talk = report["voice"]["talk_time_s"]
    assert talk["mean"] is not None and f"Talk time (connected): mean {fmt_duration(talk['mean'])}, p50" in text
