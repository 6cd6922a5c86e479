"""The fleet view's result: one row per agent (verdict, cause, money, waits, change point), totals per
account and overall, and its text. Pure: rows are built from each agent's window report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from agent_runs_mcp.domain import Agent, meta
from agent_runs_mcp.tools.common import compact, fmt_duration, fmt_money, short_time
from agent_runs_mcp.tools.health.models import MIN_FINISHED, ChangePoint, HealthReport
from agent_runs_mcp.tools.results import ResultModel

TOP_REASONS = 3
"""Failure reasons the fleet's totals name per account (the rest are counted as other)."""
RANK = {"failing": 0, "degraded": 1, "healthy": 2, "insufficient_data": 3, "error": 4}


class FleetRow(ResultModel):
    provider: str
    agent: str
    name: str | None = None
    verdict: str = Field(description="failing, degraded, healthy, insufficient_data, or error (not read).")
    headline: str = Field("", description="The cause that set the verdict (or the error), in a few words.")
    items: int = Field(0, description="Items in the window; left out when it equals `finished`.")
    finished: int = 0
    failed: int = 0
    success_rate: float | None = None
    previous_success_rate: float | None = None
    change_pts: int | None = Field(default=None, description="Success rate now minus the window before.")
    cost_usd: float | None = meta(description="Cost of the window's items that report one.")
    per_completed_usd: float | None = meta()
    awaiting: int = meta(0, "Items started in the window that wait on a person now.")
    change_point: ChangePoint | None = meta(description="Where failures shifted inside the window.")
    usage: str | None = meta(description="Platform usage in its own unit, e.g. `12.50 Modus credits (not USD)`.")
    failures_began_in: str | None = meta(description="The agent version in which failures began (Runtype).")
    direction: str | None = meta(description="Its calls' direction as they report it: `outbound`, `inbound`, `mixed`.")
    median_s: int | None = meta(description="Median duration of its finished items (seconds).")
    voicemail: int | None = meta(description="Finished calls that reached voicemail (calling agents).")
    connected: int | None = meta(description="Finished calls that reached a person (calling agents).")
    calls_finished: int | None = meta(description="Finished calls (the connect rate's denominator).")
    connect_rate: float | None = meta(description="connected / calls_finished (from 5 finished calls).")


class DirectionTotals(ResultModel):
    """One direction's share of a total: the same figures, summed over the calling agents going that way."""

    finished: int = 0
    failed: int = 0
    failure_rate: float | None = None
    calls_finished: int = 0
    connected: int = 0
    connect_rate: float | None = None


class Spend(ResultModel):
    """One account's totals (``provider``), or all accounts' (``provider="all"``): every agent's window summed,
    so "what is the connect rate of all our calling" is one call. Rates come with their denominators."""

    provider: str
    finished: int = 0
    failed: int = 0
    failure_rate: float | None = Field(default=None, description="failed / finished.")
    success_rate: float | None = Field(default=None, description="completed / finished.")
    change_pts: int | None = Field(default=None, description="Success rate now minus the window before, in points.")
    completed_all: int = Field(default=0, exclude=True)
    finished_before: int = Field(default=0, exclude=True)
    completed_before: int = Field(default=0, exclude=True)
    calls_finished: int = Field(default=0, description="Finished voice calls (the connect rate's denominator).")
    connected: int = 0
    connect_rate: float | None = Field(default=None, description="connected / calls_finished.")
    voicemail: int = 0
    reasons: dict[str, int] = Field(
        default_factory=dict, description="The most frequent failure reasons summed over the agents, top 3."
    )
    reasons_other: int = Field(default=0, description="Failed items under the other reasons.")
    reason_tallies: dict[str, int] = Field(default_factory=dict, exclude=True)
    cost_usd: float | None = None
    completed: int = Field(default=0, exclude=True)
    per_completed_usd: float | None = None
    awaiting: int = 0
    calls_direction: str | None = Field(default=None, description="Every calling agent's calls go this way.")
    directions: dict[str, DirectionTotals] = Field(default_factory=dict, description="Per direction, when several.")


class FleetReport(ResultModel):
    since: datetime
    until: datetime
    agents: list[FleetRow]
    counted: int = Field(description="Agents reported on (all of them, not only this page).")
    verdicts: dict[str, int] = Field(description="Agents per verdict.")
    complete: bool = Field(description="True when every agent's window was read whole.")
    totals: list[Spend] = meta(default_factory=list, description="Per account, then `all`; every agent counted.")
    notes: list[str] = meta(default_factory=list)
    next: list[str] = meta(default_factory=list)


