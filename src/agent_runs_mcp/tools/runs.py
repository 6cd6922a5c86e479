"""Toolset `runs`: an agent's executions, and the tasks of one run."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ResourceLink
from pydantic import Field

from agent_runs_mcp.domain import Execution, Status, Task, Waiting, meta
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.providers.base import ExecutionQuery, RunQuery
from agent_runs_mcp.tools.calls import transcript_uri
from agent_runs_mcp.tools.common import (
    AgentArg,
    CursorArg,
    FreshArg,
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
    settings_of,
    short_time,
    tool_errors,
)
from agent_runs_mcp.tools.hints import failed_tasks_hint, has_failed_tasks, wider_window
from agent_runs_mcp.tools.listing import CONCISE_TEXT_CHARS, DetailArg, ListResult, closing_lines, dump, list_page
from agent_runs_mcp.tools.task_table import (
    ROW_COLUMNS,
    Sort,
    TaskFilter,
    columns_used,
    parse_duration,
    parse_reason,
    row_line,
    row_of,
    table_fetch,
)

RESOURCE_LINKS_MAX = 10


class ExecutionsResult(ListResult):
    agent: str | None = None
    space: str | None = meta()
    filters: dict[str, str] = meta(default_factory=dict, description="The filters applied, as understood.")
    executions: list[Execution]


class TasksResult(ListResult):
    run_id: str
    agent: str | None = meta()
    space: str | None = meta()
    filters: dict[str, str] = meta(default_factory=dict)
    tasks: list[Task]
    columns: list[str] = meta(default_factory=list, description='detail="rows": the names of each row\'s values.')
    rows: list[list[Any]] = meta(default_factory=list, description='detail="rows": one row per task.')
    page_counts: dict[str, int] = meta(default_factory=dict, description="Tasks on this page per status.")


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
    detail: DetailArg = "concise",
    fresh: FreshArg = False,
) -> Annotated[CallToolResult, ExecutionsResult]:
    """List an agent's executions (runs): status, start, duration, task counts, cost, tokens, stop
    reason. Filter by status and since/until. Unpod: `space` alone lists a space's runs."""
    adapter = provider_for(ctx, provider)
    settings = settings_of(ctx)
    wanted = parse_status(status)
    start_at, end_at = parse_window(since, until)
    query = ExecutionQuery(
        agent=agent.strip() if agent else None,
        space=space.strip() if space else None,
        status=wanted,
        since=start_at,
        until=end_at,
    )
    seen: Counter[str] = Counter()
    newest: list[datetime] = []
    partly: list[tuple[int, str]] = []  # runs that finished with failed tasks inside (not found by status="failed")

    def observe(item: Execution) -> None:
        seen[item.status.value] += 1
        if has_failed_tasks(item):
            partly.append(((item.tasks_total or 0) - (item.tasks_completed or 0), item.run_id))
        if item.started_at and (not newest or item.started_at > newest[0]):
            newest[:] = [item.started_at]

    def keep(item: Execution) -> bool:
        return (wanted is None or item.status == wanted) and in_window(item.started_at, start_at, end_at)

    page = await list_page(
        adapter,
        what="executions",
        query=query,
        cursor=cursor,
        limit=limit,
        fetch=lambda t: adapter.executions_page(query, t),
        keep=keep,
        observe=observe,
        detail=detail,
        line=execution_line,
        redact=settings.redact_pii,
        budget=settings.token_budget,
    )
    filters = _filters(status=wanted, since=start_at, until=end_at)
    if not page.items:
        page.notes.append(_empty_executions_hint(page.found.scanned, seen, newest[0] if newest else None, filters))
        if wanted == Status.FAILED and partly:
            page.notes.append(
                failed_tasks_hint(adapter.name, query.agent, query.space, [r for _n, r in sorted(partly, reverse=True)])
            )
    envelope = ExecutionsResult(
        **page.envelope_fields(adapter, detail, settings.redact_pii),
        agent=query.agent,
        space=query.space,
        filters=filters,
        executions=page.items,
    )
    if page.items:
        # The ids are this result's own `provider`, `agent`/`space` and each item's `run_id`: named, not repeated.
        where = "".join(f", {key}=<{key}>" for key, value in (("agent", query.agent), ("space", query.space)) if value)
        envelope.next = [
            f"get_run_tasks(provider=<provider>{where}, run_id=<run_id>), or summarize_run_health with the same"
        ]
    implied = frozenset({"ref"})  # the envelope's provider and agent (or space) with the run id locate a run
    return result(dump(envelope, "executions", detail, implied=implied), _executions_text(envelope, page.lines))


TasksDetail = Literal["concise", "rows", "full"]


