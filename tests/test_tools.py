"""Every tool through a real MCP client, against the simulator over real HTTP, checked against ground truth."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.simulator.world import World
from tests.conftest import call, call_error, turns_of

pytestmark = pytest.mark.anyio


async def page_all(client: Client, tool: str, key: str, **args: Any) -> list[dict[str, Any]]:
    """Follow next_cursor to the end, returning every item."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        res = await call(client, tool, **args, **({"cursor": cursor} if cursor else {}))
        defaults = res.structured_content.get("item_defaults", {})  # what items leave out (said once)
        items += [{**defaults, **item} for item in res.structured_content[key]]
        cursor = res.structured_content.get("next_cursor")
        if cursor is None:
            return items
    raise AssertionError("cursor never ended")


async def test_tools_list_is_read_only_with_schemas(client: Client) -> None:
    tools = (await client.list_tools()).tools
    names = {t.name for t in tools}
    assert names >= {
        "list_providers",
        "list_agents",
        "list_agent_executions",
        "get_run_tasks",
        "get_call_transcript",
        "summarize_run_health",
    }
    for tool in tools:
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.open_world_hint is True
        assert tool.output_schema and tool.output_schema.get("type") == "object"
        assert tool.description and len(tool.description) > 80


async def test_list_providers(client: Client, sim) -> None:
    res = await call(client, "list_providers")
    providers = {p["name"]: p for p in res.structured_content["providers"]}
    assert set(providers) == {"unpod", "runtype", "modus"}
    assert providers["unpod"]["base_url"] == sim.url and providers["unpod"]["demo"] is False
    assert "unpod (unpod)" in res.content[0].text


async def test_list_agents_each_provider(client: Client, world: World) -> None:
    unpod = await call(client, "list_agents", provider="unpod")
    agents = unpod.structured_content["agents"]
    assert [a["id"] for a in agents] == [a.handle for a in world.unpod_agents] + [
        a["agent_id"] for a in world.speech_agents
    ]
    assert agents[0]["space"] == world.unpod_agents[0].space
    runtype = await page_all(client, "list_agents", "agents", provider="runtype", limit=2)
    assert [a["id"] for a in runtype] == [a.id for a in world.runtype_agents]
    modus = await call(client, "list_agents", provider="modus", search="invoice")
    assert [a["id"] for a in modus.structured_content["agents"]] == ["63"]


async def test_unpod_executions_all_pages_exactly_once(client: Client, world: World) -> None:
    agent = world.unpod_agents[0]
    runs = await page_all(client, "list_agent_executions", "executions", provider="unpod", agent=agent.handle, limit=3)
    expected = [r for r in world.unpod_runs if r.agent.handle == agent.handle]
    assert [r["run_id"] for r in runs] == [r.run_id for r in expected]
    assert {r["tasks_total"] for r in runs} == {r.n_tasks for r in expected}
    assert all(r["status"] in ("completed", "running", "scheduled") for r in runs)
    assert all(r["started_at"].endswith("Z") for r in runs)


async def test_unpod_tasks_statuses_match_ground_truth(client: Client, world: World) -> None:
    for run in world.unpod_runs[:6]:
        ref = _run_ref(run)
        tasks = await page_all(client, "get_run_tasks", "tasks", ref=ref, limit=40)
        assert len(tasks) == run.n_tasks
        assert len({t["task_id"] for t in tasks}) == run.n_tasks
        assert Counter(t["status"] for t in tasks) == world.unpod_truth(run)


async def test_unpod_task_fields_normalized(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.phase == "done" and r.style == "vapi")
    res = await call(client, "get_run_tasks", ref=_run_ref(run), status="completed", limit=10, detail="full")
    task = res.structured_content["tasks"][0]
    raw = next(t for t in world.unpod_tasks(run) if t["task_id"] == task["task_id"])
    assert task["cost_usd"] == raw["output"]["cost"]
    assert isinstance(task["duration_s"], float | int)
    assert task["has_transcript"] is True
    assert task["call_id"] == raw["output"]["id"]
    assert task["outcome"] == raw["output"]["analysis"]["successEvaluation"]
    assert "ref" in task and task["ref"].startswith("unpod:task:")