def structured_fleet(model: FleetReport) -> dict[str, Any]:
    """The structured channel: what the text says, no figure twice. An `insufficient_data` row's headline
    ("2 finished (at least 5 needed)") is its `finished` count again, so it is left out; so is a row's
    `items` when it equals `finished` (the text says `(N in window)` only when they differ), and a calling
    agent's or a total's `calls_finished` when it equals `finished` (every finished item a call)."""
    drop: dict[int, set[str]] = {}
    for i, row in enumerate(model.agents):
        if row.verdict == "insufficient_data":
            drop.setdefault(i, set()).add("headline")
        if row.items == row.finished and row.items:
            drop.setdefault(i, set()).add("items")
        if row.calls_finished == row.finished:  # every finished item is a call: the count is `finished`
            drop.setdefault(i, set()).add("calls_finished")
    same = {i: {"calls_finished"} for i, spend in enumerate(model.totals) if spend.calls_finished == spend.finished}
    exclude: dict[str, Any] = {"agents": drop} if drop else {}
    if same:
        exclude["totals"] = same
    return compact(model, exclude=exclude or None)


def row_of(account: str, agent: Agent, report: HealthReport) -> FleetRow:
    before = report.previous.success_rate if report.previous else None  # the row says the change, not both
    now = report.success_rate if report.verdict != "insufficient_data" else None  # too few: no rate, no change
    waiting = report.waiting.count if report.waiting else report.totals.get("awaiting_human", 0)
    calling = report.voice is not None and report.voice.calls_finished > 0
    return FleetRow(
        provider=account,
        agent=agent.id,
        name=agent.name,
        verdict=report.verdict,
        headline=report._cause or _biggest(report),
        items=sum(report.totals.values()),
        finished=report.finished,
        failed=report.totals.get("failed", 0),
        success_rate=round(now, 2) if now is not None else None,  # the text says whole percents
        change_pts=round((now - before) * 100) if now is not None and before is not None else None,
        cost_usd=_money(report.cost_usd),
        per_completed_usd=_money(report.cost_per_completed_usd),
        awaiting=waiting,
        change_point=_slim(report.change),
        usage=f"{report.usage.credits:,.2f} {report.usage.unit}" if report.usage and report.usage.credits else None,
        failures_began_in=report.failures_began_in,
        direction=_direction(report),
        median_s=round(report.duration_s.p50) if report.duration_s.p50 is not None else None,
        voicemail=report.voice.voicemail if calling else None,
        connected=report.voice.connected if calling else None,
        calls_finished=report.voice.calls_finished if calling else None,
        connect_rate=_share(report.voice.connected, report.voice.calls_finished) if calling else None,
    )


def _direction(report: HealthReport) -> str | None:
    """The agent's calling direction as its calls report it: ``outbound`` when every call that says its
    direction says that (Unpod gives it on calls that ran; a failed call's output carries none), ``mixed``
    when they differ, none when no call says."""
    known = report._directions
    return next(iter(known)) if len(known) == 1 else "mixed" if known else None


def _money(value: float | None) -> float | None:
    """Dollars to the precision the text shows them (cents from $1, else four places)."""
    return None if value is None else round(value, 2 if value >= 1 else 4)


def _slim(change: ChangePoint | None) -> ChangePoint | None:
    """The change point as a row shows it: top reasons only when they changed."""
    if change is None:
        return None
    same = change.top_after == change.top_before
    return change.model_copy(
        update={
            "top_before": None if same else change.top_before,
            "top_after": None if same else change.top_after,
        }
    )


def error_row(account: str, agent: Agent, message: str) -> FleetRow:
    return FleetRow(provider=account, agent=agent.id, name=agent.name, verdict="error", headline=message)


def _biggest(report: HealthReport) -> str:
    if not report.top_failure_reasons:
        return "no failures" if report.finished else "nothing finished"
    top = report.top_failure_reasons[0]
    return f"biggest problem {top.label} ({top.share_of_finished:.0%} of finished)"


