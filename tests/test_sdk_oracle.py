"""The vendors' official SDKs as the test oracle (never runtime dependencies).

1. Simulator vs SDK: each SDK's own client calls every endpoint our adapters read, against the
   simulator; every answer must parse into the SDK's models (Modus: workflows, runs, run detail, usage,
   waiting runs; Runtype: agents, executions with versions, detail, tool calls, events, logs paged by
   `cursor`, run insights, execution status; Unpod: speech agents, calls, call detail, sessions, analytics).
2. Fixture vs adapter: responses built through the SDKs' own models are served to our adapters
   through an httpx MockTransport; every field the SDK model carries and our domain model has must land.

`runtype-sdk` and `modus-sdk` install with the dev extra. `unpod` needs Python 3.12: its checks run
in a subprocess with `.venv-sdk312/bin/python` (`make test-sdk` builds it) and skip without one.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_runs_mcp.config import Settings
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World
from tests.conftest import LiveServer, accounts_for, call, mcp_client

ROOT = Path(__file__).resolve().parent.parent
PY312 = Path(os.environ.get("AGENT_RUNS_SDK312_PYTHON", ROOT / ".venv-sdk312" / "bin" / "python"))

modus = pytest.importorskip("modus", reason="modus-sdk 0.9.0 is in the dev extra: pip install -e '.[dev]'")
runtype_api = pytest.importorskip("runtype._generated.client", reason="runtype-sdk 5.5.0 is in the dev extra")


# --- 1. simulator vs SDK ----------------------------------------------------------------------------


def test_modus_sdk_reads_the_simulator(sim: LiveServer, world: World) -> None:
    client = modus.Modus(api_key=DEMO_CREDENTIALS["modus"]["token"], base_url=sim.url)
    flow = world.modus_agents[-1]
    run = world.modus_runs[flow.id][0]
    workflows = list(client.workflows.list())
    assert [w.id for w in workflows] == [a.id for a in world.modus_agents]
    assert client.workflows.get(flow.slug).slug == flow.slug
    runs = list(client.workflows.runs.list(flow.id))  # the SDK's first page
    assert runs and [r.id for r in runs] == [r["id"] for r in world.modus_runs[flow.id]][: len(runs)]
    detail = client.workflows.runs.get(flow.id, run["workflowId"], temporal_run_id=run["temporalRunId"])
    assert detail.id == run["id"] and len(detail.workflow_nodes or []) == len(flow.nodes)


def test_runtype_sdk_reads_the_simulator(sim: LiveServer, world: World, caplog: pytest.LogCaptureFixture) -> None:
    bearer = "Bearer " + DEMO_CREDENTIALS["runtype"]["token"]
    api = runtype_api.RuntypeApi(base_url=sim.url + "/", api_key=bearer, authorization=bearer)
    agent = world.runtype_agents[0]
    mine = [e for e in world.runtype_executions if e["agentId"] == agent.id and e["parentExecutionId"] is None]
    done = next(e for e in mine if e["_tools"] and e["status"] == "completed")
    failed = next(e for e in mine if e["status"] == "failed" and e["_reason"][1] == "logs")
    assert {a.id for a in api.agents.list_agents().data} == {a.id for a in world.runtype_agents}
    listed = api.agents.list_agent_executions(agent.id, limit=100)
    assert {e.status for e in listed.data} >= {"queued", "paused", "failed", "completed"}
    assert api.agents.get_execution_detail(agent.id, done["id"]).execution_id == done["executionId"]
    calls = api.agents.list_tool_calls(agent.id, done["id"]).tool_calls
    assert len(calls) == len(done["_tools"])
    assert api.agents.get_tool_call_detail(agent.id, done["id"], calls[0].id).tool_name == calls[0].tool_name
    with caplog.at_level(logging.WARNING):
        events = list(api.agents.stream_execution_events(agent.id, failed["id"]))
    skipped = [r.getMessage()[:300] for r in caplog.records if "Skipping SSE event" in r.getMessage()]
    assert len(events) == len(failed["_events"]) and not skipped, skipped  # every event parsed, none skipped
    logs = api.logs.query_customer_logs(execution_id=failed["executionId"], level="error")
    assert logs.data.entries[0]["message"] == failed["_reason"][0]


def test_modus_sdk_reads_usage_and_waiting_runs(sim: LiveServer, world: World) -> None:
    """`/api/v1/usage` through the SDK's usage resource and, with `group_by`/`agent_id` (which `usage.list()`
    cannot send), through its own operation table and response model; waiting runs with `approvalScope=all`."""
    from modus._generated.models import ListUsageResponseDto
    from modus._openapi_invoke import invoke_operation
    from modus.management import ModusManagement

    mgmt = ModusManagement(api_key=DEMO_CREDENTIALS["modus"]["token"], base_url=sim.url)
    since, until = "2020-01-01T00:00:00Z", "2100-01-01T00:00:00Z"
    everything = mgmt.usage.list(since=since, until=until, rollup="day")
    total = sum(world.modus_run_usage(r)["credits"] for runs in world.modus_runs.values() for r in runs)
    assert everything.totals.credits == pytest.approx(total, abs=0.01)
    query = {"since": since, "until": until, "rollup": "day", "group_by": "agent", "agent_id": "57"}
    body = invoke_operation(mgmt._http, "UsageController_list", query=query)
    mine = ListUsageResponseDto.model_validate(body)
    want = sum(world.modus_run_usage(r)["credits"] for r in world.modus_runs[57])
    assert {b.group_value for b in mine.buckets} == {"57"} and mine.totals.credits == pytest.approx(want, abs=0.01)
    client = modus.Modus(api_key=DEMO_CREDENTIALS["modus"]["token"], base_url=sim.url)
    waiting = list(client.workflows.runs.list(63, status="awaiting_human", approval_scope="all"))
    assert [r.id for r in waiting] == [r["id"] for r in world.modus_runs[63] if r["status"] == "awaiting_human"]
    assert all(r.pending_approval and r.pending_approval["approver"] for r in waiting)


def test_runtype_sdk_reads_versions_insights_status_events_and_logs(
    sim: LiveServer, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    bearer = "Bearer " + DEMO_CREDENTIALS["runtype"]["token"]
    api = runtype_api.RuntypeApi(base_url=sim.url + "/", api_key=bearer, authorization=bearer)
    triage = next(a for a in world.runtype_agents if a.name == "Support Triage")
    mine = [e for e in world.runtype_executions if e["agentId"] == triage.id and e["parentExecutionId"] is None]
    listed = api.agents.list_agent_executions(triage.id, limit=100).data
    assert {(e.agent_version.version_number, e.agent_version.label) for e in listed if e.agent_version} == {
        (7, None),
        (8, "stricter ticket schema"),
    }
    insights = api.agents.roll_up_recent_runs_of_an_agent(triage.id, limit="200").data
    assert sum(v.runs for v in insights.versions) == insights.window.runs == len(mine)
    assert max(insights.tools, key=lambda t: t.failed_calls).tool_name == "create_ticket"
    assert insights.cost is not None and insights.cost.avg_per_run > 0
    every = [e for e in world.runtype_executions if e["status"] == "failed"]
    for source in ("status", "events"):
        failed = next(e for e in every if e["_reason"][1] == source)
        status = api.executions.poll_an_asynchronous_execution(failed["executionId"])
        assert status.status == "failed" and status.error
        if source == "status":
            assert status.error == failed["_reason"][0] and status.http_status == 400
    kinds = {"approval_complete": None, "execution_error": "upgradeUrl", "tool_complete": None}
    for kind, key in kinds.items():
        failed = next(e for e in every if any(v["type"] == kind and (not key or key in v) for v in e["_events"]))
        with caplog.at_level(logging.WARNING):
            events = list(api.agents.stream_execution_events(failed["agentId"], failed["id"]))
        skipped = [r.getMessage()[:300] for r in caplog.records if "Skipping SSE event" in r.getMessage()]
        assert len(events) == len(failed["_events"]) and not skipped, (kind, skipped)
    first = api.logs.query_customer_logs(level="error", limit="2")
    assert len(first.data.entries) == 2 and first.data.pagination.has_more and first.data.pagination.cursor
    second = api.logs.query_customer_logs(level="error", limit="2", cursor=first.data.pagination.cursor)
    assert second.data.entries and second.data.entries[0] != first.data.entries[0]
    degraded = next(e for e in world.runtype_executions if e["_logs_degraded"])
    assert api.logs.query_customer_logs(execution_id=degraded["executionId"], level="error").data.degraded is True


@pytest.mark.skipif(
    not PY312.exists(),
    reason=f"the unpod SDK needs Python 3.12: no {PY312} (run `make test-sdk` to build it with unpod 0.5.0)",
)
def test_unpod_sdk_reads_the_simulator(sim: LiveServer, world: World) -> None:
    creds = DEMO_CREDENTIALS["unpod"]
    talked = next(c for c in world.speech_calls if c["_transcript"] and c.get("initial_call_id"))
    args = [sim.url + "/api/v2/platform", creds["token"], creds["org_handle"], world.speech_agents[0]["agent_id"]]
    out = subprocess.run(
        [str(PY312), str(ROOT / "tests" / "sdk_oracle" / "unpod_calls.py"), *args, talked["id"], talked["session_id"]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    results = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 9, out.stderr[-2000:]
    failed = [r for r in results if not r["ok"]]
    assert not failed, failed
    by_call = {r["call"]: r for r in results}
    assert by_call["agents.list"]["items"] == len(world.speech_agents)
    assert by_call["calls.list"]["items"] == len(world.speech_calls)
    assert by_call["calls.get"]["turns"] == len(talked["_transcript"])
    detail = by_call["calls.get"]  # what the detail read adds: follow-up, latency, analytics, session
    assert detail["initial_call_id"] == talked["initial_call_id"] and detail["session_id"] == talked["session_id"]
    assert detail["latency_summary"]["p50_ms"] > 0 and detail["latency_rows"] == len(talked["_latency_metrics"])
    assert detail["analytics"] == 1 and by_call["analytics.for_call"]["success_evaluation"] in ([True], [False])
    assert by_call["sessions.list"]["items"] == len(world.speech_sessions)
    mine = [
        r
        for c in world.speech_calls
        for r in c.get("_analytics", [])
        if c["agent_id"] == world.speech_agents[0]["agent_id"]
    ]
    assert by_call["analytics.list_results"]["items"] == len(mine) > 0
    session = by_call["sessions.get"]
    assert session["call_id"] == talked["id"] and session["usage"]["cost"]["total"] > 0


# --- 2. fixture vs adapter --------------------------------------------------------------------------


def serve(routes: dict[str, Any]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        body = routes.get(request.url.path)
        if body is None:
            return httpx.Response(404, text="<h1>Not Found</h1>", headers={"Content-Type": "text/html"})
        return httpx.Response(200, content=json.dumps(body), headers={"Content-Type": "application/json"})

    return httpx.MockTransport(handler)


def settings_for(kind: str) -> Settings:
    accounts = accounts_for("https://sdk.example")
    return Settings(accounts={kind: accounts[kind]}, cache_enabled=False)


def landed(pairs: list[tuple[str, Any, Any]]) -> list[str]:
    """The SDK fields whose value did not land in our result."""
    return [f"{name}: sdk={sdk!r} ours={ours!r}" for name, sdk, ours in pairs if sdk != ours]


@pytest.mark.anyio
async def test_runtype_sdk_shaped_execution_lands() -> None:
    from runtype._generated.agents.types.get_v1agents_id_executions_response import GetV1AgentsIdExecutionsResponse

    row = {
        "id": "aex_1", "executionId": "exec_1", "agentId": "agent_1", "agentTargetResolution": "latest",
        "executionMode": "durable", "notificationMode": "none", "status": "interrupted",
        "createdAt": "2026-11-20T10:00:00Z", "startedAt": "2026-11-20T10:00:02Z", "completedAt": "2026-11-20T10:01:02Z",
        "totalCost": "0.0420", "totalTokens": 1234, "stopReason": None, "surfaceType": "api",
        "parentExecutionId": "exec_0", "budgetExhausted": False, "conversationId": "conv_1", "iterations": 3,
        "agentVersionId": "agv_1", "agentVersion": {"id": "agv_1", "versionNumber": 3, "label": "safer"},
    }  # fmt: skip
    pagination = {
        "hasMore": False,
        "hasPrev": False,
        "limit": 50,
        "currentOffset": 0,
        "nextCursor": None,
        "totalCount": 1,
    }
    body = {"data": [row], "pagination": pagination}
    sdk = GetV1AgentsIdExecutionsResponse.model_validate(body).data[0]  # the SDK accepts it
    transport = serve({"/v1/agents/agent_1/executions": body})
    async with mcp_client(settings_for("runtype"), transport=transport) as client:
        res = await call(client, "list_agent_executions", provider="runtype", agent="agent_1", detail="full")
    (ours,) = res.structured_content["executions"]
    missing = landed(
        [
            ("id", sdk.id, ours["run_id"]),
            ("agentId", sdk.agent_id, ours["agent_id"]),
            ("status", sdk.status, ours["provider_status"]),
            ("status (normalized)", "failed", ours["status"]),
            ("startedAt", sdk.started_at, ours["started_at"]),
            ("completedAt", sdk.completed_at, ours["ended_at"]),
            ("totalCost", float(sdk.total_cost), ours["cost_usd"]),
            ("totalTokens", sdk.total_tokens, ours["tokens"]),
            ("surfaceType", sdk.surface_type, ours["trigger"]),
            ("parentExecutionId", sdk.parent_execution_id, ours["parent_run_id"]),
            ("executionId", sdk.execution_id, ours["details"]["executionId"]),
            ("conversationId", sdk.conversation_id, ours["details"]["conversationId"]),
            ("budgetExhausted", sdk.budget_exhausted, ours["details"]["budgetExhausted"]),
            ("iterations", sdk.iterations, ours["details"]["iterations"]),
        ]
    )
    assert not missing, missing
    assert ours["stop_reason"] == "interrupted" and ours["duration_s"] == 60.0
    assert ours["agent_version"] == f"v{sdk.agent_version.version_number} ({sdk.agent_version.label})"


@pytest.mark.anyio
async def test_modus_sdk_shaped_runs_land() -> None:
    from modus._generated.models import GetAutomationRunResponseDto, ListAutomationRunsResponseDto

    item = {
        "id": "wf_9_run_1:t-1", "workflowId": "wf_9_run_1", "temporalRunId": "t-1", "agentId": 9,
        "agentName": "Report", "agentType": "workflow", "status": "error", "triggerType": "webhook",
        "startedAt": "2026-11-20T10:00:00.000Z", "endedAt": "2026-11-20T10:00:07.500Z", "durationMs": 7500,
        "summary": "Run failed: CRM 401",
    }  # fmt: skip
    listing = {"runs": [item], "nextPageToken": None, "counts": {"all_executions": 1, "error": 1}}
    node = {"id": "1", "name": "Fetch", "status": "error", "error": {"message": "CRM 401"}}
    detail = {
        **item,
        "source": "history",
        "taskError": "CRM returned 401",
        "statusReason": None,
        "workflowNodes": [node],
    }
    ListAutomationRunsResponseDto.model_validate(listing)
    sdk = GetAutomationRunResponseDto.model_validate(detail)
    transport = serve({"/api/v1/workflows/9/runs": listing, "/api/v1/workflows/9/runs/wf_9_run_1": detail})
    async with mcp_client(settings_for("modus"), transport=transport) as client:
        runs = await call(client, "list_agent_executions", provider="modus", agent="9", detail="full")
        tasks = await call(client, "get_run_tasks", provider="modus", run_id=item["id"], agent="9")
    (ours,) = runs.structured_content["executions"]
    missing = landed(
        [
            ("id", sdk.id, ours["run_id"]),
            ("agentId", str(int(sdk.agent_id)), ours["agent_id"]),
            ("agentName", sdk.agent_name, ours["agent_name"]),
            ("status", sdk.status, ours["provider_status"]),
            ("triggerType", sdk.trigger_type, ours["trigger"]),
            ("startedAt", "2026-11-20T10:00:00Z", ours["started_at"]),
            ("endedAt", "2026-11-20T10:00:07.500000Z", ours["ended_at"]),
            ("durationMs", sdk.duration_ms / 1000, ours["duration_s"]),
            ("summary", sdk.summary, ours["summary"]),
            ("workflowNodes", len(sdk.workflow_nodes or []), len(tasks.structured_content["tasks"])),
            ("counts", 1, runs.structured_content["total"]),
        ]
    )
    assert not missing, missing


@pytest.mark.anyio
async def test_unpod_sdk_shaped_call_lands() -> None:
    """The fields of unpod 0.5.0's `Call` (models/call.py), as a detail read returns them."""
    call_doc = {
        "id": "call_1", "agent_id": "asst_1", "direction": "outbound", "to_number": "+14155550123",
        "status": "notConnected", "end_reason": "USER_DID_NOT_PICK_UP", "started_at": "2026-11-20T10:00:00+00:00",
        "ended_at": "2026-11-20T10:00:30+00:00", "duration_s": 30.0, "transcript": [], "transcript_turns": 0,
        "recording_url": None, "traces": {"call_timings": {"call_dialed_at": "2026-11-20T10:00:00"}},
    }  # fmt: skip
    envelope = {"status_code": 200, "message": "ok", "data": call_doc}
    transport = serve({"/api/v2/platform/speech/v1/calls/call_1": envelope})
    async with mcp_client(settings_for("unpod"), transport=transport) as client:
        res = await call(client, "get_call_transcript", provider="unpod", call_id="call_1")
    ours = res.structured_content["call"]
    missing = landed(
        [
            ("id", "call_1", ours["call_id"]),
            ("agent_id", "asst_1", ours["agent_id"]),
            ("direction", "outbound", ours["direction"]),
            ("status", "failed", ours["status"]),
            ("end_reason", "no answer (USER_DID_NOT_PICK_UP)", ours["end_reason"]),
            ("started_at", "2026-11-20T10:00:00Z", ours["started_at"]),
            ("duration_s", 30.0, ours["duration_s"]),  # ended_at = started_at + duration_s (not repeated)
        ]
    )
    assert not missing, missing
    assert ours["contact"] and ours["contact"].endswith("23")  # the number lands, masked


