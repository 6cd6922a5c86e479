"""Fleet scope: the agents a tool covers when it is given no agent (every agent of one account, or of all).

`search_calls` and `list_agent_executions` without `agent` read each agent in turn; this module lists
them, in a stable order (accounts as configured, agents as each provider lists them), so that a
result names the agent of every item and a cursor can say which agent a walk resumes at. An account
whose agents cannot be listed becomes a note, not a failed call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent_runs_mcp.domain import Agent
from agent_runs_mcp.errors import AgentRunsError
from agent_runs_mcp.providers.base import Provider
from agent_runs_mcp.refs import Cursor
from agent_runs_mcp.tools.guard import said
from agent_runs_mcp.tools.paging import collect

AGENTS_MAX = 100
"""Most agents one account contributes to a fleet-wide search or listing."""


@dataclass(frozen=True, slots=True)
class Member:
    """One agent of the fleet, with the adapter of its account."""

    adapter: Provider
    agent: Agent

    @property
    def label(self) -> str:
        return f"{self.adapter.name}/{self.agent.id}"


async def members(adapters: list[Provider], clean: Callable[[str], str]) -> tuple[list[Member], list[str]]:
    """Every agent of ``adapters`` in a stable order, and notes for accounts not (fully) listed."""
    out: list[Member] = []
    notes: list[str] = []
    for adapter in adapters:
        try:
            found = await collect(lambda t, a=adapter: a.agents_page(t, None), Cursor(None, 0), AGENTS_MAX)
        except AgentRunsError as exc:
            if len(adapters) == 1:
                raise
            notes.append(clean(f"{adapter.name}: agents not listed, so not covered: {said(exc)}")[:300])
            continue
        if found.end is not None:
            notes.append(f"{adapter.name}: only the first {AGENTS_MAX} agents are covered.")
        out += [Member(adapter, agent) for agent in found.items]
    return out, notes


async def known_agent(adapter: Provider, agent: str) -> Agent | None:
    """The account's record of ``agent`` (its name and space), from its agent list (cached), or ``None``
    when the list cannot be read or does not have it within the first pages: an optional look-up."""
    try:
        found = await collect(lambda t: adapter.agents_page(t, None), Cursor(None, 0), AGENTS_MAX)
    except AgentRunsError:
        return None
    return next((a for a in found.items if a.id == agent), None)


def account_adapters(
    registry_get: Callable[[str | None], Provider], names: list[str], provider: str | None
) -> list[Provider]:
    """The adapters a fleet-wide call covers: ``provider``'s alone, or every configured account's."""
    if provider and provider.strip():
        return [registry_get(provider)]
    if not names:
        return [registry_get(None)]  # raises the "no account configured" error
    return [registry_get(name) for name in names]
