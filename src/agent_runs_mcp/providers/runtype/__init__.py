"""Runtype: LLM agents, their executions, tool calls and sub-agent executions.

The adapter lives in :mod:`.adapter`; this module holds only the facts the rest of the server reads.
"""

from __future__ import annotations

from typing import Any

from agent_runs_mcp.domain import Status
from agent_runs_mcp.providers.platform import Platform

S = Status

STATUSES: dict[str, Status] = {
    # The SDK's execution statuses (runtype-sdk 5.5.0: queued, running, paused, completed, failed,
    # cancelled, interrupted), then words older hosts and the stream events use.
    "queued": S.PENDING,
    "running": S.RUNNING,
    "paused": S.AWAITING_HUMAN,  # waits on `pendingApproval`: which tool, and why
    "completed": S.COMPLETED,
    "failed": S.FAILED,
    "cancelled": S.CANCELLED,
    "interrupted": S.FAILED,  # stopped without finishing (a crash, a lost worker): a failure with its own reason
    "pending": S.PENDING,
    "in_progress": S.RUNNING,
    "awaiting_approval": S.AWAITING_HUMAN,
    "success": S.COMPLETED,
    "succeeded": S.COMPLETED,
    "error": S.FAILED,
    "canceled": S.CANCELLED,
    "timeout": S.FAILED,
}

FILTERS: dict[Status, tuple[str, ...]] = {
    # The `status` filter values for a normalized status; `failed` is two of Runtype's words: read unfiltered.
    S.PENDING: ("queued",),
    S.RUNNING: ("running",),
    S.AWAITING_HUMAN: ("paused",),
    S.COMPLETED: ("completed",),
    S.FAILED: ("failed", "interrupted"),
    S.CANCELLED: ("cancelled",),
}


def _adapter() -> type[Any]:
    """The adapter class, imported when the first account of this kind is used."""
    from agent_runs_mcp.providers.runtype.adapter import RuntypeProvider

    return RuntypeProvider


PLATFORM = Platform(
    kind="runtype",
    label="Runtype",
    summary="LLM agents",
    default_base_url="https://api.runtype.com",
    api_prefix="/v1",
    token_variable="RUNTYPE_API_KEY",
    base_url_variable="RUNTYPE_BASE_URL",
    adapter=_adapter,
    statuses=STATUSES,
)
