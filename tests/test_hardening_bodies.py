"""Provider bodies (issue 23, item 3): a byte cap on every page, cut-off 200s retried, a 206 never a success."""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
from collections.abc import AsyncIterator

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from agent_runs_mcp.config import Settings
from agent_runs_mcp.errors import BadResponseError
from agent_runs_mcp.providers.client import RetryPolicy
from agent_runs_mcp.providers.platforms import PLATFORMS
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.simulator.faults import Faults, Rule
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World
from tests.conftest import (
    LiveServer,
    accounts_for,
    call,
    call_error,
    free_port,
    mcp_client,
    start_simulator,
    wait_until_up,
)

pytestmark = pytest.mark.anyio

MB = 1024 * 1024


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    """Reset the kernel's peak-RSS mark (Linux: writing 5 to clear_refs)."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


class HugePage(httpx.AsyncByteStream):
    """A JSON page of ``total`` bytes (1 MB strings), produced chunk by chunk as it is read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"data": ['
        self.sent = 10
        while self.sent < self.total:
            chunk = b'"' + b"x" * (MB - 4) + b'",'
            self.sent += len(chunk)
            yield chunk
        yield b'"end"], "pagination": {"hasMore": false}}'


def registry_answering(stream: HugePage, headers: dict[str, str] | None = None, cap_mb: float = 4) -> Registry:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "application/json", **(headers or {})}, stream=stream)

    accounts = accounts_for("http://runtype.test", runtype={"max_body_mb": cap_mb})
    return Registry(
        Settings(accounts=accounts, cache_enabled=False),
        transport=httpx.MockTransport(answer),
        retry=RetryPolicy(attempts=3, base_wait_s=0.01, max_wait_s=0.02),
    )


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="peak RSS is read from Linux /proc")
async def test_a_page_over_the_cap_is_refused_and_memory_stays_bounded() -> None:
    page = HugePage(200 * MB)  # what a hostile or broken provider might send: 200 MB in one page
    registry = registry_answering(page)
    _reset_peak()
    before = _status_kb("VmHWM")
    try:
        with pytest.raises(BadResponseError) as caught:
            await registry.get("runtype").agents_page(None, None)
    finally:
        await registry.aclose()
    grown_mb = (_status_kb("VmHWM") - before) / 1024
    text = str(caught.value)
    assert "Runtype" in text and "more than 4.0 MB" in text and "AGENT_RUNS_MAX_BODY_MB" in text
    assert page.sent < 8 * MB, "reading stopped soon after the cap, not at the end of the page"
    assert grown_mb < 40, f"peak RSS grew {grown_mb:.0f} MB for a 200 MB page under a 4 MB cap"


async def test_an_announced_length_over_the_cap_is_refused_unread() -> None:
    page = HugePage(64 * MB)
    registry = registry_answering(page, headers={"Content-Length": str(64 * MB)})
    try:
        with pytest.raises(BadResponseError) as caught:
            await registry.get("runtype").agents_page(None, None)
    finally:
        await registry.aclose()
    assert "announced 64.0 MB" in str(caught.value)
    assert page.sent == 0
    assert "Tried" not in str(caught.value)  # not worth retrying


async def test_a_page_under_the_cap_reads_normally() -> None:
    registry = registry_answering(HugePage(3 * MB), cap_mb=4)
    try:
        page = await registry.get("runtype").agents_page(None, None)
    finally:
        await registry.aclose()
    assert page.items == []  # strings are not agents; what matters is that 3 MB went through


@pytest.fixture
def seeded_faults(sim: LiveServer) -> Faults:
    sim.faults.rng = random.Random(23)
    yield sim.faults
    sim.faults.rules = []


async def test_truncated_and_empty_200s_at_a_fault_rate_are_absorbed(sim: LiveServer, seeded_faults: Faults) -> None:
    """20% of every provider answer cut off or empty: reports and listings still come back."""
    seeded_faults.rules = [
        Rule(match="/", fault="truncated_json", rate=0.1),
        Rule(match="/", fault="empty_body", rate=0.1),
    ]
    settings = Settings(accounts=accounts_for(sim.url), cache_enabled=False)
    policy = RetryPolicy(attempts=5, base_wait_s=0.005, max_wait_s=0.02, deadline_s=10)
    async with mcp_client(settings, retry=policy) as client:
        for provider in ("unpod", "runtype", "modus"):
            agents = (await call(client, "list_agents", provider=provider)).structured_content["agents"]
            runs = await call(
                client, "list_agent_executions", provider=provider, agent=agents[0]["id"], limit=5, detail="full"
            )
            for run in runs.structured_content["executions"][:2]:
                await call(client, "summarize_run_health", ref=run["ref"])
    hits = sum(rule.hits for rule in seeded_faults.rules)
    assert hits >= 5, f"the faults hit only {hits} times: the test did not exercise retries"


async def test_a_persistently_truncated_answer_still_names_the_provider(client, faults: Faults) -> None:
    faults.rules = [Rule(match="/v1/agents", fault="truncated_json")]
    text = await call_error(client, "list_agents", provider="runtype")
    assert "Runtype" in text and "truncated or malformed JSON" in text and "Tried 3 times" in text


@pytest.mark.parametrize(("provider", "route"), [("runtype", "/v1/agents"), ("modus", "/api/v1/workflows")])
async def test_a_206_is_never_an_empty_success(client, faults: Faults, provider: str, route: str) -> None:
    faults.rules = [Rule(match=route, fault="206")]
    text = await call_error(client, "list_agents", provider=provider)
    assert "206" in text and "Partial Content" in text and provider.capitalize() in text


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="the server's peak RSS is read from Linux /proc")
def test_the_servers_peak_rss_stays_bounded_under_a_page_over_the_cap() -> None:
    """The red team's case end to end: a provider page of 120 MB, the server in its own process with an
    8 MB cap; its peak RSS (VmHWM) is read from /proc before and after the tool call."""
    sim = start_simulator(World(seed=7), Faults([Rule(match="/v1/agents", fault="huge_200", size_mb=120)]))
    port = free_port()
    env = {**os.environ, "AGENT_RUNS_MAX_BODY_MB": "8", "AGENT_RUNS_CACHE": "0"}
    for name in ("AGENT_RUNS_DEMO", "AGENT_RUNS_CONFIG", "AGENT_RUNS_REDIS_URL", "AGENT_RUNS_HTTP_TOKEN"):
        env.pop(name, None)
    platform = PLATFORMS["runtype"]
    env[platform.base_url_variable] = sim.url
    env[platform.token_variable] = DEMO_CREDENTIALS["runtype"]["token"]
    server = subprocess.Popen(
        [sys.executable, "-m", "agent_runs_mcp", "serve", "--transport=http", f"--port={port}", "--log-level=warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        before = _peak_of(server.pid)
        is_error, text = anyio.run(_list_runtype_agents, url + "/mcp")
        grown = _peak_of(server.pid) - before
    finally:
        server.terminate()
        server.wait(timeout=30)
        sim.stop()
    assert is_error and "Runtype" in text and "more than 8.0 MB" in text, text
    assert grown < 48, f"the server's peak RSS grew {grown:.0f} MB for a 120 MB page under an 8 MB cap"


async def _list_runtype_agents(url: str) -> tuple[bool, str]:
    http = httpx2.AsyncClient(timeout=60)
    async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:
        res = await client.call_tool("list_agents", {"provider": "runtype"})
    return bool(res.is_error), res.content[0].text if res.content else ""


def _peak_of(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