async def test_status_filter_and_cursor_stay_consistent(client: Client, world: World) -> None:
    run = max((r for r in world.unpod_runs if r.phase == "done"), key=lambda r: r.n_tasks)
    failed = await page_all(client, "get_run_tasks", "tasks", ref=_run_ref(run), status="failed", limit=7)
    assert len(failed) == world.unpod_truth(run)["failed"]
    assert {t["status"] for t in failed} == {"failed"}


@pytest.mark.parametrize("style", ["list", "list_naive", "string", "vapi"])
async def test_transcripts_in_order_with_speakers(client: Client, world: World, style: str) -> None:
    run = next(r for r in world.unpod_runs if r.style == style and r.phase == "done")
    raw = next(t for t in world.unpod_tasks(run) if t["status"] == "completed" and t["output"])
    tasks = await page_all(client, "get_run_tasks", "tasks", ref=_run_ref(run), limit=100, detail="full")
    ref = next(t["ref"] for t in tasks if t["task_id"] == raw["task_id"])
    res = await call(client, "get_call_transcript", ref=ref, max_turns=200)
    turns = turns_of(res.structured_content)
    expected = _expected_turns(raw["output"])
    assert [(t["speaker"], t["text"]) for t in turns] == expected
    assert [t["index"] for t in turns] == list(range(len(turns)))
    assert res.structured_content["call"]["end_reason"]


async def test_transcript_by_call_id_and_by_agent(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.style == "list" and r.phase == "done")
    raw = next(t for t in world.unpod_tasks(run) if t["status"] == "completed")
    by_call = await call(client, "get_call_transcript", provider="unpod", call_id=raw["output"]["call_id"])
    handle = run.agent.handle
    by_agent = await call(client, "get_call_transcript", provider="unpod", task_id=raw["task_id"], agent=handle)
    by_ids = await call(
        client, "get_call_transcript", provider="unpod", task_id=raw["task_id"], run_id=run.run_id, space=run.space
    )
    texts = [[t["text"] for t in turns_of(r.structured_content)] for r in (by_call, by_agent, by_ids)]
    assert texts[0] == texts[1] == texts[2] and texts[0]


async def test_transcript_window_speaker_and_search(client: Client, world: World) -> None:
    run = next(r for r in world.unpod_runs if r.style == "list" and r.phase == "done")
    raw = max(world.unpod_tasks(run), key=lambda t: len(t["output"].get("transcript") or []))
    args = {"provider": "unpod", "task_id": raw["task_id"], "agent": run.agent.handle}
    first = await call(client, "get_call_transcript", **args, max_turns=3)
    assert len(first.structured_content["turns"]) == 3 and first.structured_content["next_offset"] == 3
    rest = await call(client, "get_call_transcript", **args, offset=3, max_turns=200)
    assert rest.structured_content.get("next_offset") is None
    total = first.structured_content["total_turns"]
    assert 3 + len(rest.structured_content["turns"]) == total
    customer = await call(client, "get_call_transcript", **args, speaker="customer")
    assert {t["speaker"] for t in turns_of(customer.structured_content)} == {"customer"}
    found = await call(client, "get_call_transcript", **args, search="ACME SOLAR")
    turns = turns_of(found.structured_content)
    hits = [t for t in turns if t["matched"]]
    assert hits and all("acme solar" in t["text"].lower() for t in hits)
    assert found.structured_content["matched_turns"] == len(hits)
    context = [t for t in turns if not t["matched"]]
    assert all("acme solar" not in t["text"].lower() for t in context)
    hit_indexes = {t["index"] for t in hits}
    assert all(t["index"] - 1 in hit_indexes or t["index"] + 1 in hit_indexes for t in context)


