"""Each provider's status words, mapped to the normalized :class:`~agent_runs_mcp.domain.Status`."""

from __future__ import annotations

from agent_runs_mcp.domain import Status

S = Status

UNPOD: dict[str, Status] = {
    # TaskStatusEnum in the Unpod source, plus the docs' `running`.
    "pending": S.PENDING,
    "scheduled": S.SCHEDULED,
    "in_progress": S.RUNNING,
    "running": S.RUNNING,
    "processing": S.RUNNING,
    "hold": S.PENDING,  # paused by an operator; not started
    "completed": S.COMPLETED,
    "partially_completed": S.PARTIAL,
    "failed": S.FAILED,
    "cancelled": S.CANCELLED,
    "canceled": S.CANCELLED,
}

RUNTYPE: dict[str, Status] = {
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

MODUS: dict[str, Status] = {
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

# Modus run-list `status` filter values for a normalized status (the API takes exactly one).
MODUS_FILTER: dict[Status, str] = {
    S.RUNNING: "running",
    S.AWAITING_HUMAN: "awaiting_human",
    S.COMPLETED: "completed",
    S.FAILED: "error",
    S.CANCELLED: "cancelled",
}


def normalize(table: dict[str, Status], word: object) -> Status:
    """Map a provider's word; anything unknown (or missing) is ``unknown``, never a guess."""
    if not isinstance(word, str):
        return Status.UNKNOWN
    return table.get(word.strip().lower().replace("-", "_").replace(" ", "_"), Status.UNKNOWN)
