"""Tokens a model reads: our text and structured results versus the provider's raw payload for the same data.

    .venv/bin/python bench/context_tokens.py

Counts with a real BPE tokenizer (the `tokenizer.json` that Anthropic's SDK shipped up to 0.38, read
with `tokenizers`; installed by the dev extra). Without it, falls back to our own estimate and says so.
Also prints how our run-time estimate compares with the real count on every output.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
from mcp import Client

from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.refs import make_ref, parse_ref
from agent_runs_mcp.server.app import build_server
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.simulator.app import create_app
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World
from agent_runs_mcp.tools.budget import estimate_tokens, real_token_counter

UNPOD_HEADERS = {
    "Authorization": f"Token {DEMO_CREDENTIALS['unpod']['token']}",
    "Org-Handle": DEMO_CREDENTIALS["unpod"]["org_handle"],
}
RUNTYPE_HEADERS = {"Authorization": f"Bearer {DEMO_CREDENTIALS['runtype']['token']}"}
MODUS_HEADERS = {"Authorization": f"Bearer {DEMO_CREDENTIALS['modus']['token']}"}


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def unpod_call_docs(world: World, call_ids: set[str]) -> list[dict[str, Any]]:
    """The simulator's raw task documents of the Unpod calls ``call_ids`` (each must be found)."""
    docs = [
        doc
        for run in world.unpod_runs
        for doc in world.unpod_tasks(run)
        if (doc["output"] or {}).get("call_id", (doc["output"] or {}).get("id")) in call_ids
    ]
    assert len(docs) == len(call_ids), "a listed call's raw document was not found"
    return docs


