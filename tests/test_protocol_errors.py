"""Protocol errors exactly as the MCP spec gives them, read as raw JSON-RPC objects over stdio."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any
from urllib.parse import quote

from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.world import World

INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
}


def stdio_lines(lines: list[str], answers: int) -> list[dict[str, Any]]:
    """Send raw lines to `agent-runs-mcp serve --demo` over stdio; read ``answers`` replies (or up to EOF)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_runs_mcp", "serve", "--demo", "--log-level", "warning"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("".join(line + "\n" for line in lines))
    proc.stdin.flush()
    replies = []
    while len(replies) < answers:
        line = proc.stdout.readline()
        if not line:
            break
        replies.append(json.loads(line))
    proc.stdin.close()
    proc.wait(timeout=30)
    return replies


def exchange(requests: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Initialize, then send raw request frames; the replies by request id."""
    frames = [INIT, {"jsonrpc": "2.0", "method": "notifications/initialized"}, *requests]
    replies = stdio_lines([json.dumps(f) for f in frames], answers=len(requests) + 1)
    return {reply.get("id"): reply for reply in replies}


def request(rid: int, method: str, **params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}


def test_protocol_errors_carry_the_spec_codes() -> None:
    world = World()
    run = next(r for r in world.unpod_runs if r.phase == "done")
    rt = next(e for e in world.runtype_executions if e["status"] == "completed" and e["parentExecutionId"] is None)
    unpod_run = make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)
    runtype_run = make_ref("runtype", "run", r=rt["id"], a=rt["agentId"])
    missing_task = make_ref("unpod", "task", t="Tnothere", r=run.run_id, s=run.space)
    replies = exchange(
        [
            request(1, "tools/call", name="no_such_tool", arguments={}),
            request(2, "prompts/get", name="no_such_prompt", arguments={}),
            request(3, "prompts/get", name="triage_run", arguments={"provider": "unpod"}),
            request(4, "resources/read", uri="agent-runs://transcript/" + quote(missing_task, safe="")),
            request(5, "resources/read", uri="agent-runs://transcript/" + quote(runtype_run, safe="")),
            request(6, "resources/read", uri="agent-runs://transcript/" + runtype_run),  # raw, not encoded
            request(7, "resources/read", uri="agent-runs://transcript/" + quote(unpod_run, safe="")),
            request(8, "resources/read", uri="agent-runs://transcript/nonsense"),
            request(9, "tools/list", cursor="bogus"),
            request(10, "prompts/list", cursor="bogus"),
            request(11, "resources/list", cursor="bogus"),
            request(12, "resources/templates/list", cursor="bogus"),
            request(13, "tools/list"),
        ]
    )
    code = {rid: reply.get("error", {}).get("code") for rid, reply in replies.items()}
    assert code[1] == -32602 and "Unknown tool" in replies[1]["error"]["message"]
    assert code[2] == -32602 and "Unknown prompt" in replies[2]["error"]["message"]
    assert code[3] == -32602 and "run" in replies[3]["error"]["message"]
    assert code[4] == -32002 and "Tnothere" in replies[4]["error"]["message"]
    assert "result" in replies[5] and replies[5]["result"]["contents"][0]["text"].startswith("runtype call")
    assert "result" in replies[6]  # the ref as results give it in `ref`, unencoded
    assert code[7] == -32002 and "one task" in replies[7]["error"]["message"]
    assert code[8] == -32002 and "`ref`" in replies[8]["error"]["message"]
    assert code[9] == code[10] == code[11] == code[12] == -32602
    assert len(replies[13]["result"]["tools"]) >= 6
