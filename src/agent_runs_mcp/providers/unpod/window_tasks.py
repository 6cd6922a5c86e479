"""An Unpod agent's tasks over a window, across its runs, in one read a page.

The agent's task list (``/agents/{handle}/tasks/``) returns raw task documents of every run, newest
first by ``created``, with the retry fields the run-task lists drop: one request gives a page of calls
of many runs, where the generic way would list the runs and then read each run's tasks. A speech-plane
agent's calls come from its calls list (each call is a run of one task). Only the tasks of the window
are returned, placed by the time the health report counts them at (queued, else started; a speech
call: started, else created), so a listing and a report of the same window count the same calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from agent_runs_mcp.domain import ProviderPage, Task
from agent_runs_mcp.providers.base import ExecutionQuery
from agent_runs_mcp.providers.ids import segment
from agent_runs_mcp.providers.jsonread import newest_first_exhausted
from agent_runs_mcp.providers.unpod.directory import API
from agent_runs_mcp.providers.unpod.mapping import space_of, task_of
from agent_runs_mcp.providers.unpod.pages import RawPage
from agent_runs_mcp.providers.unpod.speech import is_speech_agent
from agent_runs_mcp.providers.unpod.speech_pages import SpeechPages

PageReader = Callable[..., Awaitable[RawPage]]
"""The adapter's ``_page(path, token, what, size=)``: one numbered page of a list."""


def in_window(at: datetime | None, query: ExecutionQuery) -> bool:
    """Whether a task placed at ``at`` is in the query's window (one without a time is not)."""
    if at is None:
        return query.since is None and query.until is None
    return (query.since is None or at >= query.since) and (query.until is None or at <= query.until)


async def window_tasks_page(
    account: str, read: PageReader, speech: SpeechPages, query: ExecutionQuery, token: str | None, size: int
) -> ProviderPage[Task] | None:
    """One page of the agent's tasks in the window (with ``space``: those in that space, the rest said in
    the note); ``None`` without an agent (a space's runs are listed)."""
    agent = query.agent
    if not agent:
        return None
    if is_speech_agent(agent):
        page = await speech.speech_tasks(agent, token)
        kept = [t for t in page.items if in_window(t.started_at or t.created_at, query)]
        unused = f"`space` does not apply to a speech-plane agent's calls: all of `{agent}`'s are listed."
        note = " ".join(n for n in (page.note, unused if query.space else None) if n) or None
        return ProviderPage(kept, token, None, None, note, cost_note=page.cost_note)
    raw = await read(f"{API}/agents/{segment(agent, 'agent')}/tasks/", token, f"tasks of agent `{agent}`", size=size)
    spaces = [space_of(item) for item in raw.items]
    tasks = [
        task_of(account, item, None, at, agent, f"a{raw.number}") for item, at in zip(raw.items, spaces, strict=True)
    ]
    next_token = raw.next_token
    if next_token and newest_first_exhausted((t.created_at or t.started_at for t in tasks), query.since):
        next_token = None  # newest first: every later page is older than the window
    placed = [(t, at) for t, at in zip(tasks, spaces, strict=True) if in_window(t.created_at or t.started_at, query)]
    kept = [t for t, at in placed if not query.space or at in (None, query.space)]  # `space` with `agent`: honoured
    note = f"Tasks of agent `{agent}` in spaces other than `{query.space}` were left out (`space` with `agent`)."
    return ProviderPage(kept, token, next_token, None, note if len(kept) < len(placed) else None)
