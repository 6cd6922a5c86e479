"""What the model sees of each tool, pinned: one snapshot per tool of its published description,
input schema, output schema, annotations and `_meta` (the MCP App link), as `tools/list` gives them
(github-mcp-server's `__toolsnaps__`). A change to any of them fails here until the snapshot is updated and reviewed:

    make toolsnaps        # = UPDATE_TOOLSNAPS=1 pytest tests/test_toolsnaps.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mcp import Client

pytestmark = pytest.mark.anyio

SNAPS = Path(__file__).parent / "__toolsnaps__"
UPDATE = os.environ.get("UPDATE_TOOLSNAPS") == "1"


def published(tool: object) -> dict[str, object]:
    data = tool.model_dump(mode="json", by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
    keys = ("name", "title", "description", "inputSchema", "outputSchema", "annotations", "_meta")
    return {key: data[key] for key in keys if key in data}


async def test_every_tool_matches_its_snapshot(demo_client: Client) -> None:
    tools = (await demo_client.list_tools()).tools
    assert tools
    names = set()
    for tool in tools:
        names.add(tool.name)
        path = SNAPS / f"{tool.name}.json"
        text = json.dumps(published(tool), indent=2, sort_keys=True) + "\n"
        if UPDATE:
            SNAPS.mkdir(exist_ok=True)
            path.write_text(text)
            continue
        assert path.exists(), f"no snapshot for new tool {tool.name}: run `make toolsnaps` and review it"
        assert path.read_text() == text, (
            f"the published schema or description of {tool.name} changed: run `make toolsnaps`, "
            f"review the diff of {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}, commit"
        )
    stale = {p.stem for p in SNAPS.glob("*.json")} - names
    if UPDATE:
        for name in stale:
            (SNAPS / f"{name}.json").unlink()
    else:
        assert not stale, f"snapshots of tools that no longer exist: {sorted(stale)} (run `make toolsnaps`)"
