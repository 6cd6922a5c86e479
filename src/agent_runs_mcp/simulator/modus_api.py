"""The simulated Modus HTTP API (`/api/v1/...`): AIP-158 page tokens, `{error: {...}}` errors."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agent_runs_mcp.simulator.names import DEMO_CREDENTIALS
from agent_runs_mcp.simulator.shared import parse_iso, public

if TYPE_CHECKING:
    from agent_runs_mcp.simulator.world import World


class ModusApi:
    """Request handlers mixed into :class:`~agent_runs_mcp.simulator.app.Sim`."""

    world: World
    modus_resources: tuple[str, ...] = ("workflows", "agents")
    modus_usage: bool = True
    """Whether this host serves `/api/v1/usage` (older hosts do not)."""
    """Path families this host serves: the SDK's `workflows` (NestJS errors) and the seed documents' `agents`."""

    def _md_error(self, nest: bool, status: int, code: str, canonical: str, message: str, **info: Any) -> JSONResponse:
        if nest:
            # NestJS, as the official SDK reads it: {statusCode, message, error}.
            return JSONResponse({"statusCode": status, "message": message, "error": HTTPStatus(status).phrase}, status)
        error: dict[str, Any] = {
            "code": code,
            "status": canonical,
            "message": message,
            "requestId": "req_01HQ7K8SIMULATOR000000000000",
        }
        if info:
            error["info"] = info
        return JSONResponse({"error": error}, status)

    def _md_page_args(self, request: Request, nest: bool) -> tuple[int, int] | Response:
        size = self._int(request, "pageSize", 25, 1, 100)
        if size is None:
            return self._md_error(
                nest, 400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for query parameter `pageSize`."
            )
        token = request.query_params.get("pageToken")
        offset = 0
        if token:
            try:
                offset = int(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["o"])
            except (ValueError, KeyError, TypeError, binascii.Error):
                return self._md_error(nest, 400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for `pageToken`.")
        return offset, size

    @staticmethod
    def _md_token(offset: int) -> str:
        return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")

    async def modus(self, request: Request) -> Response:
        parts = [p for p in request.url.path[len("/api/v1") :].split("/") if p]
        world = self.world
        nest = bool(parts) and parts[0] == "workflows"
        if parts == ["usage"] and self.modus_usage:
            nest = "workflows" in self.modus_resources
            if not self._bearer(request, DEMO_CREDENTIALS["modus"]["token"]):
                return self._md_error(nest, 401, "UNAUTHORIZED", "UNAUTHENTICATED", "Missing or invalid access token.")
            return self._md_usage(request, nest)
        if not parts or parts[0] not in self.modus_resources:
            nest = "workflows" in self.modus_resources
            return self._md_error(nest, 404, "NOT_FOUND", "NOT_FOUND", f"Cannot GET {request.url.path}")
        if not self._bearer(request, DEMO_CREDENTIALS["modus"]["token"]):
            return self._md_error(nest, 401, "UNAUTHORIZED", "UNAUTHENTICATED", "Missing or invalid access token.")
        list_key = parts[0]
        args = self._md_page_args(request, nest)
        if isinstance(args, Response):
            return args
        offset, size = args
        match parts[1:]:
            case []:
                agents = [self._md_agent(a) for a in world.modus_agents]
                search = (request.query_params.get("search") or "").lower()
                if search:
                    agents = [a for a in agents if search in a["name"].lower()]
                if request.query_params.get("type"):
                    agents = [a for a in agents if a["type"] == request.query_params["type"]]
                page = agents[offset : offset + size]
                more = offset + size < len(agents)
                return JSONResponse({list_key: page, "nextPageToken": self._md_token(offset + size) if more else None})
            case [agent_id]:
                agent = world.modus_agent(agent_id)
                if agent is None:
                    return self._md_error(nest, 404, "NOT_FOUND", "NOT_FOUND", "Workflow not found.")
                return JSONResponse(self._md_agent(agent))
            case [agent_id, "runs"]:
                agent = world.modus_agent(agent_id)
                if agent is None:
                    return self._md_error(nest, 404, "NOT_FOUND", "NOT_FOUND", "Workflow not found.")
                q = request.query_params
                runs = world.modus_runs[agent.id]
                frames = {
                    "last_hour": timedelta(hours=1),
                    "last_day": timedelta(days=1),
                    "last_week": timedelta(days=7),
                }
                if q.get("timeframe"):
                    if q["timeframe"] not in frames:
                        return self._md_error(
                            nest, 400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for `timeframe`."
                        )
                    since = self.now() - frames[q["timeframe"]]
                    runs = [r for r in runs if parse_iso(r["startedAt"]) >= since]
                if q.get("search"):
                    runs = [r for r in runs if q["search"].lower() in r["agentName"].lower()]
                counts = {"all_executions": len(runs)}
                for word in ("running", "awaiting_human", "error", "completed", "cancelled"):
                    counts[word] = sum(1 for r in runs if r["status"] == word)
                status = q.get("status")
                if status == "awaiting_human" and q.get("approvalScope") != "all":
                    # `mine` (the default): only runs awaiting the key's own user, who approves nothing here
                    runs = [r for r in runs if r["status"] != "awaiting_human"]
                if status and status != "all_executions":
                    if status not in ("running", "awaiting_human", "completed", "error", "cancelled"):
                        return self._md_error(
                            nest, 400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for `status`."
                        )
                    runs = [r for r in runs if r["status"] == status]
                page = [public(r) for r in runs[offset : offset + size]]
                more = offset + size < len(runs)
                next_token = self._md_token(offset + size) if more else None
                return JSONResponse({"runs": page, "counts": counts, "nextPageToken": next_token})
            case [agent_id, "runs", run_id]:
                agent = world.modus_agent(agent_id)
                runs = world.modus_runs.get(agent.id, []) if agent else []
                temporal = request.query_params.get("temporalRunId")
                run = next(
                    (r for r in runs if r["workflowId"] == run_id and (not temporal or r["temporalRunId"] == temporal)),
                    None,
                )
                if run is None:
                    return self._md_error(nest, 404, "NOT_FOUND", "NOT_FOUND", "Run not found.")
                return JSONResponse({**public(run), **run["_detail"]})
        return self._md_error(nest, 404, "NOT_FOUND", "NOT_FOUND", "Resource not found.")

    def _md_usage(self, request: Request, nest: bool) -> Response:
        """``GET /api/v1/usage`` as modus-sdk 0.9.0 models it (``ListUsageResponseDto``), snake_case on the
        wire: per-run LLM usage (seeded by run) summed into hour or day buckets, per workflow or in all."""
        q = request.query_params
        since, until = parse_iso(q.get("since") or ""), parse_iso(q.get("until") or "")
        rollup, group_by = q.get("rollup"), q.get("group_by") or "all"
        if since is None or until is None or rollup not in ("hour", "day"):
            return self._md_error(
                nest,
                400,
                "BAD_REQUEST",
                "INVALID_ARGUMENT",
                "`since`, `until` (ISO 8601) and `rollup` (hour|day) are required.",
            )
        if group_by not in ("all", "agent"):
            return self._md_error(nest, 400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for `group_by`.")
        wanted = q.get("agent_id")
        buckets: dict[tuple[str, str], dict[str, Any]] = {}
        for agent in self.world.modus_agents:
            if wanted and str(agent.id) != wanted:
                continue
            for run in self.world.modus_runs[agent.id]:
                started = parse_iso(run["startedAt"])
                if started is None or not since <= started < until:
                    continue
                start = started.replace(minute=0, second=0, microsecond=0)
                if rollup == "day":
                    start = start.replace(hour=0)
                group = str(agent.id) if group_by == "agent" else "all"
                row = buckets.setdefault(
                    (start.isoformat(), group),
                    {
                        "bucket": start.isoformat().replace("+00:00", "Z"),
                        "group_value": group,
                        "call_count": 0,
                        "input_tokens": 0,
                        "output_tokens": 0,
                        "credits": 0.0,
                    },
                )
                for key, value in self.world.modus_run_usage(run).items():
                    row[key] = round(row[key] + value, 4)
        rows = sorted(buckets.values(), key=lambda b: (b["bucket"], b["group_value"]))
        totals = {
            k: round(sum(r[k] for r in rows), 4) for k in ("call_count", "input_tokens", "output_tokens", "credits")
        }
        return JSONResponse(
            {
                "org_id": "org_01HSIMULATOR",
                "since": q["since"],
                "until": q["until"],
                "rollup": rollup,
                "group_by": group_by,
                "buckets": rows,
                "totals": totals,
            }
        )

    def _md_agent(self, agent: Any) -> dict[str, Any]:
        return {
            "id": agent.id,
            "slug": agent.slug,
            "name": agent.name,
            "description": agent.description,
            "status": "active",
            "type": agent.type,
            "orgUuid": "00000000-0000-0000-0000-000000000001",
            "activeVariationId": f"00000000-0000-4000-a000-{agent.id:012d}",
            "draftVariationId": None,
            "hasUnpublishedChanges": False,
            "isEnabled": True,
            "createdAt": (self.world.anchor - timedelta(days=90)).isoformat().replace("+00:00", "Z"),
            "updatedAt": (self.world.anchor - timedelta(days=2)).isoformat().replace("+00:00", "Z"),
            "canManage": True,
            "canUse": True,
            "accessConfig": {"visibility": "shared", "groupPermissions": {}, "sharedWith": []},
            "manageDenial": None,
        }

    # --- misc -------------------------------------------------------------------------------------
