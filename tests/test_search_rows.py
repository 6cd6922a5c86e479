"""search_calls(detail="rows"): one short row per matching call, checked against the simulator's truth and
against the default form's matches; each row's call opens with the ids the row and the result give.
detail="contacts": one row per person, checked against the same truth and against the rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.domain import Status
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.budget import estimate_tokens, real_token_counter
from agent_runs_mcp.tools.search import CallMatch
from agent_runs_mcp.tools.search_rows import NONE, build_rows, by_contact
from tests.conftest import call, call_error

pytestmark = pytest.mark.anyio

CALLBACK = "asked for a call back at a later time."
"""The simulator's summary of a call whose customer asked to be called back (simulator/unpod_texts.py)."""


def callback_truth(world: World, since: datetime, number: bool = False) -> dict[str, tuple[str, datetime]]:
    """Call id -> (customer name, start) of every Unpod call since ``since`` whose customer asked for a call back
    (``number``: the name's tuple also holds the unmasked number, last)."""
    out: dict[str, Any] = {}
    for run in world.unpod_runs:
        for doc in world.unpod_tasks(run):
            if datetime.fromisoformat(doc["created"]).replace(tzinfo=UTC) < since:
                continue
            output = doc["output"] or {}
            if CALLBACK in (output.get("call_summary") or output.get("summary") or ""):
                start = output.get("start_time") or output.get("startedAt")
                at = datetime.fromisoformat(start.replace("Z", "+00:00")).replace(tzinfo=UTC)
                name = doc["input"]["name"]
                out[output.get("call_id") or output["id"]] = (name, at, doc["input"]["contact_number"]) if number \
                    else (name, at)  # fmt: skip
    return out


