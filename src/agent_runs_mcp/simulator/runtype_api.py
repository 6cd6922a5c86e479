"""The simulated Runtype HTTP API (`/v1/...`): cursor pages, `{error, message}` errors."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agent_runs_mcp.simulator.names import DEMO_CREDENTIALS
from agent_runs_mcp.simulator.shared import parse_iso, public

if TYPE_CHECKING:
    from agent_runs_mcp.simulator.world import World


class RuntypeApi:
    """Request handlers mixed into :class:`~agent_runs_mcp.simulator.app.Sim`."""

    world: World

    @staticmethod
    def _rt_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse({"error": code, "message": message}, status, headers=headers)

    async def runtype(self, request: Request) -> Response:
        if not self._bearer(request, DEMO_CREDENTIALS["runtype"]["token"]):
            return self._rt_error(
                401,
                "unauthorized",
                "Invalid or missing API key",
                {"WWW-Authenticate": 'Bearer resource_metadata="https://api.runtype.com/.well-known/oauth"'},
            )
        parts = [p for p in request.url.path[len("/v1") :].split("/") if p]
        world = self.world
        match parts:
            case ["logs"]:
                # `{success, data: {entries, pagination: {cursor, hasMore}, degraded?}}` as runtype-sdk 5.5.0 reads
                # it (`logs/types/get_v1logs_response_data*.py`): the next page's cursor is `cursor`.
                q = request.query_params
                matched = [
                    (e, entry)
                    for e in world.runtype_executions
                    for entry in e["_logs"]
                    if (not q.get("executionId") or q["executionId"] in (e["id"], e["executionId"]))
                    and (not q.get("agentId") or entry["agentId"] == q["agentId"])
                    and (not q.get("level") or entry["level"] == q["level"])
                ]
                limit = self._int(request, "limit", 100, 1, 1000)
                start = self._int(request, "cursor", 0, 0)
                if limit is None or start is None:
                    return self._rt_error(400, "validation_error", "`limit` or `cursor` is invalid")
                page = [entry for _, entry in matched[start : start + limit]]
                more = start + limit < len(matched)
                body: dict[str, Any] = {
                    "entries": page,
                    "pagination": {"cursor": str(start + limit) if more else None, "hasMore": more},
                }
                if any(e["_logs_degraded"] for e, _ in matched):
                    body["degraded"] = True  # absent on healthy answers
                return JSONResponse({"success": True, "data": body})
            case ["executions", exec_id, "status"]:
                execution = world.runtype_execution(exec_id)
                if execution is None:
                    return self._rt_error(404, "not_found", "Execution not found")
                return JSONResponse(execution_status(execution))
            case ["agents"]:
                agents = [self._rt_agent(a) for a in world.runtype_agents]
                return self._rt_page(request, agents, lambda a: a["id"])
            case ["agents", agent_id]:
                agent = world.runtype_agent(agent_id)
                if agent is None:
                    return self._rt_error(404, "not_found", "Agent not found")
                return JSONResponse(self._rt_agent(agent))
            case ["agents", agent_id, "run-insights"]:
                agent = world.runtype_agent(agent_id)
                if agent is None:
                    return self._rt_error(404, "not_found", "Agent not found")
                limit = self._int(request, "limit", 50, 1, 200)
                if limit is None:
                    return self._rt_error(400, "validation_error", "`limit` must be an integer between 1 and 200")
                return JSONResponse({"success": True, "data": run_insights(world, agent, limit)})
            case ["agents", agent_id, "executions"]:
                if world.runtype_agent(agent_id) is None:
                    return self._rt_error(404, "not_found", "Agent not found")
                q = request.query_params
                parent = q.get("parentExecutionId")
                if parent:  # the parent by either of its ids
                    found = world.runtype_execution(parent)
                    parent = found["executionId"] if found else parent
                items = [
                    e
                    for e in world.runtype_executions
                    if (
                        e["parentExecutionId"] == parent
                        if parent
                        else e["agentId"] == agent_id and e["parentExecutionId"] is None
                    )
                ]
                if q.get("executionId"):
                    items = [e for e in items if q["executionId"] in (e["id"], e["executionId"])]
                if q.get("status"):
                    items = [e for e in items if e["status"] == q["status"]]
                if q.get("surfaceType"):
                    items = [e for e in items if e["surfaceType"] == q["surfaceType"]]
                for name, keep in (("from", lambda t, x: t >= x), ("to", lambda t, x: t <= x)):
                    if q.get(name):
                        bound = parse_iso(q[name])
                        if bound is None:
                            return self._rt_error(400, "validation_error", f"`{name}` must be an ISO 8601 timestamp")
                        items = [e for e in items if keep(parse_iso(e["createdAt"]), bound)]
                return self._rt_page(request, [public(e) for e in items], lambda e: e["id"])
            case ["agents", agent_id, "executions", exec_id, *rest]:
                execution = world.runtype_execution(exec_id)
                if execution is None or not self._rt_owns(agent_id, execution):
                    return self._rt_error(404, "not_found", "Execution not found")
                if not rest:
                    return JSONResponse({**public(execution), **execution["_detail"]})
                if rest == ["tool-calls"]:
                    # Not paginated; values over 16 KiB of JSON are replaced by {truncated, preview}.
                    return JSONResponse({"toolCalls": [_listed_tool_call(c) for c in execution["_tools"]]})
                if rest == ["events"]:
                    frames = "".join(f"id: {e['seq']}\ndata: {json.dumps(e)}\n\n" for e in execution["_events"])
                    return Response(frames, media_type="text/event-stream")
                if len(rest) == 2 and rest[0] == "tool-calls":
                    call = next((c for c in execution["_tools"] if rest[1] in (c["id"], c["toolCallId"])), None)
                    if call is None:
                        return self._rt_error(404, "not_found", "Tool call not found")
                    return JSONResponse(call)
        return self._rt_error(404, "not_found", "Route not found")

    def _rt_owns(self, agent_id: str, execution: dict[str, Any]) -> bool:
        if execution["agentId"] == agent_id:
            return True
        parent = self.world.runtype_execution(execution["parentExecutionId"] or "")
        return parent is not None and parent["agentId"] == agent_id

    def _rt_agent(self, agent: Any) -> dict[str, Any]:
        runs = [e for e in self.world.runtype_executions if e["agentId"] == agent.id]
        return {
            "id": agent.id,
            "name": agent.name,
            "description": agent.description,
            "icon": None,
            "primaryFlowId": "flow_01jv" + self.world.hexid("flow", agent.id, n=22),
            "config": {},
            "status": "active",
            "createdAt": (self.world.anchor - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updatedAt": (self.world.anchor - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "agentType": "assistant" if agent.subagent_of is None else "subagent",
            "capabilityCount": len(agent.tools),
            "lastRunAt": runs[0]["createdAt"] if runs else None,
        }

    def _rt_page(self, request: Request, items: list[dict[str, Any]], key: Any) -> Response:
        limit = self._int(request, "limit", 10, 1, 100)
        if limit is None:
            return self._rt_error(400, "validation_error", "`limit` must be an integer between 1 and 100")
        cursor = request.query_params.get("cursor")
        start = 0
        if cursor:
            ids = [key(i) for i in items]
            if cursor not in ids:
                return self._rt_error(400, "invalid_cursor", "Cursor is invalid or expired")
            start = ids.index(cursor)
        page = items[start : start + limit]
        more = start + limit < len(items)
        pagination: dict[str, Any] = {
            "nextCursor": key(items[start + limit]) if more else None,
            "prevCursor": key(items[max(0, start - limit)]) if start > 0 else None,
            "hasMore": more,
            "hasPrev": start > 0,
            "limit": limit,
            "currentOffset": start,
        }
        if request.query_params.get("includeCount") in ("true", "1"):
            pagination["totalPages"] = max(1, -(-len(items) // limit))
            pagination["currentPage"] = start // limit + 1
            pagination["totalCount"] = len(items)
        return JSONResponse({"data": page, "pagination": pagination})

    # --- Modus ------------------------------------------------------------------------------------


TRUNCATE_AT = 16 * 1024
"""The list endpoint replaces an input or output whose JSON text exceeds 16 KiB (runtype-sdk 5.5.0)."""


def _listed_tool_call(call: dict[str, Any]) -> dict[str, Any]:
    out = dict(call)
    for key, flag in (("inputParameters", "inputTruncated"), ("outputResult", "outputTruncated")):
        text = json.dumps(call.get(key))
        out[flag] = len(text) > TRUNCATE_AT
        if out[flag]:
            out[key] = {"truncated": True, "preview": text[:200]}
    return out


def run_insights(world: World, agent: Any, limit: int) -> dict[str, Any]:
    """``GET /v1/agents/{id}/run-insights`` as runtype-sdk 5.5.0 models it: the agent's last ``limit`` runs
    rolled up per version and per tool (``agents/types/get_v1agents_id_run_insights_response_data*.py``)."""
    runs = [e for e in world.runtype_executions if e["agentId"] == agent.id and e["parentExecutionId"] is None]
    runs = runs[:limit]  # newest first
    versions: dict[Any, dict[str, Any]] = {}
    tools: dict[str, dict[str, Any]] = {}
    for run in runs:
        version = run["agentVersion"] or {}
        row = versions.setdefault(
            run["agentVersionId"],
            {
                "agentVersionId": run["agentVersionId"],
                "versionNumber": version.get("versionNumber"),
                "label": version.get("label"),
                "runs": 0,
                "failed": 0,
            },
        )
        row["runs"] += 1
        row["failed"] += run["status"] in ("failed", "interrupted")
        for name in {c["toolName"] for c in run["_tools"]}:
            tools.setdefault(name, {"toolName": name, "calls": 0, "failedCalls": 0, "runsUsing": 0})["runsUsing"] += 1
        for call in run["_tools"]:
            tools[call["toolName"]]["calls"] += 1
            tools[call["toolName"]]["failedCalls"] += call["status"] == "failed"
    latest = runs[0]["agentVersionId"] if runs else None
    on_latest = [r for r in runs if r["agentVersionId"] == latest]
    called = {c["toolName"] for r in on_latest for c in r["_tools"]}
    costs = [float(r["totalCost"]) for r in runs if r["totalCost"] is not None]
    tokens = [r["totalTokens"] for r in runs if r["totalTokens"] is not None]
    return {
        "versions": sorted(versions.values(), key=lambda v: v["versionNumber"] or 0),
        "tools": sorted(tools.values(), key=lambda t: -t["calls"]),
        "attachedTools": list(agent.tools),
        "attachedToolsRuns": len(on_latest),
        "attachedToolsVersionId": latest,
        "neverCalledTools": [t for t in agent.tools if t not in called],
        "cost": {"avgPerRun": round(sum(costs) / len(costs), 6)} if costs else None,
        "tokens": {
            "avgPerRun": round(sum(tokens) / len(tokens), 1),
            "avgInputPerRun": round(sum(tokens) / len(tokens) * 0.7, 1),
        }
        if tokens
        else None,
        "window": {
            "from": runs[-1]["createdAt"] if runs else None,
            "to": runs[0]["createdAt"] if runs else None,
            "runs": len(runs),
        },
    }


def execution_status(execution: dict[str, Any]) -> dict[str, Any]:
    """``GET /v1/executions/{id}/status`` as runtype-sdk 5.5.0 models it
    (``executions/types/get_v1executions_execution_id_status_response.py``): lifecycle status (no
    `interrupted` in its vocabulary: a failure) and, once terminal, ``error``/``httpStatus`` or ``result``."""
    status = "failed" if execution["status"] == "interrupted" else execution["status"]
    failed = status == "failed"
    return {
        "executionId": execution["executionId"],
        "status": status,
        "createdAt": execution["createdAt"],
        "targetKind": "agent",
        "targetId": execution["agentId"],
        "agentTargetResolution": None,
        "agentVersionId": execution["agentVersionId"],
        "agentVersion": execution["agentVersion"],
        "underlyingExecutionId": None,
        "error": (execution["_status_error"].get("error") or "Execution failed") if failed else None,
        "httpStatus": execution["_status_error"].get("httpStatus") if failed else None,
        "result": None,
    }
