"""Unpod: outbound voice-calling agents (pilots), their runs (campaigns) and call tasks.

The adapter lives in :mod:`.adapter`; this module holds only the facts the rest of the server reads.
"""

from __future__ import annotations

from typing import Any

from agent_runs_mcp.domain import Status
from agent_runs_mcp.providers.platform import Platform
from agent_runs_mcp.providers.unpod.telephony import CALL_WORDS, REASON_PATTERNS

S = Status

STATUSES: dict[str, Status] = {
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


def _adapter() -> type[Any]:
    """The adapter class, imported when the first account of this kind is used."""
    from agent_runs_mcp.providers.unpod.adapter import UnpodProvider

    return UnpodProvider


PLATFORM = Platform(
    kind="unpod",
    label="Unpod",
    summary="voice calling campaigns",
    default_base_url="https://unpod.dev",
    api_prefix="/api/v2/platform",
    token_variable="UNPOD_API_TOKEN",
    base_url_variable="UNPOD_BASE_URL",
    adapter=_adapter,
    statuses=STATUSES,
    settings_variables={"org_handle": "UNPOD_ORG_HANDLE", "space_token": "UNPOD_SPACE_TOKEN"},
    setting_aliases={"org": "org_handle", "space": "space_token"},
    setup_hint="Unpod also needs UNPOD_ORG_HANDLE unless the token sees one organization.",
    reason_patterns=REASON_PATTERNS,
    call_words=CALL_WORDS,
)