async def all_rows(
    client: Client, detail: str = "rows", **args: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every row of every page, each as a dict (its empty values resolved by `row_defaults`), and the pages."""
    rows, pages, cursor = [], [], None
    for _ in range(20):
        res = await call(client, "search_calls", detail=detail, **args, **({"cursor": cursor} if cursor else {}))
        data = res.structured_content
        pages.append({**data, "_text": res.content[0].text})
        defaults = data.get("row_defaults", {})
        for row in data.get("rows", []):
            named = dict(zip(data["columns"], row, strict=False))
            for column in data["columns"]:
                value = named.get(column)
                named[column] = defaults.get(column) if value is None else None if value == NONE else value
            if "agent" in named:
                named["agent"] = data["agent_ids"][named["agent"] - 1]
            rows.append(named)
        cursor = data.get("next_cursor")
        if not cursor:
            return rows, pages
    raise AssertionError("cursor never ended")


async def test_callback_requests_as_rows_match_the_simulators_truth(client: Client, world: World) -> None:
    since = world.anchor - timedelta(days=7)
    truth = callback_truth(world, since)
    rows, pages = await all_rows(client, query="call me back", since=since.isoformat(), limit=100)
    assert len(truth) >= 100 and {r["call"] for r in rows} == set(truth)
    for row in rows:
        name, at = truth[row["call"]]
        assert row["contact"].startswith(name + " (***") and row["at"] == at.strftime("%m-%d %H:%M")
        assert "call me back" in row["said"].lower() and len(row["said"]) <= 61
        assert row["agent"].startswith("unpod/space-agent-")
    first = pages[0]
    assert first["matched"] == first["contacts"] == len(truth) and first["complete"] is True
    assert sum(first["agents"].values()) == len(truth) and first["agent_ids"] == list(first["agents"])
    # 100 rows on the first page, within the default budget in both channels (the real count where installed)
    assert len(first["rows"]) == 100 and len(pages) == 2
    count = real_token_counter() or estimate_tokens
    text = first.pop("_text")
    structured = json.dumps(first, separators=(",", ":"), ensure_ascii=False)
    assert count(text) <= 6000 and count(structured) <= 6000 and count(structured) <= 1.3 * count(text)
    lines = text.splitlines()
    assert sum(1 for line in lines if line[:2] in ("11", "12") and " | call_" in line) == 100  # a line per row


async def test_rows_say_what_the_default_form_says(client: Client) -> None:
    args = {"query": "complaint OR invoice OR refund", "since": "30d"}
    rows, _pages = await all_rows(client, **args, limit=100)
    matches: list[dict[str, Any]] = []
    cursor = None
    while True:
        res = await call(client, "search_calls", **args, limit=50, **({"cursor": cursor} if cursor else {}))
        matches += res.structured_content["matches"]
        if not (cursor := res.structured_content.get("next_cursor")):
            break
    assert len(rows) == len(matches) > 20
    for row, found in zip(rows, matches, strict=True):  # the same order: best first
        assert row["call"] == found["call"] and row["agent"] == f"{found['provider']}/{found['agent']}"
        assert row.get("contact") == found.get("contact") and row.get("outcome") == found.get("outcome")
        assert row["status"] == found["status"] and row["said"].strip("…")[:20] in found["excerpt"]
        assert row.get("at") == (found["started_at"][5:16].replace("T", " ") if "started_at" in found else None)


async def test_each_rows_call_opens_with_its_agent(client: Client) -> None:
    rows, pages = await all_rows(client, query="the OR call OR invoice", since="30d", limit=100)
    assert pages[0]["next"][0].startswith("get_call_transcript(call_id=<call>")
    seen: set[str] = set()
    for row in rows:  # the first row of each agent (every provider and plane)
        if row["agent"] in seen:
            continue
        seen.add(row["agent"])
        account, agent = row["agent"].split("/", 1)
        opened = await call(client, "get_call_transcript", provider=account, agent=agent, call_id=row["call"])
        call_data = opened.structured_content["call"]
        assert row["call"] in (call_data.get("call_id"), call_data.get("task_id"), call_data.get("run_id"))
    assert {a.split("/")[0] for a in seen} == {"unpod", "runtype", "modus"}


async def test_one_agents_rows_leave_the_agent_out_and_a_run_without_its_agent_gives_refs(
    client: Client, world: World
) -> None:
    agent = world.unpod_agents[0].handle
    rows, pages = await all_rows(client, query="call me back", provider="unpod", agent=agent, since="30d")
    assert rows and "agent" not in pages[0]["columns"] and "agent_ids" not in pages[0]
    assert pages[0]["next"][0].startswith(f'get_call_transcript(provider="unpod", agent="{agent}", call_id=')
    opened = await call(client, "get_call_transcript", provider="unpod", agent=agent, call_id=rows[0]["call"])
    assert opened.structured_content["call"]["call_id"] == rows[0]["call"]
    run = next(r for r in world.unpod_runs if r.phase == "done" and r.agent.handle == agent and r.n_tasks >= 50)
    ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
    rows, pages = await all_rows(client, query="call me back", ref=ref)
    assert rows and "ref" in pages[0]["columns"] and "call" not in pages[0]["columns"]
    opened = await call(client, "get_call_transcript", ref=rows[0]["ref"])
    assert opened.structured_content["call"]["run_id"] == run.run_id


async def test_hostile_detail_and_limit_values_are_refused(client: Client) -> None:
    for bad in ("ROWS", "rows; drop", "full", "", "rows\n", "r" * 5000):
        assert "detail" in await call_error(client, "search_calls", query="call", detail=bad)
    for bad_limit in (0, 201, -1, 10**12, "100", 5.5, True):
        assert "limit" in await call_error(client, "search_calls", query="call", limit=bad_limit)
    first = await call(client, "search_calls", query="call me back", since="30d", limit=5)
    cursor = first.structured_content["next_cursor"]
    refused = await call_error(client, "search_calls", query="call me back", since="30d", detail="rows", cursor=cursor)
    assert "different query" in refused  # a page of matches does not continue as rows
    rows = await call(client, "search_calls", query="call me back", since="30d", detail="rows", limit=5)
    cursor = rows.structured_content["next_cursor"]
    refused = await call_error(
        client, "search_calls", query="call me back", since="30d", detail="contacts", cursor=cursor
    )
    assert "different query" in refused  # nor a page of rows as contacts (offsets count different things)


async def test_callback_requests_as_contacts_match_the_simulators_truth(client: Client, world: World) -> None:
    since = world.anchor - timedelta(days=7)
    truth = callback_truth(world, since, number=True)
    people: dict[tuple[str, str], list[tuple[str, datetime]]] = {}
    for name, at, number in truth.values():  # a person: the name and number the platform gives, unmasked
        people.setdefault((name, number), []).append((name, at))
    contacts, pages = await all_rows(client, "contacts", query="call me back", since=since.isoformat())
    # one page by default (a contact's row is ~20 tokens: 200 fit), a row per person, their latest call's time
    assert len(pages) == 1 and pages[0]["columns"][:3] == ["at", "agent", "contact"]
    assert pages[0]["contacts"] == len(people) == len(contacts) >= 100
    want = sorted((calls[0][0], max(at for _n, at in calls).strftime("%m-%d %H:%M"), len(calls))
                  for calls in people.values())  # fmt: skip
    got = sorted((row["contact"].split(" (***")[0], row["at"], row.get("calls") or 1) for row in contacts)
    assert got == want
    # the same people as the rows' calls, each on the agent of their latest call
    rows, _pages = await all_rows(client, query="call me back", since=since.isoformat(), limit=100)
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["contact"] not in latest or row["at"] > latest[row["contact"]]["at"]:
            latest[row["contact"]] = row
    assert {(c["contact"], c["at"], c["agent"]) for c in contacts} == {
        (r["contact"], r["at"], r["agent"]) for r in latest.values()
    }
    first = pages[0]
    count = real_token_counter() or estimate_tokens
    text = first.pop("_text")
    structured = json.dumps(first, separators=(",", ":"), ensure_ascii=False)
    assert count(structured) <= 2500 and count(structured) <= 1.3 * count(text)
    assert "a row per contact" in text.splitlines()[0] and 'detail="rows"' in first["next"][0]


async def test_contacts_say_the_calls_that_have_none_and_cut_pages_say_so(client: Client) -> None:
    res = await call(client, "search_calls", query="complaint OR invoice OR refund", since="30d", detail="contacts")
    data = res.structured_content
    rows, _pages = await all_rows(client, query="complaint OR invoice OR refund", since="30d", limit=100)
    without = sum(1 for row in rows if not row.get("contact"))
    assert without > 0  # Runtype's conversations name no contact
    assert f'{without} matching call(s) have no contact: detail="rows" lists every call.' in data["notes"]
    assert len(data["rows"]) == data["contacts"] == len({r["contact"] for r in rows if r.get("contact")})
    small = await call(client, "search_calls", query="the OR call", since="30d", detail="contacts", limit=3)
    assert len(small.structured_content["rows"]) == 3 and small.structured_content["next_cursor"]
    rest = await call(client, "search_calls", query="the OR call", since="30d", detail="contacts", limit=3,
                      cursor=small.structured_content["next_cursor"])  # fmt: skip
    shown = {tuple(r) for r in small.structured_content["rows"]}
    assert not {tuple(r) for r in rest.structured_content["rows"]} & shown


def _match(call_id: str, minute: int) -> CallMatch:
    at = datetime(2026, 12, 4, 9, minute, tzinfo=UTC)
    return CallMatch(call=call_id, agent="a1", status=Status.COMPLETED, started_at=at, contact="A (***12)",
                     where="summary", excerpt="x", score=1, ref="r")  # fmt: skip


def test_a_person_who_asked_twice_is_one_row_with_their_latest_call_and_the_count() -> None:
    found = [(_match("c1", 5), "A +15550001212"), (_match("c2", 30), "A  +15550001212"),
             (_match("c3", 10), "B +15550009912"), (_match("c4", 1), None), (_match("c5", 2), " ")]  # fmt: skip
    latest, counts, missing = by_contact(found)
    assert [m.call for m in latest] == ["c2", "c3"] and counts == [2, 1] and missing == 2
    columns, rows, _defaults = build_rows(latest, ["a1"], counts=counts)
    assert columns == ["at", "agent", "contact", "calls"]
    assert rows == [["12-04 09:30", 1, "A (***12)", 2], ["12-04 09:10", 1, "A (***12)"]]
