"""A task that never started says when it was queued in both channels (trial 4: the text said `queued
2026-12-05 04:10Z`, the concise structured task had no time at all, so "when did it fail?" took a second
call)."""

from __future__ import annotations

import re

import pytest
from mcp import Client

from tests.conftest import call

pytestmark = pytest.mark.anyio


async def test_a_never_started_task_carries_its_queue_time_in_both_channels(client: Client) -> None:
    res = await call(
        client, "get_run_tasks", provider="unpod", agent="space-agent-yq4943p2g030ehy4v4ej858vd", status="failed",
        since="7d", limit=20,
    )  # fmt: skip
    data = res.structured_content
    tasks = [{**data.get("item_defaults", {}), **task} for task in data["tasks"]]
    lines = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^- (\S+) .*?queued (\d{4}-\d{2}-\d{2} \d{2}:\d{2})Z", res.content[0].text, re.M)
    }
    never = [t for t in tasks if "started_at" not in t]
    assert never and lines  # the case is in the world
    for task in never:
        assert task["created_at"] == lines[task["task_id"]].replace(" ", "T") + "Z", task["task_id"]
    assert all("created_at" not in t for t in tasks if "started_at" in t)  # a started task says its start
