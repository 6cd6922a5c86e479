"""What Unpod's speech plane knows beyond a call's status: cost and usage from the speech sessions, latency,
analytics and follow-ups, in listings, transcripts and health; the sessions look-up is optional and bounded;
and a result whose finished items carry no cost says so once, on every platform."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta

import httpx
import pytest

from agent_runs_mcp.config import Settings
from agent_runs_mcp.simulator.faults import Rule
from agent_runs_mcp.simulator.world import World
from tests.conftest import LiveServer, accounts_for, call, mcp_client
from tests.test_tools import page_all

pytestmark = pytest.mark.anyio

NO_COST = "Unpod reports no cost for speech calls on this host"


def calls_of(world: World, agent_id: str) -> list[dict]:
    return [c for c in world.speech_calls if c["agent_id"] == agent_id]


def session_cost(call: dict) -> float | None:
    session = call.get("_session")
    return session["usage"]["cost"]["total"] if session else None


class Counting(httpx.AsyncBaseTransport):
    """The network, with every request's path written down."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_speech_executions_carry_cost_tokens_and_follow_ups(client, world: World) -> None:
    agent = world.speech_agents[0]["agent_id"]
    truth = {c["id"]: c for c in calls_of(world, agent)}
    runs = await page_all(client, "list_agent_executions", "executions", provider="unpod", agent=agent, detail="full")
    costed = 0
    for run in runs:
        raw = truth[run["run_id"]]
        assert run.get("cost_usd") == session_cost(raw)
        if raw.get("_session"):
            costed += 1
            tokens = raw["_session"]["usage"]["tokens"]
            assert run["tokens"] == tokens["input"] + tokens["output"]
            assert run["details"]["cost_parts_usd"]["voice"] == raw["_session"]["usage"]["cost"]["voice"]
        assert run.get("follow_up_of") == raw.get("initial_call_id")
    assert costed and any(r.get("follow_up_of") for r in runs)
    res = await call(client, "list_agent_executions", provider="unpod", agent=agent, limit=50)
    follow_up = next(r for r in res.structured_content["executions"] if r.get("follow_up_of"))
    assert f"follow-up of {follow_up['follow_up_of']}" in res.content[0].text
    assert not any(NO_COST in n for n in res.structured_content.get("notes", []))


async def test_a_call_has_its_cost_latency_analytics_and_chain(client, world: World) -> None:
    talked = next(c for c in world.speech_calls if c["_transcript"] and c.get("initial_call_id"))
    res = await call(client, "get_call_transcript", provider="unpod", call_id=talked["id"], max_turns=1)
    got = res.structured_content["call"]
    rows = talked["_latency_metrics"]
    assert got["cost_usd"] == session_cost(talked) and got["follow_up_of"] == talked["initial_call_id"]
    assert got["latency_ms"] == talked["latency_summary"]["p50_ms"] and rows
    analytics = talked["_analytics"][0]
    assert got["summary"] == analytics["summary"]
    assert got["outcome"] == ("successful" if analytics["success_evaluation"] else "unsuccessful")
    text = res.content[0].text
    assert f"follow-up of {talked['initial_call_id']}" in text and "latency p50" in text
    earlier = world.speech_call(talked["initial_call_id"])
    assert earlier is not None and earlier["to_number"] == talked["to_number"]  # the same contact, called again
    assert earlier["_reason"] in ("no_answer", "busy", "voicemail")

    tasks = await call(client, "get_run_tasks", provider="unpod", agent=talked["agent_id"], run_id=talked["id"],
                       detail="full")  # fmt: skip
    (task,) = tasks.structured_content["tasks"]
    assert task["cost_usd"] == session_cost(talked) and task["details"]["latency_ms"] == got["latency_ms"]


async def test_health_counts_speech_cost_and_voice_latency(client, world: World) -> None:
    agent = world.speech_agents[1]["agent_id"]
    truth = calls_of(world, agent)
    res = await call(client, "summarize_run_health", provider="unpod", agent=agent, since="7d")
    report = res.structured_content
    costs = [session_cost(c) for c in truth if session_cost(c) is not None]
    assert report["cost_usd"] == pytest.approx(sum(costs), abs=1e-3) and report["items_with_cost"] == len(costs)
    medians = sorted(c["latency_summary"]["p50_ms"] for c in truth if c.get("latency_summary"))
    latency = report["voice"]["latency_ms"]
    assert latency["count"] == len(medians) and latency["max"] == medians[-1]
    assert latency["p90"] == medians[math.ceil(0.9 * len(medians)) - 1]  # nearest rank
    assert "voice latency p50" in report["headline"] and "Voice latency (each call's median" in res.content[0].text
    assert not any("cost" in n for n in report.get("notes", []))


