"""The HTTP edge under hostile requests (issue 23, item 5): parse failures, probes, access logs."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from pydantic import SecretStr

from agent_runs_mcp.config import Settings
from agent_runs_mcp.server.probes import host_allowed
from tests.conftest import accounts_for, free_port
from tests.test_http import INIT, MCP_HEADERS, TOKEN, demo_settings, http_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("accept", ["application/json, text/event-stream", "text/event-stream, application/json"])
def test_deeply_nested_json_is_a_400_on_the_progress_path_too(depth: int, accept: str) -> None:
    nested = '{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ' + "[" * depth + "]" * depth + "}"
    with http_server(demo_settings(http_tokens=(SecretStr(TOKEN),))) as url:
        res = httpx.post(
            url + "/mcp", content=nested, headers={**AUTH, "Content-Type": "application/json", "Accept": accept}
        )
        assert res.status_code == 400, res.text[:300]
        assert "Traceback" not in res.text and len(res.text) < 2000
        assert httpx.post(url + "/mcp", json=INIT, headers={**MCP_HEADERS, **AUTH}).status_code == 200


def test_readyz_without_a_token_says_only_the_status(sim) -> None:
    settings = Settings(accounts=accounts_for(sim.url), http_tokens=(SecretStr(TOKEN),))
    with http_server(settings) as url:
        for params in ({}, {"check": "providers"}):
            bare = httpx.get(url + "/readyz", params=params)
            assert bare.status_code == 200 and bare.json() == {"status": "ready"}, bare.text
            wrong = httpx.get(url + "/readyz", params=params, headers={"Authorization": "Bearer nope"})
            assert wrong.json() == {"status": "ready"}
        full = httpx.get(url + "/readyz", params={"check": "providers"}, headers=AUTH).json()
        assert full["accounts"] == ["modus", "runtype", "unpod"] and full["providers"]["unpod"]["ok"]


def test_readyz_details_stay_open_on_a_server_without_auth(sim) -> None:
    with http_server(Settings(accounts=accounts_for(sim.url))) as url:
        assert httpx.get(url + "/readyz").json()["accounts"] == ["modus", "runtype", "unpod"]


def test_provider_checks_and_metrics_refuse_a_foreign_host(sim) -> None:
    settings = Settings(accounts=accounts_for(sim.url), http_tokens=(SecretStr(TOKEN),))
    with http_server(settings) as url:
        rebinding = {**AUTH, "Host": "evil.example"}
        assert httpx.get(url + "/readyz", params={"check": "providers"}, headers=rebinding).status_code == 421
        assert httpx.get(url + "/metrics", headers=rebinding).status_code == 421
        assert httpx.get(url + "/readyz", headers={"Host": "evil.example"}).status_code == 200  # bare probe
        pod_ip = {**AUTH, "Host": "10.1.2.3:8765"}  # how kubelet and Prometheus address a pod
        assert httpx.get(url + "/metrics", headers=pod_ip).status_code == 200


def test_metrics_need_a_server_token_when_the_server_has_auth() -> None:
    with http_server(demo_settings(http_tokens=(SecretStr(TOKEN),))) as url:
        assert httpx.get(url + "/metrics").status_code == 401
        assert httpx.get(url + "/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert "agent_runs" in httpx.get(url + "/metrics", headers=AUTH).text
    with http_server(demo_settings()) as url:  # loopback without auth: open, as before
        assert httpx.get(url + "/metrics").status_code == 200


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1:8765", True),
        ("localhost:1", True),
        ("10.0.0.7:8765", True),
        ("[fd00::1]:8765", True),
        ("evil.example", False),
        ("evil.example:8765", False),
        ("127.0.0.1.evil.example", False),
        ("", False),
    ],
)
def test_host_rule(host: str, ok: bool) -> None:
    assert host_allowed(host, ["127.0.0.1:*", "localhost:*", "[::1]:*"]) is ok


@pytest.mark.parametrize("level", ["info", "debug"])
def test_a_token_in_the_query_string_never_reaches_the_log(level: str) -> None:
    port = free_port()
    env = {**os.environ, "AGENT_RUNS_HTTP_TOKEN": TOKEN}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agent_runs_mcp",
            "serve",
            "--transport",
            "http",
            "--demo",
            "--port",
            str(port),
            "--log-level",
            level,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        for path in ("/healthz", "/readyz", "/mcp"):
            httpx.get(url + path, params={"access_token": "leaky-secret-42"})
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
    log = err.decode()
    assert "leaky-secret-42" not in log
    if level == "debug":
        assert "GET /healthz HTTP" in log  # the access log is there, without its query string
    else:
        assert "GET /healthz" not in log
