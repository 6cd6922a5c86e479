"""list_agent_executions without `agent`: every agent of an account, or of every account, walked by cursor."""

from __future__ import annotations

import base64
import heapq
import json

import pytest
from mcp import Client

from agent_runs_mcp.refs import Cursor, encode_cursor
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.listing import hoist_defaults, to_the_minute
from tests.conftest import call, call_error, executions_of
from tests.test_failures import every_item

pytestmark = pytest.mark.anyio


async def agents_of(client: Client, account: str) -> list[str]:
    res = await call(client, "list_agents", provider=account, limit=100)
    return [a["id"] for a in res.structured_content["agents"]]


async def walk(client: Client, limit: int, **args: object) -> tuple[list[dict], list[dict]]:
    """Every page of a listing at ``limit`` items a page, and each page's structured content."""
    items, pages, cursor = [], [], None
    for _ in range(200):
        res = await call(client, "list_agent_executions", **args, limit=limit, **({"cursor": cursor} if cursor else {}))
        pages.append(res.structured_content)
        items += executions_of(res.structured_content)
        cursor = res.structured_content.get("next_cursor")
        if not cursor:
            return items, pages
    raise AssertionError("cursor never ended")


@pytest.mark.parametrize("filters", [{"status": "failed", "since": "30d"}, {"status": "awaiting_human"}])
async def test_every_account_s_listing_is_every_agent_s_own_merged_newest_first(
    client: Client, world: World, filters: dict
) -> None:
    items, pages = await walk(client, 3, detail="full", **filters)  # full: start times to the second
    assert len(pages) >= 2 and all("provider" not in p for p in pages)
    assert pages[-1]["agents_read"] == pages[-1]["agents"]
    assert all(i["status"] == filters["status"] for i in items)
    got = [(i["provider"], i["agent_id"], i["run_id"], i.get("started_at")) for i in items]
    assert len(got) == len(set(got))  # the cursor resumes exactly: nothing twice ...
    streams = []
    for account in ("unpod", "runtype", "modus"):
        for agent in await agents_of(client, account):
            one, _ = await every_item(client, "list_agent_executions", "executions", provider=account, agent=agent,
                                      detail="full", **filters)  # fmt: skip
            streams.append([(account, agent, r["run_id"], r.get("started_at")) for r in one])

    def start(row: tuple) -> str:
        return row[3] or ""

    union = [row for stream in streams for row in stream]
    assert sorted(got) == sorted(union) and union  # ... and nothing left out
    # Newest first across agents: each agent's own listing taken in its own order, the newest head first
    # (exactly the union sorted newest first wherever each agent's own listing is newest first).
    assert got == list(heapq.merge(*streams, key=start, reverse=True))
    if all(stream == sorted(stream, key=start, reverse=True) for stream in streams):
        assert got == sorted(union, key=start, reverse=True)
    assert len({i["agent_id"] for i in items[:7]}) > 1


async def test_one_account_names_each_item_s_agent_not_its_account(client: Client, world: World) -> None:
    res = await call(client, "list_agent_executions", provider="modus", status="awaiting_human")
    data = res.structured_content
    waiting = [r for runs in world.modus_runs.values() for r in runs if r["_truth"] == "awaiting_human"]
    assert data["provider"] == "modus" and data["executions"]
    assert all(e["agent_id"] and "provider" not in e for e in executions_of(data))
    assert waiting and {e["run_id"] for e in executions_of(data)} == {r["id"] for r in waiting[:20]}
    text = res.content[0].text
    assert text.startswith("every agent of modus") and all(f"- {e['agent_id']} · " in text for e in executions_of(data))


async def test_a_fleet_cursor_is_refused_with_other_filters(client: Client) -> None:
    res = await call(client, "list_agent_executions", status="failed", since="30d", limit=1)
    cursor = res.structured_content["next_cursor"]
    text = await call_error(client, "list_agent_executions", status="completed", since="30d", cursor=cursor)
    assert "different query" in text


async def test_a_fleet_listing_reports_progress_agent_by_agent(client: Client) -> None:
    seen: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total))

    res = await client.call_tool(
        "list_agent_executions", {"provider": "modus", "status": "awaiting_human"}, progress_callback=on_progress
    )
    data = res.structured_content
    assert not res.is_error and data["agents"] == data["agents_read"]
    assert seen and seen[-1] == (data["agents"], data["agents"])
    assert [p for p, _t in seen] == sorted(p for p, _t in seen)


@pytest.mark.parametrize(
    "token",
    [
        "[1,2]",
        '{"a":1}',
        "5",
        "not json",
        '["unpod","nope",null]',
        '["unpod","x"*9,"zz"]',
        '["00000000",{},[]]',
        '["00000000",{"999":["x",0]},[]]',
    ],
)
async def test_a_forged_fleet_cursor_is_refused_briefly(client: Client, token: str) -> None:
    """A cursor whose fingerprint is right but whose walk token was made up: a clear error, never a traceback."""
    real = (await call(client, "list_agent_executions", limit=1)).structured_content["next_cursor"]
    body = real[3:]
    fingerprint = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["q"]  # the query's own
    text = await call_error(client, "list_agent_executions", cursor=encode_cursor(Cursor(token, 0), fingerprint))
    assert "`cursor`" in text and "different query" not in text and len(text) < 400 and "Traceback" not in text, text


