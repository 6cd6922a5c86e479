"""Provider faults, bad input, caching, time limits and malformed payloads never break the server or leak."""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_runs_mcp.config import Settings
from agent_runs_mcp.domain import Conversation, ProviderPage, Status
from agent_runs_mcp.errors import AgentRunsError
from agent_runs_mcp.providers.base import TTL_FINISHED_S, TTL_LIST_S, CallQuery, ExecutionQuery, RunQuery, ttl_by_status
from agent_runs_mcp.providers.cache import ResponseCache
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.providers.unpod import STATUSES as UNPOD
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.faults import Rule
from agent_runs_mcp.simulator.world import World
from tests.conftest import FAST_RETRY, accounts_for, call, call_error, mcp_client

pytestmark = pytest.mark.anyio


class Recorder:
    """An httpx MockTransport handler that answers from a function and records every request."""

    def __init__(self, answer: Any, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            return self.answer(request)
        finally:
            self.in_flight -= 1


def runtype_agents(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": [{"id": "agent_1", "name": "A"}], "pagination": {"hasMore": False}})


# --- retries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["503", "504", "502_html"])
async def test_gateway_errors_are_retried(client, faults, fault: str) -> None:
    faults.rules = [Rule(match="/api/v1/workflows", fault=fault, times=2)]
    res = await call(client, "list_agents", provider="modus")
    assert res.structured_content["agents"] and faults.rules[0].hits == 2


async def test_retry_after_as_http_date_is_honoured(sim, faults) -> None:
    settings_ = Settings(accounts=accounts_for(sim.url), cache_enabled=False)
    async with mcp_client(settings_) as client:
        # The date is written right before the call (whole seconds: 1 to 2 s from now) and the wait timed from
        # then: the client's set-up, which a loaded machine stretches, stays out of the measure.
        started = time.monotonic()
        when = email.utils.formatdate(time.time() + 2, usegmt=True)
        faults.rules = [Rule(match="/v1/agents", fault="429", times=1, retry_after=when)]
        await call(client, "list_agents", provider="runtype")
        waited = time.monotonic() - started
    assert faults.rules[0].hits == 1
    assert 0.9 <= waited < 3.5  # slept until (about) the date, not the short default backoff


async def test_auth_faults_are_not_retried(client, faults) -> None:
    faults.rules = [Rule(match="/api/v2/platform/agents/", fault="403")]
    text = await call_error(client, "list_agents", provider="unpod")
    assert "403" in text and "Token has expired" in text and "Tried" not in text
    assert faults.rules[0].hits == 1


async def test_business_206_from_a_fault(client, faults) -> None:
    faults.rules = [Rule(match="/runs/", fault="206")]
    world = World()
    run = world.unpod_runs[2]
    text = await call_error(client, "get_run_tasks", provider="unpod", run_id=run.run_id, space=run.space)
    assert "206" in text and "Runs Fetch Failed" in text and "task service unavailable" in text


# --- time limits ---------------------------------------------------------------------------------


async def test_listing_stops_at_the_call_time_limit_with_a_cursor(sim, faults, world: World) -> None:
    agent = world.runtype_agents[0]
    faults.rules = [Rule(match="/executions", fault="slow", delay_s=1.2)]
    settings_ = Settings(accounts=accounts_for(sim.url), call_timeout_s=4, cache_enabled=False)
    async with mcp_client(settings_) as client:
        started = time.monotonic()
        res = await call(client, "list_agent_executions", provider="runtype", agent=agent.id, status="partial")
        elapsed = time.monotonic() - started
    assert elapsed < 4
    assert res.structured_content["next_cursor"] and "to answer in time" in res.content[0].text


async def test_health_reports_what_it_read_within_the_time_limit() -> None:
    from agent_runs_mcp.simulator.faults import Faults
    from tests.conftest import start_simulator

    world = World(big_run_tasks=1000)  # five report pages of 200 tasks
    run = next(r for r in world.unpod_runs if r.n_tasks == 1000)
    live = start_simulator(world, Faults([Rule(match="/tasks/", fault="slow", delay_s=1.2)]))
    try:
        settings_ = Settings(
            accounts=accounts_for(live.url), call_timeout_s=4, health_concurrency=1, cache_enabled=False
        )
        async with mcp_client(settings_) as client:
            started = time.monotonic()
            res = await call(client, "summarize_run_health", ref=make_ref("unpod", "run", r=run.run_id, s=run.space))
            elapsed = time.monotonic() - started
    finally:
        live.stop()
    report = res.structured_content
    assert elapsed < 4.5
    assert report["complete"] is False and report["sampled"] is True and 0 < report["scanned"] < run.n_tasks
    assert any("time limit" in n for n in report["notes"])


async def test_a_slow_provider_times_out_within_the_call_limit(sim, faults) -> None:
    faults.rules = [Rule(match="/api/v1/workflows", fault="slow", delay_s=10)]
    settings_ = Settings(accounts=accounts_for(sim.url), call_timeout_s=2, cache_enabled=False)
    async with mcp_client(settings_) as client:
        started = time.monotonic()
        text = await call_error(client, "list_agents", provider="modus")
        assert time.monotonic() - started < 3
    assert "Modus" in text and "timeout" in text


# --- caching and concurrency ---------------------------------------------------------------------


async def test_cache_coalesces_and_fresh_bypasses() -> None:
    recorder = Recorder(runtype_agents, delay=0.1)
    settings_ = Settings(accounts=accounts_for("https://rt.example"))
    async with mcp_client(settings_, transport=httpx.MockTransport(recorder)) as client:
        await asyncio.gather(*(call(client, "list_agents", provider="runtype") for _ in range(5)))
        assert len(recorder.requests) == 1  # five identical calls in flight, one provider request
        await call(client, "list_agents", provider="runtype")
        assert len(recorder.requests) == 1  # still fresh
        await call(client, "list_agents", provider="runtype", fresh=True)
        assert len(recorder.requests) == 2


async def test_cache_keeps_finished_runs_longer_and_bounds_its_size() -> None:
    ttl = ttl_by_status(lambda body: (t["status"] for t in body["data"]), UNPOD)
    assert ttl({"data": [{"status": "completed"}, {"status": "failed"}]}) == TTL_FINISHED_S
    assert ttl({"data": [{"status": "completed"}, {"status": "in_progress"}]}) == TTL_LIST_S
    assert ttl({"data": []}) == TTL_LIST_S and ttl(None) == TTL_LIST_S
    clock = [0.0]
    cache = ResponseCache(max_bytes=100, timer=lambda: clock[0])

    async def fetch(value: str, size: int) -> tuple[str, int]:
        return value, size

    assert await cache.get_or_fetch("a", 10, lambda: fetch("A", 60)) == "A"
    assert await cache.get_or_fetch("b", 10, lambda: fetch("B", 60)) == "B"  # evicts "a": 120 bytes > 100
    assert await cache.get_or_fetch("a", 10, lambda: fetch("A2", 60)) == "A2"
    clock[0] = 11
    assert await cache.get_or_fetch("a", 10, lambda: fetch("A3", 10)) == "A3"  # expired
    assert await cache.get_or_fetch("huge", 10, lambda: fetch("H", 10_000)) == "H"  # served, not kept


async def test_concurrent_requests_per_account_are_capped() -> None:
    recorder = Recorder(runtype_agents, delay=0.05)
    settings_ = Settings(
        accounts=accounts_for("https://rt.example", runtype={"max_concurrency": 2}), cache_enabled=False
    )
    async with mcp_client(settings_, transport=httpx.MockTransport(recorder)) as client:
        await asyncio.gather(*(call(client, "list_agents", provider="runtype", search=str(i)) for i in range(8)))
    assert len(recorder.requests) == 8 and recorder.most_in_flight == 2


# --- bad input never reaches the provider ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "args", "argument"),
    [
        ("list_agent_executions", {"provider": "runtype", "agent": "../../admin"}, "agent"),
        ("list_agent_executions", {"provider": "unpod", "agent": "a/b?x=1"}, "agent"),
        ("get_run_tasks", {"provider": "unpod", "run_id": "R1\x00", "space": "S"}, "run_id"),
        ("get_run_tasks", {"provider": "unpod", "run_id": "R1", "space": "S" * 300}, "space"),
        ("get_call_transcript", {"provider": "runtype", "call_id": "e 1", "agent": "a"}, "call_id"),
        ("list_agent_executions", {"provider": "modus", "agent": "42; DROP"}, "agent"),
        ("list_agent_executions", {"provider": "runtype", "agent": "a", "since": "soonish"}, "since"),
        ("list_agent_executions", {"provider": "runtype", "agent": "a", "status": "weird"}, "status"),
        ("list_agent_executions", {"provider": "runtype", "agent": "a", "limit": 0}, "limit"),
        ("get_run_tasks", {"provider": "unpod", "ref": "unpod:run:r=R1", "run_id": "R2"}, "run_id"),
        ("get_call_transcript", {"provider": "runtype", "ref": "unpod:task:t=T1"}, "provider"),
        ("list_agents", {"provider": "runtype", "agentt": "x"}, "agentt"),
    ],
)
async def test_bad_input_is_refused_before_any_request(tool: str, args: dict[str, Any], argument: str) -> None:
    recorder = Recorder(lambda request: httpx.Response(500))
    settings_ = Settings(accounts=accounts_for("https://x.example"), cache_enabled=False)
    async with mcp_client(settings_, transport=httpx.MockTransport(recorder)) as client:
        text = await call_error(client, tool, **args)
    assert f"`{argument}`" in text
    assert recorder.requests == []


# --- malformed payloads: a model or our own error, nothing else -----------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=25,
)
KEYS = [
    "data", "count", "status", "task_id", "run_id", "output", "transcript", "role", "content", "timestamp",
    "pagination", "nextCursor", "hasMore", "totalCost", "totalTokens", "runs", "nextPageToken", "workflowNodes",
    "startedAt", "durationMs", "id", "agents", "error", "message", "inputMessages", "finalOutput", "created",
    "call_end_reason", "duration", "cost", "post_call_data", "summary", "counts", "agentId",
]  # fmt: skip
shaped = st.recursive(
    json_values,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS), children, max_size=8),
    max_leaves=40,
)
payloads = st.one_of(
    shaped.map(json.dumps),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    shaped.map(lambda v: json.dumps(v)[: max(1, len(json.dumps(v)) // 2)]),
)


async def _exercise(kind: str, body: str, status: int) -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=body, headers={"Content-Type": "application/json"})

    settings_ = Settings(accounts=accounts_for("https://p.example"), cache_enabled=False)
    registry = Registry(settings_, transport=httpx.MockTransport(answer), retry=FAST_RETRY)
    adapter = registry.get(kind)
    agent = "42" if kind == "modus" else "agent_1"
    calls = [
        lambda: adapter.agents_page(None, None),
        lambda: adapter.executions_page(ExecutionQuery(agent=agent, status=Status.FAILED), None),
        lambda: adapter.tasks_page(RunQuery(run_id="R1", agent=agent, space="S"), None),
        lambda: adapter.conversation(CallQuery(task_id="T1", call_id="c1", run_id="R1", agent=agent, space="S")),
    ]
    try:
        for make in calls:
            try:
                got = await make()
            except AgentRunsError:
                continue
            assert isinstance(got, ProviderPage | Conversation)
    finally:
        await registry.aclose()


@pytest.mark.parametrize("kind", ["unpod", "runtype", "modus"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=payloads, status=st.sampled_from([200, 200, 200, 206, 400, 404, 409, 422]))
def test_parsers_survive_any_payload(kind: str, body: str, status: int) -> None:
    asyncio.run(_exercise(kind, body, status))
