"""Time parsing: the providers' many timestamp shapes, and the user's `since`/`until`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from agent_runs_mcp.errors import InputError
from agent_runs_mcp.text import excerpt

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day|w|wk)s?\s*(ago)?\s*$", re.IGNORECASE)
_UNITS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hr": 3600,
    "d": 86400,
    "day": 86400,
    "w": 604800,
    "wk": 604800,
}
_FRACTION = re.compile(r"(\.\d{6})\d+")
MAX_SPAN_DAYS = 3650
"""The longest span back from now a user may ask for (ten years)."""
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
ACCEPTED = (
    "Use an ISO 8601 timestamp between 2000 and 2100 such as 2026-11-21T09:00:00Z, or a span back from now "
    f"up to {MAX_SPAN_DAYS}d such as 30m, 24h, 7d or 2w."
)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def parse_time(value: object) -> datetime | None:
    """Parse a provider timestamp into an aware UTC datetime; ``None`` when absent or unreadable.

    Accepts ISO 8601 with or without offset, ``Z``, a space instead of ``T``
    (Python's ``str(datetime)``, as Unpod writes it), more than six fractional
    digits, and epoch numbers in seconds or milliseconds. Naive values are UTC.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value) / 1000 if value > 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    if len(value) >= 19 and value[4] == "-":  # the common case, cheaply (reports parse one per item)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    text = value.strip()
    if text.replace(".", "", 1).isdigit():
        return parse_time(float(text))
    text = _FRACTION.sub(r"\1", text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_user_time(value: str, argument: str, now: datetime | None = None) -> datetime:
    """Parse `since`/`until` as given by a user: ISO 8601, ``now``, or a span back from now (``24h``, ``7d``)."""
    now = now or utcnow()
    text = value.strip()
    if text.lower() == "now":
        return now
    shown = excerpt(value, 40)
    match = _RELATIVE.match(text) if len(text) <= 40 else None
    if match:
        seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
        if seconds > MAX_SPAN_DAYS * 86400:
            raise InputError(f"`{argument}` reaches too far back: {shown}. {ACCEPTED}")
        return now - timedelta(seconds=seconds)
    parsed = parse_time(text) if len(text) <= 64 and not text.replace(".", "", 1).isdigit() else None
    if parsed is None:
        raise InputError(f"`{argument}` could not be read as a time: {shown}. {ACCEPTED}")
    if not EARLIEST <= parsed <= LATEST:
        raise InputError(f"`{argument}` is outside the years 2000 to 2100: {shown}. {ACCEPTED}")
    return parsed


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from ``start`` to ``end``, or ``None`` when either is missing or the order is wrong."""
    if start is None or end is None:
        return None
    delta = (end - start).total_seconds()
    return round(delta, 3) if delta >= 0 else None
