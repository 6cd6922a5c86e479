"""Fault injection for the simulator: make chosen routes misbehave on purpose.

Rules come from the ``AGENT_RUNS_SIM_FAULTS`` environment variable (JSON list)
or from ``POST /_sim/faults`` (JSON list replaces the rules; ``DELETE`` clears
them). A rule is ``{"match": "<substring of the path>", "fault": "<kind>",
"times": <how many requests, default unlimited>, "retry_after": "<header>",
"delay_s": <seconds for slow>, "rate": <share of matching requests hit, 0-1, default 1>}``.
With ``rate`` below 1 a rule hits that share of the requests it matches, drawn at random (a seeded
generator: ``AGENT_RUNS_SIM_FAULT_SEED``), and the next rule gets a chance at the others: several
kinds at a few percent each make a steady fault rate for a soak. Kinds:

``429``, ``500``, ``502_html``, ``503``, ``504``, ``slow``, ``truncated_json``,
``empty_body``, ``wrong_content_type``, ``html_200``, ``401``, ``403``, ``206``, and ``huge_200``: a
valid JSON page of ``size_mb`` megabytes (1 MB strings, streamed without a Content-Length).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

KINDS = {
    "429",
    "500",
    "502_html",
    "503",
    "504",
    "slow",
    "truncated_json",
    "empty_body",
    "wrong_content_type",
    "html_200",
    "401",
    "403",
    "206",
    "404",
    "404_html",
    "huge_200",
}


@dataclass
class Rule:
    match: str
    fault: str
    times: int | None = None
    retry_after: str | None = None
    delay_s: float = 3.0
    rate: float = 1.0
    size_mb: float = 26.0
    hits: int = 0

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Rule:
        fault = str(raw.get("fault", ""))
        if fault not in KINDS:
            raise ValueError(f"unknown fault {fault!r}; one of {sorted(KINDS)}")
        times = raw.get("times")
        return cls(
            match=str(raw.get("match", "")),
            fault=fault,
            times=int(times) if times is not None else None,
            retry_after=str(raw["retry_after"]) if raw.get("retry_after") is not None else None,
            delay_s=float(raw.get("delay_s", 3.0)),
            rate=min(1.0, max(0.0, float(raw.get("rate", 1.0)))),
            size_mb=float(raw.get("size_mb", 26.0)),
        )


class Faults:
    """The active rules; the first rule matching a path (with requests left) applies."""

    def __init__(self, rules: list[Rule] | None = None, seed: int | None = None) -> None:
        self.rules = rules or []
        self.rng = random.Random(seed)

    @classmethod
    def from_env(cls) -> Faults:
        raw = os.environ.get("AGENT_RUNS_SIM_FAULTS", "").strip()
        seed = os.environ.get("AGENT_RUNS_SIM_FAULT_SEED", "").strip()
        rules = [Rule.parse(r) for r in json.loads(raw)] if raw else []
        return cls(rules, int(seed) if seed else None)

    def pick(self, path: str) -> Rule | None:
        for rule in self.rules:
            if rule.match not in path or (rule.times is not None and rule.hits >= rule.times):
                continue
            if rule.rate >= 1.0 or self.rng.random() < rule.rate:
                rule.hits += 1
                return rule
        return None


def fault_response(rule: Rule) -> Response | None:
    """The misbehaving answer for ``rule`` (``None`` for ``slow``, which delays the real answer)."""
    kind = rule.fault
    headers = {"Retry-After": rule.retry_after} if rule.retry_after else {}
    if kind == "429":
        return JSONResponse({"error": "rate_limited", "message": "Too many requests"}, 429, headers=headers)
    if kind in ("500", "503", "504"):
        return JSONResponse({"error": "internal", "message": "Upstream failure"}, int(kind), headers=headers)
    if kind == "502_html":
        page = (
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
            "</center><hr><center>nginx</center></body></html>"
        )
        return Response(page, 502, media_type="text/html", headers=headers)
    if kind == "truncated_json":
        return Response(
            '{"count": 3, "status_code": 200, "data": [{"run_id": "R1", "sta',
            200,
            media_type="application/json",
        )
    if kind == "empty_body":
        return Response(b"", 200, media_type="application/json")
    if kind == "wrong_content_type":
        return Response("ok=true&data=none", 200, media_type="text/plain")
    if kind == "html_200":
        return Response("<!doctype html><html><body>Maintenance</body></html>", 200, media_type="text/html")
    if kind == "401":
        return JSONResponse({"message": "Invalid token.", "status_code": 401}, 401)
    if kind == "403":
        return JSONResponse({"message": "Token has expired.", "status_code": 403}, 403)
    if kind == "404":
        return JSONResponse({"error": "not_found", "message": "Not found"}, 404)
    if kind == "404_html":
        return Response("<!doctype html><html><body><h1>Not Found</h1></body></html>", 404, media_type="text/html")
    if kind == "huge_200":
        return StreamingResponse(_huge_page(rule.size_mb), media_type="application/json")
    if kind == "206":
        return JSONResponse(
            {
                "status_code": 206,
                "message": "Runs Fetch Failed",
                "data": {"errors": "task service unavailable"},
                "errors": "task service unavailable",
            },
            206,
        )
    return None


async def _huge_page(size_mb: float) -> AsyncIterator[bytes]:
    """``{"data": ["xxx...", ...], ...}`` of about ``size_mb`` MB, made as it is sent (memory stays flat)."""
    yield b'{"data": ['
    chunk = b'"' + b"x" * (1024 * 1024 - 4) + b'",'
    for _ in range(int(size_mb)):
        yield chunk
    yield b'"end"], "pagination": {"hasMore": false}, "has_more": false}'


class FaultMiddleware:
    """ASGI middleware applying the app's :class:`Faults` and serving the ``/_sim/faults`` control route."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == "/_sim/faults":
            response = await self._control(Request(scope, receive))
            await response(scope, receive, send)
            return
        rule = self.faults.pick(path)
        if rule is not None:
            response = fault_response(rule)
            if response is None:
                await asyncio.sleep(rule.delay_s)
            else:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _control(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.rules = []
        elif request.method == "POST":
            try:
                raw = json.loads(await request.body())
                self.faults.rules = [Rule.parse(r) for r in raw]
            except (ValueError, TypeError, AttributeError) as exc:
                return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse({"rules": [r.__dict__ for r in self.faults.rules]})
