"""Shared fixtures: the simulator over real HTTP on a free loopback port, settings and MCP clients."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from mcp import Client

from agent_runs_mcp.config import Account, Settings
from agent_runs_mcp.providers.client import RetryPolicy
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.server.app import build_server
from agent_runs_mcp.server.demo_wiring import transport_for
from agent_runs_mcp.simulator.app import create_app
from agent_runs_mcp.simulator.faults import Faults
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World

FAST_RETRY = RetryPolicy(attempts=3, base_wait_s=0.01, max_wait_s=0.05, max_retry_after_s=2, deadline_s=5)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(
    url: str, proc: subprocess.Popen[bytes], why: Callable[[], str] = lambda: "server did not start"
) -> None:
    """Poll ``url``/healthz until it answers 200 (30 s at most); fail with ``why()`` if the process dies first."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, why()
        time.sleep(0.1)


@dataclass
class LiveServer:
    url: str
    world: World
    faults: Faults
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_simulator(world: World, faults: Faults | None = None, **app_options: Any) -> LiveServer:
    """The simulator on a free loopback port, served by uvicorn in a background thread."""
    faults = faults or Faults()
    port = free_port()
    app = create_app(world, faults, **app_options)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:  # pragma: no cover
            raise RuntimeError("simulator did not start")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", world, faults, server, thread)


@pytest.fixture(scope="session")
def world() -> World:
    return World(seed=7)


@pytest.fixture(scope="session")
def sim(world: World) -> Iterator[LiveServer]:
    live = start_simulator(world)
    yield live
    live.stop()


@pytest.fixture
def faults(sim: LiveServer) -> Iterator[Faults]:
    """The running simulator's fault rules, cleared after each test."""
    yield sim.faults
    sim.faults.rules = []


def accounts_for(url: str, **overrides: Any) -> dict[str, Account]:
    """Real (non-demo) accounts pointing at ``url`` with the simulator's credentials."""
    creds = DEMO_CREDENTIALS
    base: dict[str, dict[str, Any]] = {
        "unpod": {"token": creds["unpod"]["token"], "org_handle": creds["unpod"]["org_handle"]},
        "runtype": {"token": creds["runtype"]["token"]},
        "modus": {"token": creds["modus"]["token"]},
    }
    accounts = {}
    for kind, values in base.items():
        data = {"name": kind, "kind": kind, "base_url": url, **values, **overrides.get(kind, {})}
        accounts[kind] = Account.model_validate(data)
    return accounts


@pytest.fixture
def settings(sim: LiveServer) -> Settings:
    return Settings(accounts=accounts_for(sim.url), cache_enabled=False)


@pytest.fixture
async def registry(settings: Settings) -> AsyncIterator[Registry]:
    reg = Registry(settings, retry=FAST_RETRY)
    yield reg
    await reg.aclose()


@contextlib.asynccontextmanager
async def mcp_client(settings: Settings, mode: str = "auto", **registry_kwargs: Any) -> AsyncIterator[Client]:
    registry_kwargs.setdefault("transport", transport_for(settings))
    registry = Registry(settings, retry=registry_kwargs.pop("retry", FAST_RETRY), **registry_kwargs)
    server = build_server(settings, registry)
    try:
        async with Client(server, mode=mode) as client:  # type: ignore[arg-type]
            yield client
    finally:
        await registry.aclose()


@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Client]:
    """An in-memory MCP client on both protocol generations (2026-07-28 and 2025-11-25)."""
    async with mcp_client(settings, request.param) as c:
        yield c


@pytest.fixture
async def demo_client() -> AsyncIterator[Client]:
    from agent_runs_mcp.server.demo_wiring import load_settings

    settings = load_settings({}, demo=True)
    async with mcp_client(settings) as c:
        yield c


OUTPUTS: list[str] = []
"""Every tool output of the session (text and structured), scanned for secrets at the end."""

SECRETS = [c["token"] for c in DEMO_CREDENTIALS.values()] + ["wrong-secret-123", "http-secret-token-1"]


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_output() -> Iterator[None]:
    yield
    leaked = [(secret, out[:200]) for out in OUTPUTS for secret in SECRETS if secret in out]
    assert not leaked, f"secrets leaked into tool outputs: {leaked[:3]}"


def _record(res: Any) -> str:
    text = "\n".join(getattr(b, "text", "") for b in res.content)
    OUTPUTS.append(text)
    if res.structured_content is not None:
        OUTPUTS.append(json.dumps(res.structured_content))
    return text


async def call(client: Client, name: str, **args: Any) -> Any:
    """Call a tool and fail with its text if it errored."""
    res = await client.call_tool(name, args)
    text = _record(res)
    assert not res.is_error, f"{name}({args}) failed: {text}"
    return res


async def call_error(client: Client, name: str, **args: Any) -> str:
    """Call a tool that must fail, and return its error text."""
    res = await client.call_tool(name, args)
    text = _record(res)
    assert res.is_error, f"{name}({args}) should have failed but returned: {text[:300]}"
    return text


def raw_get(url: str, path: str, headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
    return httpx.get(url + path, headers=headers or {}, params=params, follow_redirects=False)


def turns_of(transcript: dict[str, Any]) -> list[dict[str, Any]]:
    """A transcript result's turn rows as dicts (``columns`` names each row's values; a row may end early)."""
    columns = transcript.get("columns", [])
    assert all(len(row) <= len(columns) for row in transcript["turns"])
    return [{k: v for k, v in zip(columns, row, strict=False) if v is not None} for row in transcript["turns"]]


def executions_of(structured: dict[str, Any]) -> list[dict[str, Any]]:
    """A listing's executions as a reader takes them: each with the `item_defaults` it leaves out."""
    defaults = structured.get("item_defaults", {})
    return [{**defaults, **item} for item in structured["executions"]]


def tasks_of(structured: dict[str, Any]) -> list[dict[str, Any]]:
    """A task listing's tasks as a reader takes them: each with the `item_defaults` it leaves out."""
    defaults = structured.get("item_defaults", {})
    return [{**defaults, **item} for item in structured["tasks"]]