def totals_of(rows: list[FleetRow], reports: dict[tuple[str, str], HealthReport]) -> list[Spend]:
    """Money and waits per account (in the order accounts first appear) and overall."""
    out: dict[str, Spend] = {}
    ways: dict[str, dict[str, DirectionTotals]] = {}
    for row in rows:
        for key in (row.provider, "all"):
            spend = out.setdefault(key, Spend(provider=key))
            spend.awaiting += row.awaiting
            report = reports.get((row.provider, row.agent))
            if report is None:
                continue
            spend.finished += report.finished
            spend.failed += report.totals.get("failed", 0)
            spend.completed_all += report.totals.get("completed", 0)
            if report.previous is not None:
                spend.finished_before += report.previous.finished
                spend.completed_before += report.previous._completed
            for reason in report.top_failure_reasons:  # each agent's top five: the rest count as other
                spend.reason_tallies[reason.label] = spend.reason_tallies.get(reason.label, 0) + reason.count
            if report.voice is not None:
                spend.calls_finished += report.voice.calls_finished
                spend.connected += report.voice.connected
                spend.voicemail += report.voice.voicemail
            if report.voice is not None and report.voice.calls_finished:  # a calling agent, by its direction
                way = ways.setdefault(key, {}).setdefault(row.direction or "not reported", DirectionTotals())
                way.finished += report.finished
                way.failed += report.totals.get("failed", 0)
                way.calls_finished += report.voice.calls_finished
                way.connected += report.voice.connected
            if report.cost_usd is not None:
                spend.cost_usd = round((spend.cost_usd or 0.0) + report.cost_usd, 4)
                spend.completed += report.totals.get("completed", 0)
    for key, spend in out.items():
        spend.failure_rate = _share(spend.failed, spend.finished)
        spend.success_rate = _share(spend.completed_all, spend.finished)
        before = _share(spend.completed_before, spend.finished_before)
        if spend.success_rate is not None and before is not None:  # in points, as the rows say it
            spend.change_pts = round((spend.success_rate - before) * 100)
        top = sorted(spend.reason_tallies.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
        spend.reasons = dict(top)
        spend.reasons_other = spend.failed - sum(spend.reasons.values())
        spend.connect_rate = _share(spend.connected, spend.calls_finished)
        _split(spend, ways.get(key, {}))
        if spend.cost_usd is not None and spend.completed:
            spend.per_completed_usd = _money(spend.cost_usd / spend.completed)
        spend.cost_usd = _money(spend.cost_usd)
    accounts = [s for k, s in out.items() if k != "all" and (s.finished or s.cost_usd is not None or s.awaiting)]
    return [*accounts, out["all"]] if len(accounts) > 1 else accounts


def _split(spend: Spend, ways: dict[str, DirectionTotals]) -> None:
    """Say the calling agents' direction: one word when every calling agent's calls go one way (the totals'
    calls are then all that way), else each direction's figures, summed over its agents (the split is what
    tells outbound calling from inbound; `mixed`: agents whose calls go both ways)."""
    if len(ways) == 1 and "not reported" not in ways:
        spend.calls_direction = next(iter(ways))
    elif len(ways) > 1:
        for way in ways.values():
            way.failure_rate = _share(way.failed, way.finished)
            way.connect_rate = _share(way.connected, way.calls_finished)
        spend.directions = dict(sorted(ways.items(), key=lambda kv: -kv[1].calls_finished))


def _share(part: int, whole: int) -> float | None:
    """A rate in whole percents, as the text says it (none under 5: too few to say a rate)."""
    return round(part / whole, 2) if whole >= MIN_FINISHED else None


def rank(row: FleetRow) -> tuple[int, float, int]:
    change = row.change_pts
    return RANK.get(row.verdict, 5), change if change is not None else 0, -row.failed


def row_line(row: FleetRow) -> str:
    """``- unpod/<id> "Priya" · failing · success 36% (+5 pts) · 55 failed of 89 finished (140 in window) · ...``"""
    from agent_runs_mcp.tools.health.change import change_text

    name = f' "{row.name}"' if row.name else ""
    parts = [f"{row.provider}/{row.agent}{name}", row.verdict]
    if row.direction:
        parts.insert(1, f"{row.direction} calls")
    if row.success_rate is not None:
        rate = f"success {row.success_rate:.0%}"
        if row.change_pts is not None:  # the rate before, and the change in points
            was = round(row.success_rate * 100) - row.change_pts
            rate += f" (was {was}%, {row.change_pts:+d} pts)"
        parts.append(rate)
    parts.append(counts_text(row))
    if row.median_s is not None:
        parts.append(f"median {fmt_duration(row.median_s)}")
    if row.calls_finished:
        rate = f"connect {row.connect_rate:.0%} " if row.connect_rate is not None else "connected "
        parts.append(f"{rate}({row.connected} of {row.calls_finished} calls)")
    if row.voicemail:
        parts.append(f"{row.voicemail} voicemail")
    parts.append(row.headline)
    if row.cost_usd is not None:
        per = f", {fmt_money(row.per_completed_usd)}/completed" if row.per_completed_usd is not None else ""
        parts.append(f"{fmt_money(row.cost_usd)}{per}")
    if row.failures_began_in:
        parts.append(f"failures began in version {row.failures_began_in}")
    if row.usage:
        parts.append(row.usage)
    if row.awaiting:
        parts.append(f"{row.awaiting} waiting (started in window)")
    if row.change_point is not None:
        parts.append(change_text(row.change_point))
    return "- " + " · ".join(parts)


def counts_text(row: FleetRow) -> str:
    """``4 failed of 8 finished (11 in window)``: the rate's denominator named, so the figures reconcile."""
    if not row.failed:
        return f"{row.items} items"
    rest = f" ({row.items} in window)" if row.items != row.finished else ""
    return f"{row.failed} failed of {row.finished} finished{rest}"


def totals_line(totals: list[Spend]) -> str | None:
    """``Totals: unpod 125 failed of 244 finished (51%), 110 of 200 finished calls connected (55%); ...``: each
    account's agents summed, then all; every rate with its denominator."""
    parts = []
    for spend in totals:
        if not spend.finished:
            continue
        said = f"{spend.provider} {spend.failed} failed of {spend.finished} finished"
        said += f" ({spend.failure_rate:.0%})" if spend.failure_rate is not None else ""
        if spend.success_rate is not None:
            said += f", success {spend.success_rate:.0%}"
            if spend.change_pts is not None:  # the window before, as the rows say it
                was = round(spend.success_rate * 100) - spend.change_pts
                said += f" (was {was}%, {spend.change_pts:+d} pts)"
        if spend.calls_finished:
            rate = f" ({spend.connect_rate:.0%})" if spend.connect_rate is not None else ""
            way = f" {spend.calls_direction}" if spend.calls_direction else ""
            said += f", {spend.connected} of {spend.calls_finished} finished{way} calls connected{rate}"
            said += f", {spend.voicemail} voicemail" if spend.voicemail else ""
        if spend.reasons:
            named = ", ".join(f"{label} {count}" for label, count in spend.reasons.items())
            said += f"; failed: {named}" + (f", {spend.reasons_other} other" if spend.reasons_other else "")
        for name, way in spend.directions.items():
            rate = f" ({way.connect_rate:.0%})" if way.connect_rate is not None else ""
            said += f"; {name} calls: {way.connected} of {way.calls_finished} connected{rate}, {way.failed} failed"
        parts.append(said)
    return ("Totals: " + "; ".join(parts) + ".") if parts else None


def spend_line(totals: list[Spend]) -> str | None:
    """``Spend: unpod $27.38 ($0.08/completed), ...; all $31.00 ($0.07/completed).`` and, when items wait,
    ``Waiting on a person (started in window): unpod 3, all 3.``"""
    parts = []
    for spend in totals:
        if spend.cost_usd is None:
            continue
        per = f" ({fmt_money(spend.per_completed_usd)}/completed)" if spend.per_completed_usd else ""
        parts.append(f"{spend.provider} {fmt_money(spend.cost_usd)}{per}")
    waits = [f"{s.provider} {s.awaiting}" for s in totals if s.awaiting]
    if not parts and not waits:
        return None
    text = ("Spend: " + ", ".join(parts) + ".") if parts else "Spend: no account reports cost."
    return text + (f" Waiting on a person (started in window): {', '.join(waits)}." if waits else "")


def render_fleet(model: FleetReport, lines: list[str], configured: bool) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(model.verdicts.items(), key=lambda kv: RANK.get(kv[0], 5)))
    empty = "no agents" if configured else "no account configured"
    head = (
        f"Fleet · {model.counted} agent(s) · {short_time(model.since)} to {short_time(model.until)} · {counts or empty}"
    )
    sums = [line for line in (totals_line(model.totals), spend_line(model.totals)) if line]
    return "\n".join([head, *lines, *sums, *model.notes, *[f"Next: {s}" for s in model.next]])
