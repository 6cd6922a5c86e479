"""How numbers and times are written in a result's text."""

from __future__ import annotations

from datetime import datetime


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


def fmt_age(seconds: float) -> str:
    """How long ago, in the two largest units: ``42m``, ``5h10m``, ``6d23h``."""
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


EARLIER_FAILURE = "earlier_failure"
"""A completed task's failure reason, as concise results name it: the provider keeps the last failed
attempt's reason on a task a later attempt completed (Unpod's `last_failure_reason`), which read as
`failure: customer-did-not-answer` on a 61-second call (trial 6)."""


def failure_words(completed: bool, reason: str) -> str:
    """A failure reason as a line says it: on a completed task, an earlier attempt's."""
    return f"earlier attempt failed: {reason}" if completed else f"failure: {reason}"
