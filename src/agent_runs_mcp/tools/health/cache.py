"""Recent reports of runs, kept by how long they can stay true (long once every item has finished).

One cache per provider registry (so per server), held here rather than on the registry: the
registry knows adapters, not reports.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable

from cachetools import TLRUCache

from agent_runs_mcp.domain import ACTIVE_STATUSES
from agent_runs_mcp.providers.base import TTL_FINISHED_S, TTL_LIST_S
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.tools.health.models import HealthReport
from agent_runs_mcp.tools.health.scan import Pages

ReportKey = tuple[Hashable, ...]


MAX_SETTLED_ITEMS = 300_000
"""Settled pages kept for runs in flight, counted in items (a tally is a few hundred bytes)."""


class ReportCache:
    """Reports keyed by their scope; a run with items in flight is kept only briefly.

    For a run still in flight, the pages its report found settled (every task finished) are kept
    too, so the next report reads only what can have changed.
    """

    def __init__(self, maxsize: int = 256, max_settled_items: int = MAX_SETTLED_ITEMS) -> None:
        self._entries: TLRUCache[Hashable, tuple[float, HealthReport]] = TLRUCache(
            maxsize=maxsize, ttu=lambda _key, entry, now: now + entry[0]
        )
        self._settled: TLRUCache[Hashable, Pages] = TLRUCache(
            maxsize=max_settled_items,
            ttu=lambda _key, _pages, now: now + TTL_FINISHED_S,
            getsizeof=lambda pages: max(1, sum(len(page.items) for page in pages.values())),
        )

    def settled_pages(self, key: ReportKey) -> Pages | None:
        return self._settled.get(key)

    def keep_settled(self, key: ReportKey, report: HealthReport, pages: Pages) -> None:
        """Keep a scope's settled pages while it has items in flight (a finished run's report is kept whole)."""
        self._settled.pop(key, None)
        in_flight = any(report.totals.get(s.value) for s in ACTIVE_STATUSES)
        if in_flight and pages and sum(len(p.items) for p in pages.values()) <= self._settled.maxsize:
            self._settled[key] = dict(pages)

    def get(self, key: ReportKey) -> HealthReport | None:
        entry = self._entries.get(key)
        return entry[1] if entry is not None else None

    def put(self, key: ReportKey, report: HealthReport) -> None:
        in_flight = any(report.totals.get(s.value) for s in ACTIVE_STATUSES)
        self._entries[key] = (TTL_LIST_S if in_flight else TTL_FINISHED_S, report)


_CACHES: weakref.WeakKeyDictionary[Registry, ReportCache] = weakref.WeakKeyDictionary()


def reports_of(registry: Registry) -> ReportCache:
    """The report cache of the server that owns ``registry``."""
    cache = _CACHES.get(registry)
    if cache is None:
        cache = _CACHES[registry] = ReportCache()
    return cache
