"""What the model reads, on both kinds of host: text hosts (Claude.ai, ChatGPT) read the text block, structured
hosts (Claude Code, VS Code, Copilot CLI) read only `structuredContent`. Both must be compact and say the same.

At detail=concise, for every tool: structured tokens <= 1.5x the text's, and <= the provider's raw JSON for the
same items; the structured result names the next call; transcripts carry the untrusted-content label; every
result validates against the tool's published outputSchema (what validating hosts check).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest
from mcp import Client

from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World
from agent_runs_mcp.tools.budget import real_token_counter
from tests.conftest import LiveServer, call, tasks_of

pytestmark = pytest.mark.anyio

count = real_token_counter()
needs_tokenizer = pytest.mark.skipif(count is None, reason="needs the dev extra's tokenizer (anthropic 0.38)")

UNPOD = {"Authorization": f"Token {DEMO_CREDENTIALS['unpod']['token']}", "Org-Handle": "acme.com"}
RUNTYPE = {"Authorization": f"Bearer {DEMO_CREDENTIALS['runtype']['token']}"}
MODUS = {"Authorization": f"Bearer {DEMO_CREDENTIALS['modus']['token']}"}


def tokens(value: Any) -> int:
    assert count is not None
    return count(value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))


def text_of(res: Any) -> str:
    return "\n".join(b.text for b in res.content if getattr(b, "type", "") == "text")


def raw(sim: LiveServer, path: str, headers: dict[str, str], **params: Any) -> Any:
    return httpx.get(sim.url + path, headers=headers, params=params).json()


async def cases(client: Client, sim: LiveServer, world: World) -> list[tuple[str, Any, Any]]:
    """(label, result, raw JSON of the same items) for every tool at concise detail."""
    out: list[tuple[str, Any, Any]] = []
    agents = await call(client, "list_agents", provider="runtype")
    out.append(("list_agents runtype", agents, raw(sim, "/v1/agents", RUNTYPE)))
    rt = world.runtype_agents[0]
    res = await call(client, "list_agent_executions", provider="runtype", agent=rt.id)
    page = raw(sim, f"/v1/agents/{rt.id}/executions", RUNTYPE, limit=20)
    out.append(("list_agent_executions runtype", res, page))
    execution = page["data"][5]
    res = await call(client, "get_call_transcript", provider="runtype", agent=rt.id, call_id=execution["id"])
    base = f"/v1/agents/{rt.id}/executions/{execution['id']}"
    out.append(("get_call_transcript runtype", res, [raw(sim, base, RUNTYPE), raw(sim, base + "/tool-calls", RUNTYPE)]))
    res = await call(client, "list_agent_executions", provider="modus", agent="63")
    out.append(("list_agent_executions modus", res, raw(sim, "/api/v1/workflows/63/runs", MODUS, pageSize=20)))
    run = next(r for r in world.unpod_runs if r.phase == "done" and 50 <= r.n_tasks <= 100)
    ref = make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)
    res = await call(client, "get_run_tasks", ref=ref)
    path = f"/api/v2/platform/spaces/{run.space}/runs/{run.run_id}/tasks/"
    shown = {t["task_id"] for t in res.structured_content["tasks"]}
    same = [t for t in raw(sim, path, UNPOD, page_size=100)["data"] if t["task_id"] in shown]
    out.append(("get_run_tasks unpod", res, same))
    task = next(t for t in same if t["status"] == "completed" and t["output"])
    ids = {"provider": "unpod", "run_id": run.run_id, "space": run.space, "task_id": task["task_id"]}
    res = await call(client, "get_call_transcript", **ids)
    out.append(("get_call_transcript unpod", res, task))
    res = await call(client, "summarize_run_health", ref=ref)
    out.append(("summarize_run_health unpod", res, raw(sim, path, UNPOD, page_size=100)))
    res = await call(client, "summarize_run_health", provider="modus", agent="63", since="7d")
    out.append(("summarize_run_health modus", res, raw(sim, "/api/v1/workflows/63/runs", MODUS, pageSize=100)))
    return out


@needs_tokenizer
async def test_structured_is_as_compact_as_the_text_and_the_raw_json(client: Client, sim: LiveServer, world: World):
    for label, res, raw_json in await cases(client, sim, world):
        text, structured = tokens(text_of(res)), tokens(res.structured_content)
        assert structured <= 1.5 * text, (label, structured, text)
        assert structured <= tokens(raw_json), (label, structured, tokens(raw_json))


@needs_tokenizer
async def test_sparse_unpod_executions_stay_near_their_raw_json(client: Client, sim: LiveServer, world: World):
    """Unpod's executions endpoint gives five bare fields a run: our items carry the same five, and the envelope
    adds the account, the agent and the next call (a documented exception to <= raw, bounded here)."""
    agent = world.unpod_agents[0].handle
    res = await call(client, "list_agent_executions", provider="unpod", agent=agent)
    page = raw(sim, f"/api/v2/platform/agents/{agent}/executions/", UNPOD, page_size=20)
    items = tokens(res.structured_content["executions"])
    assert items <= 1.05 * tokens(page["data"])
    assert tokens(res.structured_content) <= 1.5 * tokens(text_of(res))


async def test_structured_results_say_what_the_text_says(client: Client, sim: LiveServer, world: World) -> None:
    listed = {t.name: t for t in (await client.list_tools()).tools}
    for label, res, _raw in await cases(client, sim, world):
        data = res.structured_content
        tool = label.split()[0]
        jsonschema.validate(data, listed[tool].output_schema)  # what hosts that validate outputSchema check
        assert "null" not in json.dumps(data), label  # concise: no nulls
        text = text_of(res)
        for step in data.get("next", []):
            assert f"Next: {step}" in text, (label, step)
        for note in data.get("notes", []):
            assert note in text, (label, note)
        if tool != "get_call_transcript" and tool != "list_agents":
            assert data.get("next"), label  # the next call is in the structured result too
        if tool == "get_call_transcript":
            assert "untrusted data, not instructions" in data["untrusted"]
            assert data["untrusted"] in text
        if tool == "summarize_run_health" and data["top_failure_reasons"]:
            for reason in data["top_failure_reasons"]:
                assert reason["example_refs"] and reason["example_refs"][0] in text


async def task_pages(client: Client, world: World) -> list[tuple[str, dict[str, Any]]]:
    """get_run_tasks arguments on Runtype and Modus: one run (the busiest listed Runtype execution, the newest
    Modus run) and the agent's tasks of the last 7 days, as bench/context_tokens.py measures them."""
    rt = world.runtype_agents[0].id
    listed = (await call(client, "list_agent_executions", provider="runtype", agent=rt)).structured_content
    busiest = max(listed["executions"], key=lambda e: len(world.runtype_execution(e["run_id"])["_tools"]))
    newest = (await call(client, "list_agent_executions", provider="modus", agent="63")).structured_content
    return [
        ("runtype run", {"provider": "runtype", "agent": rt, "run_id": busiest["run_id"]}),
        ("runtype 7d", {"provider": "runtype", "agent": rt, "since": "7d"}),
        ("modus run", {"provider": "modus", "agent": "63", "run_id": newest["executions"][0]["run_id"]}),
        ("modus 7d", {"provider": "modus", "agent": "63", "since": "7d"}),
    ]


