"""The small domain model every provider adapter maps into.

Conventions: times are timezone-aware UTC datetimes, durations are seconds,
money is USD as a float, and a fact the provider did not give is ``None``
(never a guess). Every item carries ``ref``, an opaque string that locates it
completely (see :mod:`agent_runs_mcp.refs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from agent_runs_mcp.text import one_line


class Status(StrEnum):
    """Normalized status of a run, task or call; the provider's word stays in ``provider_status``."""

    PENDING = "pending"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    AWAITING_HUMAN = "awaiting_human"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


FINISHED_STATUSES = frozenset({Status.COMPLETED, Status.PARTIAL, Status.FAILED, Status.CANCELLED})
"""Statuses that will not change any more."""

ACTIVE_STATUSES = frozenset({Status.PENDING, Status.SCHEDULED, Status.RUNNING, Status.AWAITING_HUMAN})
"""Statuses of work that is still in flight."""

T = TypeVar("T")

FULL = {"x-detail": "full"}
"""Marks a field shown only with ``detail="full"`` (and left out of the published output schema)."""


UNPUBLISHED = {"x-published": False}
"""Marks a result field left out of the published output schema to keep `tools/list` small (it is still
returned, as an additional property)."""


def full(default: Any = None, description: str | None = None) -> Any:
    """A field of the full detail level only."""
    return Field(default=default, description=description, json_schema_extra=FULL)


def meta(default: Any = None, description: str | None = None, *, default_factory: Any = None) -> Any:
    """A result field that is always returned but not published in the output schema."""
    if default_factory is not None:
        return Field(default_factory=default_factory, description=description, json_schema_extra=UNPUBLISHED)
    return Field(default=default, description=description, json_schema_extra=UNPUBLISHED)


Speaker = Literal["agent", "customer", "tool", "system"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False, defer_build=True)
    _multiline: ClassVar[frozenset[str]] = frozenset()
    """Fields whose line breaks are kept (a turn's words); every other string is one line."""

    @field_validator("*", mode="after")
    @classmethod
    def _one_line(cls, value: Any, info: ValidationInfo) -> Any:
        """Provider text cannot start a line of a result (a forged ``Next:``): breaks become spaces."""
        if type(value) is str and info.field_name not in cls._multiline:
            return one_line(value)
        return value


class Agent(_Model):
    """An agent (Unpod pilot, Runtype agent, Modus workflow)."""

    id: str = Field(description="The provider's id or handle for the agent; pass it as `agent`.")
    name: str | None = None
    description: str | None = None
    kind: str | None = Field(default=None, description="The provider's agent type, e.g. `task`, `workflow`.")
    provider_status: str | None = full()
    space: str | None = Field(default=None, description="Unpod space token the agent lives in, when known.")
    last_run_at: datetime | None = full()
    ref: str = Field(default="", description="Locates the item alone (detail=full; concise: use the ids and `next`).")


class Waiting(_Model):
    """What a run waiting on a person waits for (a Modus `awaiting_human` run, a Runtype `paused` execution)."""

    step: str | None = Field(default=None, description="The node or tool that waits, e.g. `tool send_email`.")
    approver: str | None = None
    message: str | None = None
    since: datetime | None = None


class Execution(_Model):
    """One execution of an agent: an Unpod run, a Runtype execution, a Modus run."""

    run_id: str
    agent_id: str | None = full()
    agent_name: str | None = full()
    status: Status
    provider_status: str | None = full()
    started_at: datetime | None = None
    ended_at: datetime | None = full(description="When it ended (started_at + duration_s).")
    duration_s: float | None = None
    tasks_total: int | None = None
    tasks_completed: int | None = None
    cost_usd: float | None = None
    tokens: int | None = None
    stop_reason: str | None = None
    summary: str | None = None
    trigger: str | None = full(description="What started it: surface, trigger type or run mode.")
    parent_run_id: str | None = full()
    error: str | None = None
    agent_version: str | None = meta(description="The agent version that ran, e.g. `v3`.")
    waiting: Waiting | None = meta(description="What it waits for (awaiting_human).")
    follow_up_of: str | None = meta(description="The first call of this contact's follow-up chain.")
    details: dict[str, Any] | None = full(description="Further provider facts.")
    ref: str = Field(default="", description="Locates the item alone (detail=full; concise: use the ids and `next`).")


