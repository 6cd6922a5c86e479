"""A small in-memory response cache with per-entry TTL and request coalescing.

Storage is :class:`cachetools.TLRUCache` (bounded, each entry with its own
expiry). On top of it, identical requests that are in flight at the same time
share one provider call. Entries live in one process only: replicas each keep
their own, which is fine because nothing depends on a hit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from cachetools import TLRUCache


def _expiry(_key: Hashable, value: tuple[float, Any], now: float) -> float:
    return now + value[0]


class ResponseCache:
    """Cache of parsed provider answers, keyed by account and request."""

    def __init__(self, maxsize: int = 512, timer: Callable[[], float] = time.monotonic) -> None:
        self._store: TLRUCache[Hashable, tuple[float, Any]] = TLRUCache(maxsize=maxsize, ttu=_expiry, timer=timer)
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        self.hits = 0
        self.misses = 0

    async def get_or_fetch(
        self, key: Hashable, ttl_s: float, fetch: Callable[[], Awaitable[Any]], fresh: bool = False
    ) -> Any:
        """Return the cached value for ``key``, or fetch it once for everybody waiting on it."""
        if not fresh:
            entry = self._store.get(key)
            if entry is not None:
                self.hits += 1
                return entry[1]
            waiting = self._inflight.get(key)
            if waiting is not None:
                self.hits += 1
                return await asyncio.shield(waiting)
        self.misses += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await fetch()
        except asyncio.CancelledError:
            if not future.done():
                future.cancel()
            raise
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # mark retrieved: waiters re-raise it, nobody else must log it
            raise
        else:
            if not future.done():
                future.set_result(value)
            self._store[key] = (ttl_s, value)
            return value
        finally:
            if self._inflight.get(key) is future:
                del self._inflight[key]

    def clear(self) -> None:
        self._store.clear()
