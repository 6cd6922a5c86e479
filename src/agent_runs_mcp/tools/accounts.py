"""Toolset `accounts`: which provider accounts are configured, and which agents each one has."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from agent_runs_mcp.domain import Agent
from agent_runs_mcp.refs import decode_cursor, encode_cursor, query_fingerprint
from agent_runs_mcp.tools.common import (
    CursorArg,
    LimitArg,
    ProviderArg,
    provider_for,
    registry_of,
    result,
    tool_errors,
)
from agent_runs_mcp.tools.paging import collect


class ProviderInfo(BaseModel):
    name: str = Field(description="Pass this as `provider` to the other tools.")
    kind: str = Field(description="unpod, runtype or modus.")
    base_url: str
    demo: bool = Field(description="True when served by the built-in simulator (no real data).")
    org_handle: str | None = None
    default_space: str | None = None
    resource: str | None = Field(default=None, description="Modus only: `agents` or `workflows` paths.")


class ProvidersResult(BaseModel):
    providers: list[ProviderInfo]
    demo: bool
    notes: list[str] = Field(default_factory=list)


class AgentsResult(BaseModel):
    provider: str
    kind: str
    search: str | None = None
    agents: list[Agent]
    next_cursor: str | None = None
    total: int | None = Field(default=None, description="All agents matching, when the provider reports it.")
    notes: list[str] = Field(default_factory=list)


@tool_errors
async def list_providers(ctx: Context) -> Annotated[CallToolResult, ProvidersResult]:
    """List the configured provider accounts (Unpod, Runtype, Modus). Call this first to learn which
    `provider` names the other tools accept. Makes no network calls."""
    settings = registry_of(ctx).settings
    infos = [
        ProviderInfo(
            name=a.name,
            kind=a.kind,
            base_url=a.base_url,
            demo=a.demo,
            org_handle=a.org_handle,
            default_space=a.space_token,
            resource=a.resource if a.kind == "modus" else None,
        )
        for a in settings.accounts.values()
    ]
    notes = []
    if settings.demo:
        notes.append("Demo mode: all data comes from the built-in simulator, not from real accounts.")
    if not infos:
        notes.append(
            "No account configured: set UNPOD_API_TOKEN, RUNTYPE_API_KEY or MODUS_API_KEY (or AGENT_RUNS_CONFIG), "
            "or restart the server with --demo."
        )
    model = ProvidersResult(providers=infos, demo=settings.demo, notes=notes)
    lines = [f"{len(infos)} provider account(s){' (demo mode: simulated data)' if settings.demo else ''}:"]
    for info in infos:
        extra = []
        if info.org_handle:
            extra.append(f"org {info.org_handle}")
        if info.default_space:
            extra.append(f"default space {info.default_space}")
        if info.resource:
            extra.append(f"{info.resource} paths")
        lines.append(f"- {info.name} ({info.kind}) {info.base_url}" + (f" · {', '.join(extra)}" if extra else ""))
    lines += notes
    if infos:
        lines.append("Next: list_agents(provider=...) to see each account's agents.")
    return result(model, "\n".join(lines))


@tool_errors
async def list_agents(
    ctx: Context,
    provider: ProviderArg = None,
    search: Annotated[
        str | None, Field(description="Case-insensitive text to match in name, id or description.")
    ] = None,
    limit: LimitArg = 20,
    cursor: CursorArg = None,
) -> Annotated[CallToolResult, AgentsResult]:
    """List the agents of one provider account (Unpod pilots, Runtype agents, Modus workflows), with the
    id to pass as `agent` to list_agent_executions and summarize_run_health. Unpod agents also show
    their space token. Page with `cursor`."""
    adapter = provider_for(ctx, provider)
    needle = search.strip().lower() if search and search.strip() else None
    fingerprint = query_fingerprint("agents", adapter.name, needle)
    start = decode_cursor(cursor, fingerprint)

    def keep(agent: Agent) -> bool:
        if needle is None:
            return True
        haystack = " ".join(filter(None, (agent.id, agent.name, agent.description))).lower()
        return needle in haystack

    found = await collect(lambda token: adapter.agents_page(token, needle), start, limit, keep)
    next_cursor = encode_cursor(found.end, fingerprint) if found.end else None
    model = AgentsResult(
        provider=adapter.name,
        kind=adapter.kind,
        search=needle,
        agents=found.items,
        next_cursor=next_cursor,
        total=found.total if needle is None else None,
        notes=found.notes,
    )
    return result(model, render_agents(model))


def render_agents(model: AgentsResult) -> str:
    head = f"{model.provider}: {len(model.agents)} agent(s)"
    if model.search:
        head += f" matching {model.search!r}"
    if model.total is not None and model.total != len(model.agents):
        head += f" of {model.total}"
    lines = [head]
    for agent in model.agents:
        parts = [agent.id, agent.name or "(no name)"]
        if agent.kind:
            parts.append(agent.kind)
        if agent.space:
            parts.append(f"space {agent.space}")
        if agent.description:
            parts.append(agent.description[:90])
        lines.append("- " + " · ".join(parts))
    if not model.agents:
        lines.append(
            "No agents found"
            + (f" for {model.search!r}; try a shorter search or none." if model.search else " on this account.")
        )
    lines += model.notes
    if model.next_cursor:
        lines.append(f"More: call again with cursor={model.next_cursor}")
    if model.agents:
        lines.append(f'Next: list_agent_executions(provider="{model.provider}", agent="<id>")')
    return "\n".join(lines)
