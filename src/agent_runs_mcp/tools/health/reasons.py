"""Failure reasons: a provider's free text, mapped to a small vocabulary a report can count.

``REASON_LABELS`` is the vocabulary; ``SYSTEM_REASONS`` are the ones on our side, the carrier's or the
account's (plan or quota limits, refused credentials; they count against the system failure rate);
contact-side ones (no answer, busy, voicemail, early hang-up, max retries) are normal in outbound calling."""

from __future__ import annotations

import functools
from collections.abc import Callable

from agent_runs_mcp.providers.platform import CallWords, ReasonPatterns
from agent_runs_mcp.providers.platforms import PLATFORMS

REASON_LABELS: dict[str, str] = {
    "no_answer": "no answer",
    "busy": "busy",
    "voicemail": "voicemail",
    "sip_error": "SIP or carrier error",
    "customer_hung_up_early": "customer hung up early",
    "agent_error": "agent error",
    "tool_error": "tool error",
    "plan_limit": "plan or quota limit",
    "auth_error": "authentication or permission error",
    "timeout": "timeout",
    "max_retries": "max retries",
    "interrupted": "interrupted (crashed or lost)",
    "other": "other",
}
SYSTEM_REASONS = frozenset(
    {"sip_error", "agent_error", "tool_error", "plan_limit", "auth_error", "timeout", "interrupted", "other"}
)
"""Failures on our side, the carrier's or the account's: a plan or quota limit and a refused credential are
settings an operator fixes (they used to count as tool errors, also system failures)."""

# Ordered: the first category whose pattern occurs in the (lower-cased) reason wins. The platforms'
# own words (Unpod's telephony: voicemail, no answer, busy, SIP/carrier, hang-ups) come between the
# specific agent patterns and the generic ones; they live in the platforms' packages. The account's
# limits and credentials come right after them (a carrier's "SIP 403 Forbidden" stays a carrier error)
# and before the generic tool patterns ("API returned 401", "quota" used to count as tool errors).
_SPECIFIC: ReasonPatterns = (
    ("interrupted", ("interrupted", "heartbeat", "worker lost")),
    ("agent_error", ("invalid tool call", "model returned")),
)
_ACCOUNT: ReasonPatterns = (
    (
        "plan_limit",
        (
            "quota",
            "plan limit",
            "plan or quota limit",
            "usage limit",
            "credit limit",
            "insufficient credit",
            "insufficient balance",
            "insufficient funds",
            "out of credits",
        ),
    ),
    (
        "auth_error",
        (
            "unauthorized",
            "unauthorised",
            "unauthenticated",
            "forbidden",
            "session expired",
            "token expired",
            "expired token",
            "invalid token",
            "invalid api key",
            "invalid credentials",
            "authentication",
            "not authorized",
            "permission denied",
            "access denied",
            "returned 401",
            "returned 403",
            "http 401",
            "http 403",
            "status 401",
            "status 403",
            "(401)",
            "(403)",
        ),
    ),
)
_GENERIC: ReasonPatterns = (
    ("timeout", ("timeout", "timed out", "time out", "deadline", "silence-timed-out")),
    ("tool_error", ("tool", "http 5", "http 4", "upstream", "api returned", "rate limited")),
    ("max_retries", ("maximum retries", "max retries", "max_retries", "retries exceeded")),
    (
        "agent_error",
        (
            "llm",
            "model",
            "tts",
            "stt",
            "transcriber",
            "assistant",
            "agent",
            "configuration",
            "invalid",
            "error",
            "exception",
            "max_iterations",
        ),
    ),
)
_REASON_PATTERNS: ReasonPatterns = (
    _SPECIFIC
    + tuple(pattern for platform in PLATFORMS.values() for pattern in platform.reason_patterns)
    + _ACCOUNT
    + _GENERIC
)


def _words(pick: Callable[[CallWords], tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word for platform in PLATFORMS.values() for word in pick(platform.call_words)))


VOICEMAIL_WORDS = _words(lambda w: w.voicemail)
"""Words in a call's status, end reason or outcome that mean a machine answered (the platforms')."""


def reached_voicemail(call_status: str | None, end_reason: str | None, outcome: str | None) -> bool:
    """True when a finished call's status, end reason or outcome says a machine answered: how a report counts
    `voicemail` (whatever the call's status: Unpod completes such calls) and `get_run_tasks(reason="voicemail")`
    lists them."""
    words = " ".join(filter(None, (call_status, end_reason, outcome))).lower()
    return any(w in words for w in VOICEMAIL_WORDS)


NOT_CONNECTED_WORDS = _words(lambda w: w.not_connected)
"""Words in a call's status that mean nobody was reached (the platforms')."""
CUSTOMER_ENDED_WORDS = _words(lambda w: w.customer_ended)
"""Words in a call's end reason that mean the customer hung up (the platforms')."""


@functools.lru_cache(maxsize=4096)  # the same few reasons repeat across thousands of items
def classify_failure(reason: str | None) -> str:
    """Map a provider's free-text failure reason to our small vocabulary (see ``REASON_LABELS``)."""
    if not reason:
        return "other"
    text = reason.lower()
    for category, patterns in _REASON_PATTERNS:
        if any(p in text for p in patterns):
            return category
    return "other"


GENERIC_REASONS = frozenset(
    {"error", "errored", "failed", "failure", "fail", "unknown", "interrupted", "(no reason given)"}
)


def is_generic(reason: str | None) -> bool:
    """True when a reason says only that something failed (or that retries ran out), not why."""
    if not reason or not reason.strip():
        return True
    text = reason.strip().lower()
    return text in GENERIC_REASONS or classify_failure(text) == "max_retries"