async def test_runtype_executions_costs_tasks_and_conversation(client: Client, world: World) -> None:
    agent = world.runtype_agents[2]  # Research Assistant: has tool calls and sub-agents
    runs = await page_all(client, "list_agent_executions", "executions", provider="runtype", agent=agent.id, limit=20)
    truth = [e for e in world.runtype_executions if e["agentId"] == agent.id]
    assert [r["run_id"] for r in runs] == [e["id"] for e in truth]
    assert Counter(r["status"] for r in runs) == world.runtype_truth(agent.id)
    for run, raw in zip(runs, truth, strict=True):
        expected = float(raw["totalCost"]) if raw["totalCost"] is not None else None
        assert run.get("cost_usd") == expected
    parent = next(e for e in truth if e["_tools"] and e["status"] == "completed")
    tasks = await call(client, "get_run_tasks", provider="runtype", run_id=parent["id"], agent=agent.id, limit=100)
    kinds = Counter(t["kind"] for t in tasks.structured_content["tasks"])
    children = [e for e in world.runtype_executions if e["parentExecutionId"] == parent["executionId"]]
    assert kinds == Counter({"tool_call": len(parent["_tools"]), "subagent": len(children)})
    conv = await call(client, "get_call_transcript", provider="runtype", call_id=parent["id"], agent=agent.id)
    speakers = [t["speaker"] for t in turns_of(conv.structured_content)]
    assert speakers[:2] == ["system", "customer"] and speakers.count("tool") == len(parent["_tools"])
    assert speakers[-1] == "agent"


async def test_modus_runs_nodes_and_workflows_resource(sim, world: World) -> None:
    from agent_runs_mcp.config import Settings
    from tests.conftest import accounts_for, mcp_client

    settings = Settings(accounts=accounts_for(sim.url, modus={"resource": "workflows"}), cache_enabled=False)
    async with mcp_client(settings) as client:
        runs = await page_all(
            client, "list_agent_executions", "executions", provider="modus", agent="63", limit=10, detail="full"
        )
        assert [r["run_id"] for r in runs] == [r["id"] for r in world.modus_runs[63]]
        assert Counter(r["status"] for r in runs) == world.modus_truth(63)
        waiting = next(r for r in runs if r["status"] == "awaiting_human")
        tasks = await call(client, "get_run_tasks", ref=waiting["ref"])
        assert [t["name"] for t in tasks.structured_content["tasks"]][:3] == [
            "Invoice received",
            "Extract and check totals",
            "Finance approval",
        ]
        conv = await call(client, "get_call_transcript", ref=waiting["ref"])
        assert any("approval" in t["text"].lower() for t in turns_of(conv.structured_content))


async def test_health_counts_are_exact(client: Client, world: World) -> None:
    for run in [r for r in world.unpod_runs if r.n_tasks > 50][:3]:
        res = await call(client, "summarize_run_health", ref=_run_ref(run))
        report = res.structured_content
        assert report["totals"] == dict(world.unpod_truth(run))
        assert report["complete"] is True and report["scanned"] == run.n_tasks
        assert report["verdict"] in ("healthy", "degraded", "failing")
        assert report["headline"] and report["headline"] in res.content[0].text


async def test_health_agent_window_runtype_and_modus(client: Client, world: World) -> None:
    agent = world.runtype_agents[0]
    res = await call(client, "summarize_run_health", provider="runtype", agent=agent.id, since="30d")
    assert res.structured_content["totals"] == dict(world.runtype_truth(agent.id))
    res = await call(client, "summarize_run_health", provider="modus", agent="57", since="30d")
    assert res.structured_content["totals"] == dict(world.modus_truth(57))
    assert res.structured_content["previous"] is not None


async def test_every_result_has_refs_that_work_alone(client: Client, world: World) -> None:
    """At detail=full every item carries a ref that works alone (concise results carry ids and `next`)."""
    agents = await call(client, "list_agents", provider="unpod", detail="full")
    agent_ref = agents.structured_content["agents"][0]["ref"]
    health = await call(client, "summarize_run_health", ref=agent_ref, since="7d")
    assert health.structured_content["scope"]["type"] == "agent_window"
    handle = world.unpod_agents[0].handle
    runs = await call(client, "list_agent_executions", provider="unpod", agent=handle, detail="full")
    run_ref = next(r["ref"] for r in runs.structured_content["executions"] if r["status"] == "completed")
    tasks = await call(client, "get_run_tasks", ref=run_ref, status="completed", limit=1, detail="full")
    task_ref = tasks.structured_content["tasks"][0]["ref"]
    res = await call(client, "get_call_transcript", ref=task_ref)
    assert res.structured_content["call"]["task_id"] == tasks.structured_content["tasks"][0]["task_id"]
    concise = await call(client, "list_agent_executions", provider="unpod", agent=handle)
    assert all("ref" not in r for r in concise.structured_content["executions"])
    assert concise.structured_content["next"] and "run_id=<run_id>" in concise.structured_content["next"][0]


