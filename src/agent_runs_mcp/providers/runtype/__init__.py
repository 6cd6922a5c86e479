"""Runtype: LLM agents, their executions, tool calls and sub-agent executions.

The adapter lives in :mod:`.adapter`; this module holds only the facts the rest of the server reads.
"""

from __future__ import annotations

from agent_runs_mcp.domain import Status
from agent_runs_mcp.providers.platform import Platform

S = Status

STATUSES: dict[str, Status] = {
    # Only `completed` is confirmed by the docs; the rest are the words the stream events imply.
    "queued": S.PENDING,
    "pending": S.PENDING,
    "running": S.RUNNING,
    "in_progress": S.RUNNING,
    "paused": S.AWAITING_HUMAN,  # executions pause for approvals (approval_start / await events)
    "awaiting_approval": S.AWAITING_HUMAN,
    "completed": S.COMPLETED,
    "success": S.COMPLETED,
    "succeeded": S.COMPLETED,
    "failed": S.FAILED,
    "error": S.FAILED,
    "cancelled": S.CANCELLED,
    "canceled": S.CANCELLED,
    "timeout": S.FAILED,
}

PLATFORM = Platform(
    kind="runtype",
    label="Runtype",
    summary="LLM agents",
    default_base_url="https://api.runtype.com",
    api_prefix="/v1",
    token_variable="RUNTYPE_API_KEY",
    base_url_variable="RUNTYPE_BASE_URL",
    adapter="agent_runs_mcp.providers.runtype.adapter:RuntypeProvider",
    statuses=STATUSES,
)
