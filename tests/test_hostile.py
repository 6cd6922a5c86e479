"""Hostile input, bounded output: every case a schema-driven fuzz found, as a regression test through MCP."""

from __future__ import annotations

import logging

import pytest
from mcp import Client

from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.world import World
from tests.conftest import call, call_error

pytestmark = pytest.mark.anyio

BAD_CHARS = ("\x00", "\x1b", "\u202e", "\ufeff")


def clean(text: str) -> bool:
    return not any(ch in text for ch in BAD_CHARS)


@pytest.mark.parametrize(
    ("span", "accepted"),
    [
        ("800000d", "3650d"),
        ("100000000h", "3650d"),
        ("9" * 60 + "d", "3650d"),
        ("9" * 400 + "d", "at most 64 characters"),
        ("3000-01-01T00:00:00Z", "2000 and 2100"),
    ],
)
async def test_spans_and_times_are_bounded(client: Client, world: World, span: str, accepted: str) -> None:
    agent = world.runtype_agents[0].id
    for tool in ("list_agent_executions", "summarize_run_health"):
        text = await call_error(client, tool, provider="runtype", agent=agent, since=span)
        assert "`since`" in text and accepted in text and len(text) < 600, text


@pytest.mark.parametrize(
    ("tool", "args", "argument"),
    [
        ("list_agents", {"provider": "unpod", "search": "A" * 100_000}, "search"),
        ("get_run_tasks", {"ref": "unpod:run:r=R1", "provider": "A" * 100_000}, "provider"),
        (
            "get_call_transcript",
            {"provider": "runtype", "call_id": "e", "agent": "a", "search": "x" * 100_000},
            "search",
        ),
        ("list_agent_executions", {"provider": "runtype", "agent": "a" * 5000}, "agent"),
        ("list_agent_executions", {"provider": "A" * 100_000, "status": "failed"}, "provider"),
        ("list_agent_executions", {"status": "failed", "since": "9" * 400 + "d"}, "since"),
        ("list_agent_executions", {"status": "failed", "cursor": "c1." + "A" * 5000}, "cursor"),
        (
            "list_agent_executions",
            {"status": "failed", "cursor": "c1.eyJxIjoiMTIzIiwidCI6IltcIm5vcGVcIl0iLCJvIjowfQ"},
            "cursor",
        ),
        ("search_calls", {"query": "x" * 100_000}, "query"),
        ("search_calls", {"query": " OR ".join(["w"] * 150)}, "query"),
        ("search_calls", {"query": " OR ".join(["w"] * 26)}, "query"),
        ("search_calls", {"query": "?! ... ---"}, "query"),
        ("search_calls", {"query": '"" OR ""'}, "query"),
        ("search_calls", {"query": "x", "provider": "nope" * 10_000}, "provider"),
        ("search_calls", {"query": "x", "space": "F1O3QJM1Y7Q1AVVUYNV4VPRB"}, "space"),
    ],
)
async def test_huge_arguments_are_refused_briefly(client: Client, tool: str, args: dict, argument: str) -> None:
    text = await call_error(client, tool, **args)
    assert f"`{argument}`" in text and len(text) < 600, text[:700]


async def test_unknown_arguments_are_listed_briefly(client: Client) -> None:
    many = {f"k{i}": i for i in range(2000)}
    text = await call_error(client, "list_providers", **many)
    assert "unknown argument" in text and "and 1995 more" in text and len(text) < 400
    text = await call_error(client, "list_providers", **{"x" * 50_000: 1})
    assert len(text) < 400


