"""OAuth resource-server mode: access tokens from the organization's issuer, checked as JWTs.

With ``AGENT_RUNS_OAUTH_ISSUER`` and ``AGENT_RUNS_PUBLIC_URL`` set, the HTTP transport is an OAuth 2.1
resource server as the MCP authorization spec describes: it publishes Protected Resource Metadata
(RFC 9728) at ``/.well-known/oauth-protected-resource`` naming the issuer, and accepts a bearer token
only when it is a JWT

* signed by one of the issuer's keys (JWKS found through the issuer's metadata, cached, fetched again
  when a token names a key not yet seen: rotation needs no restart),
* with an asymmetric algorithm (``none`` and shared-secret algorithms are refused),
* issued by that issuer (``iss``), for this server (``aud`` is the public URL or its ``/mcp``
  endpoint, RFC 8707), not expired (``exp`` required, 30 s of leeway),
* carrying ``AGENT_RUNS_OAUTH_SCOPE`` when that is set (403 ``insufficient_scope`` otherwise).

The SDK does the HTTP side (``TokenVerifier``, ``AuthSettings``: the 401/403 answers with
``WWW-Authenticate: Bearer error=..., resource_metadata=...`` and the metadata route); this module is
the verifier. Static tokens (``AGENT_RUNS_HTTP_TOKEN``) keep working alongside. A user's token is
never sent anywhere: providers get the operator's credentials only.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
import jwt
from mcp.server.auth.provider import AccessToken
from pydantic import SecretStr

log = logging.getLogger("agent_runs_mcp.oauth")

ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_S = 30
JWKS_TTL_S = 3600.0
REFETCH_AFTER_S = 30.0
"""A token naming an unknown key makes the JWKS be read again, at most this often (forged kids cannot
make us hammer the issuer)."""
METADATA_PATHS = ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")


class IssuerKeys:
    """The issuer's signing keys: metadata -> ``jwks_uri`` -> JWKS, cached, re-read for unknown keys."""

    def __init__(self, issuer: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.issuer = issuer.rstrip("/")
        self._transport = transport
        self._jwks_uri: str | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -JWKS_TTL_S
        self._forced_at = -REFETCH_AFTER_S
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        now = time.monotonic()
        if now - self._fetched_at > JWKS_TTL_S:
            await self._refresh()
        elif kid not in self._keys and now - self._forced_at > REFETCH_AFTER_S:
            self._forced_at = now  # a key not seen yet: the issuer may have rotated (at most this often)
            await self._refresh()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid or "")

    async def _refresh(self) -> None:
        async with self._lock, httpx.AsyncClient(timeout=10, transport=self._transport) as client:
            if self._jwks_uri is None:
                self._jwks_uri = await self._discover(client)
            answer = await client.get(self._jwks_uri)
            answer.raise_for_status()
            keys: dict[str, jwt.PyJWK] = {}
            for raw in answer.json().get("keys", []):
                try:
                    key = jwt.PyJWK(raw)
                except jwt.PyJWTError:
                    continue  # a key of a type we cannot use (or an encryption key): skip it
                keys[str(raw.get("kid", ""))] = key
            self._keys = keys
            self._fetched_at = time.monotonic()
            log.info("read %d signing key(s) of %s", len(keys), self.issuer)

    async def _discover(self, client: httpx.AsyncClient) -> str:
        for path in METADATA_PATHS:
            answer = await client.get(self.issuer + path)
            if answer.status_code == 200:
                uri = answer.json().get("jwks_uri")
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
        if self.keys is None or token.count(".") != 2:
            return None
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ASYMMETRIC:
                raise jwt.InvalidAlgorithmError(f"algorithm {header.get('alg')!r} is not accepted")
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
            log.info("bearer token refused: %s", type(exc).__name__)  # never the token itself
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


def scopes_of(claims: dict[str, Any]) -> list[str]:
    """``scope`` (space-separated, RFC 8693/9068) or ``scp`` (a list, as some issuers write it)."""
    scope = claims.get("scope")
    if isinstance(scope, str):
        return scope.split()
    scp = claims.get("scp")
    if isinstance(scp, list):
        return [str(s) for s in scp]
    return scp.split() if isinstance(scp, str) else []
