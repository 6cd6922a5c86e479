"""The adapters read the providers' documented example payloads exactly as printed in ../shared/api-docs.

These answers come from an httpx MockTransport, not from our simulator, so nothing here depends on
fields only the simulator emits.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from agent_runs_mcp.config import Settings
from tests.conftest import accounts_for, call, executions_of, mcp_client

pytestmark = pytest.mark.anyio

UNPOD_EXECUTIONS = {
    "count": 2,
    "status_code": 200,
    "message": "Executions fetched successfully",
    "data": [
        {"run_id": "R8ff2ccdefe9a11f0878d43cd8a99e069", "status": "completed", "total_tasks": 12,
         "completed_tasks": 10, "created": "2026-02-07T05:57:45"},
        {"run_id": "R6b653894fe9411f0878d43cd8a99e069", "status": "failed", "total_tasks": 3,
         "completed_tasks": 0, "created": "2026-01-31T11:03:05"},
    ],
}  # fmt: skip
UNPOD_AGENT_TASKS = {
    "count": 1,
    "status_code": 200,
    "message": "Tasks Fetched Successfully",
    "data": [
        {"task_id": "T8ff2ccdffe9a11f0878d43cd8a99e069", "run_id": "R8ff2ccdefe9a11f0878d43cd8a99e069",
         "assignee": "space-agent-8qmk42nslp91wrh3dz7btxc4", "status": "completed", "execution_type": "call"}
    ],
}  # fmt: skip
RUNTYPE_EXECUTIONS = {
    "data": [
        {"id": "exec_9f8b7c6d5a4e3f21", "agentId": "agent_12345abcde", "agentSource": "runtype-core",
         "executionId": "exec_9f8b7c6d5a4e3f21", "parentExecutionId": None, "surfaceType": "webhook",
         "status": "completed", "iterations": 3, "totalCost": "0.023", "stopReason": "max_iterations_reached",
         "startedAt": "2024-06-10T14:22:30Z", "completedAt": "2024-06-10T14:25:45Z",
         "createdAt": "2024-06-10T14:22:00Z", "agentSpec": None, "totalTokens": 450, "inputMessages": None}
    ],
    "pagination": {"nextCursor": None, "prevCursor": "exec_9f8b7c6d5a4e3f20", "hasMore": False, "hasPrev": False,
                   "limit": 10, "currentOffset": 0, "totalPages": 1, "currentPage": 1, "totalCount": 1},
}  # fmt: skip
MODUS_RUNS = {
    "runs": [
        {"id": "wf_42_run_1:11111111-2222-3333-4444-555555555555", "workflowId": "wf_42_run_1", "agentId": 42,
         "agentName": "Daily Sales Report", "agentType": "task", "status": "completed", "temporalRunId": "<string>",
         "triggerType": "<string>", "startedAt": "<string>", "endedAt": "<string>", "durationMs": 123,
         "summary": "<string>", "pendingApproval": {}}
    ],
    "counts": {"all_executions": 100, "running": 1, "awaiting_human": 0, "error": 2, "completed": 97},
    "nextPageToken": None,
}  # fmt: skip


def handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    routes: dict[str, Any] = {
        "/api/v2/platform/agents/space-agent-8qmk42nslp91wrh3dz7btxc4/executions/": UNPOD_EXECUTIONS,
        "/api/v2/platform/agents/space-agent-8qmk42nslp91wrh3dz7btxc4/tasks/": UNPOD_AGENT_TASKS,
        "/api/v2/platform/spaces/": {"status_code": 200, "message": "ok", "data": []},
        "/v1/agents/agent_12345abcde/executions": RUNTYPE_EXECUTIONS,
        "/api/v1/agents/42/runs": MODUS_RUNS,
    }
    body = routes.get(path)
    if body is None:
        return httpx.Response(404, text="<h1>Not Found</h1>", headers={"Content-Type": "text/html"})
    page = int(request.url.params.get("page", "1"))
    if path.startswith("/api/v2/") and page > 1:
        body = {**body, "data": []}
    return httpx.Response(200, content=json.dumps(body), headers={"Content-Type": "application/json"})


async def test_documented_examples_parse_into_the_domain_model() -> None:
    settings = Settings(accounts=accounts_for("https://docs.example"), cache_enabled=False)
    async with mcp_client(settings, transport=httpx.MockTransport(handler)) as client:
        res = await call(
            client, "list_agent_executions", provider="unpod", agent="space-agent-8qmk42nslp91wrh3dz7btxc4"
        )
        runs = executions_of(res.structured_content)
        assert [(r["run_id"], r["status"], r["tasks_total"], r["tasks_completed"]) for r in runs] == [
            ("R8ff2ccdefe9a11f0878d43cd8a99e069", "completed", 12, 10),
            ("R6b653894fe9411f0878d43cd8a99e069", "failed", 3, 0),
        ]
        assert runs[0]["started_at"] == "2026-02-07T05:57Z" and res.structured_content["total"] == 2

        res = await call(
            client, "get_run_tasks", provider="unpod", run_id="R8ff2ccdefe9a11f0878d43cd8a99e069",
            agent="space-agent-8qmk42nslp91wrh3dz7btxc4",
        )  # fmt: skip
        (task,) = res.structured_content["tasks"]
        assert task["task_id"] == "T8ff2ccdffe9a11f0878d43cd8a99e069"
        assert res.structured_content["task_kind"] == "call" and "kind" not in task  # one kind: said in the head
        assert "duration_s" not in task and "cost_usd" not in task and "has_transcript" not in task  # absent facts

        res = await call(client, "list_agent_executions", provider="runtype", agent="agent_12345abcde", detail="full")
        (run,) = executions_of(res.structured_content)
        assert run["cost_usd"] == 0.023 and run["tokens"] == 450 and run["duration_s"] == 195.0
        assert run["stop_reason"] == "max_iterations_reached" and run["trigger"] == "webhook"

        res = await call(client, "list_agent_executions", provider="modus", agent="42")
        (run,) = executions_of(res.structured_content)
        assert run["run_id"] == "wf_42_run_1:11111111-2222-3333-4444-555555555555"
        assert "started_at" not in run and run["duration_s"] == 0.123 and run["status"] == "completed"
        assert res.structured_content["total"] == 100


async def test_hosts_without_undocumented_endpoints_degrade_with_a_note() -> None:
    """Runtype's execution detail and tool-call list are not in the pages we were given: without them,
    the conversation still has the execution's metadata, and says what is missing."""
    settings = Settings(accounts=accounts_for("https://docs.example"), cache_enabled=False)
    async with mcp_client(settings, transport=httpx.MockTransport(handler)) as client:
        args = {"provider": "runtype", "call_id": "exec_9f8b7c6d5a4e3f21", "agent": "agent_12345abcde"}
        res = await call(client, "get_call_transcript", **args)
        data = res.structured_content
        assert data["call"]["status"] == "completed" and data["call"]["cost_usd"] == 0.023
        assert any("no execution-detail endpoint" in n for n in data["notes"])
        assert any("no list-tool-calls endpoint" in n for n in data["notes"])
        tasks = await call(client, "get_run_tasks", provider="runtype", run_id=args["call_id"], agent=args["agent"])
        assert tasks.structured_content["tasks"] == []
        assert any("no list-tool-calls endpoint" in n for n in tasks.structured_content["notes"])
