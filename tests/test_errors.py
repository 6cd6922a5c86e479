"""Every failure kind becomes a tool error that names the provider and the cause, and never leaks a secret."""

from __future__ import annotations

import pytest

from agent_runs_mcp.config import Settings, load_settings
from agent_runs_mcp.simulator.faults import Rule
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World
from tests.conftest import accounts_for, call, call_error, free_port, mcp_client

pytestmark = pytest.mark.anyio

SECRETS = [c["token"] for c in DEMO_CREDENTIALS.values()] + ["wrong-secret-123"]


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


async def test_no_account_configured_points_at_variables_and_demo() -> None:
    async with mcp_client(load_settings({})) as client:
        text = await call_error(client, "list_agents")
        assert "UNPOD_API_TOKEN" in text and "--demo" in text
        res = await call(client, "list_providers")
        assert res.structured_content["providers"] == []


async def test_unconfigured_provider_names_its_variable(sim) -> None:
    settings = Settings(accounts={"runtype": accounts_for(sim.url)["runtype"]})
    async with mcp_client(settings) as client:
        text = await call_error(client, "list_agents", provider="unpod")
        assert "UNPOD_API_TOKEN" in text and "runtype" in text and "--demo" in text
        res = await call(client, "list_agents")  # one account: provider may be omitted
        assert res.structured_content["provider"] == "runtype"


@pytest.mark.parametrize("kind", ["unpod", "runtype", "modus"])
async def test_refused_token_is_named_not_echoed(sim, kind: str) -> None:
    settings = Settings(
        accounts=accounts_for(sim.url, **{kind: {"token": "wrong-secret-123", "token_source": "TEST_VAR"}})
    )
    async with mcp_client(settings) as client:
        text = await call_error(client, "list_agents", provider=kind)
    assert "401" in text and "refused the credentials" in text and "TEST_VAR" in text
    assert_no_secret(text)


async def test_not_found_names_the_id(client) -> None:
    text = await call_error(client, "list_agent_executions", provider="unpod", agent="space-agent-nope")
    assert "404" in text and "space-agent-nope" in text and "Agent not found" in text
    text = await call_error(client, "list_agent_executions", provider="runtype", agent="agent_missing")
    assert "Runtype" in text and "agent_missing" in text
    text = await call_error(client, "get_call_transcript", provider="modus", call_id="wf_1_run_9", agent="63")
    assert "Modus" in text and "wf_1_run_9" in text and "Run not found" in text


async def test_unpod_206_passes_unpod_message(client) -> None:
    text = await call_error(client, "get_run_tasks", provider="unpod", run_id="R" + "0" * 32, space="BADSPACE")
    assert "206" in text and "Invalid Space Token" in text and "Unpod" in text


async def test_rate_limit_is_retried_then_succeeds(client, faults) -> None:
    faults.rules = [Rule(match="/v1/agents", fault="429", times=2, retry_after="0")]
    res = await call(client, "list_agents", provider="runtype")
    assert res.structured_content["agents"]
    assert faults.rules[0].hits == 2


async def test_persistent_rate_limit_becomes_error_with_retry_info(client, faults) -> None:
    faults.rules = [Rule(match="/api/v1/workflows", fault="429", retry_after="0")]
    text = await call_error(client, "list_agents", provider="modus")
    assert "Modus" in text and "429" in text and "rate limit" in text and "Tried 3 times" in text


async def test_long_retry_after_is_not_waited_for(client, faults) -> None:
    faults.rules = [Rule(match="/v1/agents", fault="429", retry_after="3600")]
    text = await call_error(client, "list_agents", provider="runtype")
    assert "asked to wait 3600s" in text


@pytest.mark.parametrize(("fault", "expected"), [("500", "server error"), ("502_html", "502 Bad Gateway")])
async def test_server_errors_are_retried_and_trimmed(client, faults, fault: str, expected: str) -> None:
    faults.rules = [Rule(match="/api/v2/platform/agents/", fault=fault)]
    text = await call_error(client, "list_agents", provider="unpod")
    assert expected in text and "Tried 3 times" in text and "<html" not in text


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("truncated_json", "truncated or malformed JSON"),
        ("empty_body", "empty body"),
        ("wrong_content_type", "content of type text/plain"),
        ("html_200", "an HTML page"),
    ],
)
async def test_malformed_answers(client, faults, fault: str, expected: str) -> None:
    faults.rules = [Rule(match="/v1/agents", fault=fault)]
    text = await call_error(client, "list_agents", provider="runtype")
    assert "Runtype" in text and expected in text


async def test_timeout_says_how_long_it_waited(sim, faults) -> None:
    settings = Settings(accounts=accounts_for(sim.url, modus={"read_timeout_s": 0.2}))
    faults.rules = [Rule(match="/api/v1/workflows", fault="slow", delay_s=1.0)]
    async with mcp_client(settings) as client:
        text = await call_error(client, "list_agents", provider="modus")
    assert "timeout of 0.2s" in text and "Modus" in text


async def test_connection_refused_is_explained() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with mcp_client(Settings(accounts=accounts_for(url))) as client:
        text = await call_error(client, "list_agents", provider="runtype")
    assert "could not connect" in text and url in text


async def test_demo_mode_needs_no_credentials(demo_client) -> None:
    res = await call(demo_client, "list_providers")
    assert res.structured_content["demo"] is True
    assert all(p["demo"] for p in res.structured_content["providers"])
    world = World()
    res = await call(demo_client, "list_agents", provider="unpod")
    names = [a["name"] for a in res.structured_content["agents"]]
    assert names == [a.name for a in world.unpod_agents] + [a["name"] for a in world.speech_agents]
