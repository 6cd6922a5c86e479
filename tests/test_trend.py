"""The trend of a report: steps chosen from the span, items and failures bucketed where they happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent_runs_mcp.domain import Status, Tally
from agent_runs_mcp.tools.health.figures import Accumulator, trend_of

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def acc_with(points: list[tuple[timedelta, Status]]) -> Accumulator:
    acc = Accumulator()
    for n, (offset, status) in enumerate(points):
        acc.add(Tally(item_id=str(n), status=status, at=T0 + offset))
    return acc


def test_a_day_window_is_hourly_and_counts_land_in_their_hour() -> None:
    acc = acc_with(
        [(timedelta(minutes=5), Status.COMPLETED), (timedelta(minutes=59), Status.FAILED)]
        + [(timedelta(hours=3, minutes=30), Status.FAILED)] * 3
    )
    trend = trend_of(acc, T0, T0 + timedelta(hours=24))
    assert trend is not None and trend.step == "1h" and trend.start == T0
    assert len(trend.items) == 25  # 06:00 .. 06:00 next day, inclusive of the last minute's hour
    assert trend.items[0] == 2 and trend.failed[0] == 1
    assert trend.items[3] == 3 and trend.failed[3] == 3
    assert sum(trend.items) == 5 and sum(trend.failed) == 4


def test_a_week_is_daily_a_short_run_five_minutely_and_nothing_timed_no_trend() -> None:
    week = trend_of(acc_with([(timedelta(days=d), Status.COMPLETED) for d in range(7)]), T0, T0 + timedelta(days=7))
    assert week is not None and week.step == "1d" and week.items[:7] == [1] * 7
    run = trend_of(acc_with([(timedelta(minutes=m), Status.COMPLETED) for m in range(0, 30, 3)]))
    assert run is not None and run.step == "5m" and sum(run.items) == 10 and len(run.items) == 6
    assert trend_of(Accumulator()) is None
    year = trend_of(acc_with([(timedelta(days=d), Status.FAILED) for d in range(0, 300, 10)]))
    assert year is not None and year.step == "7d" and len(year.items) <= 48 and sum(year.failed) == 30
    assert year.start.weekday() == 0  # weeks start on Monday
