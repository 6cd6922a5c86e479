"""What the current tool call asks of every provider read: cache mode, requests in flight, a deadline.

Context variables, so a tool sets them once around its work (``with caching("skip"), time_limit(30):``)
and every read below, however deep, follows them without passing them along.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

CacheMode = Literal["use", "refresh", "skip"]
cache_mode: ContextVar[CacheMode] = ContextVar("agent_runs_cache_mode", default="use")
"""How reads in the current tool call treat the response cache: `use` it, `refresh` it (a caller asked for
fresh data: read the provider, then store), or `skip` it (a report streaming many pages: memory stays flat)."""


@contextmanager
def caching(mode: CacheMode) -> Iterator[None]:
    """Apply a cache mode to every provider read inside the block."""
    token = cache_mode.set(mode)
    try:
        yield
    finally:
        cache_mode.reset(token)


in_flight: ContextVar[asyncio.Semaphore | None] = ContextVar("agent_runs_in_flight", default=None)
"""Requests of the current walk on the wire at once: held for the request only, not while its answer is
parsed, so a walk's other workers keep that many requests in flight while one parses a page."""


@contextmanager
def requests_in_flight(limit: int) -> Iterator[None]:
    """At most ``limit`` requests on the wire at once inside the block (see :data:`in_flight`)."""
    token = in_flight.set(asyncio.Semaphore(limit))
    try:
        yield
    finally:
        in_flight.reset(token)


call_deadline: ContextVar[float | None] = ContextVar("agent_runs_call_deadline", default=None)
"""Monotonic time by which the current tool call must answer; provider reads never wait past it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Give every provider read inside the block a shared deadline ``seconds`` from now."""
    token = call_deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        call_deadline.reset(token)


def time_left() -> float | None:
    """Seconds until the current tool call's deadline, or ``None`` without one."""
    deadline = call_deadline.get()
    return None if deadline is None else deadline - time.monotonic()
