"""The simulator's HTTP surface: the three providers' APIs as documented, over one Starlette app.

Faithful where it matters to an adapter: auth headers and refusals, envelopes,
pagination styles (Unpod page numbers, Runtype cursors, Modus page tokens),
Unpod's trailing-slash 301s, its 206 business errors and HTML 404s for
unknown URLs, Runtype's ``{error, message}`` and Modus's ``{error: {...}}``.
"""

from __future__ import annotations

import hmac
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent_runs_mcp.simulator.faults import FaultMiddleware, Faults
from agent_runs_mcp.simulator.modus_api import ModusApi
from agent_runs_mcp.simulator.pacing import Pacing, PacingMiddleware
from agent_runs_mcp.simulator.runtype_api import RuntypeApi
from agent_runs_mcp.simulator.unpod_api import UNPOD, UnpodApi
from agent_runs_mcp.simulator.world import World


class Sim(UnpodApi, RuntypeApi, ModusApi):
    """Request handlers over one :class:`World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.started = time.monotonic()
        self._pages: dict[tuple[Any, ...], bytes] = {}
        """Encoded task pages: the world never changes, so each page is built and encoded once."""

    def _page_bytes(self, key: tuple[Any, ...], build: Any) -> Response:
        key = (self.world.version, *key)
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

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "anchor": self.world.anchor.isoformat()})

    async def progress(self, request: Request) -> Response:
        """``POST /_sim/progress {"run_id": ..., "done": 0.8}``: a running run finishes more of its tasks."""
        try:
            raw = await request.json()
            run = self.world.unpod_run(str(raw["run_id"]))
            if run is None or run.phase != "running":
                return JSONResponse({"error": "no running Unpod run with that run_id"}, 404)
            self.world.advance(run.run_id, float(raw["done"]))
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": str(exc)[:200]}, 400)
        return JSONResponse({"run_id": run.run_id, "done": self.world.done_shares[run.run_id]})


def create_app(
    world: World | None = None,
    faults: Faults | None = None,
    *,
    modus_resources: tuple[str, ...] | None = None,
    modus_usage: bool = True,
    pacing: Pacing | None = None,
) -> Any:
    """The simulator as an ASGI app: pacing (latency, rate limit) outermost, then faults.

    ``modus_resources`` limits the Modus path families served (``("workflows",)`` is a host of today's API only);
    ``modus_usage=False`` is a Modus host without ``/api/v1/usage``.
    """
    sim = Sim(world or World())
    if modus_resources is not None:
        sim.modus_resources = modus_resources
    sim.modus_usage = modus_usage
    methods = ["GET"]
    routes = [
        Route("/_sim/health", sim.health, methods=methods),
        Route("/_sim/progress", sim.progress, methods=["POST"]),
        Route(UNPOD + "/{rest:path}", sim.unpod, methods=methods),
        Route("/v1/{rest:path}", sim.runtype, methods=methods),
        Route("/api/v1/{rest:path}", sim.modus, methods=methods),
    ]
    app = Starlette(routes=routes)
    app.router.redirect_slashes = False
    app.state.sim = sim
    paced = PacingMiddleware(FaultMiddleware(app, faults or Faults.from_env()), pacing or Pacing.from_env())
    paced.sim = sim  # type: ignore[attr-defined]
    return paced


def in_process_transport(world: World | None = None) -> httpx.AsyncBaseTransport:
    """An httpx transport that answers from the simulator in this process (demo mode)."""
    return httpx.ASGITransport(app=create_app(world))
