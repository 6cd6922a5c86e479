"""Toolset `runs`: an agent's executions, and the tasks of one run or of an agent's runs over a window
(:mod:`.window_tasks`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ResourceLink
from pydantic import Field

from agent_runs_mcp.domain import Status, Task, meta
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.tools.arguments import Sort
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
    parse_status,
    pick,
    provider_for,
    resolve_ref,
    result,
    settings_of,
    short_time,
    tool_errors,
)
from agent_runs_mcp.tools.executions import execution_line, list_agent_executions
from agent_runs_mcp.tools.formatting import EARLIER_FAILURE, failure_words
from agent_runs_mcp.tools.results import CONCISE_TEXT_CHARS, ListResult

RESOURCE_LINKS_MAX = 10

__all__ = ["execution_line", "get_run_tasks", "list_agent_executions"]  # executions live in tools/executions.py


class ListedTask(Task):
    """A task as listed: at concise its status may be left to ``item_defaults``."""

    status: Status | None = None  # type: ignore[assignment]  # always set; left out when `item_defaults` says it
    earlier_failure: str | None = meta(description="Concise, a completed task: an earlier attempt's failure.")


class TasksResult(ListResult):
    run_id: str | None = Field(default=None, description="Absent when the tasks are an agent's across runs.")
    scope: str | None = meta(description="Across runs: the agent (or space) and window read.")
    runs: int | None = meta(description="Across runs: the runs the tasks on this page belong to.")
    complete: bool | None = meta(description="Across runs: True when every task of the window was read.")
    sampled: bool = meta(
        False,
        "Across runs: True when the cap or the time limit stopped a sorted/filtered read, or a run's tasks were cut.",
    )
    run_ids: list[str] = meta(
        default_factory=list, description='Across runs, detail="rows": row `run` n is run_ids[n-1].'
    )
    agent: str | None = meta()
    space: str | None = meta()
    filters: dict[str, str] = meta(default_factory=dict)
    tasks: list[ListedTask]
    task_kind: str | None = meta(description="The kind of every task on this page (concise: not repeated per task).")
    columns: list[str] = meta(default_factory=list, description='detail="rows": the names of each row\'s values.')
    rows: list[list[Any]] = meta(default_factory=list, description='detail="rows": one row per task.')
    by_reason: dict[str, list[list[Any]]] = meta(
        default_factory=dict,
        description='detail="rows", status="failed": the rows under each failure category, the largest first.',
    )
    page_counts: dict[str, int] = meta(default_factory=dict, description="Tasks on this page per status.")
    stats: dict[str, Any] | None = meta(
        description='detail="stats": every matching task added up (statuses, durations, cost, distinct contacts, '
        "outcomes, failure categories); no rows."
    )
    item_defaults: dict[str, Any] = meta(
        default_factory=dict, description="Concise: the value of each of these fields on every task that leaves it out."
    )


TasksDetail = Literal["concise", "rows", "stats", "full"]


@tool_errors
async def get_run_tasks(
    ctx: Context,
    provider: ProviderArg = None,
    run_id: RunIdArg = None,
    ref: RefArg = None,
    space: SpaceArg = None,
    agent: AgentArg = None,
    since: SinceArg = None,
    until: UntilArg = None,
    status: StatusArg = None,
    outcome: Annotated[str | None, Field(description="Outcome contains it.", max_length=100)] = None,
    reason: Annotated[str | None, Field(description='Failure category, e.g. "no answer".', max_length=64)] = None,
    duration: Annotated[
        str | None, Field(description='Seconds, bounds included: "60-300", "120-", "-10".', max_length=32)
    ] = None,
    sort: Annotated[Sort | None, Field(description="Largest first; _asc: smallest.")] = None,
    limit: LimitArg = 20,
    cursor: CursorArg = None,
    detail: Annotated[TasksDetail, Field(description="rows: a row per task.")] = "concise",
    fresh: FreshArg = False,
) -> Annotated[CallToolResult, TasksResult]:
    """List a run's tasks: Unpod calls (contact, duration, outcome, failure, cost), Runtype tool calls and
    sub-agents, Modus workflow nodes. Pass run_id + agent (Unpod: or space), or a ref. Filter by status,
    outcome, failure category, duration; sort; detail="stats" sums them (mean duration, cost, distinct
    contacts). Without a run: the agent's tasks across its runs over since/until (default 24h)."""
    # Loaded with the first call, not at start-up (tests/test_startup_imports.py).
    from agent_runs_mcp.providers.base import RunQuery
    from agent_runs_mcp.tools import capabilities
    from agent_runs_mcp.tools.failures import explain_listed
    from agent_runs_mcp.tools.hints import open_call_hint
    from agent_runs_mcp.tools.listing import ListSpec, dump, filters_of, list_page
    from agent_runs_mcp.tools.task_table import (
        QUEUED_MARK,
        QUEUED_NOTE,
        START_COLUMN_NAME,
        TaskFilter,
        WholeRun,
        columns_used,
        group_by_reason,
        parse_duration,
        parse_reason,
        queued_column,
        row_columns,
        row_line,
        row_of,
        table_fetch,
    )
    from agent_runs_mcp.tools.window_tasks import (
        bounded_fetch,
        own_run,
        runs_legend,
        runs_reserve,
        sample_note,
        window_fetch,
        window_hint,
        window_of,
        window_row,
        window_words,
    )

    account, decoded = resolve_ref(ref, provider, ("run", "task", "agent"), run_id=run_id, agent=agent, space=space)
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
    window = window_of(query, since, until)
    across = window is not None  # tasks of many runs: each names its run
    seen: Counter[str] = Counter()
    table_notes_: list[str] = []
    stats = detail == "stats"
    if stats and cursor:
        raise InputError('`detail="stats"` adds up every matching task in one call; drop `cursor`.')
    # the whole run first: sorted, filtered by the category a report counts, or added up
    tabled = bool(sort or category or stats)
    order = None if stats else sort  # stats add up: no order to keep
    capped, stopped, runs_cut = [False], [False], [0]

    def sampled_words(run: WholeRun) -> str | None:
        """The window table's note when its read stopped before the window's end (the page cap, or the scan's)."""
        stopped[0] = capped[0] or not run.complete
        return sample_note(run.scanned, capped[0]) if stopped[0] else None

    if window is not None:
        pages = window_fetch(adapter, window, runs_cut)
        fetch = (
            table_fetch(adapter, query, settings, keep, order, seen, table_notes_, bounded_fetch(pages, capped),
                        sampled_words, explain=stats)
            if tabled
            else pages
        )  # fmt: skip
    elif tabled:
        fetch = table_fetch(adapter, query, settings, keep, order, seen, table_notes_, explain=stats)
    else:
        fetch = partial(adapter.tasks_page, query)
    if stats:
        from agent_runs_mcp.tools.task_stats import stats_result

        whole = await fetch(None)  # the table's one page: `total` only when the run or window was read to its end
        sampled = whole.total is None or runs_cut[0] > 0
        return stats_result(adapter, query, keep, window, whole.items, seen, table_notes_, sampled, settings.redact_pii)
    rows = detail == "rows"
    columns = row_columns(across)
    row = partial(row_of, columns=columns)
    # what the budget counts: across runs a row says its run by number (see number_runs), or not at all
    fitted_row = partial(window_row, row=row) if across else row
    page = await list_page(
        adapter,
        ListSpec(
            what="tasks",
            # the window as given (`24h`), not as resolved: a relative window moves with the clock between pages
            query=(query, keep, sort, since, until),
            limit=limit,
            fetch=fetch,
            keep=keep if not tabled else (lambda _task: True),
            observe=None if tabled else (lambda task: seen.update([task.status.value])),
            detail="concise" if rows else detail,
            line=(lambda task: row_line(fitted_row(task))) if rows else partial(task_line, show_run=across),
            redact=settings.redact_pii,
            budget=settings.token_budget,
            as_json=fitted_row if rows else None,
            explain=lambda tasks: explain_listed(tasks, lambda _task: adapter, query),
            reserve=runs_reserve if across and rows else None,
        ),
        cursor,
    )
    filters = keep.described() | ({"sort": sort} if sort else {})
    if window is not None:
        filters = filters_of(since=window.since, until=window.until) | filters
    page.notes[:0] = table_notes_
    if page.omitted:  # say it first: the cut note leads the notes (and the text right after its head line)
        cut = next(n for n in page.notes if n.startswith("Cut to "))
        page.notes.remove(cut)
        if not rows:
            cut = cut.rstrip(".)") + ', or detail="rows")'
        page.notes.insert(0, cut)
    scanned = page.found.scanned if not tabled else sum(seen.values())
    if not page.items:
        counts = ", ".join(f"{k} {v}" for k, v in seen.most_common()) or "none"
        asked = ", ".join(f"{k}={v}" for k, v in filters.items() if k not in ("sort", "since", "until"))
        where = f"run {query.run_id}" if window is None else window_words(window)
        page.notes.append(
            f"Searched {where} on {adapter.name}"
            + (f" for {asked}" if asked else "")
            + f": none among {scanned} task(s) read "
            f"(statuses seen: {counts})." + (" Loosen or drop a filter." if asked else "")
        )
    fields = page.envelope_fields(adapter, detail if not rows else "concise", settings.redact_pii)
    if keep.described() and not tabled:
        fields["total"] = None  # the provider's count is of all the run's tasks
    envelope = TasksResult(
        **fields,
        run_id=query.run_id or None,
        agent=query.agent,
        space=query.space,
        filters=filters,
        tasks=[] if rows else [ListedTask(**dict(task)) for task in page.items],
        page_counts=dict(Counter(t.status.value for t in page.items)),
    )
    own_runs = across and all(own_run(task) for task in page.items)  # the task id is the run id: said once
    if window is not None:
        envelope.scope = window_words(window)
        envelope.runs = None if own_runs else len({t.run_id for t in page.items})
        envelope.sampled = stopped[0] or runs_cut[0] > 0  # a run's tasks cut at the page cap: its note says so
        # every task of the window read (a table reads it whole); a page cut by the budget only has more to show
        envelope.complete = not envelope.sampled and (tabled or page.found.end is None)
    lines = page.lines
    if rows and page.items:
        table = [row(task) for task in page.items]
        used = columns_used(table, columns)
        # one status on every row: `filters` says it (voicemail: completed calls too, each says which)
        if keep.status is not None or keep.reason not in (None, "voicemail"):
            used.remove([name for name, _get in columns].index("status"))
        if own_runs and 1 in used:
            used.remove(1)
        envelope.columns = [columns[i][0] for i in used]
        envelope.rows = [[values[i] for i in used] for values in table]
        legend: list[str] = []
        if across and not own_runs:  # run ids are long: each row says its run's number in `run_ids` (once)
            envelope.run_ids, envelope.rows = number_runs(envelope.rows)
            envelope.columns[1] = "run"
            legend = [runs_legend(envelope.run_ids)]
        envelope.columns, envelope.rows = queued_column(envelope.columns, envelope.rows)
        if START_COLUMN_NAME in envelope.columns:  # some started, some only queued: the mark, said once
            start_at = envelope.columns.index(START_COLUMN_NAME)
            if any(str(values[start_at]).endswith(QUEUED_MARK) for values in envelope.rows):
                envelope.notes.append(QUEUED_NOTE)
        body = [row_line(values) for values in envelope.rows]
        if keep.status == Status.FAILED and keep.reason is None and not sort:  # "which failed, and why?"
            grouped = group_by_reason(envelope.columns, envelope.rows)
            if grouped is not None:
                envelope.columns, envelope.by_reason = grouped
                envelope.rows = []
                body = [
                    line
                    for reason, group in envelope.by_reason.items()
                    for line in (f"{reason} ({len(group)}):", *(row_line(values) for values in group))
                ]
        lines = [*legend, " | ".join(envelope.columns), *body]
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
    per_task = capabilities.call_opening(adapter, query.run_id or "\0", query.agent, query.space).per_task
    if page.items and (not per_task or any(task.has_transcript for task in page.items)):
        # read call by call (Unpod): only when a listed call has a conversation (calls that never connected have none)
        opening = window_hint(adapter, window, own_runs) if window is not None else open_call_hint(
            adapter.name, capabilities.call_opening(adapter, query.run_id, query.agent, query.space))  # fmt: skip
        envelope.next = [opening]
    # the envelope's run (or each task's run_id), space and agent with the task id locate a task
    implied = frozenset({"ref"} if across and not own_runs else {"run_id", "ref"})
    kinds = {task.kind for task in page.items}
    if detail == "concise" and len(kinds) == 1 and None not in kinds:  # one kind: said once, in the head
        envelope.task_kind = kinds.pop()
        implied |= {"kind"}
        lines = [task_line(task, show_kind=False, show_run=across) for task in page.items]
    dumped = dump(envelope, "tasks", "concise" if rows else detail, implied=implied)
    if window is not None:
        dumped["scanned"] = scanned  # a window's reach is part of the answer: how many tasks were read
    if envelope.run_ids or own_runs:  # structured: `runs` is how many `run_ids` there are
        dumped.pop("runs", None)
    if envelope.by_reason:  # structured: every row has the filter's status, and the groups count them
        dumped.pop("page_counts", None)
    if detail == "concise":
        queued = {t.task_id: t.created_at for t in page.items if t.started_at is None and t.created_at is not None}
        dumped = concise_tasks(dumped, queued)
    res = result(dumped, tasks_text(envelope, lines, scanned))
    res.content.extend(links)
    return res


