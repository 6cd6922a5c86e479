"""How long a provider asks us to wait: ``retry-after-ms``, ``Retry-After`` or ``X-RateLimit-Reset``."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping


def wait_from_headers(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """How long the server asked us to wait: ``retry-after-ms``, ``Retry-After`` (seconds or an HTTP
    date), or ``X-RateLimit-Reset`` (epoch seconds, or seconds from now when small), first found wins."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    found = retry_after_seconds(headers.get("Retry-After"), now)
    if found is not None:
        return found
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        try:
            value = float(reset)
        except ValueError:
            return None
        current = time.time() if now is None else now
        return max(0.0, value - current) if value > 1_000_000_000 else max(0.0, value)
    return None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse ``Retry-After`` given as seconds or as an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))
