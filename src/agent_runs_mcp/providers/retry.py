"""How hard the HTTP client tries: a plain record, cheap to import (the client and its libraries load
with the first adapter, not with the server)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: attempts, backoff, the longest ``Retry-After`` honoured and a total deadline."""

    attempts: int = 4
    base_wait_s: float = 0.5
    max_wait_s: float = 8.0
    max_retry_after_s: float = 20.0
    deadline_s: float = 40.0


DEFAULT_RETRY = RetryPolicy()