def concise_tasks(dumped: dict[str, Any], queued: dict[str, datetime] | None = None) -> dict[str, Any]:
    """The concise tasks as the text says them: whole seconds, start to the minute, no summary beside a
    failure (the line shows the failure instead), a task that never started with when it was queued
    (``created_at``, as its line says `queued ...`; trial 4 found the structured channel without a time), and
    the values most tasks share said once, before them, in ``item_defaults`` (a listing's keys cost more than
    its values: a run's `completed`, a workflow's node kinds)."""
    from agent_runs_mcp.tools.listing import to_the_minute, with_item_defaults

    items = []
    for item in dumped["tasks"]:
        when = (queued or {}).get(item.get("task_id", ""))
        if when is not None and "started_at" not in item:
            item = {**item, "created_at": when.strftime("%Y-%m-%dT%H:%MZ")}
        if "failure_reason" in item and item.get("status") == Status.COMPLETED.value:  # an earlier attempt's
            item = {(EARLIER_FAILURE if k == "failure_reason" else k): v for k, v in item.items()}
        elif "failure_reason" in item:
            item = {k: v for k, v in item.items() if k != "summary"}
        if isinstance(item.get("duration_s"), float):
            item["duration_s"] = round(item["duration_s"])
        items.append(to_the_minute(item, ("started_at",)))
    return with_item_defaults(dumped, "tasks", items)


