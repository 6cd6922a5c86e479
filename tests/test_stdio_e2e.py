"""End to end over stdio: spawn `agent-runs-mcp serve` exactly as an MCP host does and call every tool."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters, stdio_client

from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS
from tests.conftest import LiveServer, call, executions_of, tasks_of, turns_of

pytestmark = pytest.mark.anyio


def server_command() -> tuple[str, list[str]]:
    script = Path(sys.executable).parent / "agent-runs-mcp"
    if script.exists():
        return str(script), []
    found = shutil.which("agent-runs-mcp")
    return (found, []) if found else (sys.executable, ["-m", "agent_runs_mcp"])


async def tour(client: Client) -> None:
    """Call every tool once, following each result's `next` with its ids, as an assistant would; then refs."""
    providers = await call(client, "list_providers")
    assert {p["name"] for p in providers.structured_content["providers"]} == {"unpod", "runtype", "modus"}
    agents = await call(client, "list_agents", provider="unpod")
    agent = agents.structured_content["agents"][0]["id"]
    runs = await call(client, "list_agent_executions", provider="unpod", agent=agent)
    assert "run_id=<run_id>" in runs.structured_content["next"][0]
    run = next(r for r in executions_of(runs.structured_content) if r["status"] == "completed")
    tasks = await call(client, "get_run_tasks", provider="unpod", agent=agent, run_id=run["run_id"], status="completed")
    data = tasks.structured_content
    task = next(t for t in tasks_of(data) if t.get("has_transcript"))
    assert "task_id=<task_id>" in data["next"][0]
    where = {"space": data["space"]} if data.get("space") else {"agent": data["agent"]}  # as `next` spells it
    args = {"provider": "unpod", "run_id": data["run_id"], **where, "task_id": task["task_id"]}
    transcript = await call(client, "get_call_transcript", **args)
    assert turns_of(transcript.structured_content)[0]["speaker"] in ("agent", "customer")
    health = await call(client, "summarize_run_health", provider="unpod", agent=agent, run_id=run["run_id"])
    assert health.structured_content["scanned"] == run["tasks_total"]
    for provider in ("runtype", "modus"):
        agents = await call(client, "list_agents", provider=provider)
        agent = agents.structured_content["agents"][0]["id"]
        await call(client, "summarize_run_health", provider=provider, agent=agent, since="7d")
        runs = await call(client, "list_agent_executions", provider=provider, agent=agent, limit=2, detail="full")
        ref = runs.structured_content["executions"][-1]["ref"]
        await call(client, "get_run_tasks", ref=ref)
        await call(client, "get_call_transcript", ref=ref)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_demo_server_over_stdio(mode: str) -> None:
    command, args = server_command()
    params = StdioServerParameters(command=command, args=[*args, "serve", "--demo"])
    async with Client(params, mode=mode) as client:  # type: ignore[arg-type]
        await tour(client)


async def test_real_accounts_from_documented_variables(sim: LiveServer, tmp_path: Path) -> None:
    """Configured only through the documented environment variables, against the simulator over HTTP."""
    command, args = server_command()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("UNPOD_", "RUNTYPE_", "MODUS_", "AGENT_RUNS_"))},
        "UNPOD_API_TOKEN": DEMO_CREDENTIALS["unpod"]["token"],
        "UNPOD_ORG_HANDLE": DEMO_CREDENTIALS["unpod"]["org_handle"],
        "UNPOD_BASE_URL": sim.url,
        "RUNTYPE_API_KEY": DEMO_CREDENTIALS["runtype"]["token"],
        "RUNTYPE_BASE_URL": sim.url,
        "MODUS_API_KEY": DEMO_CREDENTIALS["modus"]["token"],
        "MODUS_BASE_URL": sim.url,
        "MODUS_RESOURCE": "workflows",
    }
    errlog = tmp_path / "stderr.log"
    params = StdioServerParameters(command=command, args=[*args, "serve", "--log-level", "debug"], env=env)
    with errlog.open("w") as stderr:
        async with Client(stdio_client(params, errlog=stderr), mode="legacy") as client:  # type: ignore[arg-type]
            res = await call(client, "list_providers")
            assert {p["base_url"] for p in res.structured_content["providers"]} == {sim.url}
            assert not any(p["demo"] for p in res.structured_content["providers"])
            await tour(client)
    logged = errlog.read_text()
    assert "tool=get_call_transcript" in logged and "GET /api/v1/workflows" in logged  # it did log, to stderr
    for secret in (c["token"] for c in DEMO_CREDENTIALS.values()):
        assert secret not in logged


def test_malformed_frames_get_json_rpc_errors() -> None:
    """Invalid JSON -> -32700 (id null); JSON that is not a JSON-RPC message -> -32600 with its id."""
    from tests.test_protocol_errors import INIT, stdio_lines

    frames = [
        json.dumps(INIT),
        "{not json}",
        '{"jsonrpc":"2.0","id":2,"method":"tools/list","params":[]}',
        '{"id":3,"method":"tools/list"}',
        '{"jsonrpc":"2.0","id":5,"method":"ping","params":{"x":"\\ud800"}}',
        '{"jsonrpc":"2.0","id":4,"method":"ping"}',
    ]
    replies = stdio_lines(frames, answers=len(frames))
    by_id = {r.get("id"): r for r in replies}
    errors = [r["error"]["code"] for r in replies if "error" in r]
    assert errors.count(-32700) == 2 and by_id[2]["error"]["code"] == -32600 and by_id[3]["error"]["code"] == -32600
    assert by_id[4]["result"] == {} and "result" in by_id[0]
