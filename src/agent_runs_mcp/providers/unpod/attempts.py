"""The attempt history of an Unpod call that left no conversation.

A run's task list (``/spaces/<S>/runs/<R>/tasks/``) leaves out each task's attempt history
(``failure_count``, ``last_failure_reason``, ``retry_attempt``, ``last_status_change``); the agent's task
list (``/agents/<A>/tasks/``) has it. A call with a transcript needs none of it, but for one that never
connected those fields are all there is to say: when asked for such a call, its document is completed
from the task's assignee's list, newest first, stopping at tasks older than it. A failed look-up is a note.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from agent_runs_mcp.errors import ProviderError
from agent_runs_mcp.providers.ids import segment
from agent_runs_mcp.providers.jsonread import as_dict, as_text
from agent_runs_mcp.providers.unpod.directory import API
from agent_runs_mcp.providers.unpod.mapping import has_transcript
from agent_runs_mcp.timeutil import parse_time

HISTORY = ("failure_count", "last_failure_reason", "retry_attempt", "last_status_change")

Scan = Callable[[str, str], AsyncIterator[list[dict[str, Any]]]]


async def with_history(raw: dict[str, Any], scan: Scan) -> tuple[dict[str, Any], str | None]:
    """``raw`` completed with its attempt history when it has no conversation and lacks one; and a note
    when the history could not be read."""
    agent = as_text(raw.get("assignee"))
    if has_transcript(as_dict(raw.get("output"))) or any(k in raw for k in HISTORY) or not agent:
        return raw, None
    task_id, created = raw.get("task_id"), parse_time(raw.get("created"))
    try:
        async for items in scan(f"{API}/agents/{segment(agent, 'agent')}/tasks/", f"tasks of agent `{agent}`"):
            for item in items:
                if item.get("task_id") == task_id:
                    return {**raw, **{k: item[k] for k in HISTORY if k in item}}, None
            if _all_older(items, created):
                break
    except ProviderError as exc:
        return raw, f"The call's attempt history could not be read from its agent's tasks: {exc}"
    return raw, None


def _all_older(items: list[dict[str, Any]], created: datetime | None) -> bool:
    """Newest first: once a whole page is older than the task, it is not further on."""
    if created is None or not items:
        return False
    times = [parse_time(i.get("created")) for i in items]
    return all(t is not None and t < created for t in times)


def last_attempt_at(raw: dict[str, Any]) -> datetime | None:
    """When a call without a conversation last changed status (its last attempt ended)."""
    return parse_time(raw.get("last_status_change"))
