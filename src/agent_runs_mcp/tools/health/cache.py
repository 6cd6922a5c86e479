"""Recent reports of runs, kept by how long they can stay true (long once every item has finished).

One cache per provider registry (so per server), held here rather than on the registry: the
registry knows adapters, not reports. With Redis (the registry's ``shared`` store) reports are kept
there too, so every replica serves what one computed, and :meth:`ReportCache.single_flight` makes
one replica compute a report while the others (and other calls on the same replica) wait for it.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from cachetools import TLRUCache

from agent_runs_mcp.domain import ACTIVE_STATUSES
from agent_runs_mcp.providers.base import TTL_FINISHED_S, TTL_LIST_S
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.shared import SharedStore, key_of
from agent_runs_mcp.tools.health.models import HealthReport
from agent_runs_mcp.tools.health.scan import Pages

ReportKey = tuple[Hashable, ...]

MAX_SETTLED_ITEMS = 300_000
"""Settled pages kept for runs in flight, counted in items (a tally is a few hundred bytes)."""
POLL_S = 0.2
"""How often a replica waiting for another's report looks for it."""


@dataclass(frozen=True)
class Computed:
    """A report and what its view (the dashboard) needs beside it, cached together."""

    report: HealthReport
    view: dict[str, Any]


def lifetime(report: HealthReport) -> float:
    in_flight = any(report.totals.get(s.value) for s in ACTIVE_STATUSES)
    return TTL_LIST_S if in_flight else TTL_FINISHED_S


class ReportCache:
    """Reports keyed by their scope; a run with items in flight is kept only briefly.

    For a run still in flight, the pages its report found settled (every task finished) are kept
    too, in this process only, so the next report here reads only what can have changed.
    """

    def __init__(
        self, maxsize: int = 256, max_settled_items: int = MAX_SETTLED_ITEMS, shared: SharedStore | None = None
    ) -> None:
        self._entries: TLRUCache[Hashable, tuple[float, Computed]] = TLRUCache(
            maxsize=maxsize, ttu=lambda _key, entry, now: now + entry[0]
        )
        self._settled: TLRUCache[Hashable, Pages] = TLRUCache(
            maxsize=max_settled_items,
            ttu=lambda _key, _pages, now: now + TTL_FINISHED_S,
            getsizeof=lambda pages: max(1, sum(len(page.items) for page in pages.values())),
        )
        self._computing: dict[Hashable, asyncio.Future[Computed]] = {}
        self.shared = shared

    async def get(self, key: ReportKey) -> Computed | None:
        entry = self._entries.get(key)
        if entry is not None:
            return entry[1]
        if self.shared is None:
            return None
        raw = await self.shared.get(key_of("report", key))
        if not isinstance(raw, dict):
            return None
        try:
            return Computed(HealthReport.model_validate(raw["report"]), dict(raw["view"]))
        except (KeyError, TypeError, ValueError):
            return None  # written by another version: recompute

    async def put(self, key: ReportKey, done: Computed) -> None:
        seconds = lifetime(done.report)
        self._entries[key] = (seconds, done)
        if self.shared is not None:
            body = {"report": done.report.model_dump(mode="json"), "view": done.view}
            await self.shared.set(key_of("report", key), body, seconds)

    async def single_flight(
        self, key: ReportKey, compute: Callable[[], Awaitable[Computed]], wait_s: float
    ) -> tuple[Computed, bool]:
        """``compute()`` once for ``key``: ``(result, True)`` here, or ``(result, False)`` when another
        call (on this replica, or with Redis on another) computed it and this one waited.

        A replica that waits gives up after ``wait_s``, or as soon as the other's lock is gone without a
        report (it failed, or its report was sampled and not cached), and computes it itself.
        """
        running = self._computing.get(key)
        if running is not None:
            return await asyncio.shield(running), False
        future: asyncio.Future[Computed] = asyncio.get_running_loop().create_future()
        self._computing[key] = future
        lock_key = key_of("report-lock", key)
        token: str | None = None
        try:
            if self.shared is not None:
                token = await self.shared.lock(lock_key, wait_s)
                if token is None and self.shared.available:
                    found = await self._wait_for(key, lock_key, wait_s)
                    if found is not None:
                        future.set_result(found)
                        return found, False
            done = await compute()
            future.set_result(done)
            return done, True
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: waiters re-raise it, nobody else must log it
            raise
        finally:
            self._computing.pop(key, None)
            if token is not None and self.shared is not None:
                await self.shared.unlock(lock_key, token)

    async def _wait_for(self, key: ReportKey, lock_key: str, wait_s: float) -> Computed | None:
        assert self.shared is not None
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_S)
            found = await self.get(key)
            if found is not None:
                return found
            if not self.shared.available or not await self.shared.held(lock_key):
                return await self.get(key)
        return None

    def settled_pages(self, key: ReportKey) -> Pages | None:
        return self._settled.get(key)

    def keep_settled(self, key: ReportKey, report: HealthReport, pages: Pages) -> None:
        """Keep a scope's settled pages while it has items in flight (a finished run's report is kept whole)."""
        self._settled.pop(key, None)
        in_flight = any(report.totals.get(s.value) for s in ACTIVE_STATUSES)
        if in_flight and pages and sum(len(p.items) for p in pages.values()) <= self._settled.maxsize:
            self._settled[key] = dict(pages)


_CACHES: weakref.WeakKeyDictionary[Registry, ReportCache] = weakref.WeakKeyDictionary()


def reports_of(registry: Registry) -> ReportCache:
    """The report cache of the server that owns ``registry`` (sharing its Redis, if any)."""
    cache = _CACHES.get(registry)
    if cache is None:
        cache = _CACHES[registry] = ReportCache(shared=registry.shared)
    return cache
