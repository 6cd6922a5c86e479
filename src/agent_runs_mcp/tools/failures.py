"""Why a listed item failed: the specific reason health reports find, on the listed items themselves.

Listings often say only that something failed (Unpod's run tasks: "Task exceeded maximum retries";
Runtype's executions: `failed`; Modus's runs: nothing). Health reports ask the adapter
(:class:`~agent_runs_mcp.providers.capabilities.FailureExplanations`) for the specific reason; this module
asks it the same way for the failed items of one listed page, so that a report's failure examples and
a listing never disagree about the same item. A task's reason is its `failure_reason` (else its end
reason), an execution's its `error` (else its stop reason or summary), exactly what a report counts
(:meth:`~agent_runs_mcp.domain.Tally.of`). The look-up is optional: a provider error leaves the generic
reason and becomes a note, and an item not explained is said to be so, once per page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from agent_runs_mcp.domain import Execution, Status, Task
from agent_runs_mcp.errors import AgentRunsError
from agent_runs_mcp.providers.base import Failure, Provider, RunQuery
from agent_runs_mcp.tools import capabilities
from agent_runs_mcp.tools.health.reasons import is_generic

Item = TypeVar("Item", Task, Execution)


def reason_of(item: Task | Execution) -> str | None:
    """The reason a report counts for this item (see :meth:`~agent_runs_mcp.domain.Tally.of`)."""
    if isinstance(item, Task):
        return item.failure_reason or item.end_reason
    return item.error or item.stop_reason or item.summary


def failure_of(item: Task | Execution, agent: str | None) -> Failure:
    if isinstance(item, Task):
        return Failure(item.task_id, agent, reason_of(item), item.created_at or item.started_at)
    return Failure(item.run_id, item.agent_id or agent, reason_of(item), item.started_at)


def item_id(item: Task | Execution) -> str:
    return item.task_id if isinstance(item, Task) else item.run_id


def with_reason(item: Item, reason: str, attempts: int | None) -> Item:
    if isinstance(item, Task):
        update: dict[str, object] = {"failure_reason": reason}
        if item.attempts is None and attempts is not None:
            update["attempts"] = attempts
        return item.model_copy(update=update)
    return item.model_copy(update={"error": reason})


async def explain_listed(
    items: list[Item],
    adapter_of: Callable[[Item], Provider],
    run: RunQuery | None,
    agent: str | None = None,
) -> tuple[list[Item], list[str]]:
    """``items`` with the specific reason of each failed one listed only generically, and notes.

    ``adapter_of`` says whose item it is (a fleet-wide listing spans accounts); ``run`` is the run the
    items are tasks of (``None`` for executions); ``agent`` the agent they belong to, when known.
    """
    generic: dict[int, list[int]] = defaultdict(list)  # adapter id -> positions
    adapters: dict[int, Provider] = {}
    for at, item in enumerate(items):
        if item.status == Status.FAILED and is_generic(reason_of(item)):
            adapter = adapter_of(item)
            adapters[id(adapter)] = adapter
            generic[id(adapter)].append(at)
    if not generic:
        return items, []
    out = list(items)
    failed_lookups: list[str] = []
    unexplained = 0
    for key, positions in generic.items():
        adapter = adapters[key]
        try:
            found = await capabilities.explain_failures(adapter, [failure_of(items[i], agent) for i in positions], run)
        except AgentRunsError as exc:
            failed_lookups.append(f"{adapter.name}: {type(exc).__name__}")
            found = {}
        for i in positions:
            explained = found.get(item_id(items[i]))
            if explained is not None and explained.reason and not is_generic(explained.reason):
                out[i] = with_reason(items[i], explained.reason, explained.attempts)
            else:
                unexplained += 1
    notes = []
    if unexplained:
        example = next((reason_of(items[i]) for p in generic.values() for i in p if reason_of(items[i])), None)
        said = f" ({example[:60]!r})" if example else ""
        why = f"; the look-up failed ({', '.join(failed_lookups)})" if failed_lookups else ""
        hint = " Pass `agent` so it can be read." if run is not None and not run.agent and not agent else ""
        notes.append(
            f"{unexplained} failed item(s) on this page carry only the provider's generic reason{said}: "
            f"no more specific one could be read{why}.{hint}"
        )
    return out, notes
