"""What the tools ask an adapter for, and what it answers besides domain items: plain records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agent_runs_mcp.domain import Status
from agent_runs_mcp.refs import Ref, pick


@dataclass(frozen=True, slots=True)
class CallOpening:
    """How to read one of a run's conversations, as facts: the transcript tool's arguments (besides
    ``provider``), whether a task id must be added, and what the call reads. The tools write the syntax."""

    arguments: tuple[tuple[str, str], ...]
    per_task: bool = False
    """The run holds many calls: the reader adds the id of one task."""
    reads: str | None = None
    """What the call reads ("run", "call"), when it is worth saying."""


@dataclass(frozen=True, slots=True)
class ExecutionQuery:
    """Which executions to list. Filters the adapter cannot push to the provider are applied by the tool."""

    agent: str | None
    space: str | None = None
    status: Status | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class RunQuery:
    """Which run's tasks to list."""

    run_id: str
    agent: str | None = None
    space: str | None = None
    status: Status | None = None


@dataclass(frozen=True, slots=True)
class CallQuery:
    """Which conversation to read; the adapter says which combinations it needs."""

    task_id: str | None = None
    call_id: str | None = None
    run_id: str | None = None
    agent: str | None = None
    space: str | None = None
    page_hint: str | None = None


@dataclass(frozen=True, slots=True)
class CallArgs:
    """The explicit ids a caller passed to find a conversation (any may be ``None``)."""

    task_id: str | None = None
    call_id: str | None = None
    run_id: str | None = None
    space: str | None = None
    agent: str | None = None


@dataclass(frozen=True, slots=True)
class CallScope:
    """Which calls a search reads: one run's, or an agent's over a window (exactly one is set)."""

    run: RunQuery | None = None
    window: ExecutionQuery | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed item whose reason a health report would like to know better."""

    item_id: str
    agent: str | None = None
    reason: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Explained:
    """What the provider's detail says about one failure."""

    reason: str | None
    attempts: int | None = None


def call_query_of(ref: Ref | None, args: CallArgs) -> CallQuery:
    """What a ref and/or explicit ids mean where a conversation is a task (or call) inside a run: the
    generic reading of the shared ref fields. Explicit arguments that contradict the ref are refused
    (:func:`~agent_runs_mcp.refs.pick`)."""
    task = pick(args.task_id, ref, "t", "task_id")
    return CallQuery(
        task_id=task,
        call_id=None if task else pick(args.call_id, ref, "c", "call_id"),
        run_id=pick(args.run_id, ref, "r", "run_id"),
        space=pick(args.space, ref, "s", "space"),
        agent=pick(args.agent, ref, "a", "agent"),
        page_hint=ref.get("p") if ref else None,
    )
