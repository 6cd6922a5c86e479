"""Runtype's richer "why": plan or quota limits (`upgradeUrl`), denied or timed-out approvals, failed tools in
the events, the execution status's `error`, and logs that say they are degraded (entries may be missing)."""

from __future__ import annotations

import pytest
from mcp import Client

from agent_runs_mcp.providers.runtype.mapping import error_of_events, error_of_status, logs_degraded
from agent_runs_mcp.simulator.world import World
from tests.conftest import call

pytestmark = pytest.mark.anyio

GENERIC = {"type": "execution_error", "error": {"code": "INTERNAL_ERROR", "message": "Internal error"}}


def test_events_name_plan_limits_approvals_and_failed_tools() -> None:
    quota = {**GENERIC, "error": {"code": "PLAN_LIMIT", "message": "Limit reached"}, "upgradeUrl": "https://x/billing"}
    assert error_of_events([quota]) == "plan or quota limit reached: Limit reached (upgrade: https://x/billing)"
    denied = {"type": "approval_complete", "decision": "denied", "resolvedBy": "user"}
    assert error_of_events([denied, GENERIC]) == "approval denied by user"
    assert error_of_events([{**denied, "decision": "timeout"}, GENERIC]).startswith("approval timed out")
    assert error_of_events([{**denied, "decision": "approved"}, GENERIC]) is None
    tool = {"type": "tool_complete", "success": False, "toolName": "create_ticket", "error": "HTTP 422"}
    assert error_of_events([tool, GENERIC]) == "tool create_ticket failed: HTTP 422"
    assert error_of_events([{**tool, "success": True}, GENERIC]) is None
    specific = {**GENERIC, "error": {"code": "MODEL_ERROR", "message": "Model returned an invalid tool call"}}
    assert error_of_events([tool, specific]) == "Model returned an invalid tool call (MODEL_ERROR)"  # the error first
    assert error_of_events([{**GENERIC, "blockReason": "policy"}]) == "blocked: policy"


def test_status_and_logs_flags() -> None:
    assert error_of_status({"status": "failed", "error": "Context too long", "httpStatus": 400}) == (
        "Context too long (HTTP 400)"
    )
    assert error_of_status({"status": "failed", "error": "Execution failed"}) is None  # says only that it failed
    assert error_of_status({"status": "completed"}) is None
    assert logs_degraded({"success": True, "data": {"entries": [], "degraded": True}})
    assert not logs_degraded({"success": True, "data": {"entries": []}})


@pytest.mark.parametrize("source", ["status", "events"])
async def test_reports_and_transcripts_read_the_new_sources(client: Client, world: World, source: str) -> None:
    failed = next(
        e
        for e in world.runtype_executions
        if e["_truth"] == "failed"
        and e["_reason"][1] == source
        and e["parentExecutionId"] is None
        and (source != "events" or "upgrade" in e["_reason"][0])
    )
    res = await call(client, "get_call_transcript", provider="runtype", call_id=failed["id"], agent=failed["agentId"])
    assert failed["_reason"][0] in res.structured_content["call"]["end_reason"]


async def test_degraded_logs_are_a_note(client: Client, world: World) -> None:
    lost = next(e for e in world.runtype_executions if e["_logs_degraded"])
    res = await call(client, "get_call_transcript", provider="runtype", call_id=lost["id"], agent=lost["agentId"])
    data = res.structured_content
    assert lost["_reason"][0] in data["call"]["end_reason"]
    assert any("degraded" in note and "may be missing" in note for note in data["notes"])
