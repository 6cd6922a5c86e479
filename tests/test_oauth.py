"""OAuth resource-server mode against a real third-party issuer (npm `oauth2-mock-server`, on loopback).

`make test-oauth` installs the issuer; without node or the package these tests skip and say so.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from agent_runs_mcp.config import Settings, load_settings
from agent_runs_mcp.errors import ConfigError
from agent_runs_mcp.simulator.pacing import Pacing, credential_key
from agent_runs_mcp.simulator.world import World
from tests.conftest import accounts_for, call, free_port, start_simulator
from tests.test_http import demo_settings, http_server, mcp

ROOT = Path(__file__).resolve().parent.parent
MOCK = ROOT / ".npm-tools" / "node_modules" / "oauth2-mock-server" / "dist" / "index.mjs"
NODE = shutil.which("node")
MISSING = "node is not installed" if NODE is None else None if MOCK.exists() else f"{MOCK} is missing"
needs_issuer = pytest.mark.skipif(
    MISSING is not None, reason=f"{MISSING}: `make test-oauth` installs oauth2-mock-server and runs these"
)
SCOPE = "runs:read"


class Issuer:
    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc, self.url = proc, url

    def token(self, aud: str, scope: str = SCOPE, **extra: Any) -> str:
        body = {"grant_type": "client_credentials", "aud": aud, "scope": scope, **extra}
        answer = httpx.post(self.url + "/token", data=body, timeout=10)
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def rotate(self) -> None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("rotate\n")
        self.proc.stdin.flush()
        assert json.loads(self.proc.stdout.readline())["rotated"]


@contextmanager
def issuer() -> Iterator[Issuer]:
    assert NODE is not None
    script = Path(__file__).parent / "oauth" / "issuer.mjs"
    proc = subprocess.Popen(
        [NODE, str(script), str(MOCK), str(free_port())], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url = json.loads(proc.stdout.readline())["issuer"]
        yield Issuer(proc, url)
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()


def oauth_settings(issuer_url: str, public_url: str, **extra: Any) -> Settings:
    return demo_settings(oauth_issuer=issuer_url, public_url=public_url, oauth_scope=SCOPE, **extra)


@contextmanager
def oauth_server(iss: Issuer, **extra: Any) -> Iterator[str]:
    """Our HTTP app with OAuth on; its public URL is the loopback address it listens on."""
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with http_server(oauth_settings(iss.url, public, **extra), port=port) as url:
        assert url == public
        yield url


def status_of(url: str, token: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    client = {"name": "t", "version": "1"}
    params = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": client}
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}
    return httpx.post(url + "/mcp", json=body, headers=headers, timeout=10)


def get_json(url: str) -> Any:
    return httpx.get(url, timeout=10).json()


def forged(iss: str, aud: str) -> str:
    """Right claims, signed by a key the issuer never published."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": iss, "aud": aud, "exp": int(time.time()) + 600, "scope": SCOPE, "sub": "mallory"}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "not-the-issuers"})


def unsigned(token: str) -> str:
    """The same claims with `alg: none` and no signature."""
    _header, payload, _sig = token.split(".")
    head = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    return f"{head}.{payload}."


def tampered(token: str) -> str:
    """The issuer's signature over claims that were changed afterwards."""
    header, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = SCOPE + " admin"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{sig}"


@needs_issuer
@pytest.mark.anyio
async def test_tokens_of_the_issuer_work_and_every_bad_one_gets_401_or_403() -> None:
    with issuer() as iss, oauth_server(iss) as url:
        meta = get_json(url + "/.well-known/oauth-protected-resource")
        assert meta["resource"].rstrip("/") == url and meta["authorization_servers"][0].rstrip("/") == iss.url
        assert meta["scopes_supported"] == [SCOPE]

        good = iss.token(aud=url)
        async with mcp(url, token=good) as client:
            assert (await call(client, "list_agents", provider="modus")).structured_content["agents"]
        assert status_of(url, iss.token(aud=url + "/mcp")).status_code == 200  # RFC 8707: the endpoint URL

        missing = status_of(url, None)
        assert missing.status_code == 401
        challenge = missing.headers["www-authenticate"]
        assert 'error="invalid_token"' in challenge
        assert f'resource_metadata="{url}/.well-known/oauth-protected-resource"' in challenge

        refused = {
            "expired": iss.token(aud=url, exp_in=-300),
            "wrong audience": iss.token(aud="https://another-server.example"),
            "wrong issuer": iss.token(aud=url, iss="https://evil.example"),
            "unsigned": unsigned(good),
            "tampered": tampered(good),
            "foreign key": forged(iss.url, url),
            "not a JWT": "opaque-token-value",
        }
        for why, token in refused.items():
            answer = status_of(url, token)
            assert answer.status_code == 401, why
            assert 'error="invalid_token"' in answer.headers["www-authenticate"], why
            assert token not in answer.text

        narrow = status_of(url, iss.token(aud=url, scope="something:else"))
        assert narrow.status_code == 403
        assert 'error="insufficient_scope"' in narrow.headers["www-authenticate"]


@needs_issuer
@pytest.mark.anyio
async def test_a_rotated_key_is_picked_up_and_static_tokens_still_work() -> None:
    with issuer() as iss, oauth_server(iss, http_tokens=(SecretStr("static-ops-token"),)) as url:
        before = iss.token(aud=url)
        assert status_of(url, before).status_code == 200  # the JWKS is read and cached
        iss.rotate()
        kids = {jwt.get_unverified_header(before)["kid"]}
        for _ in range(4):  # the mock alternates keys: one of the next tokens is signed by the new one
            token = iss.token(aud=url)
            kid = jwt.get_unverified_header(token)["kid"]
            assert status_of(url, token).status_code == 200, kid
            kids.add(kid)
        assert len(kids) == 2
        assert status_of(url, "static-ops-token").status_code == 200
        assert status_of(url, "static-ops-token-but-wrong").status_code == 401


@needs_issuer
@pytest.mark.anyio
async def test_the_users_token_never_reaches_a_provider() -> None:
    pacing = Pacing()
    live = start_simulator(World(seed=5), pacing=pacing)
    try:
        with issuer() as iss:
            port = free_port()
            public = f"http://127.0.0.1:{port}"
            settings = Settings(accounts=accounts_for(live.url), oauth_issuer=iss.url, public_url=public)
            with http_server(settings, port=port) as url:
                token = iss.token(aud=url, scope="")
                async with mcp(url, token=token) as client:
                    await call(client, "list_agents", provider="runtype")
    finally:
        live.stop()
    seen = set(pacing.report()["traffic"])
    user = credential_key({"headers": [(b"authorization", f"Bearer {token}".encode())]})
    secret = settings.accounts["runtype"].token
    assert secret is not None
    operator = credential_key({"headers": [(b"authorization", b"Bearer " + secret.get_secret_value().encode())]})
    assert operator in seen and user not in seen


def test_oauth_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="needs AGENT_RUNS_PUBLIC_URL"):
        load_settings({"AGENT_RUNS_OAUTH_ISSUER": "https://login.example.com"})
    with pytest.raises(ConfigError, match="https://"):
        load_settings({"AGENT_RUNS_OAUTH_ISSUER": "http://login.example.com", "AGENT_RUNS_PUBLIC_URL": "https://x.io"})
    ok = load_settings(
        {"AGENT_RUNS_OAUTH_ISSUER": "https://login.example.com/", "AGENT_RUNS_PUBLIC_URL": "https://x.io"}
    )
    assert ok.oauth and ok.oauth_issuer == "https://login.example.com" and ok.public_url == "https://x.io"