def number_runs(rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """Rows whose second value (the run id) is replaced by the run's number, 1 for the first run seen, and
    the run ids in that order: a 33-character id costs about 20 tokens, repeated on every row."""
    order: dict[str, int] = {}
    numbered = [[row[0], order.setdefault(row[1], len(order) + 1), *row[2:]] for row in rows]
    return list(order), numbered


def task_line(task: Task, show_kind: bool = True, show_run: bool = False) -> str:
    from agent_runs_mcp.tools.listing import status_words

    shown_run = show_run and task.run_id and task.run_id != task.task_id  # else the task id is the run id
    parts = [task.task_id, *([f"run {task.run_id}"] if shown_run else []), status_words(task)]
    if task.kind and show_kind:
        parts.append(task.kind)
    if task.started_at:
        parts.append(short_time(task.started_at))
    elif task.created_at:  # never started (a call that never connected): when it was queued, named so
        parts.append(f"queued {short_time(task.created_at)}")
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
    completed = task.status == Status.COMPLETED
    if task.failure_reason:
        parts.append(failure_words(completed, task.failure_reason[:CONCISE_TEXT_CHARS]))
    if task.attempts and task.attempts > 1:
        parts.append(f"{task.attempts} attempts")
    if task.follow_up_of:
        parts.append(f"follow-up of {task.follow_up_of}")
    if task.cost_usd is not None:
        parts.append(fmt_money(task.cost_usd))
    if task.summary and (completed or not task.failure_reason):
        parts.append(task.summary[:CONCISE_TEXT_CHARS])
    return "- " + " · ".join(parts)


def tasks_text(model: TasksResult, lines: list[str], scanned: int) -> str:
    from agent_runs_mcp.tools.listing import closing_lines
    from agent_runs_mcp.tools.task_table import QUEUED_COLUMN_NAME

    noun = f"{model.task_kind} task(s)" if model.task_kind else "task(s)"
    where = f"run {model.run_id}" if model.scope is None else model.scope
    count = len(model.rows) + sum(len(group) for group in model.by_reason.values()) if model.columns else len(lines)
    head = f"{model.provider} · {where} · {count} {noun}"
    if model.total is not None:
        head += f" of {model.total}"
    if model.scope is not None:  # across runs: how far the window was read
        state = "sampled" if model.sampled else "all read" if model.complete else "more to read"
        if model.complete and model.truncated:  # every task read; the budget cut what this page shows
            state += ", more to show"
        head += (f" from {model.runs} run(s)" if model.runs is not None else "") + f" · {scanned} task(s) read, {state}"
    shown = {k: v for k, v in model.filters.items() if model.scope is None or k not in ("since", "until")}
    if shown:
        head += " · " + ", ".join(f"{k}={v}" for k, v in shown.items())
    if model.page_counts:
        head += " · " + ", ".join(f"{k} {v}" for k, v in sorted(model.page_counts.items()))
    if model.columns:
        when = "queued" if QUEUED_COLUMN_NAME in model.columns else "start"
        head += f" · rows ({when} MM-DD HH:MM UTC, duration in s)"
    if model.truncated:  # the cut is said first, with the call that continues
        rest = model.model_copy(update={"notes": model.notes[1:]})
        return "\n".join([head, model.notes[0], *lines, *closing_lines(rest)])
    return "\n".join([head, *lines, *closing_lines(model)])
