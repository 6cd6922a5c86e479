"""Start-up loads what `tools/list` needs, not what a tool call needs (#21 item 8).

A cold start to `tools/list` is measured against a bare SDK server (`bench/startup.py`, target 1.10x); the
tools' implementations (listing, search, health figures, the adapters' base) load with the first call that
uses them. This checks, in a fresh interpreter, that building the server and listing its tools imports none
of them, so a new module-level import in a tool module cannot quietly undo it."""

from __future__ import annotations

import json
import subprocess
import sys

LOADED_ON_FIRST_CALL = (
    "agent_runs_mcp.providers.base",
    "agent_runs_mcp.providers.capabilities",
    "agent_runs_mcp.providers.facts",
    "agent_runs_mcp.providers.unpod.adapter",
    "agent_runs_mcp.providers.runtype.adapter",
    "agent_runs_mcp.providers.modus.adapter",
    "agent_runs_mcp.tools.budget",
    "agent_runs_mcp.tools.capabilities",
    "agent_runs_mcp.tools.failures",
    "agent_runs_mcp.tools.fleet_merge",
    "agent_runs_mcp.tools.hints",
    "agent_runs_mcp.tools.listing",
    "agent_runs_mcp.tools.matching",
    "agent_runs_mcp.tools.paging",
    "agent_runs_mcp.tools.sanitize",
    "agent_runs_mcp.tools.scope",
    "agent_runs_mcp.tools.task_table",
    "agent_runs_mcp.tools.health.cache",
    "agent_runs_mcp.tools.health.change",
    "agent_runs_mcp.tools.health.figures",
    "agent_runs_mcp.tools.health.reasons",
    "agent_runs_mcp.tools.health.render",
    "agent_runs_mcp.tools.health.report",
    "agent_runs_mcp.tools.health.scan",
)

PROBE = """
import json, sys
import anyio
from agent_runs_mcp.server.app import build_server
from agent_runs_mcp.server.demo_wiring import load_settings

async def main():
    server = build_server(load_settings({}, demo=True))
    tools = await server.list_tools()
    assert len(tools) == 8
anyio.run(main)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("agent_runs_mcp"))))
"""


def loaded_at_start_up() -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_listing_the_tools_loads_no_tool_implementation() -> None:
    loaded = loaded_at_start_up()
    assert "agent_runs_mcp.tools.search" in loaded  # the probe did build the server
    early = sorted(set(LOADED_ON_FIRST_CALL) & loaded)
    assert not early, f"imported at start-up, before any tool call: {early}"


def test_each_listed_module_exists() -> None:
    """A renamed module would make the check above pass vacuously."""
    import importlib.util

    missing = [name for name in LOADED_ON_FIRST_CALL if importlib.util.find_spec(name) is None]
    assert not missing
