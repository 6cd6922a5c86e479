"""Walking provider pages to fill one result: filters, limits and resumable cursors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from agent_runs_mcp.domain import ProviderPage
from agent_runs_mcp.providers.client import time_left
from agent_runs_mcp.refs import Cursor

T = TypeVar("T")

MAX_PAGES_PER_CALL = 20
"""A listing call reads at most this many provider pages before it hands back a cursor."""

TIME_RESERVE_S = 3.0
"""A listing stops reading pages when less than this is left of the call's time limit."""


@dataclass
class Collected(Generic[T]):
    """Items gathered for one result, each with the cursor that resumes right after it."""

    start: Cursor = field(default_factory=lambda: Cursor(None, 0))
    items: list[T] = field(default_factory=list)
    after: list[Cursor | None] = field(default_factory=list)
    end: Cursor | None = None
    total: int | None = None
    pages: int = 0
    scanned: int = 0
    notes: list[str] = field(default_factory=list)

    def cursor_after(self, count: int) -> Cursor | None:
        """Where to resume if only the first ``count`` items are returned."""
        if count <= 0:
            return self.start if self.items else self.end
        if count >= len(self.items):
            return self.end
        return self.after[count - 1]


async def collect(
    fetch: Callable[[str | None], Awaitable[ProviderPage[T]]],
    start: Cursor,
    limit: int,
    keep: Callable[[T], bool] = lambda _item: True,
    max_pages: int = MAX_PAGES_PER_CALL,
    observe: Callable[[T], None] | None = None,
) -> Collected[T]:
    """Read pages from ``start`` until ``limit`` kept items, the end, or ``max_pages``.

    ``fetch(token)`` returns one provider page. The cursor after each item is
    recorded so a caller may return fewer items (to fit a budget) and still
    hand out an exact cursor. ``observe`` sees every scanned item, kept or not
    (to explain an empty result).
    """
    out: Collected[T] = Collected(start=start)
    token, offset = start.token, start.offset
    while True:
        page = await fetch(token)
        out.pages += 1
        if out.total is None:
            out.total = page.total
        if page.note and page.note not in out.notes:
            out.notes.append(page.note)
        count = len(page.items)
        for index in range(offset, count):
            out.scanned += 1
            item = page.items[index]
            if observe is not None:
                observe(item)
            if not keep(item):
                continue
            if index + 1 < count:
                resume: Cursor | None = Cursor(token, index + 1)
            else:
                resume = Cursor(page.next_token, 0) if page.next_token else None
            out.items.append(item)
            out.after.append(resume)
            if len(out.items) >= limit:
                out.end = resume
                return out
        if not page.next_token:
            out.end = None
            return out
        left = time_left()
        if out.pages >= max_pages or (left is not None and left < TIME_RESERVE_S):
            out.end = Cursor(page.next_token, 0)
            out.notes.append(
                f"Stopped after reading {out.pages} provider pages ({out.scanned} items) to answer in time; "
                "pass next_cursor to keep searching."
            )
            return out
        token, offset = page.next_token, 0
