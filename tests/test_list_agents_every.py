"""`list_agents` without `provider` lists every account's agents, each naming its account (trials 3 and 4:
an assistant's first call, `list_agents()`, failed with "`provider` is required" when several accounts were
configured)."""

from __future__ import annotations

import pytest
from mcp import Client

from agent_runs_mcp.simulator.faults import Rule
from tests.conftest import call
from tests.test_tools import page_all

pytestmark = pytest.mark.anyio


async def test_every_account_s_agents_are_each_account_s_own_listing(client: Client) -> None:
    every = await page_all(client, "list_agents", "agents", limit=5)
    expected = []
    for name in ("unpod", "runtype", "modus"):  # accounts as configured
        own = await page_all(client, "list_agents", "agents", provider=name)
        expected += [(name, agent["id"], agent.get("name")) for agent in own]
    assert [(a["provider"], a["id"], a.get("name")) for a in every] == expected
    res = await call(client, "list_agents")
    text = res.content[0].text
    assert text.startswith(f"every account (3): {len(expected)} agent(s)")
    assert "provider" not in res.structured_content and res.structured_content["accounts"] == 3
    assert all(f"- {p} · {i} · " in text for p, i, _ in expected)  # every line names its account first


async def test_one_account_s_listing_is_unchanged(client: Client) -> None:
    res = await call(client, "list_agents", provider="modus")
    assert res.structured_content["provider"] == "modus"
    assert all("provider" not in agent for agent in res.structured_content["agents"])  # the envelope says it
    assert res.content[0].text.startswith("modus: ")


async def test_an_account_whose_agents_cannot_be_listed_is_a_note(client: Client, faults) -> None:
    faults.rules = [Rule(match="/api/v1/workflows", fault="500")]
    res = await call(client, "list_agents", limit=100)
    assert not res.is_error
    accounts = {agent["provider"] for agent in res.structured_content["agents"]}
    assert accounts == {"unpod", "runtype"}
    assert any(note.startswith("modus: agents not listed") for note in res.structured_content["notes"])


async def test_a_search_covers_every_account(client: Client) -> None:
    res = await call(client, "list_agents", search="invoice")
    found = {(agent["provider"], agent["name"]) for agent in res.structured_content["agents"]}
    assert found == {("runtype", "Invoice Extractor"), ("modus", "Invoice Approval")}