@pytest.mark.parametrize("account", ["unpod", "runtype", "modus"])
async def test_the_fleet_walk_lists_exactly_what_each_agent_s_own_listing_lists(client: Client, account: str) -> None:
    """Field for field: the fleet walk reads each agent's executions (not, e.g., its Unpod space's runs,
    which belong to the space's other agents too and carry fewer task counts)."""
    items, _pages = await walk(client, 40, provider=account, since="30d")
    expected = []
    for agent in await agents_of(client, account):
        one, _ = await every_item(client, "list_agent_executions", "executions", provider=account, agent=agent,
                                  since="30d")  # fmt: skip
        expected += [{**r, "agent_id": agent} for r in one]

    def key(r: dict) -> tuple[str, str]:
        return r["agent_id"], r["run_id"]

    assert expected and sorted(items, key=key) == sorted(expected, key=key)
    starts = [i["started_at"] for i in items if i.get("started_at")]
    assert starts == sorted(starts, reverse=True)  # newest first across the account's agents


async def test_the_next_call_names_the_provider_when_every_item_shares_it(client: Client) -> None:
    one = await call(client, "list_agent_executions", provider="runtype", since="30d", limit=5)
    assert one.structured_content["next"][0].startswith('get_run_tasks(provider="runtype", agent=<agent_id>, ')
    every = await call(client, "list_agent_executions", since="30d", limit=1)  # the newest one: one account
    (item,) = executions_of(every.structured_content)
    assert every.structured_content["next"][0].startswith(f'get_run_tasks(provider="{item["provider"]}", agent=')
    mixed = await call(client, "list_agent_executions", status="awaiting_human", limit=50)
    assert len({i["provider"] for i in executions_of(mixed.structured_content)}) > 1
    assert mixed.structured_content["next"][0].startswith("get_run_tasks(provider=<provider>, agent=<agent_id>, ")
    assert 'Next: get_run_tasks(provider="runtype"' in one.content[0].text


def test_item_defaults_hoist_only_values_every_item_has() -> None:
    items = [
        {"run_id": "a", "status": "completed", "stop_reason": "end_turn", "agent_version": "v7"},
        {"run_id": "b", "status": "completed", "stop_reason": "end_turn", "agent_version": "v7"},
        {"run_id": "c", "status": "running", "agent_version": "v7"},
        {"run_id": "d", "status": "completed", "stop_reason": "error", "agent_version": "v8"},
    ]
    kept, defaults = hoist_defaults(items)
    # stop_reason is absent on the running item: not hoisted, so its absence still means "not reported"
    assert defaults == {"status": "completed", "agent_version": "v7"}
    assert kept[2] == {"run_id": "c", "status": "running"} and kept[3]["agent_version"] == "v8"
    assert [{**defaults, **k} for k in kept] == items  # nothing lost
    assert hoist_defaults(items[:1]) == (items[:1], {})  # one item: nothing to share
    assert to_the_minute(
        {"started_at": "2026-12-04T16:43:30Z", "duration_s": 38.0, "cost_usd": 0.5}, ("started_at",)
    ) == {"started_at": "2026-12-04T16:43Z", "duration_s": 38, "cost_usd": 0.5}


async def test_concise_items_with_their_defaults_say_what_full_items_say(client: Client, world: World) -> None:
    agent = world.runtype_agents[0].id
    concise = (await call(client, "list_agent_executions", provider="runtype", agent=agent, limit=8)).structured_content
    full = (
        await call(client, "list_agent_executions", provider="runtype", agent=agent, limit=8, detail="full")
    ).structured_content
    assert concise["item_defaults"]  # this agent's page shares a status and a version
    shown = executions_of(concise)
    for mine, whole in zip(shown, full["executions"], strict=True):
        assert mine["started_at"] == whole["started_at"][:16] + "Z"
        for key in ("run_id", "status", "agent_version", "stop_reason", "duration_s", "cost_usd", "tokens"):
            assert mine.get(key) == whole.get(key), (key, mine, whole)


async def test_a_fleet_listing_says_plainly_what_was_read_what_is_shown_and_whether_more_exist(client: Client) -> None:
    """The trial's assistant could not tell how many runs there were from `100 execution(s) read · 30 execution(s)`
    and `Read 0 of 12 agents' executions to their end so far`."""
    res = await call(client, "list_agent_executions", limit=100)
    data, text = res.structured_content, res.content[0].text
    head = text.splitlines()[0]
    shown = len(executions_of(data))
    assert data.get("next_cursor") and shown < data["scanned"]
    assert f"{shown} execution(s) shown of {data['scanned']} read; more exist: call again with next_cursor" in head
    assert "to their end" not in text
    _items, pages = await walk(client, 100, provider="modus", status="failed", since="1d")
    last = pages[-1]
    res = await call(client, "list_agent_executions", provider="modus", status="failed", since="1d", limit=100)
    assert len(pages) == 1 and f"{len(executions_of(last))} execution(s) shown of " in res.content[0].text
    assert "; no more · status=failed" in res.content[0].text.splitlines()[0]
