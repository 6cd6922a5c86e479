"""Building a report: one run's, or an agent's over a window (compared with the window before).

Each function scans its scope once through :func:`~.scan.scan`, asks the adapter to explain
failures whose listing gives only a generic reason, and assembles a :class:`HealthReport`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent_runs_mcp.config import Settings
from agent_runs_mcp.domain import ProviderPage, Status, Tally
from agent_runs_mcp.providers.base import ExecutionQuery, Provider, RunQuery
from agent_runs_mcp.timeutil import utcnow
from agent_runs_mcp.tools import capabilities
from agent_runs_mcp.tools.common import short_time
from agent_runs_mcp.tools.health.aggregates import apply_window_facts, read_window_facts
from agent_runs_mcp.tools.health.change import change_point, change_text
from agent_runs_mcp.tools.health.figures import (
    Accumulator,
    cause_of,
    compare,
    headline_of,
    percentiles,
    trend_of,
    verdict_of,
)
from agent_runs_mcp.tools.health.models import HealthReport, HealthScope, WindowComparison
from agent_runs_mcp.tools.health.scan import Pages, ScanStats, scan
from agent_runs_mcp.tools.health.versions import failures_began_in, version_figures, waiting_figures
from agent_runs_mcp.tools.sanitize import UNTRUSTED_REASONS

Progress = Callable[[int, int | None], Awaitable[None]]


@dataclass
class Scanner:
    """How a report reads: the operator's item cap, parallelism and a progress callback."""

    settings: Settings
    progress: Progress | None = None
    clean: Callable[[str], str] = field(default=lambda text: text)
    settled: Pages | None = None
    """Pages the previous report of this scope found settled (reused, not read again)."""
    last: ScanStats | None = None
    """How the last scan went (its settled pages are what the next report may reuse)."""

    async def __call__(
        self, fetch: Callable[[str | None], Awaitable[ProviderPage[Any]]], feed: Callable[[Iterable[Any]], None]
    ) -> ScanStats:
        self.last = await scan(
            fetch,
            feed,
            max_items=self.settings.health_max_items,
            concurrency=self.settings.health_concurrency,
            progress=self.progress,
            settled=self.settled,
        )
        return self.last

    def accumulator(self) -> Accumulator:
        return Accumulator(clean=self.clean)


async def run_report(adapter: Provider, query: RunQuery, scanner: Scanner) -> HealthReport:
    """The report of one run's tasks."""
    current = scanner.accumulator()
    stats = await scanner(
        lambda t: capabilities.tally_page(adapter, query, t), lambda items: [current.add(i) for i in items]
    )
    notes = await explain(adapter, current, query)
    if stats.reused:
        notes.append(
            f"{stats.reused} of {stats.pages} pages held only finished tasks at the previous report and were not "
            "read again."
        )
    scope = HealthScope(type="run", run_id=query.run_id, agent=query.agent, space=query.space)
    noun = "call tasks" if current.calls_finished else "tasks"
    report = assemble(adapter, scanner.settings, current, stats, scope, noun, f"in run {query.run_id}", notes)
    report.trend = trend_of(current)
    return report


async def window_report(
    adapter: Provider, agent: str, space: str | None, start_at: datetime, end_at: datetime | None, scanner: Scanner
) -> HealthReport:
    """The report of an agent's activity between ``start_at`` and ``end_at``, against the window before."""
    start_at = start_at.replace(microsecond=0)  # whole seconds: what a reader (or a next call) can use
    end = (end_at or datetime.now(start_at.tzinfo)).replace(microsecond=0)
    prev_start = start_at - (end - start_at)
    window = ExecutionQuery(agent=agent, space=space, since=prev_start, until=end_at)
    current, before = scanner.accumulator(), scanner.accumulator()
    undated = 0

    def route(items: Iterable[Tally]) -> None:
        nonlocal undated
        for item in items:
            moment = item.at
            if moment is None:
                undated += 1
            elif start_at <= moment <= end:
                current.add(item)
            elif prev_start <= moment < start_at:
                before.add(item)

    stats = await scanner(lambda t: capabilities.activity_tally_page(adapter, window, t), route)
    (notes, _, facts) = await asyncio.gather(
        explain(adapter, current, None),
        explain(adapter, before, None),
        read_window_facts(adapter, agent, start_at, end),
    )
    if undated:
        notes.append(f"{undated} item(s) had no timestamp and could not be placed in a window.")
    scope = HealthScope(type="agent_window", agent=agent, space=space, since=start_at, until=end)
    scope_text = f"for agent {agent} between {short_time(start_at)} and {short_time(end)}"
    report = assemble(
        adapter, scanner.settings, current, stats, scope, capabilities.activity_noun(adapter), scope_text, notes
    )
    report.trend = trend_of(current, start_at, end)
    apply_window_facts(report, facts)
    report.change = change_point(current)
    if report.change is not None:  # the headline says when it changed, as the fleet row does
        report.headline = f"{report.headline.rstrip('.')}; {change_text(report.change)}."
    report.previous = WindowComparison(
        since=prev_start,
        until=start_at,
        items=before.items,
        finished=before.finished,
        success_rate=before.success_rate(),
        failed=before.failed(),
        changes=compare(current, before),
    )
    report.previous._completed = before.totals[Status.COMPLETED.value]
    return report


