"""The one page walker: listings and reports read provider pages through :func:`walk`.

A listing (:func:`collect`) reads pages one after another until it has
``limit`` kept items and hands back a cursor that resumes exactly after the
last item it returns. A report (``tools/health``) reads every page once,
several at a time when the provider numbers its pages (``rest_tokens``), and
keeps only tallies. Both stop before the call's deadline with what they have.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from agent_runs_mcp.domain import ProviderPage
from agent_runs_mcp.errors import ProviderTimeoutError
from agent_runs_mcp.providers.call_context import requests_in_flight, time_left
from agent_runs_mcp.refs import Cursor

T = TypeVar("T")

MAX_PAGES_PER_CALL = 20
"""A listing call reads at most this many provider pages before it hands back a cursor."""

DEADLINE_RESERVE_S = 3.0
"""Walks stop reading pages when less than this is left of the call's time limit, to answer in time."""

StopReason = Literal["consumer", "pages", "time"]


@dataclass
class Walk:
    """How a walk ended: ``stopped_by`` is ``None`` when it read to the last page."""

    pages: int = 0
    stopped_by: StopReason | None = None
    resume: str | None = None
    """Sequential walks stopped by pages or time: the token of the first page not read."""


async def walk(
    fetch: Callable[[str | None], Awaitable[ProviderPage[T]]],
    token: str | None,
    on_page: Callable[[ProviderPage[T], str | None], Awaitable[bool]],
    *,
    max_pages: int | None = None,
    concurrency: int = 1,
    partial_ok: bool = False,
) -> Walk:
    """Read pages from ``token``, handing each to ``on_page(page, token)``, which returns False to stop.

    With ``concurrency > 1`` and a first page that lists every remaining page
    (``rest_tokens``), the rest are read by that many workers at once, in no
    particular order. A first page that splits the scope into ``slices`` has
    every slice walked to its end, by up to ``concurrency`` workers. With
    ``partial_ok``, a timeout after the first page ends the walk
    (``stopped_by="time"``) instead of failing it.
    """
    out = Walk()

    async def read(tok: str | None) -> ProviderPage[T] | None:
        try:
            return await fetch(tok)
        except ProviderTimeoutError:
            if not partial_ok or not out.pages:
                raise
            out.stopped_by = out.stopped_by or "time"
            return None

    def short_of_time() -> bool:
        left = time_left()
        return left is not None and left < DEADLINE_RESERVE_S

    first = await read(token)
    assert first is not None  # a first-page timeout raised
    out.pages = 1
    if not await on_page(first, token):
        out.stopped_by = "consumer"
        return out
    chains = bool(first.slices)
    if chains or (first.rest_tokens and concurrency > 1):
        # Numbered pages: each queued token is one page. Chains (time slices): each queued token starts a
        # chain its worker follows through ``next_token``; the first page's own chain goes first.
        queue = list(reversed(first.slices or first.rest_tokens or []))
        if chains and first.next_token:
            queue.append(first.next_token)

        async def worker() -> None:
            while queue and out.stopped_by is None:
                tok: str | None = queue.pop()
                while tok and out.stopped_by is None:
                    if short_of_time():
                        out.stopped_by = "time"
                        return
                    page = await read(tok)
                    if page is None:
                        return
                    out.pages += 1
                    if not await on_page(page, tok):
                        out.stopped_by = out.stopped_by or "consumer"
                    tok = page.next_token if chains else None

        # Twice as many workers as requests on the wire: while one parses its page, another's request
        # is out, so ``concurrency`` requests stay in flight and parsing hides behind the network.
        with requests_in_flight(concurrency):
            await asyncio.gather(*(worker() for _ in range(max(1, min(2 * concurrency, len(queue))))))
        return out
    tok = first.next_token
    while tok:
        if max_pages is not None and out.pages >= max_pages:
            out.stopped_by, out.resume = "pages", tok
            return out
        if short_of_time():
            out.stopped_by, out.resume = "time", tok
            return out
        page = await read(tok)
        if page is None:
            out.resume = tok
            return out
        out.pages += 1
        if not await on_page(page, tok):
            out.stopped_by = "consumer"
            return out
        tok = page.next_token
    return out


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
    cost_note: str | None = None
    """The first page's word on why its items carry no cost (:attr:`ProviderPage.cost_note`)."""

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
    """Read pages from ``start`` until ``limit`` kept items, the end, ``max_pages`` or the deadline.

    ``fetch(token)`` returns one provider page. The cursor after each item is
    recorded so a caller may return fewer items (to fit a budget) and still
    hand out an exact cursor. ``observe`` sees every scanned item, kept or not
    (to explain an empty result).
    """
    out: Collected[T] = Collected(start=start)
    offset = start.offset

    async def on_page(page: ProviderPage[T], token: str | None) -> bool:
        nonlocal offset
        if out.total is None:
            out.total = page.total
        if page.note and page.note not in out.notes:
            out.notes.append(page.note)
        out.cost_note = out.cost_note or page.cost_note
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
                return False
        offset = 0
        return True

    ended = await walk(fetch, start.token, on_page, max_pages=max_pages)
    out.pages = ended.pages
    if ended.stopped_by in ("pages", "time"):
        out.end = Cursor(ended.resume, 0)
        out.notes.append(
            f"Stopped after reading {out.pages} provider pages ({out.scanned} items) to answer in time; "
            "pass next_cursor to keep searching."
        )
    return out
