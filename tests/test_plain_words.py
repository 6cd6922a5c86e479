"""Words a reader would misread (issue 22 item 9, the hosts' part): one masked form for every phone
number, settings errors that name the variable the operator set, no `null` at detail="full"."""

from __future__ import annotations

import re

import pytest
from mcp import Client

from agent_runs_mcp.errors import ConfigError
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.sanitize import redact_text
from tests.conftest import call

pytestmark = pytest.mark.anyio

MASKED = re.compile(r"\*\*\*\d\d")


def test_a_phone_number_is_masked_one_way_whatever_its_format() -> None:
    forms = ["+14155555890", "14155555890", "+1 415-555-5890", "(415) 555 5890", "415.555.5890"]
    assert {redact_text(f"call {form} now") for form in forms} == {"call ***90 now"}


async def test_every_contact_in_results_has_the_same_masked_form(client: Client, world: World) -> None:
    """Call tasks carry the number as queued (`+1415...`) or as dialled (`1415...`): both read `***NN`."""
    numbers: list[str] = []
    for run in [r for r in world.unpod_runs if r.phase == "done"][:3]:
        res = await call(client, "get_run_tasks", provider="unpod", run_id=run.run_id, space=run.space, limit=50)
        for task in res.structured_content["tasks"]:
            contact = task.get("contact") or ""
            numbers += re.findall(r"\(([^)]*)\)$", contact) or ([contact] if contact else [])
    assert len(numbers) > 20
    assert all(MASKED.fullmatch(n) for n in numbers), sorted({n for n in numbers if not MASKED.fullmatch(n)})


def test_settings_errors_name_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"AGENT_RUNS_TOKEN_BUDGET": "10"})
    said = str(caught.value)
    assert "AGENT_RUNS_TOKEN_BUDGET" in said and "token_budget" not in said and "'10'" in said, said
    with pytest.raises(ConfigError) as caught:
        load_settings({"RUNTYPE_API_KEY": "k", "AGENT_RUNS_READ_TIMEOUT_S": "500"})
    said = str(caught.value)
    assert "AGENT_RUNS_READ_TIMEOUT_S" in said and "read_timeout_s" not in said and "Input should" not in said, said


async def test_full_detail_names_the_agent_and_its_space_where_the_account_knows_them(
    client: Client, world: World
) -> None:
    run = next(r for r in world.unpod_runs if r.phase == "done")
    res = await call(client, "list_agent_executions", provider="unpod", agent=run.agent.handle, detail="full", limit=3)
    data = res.structured_content
    assert data["space"] == run.space, data.get("space")
    assert {e.get("agent_name") for e in data["executions"]} == {run.agent.name}
    assert None not in data.values() and all(None not in e.values() for e in data["executions"])
    concise = await call(client, "list_agent_executions", provider="unpod", agent=run.agent.handle, limit=3)
    assert "space" not in concise.structured_content  # concise keeps to what the text shows
