"""The fleet merge on its own: newest first across agents, exact resumption, bounded reads, honest limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agent_runs_mcp.domain import Agent, Execution, ProviderPage, Status
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.providers.base import ExecutionQuery
from agent_runs_mcp.refs import Cursor
from agent_runs_mcp.tools import fleet_merge
from agent_runs_mcp.tools.fleet_merge import FleetMerge
from agent_runs_mcp.tools.paging import collect
from agent_runs_mcp.tools.sanitize import Sanitizer
from agent_runs_mcp.tools.scope import Member

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, tzinfo=UTC)


class FakeAccount:
    """An account whose agents list given start times (hours after T0), newest first, two a page."""

    name = "acct"

    def __init__(self, hours: dict[str, list[int]]) -> None:
        self.hours = hours
        self.reads: list[tuple[str, str | None]] = []

    async def executions_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Execution]:
        self.reads.append((query.agent or "", token))
        start = int(token or 0)
        runs = self.hours[query.agent or ""]
        items = [
            Execution(run_id=f"{query.agent}-{h}", status=Status.COMPLETED, started_at=T0 + timedelta(hours=h))
            for h in runs[start : start + 2]
        ]
        return ProviderPage(items, token, str(start + 2) if start + 2 < len(runs) else None)


class FakeContext:
    async def report_progress(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def merge_of(account: FakeAccount) -> FleetMerge:
    members = [Member(account, Agent(id=name, name=name)) for name in account.hours]  # type: ignore[arg-type]
    return FleetMerge(members, ExecutionQuery(agent=None), FakeContext(), Sanitizer(True), lambda e, _m: e)  # type: ignore[arg-type]


HOURS = {"a": [50, 40, 30, 3, 2], "b": [45, 44, 1], "c": [60, 10, 9, 8, 7, 6]}


async def test_pages_of_any_size_give_every_item_once_newest_first() -> None:
    truth = sorted((h for hs in HOURS.values() for h in hs), reverse=True)
    for limit in (1, 2, 3, 7, 100):
        account = FakeAccount(HOURS)
        merge, got, cursor = merge_of(account), [], Cursor(None, 0)
        while True:
            found = await collect(merge.fetch, cursor, limit)
            got += [int((e.started_at - T0).total_seconds() // 3600) for e in found.items]
            if found.end is None:
                break
            cursor = found.end
        assert got == truth, limit


async def test_each_agent_page_is_read_once_per_call() -> None:
    account = FakeAccount(HOURS)
    found = await collect(merge_of(account).fetch, Cursor(None, 0), 100)
    assert len(found.items) == 14 and len(account.reads) == len(set(account.reads)) == 3 + 2 + 3  # every page once


async def test_a_cursor_from_another_agent_list_is_refused() -> None:
    found = await collect(merge_of(FakeAccount(HOURS)).fetch, Cursor(None, 0), 5)  # ends in the second merged page
    assert found.end is not None and found.end.token is not None
    other = merge_of(FakeAccount({**HOURS, "d": [1]}))
    with pytest.raises(InputError, match="other agents"):
        await other.fetch(found.end.token)


async def test_a_position_too_long_for_a_cursor_ends_the_listing_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fleet_merge, "STATE_MAX_CHARS", 20)
    found = await collect(merge_of(FakeAccount(HOURS)).fetch, Cursor(None, 0), 100)
    assert found.end is None and found.items
    assert any("would not fit a cursor" in note for note in found.notes)
