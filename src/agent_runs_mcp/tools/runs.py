"""Toolset `runs`: an agent's executions, and the tasks of one run."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from agent_runs_mcp.domain import Execution, Task
from agent_runs_mcp.providers.base import ExecutionQuery, RunQuery
from agent_runs_mcp.refs import decode_cursor, encode_cursor, query_fingerprint
from agent_runs_mcp.tools.common import (
    AgentArg,
    CursorArg,
    LimitArg,
    ProviderArg,
    RefArg,
    RunIdArg,
    SinceArg,
    SpaceArg,
    StatusArg,
    UntilArg,
    fmt_duration,
    fmt_money,
    in_window,
    parse_status,
    parse_window,
    pick,
    provider_for,
    resolve_ref,
    result,
    short_time,
    tool_errors,
)
from agent_runs_mcp.tools.paging import collect


class ExecutionsResult(BaseModel):
    provider: str
    kind: str
    agent: str | None
    space: str | None = None
    filters: dict[str, str] = Field(default_factory=dict, description="The filters applied, as understood.")
    executions: list[Execution]
    next_cursor: str | None = None
    total: int | None = Field(default=None, description="All executions matching, when the provider reports it.")
    scanned: int = Field(description="Provider items read to build this page.")
    notes: list[str] = Field(default_factory=list)


class TasksResult(BaseModel):
    provider: str
    kind: str
    run_id: str
    agent: str | None = None
    space: str | None = None
    filters: dict[str, str] = Field(default_factory=dict)
    tasks: list[Task]
    page_counts: dict[str, int] = Field(description="Tasks on this page per normalized status.")
    next_cursor: str | None = None
    total: int | None = Field(default=None, description="All tasks of the run, when the provider reports it.")
    scanned: int
    notes: list[str] = Field(default_factory=list)


@tool_errors
async def list_agent_executions(
    ctx: Context,
    provider: ProviderArg = None,
    agent: AgentArg = None,
    status: StatusArg = None,
    since: SinceArg = None,
    until: UntilArg = None,
    limit: LimitArg = 20,
    cursor: CursorArg = None,
    space: SpaceArg = None,
) -> Annotated[CallToolResult, ExecutionsResult]:
    """List an agent's executions (runs), newest first as the provider orders them: status, start/end,
    duration, task counts, cost, tokens, stop reason. Filter by normalized `status` and a `since`/`until`
    window. For Unpod, `space` lists all runs of a space instead. Next: get_run_tasks with a run's `ref`,
    or summarize_run_health for the overall picture."""
    adapter = provider_for(ctx, provider)
    wanted = parse_status(status)
    start_at, end_at = parse_window(since, until)
    query = ExecutionQuery(
        agent=agent.strip() if agent else None,
        space=space.strip() if space else None,
        status=wanted,
        since=start_at,
        until=end_at,
    )
    fingerprint = query_fingerprint("executions", adapter.name, query)
    start = decode_cursor(cursor, fingerprint)

    def keep(item: Execution) -> bool:
        return (wanted is None or item.status == wanted) and in_window(item.started_at, start_at, end_at)

    found = await collect(lambda token: adapter.executions_page(query, token), start, limit, keep)
    filters = _filters(status=wanted, since=start_at, until=end_at)
    model = ExecutionsResult(
        provider=adapter.name,
        kind=adapter.kind,
        agent=query.agent,
        space=query.space,
        filters=filters,
        executions=found.items,
        next_cursor=encode_cursor(found.end, fingerprint) if found.end else None,
        total=found.total,
        scanned=found.scanned,
        notes=found.notes,
    )
    return result(model, render_executions(model))


@tool_errors
async def get_run_tasks(
    ctx: Context,
    provider: ProviderArg = None,
    run_id: RunIdArg = None,
    ref: RefArg = None,
    space: SpaceArg = None,
    agent: AgentArg = None,
    status: StatusArg = None,
    limit: LimitArg = 20,
    cursor: CursorArg = None,
) -> Annotated[CallToolResult, TasksResult]:
    """List the tasks of one run: for Unpod its calls (contact, duration, end reason, outcome, summary,
    failure reason, attempts, cost), for Runtype its tool calls and sub-agent executions, for Modus its
    workflow nodes. Pass the run's `ref` from list_agent_executions (or `run_id` with `agent`, and for
    Unpod `space`). Filter by `status`. Next: get_call_transcript with a task's `ref`."""
    account, decoded = resolve_ref(ref, provider, ("run", "task"))
    adapter = provider_for(ctx, account)
    wanted = parse_status(status)
    query = RunQuery(
        run_id=pick(run_id, decoded, "r", "run_id") or "",
        agent=pick(agent, decoded, "a", "agent"),
        space=pick(space, decoded, "s", "space"),
        status=wanted,
    )
    if not query.run_id:
        from agent_runs_mcp.errors import InputError

        raise InputError("Pass `run_id` (from list_agent_executions) or the run's `ref`.")
    fingerprint = query_fingerprint("tasks", adapter.name, query)
    start = decode_cursor(cursor, fingerprint)
    found = await collect(
        lambda token: adapter.tasks_page(query, token),
        start,
        limit,
        lambda task: wanted is None or task.status == wanted,
    )
    model = TasksResult(
        provider=adapter.name,
        kind=adapter.kind,
        run_id=query.run_id,
        agent=query.agent,
        space=query.space,
        filters=_filters(status=wanted),
        tasks=found.items,
        page_counts=dict(Counter(t.status.value for t in found.items)),
        next_cursor=encode_cursor(found.end, fingerprint) if found.end else None,
        total=found.total if wanted is None else None,
        scanned=found.scanned,
        notes=found.notes,
    )
    return result(model, render_tasks(model))


