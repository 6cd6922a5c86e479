"""get_run_tasks over an agent's window: the tasks of every run of an agent between since and until.

"Which of agent X's calls failed in the last 24 hours, and why?" needs the tasks of many runs. Without
this mode an assistant lists the runs, then asks for each run's tasks; here one call reads them through
:func:`~.capabilities.agent_tasks_page` (Unpod: the agent's task list, one request a page of calls of
many runs; elsewhere: the window's runs, each run's tasks read) and the same listing pipeline, filters,
sort, detail levels and budget as one run's tasks. The window and its default are the health report's
(24h); on Unpod, whose agent report counts call tasks, a listing and a report of the same agent and window
count the same tasks (Runtype and Modus reports count executions, the runs these tasks belong to).

Bounded like the health reports: a plain listing reads at most the listing pipeline's pages a call and
hands back a cursor; a sorted (or category-filtered) table reads the window once, up to
:data:`WINDOW_PAGES_MAX` pages and :data:`~.task_table.TABLE_MAX_ITEMS` tasks, and says when it is a sample.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from agent_runs_mcp.domain import ProviderPage, Task
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.providers.base import ExecutionQuery, Provider, RunQuery
from agent_runs_mcp.tools import capabilities
from agent_runs_mcp.tools.budget import ENVELOPE_RESERVE, estimate_tokens, json_tokens
from agent_runs_mcp.tools.common import parse_window, short_time
from agent_runs_mcp.tools.hints import open_call_hint

DEFAULT_SINCE = "24h"
"""The window a call without `since` covers: the health report's, so the two count the same tasks."""

WINDOW_PAGES_MAX = 20
"""Most pages a sorted or category-filtered window table reads (Unpod: 50 tasks a page; elsewhere 10 runs)."""

NO_RUN_OR_AGENT = (
    "Pass `run_id` (from list_agent_executions) or the run's `ref` for one run's tasks, or `agent` "
    "(Unpod: or `space`) for the tasks of all its runs over since/until (default 24h)."
)


def window_of(query: RunQuery, since: str | None, until: str | None) -> ExecutionQuery | None:
    """The agent's window when no run is named (``None``: one run's tasks), or a clear error."""
    if query.run_id:
        if since or until:
            raise InputError(
                "`since`/`until` choose an agent's window; with `run_id` (or a run's `ref`) leave them out, "
                "or drop `run_id` to list the agent's tasks across its runs."
            )
        return None
    if not query.agent and not query.space:
        raise InputError(NO_RUN_OR_AGENT)
    start_at, end_at = parse_window(since, until, default_since=DEFAULT_SINCE)
    assert start_at is not None
    return ExecutionQuery(agent=query.agent, space=query.space, since=start_at.replace(microsecond=0), until=end_at)


def window_fetch(
    adapter: Provider, window: ExecutionQuery, cut: list[int]
) -> Callable[[str | None], Awaitable[ProviderPage[Task]]]:
    """The listing pipeline's ``fetch`` for the window: one page of the agent's tasks across its runs
    (``cut[0]``: the runs read whose tasks were cut at the per-run page cap)."""

    async def fetch(token: str | None) -> ProviderPage[Task]:
        return await capabilities.agent_tasks_page(adapter, window, token, cut)

    return fetch


def bounded_fetch(
    fetch: Callable[[str | None], Awaitable[ProviderPage[Task]]], cut: list[bool]
) -> Callable[[str | None], Awaitable[ProviderPage[Task]]]:
    """``fetch`` that ends the walk after :data:`WINDOW_PAGES_MAX` pages (``cut[0]`` then says more exist)."""
    pages = [0]

    async def bounded(token: str | None) -> ProviderPage[Task]:
        page = await fetch(token)
        pages[0] += 1
        if pages[0] >= WINDOW_PAGES_MAX and page.next_token:
            cut[0] = True
            page = ProviderPage(page.items, page.token, None, page.total, page.note, cost_note=page.cost_note)
        return page

    return bounded


def window_words(window: ExecutionQuery) -> str:
    """``agent X 2026-12-04 09:00Z..now`` for the head line and notes."""
    who = f"agent {window.agent}" if window.agent else f"space {window.space}"
    end = short_time(window.until) if window.until else "now"
    return f"{who} {short_time(window.since)}..{end}"


def window_hint(adapter: Provider, window: ExecutionQuery, own_runs: bool) -> str:
    """How to read one listed task's conversation: its run's id and the task id, with the agent (or space);
    where every task is its own run (``own_runs``) the task id is the run id."""
    opening = capabilities.call_opening(adapter, "\0", window.agent, window.space)
    return open_call_hint(adapter.name, opening).replace('"\0"', "<task_id>" if own_runs else "<run_id>")


def sample_note(scanned: int, cut_by_pages: bool) -> str:
    """What a window table that stopped early did not read."""
    why = f"{WINDOW_PAGES_MAX} pages" if cut_by_pages else "the cap or the call's time limit"
    return (
        f"Sampled: sorted/filtered the newest {scanned} task(s) of the window only (stopped at {why}); "
        "narrow since/until for the rest, or summarize_run_health to count them all."
    )


def own_run(task: Task) -> bool:
    """Whether the task is its own run (a speech-plane call, a Modus task's run): its task id is the run id."""
    return task.run_id is None or task.run_id == task.task_id


def window_row(task: Task, row: Callable[[Task], list[Any]]) -> list[Any]:
    """The row the budget counts for a task of a window: its run said by number (``0``: see ``number_runs``),
    or not at all when the task is its own run (the column is left out when every task on the page is)."""
    values = row(task)
    return [values[0], *values[2:]] if own_run(task) else [values[0], 0, *values[2:]]


WINDOW_RESERVE = ENVELOPE_RESERVE + 120
"""Tokens a window's rows leave free for its envelope: a listing's, and the window's scope, its since/until,
how far it was read and the call that opens a task (about 120 tokens more)."""


def runs_reserve(tasks: list[Task]) -> int:
    """What a window's rows say beside them, for the fit: :data:`WINDOW_RESERVE` and, unless every task is
    its own run, the runs' ids (``run_ids``, the text's ``runs:`` line) and the run number of each task
    :func:`window_row` counted without one."""
    if all(own_run(task) for task in tasks):
        return WINDOW_RESERVE
    ids = list(dict.fromkeys(task.run_id for task in tasks))
    legend = estimate_tokens(runs_legend(ids)), json_tokens({"run_ids": ids, "runs": len(ids)})
    return WINDOW_RESERVE + max(legend) + 3 * sum(own_run(task) for task in tasks)


def runs_legend(run_ids: list[Any]) -> str:
    """The text's line naming each row's run by its number: ``runs: 1 <id>, 2 <id>``."""
    return "runs: " + ", ".join(f"{n} {run}" for n, run in enumerate(run_ids, 1))
