"""Slow or unreachable providers (issue 22 item 3): doctor checks every account at once within a bound, a
host name that does not resolve is said to be one, doctor does not advise running doctor, and a provider
that just timed out is not waited for again (the per-account circuit breaker)."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from agent_runs_mcp.config import Settings
from agent_runs_mcp.errors import ProviderConnectionError, ProviderTimeoutError
from agent_runs_mcp.providers.breaker import Breaker
from agent_runs_mcp.providers.client import RetryPolicy
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.server.doctor import _check_accounts, without_doctor_advice
from agent_runs_mcp.tools.capabilities import check
from tests.conftest import accounts_for

pytestmark = pytest.mark.anyio

ONE_TRY = RetryPolicy(attempts=1, deadline_s=5)


@contextmanager
def stalled_hosts(count: int) -> Iterator[list[str]]:
    """Loopback hosts that accept connections (the kernel completes the handshake) and never answer."""
    listeners = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        listeners.append(sock)
    try:
        yield [f"http://127.0.0.1:{s.getsockname()[1]}" for s in listeners]
    finally:
        for sock in listeners:
            sock.close()


async def test_doctor_checks_three_stalled_hosts_at_once_within_its_bound(capsys: pytest.CaptureFixture[str]) -> None:
    with stalled_hosts(3) as urls:
        accounts = {}
        for kind, url in zip(("unpod", "runtype", "modus"), urls, strict=True):
            accounts[kind] = accounts_for(url)[kind]  # default timeouts: 5 s connect, 20 s read, retries
        started = time.monotonic()
        failures = await _check_accounts(Settings(accounts=accounts, cache_enabled=False), within_s=3)
        elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert failures == 3, out
    assert elapsed < 3 + 2.5, f"doctor took {elapsed:.1f}s with a 3 s bound"  # one by one: 3 x 40 s
    assert len(re.findall(r"^  FAIL (unpod|runtype|modus) ", out, re.M)) == 3, out
    assert "agent-runs-mcp doctor" not in out


def test_doctor_drops_its_own_name_from_advice() -> None:
    said = "Unpod [HTTP 401]: refused. Check UNPOD_API_TOKEN: it may be wrong. Run `agent-runs-mcp doctor` to test it."
    assert without_doctor_advice(said) == "Unpod [HTTP 401]: refused. Check UNPOD_API_TOKEN: it may be wrong."


async def test_a_host_name_that_does_not_resolve_is_said_to_be_one() -> None:
    def no_dns(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known") from socket.gaierror(-2, "not known")

    settings = Settings(accounts=accounts_for("http://runtype.example.invalid"), cache_enabled=False)
    registry = Registry(settings, transport=httpx.MockTransport(no_dns), retry=ONE_TRY)
    try:
        with pytest.raises(ProviderConnectionError) as caught:
            await check(registry.get("runtype"))
    finally:
        await registry.aclose()
    message = str(caught.value)
    assert "host name `runtype.example.invalid` did not resolve (DNS)" in message, message
    assert "ConnectError" not in message


async def test_a_provider_that_timed_out_fails_fast_then_one_probe_goes_through() -> None:
    with stalled_hosts(1) as (url,):
        accounts = accounts_for(url, runtype={"read_timeout_s": 0.4})
        registry = Registry(Settings(accounts=accounts, cache_enabled=False), retry=ONE_TRY)
        adapter = registry.get("runtype")
        try:
            with pytest.raises(ProviderTimeoutError):
                await check(adapter)  # waits its read timeout
            started = time.monotonic()
            with pytest.raises(ProviderTimeoutError) as caught:
                await check(adapter)
            assert time.monotonic() - started < 0.2  # not another 0.4 s
        finally:
            await registry.aclose()
    message = str(caught.value)
    assert re.search(r"did not answer within \d+ s at \d\d:\d\d:\d\d UTC; retrying after \d\d:\d\d:\d\d UTC", message)
    assert message.startswith("Runtype")


def test_the_breaker_opens_lets_one_probe_through_and_closes() -> None:
    now = [1000.0]
    breaker = Breaker(30, clock=lambda: now[0], wall=lambda: 1_700_000_000 + now[0])
    assert breaker.refusal() is None
    breaker.timed_out(40)
    said = breaker.refusal()
    assert said is not None and said.startswith("did not answer within 40 s at ")
    now[0] += 29
    assert breaker.refusal() is not None  # still cooling down
    now[0] += 2
    assert breaker.refusal() is None  # the probe
    assert breaker.refusal() is not None  # the others wait for it
    breaker.timed_out(40)  # the probe timed out too: a new cool-down
    now[0] += 5
    assert breaker.refusal() is not None
    now[0] += 30
    assert breaker.refusal() is None
    breaker.answered()
    assert breaker.refusal() is None and breaker.refusal() is None


def test_a_probe_that_never_finished_lets_the_next_one_go() -> None:
    now = [0.0]
    breaker = Breaker(1, clock=lambda: now[0])
    breaker.timed_out(5)
    now[0] = 2
    assert breaker.refusal() is None
    breaker.gave_up()
    assert breaker.refusal() is None


def test_doctor_s_bound_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    from agent_runs_mcp.server.cli import main

    for bad in ("0", "abc", "1000"):
        with pytest.raises(SystemExit):
            main(["doctor", "--within", bad])
        assert "--within" in capsys.readouterr().err