async def test_a_speech_window_report_counts_the_analytics_outcomes(client, world: World, faults) -> None:
    """The agent's analytics results (one list request) give each call its success evaluation as an outcome;
    without them (404, 5xx) the report says so and counts the calls all the same."""
    agent = world.speech_agents[0]["agent_id"]
    truth = calls_of(world, agent)
    expected = Counter(
        "successful" if c["_analytics"][0]["success_evaluation"] else "unsuccessful"
        for c in truth
        if c.get("_analytics")
    )
    res = await call(client, "summarize_run_health", provider="unpod", agent=agent, since="7d")
    assert res.structured_content["outcomes"] == dict(expected) and len(expected) == 2
    assert "Outcomes: " in res.content[0].text
    for fault, words in (("404_html", "has no analytics results"), ("503", "analytics could not be read")):
        faults.rules = [Rule(match="/speech/v1/analytics-results", fault=fault)]
        res = await call(client, "summarize_run_health", provider="unpod", agent=agent, since="7d")
        report = res.structured_content
        assert not report.get("outcomes") and sum(words in n for n in report["notes"]) == 1, report["notes"]
        assert sum(report["totals"].values()) == len(truth) and report["cost_usd"]


async def test_a_call_without_a_session_is_not_a_host_without_cost(client, world: World) -> None:
    """The host reports costs; a call that never opened a session has none of its own, and says just that."""
    missed = next(c for c in world.speech_calls if c.get("_reason") == "no_answer")
    res = await call(client, "get_run_tasks", provider="unpod", agent=missed["agent_id"], run_id=missed["id"])
    notes = res.structured_content["notes"]
    assert [n for n in notes if "cost" in n] == ["Unpod reports no cost for these calls: none has a speech session "
                                                 "with a cost (e.g. not connected)."]  # fmt: skip


async def test_a_speech_run_report_has_the_calls_cost(client, world: World) -> None:
    talked = next(c for c in world.speech_calls if c.get("_session") and c["_transcript"])
    res = await call(client, "summarize_run_health", provider="unpod", agent=talked["agent_id"], run_id=talked["id"])
    assert res.structured_content["cost_usd"] == pytest.approx(session_cost(talked))


@pytest.mark.parametrize("fault", ["404_html", "503"])
async def test_sessions_are_optional(client, world: World, faults, fault: str) -> None:
    """A host without sessions says the platform reports no cost; a failing one says the cost could not be
    read. Either way, once per result, and every call is still listed and counted."""
    faults.rules = [Rule(match="/speech/v1/sessions", fault=fault)]
    agent = world.speech_agents[0]["agent_id"]
    res = await call(client, "list_agent_executions", provider="unpod", agent=agent, limit=50)
    notes = res.structured_content["notes"]
    expected = NO_COST if fault == "404_html" else "could not be read"
    assert sum(expected in n for n in notes) == 1 and sum("cost" in n for n in notes) == 1, notes
    assert res.structured_content["executions"]  # listed all the same (the token budget cuts the page)
    assert not any("cost_usd" in r for r in res.structured_content["executions"])
    health = await call(client, "summarize_run_health", provider="unpod", agent=agent, since="7d")
    report = health.structured_content
    assert report.get("cost_usd") is None and sum(expected in n for n in report["notes"]) == 1
    assert sum(report["totals"].values()) == len(calls_of(world, agent))
    talked = next(c for c in calls_of(world, agent) if c["_transcript"])
    one = await call(client, "get_call_transcript", provider="unpod", call_id=talked["id"], max_turns=1)
    assert sum(expected in n for n in one.structured_content["notes"]) == 1


async def test_other_results_without_cost_say_so_once(client, world: World) -> None:
    """The rule is the platform's, not the speech plane's: Unpod's platform runs carry no cost of their own."""
    agent = world.unpod_agents[0]
    res = await call(client, "list_agent_executions", provider="unpod", agent=agent.handle, limit=50)
    runs = res.structured_content["executions"]
    assert runs and not any("cost_usd" in r for r in runs)
    notes = res.structured_content["notes"]
    assert sum("reports no cost" in n for n in notes) == 1 and "Unpod reports no cost for runs" in res.content[0].text


