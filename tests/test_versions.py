"""What changed and what waits, as pure figures: per-version counts, the version failures began in, waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent_runs_mcp.domain import Execution, Status, Tally, Waiting
from agent_runs_mcp.tools.health.figures import Accumulator
from agent_runs_mcp.tools.health.versions import (
    failures_began_in,
    version_figures,
    versions_line,
    waiting_figures,
    waiting_line,
)
from agent_runs_mcp.tools.runs import execution_line

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


def feed(acc: Accumulator, version: str | None, statuses: list[Status], start: datetime) -> None:
    for i, status in enumerate(statuses):
        acc.add(Tally(item_id=f"{version}-{i}", status=status, at=start + timedelta(minutes=i), version=version))


def test_one_version_gives_no_split_and_no_culprit() -> None:
    acc = Accumulator()
    feed(acc, "v3", [Status.COMPLETED] * 5 + [Status.FAILED] * 3, T0)
    assert version_figures(acc) is None
    assert failures_began_in(None) is None


def test_failures_that_begin_with_a_new_version_name_it() -> None:
    acc = Accumulator()
    feed(acc, "v4", [Status.COMPLETED] * 3 + [Status.FAILED] * 4, T0 + timedelta(hours=2))  # fed first, runs later
    feed(acc, "v3", [Status.COMPLETED] * 19 + [Status.FAILED], T0)
    versions = version_figures(acc)
    assert versions is not None and [v.version for v in versions] == ["v3", "v4"]
    assert (versions[1].items, versions[1].failed, versions[1].success_rate) == (7, 4, round(3 / 7, 4))
    assert versions[1].first_at == T0 + timedelta(hours=2)
    began = failures_began_in(versions)
    assert began == "v4"
    line = versions_line(versions, began)
    assert line.startswith("Versions: v3 from ") and line.endswith("Failures began in version v4.")


def test_failures_spread_over_versions_have_no_culprit() -> None:
    acc = Accumulator()
    feed(acc, "v3", [Status.COMPLETED] * 5 + [Status.FAILED] * 5, T0)
    feed(acc, "v4", [Status.COMPLETED] * 5 + [Status.FAILED] * 6, T0 + timedelta(hours=1))
    assert failures_began_in(version_figures(acc)) is None
    acc = Accumulator()  # a single failure in a new version is not a beginning
    feed(acc, "v3", [Status.COMPLETED] * 10, T0)
    feed(acc, "v4", [Status.COMPLETED, Status.FAILED], T0 + timedelta(hours=1))
    assert failures_began_in(version_figures(acc)) is None


def test_waits_report_the_longest() -> None:
    acc = Accumulator()
    acc.add(Tally(item_id="r1", status=Status.AWAITING_HUMAN, waiting_since=T0 + timedelta(hours=1)))
    acc.add(Tally(item_id="r2", status=Status.AWAITING_HUMAN, waiting_since=T0))
    acc.add(Tally(item_id="r3", status=Status.AWAITING_HUMAN))
    acc.add(Tally(item_id="r4", status=Status.COMPLETED))
    waiting = waiting_figures(acc)
    assert waiting is not None and waiting.count == 3 and waiting.oldest_since == T0
    assert waiting.example is not None and waiting.example.startswith("r2 since")
    assert waiting_line(waiting).startswith("Waiting on a person (approval): 3; longest: r2")
    assert waiting_figures(Accumulator()) is None


def test_an_execution_line_names_its_version_and_what_it_waits_on() -> None:
    run = Execution(
        run_id="aex_1",
        status=Status.AWAITING_HUMAN,
        provider_status="paused",
        agent_version="v4",
        summary="Waiting for approval of send_email.",
        waiting=Waiting(step="tool send_email", approver="ops@example.com", message="Refund 40 EUR", since=T0),
    )
    line = execution_line(run)
    assert "version v4" in line and "waits on tool send_email (approver ops@example.com) since" in line
    assert "Refund 40 EUR" in line and "Waiting for approval" not in line  # said once
    tally = Tally.of(run)
    assert (tally.version, tally.waiting_since) == ("v4", T0)
    concise = run.model_dump(mode="json", exclude_none=True)
    assert "agent_version" in concise
    bare = Execution(run_id="x", status=Status.COMPLETED).model_dump(mode="json", exclude_none=True)
    assert "agent_version" not in bare and "waiting" not in bare
