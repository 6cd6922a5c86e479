"""Provider requests each demo tool call makes: health reports of a Runtype agent, a Modus workflow and an Unpod
speech agent, their listings, one speech call, and the fleet view, counted at the transport (every request the
adapters send, cache off).

    .venv/bin/python bench/provider_requests.py

Prints one line per tool call: the total, then the requests per endpoint (ids replaced by `{id}`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

import anyio
import httpx
from mcp import Client

from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.server.app import build_server
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.simulator.app import create_app
from agent_runs_mcp.simulator.world import World

IDS = re.compile(
    r"/(?:[0-9a-f]{8}-[0-9a-f-]{27}|\d+|aex_\w+|exec_\w+|call_\w+|asst_\w+|space-agent-\w+|[A-Z0-9]{24}|wf-[\w-]+"
    r"|[\w-]+:[\w-]+)(?=/|$)"
)


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths[IDS.sub("/{id}", request.url.path)] += 1
        return await self.inner.handle_async_request(request)


async def main() -> None:
    logging.disable(logging.INFO)
    world = World(seed=7)
    counting = Counting(httpx.ASGITransport(app=create_app(world)))
    settings = load_settings({"AGENT_RUNS_CACHE": "off"}, demo=True)
    registry = Registry(settings, transport=counting)
    triage = next(a for a in world.runtype_agents if a.name == "Support Triage")
    flow = world.modus_agents[-1]
    voice = world.speech_agents[0]["agent_id"]
    talked = next(c["id"] for c in world.speech_calls if c["agent_id"] == voice and c["_transcript"])
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("runtype agent health (24h)", "summarize_run_health", {"provider": "runtype", "agent": triage.id}),
        (
            "runtype executions (limit 10)",
            "list_agent_executions",
            {"provider": "runtype", "agent": triage.id, "limit": 10},
        ),
        ("modus workflow health (24h)", "summarize_run_health", {"provider": "modus", "agent": str(flow.id)}),
        ("modus runs (limit 10)", "list_agent_executions", {"provider": "modus", "agent": str(flow.id), "limit": 10}),
        ("speech agent health (7d)", "summarize_run_health", {"provider": "unpod", "agent": voice, "since": "7d"}),
        ("speech calls (limit 10)", "list_agent_executions", {"provider": "unpod", "agent": voice, "limit": 10}),
        ("speech call transcript", "get_call_transcript", {"provider": "unpod", "call_id": talked}),
        ("speech call run report", "summarize_run_health", {"provider": "unpod", "agent": voice, "run_id": talked}),
        ("fleet, runtype (24h)", "summarize_fleet_health", {"provider": "runtype"}),
        ("fleet, modus (24h)", "summarize_fleet_health", {"provider": "modus"}),
        ("fleet, unpod (24h)", "summarize_fleet_health", {"provider": "unpod"}),
    ]
    async with Client(build_server(settings, registry), mode="legacy") as client:
        for label, tool, args in calls:
            counting.paths.clear()
            res = await client.call_tool(tool, args)
            state = "error" if res.is_error else "ok"
            detail = ", ".join(f"{path} x{n}" for path, n in sorted(counting.paths.items()))
            print(f"{label:32} {sum(counting.paths.values()):4} requests ({state}): {detail}")
    await registry.aclose()


if __name__ == "__main__":
    anyio.run(main)