async def test_the_sessions_look_up_costs_one_request(sim: LiveServer, world: World) -> None:
    """Bounded: a speech agent's report reads its calls, the sessions and its analytics results once each; its
    executions, the calls and the sessions; a call reads itself and the sessions (list endpoints, never one
    read per call, even with the cache off as here)."""
    counting = Counting()
    settings = Settings(accounts=accounts_for(sim.url), cache_enabled=False)
    agent = world.speech_agents[0]["agent_id"]
    async with mcp_client(settings, transport=counting) as client:
        await call(client, "summarize_run_health", provider="unpod", agent=agent, since="7d")
        report_paths = Counter(counting.paths)
        counting.paths.clear()
        runs = await call(client, "list_agent_executions", provider="unpod", agent=agent, limit=50)
        list_paths = Counter(counting.paths)
        counting.paths.clear()
        first = runs.structured_content["executions"][5]["run_id"]
        await call(client, "get_call_transcript", provider="unpod", call_id=first)
        call_paths = Counter(counting.paths)
        counting.paths.clear()
        found = await call(client, "search_calls", provider="unpod", agent=agent, query="installation", since="7d")
        search_paths = Counter(p.rsplit("/", 1)[0] if "/calls/" in p else p for p in counting.paths)
    sessions, calls = "/api/v2/platform/speech/v1/sessions", "/api/v2/platform/speech/v1/calls"
    analytics = "/api/v2/platform/speech/v1/analytics-results"
    assert report_paths == {calls: 1, sessions: 1, analytics: 1} and list_paths == {calls: 1, sessions: 1}
    assert call_paths == {f"{calls}/{first}": 1, sessions: 1}
    talked = [c for c in calls_of(world, agent) if c["transcript_turns"]]  # a search reads only calls with turns
    assert search_paths == {calls: 1 + len(talked), sessions: 1}, search_paths
    assert found.structured_content["matches"]


def test_simulated_follow_ups_come_after_the_call_they_follow(world: World) -> None:
    for c in world.speech_calls:
        if c.get("initial_call_id"):
            earlier = world.speech_call(c["initial_call_id"])
            assert earlier is not None
            assert datetime.fromisoformat(earlier["created"]) + timedelta(minutes=1) < datetime.fromisoformat(
                c["created"]
            )


async def test_a_conversation_without_cost_says_so_once(client, world: World) -> None:
    """Modus runs carry no dollar cost: the conversation says so (the platform's default note); a Runtype
    execution that reports its cost has no such note."""
    flow = world.modus_agents[-1]
    run = next(r for r in world.modus_runs[flow.id] if r["status"] in ("completed", "failed"))
    res = await call(client, "get_call_transcript", provider="modus", call_id=run["id"], agent=str(flow.id))
    notes = res.structured_content.get("notes", [])
    assert sum("reports no cost" in n for n in notes) == 1 and "Modus reports no cost" in res.content[0].text
    agent = world.runtype_agents[0]
    done = next(e for e in world.runtype_executions if e["agentId"] == agent.id and e["status"] == "completed")
    res = await call(client, "get_call_transcript", provider="runtype", call_id=done["id"], agent=agent.id)
    assert res.structured_content["call"].get("cost_usd") is not None
    assert not any("cost" in n for n in res.structured_content.get("notes", []))


def test_usage_and_call_insights_read_defensively() -> None:
    from agent_runs_mcp.providers.unpod.call_insights import analytics_of, follow_up_of, latency_ms
    from agent_runs_mcp.providers.unpod.sessions import sessions_of, usage_cost, usage_tokens

    assert usage_cost({"cost": {"voice": 0.02, "llm": 0.01, "total": 0.03}}) == (0.03, {"voice": 0.02, "llm": 0.01})
    assert usage_cost({"cost": {"voice": "0.02", "llm": 0.01}}) == (0.03, {"voice": 0.02, "llm": 0.01})
    assert usage_cost({"cost_usd": "1.5"}) == (1.5, {}) and usage_cost({"cost": [1, 2]}) == (None, {})
    assert usage_cost({"cost": "NaN"}) == (None, {}) and usage_cost({}) == (None, {})
    assert usage_tokens({"tokens": {"input": 10, "output": "5"}}) == 15 and usage_tokens({"tokens": 7}) == 7
    assert usage_tokens({"llm_prompt_tokens": 3}) == 3 and usage_tokens({"tokens": "many"}) is None
    assert latency_ms({"latency_summary": {"e2e": {"p50_ms": 812.34}}}) == 812.3
    assert latency_ms({"latency_summary": {"p50_ms": -1}, "latency_metrics": [{"total_ms": 5}, "x", {}]}) == 5.0
    assert latency_ms({"latency_summary": "fast", "latency_metrics": None}) is None
    assert follow_up_of({"id": "c1", "initial_call_id": "c1"}) is None  # the chain's first call is no follow-up
    assert follow_up_of({"call_id": "c2", "initial_call_id": "c1"}) == "c1"
    failed_first = {"analytics": [{"status": "failed", "summary": "x"}, {"status": "ok", "success_evaluation": False}]}
    assert analytics_of(failed_first) == (None, "unsuccessful") and analytics_of({"analytics": "?"}) == (None, None)
    found = sessions_of([{"session_id": "s1", "usage": {"cost": 0.5}}, "junk", {"call_id": "c9", "usage": []}])
    assert found.of({"id": "c1", "session_id": "s1"}).cost_usd == 0.5  # joined on the call's session_id
    assert found.of({"id": "c9"}).cost_usd is None and found.of({"id": "c0"}) is None