async def explain(adapter: Provider, acc: Accumulator, run: RunQuery | None) -> list[str]:
    """Ask the adapter for the specific reasons of generic failures; say what was learned."""
    generic = acc.generic_failures()
    if not generic:
        return []
    changed = acc.apply(await capabilities.explain_failures(adapter, generic, run))
    example = next((f.reason for f in generic if f.reason), "no reason")
    if changed == len(generic):
        return [f"{changed} failure(s) were listed only as {example!r}; their specific reasons were read from the "
                "provider's detail."]  # fmt: skip
    hint = " Pass `agent` to let the report read them." if run is not None and not run.agent else ""
    return [f"{len(generic) - changed} of {len(generic)} failure(s) have only a generic reason ({example!r}).{hint}"]


def assemble(
    adapter: Provider,
    settings: Settings,
    current: Accumulator,
    stats: ScanStats,
    scope: HealthScope,
    noun: str,
    scope_text: str,
    notes: list[str],
) -> HealthReport:
    """The report's figures from the accumulated counters, with a note when the scan stopped early."""
    if stats.stopped_by == "time":
        notes.append(
            f"Sampled: stopped after {stats.scanned} items to answer within the call's time limit "
            f"(AGENT_RUNS_CALL_TIMEOUT_S={settings.call_timeout_s:g}); figures cover those items only."
        )
    elif not stats.complete:
        notes.append(
            f"Sampled: stopped after {stats.scanned} items (operator cap AGENT_RUNS_HEALTH_MAX_ITEMS="
            f"{settings.health_max_items}); figures cover those items only."
        )
    if current.finished and not current.with_cost:  # absent, said once (the adapter knows why, or its default)
        notes.append(stats.cost_note or capabilities.no_cost_note(adapter, noun))
    notes += [n for n in stats.notes if n not in notes]
    if current.top_reasons(1):
        notes.append(UNTRUSTED_REASONS)
    verdict = verdict_of(current)
    completed = current.totals[Status.COMPLETED.value]
    report = HealthReport(
        provider=adapter.name,
        kind=adapter.kind,
        scope=scope,
        items_kind=noun,
        verdict=verdict,
        headline=headline_of(current, verdict, noun, scope_text),
        totals=dict(current.totals),
        finished=current.finished,
        success_rate=current.success_rate() if verdict != "insufficient_data" else None,  # too few: no rate
        system_failure_rate=current.system_failure_rate() if verdict != "insufficient_data" else None,
        top_failure_reasons=current.top_reasons(),
        outcomes=current.outcome_counts(),
        duration_s=percentiles(current.durations),
        cost_usd=round(current.cost, 4) if current.with_cost else None,
        cost_per_completed_usd=round(current.cost / completed, 4) if current.with_cost and completed else None,
        items_with_cost=current.with_cost,
        tokens=current.tokens if current.with_tokens else None,
        retried=current.retried,
        attempts_reported=current.attempts_reported,
        voice=current.voice(),
        scanned=stats.scanned,
        redacted=settings.redact_pii,
        complete=stats.complete,
        sampled=not stats.complete,
        computed_at=utcnow().replace(microsecond=0),
        notes=notes,
    )
    report.versions = version_figures(current)
    report.failures_began_in = failures_began_in(report.versions)
    if report.failures_began_in:
        report.headline = report.headline.rstrip(".") + f"; failures began in version {report.failures_began_in}."
    report.waiting = waiting_figures(current)
    report._failures = current.failures
    report._directions = dict(current.directions)
    report._cause = cause_of(current, verdict)
    return report
