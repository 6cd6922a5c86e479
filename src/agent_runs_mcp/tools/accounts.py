"""Toolset `accounts`: which provider accounts are configured, and which agents each one has."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from agent_runs_mcp.domain import Agent, meta
from agent_runs_mcp.providers.platforms import token_variables
from agent_runs_mcp.tools.arguments import DetailArg
from agent_runs_mcp.tools.common import (
    CursorArg,
    FreshArg,
    LimitArg,
    ProviderArg,
    provider_for,
    registry_of,
    result,
    settings_of,
    tool_errors,
)
from agent_runs_mcp.tools.results import CONCISE_TEXT_CHARS, ListResult, ResultModel


class ProviderInfo(ResultModel):
    name: str = Field(description="Pass this as `provider` to the other tools.")
    kind: str = Field(description="unpod, runtype or modus.")
    base_url: str
    demo: bool = Field(description="True when served by the built-in simulator (no real data).")
    facts: dict[str, str] = meta(default_factory=dict, description="Organization, default space, API paths.")


class ProvidersResult(ResultModel):
    providers: list[ProviderInfo]
    demo: bool = meta(False)
    notes: list[str] = meta(default_factory=list)
    next: list[str] = meta(default_factory=list, description="The calls to make next, as the text says them.")


class ListedAgent(Agent):
    """An agent as listed: across every account it names its account."""

    provider: str | None = None


class AgentsResult(ListResult):
    search: str | None = meta()
    accounts: int | None = meta(description="Without `provider`: the accounts listed.")
    agents: list[ListedAgent]


NO_ACCOUNT = (
    f"No account configured: set {token_variables()} (or AGENT_RUNS_CONFIG), or restart the server with --demo."
)


@tool_errors
async def list_providers(ctx: Context) -> Annotated[CallToolResult, ProvidersResult]:
    """List the configured accounts (name, kind, demo). Call first: the other tools take `provider`
    from here."""
    from agent_runs_mcp.tools import capabilities

    registry = registry_of(ctx)
    settings = registry.settings
    infos = [
        ProviderInfo(
            name=a.name,
            kind=a.kind,
            base_url=a.base_url,
            demo=a.demo,
            facts=capabilities.facts(registry.get(a.name)),
        )
        for a in settings.accounts.values()
    ]
    notes = []
    if settings.demo:
        notes.append("Demo mode: all data comes from the built-in simulator, not from real accounts.")
    if not infos:
        notes.append(NO_ACCOUNT)
    model = ProvidersResult(providers=infos, demo=settings.demo, notes=notes)
    if infos:
        model.next = ["list_agents(provider=<name>) shows each account's agents"]
    lines = [f"{len(infos)} provider account(s){' (demo mode: simulated data)' if settings.demo else ''}:"]
    for info in infos:
        extra = [f"{key} {value}" for key, value in info.facts.items()]
        lines.append(f"- {info.name} ({info.kind}) {info.base_url}" + (f" · {', '.join(extra)}" if extra else ""))
    lines += notes
    lines += [f"Next: {step}" for step in model.next]
    return result(model, "\n".join(lines))


@tool_errors
async def list_agents(
    ctx: Context,
    provider: ProviderArg = None,
    search: Annotated[str | None, Field(description="Text to find in name, id or description.", max_length=200)] = None,
    limit: LimitArg = 20,
    cursor: CursorArg = None,
    detail: DetailArg = "concise",
    fresh: FreshArg = False,
) -> Annotated[CallToolResult, AgentsResult]:
    """List an account's agents (Unpod: both planes, with their space) with the `agent` id the other
    tools take. Without `provider`: every account's."""
    # Loaded with the first call, not at start-up (tests/test_startup_imports.py).
    from agent_runs_mcp.domain import ProviderPage
    from agent_runs_mcp.tools.listing import ListSpec, dump, list_page
    from agent_runs_mcp.tools.sanitize import Sanitizer
    from agent_runs_mcp.tools.scope import members

    registry = registry_of(ctx)
    settings = settings_of(ctx)
    every = not (provider and provider.strip()) and len(registry.names) > 1
    adapter = registry.get(registry.names[0]) if every else provider_for(ctx, provider)
    needle = search.strip().lower() if search and search.strip() else None
    notes: list[str] = []
    if every:  # every account's agents, accounts as configured: one virtual page the cursor walks
        clean = Sanitizer(settings.redact_pii).text
        found, notes = await members([registry.get(name) for name in registry.names], clean)
        listed = [ListedAgent(**dict(m.agent), provider=m.adapter.name) for m in found]

        async def fetch(token: str | None) -> ProviderPage[ListedAgent]:
            return ProviderPage(listed, token, None, len(listed))
    else:

        async def fetch(token: str | None) -> ProviderPage[ListedAgent]:
            page = await adapter.agents_page(token, needle)
            listed = [ListedAgent(**dict(a)) for a in page.items]
            return ProviderPage(listed, page.token, page.next_token, page.total, note=page.note)

    def keep(agent: Agent) -> bool:
        if needle is None:
            return True
        haystack = " ".join(filter(None, (agent.id, agent.name, agent.description))).lower()
        return needle in haystack

    page = await list_page(
        adapter,
        ListSpec(
            what="agents",
            query=(needle, list(registry.names)) if every else needle,
            limit=limit,
            fetch=fetch,
            keep=keep,
            detail=detail,
            line=fleet_agent_line if every else agent_line,
            redact=settings.redact_pii,
            budget=settings.token_budget,
        ),
        cursor,
    )
    where = "any account" if every else adapter.name
    page.notes[:0] = notes
    if not page.items:
        empty = "No account has agents" if every else f"The account {adapter.name} has no agents"
        page.notes.append(
            f"No agent matches {needle!r} among {page.found.scanned} on {where}; try a shorter search or none."
            if needle
            else f"{empty} visible to this token."
        )
    fields = page.envelope_fields(adapter, detail, settings.redact_pii)
    if needle is not None:
        fields["total"] = None  # the provider's count is of all agents, not of the matches
    if every:
        fields["provider"] = None  # each agent names its account
    accounts = len(registry.names) if every else None
    envelope = AgentsResult(**fields, search=needle, agents=page.items, accounts=accounts)
    if page.items:
        account = "<provider>" if every else f'"{adapter.name}"'
        envelope.next = [
            f"summarize_run_health(provider={account}, agent=<id>)",
            f"list_agent_executions(provider={account}, agent=<id>)",
        ]
    implied = frozenset({"ref"}) if every else frozenset({"ref", "provider"})
    return result(dump(envelope, "agents", detail, implied=implied), _agents_text(envelope, page.lines))


def fleet_agent_line(agent: ListedAgent) -> str:
    """An agent's line across every account: its account first."""
    return f"- {agent.provider} · " + agent_line(agent)[2:]


def agent_line(agent: Agent) -> str:
    parts = [agent.id, agent.name or "(no name)"]
    if agent.kind:
        parts.append(agent.kind)
    if agent.space:
        parts.append(f"space {agent.space}")
    if agent.description:
        parts.append(agent.description[:CONCISE_TEXT_CHARS])
    return "- " + " · ".join(parts)


def _agents_text(model: AgentsResult, lines: list[str]) -> str:
    from agent_runs_mcp.tools.listing import closing_lines

    head = f"{model.provider or f'every account ({model.accounts})'}: {len(lines)} agent(s)"
    if model.search:
        head += f" matching {model.search!r}"
    if model.total is not None and model.total != len(lines):
        head += f" of {model.total}"
    return "\n".join([head, *lines, *closing_lines(model)])