def _run_ref(run: Any) -> str:
    from agent_runs_mcp.refs import make_ref

    return make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)


def _expected_turns(output: dict[str, Any]) -> list[tuple[str, str]]:
    """The turns a reader of the raw output would expect, written independently of the adapter.

    Texts go through the same masking as results (redaction is on by default; tested on its own).
    """
    from agent_runs_mcp.tools.sanitize import redact_text

    return [(speaker, redact_text(text)) for speaker, text in _raw_turns(output)]


def _raw_turns(output: dict[str, Any]) -> list[tuple[str, str]]:
    role_map = {"assistant": "agent", "user": "customer", "bot": "agent", "AI": "agent", "User": "customer"}
    if "messages" in output:
        return [(role_map[m["role"]], m["message"]) for m in output["messages"]]
    transcript = output["transcript"]
    if isinstance(transcript, str):
        pairs = [line.split(": ", 1) for line in transcript.splitlines()]
        return [(role_map[r], text) for r, text in pairs]
    return [(role_map[m["role"]], m["content"]) for m in transcript]


async def test_tool_errors_for_bad_input(client: Client) -> None:
    text = await call_error(client, "list_agents", provider="nope")
    assert "Unknown provider `nope`" in text and "unpod, runtype, modus" in text
    text = await call_error(client, "list_agent_executions", provider="unpod", agent="x", since="yesterday-ish")
    assert "`since`" in text and "24h" in text
    text = await call_error(client, "list_agent_executions", provider="modus", agent="no such/slug")
    assert "numeric id" in text and "slug" in text
    text = await call_error(client, "list_agent_executions", provider="modus", agent="no-such-slug")
    assert "Workflow not found" in text
    text = await call_error(client, "get_run_tasks", provider="unpod", run_id="R1")
    assert "space" in text and "agent" in text
    text = await call_error(client, "get_call_transcript", ref="garbage")
    assert "`ref`" in text
    text = await call_error(client, "list_agent_executions", provider="unpod", agent="a", since="1h", until="2d")
    assert "must be before" in text
    text = await call_error(client, "list_agents", provider="unpod", cursor="c1.bogus")
    assert "`cursor`" in text
    text = await call_error(client, "list_agent_executions", provider="unpod", agent="../../etc/passwd")
    assert "`agent`" in text
    text = await call_error(client, "list_agents", provider="runtype", limit=500)
    assert "limit" in text


async def test_unpod_run_tasks_space_order_and_fallback(sim, faults, world: World) -> None:
    """The space comes from `space`, the agent's space, or the default; else the agent's tasks are searched."""
    from agent_runs_mcp.config import Settings
    from tests.conftest import accounts_for, mcp_client

    run = next(r for r in world.unpod_runs if r.agent.domain == "sales" and r.phase == "done" and r.n_tasks < 80)
    other_space = next(s.token for s in world.unpod_spaces if s.token != run.space)
    accounts = accounts_for(sim.url, unpod={"space_token": other_space})
    async with mcp_client(Settings(accounts=accounts, cache_enabled=False)) as client:
        by_agent = await page_all(
            client, "get_run_tasks", "tasks", provider="unpod", run_id=run.run_id, agent=run.agent.handle
        )
        assert len(by_agent) == run.n_tasks  # the agent's own space was found from the space listings
        text = await call_error(client, "get_run_tasks", provider="unpod", run_id=run.run_id)
        assert "404" in text and run.run_id in text  # only the default space to try, and the run is not there
    from agent_runs_mcp.simulator.faults import Rule

    # Without an org handle and with the organizations listing down, the agent's space cannot be found:
    # the default space is tried (404 for this run), then the agent's own task list is searched.
    faults.rules = [Rule(match="/organizations/", fault="500")]
    accounts = accounts_for(sim.url, unpod={"space_token": other_space, "org_handle": None})
    async with mcp_client(Settings(accounts=accounts, cache_enabled=False)) as client:
        by_tasks = await page_all(
            client, "get_run_tasks", "tasks", provider="unpod", run_id=run.run_id, agent=run.agent.handle
        )
    assert sorted(t["task_id"] for t in by_tasks) == sorted(t["task_id"] for t in world.unpod_tasks(run))