@tool_errors
async def get_run_tasks(
    ctx: Context,
    provider: ProviderArg = None,
    run_id: RunIdArg = None,
    ref: RefArg = None,
    space: SpaceArg = None,
    agent: AgentArg = None,
    status: StatusArg = None,
    outcome: Annotated[str | None, Field(description="Outcome contains it.", max_length=100)] = None,
    reason: Annotated[str | None, Field(description='Failure category, e.g. "no answer".', max_length=64)] = None,
    duration: Annotated[str | None, Field(description='Seconds: "60-300", "120-", "-10".', max_length=32)] = None,
    sort: Annotated[Sort | None, Field(description="Largest/latest first.")] = None,
    limit: LimitArg = 20,
    cursor: CursorArg = None,
    detail: Annotated[TasksDetail, Field(description="rows: one compact row per task.")] = "concise",
    fresh: FreshArg = False,
) -> Annotated[CallToolResult, TasksResult]:
    """List a run's tasks: Unpod calls (contact, duration, end reason, outcome, failure, attempts, cost),
    Runtype tool calls and sub-agents, Modus workflow nodes. Pass run_id + agent (Unpod: or space), or a
    ref. Filter by status, outcome, failure category, duration; sort."""
    account, decoded = resolve_ref(ref, provider, ("run", "task"), run_id=run_id, agent=agent, space=space)
    adapter = provider_for(ctx, account)
    settings = settings_of(ctx)
    wanted = parse_status(status)
    low, high = parse_duration(duration)
    category = parse_reason(reason)
    wanted_outcome = " ".join(outcome.lower().split()) if outcome and outcome.strip() else None
    keep = TaskFilter(wanted, wanted_outcome, category, low, high)
    query = RunQuery(
        run_id=pick(run_id, decoded, "r", "run_id") or "",
        agent=pick(agent, decoded, "a", "agent"),
        space=pick(space, decoded, "s", "space"),
        status=wanted,
    )
    if not query.run_id:
        raise InputError("Pass `run_id` (from list_agent_executions) or the run's `ref`.")
    seen: Counter[str] = Counter()
    table_notes_: list[str] = []
    tabled = bool(sort or category)  # the whole run first: sorted, or filtered by the category a report counts
    if tabled:
        fetch = table_fetch(adapter, query, settings, keep, sort, seen, table_notes_)
    else:
        fetch = partial(adapter.tasks_page, query)
    rows = detail == "rows"
    page = await list_page(
        adapter,
        what="tasks",
        query=(query, keep, sort),
        cursor=cursor,
        limit=limit,
        fetch=fetch,
        keep=keep if not tabled else (lambda _task: True),
        observe=None if tabled else (lambda task: seen.update([task.status.value])),
        detail="concise" if rows else detail,
        line=(lambda task: row_line(row_of(task))) if rows else task_line,
        redact=settings.redact_pii,
        budget=settings.token_budget,
        as_json=row_of if rows else None,
    )
    filters = keep.described() | ({"sort": sort} if sort else {})
    page.notes[:0] = table_notes_
    if page.omitted:  # say it first: the cut note leads the notes (and the text right after its head line)
        cut = next(n for n in page.notes if n.startswith("Cut to "))
        page.notes.remove(cut)
        if not rows:
            cut = cut.rstrip(".)") + ', or detail="rows")'
        page.notes.insert(0, cut)
    if not page.items:
        counts = ", ".join(f"{k} {v}" for k, v in seen.most_common()) or "none"
        asked = ", ".join(f"{k}={v}" for k, v in filters.items() if k != "sort")
        page.notes.append(
            f"Searched run {query.run_id} on {adapter.name}"
            + (f" for {asked}" if asked else "")
            + f": none among {page.found.scanned if not tabled else sum(seen.values())} task(s) read "
            f"(statuses seen: {counts})." + (" Loosen or drop a filter." if asked else "")
        )
    fields = page.envelope_fields(adapter, detail if not rows else "concise", settings.redact_pii)
    if keep.described() and not tabled:
        fields["total"] = None  # the provider's count is of all the run's tasks
    envelope = TasksResult(
        **fields,
        run_id=query.run_id,
        agent=query.agent,
        space=query.space,
        filters=filters,
        tasks=[] if rows else page.items,
        page_counts=dict(Counter(t.status.value for t in page.items)),
    )
    lines = page.lines
    if rows and page.items:
        table = [row_of(task) for task in page.items]
        used = columns_used(table)
        envelope.columns = [ROW_COLUMNS[i][0] for i in used]
        envelope.rows = [[row[i] for i in used] for row in table]
        lines = [" | ".join(envelope.columns), *(row_line(row) for row in envelope.rows)]
    links = [
        ResourceLink(
            type="resource_link",
            uri=transcript_uri(task.ref),
            name=f"transcript {task.task_id}",
            mime_type="text/plain",
        )
        for task in page.items
        if task.has_transcript
    ][:RESOURCE_LINKS_MAX]
    if page.items:
        envelope.next = [adapter.open_call_hint(query.run_id, query.agent, query.space)]
    implied = frozenset({"run_id", "ref"})  # the envelope's run, space and agent with the task id locate a task
    dumped = dump(envelope, "tasks", "concise" if rows else detail, implied=implied)
    res = result(dumped, _tasks_text(envelope, lines))
    res.content.extend(links)
    return res


