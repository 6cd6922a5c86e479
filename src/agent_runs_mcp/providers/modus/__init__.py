"""Modus: workflows (and, on older hosts, agents) and their runs, with workflow nodes.

The adapter lives in :mod:`.adapter`; this module holds only the facts the rest of the server reads.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

from agent_runs_mcp.domain import Status
from agent_runs_mcp.providers.platform import Platform

S = Status

STATUSES: dict[str, Status] = {
    # AutomationRunListItemDto.status: running / awaiting_human / completed / error / cancelled.
    "queued": S.PENDING,
    "pending": S.PENDING,
    "running": S.RUNNING,
    "awaiting_human": S.AWAITING_HUMAN,
    "completed": S.COMPLETED,
    "error": S.FAILED,
    "failed": S.FAILED,
    "cancelled": S.CANCELLED,
    "canceled": S.CANCELLED,
    "skipped": S.CANCELLED,
}

FILTERS: dict[Status, str] = {
    # The run-list `status` filter value for a normalized status (the API takes exactly one).
    S.RUNNING: "running",
    S.AWAITING_HUMAN: "awaiting_human",
    S.COMPLETED: "completed",
    S.FAILED: "error",
    S.CANCELLED: "cancelled",
}


RESOURCES = ("agents", "workflows")
"""The path families a Modus host may serve (``MODUS_RESOURCE``; unset: found per host)."""


def _resource(value: str) -> str:
    value = value.strip().lower()
    if value not in RESOURCES:
        raise PydanticCustomError("literal_error", "Input should be 'agents' or 'workflows'")
    return value


def _adapter() -> type[Any]:
    """The adapter class, imported when the first account of this kind is used."""
    from agent_runs_mcp.providers.modus.adapter import ModusProvider

    return ModusProvider


PLATFORM = Platform(
    kind="modus",
    label="Modus",
    summary="workflows",
    default_base_url="https://api.getmodus.com",
    api_prefix="/api/v1",
    token_variable="MODUS_API_KEY",
    base_url_variable="MODUS_BASE_URL",
    adapter=_adapter,
    statuses=STATUSES,
    settings_variables={"resource": "MODUS_RESOURCE"},
    setting_checks={"resource": _resource},
)
