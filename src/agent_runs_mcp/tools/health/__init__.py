"""Toolset `health`: is a run, or an agent over a window, healthy, and if not, why?

The report is computed on the server, streaming page by page: every item in
scope is counted exactly (up to an operator-set cap, after which the report
says it is sampled), so the model never has to page through raw tasks.

Definitions (also returned in the report):

* success rate = completed / finished, where finished = completed + partial + failed + cancelled.
* system failure rate = failed items whose reason is on our side or the carrier's
  (SIP/carrier error, agent error, tool error, plan or quota limit, authentication or permission
  error, timeout, interrupted, other) / finished.
  Contact-side failures (no answer, busy, voicemail, early hang-up, max retries)
  are normal in outbound calling and do not count here.
* verdict: ``insufficient_data`` below 5 finished items; ``failing`` when the system
  failure rate is at least 20% or the success rate is under 40%; ``degraded`` when
  the system failure rate is at least 5% or the success rate is under 70%;
  ``healthy`` otherwise.
* percentiles use the nearest-rank method.

Modules: :mod:`.reasons` (vocabulary), :mod:`.models` (the result), :mod:`.figures` (pure
counters), :mod:`.scan` (reading), :mod:`.report` (run and window reports), :mod:`.render`
(text), :mod:`.cache` (recent reports).
"""

from __future__ import annotations

import time
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from agent_runs_mcp import metrics
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.providers.call_context import caching
from agent_runs_mcp.text import clean_text
from agent_runs_mcp.tools.common import (
    AgentArg,
    FreshArg,
    ProviderArg,
    RefArg,
    RunIdArg,
    SpaceArg,
    UntilArg,
    parse_window,
    pick,
    provider_for,
    registry_of,
    resolve_ref,
    result,
    tool_errors,
)
from agent_runs_mcp.tools.health.models import PROGRESS_EVERY_S, HealthReport, structured_report

_LAZY = {
    "Accumulator": "figures",
    "compare": "figures",
    "headline_of": "figures",
    "verdict_of": "figures",
    "classify_failure": "reasons",
    "is_generic": "reasons",
    "render_health": "render",
}

__all__ = [
    "Accumulator",
    "HealthReport",
    "classify_failure",
    "compare",
    "headline_of",
    "is_generic",
    "render_health",
    "summarize_run_health",
    "verdict_of",
]


@tool_errors
async def summarize_run_health(
    ctx: Context,
    provider: ProviderArg = None,
    run_id: RunIdArg = None,
    ref: RefArg = None,
    agent: AgentArg = None,
    space: SpaceArg = None,
    since: Annotated[str | None, Field(description="Agent window start; default 24h.", max_length=64)] = None,
    until: UntilArg = None,
    fresh: FreshArg = False,
) -> Annotated[CallToolResult, HealthReport]:
    """Is a run, or an agent over since/until (default 24h, against the window before), healthy, and if
    not, why? Computed on the server over every item: verdict, headline, counts, success rate, top
    failure reasons with examples, outcomes, connect/voicemail rates, durations, cost. Use before paging
    tasks."""
    from agent_runs_mcp.providers.base import RunQuery

    # What a report needs is loaded with its first call, not at start-up (#21 item 8).
    from agent_runs_mcp.tools.health.cache import Computed, reports_of
    from agent_runs_mcp.tools.health.dashboard import view_meta
    from agent_runs_mcp.tools.health.render import next_steps, render_health
    from agent_runs_mcp.tools.health.report import Scanner, run_report, window_report
    from agent_runs_mcp.tools.sanitize import Sanitizer

    account, decoded = resolve_ref(ref, provider, ("run", "agent"), run_id=run_id, agent=agent, space=space)
    registry = registry_of(ctx)
    adapter = provider_for(ctx, account)
    settings = registry.settings
    run = pick(run_id, decoded, "r", "run_id")
    agent_id = pick(agent, decoded, "a", "agent")
    space_id = pick(space, decoded, "s", "space")
    if run and (since or until):
        raise InputError("`since`/`until` apply to an agent's window; with `run_id` leave them out.")
    if not run and not agent_id:
        raise InputError(
            "Pass `run_id` (or a run's `ref`) for one run, or `agent` for a time window; for every agent of an "
            f"account at once, summarize_fleet_health({_fleet_args(provider, since, until)})."
        )
    reports = reports_of(registry)
    key = ("health", adapter.name, run, agent_id, space_id) if settings.cache_enabled and run else None
    sanitizer = Sanitizer(settings.redact_pii)
    if key is not None and not fresh:
        cached = await reports.get(key)
        metrics.CACHE_LOOKUPS.labels("report", "hit" if cached is not None else "miss").inc()
        if cached is not None:
            report = cached.report.model_copy(update={"from_cache": True})
            return result(structured_report(report), render_health(report), cached.view)

    last_progress = [0.0]

    async def progress(done: int, total: int | None) -> None:
        # At most a few notifications a second, plus the last one: each is a message to the client.
        now = time.monotonic()
        if now - last_progress[0] >= PROGRESS_EVERY_S or (total is not None and done >= total):
            last_progress[0] = now
            await ctx.report_progress(done, total, message=f"read {done} items")

    async def compute() -> Computed:
        settled = reports.settled_pages(key) if key is not None else None  # finished pages never change
        scanner = Scanner(settings, progress, sanitizer.line, settled)
        with caching("skip"):  # a report reads many pages once: the cache would only hold memory
            if run:
                report = await run_report(adapter, RunQuery(run_id=run, agent=agent_id, space=space_id), scanner)
            else:
                assert agent_id is not None
                start_at, end_at = parse_window(since, until, default_since="24h")
                assert start_at is not None
                report = await window_report(adapter, agent_id, space_id, start_at, end_at, scanner)
        metrics.REPORTS_COMPUTED.labels(adapter.name, report.scope.type).inc()
        report.next = next_steps(report)
        done = Computed(report, view_meta(report._failures, sanitizer.line))
        if key is not None and report.complete:
            await reports.put(key, done)  # a run whose items have all finished will not change
            if scanner.last is not None:
                reports.keep_settled(key, report, scanner.last.settled)
        return done

    if key is None:
        done = await compute()
    else:  # one computation per run at a time, on this replica and (with Redis) across replicas
        done, computed_here = await reports.single_flight(key, compute, wait_s=max(5.0, settings.call_timeout_s - 5))
        if not computed_here:
            done = Computed(done.report.model_copy(update={"from_cache": True}), done.view)
    return result(structured_report(done.report), render_health(done.report), done.view)


def _fleet_args(provider: str | None, since: str | None, until: str | None) -> str:
    """The fleet call with the arguments the caller gave (each at most 64 characters, as their schemas say)."""
    given = (("provider", provider), ("since", since), ("until", until))
    return ", ".join(f'{key}="{clean_text(value[:64])}"' for key, value in given if value)


def __getattr__(name: str) -> object:
    """The pure figures, the vocabulary and the renderer, re-exported here for callers and tests, are imported
    when first asked for (PEP 562): the server's start-up imports this package for the tool alone."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
