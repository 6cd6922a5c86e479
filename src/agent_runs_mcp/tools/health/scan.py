"""Reading every item in a report's scope once, through the shared page walker."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from agent_runs_mcp.domain import ProviderPage
from agent_runs_mcp.tools.paging import walk

Pages = Mapping[str, ProviderPage[Any]]
"""Settled pages by token (see :attr:`ProviderPage.settled`)."""


@dataclass
class ScanStats:
    scanned: int = 0
    pages: int = 0
    complete: bool = True
    stopped_by: Literal["cap", "time"] | None = None
    settled: dict[str, ProviderPage[Any]] = field(default_factory=dict)
    """Pages that cannot change any more, to keep for the next report of a scope still in flight."""
    reused: int = 0
    """Pages taken from the previous report's settled pages instead of the provider."""
    cost_note: str | None = None
    """The adapter's word on why items carry no cost (the first page's :attr:`ProviderPage.cost_note`)."""
    notes: list[str] = field(default_factory=list)
    """The pages' own notes (an optional look-up that failed), each once."""


GC_GEN0_DURING_SCANS = 10_000
"""A scan allocates a page's worth of short-lived JSON objects at a time (a few thousand): with Python's
default generation-0 threshold (700) the collector runs dozens of times per page, about a fifth of a
100,000-task report's CPU. During scans it runs every 10,000 net allocations instead."""

_scans = 0
_saved_gen0 = 0


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Raise the collector's generation-0 threshold while any scan runs (restored when the last ends)."""
    global _scans, _saved_gen0
    if _scans == 0:
        _saved_gen0, *rest = gc.get_threshold()
        gc.set_threshold(max(_saved_gen0, GC_GEN0_DURING_SCANS), *rest)
    _scans += 1
    try:
        yield
    finally:
        _scans -= 1
        if _scans == 0:
            gc.set_threshold(_saved_gen0, *gc.get_threshold()[1:])


async def scan(
    fetch: Callable[[str | None], Awaitable[ProviderPage[Any]]],
    feed: Callable[[Iterable[Any]], None],
    *,
    max_items: int,
    concurrency: int,
    progress: Callable[[int, int | None], Awaitable[None]] | None = None,
    settled: Pages | None = None,
) -> ScanStats:
    """Read every page once, feeding items as they arrive; parallel when the provider numbers its pages.

    Stops early (``complete=False``) at the operator's item cap or near the call's time limit.
    ``settled`` pages (from the previous report of the same scope) are used instead of being read
    again, as long as the first page, always read, reports the same total: a changed count means
    the pages may have moved.
    """
    stats = ScanStats()
    known = settled or {}
    total: list[int | None] = []

    async def read(token: str | None) -> ProviderPage[Any]:
        kept = known.get(token) if token is not None and total else None
        if kept is not None and kept.total == total[0]:
            stats.reused += 1
            page = kept
        else:
            page = await fetch(token)
        stats.cost_note = stats.cost_note or page.cost_note
        if page.note and page.note not in stats.notes:
            stats.notes.append(page.note)
        if token is None:
            total.append(page.total)
        elif page.settled:
            stats.settled[token] = page
        return page

    async def take(page: ProviderPage[Any], _token: str | None) -> bool:
        room = max_items - stats.scanned
        items = page.items if len(page.items) <= room else page.items[:room]
        stats.scanned += len(items)
        feed(items)
        if progress is not None:
            await progress(stats.scanned, page.total)
        more = page.next_token or page.rest_tokens or page.slices
        if len(items) < len(page.items) or (stats.scanned >= max_items and more):
            stats.stopped_by = "cap"
            return False
        return True

    with relaxed_gc():
        ended = await walk(read, None, take, concurrency=concurrency, partial_ok=True)
    stats.pages = ended.pages
    if ended.stopped_by == "time":
        stats.stopped_by = stats.stopped_by or "time"
    stats.complete = ended.stopped_by is None
    return stats
