"""What every tool shares: argument types, provider resolution, refs, windows, and the result envelope."""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, ParamSpec, TypeVar

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, StrictBool, StrictInt

from agent_runs_mcp.domain import Status
from agent_runs_mcp.errors import AgentRunsError, InputError
from agent_runs_mcp.metrics import TOOL_CALLS, TOOL_SECONDS
from agent_runs_mcp.providers.call_context import caching, time_limit
from agent_runs_mcp.refs import Ref, parse_ref, pick
from agent_runs_mcp.text import clean_text, excerpt
from agent_runs_mcp.timeutil import parse_user_time, utcnow

if TYPE_CHECKING:
    from agent_runs_mcp.config import Settings
    from agent_runs_mcp.providers.base import Provider
    from agent_runs_mcp.providers.registry import Registry

log = logging.getLogger("agent_runs_mcp.tools")

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
SinceArg = Annotated[str | None, Field(description="ISO 8601, or a span back: 30m, 24h, 7d.", max_length=64)]
UntilArg = Annotated[str | None, Field(max_length=64)]
StatusArg = Annotated[StatusName | None, Field(description="Only this normalized status.")]
RefArg = Annotated[str | None, Field(description="An earlier result's ref (alone).", max_length=2000)]
SpaceArg = Annotated[str | None, Field(description="Unpod: the run's space token.", max_length=ID_MAX)]
RunIdArg = Annotated[str | None, Field(max_length=ID_MAX)]
FreshArg = Annotated[StrictBool, Field(description="Skip the cache.")]

__all__ = ["pick"]  # re-exported for the tool modules

P = ParamSpec("P")
R = TypeVar("R")


def registry_of(ctx: Context) -> Registry:
    """The registry of the server handling this call."""
    return ctx.mcp_server.registry  # type: ignore[attr-defined, no-any-return]


def tool_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Wrap a tool: expected errors become tool errors, `fresh=true` bypasses the cache, provider reads
    share the call's time limit, and one line per call is logged (tool, provider, outcome, duration;
    never arguments, never secrets)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.monotonic()
        provider = kwargs.get("provider")
        ctx = kwargs.get("ctx")
        limit = settings_of(ctx).call_timeout_s if isinstance(ctx, Context) else 45.0
        outcome = "ok"
        try:
            with caching("refresh" if kwargs.get("fresh") is True else "use"), time_limit(limit):
                return await fn(*args, **kwargs)
        except AgentRunsError as exc:
            outcome = type(exc).__name__
            raise ToolError(clean_text(str(exc))) from None
        except BaseException as exc:
            outcome = f"unexpected:{type(exc).__name__}"
            raise
        finally:
            elapsed = time.monotonic() - started
            log.info(
                "tool=%s provider=%s outcome=%s duration_ms=%.0f",
                fn.__name__,
                provider if isinstance(provider, str) and len(provider) <= 64 else "-",
                outcome,
                elapsed * 1000,
            )
            TOOL_CALLS.labels(fn.__name__, outcome.split(":", 1)[0]).inc()
            TOOL_SECONDS.labels(fn.__name__).observe(elapsed)

    # Resolve the string annotations in the tool module's namespace, not this one's.
    wrapper.__signature__ = inspect.signature(fn, eval_str=True)  # type: ignore[attr-defined]
    return wrapper


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


def provider_for(ctx: Context, name: str | None) -> Provider:
    return registry_of(ctx).get(name)


def settings_of(ctx: Context) -> Settings:
    return registry_of(ctx).settings


def result(data: BaseModel | dict[str, Any], text: str, meta: dict[str, Any] | None = None) -> CallToolResult:
    """A tool result: readable text for the model plus the same data as structured content.

    Both channels are cleaned of control, bidi and invisible characters here, whatever their source
    (provider text is cleaned when mapped; this also covers what callers passed in and got echoed).
    ``meta`` is for views (MCP Apps), not the model: hosts do not show a result's ``_meta`` to it.
    """
    structured = compact(data) if isinstance(data, BaseModel) else data
    return CallToolResult(
        content=[TextContent(type="text", text=clean_text(text))],
        structured_content=_cleaned(structured),
        meta=_cleaned(meta) if meta else None,
    )


CONCISE_OMITS = frozenset({"kind"})
"""Envelope fields no text shows (the account's platform is in `list_providers`), left out of concise results."""


def compact(model: BaseModel, exclude: Any = None) -> dict[str, Any]:
    """A result model as structured content that carries what the text shows: no nulls, no defaults."""
    return model.model_dump(
        mode="json", exclude=exclude or set(CONCISE_OMITS), exclude_none=True, exclude_defaults=True
    )


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def in_window(moment: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    """Whether an item's time falls in the window; an item without a time only passes an open window."""
    if since is None and until is None:
        return True
    if moment is None:
        return False
    if since is not None and moment < since:
        return False
    return not (until is not None and moment > until)


def short_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") + "Z" if moment else "-"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds // 60:.0f}m{seconds % 60:02.0f}s"
    return f"{seconds // 3600:.0f}h{(seconds % 3600) // 60:02.0f}m"


def fmt_money(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"
