"""Fleet and report wording: the cause that set the verdict, points not percent, an empty fleet that says why."""

from __future__ import annotations

import pytest

from agent_runs_mcp.config import Settings
from agent_runs_mcp.domain import Status, Tally
from agent_runs_mcp.tools.health.figures import Accumulator, headline_of, verdict_of
from tests.conftest import call, mcp_client


def test_headline_names_the_cause_that_set_the_verdict() -> None:
    """No answer is the biggest reason, but the system failures (SIP) are what make it failing."""
    acc = Accumulator()
    reasons = ["customer-did-not-answer"] * 4 + ["sip-503-service-unavailable"] * 3 + [None] * 3
    for i, reason in enumerate(reasons):
        acc.add(Tally(item_id=f"t{i}", status=Status.FAILED if reason else Status.COMPLETED, reason=reason))
    verdict = verdict_of(acc)
    headline = headline_of(acc, verdict, "call tasks", "in run R1")
    assert verdict == "failing"
    assert "cause: system failures 30% of finished, mostly SIP or carrier error (30%)" in headline
    assert "no answer" not in headline


def test_one_finished_item_is_singular() -> None:
    acc = Accumulator()
    acc.add(Tally(item_id="e1", status=Status.COMPLETED))
    text = headline_of(acc, verdict_of(acc), "executions", "for agent 42")
    assert text.startswith("Insufficient data: 1 finished execution for agent 42")


@pytest.mark.anyio
async def test_fleet_without_accounts_says_no_account_is_configured() -> None:
    async with mcp_client(Settings(accounts={}, cache_enabled=False)) as client:
        res = await call(client, "summarize_fleet_health")
    text = res.content[0].text
    assert "no account configured" in text.splitlines()[0] and "UNPOD_API_TOKEN" in text
    assert res.structured_content["counted"] == 0
