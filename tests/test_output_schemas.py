"""Typed output schemas (issue 22 item 7): every published field has a plain JSON type, so strict clients
(OpenAPI-subset dialects, the MCP Inspector's portability lint) can map it, and every result, at both detail
levels, still validates against what is published. `make test-hosts` runs the Inspector's own lint too
(tests/test_hosts.py)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from mcp import Client

from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.world import World
from tests.conftest import call

pytestmark = pytest.mark.anyio

CONSTRAINING = {"type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "properties", "items", "not"}


def portability_findings(schema: Any, path: str = "") -> list[str]:
    """The Inspector's two portability warnings: a schema that constrains nothing (`{}`), a `type` array."""
    if not isinstance(schema, dict):
        return []
    found = []
    if not CONSTRAINING & set(schema):
        found.append(f"{path or '<root>'}: untyped")
    if isinstance(schema.get("type"), list):
        found.append(f"{path}: type union {schema['type']}")
    for name, sub in schema.get("properties", {}).items():
        found += portability_findings(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        found += portability_findings(schema["items"], f"{path}[]")
    for i, sub in enumerate(schema.get("anyOf", [])):
        found += portability_findings(sub, f"{path}|{i}")
    return found


async def test_every_published_field_has_a_portable_type(demo_client: Client) -> None:
    for tool in (await demo_client.list_tools()).tools:
        assert tool.output_schema is not None, tool.name
        findings = portability_findings(tool.output_schema) + portability_findings(tool.input_schema)
        assert not findings, (tool.name, findings)


def test_the_lint_itself_finds_what_it_should() -> None:
    assert portability_findings({"type": "object", "properties": {"a": {}, "b": {"type": ["string", "null"]}}}) == [
        ".a: untyped",
        ".b: type union ['string', 'null']",
    ]


async def test_results_at_both_detail_levels_validate_against_the_typed_schemas(client: Client, world: World) -> None:
    """At `full`, a field without a value is left out (not `null`), which is what the plain types promise."""
    tools = (await client.list_tools()).tools
    schemas = {t.name: t.output_schema for t in tools}
    levels = {
        t.name: t.input_schema["properties"]["detail"]["enum"]
        for t in tools
        if "detail" in t.input_schema["properties"]
    }
    run = next(r for r in world.unpod_runs if r.phase == "done" and 20 <= r.n_tasks <= 100)
    ref = make_ref("unpod", "run", r=run.run_id, a=run.agent.handle, s=run.space)
    rt = world.runtype_agents[0]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("list_providers", {}),
        ("list_agents", {"provider": "unpod"}),
        ("list_agent_executions", {"provider": "runtype", "agent": rt.id}),
        ("list_agent_executions", {"provider": "unpod", "agent": run.agent.handle}),
        ("list_agent_executions", {"provider": "modus", "agent": "63"}),
        ("get_run_tasks", {"ref": ref}),
        ("search_calls", {"provider": "unpod", "query": "price", "agent": run.agent.handle}),
        ("summarize_run_health", {"ref": ref}),
        ("summarize_fleet_health", {}),
    ]
    seen = 0
    for tool, args in calls:
        for detail in ("concise", "full"):  # a tool without `full` (search_calls: concise or rows) takes its last
            level = detail if detail in levels.get(tool, [detail]) else levels[tool][-1]
            extra = {"detail": level} if tool in levels else {}
            res = await call(client, tool, **args, **extra)
            jsonschema.validate(res.structured_content, schemas[tool])
            seen += 1
    tasks = await call(client, "get_run_tasks", ref=ref, detail="full", limit=3)
    for task in tasks.structured_content["tasks"]:
        assert None not in task.values()
        res = await call(client, "get_call_transcript", ref=task["ref"])
        jsonschema.validate(res.structured_content, schemas["get_call_transcript"])
    assert seen >= len(calls)
