"""Network pacing for the simulator: a latency per request and a per-credential rate limit.

Real providers are 50-150 ms away and rate-limited; a loopback simulator is neither, so speed
measured against it says little. :class:`Pacing` adds both, from ``simulate --latency-ms/--rate-limit``,
the ``AGENT_RUNS_SIM_LATENCY_MS`` / ``AGENT_RUNS_SIM_RATE_LIMIT`` variables or ``POST /_sim/pacing``
(``{"latency_ms": 50, "rate_limit": 20}``; the stats restart). ``GET /_sim/pacing`` answers what each
credential sent: requests, 429s and the most requests that started within any one second.

The rate limit is a token bucket per credential (the ``Authorization`` header) holding ``rate``
requests and refilled at ``rate`` per second, as providers commonly document it; a request without a
token gets 429 with ``Retry-After`` (whole seconds) and ``retry-after-ms``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

WINDOW_S = 1.0


@dataclass
class Traffic:
    """What one credential sent."""

    requests: int = 0
    limited: int = 0
    peak_per_s: int = 0
    """The most requests that started within any ``WINDOW_S`` (429s included)."""
    peak_per_5s: int = 0
    """The most within any five seconds: a rate over a span long enough that arrival jitter averages out."""
    recent: deque[float] = field(default_factory=deque)
    recent5: deque[float] = field(default_factory=deque)
    tokens: float = 0.0
    refilled: float = 0.0

    def public(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "limited": self.limited,
            "peak_per_s": self.peak_per_s,
            "peak_per_5s": self.peak_per_5s,
        }


class Pacing:
    """Latency and rate limit settings, with what each credential sent since they were set."""

    def __init__(self, latency_ms: float = 0.0, rate_limit: float | None = None) -> None:
        self.set(latency_ms, rate_limit)

    def set(self, latency_ms: float = 0.0, rate_limit: float | None = None) -> None:
        if latency_ms < 0 or (rate_limit is not None and rate_limit <= 0):
            raise ValueError("latency_ms must be >= 0 and rate_limit > 0 (or null for none)")
        self.latency_s = latency_ms / 1000
        self.rate = rate_limit
        self.traffic: dict[str, Traffic] = {}

    @classmethod
    def from_env(cls) -> Pacing:
        latency = os.environ.get("AGENT_RUNS_SIM_LATENCY_MS", "").strip()
        rate = os.environ.get("AGENT_RUNS_SIM_RATE_LIMIT", "").strip()
        return cls(float(latency) if latency else 0.0, float(rate) if rate else None)

    def admit(self, key: str, now: float) -> float | None:
        """Count a request; ``None`` when it may go on, else the seconds until it would have been allowed."""
        seen = self.traffic.get(key)
        if seen is None:
            seen = self.traffic[key] = Traffic(tokens=self.rate or 0.0, refilled=now)
        seen.requests += 1
        seen.recent.append(now)
        while seen.recent and seen.recent[0] <= now - WINDOW_S:
            seen.recent.popleft()
        seen.peak_per_s = max(seen.peak_per_s, len(seen.recent))
        seen.recent5.append(now)
        while seen.recent5 and seen.recent5[0] <= now - 5 * WINDOW_S:
            seen.recent5.popleft()
        seen.peak_per_5s = max(seen.peak_per_5s, len(seen.recent5))
        if self.rate is None:
            return None
        seen.tokens = min(self.rate, seen.tokens + (now - seen.refilled) * self.rate)
        seen.refilled = now
        if seen.tokens >= 1:
            seen.tokens -= 1
            return None
        seen.limited += 1
        return (1 - seen.tokens) / self.rate

    def report(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_s * 1000,
            "rate_limit": self.rate,
            "traffic": {key: t.public() for key, t in sorted(self.traffic.items())},
        }


def credential_key(scope: Scope) -> str:
    """A short, non-reversible name for the request's credential (never the token itself)."""
    auth = b""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            auth = value
    return hashlib.sha256(auth).hexdigest()[:8] if auth else "anonymous"


class PacingMiddleware:
    """Applies :class:`Pacing` to every provider route and serves ``/_sim/pacing``."""

    def __init__(self, app: ASGIApp, pacing: Pacing) -> None:
        self.app = app
        self.pacing = pacing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == "/_sim/pacing":
            response = await self._control(Request(scope, receive))
            await response(scope, receive, send)
            return
        if path.startswith("/_sim/"):
            await self.app(scope, receive, send)
            return
        wait = self.pacing.admit(credential_key(scope), time.monotonic())
        if self.pacing.latency_s:
            await asyncio.sleep(self.pacing.latency_s)
        if wait is not None:
            headers = {"Retry-After": str(max(1, math.ceil(wait))), "retry-after-ms": str(math.ceil(wait * 1000))}
            limited = JSONResponse({"error": "rate_limited", "message": "Too many requests"}, 429, headers=headers)
            await limited(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _control(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                raw = json.loads(await request.body() or b"{}")
                rate = raw.get("rate_limit")
                self.pacing.set(float(raw.get("latency_ms") or 0), float(rate) if rate is not None else None)
            except (ValueError, TypeError, AttributeError) as exc:
                return JSONResponse({"error": str(exc)[:200]}, 400)
        return JSONResponse(self.pacing.report())