@pytest.mark.parametrize("other", ["someone-else", "../../admin", "a\x00b"])
async def test_arguments_that_contradict_a_ref_are_refused_on_every_tool(
    client: Client, world: World, other: str
) -> None:
    run = next(r for r in world.unpod_runs if r.phase == "done" and r.n_tasks < 200)
    args = {"provider": "unpod", "run_id": run.run_id, "space": run.space, "limit": 1, "detail": "full"}
    tasks = await call(client, "get_run_tasks", **args)
    task_ref = tasks.structured_content["tasks"][0]["ref"]
    run_ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
    for tool, ref in (("get_call_transcript", task_ref), ("get_run_tasks", run_ref), ("summarize_run_health", None)):
        if ref is None:
            runs = await call(
                client, "list_agent_executions", provider="unpod", agent=run.agent.handle, limit=1, detail="full"
            )
            ref = runs.structured_content["executions"][0]["ref"]
        text = await call_error(client, tool, ref=ref, agent=other)
        assert "`agent`" in text and clean(text), (tool, text)


@pytest.mark.parametrize("ref", ["unpod:run:r=", "unpod:run:a=space-agent-x", "unpod:task:r=R1", "modus:agent:"])
async def test_refs_without_their_required_parts_are_refused(client: Client, ref: str) -> None:
    text = await call_error(client, "summarize_run_health", ref=ref)
    assert "`ref`" in text


@pytest.mark.parametrize("needle", ["[]", "{}", '{"a": 1}', "null", "true", "42"])
async def test_strings_stay_strings(client: Client, needle: str) -> None:
    res = await call(client, "list_agents", provider="unpod", search=needle)
    data = res.structured_content
    assert data["agents"] == [] and any(repr(needle.lower()) in n for n in data["notes"]), data["notes"]


@pytest.mark.parametrize(("argument", "value"), [("limit", True), ("limit", "20"), ("fresh", "yes"), ("fresh", 1)])
async def test_coercions_are_strict(client: Client, argument: str, value: object) -> None:
    text = await call_error(client, "list_agents", provider="unpod", **{argument: value})
    assert f"`{argument}`" in text


async def test_control_and_invisible_characters_never_reach_the_model(client: Client) -> None:
    for args in (
        {"provider": "runtype", "agent": "\x1b[31mred\u202eevil\ufeff"},
        {"provider": "nope\x00\u202e"},
        {"provider": "runtype", "agent": "a", "since": "\x1b[2J\u202e7d"},
    ):
        text = await call_error(client, "list_agent_executions", **args)
        assert clean(text), repr(text)
    res = await call(client, "list_agents", provider="unpod", search="zz\u202e\ufeffzz")
    assert clean(res.content[0].text) and clean(str(res.structured_content))


async def test_published_schemas_say_what_is_enforced(client: Client) -> None:
    for tool in (await client.list_tools()).tools:
        schema = tool.input_schema
        assert schema.get("additionalProperties") is False, tool.name
        for name, prop in schema["properties"].items():
            if prop.get("type") == "string" and "enum" not in prop:
                assert "maxLength" in prop, (tool.name, name)


async def test_every_call_is_logged_with_its_outcome(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="agent_runs_mcp.tools"):
        await call_error(client, "list_agent_executions", provider="runtype", agent="a", since="forever")
        await call_error(client, "list_agents", provider="unpod", limit=0)
        await call(client, "list_providers")
    lines = [r.getMessage() for r in caplog.records if r.name == "agent_runs_mcp.tools"]
    assert any("tool=list_agent_executions" in line and "outcome=InputError" in line for line in lines), lines
    assert any("tool=list_agents" in line and "outcome=invalid_arguments" in line for line in lines), lines
    assert any("tool=list_providers" in line and "outcome=ok" in line for line in lines), lines


async def test_a_whole_number_for_an_id_is_that_id(client: Client) -> None:
    """Hosts like the MCP Inspector send `agent=63` as the number 63: for an id that keeps its meaning."""
    res = await call(client, "list_agent_executions", provider="modus", agent=63, limit=1)
    assert res.structured_content["agent"] == "63"
    text = await call_error(client, "list_agent_executions", provider="modus", agent=63.5)
    assert "`agent`" in text