class Task(_Model):
    """One unit of work inside a run: an Unpod call task, a Runtype tool call or sub-agent, a Modus node."""

    task_id: str
    run_id: str | None = None
    status: Status
    provider_status: str | None = full()
    kind: str | None = Field(default=None, description="call, email, tool_call, subagent, node, task ...")
    name: str | None = None
    contact: str | None = None
    created_at: datetime | None = full(description="When the task was queued.")
    started_at: datetime | None = None
    ended_at: datetime | None = full()
    duration_s: float | None = None
    end_reason: str | None = None
    outcome: str | None = None
    summary: str | None = None
    failure_reason: str | None = None
    attempts: int | None = None
    cost_usd: float | None = None
    tokens: int | None = full()
    call_id: str | None = full()
    call_status: str | None = full()
    has_transcript: bool = False
    recording_url: str | None = full()
    follow_up_of: str | None = meta(description="The first call of this contact's follow-up chain.")
    details: dict[str, Any] | None = full()
    ref: str = Field(default="", description="Locates the item alone (detail=full; concise: use the ids and `next`).")


class Call(_Model):
    """Metadata of one conversation (a voice call, or an agent execution's dialogue)."""

    call_id: str | None = None
    task_id: str | None = None
    run_id: str | None = None
    agent_id: str | None = None
    status: Status
    provider_status: str | None = None
    direction: str | None = None
    contact: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_s: float | None = None
    end_reason: str | None = None
    outcome: str | None = None
    summary: str | None = None
    failure_reason: str | None = None
    attempts: int | None = None
    created_at: datetime | None = Field(default=None, description="When the call was queued.")
    recording_url: str | None = None
    cost_usd: float | None = None
    latency_ms: float | None = meta(description="The call's median voice response latency, in milliseconds.")
    follow_up_of: str | None = meta(description="The first call of this contact's follow-up chain.")
    ref: str = Field(default="", description="Locates the item alone (detail=full; concise: use the ids and `next`).")

    @classmethod
    def of_task(cls, task: Task, **fields: Any) -> Call:
        """The call a call task describes (Unpod), ``fields`` added or overriding."""
        shared = {name: getattr(task, name) for name in _TASK_CALL_FIELDS}
        return cls(**{**shared, **fields})

    @classmethod
    def of_execution(cls, execution: Execution, **fields: Any) -> Call:
        """An execution as a conversation (Runtype, Modus): the run is the call, ``fields`` added or overriding."""
        return cls(
            **{
                "call_id": execution.run_id,
                "run_id": execution.run_id,
                "agent_id": execution.agent_id,
                "status": execution.status,
                "provider_status": execution.provider_status,
                "direction": execution.trigger,
                "started_at": execution.started_at,
                "ended_at": execution.ended_at,
                "duration_s": execution.duration_s,
                "end_reason": execution.stop_reason,
                "summary": execution.summary,
                **fields,
            }
        )


_TASK_CALL_FIELDS = (
    "call_id", "task_id", "run_id", "status", "provider_status", "contact", "started_at", "ended_at",
    "duration_s", "end_reason", "outcome", "summary", "recording_url", "cost_usd", "follow_up_of",
    "failure_reason", "attempts", "created_at",
)  # fmt: skip
"""What a call task says of its call."""


class Turn(_Model):
    """One turn of a conversation, in order."""

    _multiline: ClassVar[frozenset[str]] = frozenset({"text"})

    index: int
    speaker: Speaker
    text: str
    at: datetime | None = None
    seconds_from_start: float | None = None
    matched: bool | None = Field(default=None, description="With `search`: this turn matched (else context).")


class ToolCall(_Model):
    """A tool invocation made during an execution."""

    id: str
    name: str | None = None
    status: Status = Status.UNKNOWN
    provider_status: str | None = None
    error: str | None = None
    duration_s: float | None = None
    started_at: datetime | None = None
    input: Any = None
    output: Any = None