def _filters(**values: object) -> dict[str, str]:
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, datetime) else str(value)
    return out


def _empty_executions_hint(scanned: int, seen: Counter[str], newest: datetime | None, filters: dict[str, Any]) -> str:
    """Say what was searched and the nearest useful widening."""
    if not scanned and not filters:
        return "The provider returned no executions at all for this agent/space: check the id with list_agents."
    if not scanned:
        text = "The provider returned none for " + ", ".join(f"{k}={v}" for k, v in filters.items()) + "."
    else:
        statuses = ", ".join(f"{k} {v}" for k, v in seen.most_common())
        text = f"None of the {scanned} execution(s) read matched (statuses seen: {statuses}"
        text += f"; newest started {short_time(newest)})." if newest else ")."
    if "since" in filters or "until" in filters:
        since = datetime.fromisoformat(filters["since"]) if "since" in filters else None
        text += f" Widen the window ({wider_window(since)})" + (" or drop `status`." if "status" in filters else ".")
    else:
        text += " Drop `status` or pick one of the statuses seen."
    return text


def status_words(item: Execution | Task) -> str:
    """The normalized status, with the provider's own word when it says more (as the structured result does)."""
    word = item.provider_status
    return f"{item.status.value} ({word})" if word and word != item.status.value else item.status.value


def execution_line(run: Execution) -> str:
    parts = [run.run_id, status_words(run), short_time(run.started_at)]
    if run.duration_s is not None:
        parts.append(fmt_duration(run.duration_s))
    if run.tasks_total is not None:
        done = f", {run.tasks_completed} completed" if run.tasks_completed is not None else ""
        parts.append(f"{run.tasks_total} tasks{done}")
    if run.cost_usd is not None:
        parts.append(fmt_money(run.cost_usd))
    if run.tokens is not None:
        parts.append(f"{run.tokens} tok")
    if run.agent_version:
        parts.append(f"version {run.agent_version}")
    if run.stop_reason:
        parts.append(f"stop: {run.stop_reason}")
    if run.waiting:
        parts.append(waiting_words(run.waiting))
    if run.follow_up_of:
        parts.append(f"follow-up of {run.follow_up_of}")
    if run.error:
        parts.append(f"error: {run.error[:CONCISE_TEXT_CHARS]}")
    elif run.summary and not run.waiting:
        parts.append(run.summary[:CONCISE_TEXT_CHARS])
    return "- " + " · ".join(parts)


def waiting_words(waiting: Waiting) -> str:
    """``waits on tool send_email (approver ops@x) since 10:02: message``, from what the provider gave."""
    text = f"waits on {waiting.step or 'a person'}"
    if waiting.approver:
        text += f" (approver {waiting.approver})"
    if waiting.since:
        text += f" since {short_time(waiting.since)}"
    if waiting.message:
        text += f": {waiting.message[:CONCISE_TEXT_CHARS]}"
    return text


def task_line(task: Task) -> str:
    parts = [task.task_id, status_words(task)]
    if task.kind:
        parts.append(task.kind)
    if task.started_at:
        parts.append(short_time(task.started_at))
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
        parts.append(f"failure: {task.failure_reason[:CONCISE_TEXT_CHARS]}")
    if task.attempts and task.attempts > 1:
        parts.append(f"{task.attempts} attempts")
    if task.follow_up_of:
        parts.append(f"follow-up of {task.follow_up_of}")
    if task.cost_usd is not None:
        parts.append(fmt_money(task.cost_usd))
    if task.summary and not task.failure_reason:
        parts.append(task.summary[:CONCISE_TEXT_CHARS])
    return "- " + " · ".join(parts)


def _executions_text(model: ExecutionsResult, lines: list[str]) -> str:
    scope = f"agent {model.agent}" if model.agent else f"space {model.space}"
    head = f"{model.provider} · {scope} · {len(lines)} execution(s)"
    if model.total is not None:
        head += f" of {model.total}"
    if model.filters:
        head += " · " + ", ".join(f"{k}={v}" for k, v in model.filters.items())
    return "\n".join([head, *lines, *closing_lines(model)])


def _tasks_text(model: TasksResult, lines: list[str]) -> str:
    head = f"{model.provider} · run {model.run_id} · {len(model.rows) or len(lines)} task(s)"
    if model.total is not None:
        head += f" of {model.total}"
    if model.filters:
        head += " · " + ", ".join(f"{k}={v}" for k, v in model.filters.items())
    if model.page_counts:
        head += " · " + ", ".join(f"{k} {v}" for k, v in sorted(model.page_counts.items()))
    if model.rows:
        head += " · rows (start MM-DD HH:MM UTC, duration in s)"
    if model.truncated:  # the cut is said first, with the call that continues
        rest = model.model_copy(update={"notes": model.notes[1:]})
        return "\n".join([head, model.notes[0], *lines, *closing_lines(rest)])
    return "\n".join([head, *lines, *closing_lines(model)])
