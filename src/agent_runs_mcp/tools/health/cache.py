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

ReportKey = tuple[Hashable, ...]


class ReportCache:
    """Reports keyed by their scope; a run with items in flight is kept only briefly."""

    def __init__(self, maxsize: int = 256) -> None:
        self._entries: TLRUCache[Hashable, tuple[float, HealthReport]] = TLRUCache(
            maxsize=maxsize, ttu=lambda _key, entry, now: now + entry[0]
        )

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
