"""What a provider's non-2xx answer means: one error per status, written for the model (the status ladder).

The HTTP client (:mod:`agent_runs_mcp.providers.client`) decides what is retried and for how long;
this module only says what an answer means.
"""

from __future__ import annotations

import httpx

from agent_runs_mcp.errors import (
    AuthError,
    BadResponseError,
    NotFoundError,
    ProviderError,
    RateLimitedError,
    UpstreamError,
)
from agent_runs_mcp.providers.account import Account
from agent_runs_mcp.providers.ids import trim_detail

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Answers worth asking again (rate limit, a server that failed or is busy)."""


def status_error(
    account: Account,
    response: httpx.Response,
    what: str,
    detail: str | None,
    is_json: bool,
    retry_after: float | None = None,
) -> ProviderError:
    """The error a non-2xx answer to the request for ``what`` means (``detail``: the provider's own words)."""
    status = response.status_code
    if status == 429:
        limited = RateLimitedError(
            account.name,
            account.kind,
            f"rate limit reached while fetching {what}"
            + (f" (asked to wait {retry_after:.0f}s)." if retry_after is not None else "."),
            status=status,
            detail=detail,
            hint="Wait a minute before asking again, or narrow the request (smaller `limit`, shorter window).",
            label=account.label,
        )
        limited.retry_after_s = retry_after
        return limited
    if status in RETRY_STATUSES:
        return UpstreamError(
            account.name,
            account.kind,
            f"server error while fetching {what}.",
            status=status,
            detail=detail,
            hint="This is on the provider's side; try again shortly.",
            label=account.label,
        )
    if status in (401, 403):
        source = account.token_source or f"the {account.label} token"
        what_failed = (
            "refused the credentials (401)." if status == 401 else "accepted the credentials but denied access (403)."
        )
        return AuthError(
            account.name,
            account.kind,
            f"{what_failed[:-1]} while fetching {what}.",
            status=status,
            detail=detail,
            hint=(
                f"Check {source}: it may be wrong, expired or revoked"
                + (", or lack the scope/organization for this resource." if status == 403 else ".")
                + " Run `agent-runs-mcp doctor` to test it."
            ),
            label=account.label,
        )
    if status == 404:
        # No such route: an HTML 404, or Express/NestJS's JSON "Cannot GET /path".
        missing_endpoint = not is_json or (detail or "").startswith("Cannot GET")
        return NotFoundError(
            account.name,
            account.kind,
            (
                f"the endpoint for {what} does not exist on {account.base_url} (a 404 for the route itself)."
                if missing_endpoint
                else f"{what} was not found."
            ),
            status=status,
            detail=None if missing_endpoint else detail,
            endpoint_missing=missing_endpoint,
            hint=(
                "Check the base URL for this account."
                if missing_endpoint
                else "Check the id (list it first with the matching list tool), the account and the space."
            ),
            label=account.label,
        )
    if 300 <= status < 400:
        target = response.headers.get("Location", "?")
        return BadResponseError(
            account.name,
            account.kind,
            f"answered {what} with a redirect ({status}) to {trim_detail(target, 120)}.",
            status=status,
            hint="Check the base URL for this account (scheme, host, and no extra path).",
            label=account.label,
        )
    return ProviderError(
        account.name,
        account.kind,
        f"refused the request for {what}.",
        status=status,
        detail=detail,
        hint="Check the arguments (ids, filters); the provider's message above says what it disliked.",
        label=account.label,
    )
