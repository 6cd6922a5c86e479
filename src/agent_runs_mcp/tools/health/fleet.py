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
from typing import TYPE_CHECKING, Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from agent_runs_mcp import metrics
from agent_runs_mcp.domain import Agent
from agent_runs_mcp.errors import AgentRunsError
from agent_runs_mcp.providers.call_context import caching
from agent_runs_mcp.refs import Cursor
from agent_runs_mcp.tools.accounts import NO_ACCOUNT
from agent_runs_mcp.tools.common import (
    ProviderArg,
    UntilArg,
    parse_window,
    registry_of,
    result,
    said,
    tool_errors,
)
from agent_runs_mcp.tools.health.fleet_view import (
    FleetReport,
    FleetRow,
    error_row,
    rank,
    render_fleet,
    row_line,
    row_of,
    structured_fleet,
    totals_of,
)
from agent_runs_mcp.tools.health.models import PROGRESS_EVERY_S, HealthReport

if TYPE_CHECKING:
    from agent_runs_mcp.providers.base import Provider

AGENTS_MAX = 100
"""Most agents one account contributes to the fleet view."""
AGENTS_AT_ONCE = 3
"""Agents computed at once per account (each report reads pages itself)."""


@tool_errors
async def summarize_fleet_health(
    ctx: Context,
    provider: ProviderArg = None,
    since: Annotated[str | None, Field(description="Window start; default 24h.", max_length=64)] = None,
    until: UntilArg = None,
) -> Annotated[CallToolResult, FleetReport]:
    """Which agents need attention? Every agent of every account (or `provider`) over since/until
    (default 24h) against the window before: failing and regressing first, each with its headline."""
    # Loaded with the first call, not at start-up (#21 item 8).
    from agent_runs_mcp.tools.budget import fit
    from agent_runs_mcp.tools.health.report import Scanner, window_report
    from agent_runs_mcp.tools.paging import collect
    from agent_runs_mcp.tools.sanitize import Sanitizer

    registry = registry_of(ctx)
    settings = registry.settings
    names = [provider] if provider else registry.names
    adapters = [registry.get(name) for name in names]
    start_at, end_at = parse_window(since, until, default_since="24h")
    assert start_at is not None
    start_at = start_at.replace(microsecond=0)
    end = (end_at or datetime.now(start_at.tzinfo)).replace(microsecond=0)
    clean = Sanitizer(settings.redact_pii).text
    rows: list[FleetRow] = []
    reports: dict[tuple[str, str], HealthReport] = {}
    notes: list[str] = [] if names else [NO_ACCOUNT]
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
            notes.append(clean(f"{adapter.name}: agents not listed: {said(exc)}"))
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
                    rows.append(error_row(adapter.name, agent, said(exc)[:300]))
                else:
                    metrics.REPORTS_COMPUTED.labels(adapter.name, "agent_window").inc()
                    complete = complete and report.complete
                    reports[(adapter.name, agent.id)] = report
                    rows.append(row_of(adapter.name, agent, report))
            done[0] += 1
            await progress()

        await asyncio.gather(*(one(agent) for agent in found.items))

    with caching("skip"):
        await asyncio.gather(*(account(adapter) for adapter in adapters))
    rows.sort(key=rank)
    totals = totals_of(rows, reports)
    said_once = {t.provider for t in totals if t.calls_direction} | (
        {r.provider for r in rows} if any(t.provider == "all" and t.calls_direction for t in totals) else set()
    )
    for row in rows:  # an account whose calling agents all go one way says so once, in its totals
        if row.provider in said_once and row.direction is not None:
            row.direction = None
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
        totals=totals, notes=notes,
    )  # fmt: skip
    if rows:
        model.next = [f'summarize_run_health(provider=<provider>, agent=<agent>, since="{since or "24h"}")']
    if any(r.awaiting for r in rows):  # `awaiting` counts waits started in the window; older ones wait too
        model.next.append('list_agent_executions(status="awaiting_human"): every wait now, with its step and since')
    return result(structured_fleet(model), render_fleet(model, lines[:kept], bool(names)))
