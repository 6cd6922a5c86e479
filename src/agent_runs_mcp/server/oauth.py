"""OAuth resource-server mode: access tokens from the organization's issuer, checked as JWTs.

With ``AGENT_RUNS_OAUTH_ISSUER`` and ``AGENT_RUNS_PUBLIC_URL`` set, the HTTP transport is an OAuth 2.1
resource server as the MCP authorization spec describes: it publishes Protected Resource Metadata
(RFC 9728) at ``/.well-known/oauth-protected-resource`` naming the issuer, and accepts a bearer token
only when it is a JWT

* signed by one of the issuer's keys (JWKS found through the issuer's metadata, cached, fetched again
  when a token names a key not yet seen: rotation needs no restart),
* with an asymmetric algorithm (``none`` and shared-secret algorithms are refused),
* issued by that issuer (``iss``), for this server (``aud`` is the public URL or its ``/mcp``
  endpoint, RFC 8707), not expired (``exp`` required, 30 s of leeway for clock skew),
* carrying ``AGENT_RUNS_OAUTH_SCOPE`` when that is set (403 ``insufficient_scope`` otherwise).

A token whose shape, algorithm or unverified claims cannot pass is refused before any key is looked
up, so it never makes the issuer be asked; keys are cached and refreshed one at a time
(:class:`IssuerKeys`), so a legitimate user's latency does not depend on what others send.

The SDK does the HTTP side (``TokenVerifier``, ``AuthSettings``: the 401/403 answers with
``WWW-Authenticate: Bearer error=..., resource_metadata=...`` and the metadata route); this module is
the verifier. Static tokens (``AGENT_RUNS_HTTP_TOKEN``) keep working alongside. A user's token is
never sent anywhere: providers get the operator's credentials only.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import anyio
import httpx
import jwt
from mcp.server.auth.provider import AccessToken
from pydantic import SecretStr

from agent_runs_mcp.server.throttled_log import Throttled

log = logging.getLogger("agent_runs_mcp.oauth")
FAILURES = Throttled(log, 60.0)
REFUSALS = Throttled(log, 60.0)
MAX_TOKEN_CHARS = 16_384

ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_S = 30
"""Clock skew allowed on ``exp`` (and ``nbf``/``iat``): passed to PyJWT as ``leeway``."""
JWKS_TTL_S = 3600.0
REFETCH_AFTER_S = 30.0
"""The issuer is asked at most this often for anything but the first good answer after a TTL: a token
naming an unknown key, or a retry after a failure (forged kids and a down issuer cannot make us hammer it)."""
REFRESH_TIMEOUT_S = 5.0
"""Discovery plus the JWKS, all in: past this a refresh gives up (the last good keys stay)."""
METADATA_PATHS = ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")
_KID = re.compile(r"^[A-Za-z0-9_.:+/=-]{1,200}$")


class IssuerKeys:
    """The issuer's signing keys: metadata -> ``jwks_uri`` -> JWKS, cached, re-read for unknown keys.

    * One refresh at a time (a lock, and a re-check after taking it: requests that queued behind a
      refresh use its result instead of starting their own), bounded by :data:`REFRESH_TIMEOUT_S`.
    * Past the TTL the current keys keep answering while one refresh runs in the background: a
      known key never waits for the issuer.
    * A failed refresh or an unknown ``kid`` asks the issuer again only after :data:`REFETCH_AFTER_S`;
      meanwhile the last good keys are served (past their TTL if need be) and unknown kids refused.
    """

    def __init__(
        self,
        issuer: str,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self._transport = transport
        self._clock = clock
        self._jwks_uri: str | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -math.inf
        self._forced_at = -math.inf
        self._failed_at = -math.inf
        self._completed_at = -math.inf
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self.fetches = 0
        """Refreshes started (each is the metadata if not known yet, then the JWKS): for tests and logs."""

    async def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        now = self._clock()
        resting = now - self._failed_at < REFETCH_AFTER_S  # the issuer failed a moment ago: leave it alone
        if not self._keys:
            if self._lock.locked() or not resting:
                await self._refresh(asked_at=now)  # cold start (or joining the refresh in flight)
        elif kid is not None and kid not in self._keys:
            if self._lock.locked() or (not resting and now - self._forced_at >= REFETCH_AFTER_S):
                self._forced_at = now  # a key not seen yet: the issuer may have rotated (at most this often)
                await self._refresh(asked_at=now)
        elif now - self._fetched_at > JWKS_TTL_S and not resting and not self._lock.locked() and self._idle():
            self._background = asyncio.create_task(self._refresh(asked_at=now))  # stale: refresh behind, answer now
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid or "")

    def _idle(self) -> bool:
        return self._background is None or self._background.done()

    async def _refresh(self, asked_at: float) -> None:
        async with self._lock:
            if self._completed_at >= asked_at:
                return  # a refresh ended (well or not) while this request waited for the lock: use that
            self.fetches += 1
            try:
                with anyio.fail_after(REFRESH_TIMEOUT_S):
                    keys = await self._fetch()
            except (httpx.HTTPError, RuntimeError, ValueError, TimeoutError) as exc:
                FAILURES.warning(
                    "issuer",
                    "could not read the signing keys of %s (%s); %s; next try in %.0f s",
                    self.issuer,
                    type(exc).__name__,
                    f"serving the last {len(self._keys)} good key(s)" if self._keys else "no key known yet",
                    REFETCH_AFTER_S,
                )
                self._failed_at = self._clock()
                return
            finally:
                self._completed_at = self._clock()
            self._keys = keys
            self._fetched_at = self._clock()
            log.info("read %d signing key(s) of %s", len(keys), self.issuer)

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        async with httpx.AsyncClient(timeout=REFRESH_TIMEOUT_S, transport=self._transport) as client:
            if self._jwks_uri is None:
                self._jwks_uri = await self._discover(client)
            answer = await client.get(self._jwks_uri)
            answer.raise_for_status()
            keys: dict[str, jwt.PyJWK] = {}
            payload = answer.json()
            for raw in payload.get("keys", []) if isinstance(payload, dict) else []:
                if not isinstance(raw, dict):
                    continue
                try:
                    key = jwt.PyJWK(raw)
                except jwt.PyJWTError:
                    continue  # a key of a type we cannot use (or an encryption key): skip it
                keys[str(raw.get("kid", ""))] = key
            if not keys:
                raise ValueError("the JWKS holds no usable signing key")
            return keys

    async def _discover(self, client: httpx.AsyncClient) -> str:
        for path in METADATA_PATHS:
            answer = await client.get(self.issuer + path)
            if answer.status_code == 200:
                meta = answer.json()
                uri = meta.get("jwks_uri") if isinstance(meta, dict) else None
                if isinstance(uri, str) and uri:
                    return uri
        raise RuntimeError(f"{self.issuer} publishes no metadata with a jwks_uri")


class TokenVerifier:
    """The SDK's ``TokenVerifier``: static operator tokens first, then the issuer's JWTs."""

    def __init__(
        self,
        *,
        issuer: str | None,
        public_url: str | None,
        scope: str | None = None,
        static_tokens: Sequence[SecretStr] = (),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._static = [t.get_secret_value().encode() for t in static_tokens]
        self._static_scopes = [scope] if scope else []
        """The operator's own tokens carry whatever scope is required."""
        self.issuer = issuer.rstrip("/") if issuer else None
        base = (public_url or "").rstrip("/")
        self.audiences = [base, base + "/mcp"] if base else []
        self.keys = IssuerKeys(self.issuer, transport) if self.issuer else None

    async def verify_token(self, token: str) -> AccessToken | None:
        sent = token.encode()
        if any(hmac.compare_digest(sent, t) for t in self._static):
            return AccessToken(token=token, client_id="static-token", scopes=list(self._static_scopes))
        if self.keys is None or token.count(".") != 2 or len(token) > MAX_TOKEN_CHARS:
            return None
        try:
            header = self._plausible(token)  # nothing malformed, expired or foreign reaches the issuer
            key = await self.keys.key_for(header.get("kid"))
            if key is None:
                raise jwt.InvalidKeyError("signed by a key the issuer does not publish")
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[header["alg"]],
                audience=self.audiences,
                issuer=self.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, httpx.HTTPError, RuntimeError, ValueError) as exc:
            REFUSALS.info(type(exc).__name__, "bearer token refused: %s", type(exc).__name__)  # never the token
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or claims.get("sub") or "unknown"),
            scopes=scopes_of(claims),
            expires_at=int(claims["exp"]),
            resource=self.audiences[0],
            claims={"iss": self.issuer},
            subject=str(claims["sub"]) if claims.get("sub") is not None else None,
        )

    def _plausible(self, token: str) -> dict[str, Any]:
        """The token's header, once its shape, algorithm, kid and (unverified) claims could pass; else raise.

        The claims are checked again after the signature; checking them first means a token that
        cannot pass never costs an issuer request, whatever ``kid`` it names."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in ASYMMETRIC:
            raise jwt.InvalidAlgorithmError(f"algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if kid is not None and not (isinstance(kid, str) and _KID.match(kid)):
            raise jwt.InvalidTokenError("malformed kid")
        jwt.decode(
            token,
            options={"verify_signature": False, "verify_exp": True, "verify_aud": True, "verify_iss": True,
                     "require": ["exp", "iss", "aud"]},
            audience=self.audiences,
            issuer=self.issuer,
            leeway=LEEWAY_S,
        )  # fmt: skip
        return header


def scopes_of(claims: dict[str, Any]) -> list[str]:
    """``scope`` (space-separated, RFC 8693/9068) or ``scp`` (a list, as some issuers write it)."""
    scope = claims.get("scope")
    if isinstance(scope, str):
        return scope.split()
    scp = claims.get("scp")
    if isinstance(scp, list):
        return [str(s) for s in scp]
    return scp.split() if isinstance(scp, str) else []
