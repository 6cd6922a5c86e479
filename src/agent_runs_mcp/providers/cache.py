"""A small in-memory response cache with per-entry TTL, a size bound and request coalescing.

Storage is :class:`cachetools.TLRUCache`: bounded by the total size of the
cached answers (bytes as received), each entry with its own expiry. A TTL can
depend on the answer itself (finished runs never change, so they are kept
longer than anything in flight). On top of it, identical requests that are in
flight at the same time share one provider call. Entries live in this process, and
in Redis too when replicas share one (:mod:`agent_runs_mcp.shared`); nothing depends on a hit.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from cachetools import TLRUCache

from agent_runs_mcp import metrics
from agent_runs_mcp.shared import SharedStore, key_of

Ttl = float | Callable[[Any], float]
"""Seconds to keep an answer, or a function of the answer that says so."""

DEFAULT_MAX_BYTES = 32 * 1024 * 1024


def _expiry(_key: Hashable, entry: tuple[float, Any, int], now: float) -> float:
    return now + entry[0]


def _size(entry: tuple[float, Any, int]) -> int:
    return entry[2]


class ResponseCache:
    """Cache of parsed provider answers, keyed by account and request."""

    def __init__(
        self,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timer: Callable[[], float] = time.monotonic,
        shared: SharedStore | None = None,
    ) -> None:
        self.shared = shared
        """Redis shared by replicas (:mod:`agent_runs_mcp.shared`): read after a local miss, written after a fetch."""
        self._store: TLRUCache[Hashable, tuple[float, Any, int]] = TLRUCache(
            maxsize=max_bytes, ttu=_expiry, timer=timer, getsizeof=_size
        )
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}

    async def get_or_fetch(
        self,
        key: Hashable,
        ttl: Ttl,
        fetch: Callable[[], Awaitable[tuple[Any, int]]],
        fresh: bool = False,
    ) -> Any:
        """Return the cached value for ``key``, or fetch it once for everybody waiting on it.

        ``fetch`` returns ``(value, size in bytes)``; ``fresh`` skips the lookup (the new answer is stored).
        """
        if not fresh:
            entry = self._store.get(key)
            if entry is not None:
                metrics.CACHE_LOOKUPS.labels("response", "hit").inc()
                return entry[1]
            waiting = self._inflight.get(key)
            if waiting is not None:
                metrics.CACHE_LOOKUPS.labels("response", "hit").inc()
                return await asyncio.shield(waiting)
            if self.shared is not None:
                found = await self.shared.get(key_of("response", key))
                if found is not None:
                    metrics.CACHE_LOOKUPS.labels("shared", "hit").inc()
                    return found
        metrics.CACHE_LOOKUPS.labels("response", "miss").inc()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value, size = await fetch()
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
            seconds = ttl(value) if callable(ttl) else ttl
            if seconds > 0:
                with contextlib.suppress(ValueError):  # larger than the whole cache: not kept
                    self._store[key] = (seconds, value, max(size, 1))
                if self.shared is not None:
                    await self.shared.set(key_of("response", key), value, seconds)
            return value
        finally:
            if self._inflight.get(key) is future:
                del self._inflight[key]

    def clear(self) -> None:
        self._store.clear()