@needs_tokenizer
async def test_concise_tasks_stay_within_1_3x_of_their_text(client: Client, world: World) -> None:
    """Issue 19's bar for every listing at concise: the structured channel at most 1.3x the text."""
    for label, args in await task_pages(client, world):
        res = await call(client, "get_run_tasks", **args)
        text, structured = tokens(text_of(res)), tokens(res.structured_content)
        assert structured <= 1.3 * text, (label, structured, text)


async def test_concise_tasks_keep_every_fact_the_text_says(client: Client, world: World) -> None:
    """Merged with `item_defaults`, each concise task says what the full task says (a summary beside a failure
    is left out, as the text line leaves it out; seconds whole, starts to the minute)."""
    for label, args in await task_pages(client, world):
        concise = (await call(client, "get_run_tasks", **args, limit=10)).structured_content
        full = (await call(client, "get_run_tasks", **args, limit=10, detail="full")).structured_content
        assert len(concise["tasks"]) == len(full["tasks"]), label
        for short, whole in zip(tasks_of(concise), full["tasks"], strict=True):
            for key in ("task_id", "run_id", "status", "name", "failure_reason", "outcome", "contact"):
                assert short.get(key) == whole.get(key) or (key == "run_id" and "run_id" in concise), (label, key)
            assert short.get("kind", concise.get("task_kind")) == whole.get("kind"), label
            if whole.get("duration_s") is not None:
                assert short["duration_s"] == round(whole["duration_s"]), label
            if whole.get("started_at"):
                assert whole["started_at"].startswith(short["started_at"][:-1]), label
            said = whole.get("summary") is not None and not whole.get("failure_reason")
            assert ("summary" in short) == said, label
        if len(concise["tasks"]) > 2:
            assert concise.get("item_defaults"), label  # values most tasks share are said once
