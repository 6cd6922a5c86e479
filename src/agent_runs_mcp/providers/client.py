"""Shared HTTP plumbing for the provider adapters.

One :class:`ProviderHTTP` per account owns one ``httpx.AsyncClient`` (connection
reuse), a cap on concurrent requests, retries with backoff (tenacity) on 429,
5xx, connection failures and empty or cut-off 2xx bodies, honouring ``Retry-After``,
and a total deadline. Bodies are streamed under a byte cap (:mod:`.body`). It turns
every failure into one of our :mod:`agent_runs_mcp.errors` types; a 206 is never
read as a success (Unpod's adapter names its business error, others get an
unexpected-status error).

Only ``GET`` exists here, by construction: every call we make is a read, so
every retry is safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from opentelemetry.trace import SpanKind, get_tracer
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base

from agent_runs_mcp.errors import (
    BadResponseError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
)
from agent_runs_mcp.metrics import PROVIDER_REQUESTS, PROVIDER_SECONDS, RETRIES, RETRY_AFTER_SECONDS
from agent_runs_mcp.providers.account import Account
from agent_runs_mcp.providers.body import (
    BodyTooLarge,
    describe_body,
    is_json_type,
    looks_cut_off,
    megabytes,
    parse_body,
    read_capped,
)
from agent_runs_mcp.providers.breaker import BREAKER_HINT, Breaker
from agent_runs_mcp.providers.cache import ResponseCache, Ttl
from agent_runs_mcp.providers.call_context import cache_mode, in_flight, time_left
from agent_runs_mcp.providers.call_context import caching as caching
from agent_runs_mcp.providers.call_context import requests_in_flight as requests_in_flight
from agent_runs_mcp.providers.call_context import time_limit as time_limit
from agent_runs_mcp.providers.ids import SHAPES as SHAPES
from agent_runs_mcp.providers.ids import segment as segment
from agent_runs_mcp.providers.ids import trim_detail
from agent_runs_mcp.providers.retry import DEFAULT_RETRY as DEFAULT_RETRY
from agent_runs_mcp.providers.retry import RetryPolicy
from agent_runs_mcp.providers.retry_after import retry_after_seconds as retry_after_seconds
from agent_runs_mcp.providers.retry_after import wait_from_headers
from agent_runs_mcp.providers.statuses import RETRY_STATUSES as RETRY_STATUSES
from agent_runs_mcp.providers.statuses import status_error
from agent_runs_mcp.shared import SharedStore

log = logging.getLogger("agent_runs_mcp.http")
TRACER = get_tracer("agent_runs_mcp.providers")
"""One span per provider request (no-op unless an OpenTelemetry SDK is configured: server/tracing.py)."""


class _Retryable(Exception):
    """Internal: a failure worth another attempt, carrying the error to raise if none is left."""

    def __init__(self, error: ProviderError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class _Wait(wait_base):
    """Exponential backoff with full jitter, or the server's ``Retry-After`` when it gave one."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.policy.max_retry_after_s)
        ceiling = min(self.policy.max_wait_s, self.policy.base_wait_s * 2 ** (retry_state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)


ErrorReader = Callable[[Any], str | None]
BodyCheck = Callable[[int, Any, str], None]
"""Raises for an error a provider reports inside a 2xx answer (Unpod's 206)."""


class ProviderHTTP:
    """The HTTP side of one account: one client, a concurrency cap, retries and error mapping."""

    def __init__(
        self,
        account: Account,
        *,
        headers: Mapping[str, str],
        read_error: ErrorReader,
        check_body: BodyCheck | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        cache: ResponseCache | None = None,
        shared: SharedStore | None = None,
    ) -> None:
        self.account = account
        self._shared = shared
        self._headers = dict(headers)
        self._read_error = read_error
        self._check_body = check_body
        self._transport = transport
        self._retry = retry
        self._client: httpx.AsyncClient | None = None
        self._limit = asyncio.Semaphore(account.max_concurrency)
        self._pace = AsyncLimiter(1, 1 / account.max_requests_per_s) if account.max_requests_per_s else None
        """Request starts spaced ``1/rate`` apart (a bucket of one): never more than the rate in any second."""
        self.cache = cache
        self.breaker = Breaker()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.account.base_url,
                headers={"Accept": "application/json", "User-Agent": "agent-runs-mcp", **self._headers},
                timeout=httpx.Timeout(self.account.read_timeout_s, connect=self.account.connect_timeout_s),
                transport=self._transport,
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get_json(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        what: str,
        ttl_s: Ttl = 0.0,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """GET ``path`` and return ``(status, parsed JSON)`` for any 2xx.

        ``what`` names the thing asked for ("agent `x`", "tasks of run `R...`")
        so that a 404 can say which id was not found. With ``ttl_s`` the answer
        is cached for that long (subject to :data:`cache_mode`), and identical
        requests in flight are coalesced.
        """
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        extra = dict(headers or {})

        async def fetch() -> tuple[tuple[int, Any], int]:
            status, body, size = await self._get_with_retries(path, clean, what, extra)
            return (status, body), size

        mode = cache_mode.get()
        if self.cache is not None and (callable(ttl_s) or ttl_s > 0) and mode != "skip":
            key = (
                self.account.name,
                path,
                tuple(sorted((k, str(v)) for k, v in clean.items())),
                tuple(sorted(extra.items())),
            )
            ttl: Ttl = (lambda answer: ttl_s(answer[1])) if callable(ttl_s) else ttl_s
            status, body = await self.cache.get_or_fetch(key, ttl, fetch, fresh=mode == "refresh")
            return status, body  # a list when it came through Redis
        answer, _size = await fetch()
        return answer

    async def _get_with_retries(
        self, path: str, params: Mapping[str, Any], what: str, headers: Mapping[str, str]
    ) -> tuple[int, Any, int]:
        policy = self._retry
        started = time.monotonic()
        attempts = 0
        left = time_left()
        if left is not None and left <= 0:
            raise ProviderTimeoutError(
                self.account.name,
                self.account.kind,
                f"this tool call's time limit was reached before fetching {what}.",
                hint="Ask for less (a smaller `limit` or a shorter window) and call again.",
                label=self.account.label,
            )
        if (refused := self.breaker.refusal()) is not None:  # it just timed out: do not wait for it again
            raise ProviderTimeoutError(
                self.account.name, self.account.kind, f"{refused}.", hint=BREAKER_HINT, label=self.account.label
            )
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.attempts) | _deadline_stop(policy, started),
            wait=_Wait(policy),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
            before_sleep=self._count_retry,
        )
        with self.breaker.watching(time_left):
            try:
                async for attempt in retrying:
                    with attempt:
                        attempts = attempt.retry_state.attempt_number
                        return await self._get_once(path, params, what, headers)
            except _Retryable as exc:
                raise exc.error.with_retry_info(attempts, time.monotonic() - started) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _paced(self) -> None:
        """Wait for this account's next request slot: shared by replicas through Redis when it is
        there, else this process's own spacing."""
        rate = self.account.max_requests_per_s
        wait = await self._shared.reserve(self.account.name, 1 / rate) if self._shared and rate else None
        if wait is None:
            assert self._pace is not None
            await self._pace.acquire()
        elif wait > 0:
            await asyncio.sleep(wait)

    def _count_retry(self, state: RetryCallState) -> None:
        """Metrics: one more retry, why, and the wait when the provider asked for one."""
        exc = state.outcome.exception() if state.outcome else None
        error = exc.error if isinstance(exc, _Retryable) else None
        status = getattr(error, "status", None)
        reason = (
            "rate_limited" if status == 429
            else "server_error" if isinstance(status, int) and status >= 500
            else type(error).__name__ if error is not None else "unknown"
        )  # fmt: skip
        RETRIES.labels(self.account.name, reason).inc()
        if isinstance(exc, _Retryable) and exc.retry_after is not None and state.next_action is not None:
            RETRY_AFTER_SECONDS.labels(self.account.name).inc(state.next_action.sleep)

    async def _get_once(
        self, path: str, params: Mapping[str, Any], what: str, headers: Mapping[str, str]
    ) -> tuple[int, Any, int]:
        account = self.account
        async with in_flight.get() or contextlib.nullcontext(), self._limit:
            if self._pace is not None:
                await self._paced()
            started = time.monotonic()
            read_s, connect_s = account.read_timeout_s, account.connect_timeout_s
            left = time_left()
            if left is not None:  # never wait past the tool call's deadline
                read_s, connect_s = max(0.05, min(read_s, left)), max(0.05, min(connect_s, left))
            try:
                with TRACER.start_as_current_span(
                    f"GET {account.kind}",
                    kind=SpanKind.CLIENT,
                    attributes={"http.request.method": "GET", "agent_runs.account": account.name},
                ) as span:
                    request = self.client.build_request(
                        "GET",
                        path,
                        params=params,
                        headers=headers or None,
                        timeout=httpx.Timeout(read_s, connect=connect_s),
                    )
                    response = await self.client.send(request, stream=True)
                    span.set_attribute("http.response.status_code", response.status_code)
                    try:
                        await read_capped(response, int(account.max_body_mb * 1024 * 1024))
                    except BodyTooLarge as exc:
                        PROVIDER_REQUESTS.labels(account.name, "too_large").inc()
                        raise self._too_large(exc, what) from None
                    finally:
                        await response.aclose()
            except httpx.TimeoutException as exc:
                PROVIDER_REQUESTS.labels(account.name, "timeout").inc()
                phase = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
                waited = connect_s if phase == "connect" else read_s
                raise _Retryable(
                    ProviderTimeoutError(
                        account.name,
                        account.kind,
                        f"no answer while fetching {what}: the {phase} timeout of {waited:.3g}s expired.",
                        hint="The provider may be slow or overloaded; try again, or narrow the request.",
                        label=account.label,
                    )
                ) from None
            except httpx.TransportError as exc:
                PROVIDER_REQUESTS.labels(account.name, "connection").inc()
                host = httpx.URL(account.base_url).host
                unresolved = any(isinstance(e, socket.gaierror) for e in _causes(exc))
                raise _Retryable(
                    ProviderConnectionError(
                        account.name,
                        account.kind,
                        f"the host name `{host}` did not resolve (DNS), so {account.base_url} was not reached."
                        if unresolved
                        else f"could not connect to {account.base_url} ({type(exc).__name__}).",
                        hint=(
                            "Check the spelling of the base URL's host and this machine's DNS."
                            if unresolved
                            else "Check the base URL and the network."
                        )
                        + " `agent-runs-mcp doctor` tests each account.",
                        label=account.label,
                    )
                ) from None
            elapsed = time.monotonic() - started
        PROVIDER_REQUESTS.labels(account.name, str(response.status_code)).inc()
        PROVIDER_SECONDS.labels(account.name).observe(elapsed)
        if in_flight.get() is not None:
            await asyncio.sleep(0)  # let the walker's next request go out before this answer is parsed
        log.debug("GET %s -> %s in %.0f ms", path, response.status_code, elapsed * 1000)
        status, body = self._interpret(response, what)
        return status, body, len(response.content)

    def _too_large(self, exc: BodyTooLarge, what: str) -> BadResponseError:
        seen = f"announced {megabytes(exc.size)}" if exc.announced else f"over {megabytes(exc.size)} read"
        return BadResponseError(
            self.account.name,
            self.account.kind,
            f"answered {what} with more than {megabytes(exc.cap)} ({seen}); refused unread to keep memory bounded.",
            hint="Ask for less (a smaller `limit` or a shorter window), or raise AGENT_RUNS_MAX_BODY_MB "
            "(`max_body_mb` for a TOML account) if such pages are expected.",
            label=self.account.label,
        )

    def _interpret(self, response: httpx.Response, what: str) -> tuple[int, Any]:
        account = self.account
        status = response.status_code
        body, is_json = parse_body(response)
        detail = self._detail(body, response) if status >= 300 or not is_json else None
        if 200 <= status < 300:
            if not is_json:
                bad = BadResponseError(
                    account.name,
                    account.kind,
                    f"answered {what} with a body that is not JSON ({describe_body(response)}).",
                    status=status,
                    hint="The provider may be failing or the base URL may point at a web page, not the API.",
                    label=account.label,
                )
                if looks_cut_off(response.content):
                    raise _Retryable(bad)  # empty or cut off mid-document: a dropped answer, retried like a 5xx
                raise bad
            if self._check_body is not None:
                self._check_body(status, body, what)
            if status == 206:  # a provider that uses 206 for its errors raised above; nobody sends us ranges
                raise BadResponseError(
                    account.name,
                    account.kind,
                    f"answered {what} with 206 Partial Content, which this API is not documented to send; "
                    "the answer may be incomplete, so it is not used.",
                    status=status,
                    detail=self._detail(body, response),
                    hint="Try again; if it persists, the provider (or a proxy in front of it) is misbehaving.",
                    label=account.label,
                )
            return status, body
        if status in RETRY_STATUSES:
            retry_after = wait_from_headers(response.headers)
            error = status_error(self.account, response, what, detail, is_json, retry_after)
            left = time_left()
            too_long = retry_after is not None and (
                retry_after > self._retry.max_retry_after_s or (left is not None and retry_after >= left)
            )
            if too_long:
                raise error  # not worth waiting for within a tool call
            raise _Retryable(error, retry_after)
        raise status_error(self.account, response, what, detail, is_json)

    def _detail(self, body: Any, response: httpx.Response) -> str | None:
        if body is not None:
            try:
                found = self._read_error(body)
            except Exception:  # a reader must never turn an error into a crash
                found = None
            if found:
                return trim_detail(str(found))
        if response.content and not is_json_type(response):
            snippet = trim_detail(response.text, 120)
            return snippet or None
        return None


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    """``exc`` and what it wraps (httpx wraps httpcore, which wraps the OS error), a few levels deep."""
    for _ in range(8):
        if exc is None:
            return
        yield exc
        exc = exc.__cause__ or exc.__context__


def _deadline_stop(policy: RetryPolicy, started: float) -> Callable[[RetryCallState], bool]:
    """Stop retrying when the next wait would pass the request's own deadline or the tool call's."""

    def stop(retry_state: RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep or 0.0
        left = time_left()
        if left is not None and upcoming >= left - 0.5:
            return True
        return time.monotonic() - started + upcoming > policy.deadline_s

    return stop  # type: ignore[return-value]
