"""How Unpod (and the LiveKit/SIP stack under it) words a call's fate: read by the shared health code.

Health keeps the reason vocabulary (``tools/health/reasons.py``), a generic fallback and the
arithmetic; the telephony words are this platform's knowledge. The codes below are from that
vocabulary (a test checks each one is known).
"""

from __future__ import annotations

from agent_runs_mcp.providers.platform import CallWords

REASON_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("voicemail", ("voicemail", "voice mail", "answering machine", "machine-detected")),
    (
        "no_answer",
        (
            "did-not-answer",
            "did not answer",
            "no-answer",
            "no_answer",
            "no answer",
            "unanswered",
            "not answered",
            "notconnected",
            "not connected",
            "missed",
        ),
    ),
    ("busy", ("busy",)),
    (
        "sip_error",
        (
            "sip",
            "carrier",
            "failed-to-connect",
            "telephony",
            "trunk",
            "pstn",
            "twilio",
            "480",  # SIP 480 Temporarily Unavailable
            "486",  # SIP 486 Busy Here
            "503-service",
            "number-invalid",
            "invalid number",
        ),
    ),
    ("customer_hung_up_early", ("hung up", "hangup", "hang-up", "customer-ended", "dropped", "droped")),
)
"""Ordered (the first whose pattern occurs in the lower-cased reason wins), between the vocabulary's
specific agent patterns and its generic ones."""


def direction_of(word: str | None) -> str | None:
    """A call's direction in one word: Unpod's `call_type` (`outbound`, `inbound`, or the telephony provider's
    `outboundPhoneCall`/`inboundPhoneCall`) and the speech plane's `direction`; another word is kept as given."""
    if not word or not word.strip():
        return None
    text = word.strip().lower()
    for known in ("outbound", "inbound"):
        if text.startswith(known):
            return known
    return text[:40]


CALL_WORDS = CallWords(
    voicemail=("voicemail", "machine"),
    not_connected=("notconnected", "busy", "failed", "missed"),
    customer_ended=("customer",),
)
"""A finished call's facts from its ``call_status``, end reason and outcome (LiveKit's call_status words)."""
