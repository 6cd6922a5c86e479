"""Reading every item in a report's scope once, through the shared page walker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from agent_runs_mcp.domain import ProviderPage
from agent_runs_mcp.tools.paging import walk


@dataclass
class ScanStats:
    scanned: int = 0
    pages: int = 0
    complete: bool = True
    stopped_by: Literal["cap", "time"] | None = None


async def scan(
    fetch: Callable[[str | None], Awaitable[ProviderPage[Any]]],
    feed: Callable[[Iterable[Any]], None],
    *,
    max_items: int,
    concurrency: int,
    progress: Callable[[int, int | None], Awaitable[None]] | None = None,
) -> ScanStats:
    """Read every page once, feeding items as they arrive; parallel when the provider numbers its pages.

    Stops early (``complete=False``) at the operator's item cap or near the call's time limit.
    """
    stats = ScanStats()

    async def take(page: ProviderPage[Any], _token: str | None) -> bool:
        room = max_items - stats.scanned
        items = page.items if len(page.items) <= room else page.items[:room]
        stats.scanned += len(items)
        feed(items)
        if progress is not None:
            await progress(stats.scanned, page.total)
        if len(items) < len(page.items) or (stats.scanned >= max_items and (page.next_token or page.rest_tokens)):
            stats.stopped_by = "cap"
            return False
        return True

    ended = await walk(fetch, None, take, concurrency=concurrency, partial_ok=True)
    stats.pages = ended.pages
    if ended.stopped_by == "time":
        stats.stopped_by = stats.stopped_by or "time"
    stats.complete = ended.stopped_by is None
    return stats
