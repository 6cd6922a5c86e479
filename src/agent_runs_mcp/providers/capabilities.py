"""What an adapter may do beyond the core reads: optional capabilities, one small protocol each.

:class:`~agent_runs_mcp.providers.base.Provider` is the core reader (agents, executions, tasks, one
conversation). An adapter that can do more implements the methods of one of these protocols; the
tools ask ``isinstance(adapter, Capability)`` and otherwise use the generic default built from the
core reads, which lives on the tools' side (:mod:`agent_runs_mcp.tools.capabilities`). Adapters
answer with facts (ids, refs, reason texts, call facts), never tool syntax or tool prose.

The base class defines none of these methods: an adapter has a capability only when it says so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from agent_runs_mcp.domain import Conversation, ProviderPage, Tally, Task
from agent_runs_mcp.errors import ProviderError
from agent_runs_mcp.providers.facts import WindowFacts
from agent_runs_mcp.providers.queries import (
    CallArgs,
    CallOpening,
    CallQuery,
    CallScope,
    ExecutionQuery,
    Explained,
    Failure,
    RunQuery,
)
from agent_runs_mcp.refs import Ref

if TYPE_CHECKING:
    from agent_runs_mcp.providers.base import Provider

log = logging.getLogger(__name__)

EXPLAIN_MAX = 100
"""Most failures whose detail one report fetches (each is one or two extra requests)."""


@runtime_checkable
class RunTallies(Protocol):
    """A run's tasks tallied straight from the provider's JSON (default: its task pages, tallied)."""

    async def tally_page(self, query: RunQuery, token: str | None) -> ProviderPage[Tally]: ...


@runtime_checkable
class ActivityTallies(Protocol):
    """An agent's activity over a window as tallies (default: its executions, tallied)."""

    activity_noun: str
    """What the tallies count, for reports ("executions", "call tasks")."""

    async def activity_tally_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Tally]: ...


@runtime_checkable
class AgentTasks(Protocol):
    """An agent's tasks over a window, across its runs, in one read a page (default: its runs listed, then
    each run's tasks read). Only tasks of the window (``since``/``until``), by the time the platform's
    health report counts them at; ``None``: this scope has no such list (the default is used)."""

    async def agent_tasks_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Task] | None: ...


@runtime_checkable
class FailureExplanations(Protocol):
    """The specific reason of failures whose listing only says something generic (default: none more)."""

    async def explain_failures(self, failures: list[Failure], run: RunQuery | None) -> dict[str, Explained]: ...


@runtime_checkable
class WindowFactsReader(Protocol):
    """The platform's own aggregates for an agent's window (default: none)."""

    async def window_facts(self, agent: str, since: datetime, until: datetime) -> WindowFacts | None: ...


@runtime_checkable
class BulkConversations(Protocol):
    """A page of a scope's conversations where the provider's lists carry the turns (default: list, then
    read each conversation)."""

    async def conversations_page(self, scope: CallScope, token: str | None) -> ProviderPage[Conversation]: ...


@runtime_checkable
class RunIsConversation(Protocol):
    """The platform's run is itself one conversation (Runtype executions, Modus runs): a search of a run
    reads that one conversation, whose ref this gives."""

    def run_conversation_ref(self, run: RunQuery) -> str: ...


@runtime_checkable
class CallRefs(Protocol):
    """How a ref and explicit ids become a conversation query, and how a run's conversations are opened
    (default: a task, or a call, inside a run)."""

    def call_query(self, ref: Ref | None, args: CallArgs) -> CallQuery: ...

    def call_opening(self, run_id: str, agent: str | None, space: str | None) -> CallOpening: ...


@dataclass(frozen=True, slots=True)
class CostFacts:
    """Why items have no cost in dollars, as facts; the tools write the sentence."""

    items: str | None = None
    """The items' own name when the tools' word for them is not the platform's ("runs" for executions)."""
    on_tasks: str | None = None
    """The items have no cost of their own: each of their tasks (so named, "call task") carries one."""
    unit: str | None = None
    """The platform counts cost in its own unit instead of dollars ("Modus credits")."""
    per: str | None = None
    """What the unit is counted per ("workflow"); its health report shows the unit as ``usage``."""


@runtime_checkable
class CostReasons(Protocol):
    """Why the items ``what`` names ("executions", "tasks", ...) have no cost; ``None``: nothing special."""

    def cost_facts(self, what: str) -> CostFacts | None: ...


@runtime_checkable
class AccountFacts(Protocol):
    """What ``list_providers`` and ``doctor`` say about the account besides its name and host (no network)."""

    def facts(self) -> dict[str, str]: ...


def tallied(page: ProviderPage[Any]) -> ProviderPage[Tally]:
    """A page of domain items as a page of tallies (everything else of the page kept)."""
    return ProviderPage(
        [Tally.of(item) for item in page.items],
        page.token,
        page.next_token,
        page.total,
        page.note,
        page.rest_tokens,
        page.slices,
        page.settled,
        page.cost_note,
    )


async def explain_each(
    provider: Provider, failures: list[Failure], explain: Callable[[Failure], Awaitable[str | None]]
) -> dict[str, Explained]:
    """Run ``explain`` for up to :data:`EXPLAIN_MAX` failures, as many at a time as the account allows
    (for adapters' :meth:`FailureExplanations.explain_failures`).

    Explanations are optional look-ups: one that fails (404, 5xx, timeout) leaves that
    failure's generic reason as it was instead of failing the report.
    """
    limit = asyncio.Semaphore(provider.account.max_concurrency)

    async def one(failure: Failure) -> tuple[str, Explained] | None:
        async with limit:
            try:
                reason = await explain(failure)
            except ProviderError as exc:
                log.debug("%s: no explanation for %s: %s", provider.name, failure.item_id, type(exc).__name__)
                return None
        return (failure.item_id, Explained(reason=reason)) if reason else None

    results = await asyncio.gather(*(one(f) for f in failures[:EXPLAIN_MAX]))
    return dict(r for r in results if r is not None)
