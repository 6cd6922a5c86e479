"""The failure vocabulary's account categories: plan or quota limits and refused credentials.

The trial counted "Enrichment provider quota exceeded" and "Salesforce API returned 401: session expired" as
tool errors. They now have their own categories, counted by the reports, accepted by the task table's `reason`
filter, and said the same way where failed items are listed.
"""

from __future__ import annotations

from collections import Counter

import pytest
from mcp import Client

from agent_runs_mcp.errors import InputError
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.health.reasons import REASON_LABELS, SYSTEM_REASONS, classify_failure
from agent_runs_mcp.tools.task_table import parse_reason
from tests.conftest import call, call_error
from tests.test_failures import every_item

pytestmark = pytest.mark.anyio

QUOTA = "Enrichment provider quota exceeded"
EXPIRED = "Salesforce API returned 401: session expired"


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        (QUOTA, "plan_limit"),
        ("Run failed: " + QUOTA, "plan_limit"),
        ("plan or quota limit reached: Monthly execution limit reached (upgrade: https://x.example/billing)",
         "plan_limit"),
        ("Insufficient credits for this workspace", "plan_limit"),
        (EXPIRED, "auth_error"),
        ("tool crm_update failed: " + EXPIRED, "auth_error"),
        ("HTTP 403 Forbidden from the ticketing API", "auth_error"),
        ("Invalid API key", "auth_error"),
        ("Permission denied for scope crm:write", "auth_error"),
        # what stays where it was
        ("SIP 403 Forbidden", "sip_error"),  # a carrier's refusal is the carrier's
        ("tool create_ticket failed: HTTP 422 from ticketing API", "tool_error"),
        ("rate limited by the CRM", "tool_error"),  # throttling passes; a quota does not
        ("Timeout waiting for warehouse query (120s)", "timeout"),
        ("LLM provider returned 503 (overloaded)", "agent_error"),
        ("Task exceeded maximum retries (3)", "max_retries"),
    ],
)  # fmt: skip
def test_account_failures_have_their_own_categories(reason: str, category: str) -> None:
    assert classify_failure(reason) == category


def test_the_new_categories_are_system_failures_and_filterable_by_key_or_label() -> None:
    assert {"plan_limit", "auth_error"} <= SYSTEM_REASONS  # as the tool errors they used to be counted as
    assert parse_reason("plan or quota limit") == "plan_limit" and parse_reason("PLAN_LIMIT") == "plan_limit"
    assert parse_reason("Authentication or permission error") == "auth_error" and parse_reason("auth error")
    with pytest.raises(InputError) as refused:
        parse_reason("401")
    said = str(refused.value)
    assert '"plan or quota limit"' in said and '"authentication or permission error"' in said
    assert set(REASON_LABELS) >= {"plan_limit", "auth_error", "tool_error"}


async def test_a_workflow_report_counts_them_as_the_simulator_recorded_them(client: Client, world: World) -> None:
    runs = world.modus_runs[57]
    truth = Counter(
        "plan_limit" if QUOTA in r["summary"] else "auth_error" if EXPIRED in r["summary"] else "other"
        for r in runs
        if r["status"] == "error"
    )
    assert truth["plan_limit"] and truth["auth_error"], truth  # the demo world has both
    report = (
        await call(client, "summarize_run_health", provider="modus", agent="57", since="3650d")
    ).structured_content
    counted = {r["reason"]: r["count"] for r in report["top_failure_reasons"]}
    assert counted["plan_limit"] == truth["plan_limit"] and counted["auth_error"] == truth["auth_error"]
    labels = {r["reason"]: r["label"] for r in report["top_failure_reasons"]}
    assert labels["plan_limit"] == "plan or quota limit"
    assert "tool_error" not in counted  # nothing of these is a tool error any more

    # The listing says the same about the same runs as the report's examples.
    listed, _ = await every_item(
        client, "list_agent_executions", "executions", provider="modus", agent="57", status="failed", since="3650d"
    )
    errors = {r["run_id"]: r.get("error") or r.get("summary") for r in listed}
    for reason in report["top_failure_reasons"]:
        for run_id in reason["example_task_ids"]:
            assert classify_failure(errors[run_id]) == reason["reason"], (run_id, errors[run_id])


async def test_the_task_table_finds_the_failed_step_by_its_category(client: Client, world: World) -> None:
    run = next(r for r in world.modus_runs[57] if r["status"] == "error" and EXPIRED in r["summary"])
    args = {"provider": "modus", "agent": "57", "run_id": run["id"]}
    found = (
        await call(client, "get_run_tasks", **args, reason="authentication or permission error")
    ).structured_content
    assert [t["status"] for t in found["tasks"]] == ["failed"] and EXPIRED in found["tasks"][0]["failure_reason"]
    rows = (await call(client, "get_run_tasks", **args, reason="auth_error", detail="rows")).structured_content
    assert [row[rows["columns"].index("reason")] for row in rows["rows"]] == ["authentication or permission error"]
    none = (await call(client, "get_run_tasks", **args, reason="plan or quota limit")).structured_content
    assert none["tasks"] == []
    refused = await call_error(client, "get_run_tasks", **args, reason="quota!" * 10)
    assert "`reason`" in refused and "plan or quota limit" in refused


def plan_limited(execution: dict) -> bool:
    return (execution["_reason"][0] or "").startswith("plan or quota")


async def test_runtype_plan_limits_are_counted_as_such(client: Client, world: World) -> None:
    failed = [e for e in world.runtype_executions if plan_limited(e)]
    agent = failed[0]["agentId"]
    truth = sum(1 for e in failed if e["agentId"] == agent)
    report = (
        await call(client, "summarize_run_health", provider="runtype", agent=agent, since="3650d")
    ).structured_content
    counted = {r["reason"]: r["count"] for r in report["top_failure_reasons"]}
    assert counted.get("plan_limit") == truth


async def test_a_report_says_what_its_top_reasons_leave_out(client: Client, world: World) -> None:
    """Five categories are listed; with more (the vocabulary grew), the rest are counted, not dropped."""
    agent = world.runtype_agents[0].id
    res = await call(client, "summarize_run_health", provider="runtype", agent=agent, since="7d")
    data = res.structured_content
    rest = data["totals"]["failed"] - sum(r["count"] for r in data["top_failure_reasons"])
    assert rest > 0 and len(data["top_failure_reasons"]) == 5  # the demo's week has six categories
    assert f"- {rest} more failed in other categories." in res.content[0].text
