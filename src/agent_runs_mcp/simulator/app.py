"""The simulator's HTTP surface: the three providers' APIs as documented, over one Starlette app.

Faithful where it matters to an adapter: auth headers and refusals, envelopes,
pagination styles (Unpod page numbers, Runtype cursors, Modus page tokens),
Unpod's trailing-slash 301s, its 206 business errors and HTML 404s for
unknown URLs, Runtype's ``{error, message}`` and Modus's ``{error: {...}}``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from agent_runs_mcp.simulator.faults import FaultMiddleware, Faults
from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World

UNPOD = "/api/v2/platform"
RUN_TASK_DROP = (
    "_id",
    "failure_count",
    "last_failure_reason",
    "retry_attempt",
    "last_status_change",
    "scheduled_timestamp",
)


class Sim:
    """Request handlers over one :class:`World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.started = time.monotonic()
        self._pages: dict[tuple[Any, ...], bytes] = {}
        """Encoded task pages: the world never changes, so each page is built and encoded once."""

    def _page_bytes(self, key: tuple[Any, ...], build: Any) -> Response:
        body = self._pages.get(key)
        if body is None:
            if len(self._pages) > 2000:
                self._pages.clear()
            body = JSONResponse(build()).body
            self._pages[key] = body
        return Response(body, media_type="application/json")

    def now(self) -> datetime:
        return self.world.anchor + timedelta(seconds=time.monotonic() - self.started)

    # --- shared -----------------------------------------------------------------------------------

    @staticmethod
    def _bearer(request: Request, expected: str) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected)

    @staticmethod
    def _int(request: Request, name: str, default: int, low: int = 1, high: int | None = None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            return None
        if value < low or (high is not None and value > high):
            return None
        return value

    # --- Unpod ------------------------------------------------------------------------------------

    def _unpod_auth(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return JSONResponse({"message": "Authentication credentials were not provided.", "status_code": 401}, 401)
        scheme, _, token = header.partition(" ")
        if scheme not in ("Token", "JWT") or not hmac.compare_digest(token.strip(), DEMO_CREDENTIALS["unpod"]["token"]):
            return JSONResponse({"message": "Invalid token.", "status_code": 401}, 401)
        return None

    def _org(self, request: Request) -> Response | None:
        handle = request.headers.get("Org-Handle")
        if not handle:
            return JSONResponse(
                {
                    "status_code": 400,
                    "message": "Organization handle is required in Org-Handle header",
                    "data": {},
                },
                400,
            )
        if handle != self.world.unpod_org["domain_handle"]:
            return JSONResponse({"message": "Organization not found"}, 404)
        return None

    @staticmethod
    def _envelope(data: Any, message: str, count: int | None = None) -> JSONResponse:
        body: dict[str, Any] = {}
        if count is not None:
            body["count"] = count
        body.update({"status_code": 200, "message": message, "data": data})
        return JSONResponse(body)

    def _unpod_page(self, request: Request, items: list[Any], default_size: int, message: str) -> Response:
        page = self._int(request, "page", 1)
        size = self._int(request, "page_size", default_size)
        if page is None or size is None:
            return JSONResponse({"status_code": 400, "message": "Invalid page or page_size", "data": {}}, 400)
        return self._envelope(items[(page - 1) * size : page * size], message, len(items))

    def _space_or_206(self, token: str) -> Response | None:
        if not any(s.token == token for s in self.world.unpod_spaces):
            return JSONResponse({"status_code": 206, "message": "Invalid Space Token", "data": {}}, 206)
        return None

    async def unpod(self, request: Request) -> Response:
        path = request.url.path
        if not path.endswith("/") and "/speech/v1/" not in path:
            target = path + "/" + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(target, 301)
        denied = self._unpod_auth(request)
        if denied:
            return denied
        parts = [p for p in path[len(UNPOD) :].split("/") if p]
        world = self.world
        match parts:
            case ["organizations"]:
                return self._envelope([world.unpod_org], "Organizations fetched successfully", 1)
            case ["spaces"]:
                if (bad := self._org(request)) is not None:
                    return bad
                spaces = [self._space_doc(s) for s in world.unpod_spaces]
                return self._envelope(spaces, "Spaces fetched successfully", len(spaces))
            case ["spaces", token]:
                if (bad := self._org(request)) is not None:
                    return bad
                space = next((s for s in world.unpod_spaces if s.token == token), None)
                if space is None:
                    return JSONResponse({"message": "Space not found"}, 404)
                doc = self._space_doc(space)
                doc["agents"] = [
                    {"name": a.name, "handle": a.handle, "type": "Voice"}
                    for a in world.unpod_agents
                    if a.space == token
                ]
                doc["created"] = (world.anchor - timedelta(days=120)).replace(tzinfo=None).isoformat()
                doc["modified"] = (world.anchor - timedelta(days=3)).replace(tzinfo=None).isoformat()
                return self._envelope(doc, "Space fetched successfully")
            case ["spaces", token, "runs"]:
                if (bad := self._space_or_206(token)) is not None:
                    return bad
                runs = [world.unpod_run_doc(r) for r in world.unpod_runs if r.space == token]
                return self._unpod_page(request, runs, 50, "Runs Fetched Successfully")
            case ["spaces", token, "runs", run_id, "tasks"]:
                if (bad := self._space_or_206(token)) is not None:
                    return bad
                run = world.unpod_run(run_id)
                if run is None or run.space != token:
                    return JSONResponse({"message": "Run not found"}, 404)
                page = self._int(request, "page", 1)
                size = self._int(request, "page_size", 50)
                if page is None or size is None:
                    return JSONResponse({"status_code": 400, "message": "Invalid page or page_size", "data": {}}, 400)

                def build() -> dict[str, Any]:
                    raw = world.unpod_tasks(run, (page - 1) * size, page * size)
                    tasks = [{k: v for k, v in t.items() if k not in RUN_TASK_DROP} for t in raw]
                    message = "Runs Fetched Successfully"
                    return {"count": run.n_tasks, "status_code": 200, "message": message, "data": tasks}

                return self._page_bytes(("run", run_id, page, size), build)
            case ["agents"]:
                if (bad := self._org(request)) is not None:
                    return bad
                agents = [
                    {
                        "handle": a.handle,
                        "name": a.name,
                        "type": "Voice",
                        "state": "published",
                        "description": a.purpose,
                        "purpose": a.purpose,
                    }
                    for a in world.unpod_agents
                ]
                return self._envelope(agents, "Agents fetched successfully", len(agents))
            case ["agents", handle, "tasks"]:
                if world.unpod_agent(handle) is None:
                    return JSONResponse({"message": "Agent not found"}, 404)
                page = self._int(request, "page", 1)
                size = self._int(request, "page_size", 20)
                if page is None or size is None:
                    return JSONResponse({"status_code": 400, "message": "Invalid page or page_size", "data": {}}, 400)
                tasks = world.unpod_agent_tasks(handle)

                def build_agent_page() -> dict[str, Any]:
                    message = "Tasks Fetched Successfully"
                    data = tasks[(page - 1) * size : page * size]
                    return {"count": len(tasks), "status_code": 200, "message": message, "data": data}

                return self._page_bytes(("agent", handle, page, size), build_agent_page)
            case ["agents", handle, "executions"]:
                if (bad := self._org(request)) is not None:
                    return bad
                if world.unpod_agent(handle) is None:
                    return JSONResponse({"message": "Agent not found"}, 404)
                runs = [world.unpod_execution_doc(r) for r in world.unpod_runs if r.agent.handle == handle]
                return self._unpod_page(request, runs, 20, "Executions fetched successfully")
            case ["speech", "v1", "calls", call_id]:
                task = world.unpod_call(call_id)
                if task is None:
                    return JSONResponse({"message": "Call not found", "status_code": 404}, 404)
                output = task["output"]
                doc = {
                    "call_id": call_id,
                    "task_id": task["task_id"],
                    "run_id": task["run_id"],
                    "status": task["status"],
                    **{k: v for k, v in output.items() if k != "call_id"},
                }
                return self._envelope(doc, "Call fetched successfully")
        return _django_404(path)

    @staticmethod
    def _space_doc(space: Any) -> dict[str, Any]:
        return {
            "name": space.name,
            "slug": space.slug,
            "token": space.token,
            "description": space.description,
            "logo": None,
            "privacy_type": "shared",
            "space_type": "general",
            "content_type": "contact",
            "organization": {"name": "Acme Solar", "domain_handle": DEMO_CREDENTIALS["unpod"]["org_handle"]},
        }

    # --- Runtype ----------------------------------------------------------------------------------

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
            case ["agents"]:
                agents = [self._rt_agent(a) for a in world.runtype_agents]
                return self._rt_page(request, agents, lambda a: a["id"])
            case ["agents", agent_id]:
                agent = world.runtype_agent(agent_id)
                if agent is None:
                    return self._rt_error(404, "not_found", "Agent not found")
                return JSONResponse(self._rt_agent(agent))
            case ["agents", agent_id, "executions"]:
                if world.runtype_agent(agent_id) is None:
                    return self._rt_error(404, "not_found", "Agent not found")
                q = request.query_params
                parent = q.get("parentExecutionId")
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
                    items = [e for e in items if e["id"] == q["executionId"]]
                if q.get("status"):
                    items = [e for e in items if e["status"] == q["status"]]
                if q.get("surfaceType"):
                    items = [e for e in items if e["surfaceType"] == q["surfaceType"]]
                for name, keep in (("from", lambda t, x: t >= x), ("to", lambda t, x: t <= x)):
                    if q.get(name):
                        bound = _parse(q[name])
                        if bound is None:
                            return self._rt_error(400, "validation_error", f"`{name}` must be an ISO 8601 timestamp")
                        items = [e for e in items if keep(_parse(e["createdAt"]), bound)]
                return self._rt_page(request, [_public(e) for e in items], lambda e: e["id"])
            case ["agents", agent_id, "executions", exec_id, *rest]:
                execution = world.runtype_execution(exec_id)
                if execution is None or not self._rt_owns(agent_id, execution):
                    return self._rt_error(404, "not_found", "Execution not found")
                if not rest:
                    return JSONResponse({**_public(execution), **execution["_detail"]})
                if rest == ["tool-calls"]:
                    calls = [
                        {k: v for k, v in c.items() if k not in ("inputParameters", "outputResult")}
                        for c in execution["_tools"]
                    ]
                    return self._rt_page(request, calls, lambda c: c["id"])
                if len(rest) == 2 and rest[0] == "tool-calls":
                    call = next((c for c in execution["_tools"] if c["id"] == rest[1]), None)
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

    @staticmethod
    def _md_error(status: int, code: str, canonical: str, message: str, **info: Any) -> JSONResponse:
        error: dict[str, Any] = {
            "code": code,
            "status": canonical,
            "message": message,
            "requestId": "req_01HQ7K8SIMULATOR000000000000",
        }
        if info:
            error["info"] = info
        return JSONResponse({"error": error}, status)

    def _md_page_args(self, request: Request) -> tuple[int, int] | Response:
        size = self._int(request, "pageSize", 25, 1, 100)
        if size is None:
            return self._md_error(
                400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for query parameter `pageSize`."
            )
        token = request.query_params.get("pageToken")
        offset = 0
        if token:
            try:
                offset = int(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["o"])
            except (ValueError, KeyError, TypeError, binascii.Error):
                return self._md_error(400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for `pageToken`.")
        return offset, size

    @staticmethod
    def _md_token(offset: int) -> str:
        return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")

    async def modus(self, request: Request) -> Response:
        if not self._bearer(request, DEMO_CREDENTIALS["modus"]["token"]):
            return self._md_error(401, "UNAUTHORIZED", "UNAUTHENTICATED", "Missing or invalid access token.")
        parts = [p for p in request.url.path[len("/api/v1") :].split("/") if p]
        world = self.world
        if not parts or parts[0] not in ("agents", "workflows"):
            return self._md_error(404, "NOT_FOUND", "NOT_FOUND", "Resource not found.")
        args = self._md_page_args(request)
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
                return JSONResponse({"agents": page, "nextPageToken": self._md_token(offset + size) if more else None})
            case [agent_id]:
                agent = world.modus_agent(int(agent_id)) if agent_id.isdigit() else None
                if agent is None:
                    return self._md_error(404, "NOT_FOUND", "NOT_FOUND", "Workflow not found.")
                return JSONResponse(self._md_agent(agent))
            case [agent_id, "runs"]:
                agent = world.modus_agent(int(agent_id)) if agent_id.isdigit() else None
                if agent is None:
                    return self._md_error(404, "NOT_FOUND", "NOT_FOUND", "Workflow not found.")
                q = request.query_params
                runs = world.modus_runs[agent.id]
                frames = {
                    "last_hour": timedelta(hours=1),
                    "last_day": timedelta(days=1),
                    "last_week": timedelta(days=7),
                }
                if q.get("timeframe"):
                    if q["timeframe"] not in frames:
                        return self._md_error(400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for `timeframe`.")
                    since = self.now() - frames[q["timeframe"]]
                    runs = [r for r in runs if _parse(r["startedAt"]) >= since]
                if q.get("search"):
                    runs = [r for r in runs if q["search"].lower() in r["agentName"].lower()]
                counts = {"all_executions": len(runs)}
                for word in ("running", "awaiting_human", "error", "completed"):
                    counts[word] = sum(1 for r in runs if r["status"] == word)
                status = q.get("status")
                if status and status != "all_executions":
                    if status not in ("running", "awaiting_human", "completed", "error", "cancelled"):
                        return self._md_error(400, "BAD_REQUEST", "INVALID_ARGUMENT", "Invalid value for `status`.")
                    runs = [r for r in runs if r["status"] == status]
                page = [_public(r) for r in runs[offset : offset + size]]
                more = offset + size < len(runs)
                return JSONResponse(
                    {
                        "runs": page,
                        "counts": counts,
                        "nextPageToken": self._md_token(offset + size) if more else None,
                    }
                )
            case [agent_id, "runs", run_id]:
                agent = world.modus_agent(int(agent_id)) if agent_id.isdigit() else None
                runs = world.modus_runs.get(agent.id, []) if agent else []
                temporal = request.query_params.get("temporalRunId")
                run = next(
                    (r for r in runs if r["workflowId"] == run_id and (not temporal or r["temporalRunId"] == temporal)),
                    None,
                )
                if run is None:
                    return self._md_error(404, "NOT_FOUND", "NOT_FOUND", "Run not found.")
                return JSONResponse({**_public(run), **run["_detail"]})
        return self._md_error(404, "NOT_FOUND", "NOT_FOUND", "Resource not found.")

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
        }

    # --- misc -------------------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "anchor": self.world.anchor.isoformat()})


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _parse(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _django_404(path: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!DOCTYPE html><html><head><title>Page not found at {path}</title></head>"
        "<body><h1>Not Found</h1><p>The requested resource was not found on this server.</p></body></html>",
        404,
    )


def create_app(world: World | None = None, faults: Faults | None = None) -> Any:
    """The simulator as an ASGI app (fault middleware outermost)."""
    sim = Sim(world or World())
    methods = ["GET"]
    routes = [
        Route("/_sim/health", sim.health, methods=methods),
        Route(UNPOD + "/{rest:path}", sim.unpod, methods=methods),
        Route("/v1/{rest:path}", sim.runtype, methods=methods),
        Route("/api/v1/{rest:path}", sim.modus, methods=methods),
    ]
    app = Starlette(routes=routes)
    app.router.redirect_slashes = False
    app.state.sim = sim
    wrapped = FaultMiddleware(app, faults or Faults.from_env())
    wrapped.sim = sim  # type: ignore[attr-defined]
    return wrapped


def in_process_transport(world: World | None = None) -> httpx.AsyncBaseTransport:
    """An httpx transport that answers from the simulator in this process (demo mode)."""
    return httpx.ASGITransport(app=create_app(world))
