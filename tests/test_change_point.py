"""The change point rule (tools/health/change.py): planted shifts are found where they were planted, steady
series give none, and agent reports and fleet rows say the same thing on the simulator's planted outage."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from mcp import Client

from agent_runs_mcp.domain import FINISHED_STATUSES, Status, Tally
from agent_runs_mcp.simulator.unpod_world import SCENARIO_TRUTH
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.health.change import change_point, change_text, pts
from agent_runs_mcp.tools.health.figures import Accumulator
from tests.conftest import call

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def feed(series: list[tuple[float, str | None]], seed: int = 1) -> Accumulator:
    """One finished item per minute: ``(failure probability, reason)`` per item, drawn with ``seed``."""
    rng = random.Random(seed)
    acc = Accumulator()
    for minute, (p_fail, reason) in enumerate(series):
        failed = rng.random() < p_fail
        acc.add(
            Tally(
                item_id=f"i{minute}",
                status=Status.FAILED if failed else Status.COMPLETED,
                reason=reason if failed else None,
                at=T0 + timedelta(minutes=minute),
                run_id=f"run{minute // 20}",
            )
        )
    return acc


def test_a_planted_rise_is_found_at_its_minute() -> None:
    acc = feed([(0.1, "customer-did-not-answer")] * 100 + [(0.6, "sip-503-service-unavailable")] * 60)
    change = change_point(acc)
    assert change is not None and change.measure == "failure rate"
    assert abs((change.at - T0).total_seconds() / 60 - 100) <= 3  # where it was planted, give or take noise
    assert change.run_id == f"run{int((change.at - T0).total_seconds() // 60) // 20}"
    assert change.before_pct < 20 < 45 < change.after_pct  # percents, as the names say
    assert f"{change.before_pct:.0f}% of {change.finished_before} finished -> {change.after_pct:.0f}%" in (
        change_text(change)
    )
    assert change.top_after == "SIP or carrier error" and change.top_before == "no answer"
    assert "failure rate" in change_text(change) and "top reason now SIP or carrier error (was no answer)" in (
        change_text(change)
    )


@pytest.mark.parametrize("seed", range(50))
def test_steady_series_have_no_change_point(seed: int) -> None:
    acc = feed([(0.3, "customer-did-not-answer")] * 200, seed=seed)
    assert change_point(acc) is None


def test_a_reason_swap_at_a_steady_rate_is_a_change_of_that_reason() -> None:
    acc = feed([(0.4, "customer-did-not-answer")] * 80 + [(0.4, "sip-480-temporarily-unavailable")] * 80, seed=3)
    change = change_point(acc)
    assert change is not None
    assert change.measure in ("SIP or carrier error", "no answer")
    assert abs((change.at - T0).total_seconds() / 60 - 80) <= 5


def test_too_few_finished_items_or_blips_give_no_change() -> None:
    assert change_point(feed([(0.0, None)] * 10 + [(1.0, "sip-480")] * 9)) is None  # under 2 x 10 finished
    blip = feed([(0.0, None)] * 5 + [(1.0, "worker lost")] * 2 + [(0.0, None)] * 60)
    assert change_point(blip) is None  # two failures are an incident, not a shift


def test_points_not_percent() -> None:
    assert pts(0.1412) == "+14 pts" and pts(-0.53) == "-53 pts"


def expected_shift(world: World, since: datetime, until: datetime, at: datetime) -> tuple[float, float]:
    """Failure shares of Priya's finished call tasks before/after ``at`` inside the window, from the generator."""
    agent = world.unpod_agents[0]
    sides: dict[bool, list[bool]] = {True: [], False: []}
    for run in world.unpod_runs:
        if run.agent != agent:
            continue
        for i, doc in enumerate(world.unpod_tasks(run)):
            created = datetime.fromisoformat(doc["created"]).replace(tzinfo=UTC)
            status = SCENARIO_TRUTH[world._scenario(run, i)[0]]
            if since <= created <= until and Status(status) in FINISHED_STATUSES:
                sides[created >= at].append(status == "failed")
    return sum(sides[False]) / len(sides[False]), sum(sides[True]) / len(sides[True])


@pytest.mark.anyio
async def test_simulator_outage_is_the_change_point_of_report_and_fleet(client: Client, world: World) -> None:
    """Priya's campaign ran healthy for days, then a carrier outage (the simulator's planted shift)."""
    agent = world.unpod_agents[0]
    outage = min((r for r in world.unpod_runs if r.agent == agent and r.profile == "carrier_outage"),
                 key=lambda r: r.created)  # fmt: skip
    report = await call(client, "summarize_run_health", provider="unpod", agent=agent.handle, since="7d")
    data = report.structured_content
    change = data["change"]
    assert change["run_id"] == outage.run_id and change["measure"] == "failure rate"
    at = datetime.fromisoformat(change["at"].replace("Z", "+00:00"))
    assert outage.created <= at <= outage.created + timedelta(minutes=5)
    since = datetime.fromisoformat(data["scope"]["since"].replace("Z", "+00:00"))
    until = datetime.fromisoformat(data["scope"]["until"].replace("Z", "+00:00"))
    before, after = expected_shift(world, since, until, at)
    assert change["before_pct"] == pytest.approx(100 * before, abs=0.05)
    assert change["after_pct"] == pytest.approx(100 * after, abs=0.05)
    assert "before" not in change and "n_before" not in change  # every share and count names its unit
    assert f"(run {outage.run_id})" in data["headline"] and pts(after - before) in data["headline"]
    fleet = await call(client, "summarize_fleet_health", provider="unpod", since="7d")
    row = next(r for r in fleet.structured_content["agents"] if r["agent"] == agent.handle)
    shown = row["change_point"]
    assert (shown["at"], shown["run_id"], shown["measure"]) == (change["at"], change["run_id"], change["measure"])
    assert (shown["before_pct"], shown["after_pct"]) == (change["before_pct"], change["after_pct"])
    assert f"(run {outage.run_id})" in fleet.content[0].text and pts(after - before) in fleet.content[0].text
    assert row["cost_usd"] == pytest.approx(data["cost_usd"], abs=0.005)
    totals = {t["provider"]: t for t in fleet.structured_content["totals"]}
    expected_cost = sum(r.get("cost_usd", 0) for r in fleet.structured_content["agents"])
    assert totals["unpod"]["cost_usd"] == pytest.approx(expected_cost, abs=0.03)  # rows are rounded to cents