@pytest.mark.anyio
async def test_unpod_sdk_shaped_session_lands() -> None:
    """unpod 0.5.0's `Session` (models/session.py: `usage` untyped, here in the usage ledger's counters and a bare
    cost) joined to its `Call` by the call's `session_id`; the call's `initial_call_id`, `latency_metrics` rows
    (no `latency_summary`) and `analytics` result land too."""
    call_doc = {
        "id": "call_2", "agent_id": "asst_1", "status": "connected", "end_reason": "USER_HUNG_UP_IN_CALL",
        "started_at": "2026-11-20T10:00:00+00:00", "duration_s": 61.0, "session_id": "ses_9", "transcript": [],
        "initial_call_id": "call_1", "latency_summary": None,
        "latency_metrics": [{"turn": 0, "e2e_ms": 700}, {"turn": 1, "e2e_ms": 900}, {"turn": 2, "e2e_ms": 2400}],
        "analytics": [{"result_id": "r1", "block_id": "b1", "session_id": "ses_9", "status": "ok",
                       "summary": "Qualified lead, wants a quote.", "success_evaluation": "Qualified"}],
    }  # fmt: skip
    session = {
        "session_id": "ses_9", "call_id": None, "status": "ended", "duration_s": 61, "summary": "quote",
        "usage": {"cost": "0.1234", "llm_prompt_tokens": 1200, "llm_completion_tokens": 300},
    }  # fmt: skip
    transport = serve(
        {
            "/api/v2/platform/speech/v1/calls/call_2": {"status_code": 200, "message": "ok", "data": call_doc},
            "/api/v2/platform/speech/v1/sessions": {"status_code": 200, "message": "ok", "data": [session]},
        }
    )
    async with mcp_client(settings_for("unpod"), transport=transport) as client:
        res = await call(client, "get_call_transcript", provider="unpod", call_id="call_2")
        tasks = await call(client, "get_run_tasks", provider="unpod", agent="asst_1", run_id="call_2", detail="full")
    ours, (task,) = res.structured_content["call"], tasks.structured_content["tasks"]
    missing = landed(
        [
            ("usage.cost", 0.1234, ours.get("cost_usd")),
            ("usage.llm_*_tokens", 1500, task.get("tokens")),
            ("initial_call_id", "call_1", ours.get("follow_up_of")),
            ("latency_metrics (median e2e_ms)", 900.0, ours.get("latency_ms")),
            ("analytics.summary", "Qualified lead, wants a quote.", ours.get("summary")),
            ("analytics.success_evaluation", "Qualified", ours.get("outcome")),
        ]
    )
    assert not missing, missing
    assert not any("cost" in n for n in res.structured_content.get("notes", []))