async def main() -> None:
    logging.disable(logging.INFO)
    count = real_token_counter()
    counter_name = "real BPE tokenizer (anthropic 0.38 tokenizer.json)" if count else "our estimate (no tokenizer)"
    tokens = count or estimate_tokens
    world = World(seed=7)
    app = create_app(world)
    settings = load_settings({}, demo=True)
    registry = Registry(settings, transport=httpx.ASGITransport(app=app))
    raw_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://simulator.demo")
    rows: list[tuple[str, str, int, int, int, int]] = []
    ratios: list[float] = []

    async with Client(build_server(settings, registry), mode="legacy") as client:

        async def measure(label: str, provider: str, tool: str, args: dict[str, Any], raw: Any, items: int) -> Any:
            res = await client.call_tool(tool, args)
            assert not res.is_error, res.content
            key = {"list_agents": "agents", "list_agent_executions": "executions", "get_run_tasks": "tasks"}.get(tool)
            if key is not None:
                listed = res.structured_content[key]
                if args.get("detail") == "stats":  # no items listed: the number added up
                    listed = [None] * res.structured_content["stats"]["tasks"]
                assert len(listed) == items, f"{label}: compared {items} raw items with {len(listed)} returned"
            text = "\n".join(b.text for b in res.content if getattr(b, "type", "") == "text")
            structured = compact(res.structured_content)
            raw_text = compact(raw)
            rows.append((label, provider, items, tokens(raw_text), tokens(text), tokens(structured)))
            if count:
                ratios.extend(estimate_tokens(t) / count(t) for t in (text, structured))
            return res

        # Unpod: the sales caller's executions, one run's tasks, one call, the run's health.
        agent = world.unpod_agents[0]
        raw = (await raw_http.get("/api/v2/platform/agents/", headers=UNPOD_HEADERS)).json()
        speech = (await raw_http.get("/api/v2/platform/speech/v1/agents", headers=UNPOD_HEADERS)).json()
        raw = [raw, speech]  # list_agents shows both planes
        items = len(raw[0]["data"]) + len(raw[1]["data"])
        await measure("list_agents", "unpod", "list_agents", {"provider": "unpod"}, raw, items)
        path = f"/api/v2/platform/agents/{agent.handle}/executions/"
        raw = (await raw_http.get(path, headers=UNPOD_HEADERS, params={"page_size": 20})).json()
        args = {"provider": "unpod", "agent": agent.handle}
        res = await measure("list_agent_executions", "unpod", "list_agent_executions", args, raw, len(raw["data"]))
        run = next(r for r in world.unpod_runs if r.agent == agent and r.phase == "done" and r.n_tasks > 60)
        assert any(e["run_id"] == run.run_id for e in res.structured_content["executions"])
        ref = make_ref("unpod", "run", r=run.run_id, a=agent.handle, s=run.space)
        path = f"/api/v2/platform/spaces/{run.space}/runs/{run.run_id}/tasks/"
        raw_page = (await raw_http.get(path, headers=UNPOD_HEADERS, params={"page_size": 50})).json()
        for detail in ("concise", "full"):
            args = {"ref": ref, "detail": detail}
            res = await call_and_keep(client, "get_run_tasks", args)
            kept = {t["task_id"] for t in res.structured_content["tasks"]}
            raw_tasks = [t for t in raw_page["data"] if t["task_id"] in kept]
            await measure(f"get_run_tasks ({detail})", "unpod", "get_run_tasks", args, raw_tasks, len(kept))
        # Across runs: the agent's failed calls of the last 7 days (raw: the agent task list's documents).
        raw_docs = {t["task_id"]: t for r in world.unpod_runs if r.agent == agent for t in world.unpod_tasks(r)}
        args = {"provider": "unpod", "agent": agent.handle, "since": "7d", "status": "failed"}
        kept = [t["task_id"] for t in (await call_and_keep(client, "get_run_tasks", args)).structured_content["tasks"]]
        await measure(
            "get_run_tasks (agent 7d)", "unpod", "get_run_tasks", args, [raw_docs[k] for k in kept], len(kept)
        )
        # The agent's week added up (detail="stats"; raw: every task document of the window it adds up)
        args = {"provider": "unpod", "agent": agent.handle, "since": "7d", "detail": "stats"}
        res = await call_and_keep(client, "get_run_tasks", args)
        since = datetime.fromisoformat(res.structured_content["filters"]["since"].replace("Z", "+00:00"))
        week = [t for t in raw_docs.values() if datetime.fromisoformat(t["created"]).replace(tzinfo=UTC) >= since]
        await measure("get_run_tasks (stats, agent 7d)", "unpod", "get_run_tasks", args, week, len(week))
        res = await call_and_keep(client, "get_run_tasks", {"ref": ref})
        shared = res.structured_content.get("item_defaults", {})  # values most tasks share, said once
        task = next(t for t in res.structured_content["tasks"] if {**shared, **t}.get("has_transcript"))
        raw_task = next(t for t in raw_page["data"] if t["task_id"] == task["task_id"])
        args = {"provider": "unpod", "run_id": run.run_id, "space": run.space, "task_id": task["task_id"]}
        await measure("get_call_transcript", "unpod", "get_call_transcript", args, raw_task, 1)
        all_pages = [raw_page]
        for page in range(2, run.n_tasks // 50 + 2):
            body = (await raw_http.get(path, headers=UNPOD_HEADERS, params={"page": page, "page_size": 50})).json()
            all_pages.append(body)
        await measure("summarize_run_health", "unpod", "summarize_run_health", {"ref": ref}, all_pages, run.n_tasks)

        # Search: one agent's calls that asked for a call back (raw: the task pages the search reads).
        args = {"provider": "unpod", "agent": agent.handle, "query": "call back", "since": "30d"}
        res = await call_and_keep(client, "search_calls", args)
        found = {parse_ref(m["ref"]).get("t") for m in res.structured_content["matches"]}
        raw_found = [
            t for r in world.unpod_runs if r.agent == agent for t in world.unpod_tasks(r) if t["task_id"] in found
        ]
        await measure("search_calls", "unpod", "search_calls", args, raw_found, len(found))

        # Unpod's speech plane: a speech agent's calls (with their sessions' cost), one call, its health.
        voice = world.speech_agents[1]["agent_id"]
        calls = (await raw_http.get("/api/v2/platform/speech/v1/calls", headers=UNPOD_HEADERS)).json()
        sessions = (await raw_http.get("/api/v2/platform/speech/v1/sessions", headers=UNPOD_HEADERS)).json()
        mine = [c for c in calls["data"] if c["agent_id"] == voice]
        own = {c["id"] for c in mine}
        raw = [mine, [s for s in sessions["data"] if s["call_id"] in own]]
        args = {"provider": "unpod", "agent": voice, "limit": 20}
        res = await measure("list_agent_executions", "speech", "list_agent_executions", args, [mine[:20], raw[1]], 20)
        talked = next(c for c in world.speech_calls if c["agent_id"] == voice and c["_transcript"])
        detail = (await raw_http.get(f"/api/v2/platform/speech/v1/calls/{talked['id']}", headers=UNPOD_HEADERS)).json()
        args = {"provider": "unpod", "call_id": talked["id"]}
        one = [detail, next(s for s in sessions["data"] if s["call_id"] == talked["id"])]
        await measure("get_call_transcript", "speech", "get_call_transcript", args, one, 1)
        args = {"provider": "unpod", "agent": voice, "since": "7d"}
        await measure("summarize_run_health (7d)", "speech", "summarize_run_health", args, raw, len(mine))

        # Runtype: executions of the support agent; one execution's conversation.
        rt = world.runtype_agents[0]
        path = f"/v1/agents/{rt.id}/executions"
        raw = (await raw_http.get(path, headers=RUNTYPE_HEADERS, params={"limit": 20})).json()
        args = {"provider": "runtype", "agent": rt.id}
        await measure("list_agent_executions", "runtype", "list_agent_executions", args, raw, len(raw["data"]))
        execution = raw["data"][3]
        detail = (await raw_http.get(f"{path}/{execution['id']}", headers=RUNTYPE_HEADERS)).json()
        calls = (await raw_http.get(f"{path}/{execution['id']}/tool-calls", headers=RUNTYPE_HEADERS)).json()
        args = {"provider": "runtype", "call_id": execution["id"], "agent": rt.id}
        await measure("get_call_transcript", "runtype", "get_call_transcript", args, [detail, calls], 1)
        # One execution's tasks (the listed one with the most tool calls; raw: its tool-call list), and the
        # agent's tasks across its executions of the last 7 days (raw: the tool calls listed).
        busiest = max(raw["data"], key=lambda e: len(world.runtype_execution(e["id"])["_tools"]))
        calls = (await raw_http.get(f"{path}/{busiest['id']}/tool-calls", headers=RUNTYPE_HEADERS)).json()
        args = {"provider": "runtype", "agent": rt.id, "run_id": busiest["id"]}
        await measure("get_run_tasks (concise)", "runtype", "get_run_tasks", args, calls, len(calls["toolCalls"]))
        args = {"provider": "runtype", "agent": rt.id, "since": "7d"}
        res = await call_and_keep(client, "get_run_tasks", args)
        raw_calls = []
        for task in res.structured_content["tasks"]:
            tools = world.runtype_execution(task["run_id"])["_tools"]
            raw_calls.append(next(c for c in tools if task["task_id"] in (c["id"], c["toolCallId"])))
        await measure("get_run_tasks (agent 7d)", "runtype", "get_run_tasks", args, raw_calls, len(raw_calls))

        # Modus: runs of the approval workflow; the agent's health over a week.
        path = "/api/v1/workflows/63/runs"
        raw = (await raw_http.get(path, headers=MODUS_HEADERS, params={"pageSize": 20})).json()
        args = {"provider": "modus", "agent": "63"}
        res = await measure("list_agent_executions", "modus", "list_agent_executions", args, raw, len(raw["runs"]))
        # The newest run's nodes (raw: the run's detail), and the workflow's nodes of the last 7 days (raw: the
        # details of the runs they belong to).
        newest = res.structured_content["executions"][0]["run_id"]
        run_detail = await modus_run(raw_http, path, newest)
        args = {"provider": "modus", "agent": "63", "run_id": newest}
        res = await call_and_keep(client, "get_run_tasks", args)
        await measure(
            "get_run_tasks (concise)", "modus", "get_run_tasks", args, run_detail, len(res.structured_content["tasks"])
        )
        args = {"provider": "modus", "agent": "63", "since": "7d"}
        res = await call_and_keep(client, "get_run_tasks", args)
        run_ids = dict.fromkeys(t["run_id"] for t in res.structured_content["tasks"])
        details = [await modus_run(raw_http, path, run_id) for run_id in run_ids]
        await measure(
            "get_run_tasks (agent 7d)", "modus", "get_run_tasks", args, details, len(res.structured_content["tasks"])
        )
        raw_all = (await raw_http.get(path, headers=MODUS_HEADERS, params={"pageSize": 100})).json()
        args = {"provider": "modus", "agent": "63", "since": "7d"}
        await measure("summarize_run_health (7d)", "modus", "summarize_run_health", args, raw_all, len(raw_all["runs"]))

        # Every agent of every account over the default 24 hours (raw: each agent's activity pages it reads).
        res = await call_and_keep(client, "summarize_fleet_health", {})
        agents = res.structured_content["counted"]
        await measure("summarize_fleet_health", "all", "summarize_fleet_health", {}, {"agents": agents}, agents)

        # Fleet-wide: every account's failed executions of the last 30 days, and every agent's calls that asked
        # not to be called again (raw is not gathered for these: its column is a placeholder).
        args = {"status": "failed", "since": "30d"}
        res = await call_and_keep(client, "list_agent_executions", args)
        listed = len(res.structured_content["executions"])
        await measure("list_agent_executions (every)", "all", "list_agent_executions", args, {"n": listed}, listed)
        args = {"query": 'don\'t call OR "remove me"', "since": "30d"}
        res = await call_and_keep(client, "search_calls", args)
        listed = len(res.structured_content["matches"])
        await measure("search_calls (every)", "all", "search_calls", args, {"n": listed}, listed)
        # The same as rows (detail="rows"): every agent's calls that asked for a call back, a page of 100
        # (raw: the task documents of the calls listed).
        args = {"query": "call me back", "detail": "rows", "limit": 100}
        res = await call_and_keep(client, "search_calls", args)
        at = res.structured_content["columns"].index("call")
        listed_calls = {row[at] for row in res.structured_content["rows"]}
        raw_rows = unpod_call_docs(world, listed_calls)
        await measure("search_calls (rows)", "all", "search_calls", args, raw_rows, len(listed_calls))
        # The same people as contacts (detail="contacts"): one row each, the default page (raw: the task
        # documents of every matching call, read as rows with limit=200).
        args = {"query": "call me back", "detail": "contacts"}
        res = await call_and_keep(client, "search_calls", args)
        people = len(res.structured_content["rows"])
        every = await call_and_keep(client, "search_calls", {"query": "call me back", "detail": "rows", "limit": 200})
        assert not every.structured_content.get("next_cursor"), "the contacts' calls did not fit one page of rows"
        raw_calls = unpod_call_docs(world, {row[at] for row in every.structured_content["rows"]})
        await measure("search_calls (contacts)", "all", "search_calls", args, raw_calls, people)

        tools = await client.list_tools()
        tools_tokens = tokens(tools.model_dump_json(by_alias=True, exclude_none=True))
    await raw_http.aclose()
    await registry.aclose()

    print(f"token counts by {counter_name}; default budget {settings.token_budget} tokens per result")
    print("model view: what the model reads on text hosts (Claude.ai, ChatGPT: the text) and on structured")
    print("hosts (Claude Code, VS Code, Copilot CLI: JSON.stringify(structuredContent) only)")
    columns = (
        ("items", 5), ("raw", 7), ("text", 6), ("struct", 7), ("raw/text", 9), ("raw/struct", 10),
        ("struct/text", 11), ("text hosts", 10), ("struct hosts", 12),
    )  # fmt: skip
    print(f"{'tool':27s} {'provider':8s} " + " ".join(f"{name:>{width}s}" for name, width in columns))
    for label, provider, items, raw_n, text_n, struct_n in rows:
        print(
            f"{label:27s} {provider:8s} {items:5d} {raw_n:7d} {text_n:6d} {struct_n:7d} "
            f"{raw_n / text_n:8.1f}x {raw_n / struct_n:9.1f}x {struct_n / text_n:10.2f}x {text_n:10d} {struct_n:12d}"
        )
    print(f"tools/list (all {len(tools.tools)} tools, compact JSON): {tools_tokens} tokens")
    if ratios:
        print(f"run-time estimate / real tokens over these outputs: min {min(ratios):.2f}, max {max(ratios):.2f}")


async def modus_run(raw_http: httpx.AsyncClient, path: str, run_id: str) -> Any:
    """A Modus run's detail (its nodes), by our run id (`<workflowId>:<temporalRunId>`)."""
    workflow_run, _sep, temporal = run_id.partition(":")
    params = {"temporalRunId": temporal} if temporal else {}
    return (await raw_http.get(f"{path}/{workflow_run}", headers=MODUS_HEADERS, params=params)).json()


async def call_and_keep(client: Client, tool: str, args: dict[str, Any]) -> Any:
    res = await client.call_tool(tool, args)
    assert not res.is_error, res.content
    return res


if __name__ == "__main__":
    anyio.run(main)
