"""Every agent's executions as one list, newest first across agents: a k-way merge over per-agent pages.

Each agent's own listing is newest first (as its provider orders it). A merged page reads the current
page of every agent not yet read to its end (concurrently, each page once per call), then repeatedly
takes the newest head item among them, until some agent's page runs out while that agent has more
pages (its next items could be newer than the other heads, so the merge cannot go on without reading
them) or :data:`MERGED_PAGE_ITEMS` items are out. That merged page is one page of the listing pipeline
(:func:`~.paging.collect`), so a cursor (this page's token plus an offset) resumes exactly.

The merged page's token is the merge's whole state, stateless and bounded: a digest of the agents in
scope (a cursor from before an agent was added or removed is refused, not misread) and, for each agent
that moved from its start, its own page token and the offset into that page, or that it is done.
Requests are bounded: per call, one read per agent page touched (a new page only when an agent's
previous one ran out), at most :data:`AT_ONCE` at a time, inside the pipeline's page cap and deadline.
A state that would not fit a cursor ends the listing with a note naming how to narrow it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from mcp.server.mcpserver import Context

from agent_runs_mcp.domain import ProviderPage
from agent_runs_mcp.errors import AgentRunsError, InputError
from agent_runs_mcp.providers.base import ExecutionQuery
from agent_runs_mcp.refs import Cursor
from agent_runs_mcp.tools.guard import said
from agent_runs_mcp.tools.sanitize import Sanitizer
from agent_runs_mcp.tools.scope import Member

MERGED_PAGE_ITEMS = 100
"""Most items one merged page holds (the pipeline's ``limit`` is at most 100)."""

AT_ONCE = 4
"""Agents' pages read at once."""

STATE_MAX_CHARS = 2800
"""Longest merge state a cursor carries (cursors are at most 4,000 characters once encoded)."""

PROGRESS_EVERY_S = 0.25
_OLDEST = datetime.min.replace(tzinfo=UTC)

Position = tuple[str | None, int]
"""An agent's own page token and the offset of its next item on that page."""


class FleetMerge:
    """The fetch of a merged fleet listing (see the module docstring); items are ``make(execution, member)``."""

    def __init__(self, members: list[Member], query: ExecutionQuery, ctx: Context, clean: Sanitizer, make: Any) -> None:
        self.members = members
        self.query = query
        self.ctx = ctx
        self.clean = clean
        self.make = make
        self.digest = hashlib.sha256(json.dumps([m.label for m in members]).encode()).hexdigest()[:8]
        self.pages: dict[tuple[int, str | None], ProviderPage[Any] | None] = {}
        self.failed: dict[int, str] = {}
        self.noted: set[tuple[int, str | None]] = set()
        self.last_progress = 0.0
        self.too_long = False

    # --- the state in a token ---------------------------------------------------------------------

    def encode(self, moved: dict[int, Position], done: set[int]) -> str | None:
        if len(done) >= len(self.members):
            return None
        state = [self.digest, {str(i): list(p) for i, p in sorted(moved.items()) if i not in done}, sorted(done)]
        text = json.dumps(state, separators=(",", ":"))
        if len(text) > STATE_MAX_CHARS:
            self.too_long = True
            return None
        return text

    def decode(self, token: str | None) -> tuple[dict[int, Position], set[int]]:
        if token is None:
            return {}, set()
        bad = "`cursor` is not valid: pass the `next_cursor` of the previous result unchanged."
        try:
            digest, moved, done = json.loads(token)
            positions = {int(i): (p[0] if isinstance(p[0], str) else None, int(p[1])) for i, p in moved.items()}
            finished = {int(i) for i in done}
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            raise InputError(bad) from None
        if digest != self.digest:
            raise InputError(
                "`cursor` was made when the accounts listed other agents than now; omit `cursor` to start again."
            )
        if any(not 0 <= i < len(self.members) for i in (*positions, *finished)):
            raise InputError(bad)
        return positions, finished

    def agents_done(self, end: Cursor | None) -> int:
        """Agents read to their end by the page that resumes at ``end`` (``None``: all of them)."""
        if end is None:
            return len(self.members)
        return len(self.decode(end.token)[1])

    # --- reading ----------------------------------------------------------------------------------

    async def page_of(self, index: int, inner: str | None) -> ProviderPage[Any] | None:
        """One agent's own page (read once per call); ``None`` when it cannot be read (a note says so)."""
        key = (index, inner)
        if key not in self.pages:
            member = self.members[index]
            # The agent alone, as its own listing asks (with its space, Unpod lists the space's runs).
            query = replace(self.query, agent=member.agent.id, space=None)
            try:
                self.pages[key] = await member.adapter.executions_page(query, inner)
            except AgentRunsError as exc:
                if isinstance(exc, InputError) and inner is not None:
                    raise
                self.failed[index] = self.clean.text(f"{member.label}: executions not read: {said(exc)}")[:300]
                self.pages[key] = None
        return self.pages[key]

    async def fetch(self, token: str | None) -> ProviderPage[Any]:
        moved, done = self.decode(token)
        active = [i for i in range(len(self.members)) if i not in done]
        gate = asyncio.Semaphore(AT_ONCE)

        async def head(index: int) -> None:
            async with gate:
                await self.page_of(index, moved.get(index, (None, 0))[0])

        await asyncio.gather(*(head(i) for i in active))
        moved = dict(moved)
        done = set(done)
        for index in active:
            if self.pages.get((index, moved.get(index, (None, 0))[0])) is None:
                done.add(index)  # not readable: its note says so; the others go on
        items: list[Any] = []
        while len(items) < MERGED_PAGE_ITEMS:
            best: tuple[datetime, int] | None = None
            blocked = False
            for index in range(len(self.members)):
                if index in done:
                    continue
                inner, offset = moved.get(index, (None, 0))
                page = self.pages[(index, inner)]
                assert page is not None
                if offset >= len(page.items):
                    if page.next_token:  # its next items may be newer than the other heads: read them first
                        moved[index] = (page.next_token, 0)
                        blocked = True
                        break
                    done.add(index)
                    continue
                started = page.items[offset].started_at or _OLDEST
                if best is None or started > best[0]:
                    best = (started, index)
            if blocked or best is None:
                break
            index = best[1]
            inner, offset = moved.get(index, (None, 0))
            page = self.pages[(index, inner)]
            assert page is not None
            items.append(self.make(page.items[offset], self.members[index]))
            moved[index] = (inner, offset + 1)
        for index in range(len(self.members)):  # read to the end: an exhausted last page
            if index not in done and (pos := moved.get(index)) is not None:
                page = self.pages.get((index, pos[0]))
                if page is not None and pos[1] >= len(page.items) and not page.next_token:
                    done.add(index)
        await self.progress(len(done))
        page_notes = []
        for key, page in self.pages.items():  # each page's or failure's note once per call
            if key in self.noted:
                continue
            self.noted.add(key)
            if page is None:
                page_notes.append(self.failed[key[0]])
            elif page.note:
                page_notes.append(f"{self.members[key[0]].label}: {page.note}")
        next_token = self.encode(moved, done)
        if self.too_long:
            page_notes.append(
                "Stopped: the merged listing's position would not fit a cursor (too many agents mid-way); "
                "pass `provider` or `agent` to narrow it."
            )
        return ProviderPage(items, token, next_token, None, " ".join(dict.fromkeys(page_notes)) or None)

    async def progress(self, done: int) -> None:
        now = time.monotonic()
        total = len(self.members)
        if now - self.last_progress >= PROGRESS_EVERY_S or done == total:
            self.last_progress = now
            await self.ctx.report_progress(done, total, message=f"{done} of {total} agents read")

    def progress_note(self, more: bool) -> str:
        """How the merged listing was read (the header says how many were read and shown)."""
        total = len(self.members)
        if not more:
            return f"Read every agent's executions ({total} agent(s)), merged newest first across agents."
        return f"Merged newest first across {total} agent(s); next_cursor continues with the next newest."