def test_sdk_shaped_insights_and_usage_land() -> None:
    """Run insights and Modus usage built through the SDKs' own models, read by our mapping."""
    from modus._generated.models import ListUsageResponseDto
    from runtype._generated.agents.types.get_v1agents_id_run_insights_response import (
        GetV1AgentsIdRunInsightsResponse,
    )

    from agent_runs_mcp.providers.modus.usage import usage_of
    from agent_runs_mcp.providers.runtype.insights import facts_of_insights

    insights = {
        "success": True,
        "data": {
            "versions": [{"agentVersionId": "agv_2", "versionNumber": 2, "label": None, "runs": 9, "failed": 4}],
            "tools": [{"toolName": "crm", "calls": 12, "failedCalls": 5, "runsUsing": 8}],
            "attachedTools": ["crm", "mail"], "attachedToolsRuns": 9, "attachedToolsVersionId": "agv_2",
            "neverCalledTools": ["mail"], "cost": {"avgPerRun": 0.031},
            "tokens": {"avgPerRun": 2100, "avgInputPerRun": 1500},
            "window": {"from": "2026-11-20T10:00:00Z", "to": "2026-11-21T10:00:00Z", "runs": 9},
        },
    }  # fmt: skip
    sdk = GetV1AgentsIdRunInsightsResponse.model_validate(insights).data
    facts = facts_of_insights(insights)
    tool = sdk.tools[0]
    assert [(t.name, t.calls, t.failed, t.runs_using) for t in facts.tools] == [
        (tool.tool_name, tool.calls, tool.failed_calls, tool.runs_using)
    ]
    assert facts.never_called == sdk.never_called_tools and facts.cost_per_run_usd == sdk.cost.avg_per_run
    assert facts.covers is not None and f"last {sdk.window.runs} runs" in facts.covers
    usage = {
        "org_id": "org_1", "since": "2026-11-20T00:00:00Z", "until": "2026-11-21T00:00:00Z", "rollup": "day",
        "group_by": "agent",
        "buckets": [{"bucket": "2026-11-20T00:00:00Z", "group_value": "57", "call_count": 6, "input_tokens": 900,
                     "output_tokens": 100, "credits": 2.5}],
        "totals": {"call_count": 6, "input_tokens": 900, "output_tokens": 100, "credits": 2.5},
    }  # fmt: skip
    model = ListUsageResponseDto.model_validate(usage)
    ours = usage_of(usage, "57")
    assert ours is not None and ours.credits == model.totals.credits and ours.llm_calls == model.totals.call_count
    assert ours.tokens == model.totals.input_tokens + model.totals.output_tokens and "not USD" in ours.unit