def _filters(**values: object) -> dict[str, str]:
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = value.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(value, "strftime") else str(value)
    return out


def render_executions(model: ExecutionsResult) -> str:
    scope = f"agent {model.agent}" if model.agent else f"space {model.space}"
    head = f"{model.provider} · {scope} · {len(model.executions)} execution(s)"
    if model.total is not None:
        head += f" of {model.total}"
    if model.filters:
        head += " · " + ", ".join(f"{k}={v}" for k, v in model.filters.items())
    lines = [head]
    for run in model.executions:
        parts = [run.run_id, run.status.value, short_time(run.started_at)]
        if run.duration_s is not None:
            parts.append(fmt_duration(run.duration_s))
        if run.tasks_total is not None:
            done = f", {run.tasks_completed} completed" if run.tasks_completed is not None else ""
            parts.append(f"{run.tasks_total} tasks{done}")
        if run.cost_usd is not None:
            parts.append(fmt_money(run.cost_usd))
        if run.tokens is not None:
            parts.append(f"{run.tokens} tok")
        if run.stop_reason:
            parts.append(f"stop: {run.stop_reason}")
        if run.error:
            parts.append(f"error: {run.error[:120]}")
        elif run.summary:
            parts.append(run.summary[:120])
        parts.append(f"ref {run.ref}")
        lines.append("- " + " · ".join(parts))
    if not model.executions:
        lines.append(
            "No executions matched"
            + (" these filters; widen `since` or drop `status`." if model.filters else " for this agent.")
        )
    lines += model.notes
    if model.next_cursor:
        lines.append(f"More: call again with cursor={model.next_cursor}")
    if model.executions:
        lines.append("Next: get_run_tasks(ref=<a run's ref>) lists its tasks.")
    return "\n".join(lines)


def render_tasks(model: TasksResult) -> str:
    head = f"{model.provider} · run {model.run_id} · {len(model.tasks)} task(s)"
    if model.total is not None:
        head += f" of {model.total}"
    if model.filters:
        head += " · " + ", ".join(f"{k}={v}" for k, v in model.filters.items())
    if model.page_counts:
        head += " · " + ", ".join(f"{k} {v}" for k, v in sorted(model.page_counts.items()))
    lines = [head]
    for task in model.tasks:
        parts = [task.task_id, task.status.value]
        if task.kind:
            parts.append(task.kind)
        if task.name:
            parts.append(task.name)
        if task.contact:
            parts.append(task.contact)
        if task.duration_s is not None:
            parts.append(fmt_duration(task.duration_s))
        if task.end_reason:
            parts.append(f"end: {task.end_reason}")
        if task.outcome:
            parts.append(f"outcome: {task.outcome}")
        if task.failure_reason:
            parts.append(f"failure: {task.failure_reason[:120]}")
        if task.attempts and task.attempts > 1:
            parts.append(f"{task.attempts} attempts")
        if task.cost_usd is not None:
            parts.append(fmt_money(task.cost_usd))
        if task.summary and not task.failure_reason:
            parts.append(task.summary[:140])
        parts.append(f"ref {task.ref}")
        lines.append("- " + " · ".join(parts))
    if not model.tasks:
        lines.append("No tasks matched" + (" this status; drop `status` to see all." if model.filters else "."))
    lines += model.notes
    if model.next_cursor:
        lines.append(f"More: call again with cursor={model.next_cursor}")
    if any(t.has_transcript for t in model.tasks):
        lines.append("Next: get_call_transcript(ref=<a task's ref>) reads its conversation.")
    return "\n".join(lines)
