"""Which organization and which space: what Unpod calls need to know before they can list anything.

The agent and space listings read the ``Org-Handle`` header; without a configured handle, the one
organization the token sees is used. Run and task lists live under a space; an agent's space is
read from the space listings (kept for 5 minutes).
"""

from __future__ import annotations

import logging
import time

from agent_runs_mcp.errors import ConfigError, Listing, ProviderError, Said
from agent_runs_mcp.providers.account import Account
from agent_runs_mcp.providers.base import JsonGet
from agent_runs_mcp.providers.ids import segment
from agent_runs_mcp.providers.jsonread import as_dict, as_list, as_text, dig
from agent_runs_mcp.providers.unpod.pages import envelope_data

log = logging.getLogger(__name__)

API = "/api/v2/platform"


class SpaceDirectory:
    """Organization and agent -> space discovery: a member of the adapter, reading with the adapter's getter."""

    SPACES_TTL_S = 300.0
    """How long the agent -> space map is trusted before the space listings are read again."""

    def __init__(self, get: JsonGet, account: Account) -> None:
        self.get = get
        self.account = account
        self._discovered_org: str | None = None
        self._agent_spaces: dict[str, str] | None = None
        self._agent_spaces_at = 0.0

    async def org_headers(self) -> dict[str, str] | None:
        """The Org-Handle header for endpoints that need it, discovering it when unconfigured."""
        if self.account.setting("org_handle"):
            return None  # already a default header of the client
        if self._discovered_org is None:
            body = await self.get(f"{API}/organizations/", what="the organizations of this token", ttl_s=600)
            orgs = [o for o in envelope_data(body, self.account.name, "organizations") if isinstance(o, dict)]
            handles = [h for h in (as_text(o.get("domain_handle")) for o in orgs) if h]
            if len(handles) != 1:
                listed = ", ".join(handles[:10]) or "none"
                raise ConfigError(
                    f"Unpod (account `{self.account.name}`): this call needs the organization handle and the "
                    f"token sees {len(handles)} organization(s) ({listed}). Set UNPOD_ORG_HANDLE "
                    "(or `org_handle` in the TOML account) to one of them."
                )
            self._discovered_org = handles[0]
        return {"Org-Handle": self._discovered_org}

    async def agent_spaces(self) -> dict[str, str]:
        """Map agent handle -> space token, from the spaces the token can see (best effort, kept 5 minutes)."""
        if self._agent_spaces is not None and time.monotonic() - self._agent_spaces_at < self.SPACES_TTL_S:
            return self._agent_spaces
        mapping: dict[str, str] = {}
        try:
            headers = await self.org_headers()
            body = await self.get(f"{API}/spaces/", what="the spaces", ttl_s=300, headers=headers)
            for space in envelope_data(body, self.account.name, "spaces"):
                token = as_text(dig(space, "token"))
                if not token:
                    continue
                detail = await self.get(
                    f"{API}/spaces/{segment(token, 'space')}/",
                    what=f"space `{token}`",
                    ttl_s=300,
                    headers=headers,
                )
                inner = detail.get("data", detail) if isinstance(detail, dict) else {}
                for agent in as_list(as_dict(inner).get("agents")):
                    handle = as_text(dig(agent, "handle"))
                    if handle:
                        mapping.setdefault(handle, token)
        except (ProviderError, ConfigError) as exc:
            log.debug("Unpod space discovery skipped: %s", type(exc).__name__)
        self._agent_spaces, self._agent_spaces_at = mapping, time.monotonic()
        return mapping

    async def space_for(self, agent: str | None, space: str | None) -> str | None:
        if space:
            return space
        if agent:
            found = (await self.agent_spaces()).get(agent)
            if found:
                return found
        return self.account.setting("space_token")


def run_not_in_space(space: str, *, named: bool, agent: str | None) -> tuple[Said, ...]:
    """What finds a run that is not in ``space``: a 404 says which argument to pass, and where it is listed."""
    which = "the space passed" if named else "the account's default space"
    if agent:
        return (f"Space `{space}` is {which}; check the run id, or pass the run's `ref` from ", Listing.EXECUTIONS, ".")
    return (
        f"Space `{space}` is {which}: the run may be in another one. Pass `agent=` (the run's agent handle from ",
        Listing.AGENTS,
        ": its tasks are searched for the run) or `space=` (the run's space token; ",
        Listing.AGENTS,
        " shows each agent's space), or the run's `ref` from ",
        Listing.EXECUTIONS,
        ".",
    )
