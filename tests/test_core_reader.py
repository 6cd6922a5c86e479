"""The provider boundary stays small: an adapter that implements only the core reads works through every tool.

``CoreOnly`` is an adapter with the four core reads and nothing else (no tallies, no failure
explanations, no bulk conversations, no ref mapping, no facts): it hands each read to the simulator-backed
Unpod adapter. Every tool must answer through the tools-side defaults (tools/capabilities.py), and the
health figures built from the core reads must be the ones the full adapter gives.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp.client import Client

from agent_runs_mcp.config import Settings
from agent_runs_mcp.domain import Agent, Conversation, Execution, ProviderPage, Task
from agent_runs_mcp.providers import capabilities as caps
from agent_runs_mcp.providers.base import CallQuery, ExecutionQuery, Provider, RunQuery
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.server.app import build_server
from agent_runs_mcp.simulator.world import World
from tests.conftest import FAST_RETRY, call

pytestmark = pytest.mark.anyio

CAPABILITIES = [
    caps.RunTallies,
    caps.ActivityTallies,
    caps.FailureExplanations,
    caps.WindowFactsReader,
    caps.BulkConversations,
    caps.RunIsConversation,
    caps.CallRefs,
    caps.CostReasons,
    caps.AccountFacts,
]


class CoreOnly(Provider):
    """The core reader and nothing more, reading through a full adapter."""

    kind = "unpod"

    def __init__(self, inner: Provider) -> None:
        super().__init__(inner.account)
        self.inner = inner

    def auth_headers(self) -> dict[str, str]:
        return {}

    @staticmethod
    def read_error(body: Any) -> str | None:
        return None

    async def agents_page(self, token: str | None, search: str | None) -> ProviderPage[Agent]:
        return await self.inner.agents_page(token, search)

    async def executions_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Execution]:
        return await self.inner.executions_page(query, token)

    async def tasks_page(self, query: RunQuery, token: str | None) -> ProviderPage[Task]:
        return await self.inner.tasks_page(query, token)

    async def conversation(self, query: CallQuery) -> Conversation:
        return await self.inner.conversation(query)


def test_the_core_has_only_the_core_reads() -> None:
    """Provider's abstract methods are the four reads and the two HTTP hooks; it defines no capability."""
    assert Provider.__abstractmethods__ == {"auth_headers", "read_error", *Provider.CORE_READS}
    for capability in CAPABILITIES:
        members = {m for m in dir(capability) if not m.startswith("_")}
        assert members and not members & set(dir(Provider)), f"Provider grew {capability.__name__}"
    public = {m for m in vars(Provider) if not m.startswith("_")}
    assert public <= {"kind", "page_size", "CORE_READS", "name", "aclose", "auth_headers", "bearer",
                      "read_error", "get", "check_body", "require", *Provider.CORE_READS}, public  # fmt: skip


def test_capabilities_are_optional_and_declared_by_the_adapters(settings: Settings) -> None:
    registry = Registry(settings, retry=FAST_RETRY)
    unpod, runtype, modus = (registry.get(k) for k in ("unpod", "runtype", "modus"))
    assert isinstance(unpod, caps.BulkConversations) and isinstance(unpod, caps.RunTallies)
    assert isinstance(runtype, caps.WindowFactsReader) and isinstance(runtype, caps.RunIsConversation)
    assert isinstance(modus, caps.CostReasons) and not isinstance(modus, caps.BulkConversations)
    core = CoreOnly(unpod)
    assert not [c.__name__ for c in CAPABILITIES if isinstance(core, c)]


async def test_an_adapter_with_only_the_core_works_through_every_tool(settings: Settings, world: World) -> None:
    registry = Registry(settings, retry=FAST_RETRY)
    full = registry.get("unpod")
    registry._providers["unpod"] = CoreOnly(full)  # the tools now see only the core reader
    run = next(r for r in world.unpod_runs if r.phase == "done")
    from tests.test_tools import _run_ref

    try:
        async with Client(build_server(settings, registry)) as client:  # type: ignore[arg-type]
            listed = await call(client, "list_providers")
            assert "unpod" in listed.content[0].text
            agents = await call(client, "list_agents", provider="unpod")
            assert agents.structured_content["agents"]
            runs = await call(client, "list_agent_executions", provider="unpod", agent=run.agent.handle)
            assert runs.structured_content["executions"]
            tasks = await call(client, "get_run_tasks", ref=_run_ref(run), limit=100, detail="full")
            spoken = next(t for t in tasks.structured_content["tasks"] if t.get("has_transcript"))
            transcript = await call(client, "get_call_transcript", ref=spoken["ref"], max_turns=5)
            assert transcript.structured_content.get("turns")
            health = await call(client, "summarize_run_health", ref=_run_ref(run))
            await call(client, "search_calls", query="the", ref=_run_ref(run))
            await call(client, "summarize_run_health", provider="unpod", agent=run.agent.handle, since="7d")
            await call(client, "search_calls", query="the", provider="unpod", agent=run.agent.handle, since="7d")
            await call(client, "summarize_fleet_health", since="7d")
        registry._providers["unpod"] = full
        async with Client(build_server(settings, registry)) as client:  # type: ignore[arg-type]
            with_capabilities = await call(client, "summarize_run_health", ref=_run_ref(run))
        assert health.structured_content["totals"] == dict(world.unpod_truth(run))
        assert health.structured_content["totals"] == with_capabilities.structured_content["totals"]
    finally:
        await registry.aclose()
