"""Protocol 2026-07-28 niceties (issue 22 item 8): caching hints on the lists, one tool order, icons."""

from __future__ import annotations

import pytest
from mcp import Client

from agent_runs_mcp.server.app import CACHE_HINTS, ICON, TOOL_ORDER, TOOLSETS
from tests.conftest import mcp_client

pytestmark = pytest.mark.anyio


async def test_lists_carry_caching_hints_on_the_2026_protocol(settings) -> None:  # type: ignore[no-untyped-def]
    async with mcp_client(settings, "auto") as client:
        answers = [
            await client.list_tools(),
            await client.list_prompts(),
            await client.list_resources(),
            await client.list_resource_templates(),
        ]
    for answer in answers:
        assert answer.ttl_ms == 3_600_000 and answer.cache_scope == "public", type(answer).__name__
    assert set(CACHE_HINTS) == {"tools/list", "prompts/list", "resources/list", "resources/templates/list"}


async def test_tools_come_in_one_order_every_time(settings) -> None:  # type: ignore[no-untyped-def]
    orders = []
    for mode in ("auto", "legacy"):
        async with mcp_client(settings, mode) as client:
            orders.append([t.name for t in (await client.list_tools()).tools])
    assert orders[0] == orders[1] == TOOL_ORDER
    assert TOOL_ORDER[:2] == [fn.__name__ for _title, fn in TOOLSETS["accounts"]]


async def test_the_server_prompts_and_transcripts_have_an_icon(client: Client) -> None:
    info = client.server_info
    assert info is not None and info.icons == [ICON] and ICON.src.startswith("data:image/svg+xml,")
    assert all(p.icons == [ICON] for p in (await client.list_prompts()).prompts)
    assert all(t.icons == [ICON] for t in (await client.list_resource_templates()).resource_templates)


async def test_results_are_stamped_with_the_server_identity_but_not_its_icon(settings) -> None:  # type: ignore[no-untyped-def]
    async with mcp_client(settings, "auto") as client:
        listed = await client.list_tools()
    stamp = (listed.meta or {}).get("io.modelcontextprotocol/serverInfo")
    assert stamp and stamp["name"] == "agent-runs-mcp" and "version" in stamp
    assert "icons" not in stamp  # ~130 tokens that would ride on every answer
