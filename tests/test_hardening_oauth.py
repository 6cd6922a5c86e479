"""OAuth keys under load and attack (issue 23, item 2), against an in-process fake issuer.

The fake issuer is an httpx MockTransport that counts requests and can be slow or down; tokens are
signed here with its key. `make test-oauth` covers the real third-party issuer (oauth2-mock-server).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from agent_runs_mcp.server import oauth
from agent_runs_mcp.server.oauth import TokenVerifier

pytestmark = pytest.mark.anyio

ISSUER = "https://issuer.test"
PUBLIC = "https://mcp.test"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeIssuer:
    """Metadata and a JWKS with one key (`k1`); `delay` makes it slow, `down` makes it fail."""

    def __init__(self, delay: float = 0.0, down: bool = False) -> None:
        self.delay = delay
        self.down = down
        self.requests: list[str] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise httpx.ConnectError("issuer down", request=request)
        if request.url.path == "/.well-known/oauth-authorization-server":
            return httpx.Response(200, json={"issuer": ISSUER, "jwks_uri": ISSUER + "/jwks"})
        if request.url.path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
            return httpx.Response(200, json={"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
        return httpx.Response(404)

    @property
    def jwks_reads(self) -> int:
        return self.requests.count("/jwks")


def token(kid: str = "k1", key: Any = KEY, **claims: Any) -> str:
    body = {"iss": ISSUER, "aud": PUBLIC, "sub": "user-1", "exp": int(time.time()) + 600, **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def forged() -> str:
    """Plausible in every unverified claim, signed by a key the issuer never had, naming a fresh kid."""
    return token(kid=uuid.uuid4().hex, key=OTHER_KEY)


def verifier(issuer: FakeIssuer) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, public_url=PUBLIC, transport=httpx.MockTransport(issuer))


async def timed(check: TokenVerifier, value: str) -> tuple[bool, float]:
    started = time.perf_counter()
    accepted = await check.verify_token(value) is not None
    return accepted, time.perf_counter() - started


async def test_a_cold_start_under_50_concurrent_tokens_reads_the_keys_once() -> None:
    issuer = FakeIssuer(delay=0.2)
    check = verifier(issuer)
    results = await asyncio.gather(*(check.verify_token(token()) for _ in range(50)))
    assert all(r is not None for r in results)
    assert issuer.jwks_reads == 1 and len(issuer.requests) == 2  # metadata + JWKS, once


async def test_past_the_ttl_known_keys_answer_at_once_and_one_refresh_runs_behind() -> None:
    issuer = FakeIssuer()
    check = verifier(issuer)
    assert await check.verify_token(token())
    issuer.delay = 1.0
    assert check.keys is not None
    check.keys._fetched_at -= oauth.JWKS_TTL_S + 1
    results = await asyncio.gather(*(timed(check, token()) for _ in range(50)))
    assert all(ok for ok, _ in results)
    assert max(s for _, s in results) < 0.5, "a known key waited for the slow issuer"
    await asyncio.sleep(1.3)
    assert issuer.jwks_reads == 2  # the first read, and one background refresh for the 50


async def test_a_slow_issuer_and_forged_tokens_do_not_delay_a_legitimate_user() -> None:
    issuer = FakeIssuer()
    check = verifier(issuer)
    assert await check.verify_token(token())  # keys known
    issuer.delay = 1.5  # the issuer turns slow (the red team saw 5-8 s) just as the keys' TTL runs out
    assert check.keys is not None
    check.keys._fetched_at -= oauth.JWKS_TTL_S + 1
    attack = [asyncio.create_task(check.verify_token(forged())) for _ in range(10)]
    await asyncio.sleep(0.05)  # the forged tokens are in, one of them refreshing
    legit = [await timed(check, token()) for _ in range(5)]
    refused = await asyncio.gather(*attack)
    assert all(ok for ok, _ in legit) and max(s for _, s in legit) < 0.3, legit
    assert all(r is None for r in refused)
    assert issuer.jwks_reads == 2  # one refresh for ten unknown kids and the expired TTL, not eleven
    more = await asyncio.gather(*(timed(check, forged()) for _ in range(20)))
    assert max(s for _, s in more) < 0.3 and issuer.jwks_reads == 2  # within 30 s: no new refresh


async def test_a_down_issuer_is_asked_once_per_interval_and_the_last_good_keys_serve() -> None:
    now = [1000.0]
    issuer = FakeIssuer()
    check = verifier(issuer)
    assert check.keys is not None
    check.keys._clock = lambda: now[0]
    assert await check.verify_token(token())
    issuer.down = True
    now[0] += oauth.JWKS_TTL_S + 5  # keys expired and the issuer is down
    before = len(issuer.requests)
    for _ in range(3):
        results = await asyncio.gather(*(check.verify_token(v) for v in [token()] * 20 + [forged() for _ in range(20)]))
        await asyncio.sleep(0.05)  # let the background refresh fail
        assert all(r is not None for r in results[:20]), "the last good keys must keep serving"
        assert all(r is None for r in results[20:])
        now[0] += 10
    assert len(issuer.requests) - before == 1, issuer.requests[before:]  # one try in 30 s, not two per token
    now[0] += oauth.REFETCH_AFTER_S
    await check.verify_token(forged())
    assert len(issuer.requests) - before == 2  # and again after the interval


async def test_a_cold_start_with_the_issuer_down_is_negatively_cached() -> None:
    now = [50.0]
    issuer = FakeIssuer(down=True)
    check = verifier(issuer)
    assert check.keys is not None
    check.keys._clock = lambda: now[0]
    results = await asyncio.gather(*(check.verify_token(token()) for _ in range(30)))
    assert all(r is None for r in results)
    assert len(issuer.requests) == 1  # the metadata request failed once for all 30
    now[0] += oauth.REFETCH_AFTER_S + 1
    issuer.down = False
    assert await check.verify_token(token())  # the issuer is back: keys read, token accepted


async def test_a_hanging_issuer_costs_at_most_the_refresh_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oauth, "REFRESH_TIMEOUT_S", 0.3)
    check = verifier(FakeIssuer(delay=30))
    accepted, seconds = await timed(check, token())
    assert not accepted and seconds < 1.0


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}.c2ln"


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-jwt",
        "a.b.c",
        "x" * 20_000 + ".a.b",
        _unsigned({"alg": "none", "kid": "k9"}, {"iss": ISSUER, "aud": PUBLIC, "exp": 2**40}),
        _unsigned({"alg": "HS256", "kid": "k9"}, {"iss": ISSUER, "aud": PUBLIC, "exp": 2**40}),
        _unsigned({"alg": "RS256", "kid": "k" * 500}, {"iss": ISSUER, "aud": PUBLIC, "exp": 2**40}),
        _unsigned({"alg": "RS256", "kid": ["k9"]}, {"iss": ISSUER, "aud": PUBLIC, "exp": 2**40}),
        token(kid="k9", iss="https://elsewhere.test"),
        token(kid="k9", aud="https://other.test"),
        token(kid="k9", exp=int(time.time()) - 3600),
        _unsigned({"alg": "RS256", "kid": "k9"}, {"iss": ISSUER, "aud": PUBLIC}),  # no exp
    ],
)
async def test_tokens_that_cannot_pass_never_reach_the_issuer(bad: str) -> None:
    issuer = FakeIssuer()
    check = verifier(issuer)
    assert await check.verify_token(bad) is None
    assert issuer.requests == []


@pytest.mark.parametrize(("expired_s", "accepted"), [(10, True), (oauth.LEEWAY_S + 30, False)])
async def test_the_documented_exp_leeway_is_applied(expired_s: int, accepted: bool) -> None:
    check = verifier(FakeIssuer())
    result = await check.verify_token(token(exp=int(time.time()) - expired_s))
    assert (result is not None) is accepted


async def test_refusals_are_logged_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    check = verifier(FakeIssuer())
    assert await check.verify_token(token())
    oauth.REFUSALS._last.clear()
    with caplog.at_level("INFO", logger="agent_runs_mcp.oauth"):
        await asyncio.gather(*(check.verify_token(forged()) for _ in range(200)))
    lines = [r for r in caplog.records if "refused" in r.getMessage()]
    assert 1 <= len(lines) <= 2, [r.getMessage() for r in lines]
