"""State shared by replicas through Redis (``AGENT_RUNS_REDIS_URL``), and what happens without it.

Three things are shared when Redis is configured:

* **answers**: the response cache and the health report cache are read from and written to Redis,
  so a page one replica fetched, or a report it computed, serves every replica;
* **the request budget**: an account's ``max_requests_per_s`` is kept across replicas by reserving
  each request's start time in Redis (the next free slot, ``1/rate`` after the previous one: one
  atomic script), so a provider sees the configured rate whatever the number of replicas;
* **single flight**: one replica computes an expensive report while the others wait for its result
  (a lock with an expiry, so a replica that dies mid-report does not block the others for long).

Redis is an accelerator, never a dependency: every operation has a short timeout, and on any error
the store is considered down for a few seconds (one warning in the log), callers carry on with
their in-process cache and pacing, and a tool call never fails because of Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import Hashable
from typing import Any

import orjson

log = logging.getLogger("agent_runs_mcp.shared")

PREFIX = "agent-runs:"
DOWN_S = 5.0
"""After a Redis error, skip it for this long before trying again."""
TIMEOUT_S = 0.5

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + tonumber(ARGV[1]), 'PX', tonumber(ARGV[2]))
return slot - now
"""
"""Reserve the next request slot of an account: returns how many ms to wait before sending."""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
"""Release a lock only if this replica still holds it."""


def key_of(kind: str, parts: Hashable) -> str:
    """A Redis key for ``parts`` (any hashable made of strings and numbers), hashed: bounded, no secrets."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{PREFIX}{kind}:{digest}"


class SharedStore:
    """A Redis connection that degrades to "unavailable" instead of failing (module docstring)."""

    def __init__(self, url: str, client: Any = None) -> None:
        if client is None:
            import redis.asyncio as redis

            client = redis.Redis.from_url(
                url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S, health_check_interval=30
            )
        self._redis = client
        self._down_until = 0.0
        self._reserve: Any = None
        self._release: Any = None

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, what: str, exc: BaseException) -> None:
        if self.available:
            log.warning(
                "Redis unavailable (%s: %s): using in-process state for %.0f s", what, type(exc).__name__, DOWN_S
            )
        self._down_until = time.monotonic() + DOWN_S

    async def _call(self, what: str, op: Any) -> Any:
        if not self.available:
            op.close()  # the coroutine is not run: Redis is skipped while down
            return None
        try:
            return await asyncio.wait_for(op, TIMEOUT_S * 2)
        except Exception as exc:  # any Redis or network failure: degrade, never fail the caller
            self._failed(what, exc)
            return None

    async def get(self, key: str) -> Any | None:
        raw = await self._call("get", self._redis.get(key))
        if raw is None:
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None

    async def set(self, key: str, value: Any, ttl_s: float) -> None:
        if ttl_s <= 0:
            return
        try:
            data = orjson.dumps(value)
        except TypeError:
            return
        await self._call("set", self._redis.set(key, data, px=max(1, int(ttl_s * 1000))))

    async def reserve(self, account: str, interval_s: float) -> float | None:
        """Seconds to wait before this replica's next request to ``account``; ``None`` when Redis is down."""
        if self._reserve is None:
            self._reserve = self._redis.register_script(_RESERVE)
        interval = max(1, int(interval_s * 1000))
        waited = await self._call(
            "reserve", self._reserve(keys=[f"{PREFIX}pace:{account}"], args=[interval, interval * 100 + 60_000])
        )
        return None if waited is None else max(0, int(waited)) / 1000

    async def lock(self, key: str, ttl_s: float) -> str | None:
        """Take ``key`` for ``ttl_s`` seconds: a token when taken, ``None`` when held elsewhere or Redis is down."""
        token = secrets.token_hex(8)
        taken = await self._call("lock", self._redis.set(key, token, nx=True, px=int(ttl_s * 1000)))
        return token if taken else None

    async def held(self, key: str) -> bool:
        return bool(await self._call("exists", self._redis.exists(key)))

    async def unlock(self, key: str, token: str) -> None:
        if self._release is None:
            self._release = self._redis.register_script(_RELEASE)
        await self._call("unlock", self._release(keys=[key], args=[token]))

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):  # closing a connection that is already gone
            await self._redis.aclose()
