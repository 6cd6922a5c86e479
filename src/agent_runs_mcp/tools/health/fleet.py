"""The fleet view: every agent of every configured account (or of one), ranked by what needs attention.

Each agent gets the same window report as `summarize_run_health(agent=...)`, against the window before;
agents are computed a few at a time per account (within its request cap), and one agent whose provider
fails becomes a row saying so, never a failed call. Ranking: failing, then degraded, then healthy, then
not enough data; inside a verdict, the biggest drop in success rate first, then the most failures.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from agent_runs_mcp.domain import Agent, meta
from agent_runs_mcp.errors import AgentRunsError
from agent_runs_mcp.metrics import REPORTS_COMPUTED
from agent_runs_mcp.providers.base import Provider
from agent_runs_mcp.providers.client import caching
from agent_runs_mcp.refs import Cursor
from agent_runs_mcp.tools.budget import fit
from agent_runs_mcp.tools.common import (
    ProviderArg,
    UntilArg,
    parse_window,
    registry_of,
    result,
    short_time,
    tool_errors,
)
from agent_runs_mcp.tools.health.models import PROGRESS_EVERY_S, HealthReport
from agent_runs_mcp.tools.health.report import Scanner, window_report
from agent_runs_mcp.tools.paging import collect
from agent_runs_mcp.tools.sanitize import Sanitizer

AGENTS_MAX = 100
"""Most agents one account contributes to the fleet view."""
AGENTS_AT_ONCE = 3
"""Agents computed at once per account (each report reads pages itself)."""
RANK = {"failing": 0, "degraded": 1, "healthy": 2, "insufficient_data": 3, "error": 4}


class FleetRow(BaseModel):
    provider: str
    agent: str
    name: str | None = None
    verdict: str = Field(description="failing, degraded, healthy, insufficient_data, or error (not read).")
    headline: str
    items: int = 0
    failed: int = 0
    success_rate: float | None = None
    previous_success_rate: float | None = None
    change: float | None = Field(default=None, description="Success rate now minus the window before.")


class FleetReport(BaseModel):
    since: datetime
    until: datetime
    agents: list[FleetRow]
    counted: int = Field(description="Agents reported on (all of them, not only this page).")
    verdicts: dict[str, int] = Field(description="Agents per verdict.")
    complete: bool = Field(description="True when every agent's window was read whole.")
    notes: list[str] = meta(default_factory=list)
    next: list[str] = meta(default_factory=list)


@tool_errors
async def summarize_fleet_health(
    ctx: Context,
    provider: ProviderArg = None,
    since: Annotated[str | None, Field(description="Window start; default 24h.", max_length=64)] = None,
    until: UntilArg = None,
) -> Annotated[CallToolResult, FleetReport]:
    """Which agents need attention? Every agent of every account (or `provider`) over since/until
    (default 24h) against the window before: failing and regressing first, each with its headline."""
    registry = registry_of(ctx)
    settings = registry.settings
    names = [provider] if provider else registry.names
    adapters = [registry.get(name) for name in names]
    start_at, end_at = parse_window(since, until, default_since="24h")
    assert start_at is not None
    end = end_at or datetime.now(start_at.tzinfo)
    clean = Sanitizer(settings.redact_pii).text
    rows: list[FleetRow] = []
    notes: list[str] = []
    complete = True
    done, total = [0], [0]
    last = [0.0]

    async def progress() -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S or done[0] == total[0]:
            last[0] = now
            await ctx.report_progress(done[0], total[0], message=f"{done[0]} of {total[0]} agents")

    async def account(adapter: Provider) -> None:
        nonlocal complete
        try:
            found = await collect(lambda t: adapter.agents_page(t, None), Cursor(None, 0), AGENTS_MAX)
        except AgentRunsError as exc:
            notes.append(clean(f"{adapter.name}: agents not listed: {exc}"))
            return
        if found.end is not None:
            notes.append(f"{adapter.name}: the first {AGENTS_MAX} agents only.")
        total[0] += len(found.items)
        limit = asyncio.Semaphore(AGENTS_AT_ONCE)

        async def one(agent: Agent) -> None:
            nonlocal complete
            async with limit:
                try:
                    report = await window_report(adapter, agent.id, agent.space, start_at, end_at, Scanner(settings))
                except AgentRunsError as exc:
                    rows.append(FleetRow(provider=adapter.name, agent=agent.id, name=agent.name, verdict="error",
                                         headline=clean(str(exc))[:300]))  # fmt: skip
                else:
                    REPORTS_COMPUTED.labels(adapter.name, "agent_window").inc()
                    complete = complete and report.complete
                    rows.append(row_of(adapter.name, agent, report))
            done[0] += 1
            await progress()

        await asyncio.gather(*(one(agent) for agent in found.items))

    with caching("skip"):
        await asyncio.gather(*(account(adapter) for adapter in adapters))
    rows.sort(key=rank)
    lines = [row_line(r) for r in rows]
    kept = fit([r.model_dump(mode="json", exclude_none=True) for r in rows], lines, settings.token_budget)
    if kept < len(rows):
        notes.append(f"Showing the {kept} agents that need attention most of {len(rows)}, within the token budget.")
    if not complete:
        notes.append("Some windows were sampled (the item cap or the call's time limit); see each agent's report.")
    verdicts: dict[str, int] = {}
    for r in rows:
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    model = FleetReport(
        since=start_at, until=end, agents=rows[:kept], counted=len(rows), verdicts=verdicts, complete=complete,
        notes=notes,
    )  # fmt: skip
    if rows:
        model.next = [f'summarize_run_health(provider=<provider>, agent=<agent>, since="{since or "24h"}")']
    return result(model, render_fleet(model, lines[:kept]))


def row_of(account: str, agent: Agent, report: HealthReport) -> FleetRow:
    before = report.previous.success_rate if report.previous else None
    now = report.success_rate
    return FleetRow(
        provider=account,
        agent=agent.id,
        name=agent.name,
        verdict=report.verdict,
        headline=report.headline,
        items=sum(report.totals.values()),
        failed=report.totals.get("failed", 0),
        success_rate=now,
        previous_success_rate=before,
        change=round(now - before, 4) if now is not None and before is not None else None,
    )


def rank(row: FleetRow) -> tuple[int, float, int]:
    return RANK.get(row.verdict, 5), row.change if row.change is not None else 0.0, -row.failed


def row_line(row: FleetRow) -> str:
    parts = [f"{row.provider}/{row.agent}", row.name or "-", row.verdict]
    if row.success_rate is not None:
        rate = f"success {row.success_rate:.0%}"
        if row.change is not None:
            rate += f" ({row.change:+.0%} vs before)"
        parts.append(rate)
    if row.failed:
        parts.append(f"{row.failed} failed of {row.items}")
    parts.append(row.headline)
    return "- " + " · ".join(parts)


def render_fleet(model: FleetReport, lines: list[str]) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(model.verdicts.items(), key=lambda kv: RANK.get(kv[0], 5)))
    head = (
        f"Fleet · {model.counted} agent(s) · {short_time(model.since)} to {short_time(model.until)} · "
        f"{counts or 'no agents'}"
    )
    return "\n".join([head, *lines, *model.notes, *[f"Next: {step}" for step in model.next]])
