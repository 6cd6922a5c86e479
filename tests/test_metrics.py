"""/metrics: tool calls, provider requests, retries and Retry-After waits, cache lookups, reports."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from agent_runs_mcp.config import Settings
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.simulator.faults import Faults, Rule
from agent_runs_mcp.simulator.world import World
from tests.conftest import FAST_RETRY, accounts_for, mcp_client, start_simulator
from tests.test_http import demo_settings, http_server, mcp

pytestmark = pytest.mark.anyio


def scrape(url: str, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(url + "/metrics", headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_tool_calls_provider_requests_caches_and_reports() -> None:
    with http_server(demo_settings()) as url:
        before = scrape(url)
        async with mcp(url, token=None) as client:
            await client.call_tool("list_agents", {"provider": "modus"})
            await client.call_tool("list_agents", {"provider": "modus"})  # the second from the cache
            await client.call_tool("get_run_tasks", {"provider": "modus", "run_id": "nope"})  # an error
            agents = await client.call_tool("list_agents", {"provider": "runtype"})
            agent = agents.structured_content["agents"][0]["id"]
            await client.call_tool("summarize_run_health", {"provider": "runtype", "agent": agent})
        after = scrape(url)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("agent_runs_tool_calls_total", tool="list_agents", outcome="ok") == 3
    assert grew("agent_runs_tool_calls_total", tool="get_run_tasks", outcome="InputError") == 1
    assert grew("agent_runs_tool_call_duration_seconds_count", tool="list_agents") == 3
    assert grew("agent_runs_provider_requests_total", account="modus", status="200") >= 1
    assert grew("agent_runs_provider_request_duration_seconds_count", account="runtype") >= 2
    assert grew("agent_runs_cache_lookups_total", cache="response", result="hit") >= 1
    assert grew("agent_runs_reports_computed_total", account="runtype", scope="agent_window") == 1


async def test_retries_and_retry_after_waits_are_counted() -> None:
    faults = Faults([Rule(match="/v1/agents", fault="429", times=2, retry_after="1")])
    live = start_simulator(World(seed=3), faults)
    try:
        settings = Settings(accounts=accounts_for(live.url), cache_enabled=False)
        with http_server(demo_settings()) as url:
            before = scrape(url)
            async with mcp_client(settings, retry=replace(FAST_RETRY, attempts=4)) as c:
                res = await c.call_tool("list_agents", {"provider": "runtype"})
            after = scrape(url)
    finally:
        live.stop()
    assert not res.is_error
    key = "agent_runs_provider_retries_total"
    assert (
        value(after, key, account="runtype", reason="rate_limited")
        - value(before, key, account="runtype", reason="rate_limited")
        == 2
    )
    waited = "agent_runs_provider_retry_after_wait_seconds_total"
    assert value(after, waited, account="runtype") - value(before, waited, account="runtype") >= 2 * 1.0 - 1e-9
    statuses = "agent_runs_provider_requests_total"
    assert (
        value(after, statuses, account="runtype", status="429")
        - value(before, statuses, account="runtype", status="429")
        == 2
    )


def test_metrics_token_guards_the_endpoint() -> None:
    settings = load_settings({"AGENT_RUNS_METRICS_TOKEN": "scrape-me"}, demo=True)
    assert "scrape-me" in settings.secrets()
    with http_server(settings) as url:
        assert httpx.get(url + "/metrics").status_code == 401
        assert httpx.get(url + "/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert scrape(url, Authorization="Bearer scrape-me")


async def test_a_tool_call_is_one_trace_with_a_span_per_provider_request() -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)  # once per process; later tests only add spans to memory
    async with mcp_client(demo_settings()) as client:
        await client.call_tool("list_agents", {"provider": "runtype"})
    spans = exporter.get_finished_spans()
    tool = next(s for s in spans if s.name == "tools/call list_agents")
    requests = [s for s in spans if s.name == "GET runtype"]
    assert requests and all(s.context.trace_id == tool.context.trace_id for s in requests)
    assert all(s.attributes["agent_runs.account"] == "runtype" for s in requests)
    assert all(s.attributes["http.response.status_code"] == 200 for s in requests)


def test_tracing_needs_a_collector_and_says_what_is_missing(caplog: pytest.LogCaptureFixture) -> None:
    from agent_runs_mcp.config import load_settings
    from agent_runs_mcp.server.tracing import setup_tracing

    assert setup_tracing(load_settings({})) is False and not caplog.records  # no collector: nothing to do or say
    settings = load_settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    try:
        import opentelemetry.exporter.otlp.proto.http  # noqa: F401
    except ImportError:
        assert setup_tracing(settings) is False
        assert "pip install 'agent-runs-mcp[otel]'" in caplog.text
    else:  # pragma: no cover - the otel extra is installed here
        pytest.skip("the otel extra is installed: exporting is exercised, not the missing-SDK message")
