"""The HTTP transport: a real uvicorn server driven by the SDK's streamable HTTP client."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from agent_runs_mcp.config import Settings
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.server.http import check_bind, create_http_app
from tests.conftest import accounts_for, call, free_port

TOKEN = "http-secret-token-1"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@contextmanager
def http_server(settings: Settings, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Our HTTP app on a free loopback port (uvicorn in a thread); yields its base URL."""
    port = port or free_port()
    app = create_http_app(settings, host=host, port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def demo_settings(**extra: Any) -> Settings:
    base = load_settings({}, demo=True)
    return base.model_copy(update=extra)


def mcp(url: str, token: str | None = TOKEN, mode: str = "legacy") -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    return Client(streamable_http_client(url + "/mcp", http_client=http), mode=mode)  # type: ignore[arg-type]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_tools_over_streamable_http_with_a_token(mode: str) -> None:
    with http_server(demo_settings(http_tokens=(SecretStr("other"), SecretStr(TOKEN)))) as url:
        async with mcp(url, mode=mode) as client:
            res = await call(client, "list_agents", provider="modus")
            assert len(res.structured_content["agents"]) == 3


def test_requests_without_or_with_a_wrong_token_get_401() -> None:
    with http_server(demo_settings(http_tokens=(SecretStr(TOKEN),))) as url:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
            res = httpx.post(url + "/mcp", json=INIT, headers={**MCP_HEADERS, **headers})
            assert res.status_code == 401
            assert res.headers["www-authenticate"].startswith("Bearer")
            assert TOKEN not in res.text
        ok = httpx.post(url + "/mcp", json=INIT, headers={**MCP_HEADERS, "Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and ok.json()["result"]["serverInfo"]["name"] == "agent-runs-mcp"
        assert httpx.get(url + "/healthz").json()["status"] == "ok"  # no token needed for liveness
        sse = httpx.get(url + "/sse")
        assert sse.status_code == 401


def test_a_refused_token_says_so_everywhere_a_client_looks() -> None:
    """401s carry an RFC 6750 challenge and a body saying what is wrong; no OAuth metadata points anywhere,
    and the OAuth discovery and registration requests bridges make after a 401 get the same message."""
    with http_server(demo_settings(http_tokens=(SecretStr(TOKEN),))) as url:
        missing = httpx.post(url + "/mcp", json=INIT, headers=MCP_HEADERS)
        wrong = httpx.post(url + "/mcp", json=INIT, headers={**MCP_HEADERS, "Authorization": "Bearer nope"})
        for res, words in ((missing, "No bearer token was sent"), (wrong, "bearer token sent was refused")):
            challenge = res.headers["www-authenticate"]
            assert res.status_code == 401 and challenge.startswith('Bearer realm="agent-runs-mcp"')
            assert 'error="invalid_token"' in challenge and words in challenge and "resource_metadata" not in challenge
            assert res.json()["error"] == "invalid_token" and words in res.json()["error_description"]
        for path in (
            "/.well-known/oauth-protected-resource/mcp",
            "/.well-known/oauth-authorization-server",
            "/register",
        ):
            res = httpx.post(url + path, headers={"Authorization": "Bearer nope"}, json={})
            assert res.status_code == 404 and "bearer token sent was refused" in res.json()["error_description"]


@pytest.mark.anyio
async def test_without_tokens_loopback_needs_none() -> None:
    with http_server(demo_settings()) as url:
        async with mcp(url, token=None) as client:
            await call(client, "list_providers")


def test_foreign_host_and_origin_are_refused() -> None:
    with http_server(demo_settings(http_tokens=(SecretStr(TOKEN),))) as url:
        auth = {**MCP_HEADERS, "Authorization": f"Bearer {TOKEN}"}
        assert httpx.post(url + "/mcp", json=INIT, headers={**auth, "Host": "evil.example"}).status_code == 421
        assert httpx.post(url + "/mcp", json=INIT, headers={**auth, "Origin": "http://evil.example"}).status_code == 403
        good = httpx.post(url + "/mcp", json=INIT, headers={**auth, "Origin": "http://localhost:3000"})
        assert good.status_code == 200


def test_readyz_reports_accounts_and_provider_checks(sim) -> None:
    with http_server(Settings(accounts=accounts_for(sim.url, modus={"token": "wrong-secret-123"}))) as url:
        assert httpx.get(url + "/readyz").json()["accounts"] == ["modus", "runtype", "unpod"]
        checked = httpx.get(url + "/readyz", params={"check": "providers"})
        body = checked.json()
        assert checked.status_code == 503 and body["status"] == "degraded"
        assert body["providers"]["unpod"]["ok"] and not body["providers"]["modus"]["ok"]
        assert "401" in body["providers"]["modus"]["detail"] and "wrong-secret-123" not in checked.text
    with http_server(Settings()) as url:
        assert httpx.get(url + "/readyz").status_code == 503


class RoundRobin(httpx2.AsyncBaseTransport):
    """Sends each request of one client to the next server in turn, like a load balancer."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.next = 0
        self.inner = httpx2.AsyncHTTPTransport()
        self.sent: list[int] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        port = self.ports[self.next % len(self.ports)]
        self.next += 1
        self.sent.append(port)
        request.url = request.url.copy_with(port=port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.anyio
async def test_two_replicas_sharing_nothing_serve_one_client(sim, world) -> None:
    settings = Settings(accounts=accounts_for(sim.url), http_tokens=(SecretStr(TOKEN),))
    with http_server(settings) as first, http_server(settings) as second:
        ports = [int(first.rsplit(":", 1)[1]), int(second.rsplit(":", 1)[1])]
        balancer = RoundRobin(ports)
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, transport=balancer, timeout=30)
        async with Client(streamable_http_client(first + "/mcp", http_client=http), mode="legacy") as client:
            agent = world.unpod_agents[0]
            seen: list[str] = []
            cursor = None
            while True:
                args = {
                    "provider": "unpod",
                    "agent": agent.handle,
                    "limit": 3,
                    "detail": "full",
                    **({"cursor": cursor} if cursor else {}),
                }
                res = await call(client, "list_agent_executions", **args)
                seen += [r["run_id"] for r in res.structured_content["executions"]]
                cursor = res.structured_content.get("next_cursor")
                if not cursor:
                    break
            assert seen == [r.run_id for r in world.unpod_runs if r.agent.handle == agent.handle]
            run_ref = next(r["ref"] for r in res.structured_content["executions"] if r["status"] == "completed")
            tasks = await call(client, "get_run_tasks", ref=run_ref, status="completed", limit=2, detail="full")
            transcript = await call(client, "get_call_transcript", ref=tasks.structured_content["tasks"][0]["ref"])
            assert transcript.structured_content["turns"]
        assert set(balancer.sent) == set(ports)  # both replicas answered


def test_public_bind_without_token_is_refused() -> None:
    problem = check_bind("0.0.0.0", demo_settings(), allow_unauthenticated=False)
    assert problem and "AGENT_RUNS_HTTP_TOKEN" in problem
    assert check_bind("0.0.0.0", demo_settings(http_tokens=(SecretStr(TOKEN),)), False) is None
    assert check_bind("127.0.0.1", demo_settings(), False) is None
    assert check_bind("0.0.0.0", demo_settings(), allow_unauthenticated=True) is None
    done = subprocess.run(
        [sys.executable, "-m", "agent_runs_mcp", "serve", "--transport", "http", "--host", "0.0.0.0", "--demo"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2 and "AGENT_RUNS_HTTP_TOKEN" in done.stderr


@pytest.mark.anyio
async def test_sse_serves_older_clients() -> None:
    from mcp.client.sse import sse_client

    with http_server(demo_settings()) as url:
        async with Client(sse_client(url + "/sse"), mode="legacy") as client:  # type: ignore[arg-type]
            res = await call(client, "list_agents", provider="modus")
            assert len(res.structured_content["agents"]) == 3


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_progress_reaches_clients_over_streamable_http(mode: str) -> None:
    """A call with a progressToken is answered as a stream: progress during the scan, then the result."""
    from agent_runs_mcp.refs import make_ref
    from agent_runs_mcp.simulator.pacing import Pacing
    from agent_runs_mcp.simulator.world import World
    from tests.conftest import accounts_for, start_simulator

    live = start_simulator(World(seed=7, big_run_tasks=8000), pacing=Pacing(latency_ms=40))
    try:
        run = next(r for r in live.world.unpod_runs if r.n_tasks == 8000)
        settings = Settings(accounts=accounts_for(live.url), http_tokens=(SecretStr(TOKEN),), cache_enabled=False)
        seen: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append(progress)

        with http_server(settings) as url:
            async with mcp(url, mode=mode) as client:
                ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
                res = await client.call_tool("summarize_run_health", {"ref": ref}, progress_callback=on_progress)
                plain = await client.call_tool("list_providers", {})
            headers = {**MCP_HEADERS, "Authorization": f"Bearer {TOKEN}", "MCP-Protocol-Version": "2025-11-25"}
            call_body = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_providers"}}
            with_token = {**call_body, "params": {**call_body["params"], "_meta": {"progressToken": "p1"}}}
            async with httpx2.AsyncClient(timeout=30) as raw:
                answers = [await raw.post(url + "/mcp", json=b, headers=headers) for b in (call_body, with_token)]
    finally:
        live.stop()
    assert not res.is_error and res.structured_content["scanned"] == 8000
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == 8000  # through the scan, not once
    assert not plain.is_error
    assert answers[0].headers["content-type"].startswith("application/json")
    assert answers[1].headers["content-type"].startswith("text/event-stream")
    assert '"result"' in answers[1].text
