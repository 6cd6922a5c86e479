"""Tool arguments: their types (described for the model), refs reconciled with ids, statuses and windows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from mcp.types import ToolAnnotations
from pydantic import Field, StrictBool, StrictInt

from agent_runs_mcp.domain import Status
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.refs import Ref, parse_ref
from agent_runs_mcp.text import excerpt
from agent_runs_mcp.timeutil import parse_user_time, utcnow

# idempotentHint is meaningful only when readOnlyHint is false (MCP spec), so it is not sent.
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=True)

StatusName = Literal[
    "pending",
    "scheduled",
    "running",
    "awaiting_human",
    "completed",
    "partial",
    "failed",
    "cancelled",
    "unknown",
]

ID_MAX = 256
"""Longest id (agent, run, task, call, space) an argument may carry: every provider's ids are far shorter."""

ProviderArg = Annotated[str | None, Field(description="Account; optional if only one.", max_length=64)]
# Arguments whose name says it all go undescribed: tools/list is read by the model on every turn.
AgentArg = Annotated[str | None, Field(max_length=ID_MAX)]
LimitArg = Annotated[StrictInt, Field(ge=1, le=100)]
CursorArg = Annotated[str | None, Field(description="A previous next_cursor.", max_length=4000)]
SinceArg = Annotated[str | None, Field(description="ISO 8601 or 30m/24h/7d back.", max_length=64)]
UntilArg = Annotated[str | None, Field(max_length=64)]
StatusArg = Annotated[StatusName | None, Field(description="Only this normalized status.")]
RefArg = Annotated[str | None, Field(description="An earlier result's ref (alone).", max_length=2000)]
SpaceArg = Annotated[str | None, Field(description="Unpod: the run's space token.", max_length=ID_MAX)]
RunIdArg = Annotated[str | None, Field(max_length=ID_MAX)]
FreshArg = Annotated[StrictBool, Field(description="Skip the cache.")]


REF_KEYS = {"agent": "a", "space": "s", "run_id": "r", "task_id": "t", "call_id": "c"}
"""Which ref field each locating argument names."""


def resolve_ref(
    ref: str | None, provider: str | None, kinds: tuple[str, ...], **ids: str | None
) -> tuple[str | None, Ref | None]:
    """Decode ``ref`` (if given), check its kind, and reconcile it with ``provider`` and the explicit ``ids``.

    With a ref, every locating argument also given must say what the ref says: one that differs, or
    that the ref does not carry at all, is refused (the same way on every tool), so a caller's argument
    is never echoed into a result as a fact about the item the ref locates.
    """
    if not ref:
        return provider, None
    decoded = parse_ref(ref)
    if decoded.kind not in kinds:
        raise InputError(f"`ref` points at a {decoded.kind}, but this tool takes the ref of a {' or '.join(kinds)}.")
    if provider and provider.strip() and provider.strip() != decoded.account:
        raise InputError(
            f"`provider` is {excerpt(provider, 40)} but `ref` belongs to `{decoded.account}`; "
            "pass one of them, not both."
        )
    for argument, value in ids.items():
        if value is None or not value.strip():
            continue
        found = decoded.get(REF_KEYS[argument])
        if found is None:
            raise InputError(
                f"`{argument}` is not part of this `ref`: pass `ref` alone (it locates the item completely), "
                "or the ids without `ref`."
            )
        if value.strip() != found:
            raise InputError(
                f"`{argument}` is {excerpt(value, 40)} but `ref` says `{found}`; pass one of them, not both."
            )
    return decoded.account, decoded


def parse_status(status: str | None) -> Status | None:
    if status is None:
        return None
    try:
        return Status(status)
    except ValueError:
        raise InputError(
            f"`status` must be one of {', '.join(s.value for s in Status)} (got {status[:30]!r})."
        ) from None


def parse_window(
    since: str | None, until: str | None, *, default_since: str | None = None
) -> tuple[datetime | None, datetime | None]:
    """Parse `since`/`until`, applying a default start, and check their order."""
    now = utcnow()
    start = parse_user_time(since or default_since, "since", now) if (since or default_since) else None
    end = parse_user_time(until, "until", now) if until else None
    if start and end and start >= end:
        raise InputError(
            f"`since` ({start:%Y-%m-%d %H:%M}Z) must be before `until` ({end:%Y-%m-%d %H:%M}Z); swap them or widen."
        )
    return start, end


def in_window(moment: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    """Whether an item's time falls in the window; an item without a time only passes an open window."""
    if since is None and until is None:
        return True
    if moment is None:
        return False
    if since is not None and moment < since:
        return False
    return not (until is not None and moment > until)


Detail = Literal["concise", "full"]
DetailArg = Annotated[Detail, Field(description="full adds every provider field.")]

Sort = Literal["duration", "start", "cost", "duration_asc", "start_asc", "cost_asc"]
"""Largest (or latest) first: the longest calls, the newest, the costliest."""
