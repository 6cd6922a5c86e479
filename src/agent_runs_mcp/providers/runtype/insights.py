"""Runtype's run insights (``GET /v1/agents/{id}/run-insights``) -> window facts. Pure functions.

The SDK (runtype-sdk 5.5.0, ``agents/raw_client.py`` ~2977-2999, models
``agents/types/get_v1agents_id_run_insights_response_data*.py``): ``{success, data}`` with ``data``
= ``versions[{agentVersionId, versionNumber, label, runs, failed}]``, ``tools[{toolName, calls,
failedCalls, runsUsing}]``, ``attachedTools``, ``neverCalledTools`` (judged over ``attachedToolsRuns``
runs of ``attachedToolsVersionId``), ``cost{avgPerRun}``, ``tokens{avgPerRun, avgInputPerRun}`` and
``window{from, to, runs}``. It rolls up the agent's most recent runs (``limit``, 1-200, default 50),
not a time window: the report says which runs it covers.
"""

from __future__ import annotations

from typing import Any

from agent_runs_mcp.providers.facts import ToolUse, WindowFacts
from agent_runs_mcp.providers.jsonread import as_dict, as_float, as_int, as_list, as_text
from agent_runs_mcp.timeutil import parse_time

INSIGHTS_RUNS = 200
"""Most recent runs one insights request rolls up (the API's maximum)."""


def facts_of_insights(body: Any) -> WindowFacts:
    data = as_dict(as_dict(body).get("data", body))
    tools = []
    for raw in as_list(data.get("tools")):
        name, calls = as_text(as_dict(raw).get("toolName"), 80), as_int(as_dict(raw).get("calls"))
        if name and calls is not None:
            failed = as_int(raw.get("failedCalls")) or 0
            tools.append(ToolUse(name=name, calls=calls, failed=failed, runs_using=as_int(raw.get("runsUsing"))))
    tools.sort(key=lambda t: (-t.failed, -t.calls, t.name))
    window = as_dict(data.get("window"))
    runs = as_int(window.get("runs"))
    start, end = parse_time(window.get("from")), parse_time(window.get("to"))
    covers = None
    if runs is not None:
        span = f" ({start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC)" if start and end else ""
        covers = f"the agent's last {runs} runs{span}"
    return WindowFacts(
        tools=tools,
        never_called=[n for n in (as_text(x, 80) for x in as_list(data.get("neverCalledTools"))) if n],
        covers=covers,
        cost_per_run_usd=as_float(as_dict(data.get("cost")).get("avgPerRun")),
        tokens_per_run=as_float(as_dict(data.get("tokens")).get("avgPerRun")),
    )
