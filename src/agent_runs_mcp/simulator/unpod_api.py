"""The simulated Unpod HTTP API: platform endpoints (trailing slashes, 206 business errors, HTML 404s)."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from agent_runs_mcp.simulator.names import DEMO_CREDENTIALS
from agent_runs_mcp.simulator.shared import public

if TYPE_CHECKING:
    from agent_runs_mcp.simulator.world import World


UNPOD = "/api/v2/platform"
RUN_TASK_DROP = (
    "_id",
    "failure_count",
    "last_failure_reason",
    "retry_attempt",
    "last_status_change",
    "scheduled_timestamp",
)


def _django_404(path: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!DOCTYPE html><html><head><title>Page not found at {path}</title></head>"
        "<body><h1>Not Found</h1><p>The requested resource was not found on this server.</p></body></html>",
        404,
    )


class UnpodApi:
    """Request handlers mixed into :class:`~agent_runs_mcp.simulator.app.Sim`."""

    world: World

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
            case ["speech", "v1", "agents"]:
                agents = [public(x) for x in world.speech_agents]
                return self._envelope(agents, "Agents fetched successfully", len(agents))
            case ["speech", "v1", "agents", agent_id]:
                found = world.speech_agent(agent_id)
                if found is None:
                    return JSONResponse({"message": "Agent not found", "status_code": 404}, 404)
                return self._envelope(public(found), "Agent fetched successfully")
            case ["speech", "v1", "calls"]:
                q = request.query_params
                rows = [
                    {**public(c), "transcript": None}  # list rows leave the turns out (transcript_turns counts them)
                    for c in world.speech_calls
                    if (not q.get("call_status") or c["status"] == q["call_status"])
                    and (not q.get("pipe_id") or c["pipe_id"] == q["pipe_id"])
                    and (not q.get("agent_id") or c["agent_id"] == q["agent_id"])
                ]
                return self._envelope(rows, "Calls fetched successfully", len(rows))
            case ["speech", "v1", "calls", call_id] if world.speech_call(call_id) is not None:
                found = world.speech_call(call_id)
                assert found is not None
                detail = {**public(found), "transcript": found["_transcript"]}
                detail.update(latency_metrics=found.get("_latency_metrics"), analytics=found.get("_analytics", []))
                return self._envelope(detail, "Call fetched")
            case ["speech", "v1", "calls", call_id, "analytics"]:
                found = world.speech_call(call_id)
                if found is None:
                    return JSONResponse({"message": "Call not found", "status_code": 404}, 404)
                return self._envelope(found.get("_analytics", []), "Analytics fetched")
            case ["speech", "v1", "analytics-results"]:  # unpod 0.5.0 management/analytics.py list_results
                q = request.query_params
                limit, skip = self._int(request, "limit", 100), self._int(request, "skip", 0, low=0)
                if limit is None or skip is None:
                    return JSONResponse({"status_code": 400, "message": "Invalid limit or skip", "data": {}}, 400)
                results = [
                    r
                    for c in world.speech_calls  # newest first
                    for r in c.get("_analytics", [])
                    if all(not q.get(k) or r.get(k) == q[k] for k in ("agent_id", "block_id", "status"))
                ]
                return self._envelope(results[skip : skip + limit], "Results fetched", len(results))
            case ["speech", "v1", "sessions"]:
                sessions = world.speech_sessions
                return self._envelope(sessions, "Sessions fetched successfully", len(sessions))
            case ["speech", "v1", "sessions", session_id]:
                session = world.speech_session(session_id)
                if session is None:
                    return JSONResponse({"message": "Session not found", "status_code": 404}, 404)
                return self._envelope(session, "Session fetched")
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
