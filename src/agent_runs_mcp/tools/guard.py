"""The error guard every tool wears (expected errors become tool errors; time limit, cache mode, one log
line and metrics per call) and the call's registry, settings and adapters."""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from agent_runs_mcp import metrics
from agent_runs_mcp.errors import AgentRunsError, Listing
from agent_runs_mcp.providers.call_context import caching, time_limit
from agent_runs_mcp.text import clean_text

if TYPE_CHECKING:
    from agent_runs_mcp.config import Settings
    from agent_runs_mcp.providers.base import Provider
    from agent_runs_mcp.providers.registry import Registry

log = logging.getLogger("agent_runs_mcp.tools")

P = ParamSpec("P")
R = TypeVar("R")

LISTED_BY: dict[Listing, str] = {
    Listing.AGENTS: "list_agents",
    Listing.EXECUTIONS: "list_agent_executions",
    Listing.TASKS: "get_run_tasks",
}
"""The tool that shows each listing an error points at: adapters state where an id is listed, and only
this layer, which knows the tools, names the tool (#21: adapters return facts, never tool syntax)."""


def said(exc: AgentRunsError) -> str:
    """An expected error as the model reads it: each listing it points at named as its tool, cleaned."""
    return clean_text(exc.worded(LISTED_BY))


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
            raise ToolError(said(exc)) from None
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
            metrics.TOOL_CALLS.labels(fn.__name__, outcome.split(":", 1)[0]).inc()
            metrics.TOOL_SECONDS.labels(fn.__name__).observe(elapsed)

    # Resolve the string annotations in the tool module's namespace, not this one's.
    wrapper.__signature__ = inspect.signature(fn, eval_str=True)  # type: ignore[attr-defined]
    return wrapper


def provider_for(ctx: Context, name: str | None) -> Provider:
    return registry_of(ctx).get(name)


def settings_of(ctx: Context) -> Settings:
    return registry_of(ctx).settings
