"""search_calls against the simulator's recorded truth: matches found and not found, best first, sampling."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.refs import make_ref, parse_ref
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools import search
from tests.conftest import call
from tests.test_tools import _raw_turns

pytestmark = pytest.mark.anyio


async def all_matches(client: Client, **args: Any) -> tuple[list[dict], dict]:
    matches, cursor, data = [], None, {}
    for _ in range(50):
        res = await call(client, "search_calls", **args, limit=50, **({"cursor": cursor} if cursor else {}))
        data = res.structured_content
        matches += data["matches"]
        cursor = data.get("next_cursor")
        if not cursor:
            return matches, data
    raise AssertionError("cursor never ended")


async def test_search_a_run_finds_exactly_the_calls_that_said_it(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.phase == "done" and 50 <= r.n_tasks <= 200)
    ref = make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)

    def said(task: dict) -> bool:
        output = task.get("output") or {}
        if "transcript" not in output and "messages" not in output:
            return False
        return any(s == "customer" and "call" in x.lower() and "back" in x.lower() for s, x in _raw_turns(output))

    expected = {t["task_id"] for t in world.unpod_tasks(run) if said(t)}
    matches, data = await all_matches(client, query="call back", ref=ref, speaker="customer")
    found = {parse_ref(m["ref"]).get("t") for m in matches}
    assert expected and found == expected and data["matched"] == len(expected) and data["complete"] is True
    assert all("call" in m["excerpt"].lower() for m in matches)


async def test_search_an_agent_window_and_nothing_found(client: Client, world: World) -> None:
    agent = world.runtype_agents[0]
    mine = [e for e in world.runtype_executions if e["agentId"] == agent.id and e["parentExecutionId"] is None]
    expected = {
        e["id"]
        for e in mine
        if any(m["role"] == "user" and "invoice" in m["content"].lower() for m in e["_detail"]["inputMessages"])
    }
    matches, data = await all_matches(client, query="invoice", provider="runtype", agent=agent.id, since="30d",
                                      speaker="customer")  # fmt: skip
    assert expected and {m["call"] for m in matches} == expected and data["scanned"] == len(mine)
    none, data = await all_matches(client, query='"never said by anyone"', provider="runtype", agent=agent.id)
    assert none == [] and data["matched"] == 0 and data["complete"] is True


async def test_best_matches_come_first(client: Client, world: World) -> None:
    res = await call(client, "search_calls", query="invoice approval", provider="modus", agent="63", since="30d")
    scores = [m["score"] for m in res.structured_content["matches"]]
    assert scores == sorted(scores, reverse=True) and scores
    assert res.structured_content["next"][0].startswith("get_call_transcript(ref=")


async def test_a_search_past_its_cap_says_it_is_sampled(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "MAX_CALLS", 5)
    agent = world.unpod_agents[0].handle
    res = await call(client, "search_calls", query="the", provider="unpod", agent=agent, since="30d")
    data = res.structured_content
    assert data["scanned"] == 5 and data["complete"] is False and data["sampled"] is True
    assert any("Sampled" in n for n in data["notes"]) and "sampled" in res.content[0].text


async def test_every_agent_of_every_account_is_searched_and_named(client: Client, world: World) -> None:
    query = 'don\'t call OR "remove me"'
    matches, data = await all_matches(client, query=query, since="30d")
    assert data["complete"] is True and "provider" not in data
    assert sum(data["agents"].values()) == data["matched"] == len(matches)
    assert all(m["provider"] and m["agent"] for m in matches)
    by_agent: dict[str, set[str]] = {}
    for m in matches:
        by_agent.setdefault(f"{m['provider']}/{m['agent']}", set()).add(m["ref"])
    assert {k: len(v) for k, v in by_agent.items()} == data["agents"]
    # the same agents searched one by one find the same calls
    for label, refs in by_agent.items():
        account, agent = label.split("/", 1)
        one, _ = await all_matches(client, query=query, provider=account, agent=agent, since="30d")
        assert {m["ref"] for m in one} == refs and all("agent" not in m for m in one)
    accounts = await call(client, "search_calls", query=query, provider="unpod", since="30d", limit=50)
    assert accounts.structured_content["provider"] == "unpod" and accounts.structured_content["matched"] == len(matches)
    assert all("provider" not in m for m in accounts.structured_content["matches"])


async def test_word_forms_and_alternatives_find_what_people_mean(client: Client, world: World) -> None:
    def said(task: dict, *needles: str) -> bool:
        output = task.get("output") or {}
        if "transcript" not in output and "messages" not in output:
            return False
        flat = [x.lower().replace("'", "") for s, x in _raw_turns(output) if s == "customer"]
        return any(n in x for x in flat for n in needles)

    def saying(run: object) -> list[dict]:
        return [t for t in world.unpod_tasks(run) if said(t, "dont call", "remove me")]

    run = max((r for r in world.unpod_runs if r.phase == "done"), key=lambda r: len(saying(r)))
    ref = make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)
    tasks = world.unpod_tasks(run)
    expected = {t["task_id"] for t in saying(run)}
    matches, data = await all_matches(client, query='"DONT calling" OR "remove me"', ref=ref, speaker="customer")
    assert expected and {parse_ref(m["ref"]).get("t") for m in matches} == expected and data["complete"] is True
    numbers = {t["input"]["contact_number"] for t in tasks if t["task_id"] in expected}
    assert data["contacts"] == len(numbers) and not any(n in str(data) for n in numbers)  # counted raw, shown masked


async def test_a_match_carries_the_turn_that_answers_it(client: Client, world: World) -> None:
    res = await call(client, "search_calls", query="complaint ticket", provider="unpod", since="30d", speaker="agent")
    data = res.structured_content
    assert data["matches"] and data["contacts"] >= 1
    for m in data["matches"]:
        assert m["where"].endswith("agent") and m["reply"].split(" ")[2].startswith("customer")
        assert int(m["reply"].split(" ")[1]) > int(m["where"].split(" ")[1])
        assert m["outcome"] and m["contact"] and "*" in m["contact"]
    assert "→ turn" in res.content[0].text and "distinct contact" in res.content[0].text


async def test_a_fleet_search_reports_progress(client: Client) -> None:
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    res = await client.call_tool(
        "search_calls", {"query": "invoice", "provider": "modus"}, progress_callback=on_progress
    )
    assert not res.is_error and seen and 0 < seen[-1] <= res.structured_content["scanned"]


async def test_a_page_cut_by_the_budget_says_so_first_and_replies_end_on_whole_words(client: Client) -> None:
    agent = "space-agent-yq4943p2g030ehy4v4ej858vd"  # its complaint calls: the agent answers with a ticket number
    res = await call(client, "search_calls", query="complaint", provider="unpod", agent=agent, since="30d",
                     speaker="customer", limit=50)  # fmt: skip
    data = res.structured_content
    shown, matched = len(data["matches"]), data["matched"]
    assert data["next_cursor"] and shown < min(matched, 50)
    lines = res.content[0].text.splitlines()
    assert lines[1].startswith(f"Cut to {shown} of {min(matched, 50)} matches ({matched} matched in all)")
    assert data["notes"][0] == lines[1] and "cursor=<next_cursor>" in lines[1]
    replies = [m["reply"] for m in data["matches"]]
    assert all(r.endswith("to schedule a visit.") and "ticket CR-" in r for r in replies)  # the whole turn


def test_clipped_texts_end_on_a_word_boundary() -> None:
    text = "I've raised ticket CR-5465, and a technician will call you within 24 hours to schedule a visit."
    for limit in range(10, len(text)):
        cut = search.clip_words(text, limit)
        assert cut.endswith("…") and len(cut) <= limit + 1
        assert text.startswith(cut[:-1]) and text[len(cut[:-1].rstrip(" ,;:"))] in " ,;:"
    assert search.clip_words(text, len(text)) == text
    excerpt = search.excerpt_around("word " * 100 + "needle " + "word " * 100, 500)
    assert excerpt.startswith("…word ") and "needle" in excerpt and excerpt.endswith("word…")


async def test_twenty_unpod_matches_fit_the_default_budget_and_their_refs_hold_task_and_run(
    client: Client, world: World
) -> None:
    agent = world.unpod_agents[0]
    res = await call(
        client, "search_calls", provider="unpod", agent=agent.handle, query="call back", since="30d", limit=20
    )
    data = res.structured_content
    assert data["matched"] > 20 and len(data["matches"]) == 20 and "Cut to" not in res.content[0].text
    tasks = {
        doc["task_id"]: run.run_id for run in world.unpod_runs if run.agent == agent for doc in world.unpod_tasks(run)
    }
    for found in data["matches"]:
        assert "task" not in found and "run_id" not in found  # said by the ref, not twice
        ref = parse_ref(found["ref"])
        assert tasks[ref.get("t")] == ref.get("r")  # the ref alone locates the task and its run
        assert found["started_at"] and found["status"] and found["contact"] and found["excerpt"] and found["reply"]


async def test_failed_calls_are_found_by_their_failure_reason(client: Client, world: World) -> None:
    """A call that never connected has no transcript: what it says is why it failed (the health report's reason)."""
    failed = {
        t["task_id"]: run.agent.handle
        for run in world.unpod_runs
        for t in world.unpod_tasks(run)
        if "missing voice" in str(t.get("last_failure_reason") or "")
    }
    agent = next(iter(failed.values()))
    expected = {task for task, handle in failed.items() if handle == agent}
    matches, data = await all_matches(client, query="missing voice", provider="unpod", agent=agent, since="30d")
    assert expected and {parse_ref(m["ref"]).get("t") for m in matches} == expected and data["complete"] is True
    assert all(m["where"] == "failure reason" and "missing voice" in m["excerpt"] for m in matches)
