"""`agent-runs-mcp demo`: a newcomer's first look.

Starts ``agent-runs-mcp serve --demo`` as a subprocess, talks to it over stdio
exactly as Claude Desktop would, calls every tool in the order an assistant
would, and prints what each one returns.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
from typing import Any

WIDTH = 100


def _print_result(title: str, args: dict[str, Any], res: Any, show_json: bool) -> None:
    shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in args.items() if k != "ref") + (
        ", ref=<from the previous result>" if "ref" in args else ""
    )
    print(f"\n=== {title}({shown})" + ("  [tool error]" if res.is_error else ""))
    for block in res.content:
        text = getattr(block, "text", "")
        for line in text.splitlines():
            print(textwrap.fill(line, WIDTH + 20, subsequent_indent="    ") if len(line) > WIDTH + 20 else line)
    if show_json and res.structured_content is not None:
        print(json.dumps(res.structured_content, indent=2)[:4000])


async def _tour(show_json: bool) -> None:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "agent_runs_mcp", "serve", "--demo", "--log-level", "warning"],
    )
    started = time.monotonic()
    async with Client(params) as client:
        tools = await client.list_tools()
        print(
            f"Connected to agent-runs-mcp over stdio in {time.monotonic() - started:.2f}s; "
            f"{len(tools.tools)} tools: {', '.join(t.name for t in tools.tools)}"
        )

        async def call(name: str, **args: Any) -> Any:
            res = await client.call_tool(name, args)
            _print_result(name, args, res, show_json)
            return res

        await call("list_providers")
        await call("summarize_fleet_health", since="7d")  # which agents need attention, across every account

        # Unpod: an outbound calling campaign.
        agents = await call("list_agents", provider="unpod")
        agent = agents.structured_content["agents"][0]["id"]
        await call("summarize_run_health", provider="unpod", agent=agent, since="48h")
        runs = await call("list_agent_executions", provider="unpod", agent=agent, limit=5)
        shared = runs.structured_content.get("item_defaults", {})  # values most items share, said once
        listed = [{**shared, **r} for r in runs.structured_content["executions"]]
        finished = [r for r in listed if r["status"] == "completed"]
        run = {"provider": "unpod", "agent": agent, "run_id": finished[0]["run_id"]}  # as the result's `next` says
        await call("summarize_run_health", **run)
        await call("get_run_tasks", **run, status="failed", limit=5)
        tasks = await call("get_run_tasks", **run, status="completed", limit=5, detail="full")
        task = next(t for t in tasks.structured_content["tasks"] if t.get("has_transcript"))
        await call("get_call_transcript", ref=task["ref"], max_turns=12)  # detail="full" items carry refs
        await call("search_calls", provider="unpod", agent=agent, query="call back", since="7d", limit=3)

        # Runtype: LLM agent executions with tool calls.
        agents = await call("list_agents", provider="runtype")
        agent = agents.structured_content["agents"][0]["id"]
        await call("summarize_run_health", provider="runtype", agent=agent, since="7d")
        runs = await call("list_agent_executions", provider="runtype", agent=agent, status="failed", limit=3)
        run_id = runs.structured_content["executions"][0]["run_id"]
        await call("get_run_tasks", provider="runtype", agent=agent, run_id=run_id)
        await call("get_call_transcript", provider="runtype", agent=agent, call_id=run_id)

        # Modus: workflow runs with nodes and approvals.
        agents = await call("list_agents", provider="modus")
        agent = agents.structured_content["agents"][-1]["id"]
        await call("summarize_run_health", provider="modus", agent=agent, since="7d")
        runs = await call("list_agent_executions", provider="modus", agent=agent, limit=4)
        run_id = runs.structured_content["executions"][0]["run_id"]
        await call("get_run_tasks", provider="modus", agent=agent, run_id=run_id)
        await call("get_call_transcript", provider="modus", agent=agent, call_id=run_id)

        # What a mistake looks like.
        await call("list_agent_executions", provider="unpod", agent=agent, since="yesterday-ish")
    print(f"\nDemo finished in {time.monotonic() - started:.1f}s. Connect your assistant: see README.md.")


def run_demo(show_json: bool = False) -> int:
    import anyio

    try:
        anyio.run(_tour, show_json)
    except Exception as exc:  # the demo is a script for people: say what broke, briefly
        print(f"demo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