_TALLY_TEXT = (
    "item_id", "kind", "reason", "end_reason", "outcome", "call_status", "agent", "version", "run_id", "direction",
)  # fmt: skip


@dataclass(slots=True)
class Tally:
    """What a health report needs of one item, and nothing more: cheap to build by the ten thousand."""

    item_id: str
    status: Status
    ref: str = ""
    kind: str | None = None
    duration_s: float | None = None
    cost_usd: float | None = None
    tokens: int | None = None
    reason: str | None = None  # why it failed, in the provider's words
    end_reason: str | None = None
    outcome: str | None = None
    attempts: int | None = None
    call_status: str | None = None
    at: datetime | None = None
    agent: str | None = None
    version: str | None = None  # the agent version that ran (Execution.agent_version)
    waiting_since: datetime | None = None  # awaiting a person since (Execution.waiting.since)
    latency_ms: float | None = None  # a voice call's median response latency
    run_id: str | None = None  # the run it belongs to (a task's run, an execution itself): change points name it
    direction: str | None = None  # a call's direction as its platform reports it (`outbound`, `inbound`)

    def __post_init__(self) -> None:
        """Provider words on one line, as in the models (fast paths build tallies from raw pages)."""
        for name in _TALLY_TEXT:
            value = getattr(self, name)
            if value is not None and not value.isprintable():
                setattr(self, name, one_line(value))

    @classmethod
    def of(cls, item: Task | Execution) -> Tally:
        """The tally of a fully mapped task or execution."""
        if isinstance(item, Task):
            return cls(
                item_id=item.task_id,
                status=item.status,
                ref=item.ref,
                kind=item.kind,
                duration_s=item.duration_s,
                cost_usd=item.cost_usd,
                tokens=item.tokens,
                reason=item.failure_reason or item.end_reason,
                end_reason=item.end_reason,
                outcome=item.outcome,
                attempts=item.attempts,
                call_status=item.call_status,
                at=item.created_at or item.started_at,
                run_id=item.run_id,
            )
        return cls(
            item_id=item.run_id,
            status=item.status,
            ref=item.ref,
            duration_s=item.duration_s,
            cost_usd=item.cost_usd,
            tokens=item.tokens,
            reason=item.error or item.stop_reason or item.summary,
            end_reason=item.stop_reason,
            at=item.started_at,
            agent=item.agent_id,
            version=item.agent_version,
            waiting_since=item.waiting.since if item.waiting else None,
            run_id=item.run_id,
        )


class Conversation(_Model):
    """A call's metadata with all of its turns, as an adapter returns it."""

    call: Call
    turns: list[Turn]
    notes: list[str] = Field(default_factory=list, description="What the adapter could not read, and why.")
    cost_note: str | None = Field(default=None, description="Why the call carries no cost, when the adapter knows.")


@dataclass(slots=True)
class ProviderPage(Generic[T]):
    """One page as the provider returned it, already mapped to the domain model.

    ``token`` fetched this page (``None`` for the first), ``next_token`` fetches
    the next one (``None`` when this was the last), ``total`` is the provider's
    own count of all items matching the query when it reports one, and
    ``note`` tells the reader about a fallback the adapter had to take.
    """

    items: list[T]
    token: str | None = None
    next_token: str | None = None
    total: int | None = None
    note: str | None = None
    rest_tokens: list[str] | None = None
    """Tokens of every remaining page, when pages are addressed by number (for parallel scans)."""
    slices: list[str] | None = None
    """Tokens that each start an independent chain of pages (followed by ``next_token``), such as the
    time slices of a window: a scan must walk every chain, and may walk them in parallel."""
    settled: bool = False
    """Nothing on this page can change any more (every item finished, the page full and not the first,
    which carries the count): a report on a running run may keep it for the next report."""
    cost_note: str | None = None
    """Why these items carry no cost, when the adapter knows (the platform reports none, or an optional
    look-up failed): a result none of whose finished items has a cost shows it instead of the default
    :func:`~agent_runs_mcp.tools.capabilities.no_cost_note`."""
