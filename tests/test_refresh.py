"""A second report on a running run re-reads only the pages that can have changed, and is still right."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from agent_runs_mcp.config import Settings
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.pacing import Pacing
from agent_runs_mcp.simulator.world import World
from tests.conftest import accounts_for, call, mcp_client, start_simulator

pytestmark = pytest.mark.anyio

TASKS, PAGE = 2000, 200  # the Unpod adapter scans in pages of 200


def requests(pacing: Pacing) -> int:
    return sum(t["requests"] for t in pacing.report()["traffic"].values())


async def test_refresh_of_a_running_run_rereads_only_unsettled_pages() -> None:
    pacing = Pacing()
    live = start_simulator(World(seed=7, big_run_tasks=TASKS, big_run_done=0.6), pacing=pacing)
    try:
        world = live.world
        run = next(r for r in world.unpod_runs if r.n_tasks == TASKS)
        ref = make_ref("unpod", "run", r=run.run_id, s=run.space)
        settings = Settings(accounts=accounts_for(live.url), health_max_items=TASKS)
        async with mcp_client(settings) as client:
            first = (await call(client, "summarize_run_health", ref=ref)).structured_content
            before = requests(pacing)
            assert first["totals"]["running"] + first["totals"].get("pending", 0) > 0
            async with httpx.AsyncClient(base_url=live.url) as sim:
                moved = await sim.post("/_sim/progress", json={"run_id": run.run_id, "done": 0.9})
                assert moved.status_code == 200
                refused = await sim.post("/_sim/progress", json={"run_id": run.run_id, "done": 3})
                assert refused.status_code == 400
            second = (await call(client, "summarize_run_health", ref=ref, fresh=True)).structured_content
            reread = requests(pacing) - before
            third = (await call(client, "summarize_run_health", ref=ref, fresh=True)).structured_content
    finally:
        live.stop()
    # Tasks 0-1199 had finished: pages 2-6 (tasks 200-1199) were settled; page 1 (the count) and
    # pages 7-10 (tasks 1200-1999, some still in flight then) are read again.
    assert reread == 1 + 4
    truth = world.unpod_truth(run)
    assert Counter({k: v for k, v in second["totals"].items() if v}) == Counter({k: v for k, v in truth.items() if v})
    assert second["totals"] != first["totals"]
    assert any("were not read again" in note for note in second["notes"])
    assert third["totals"] == second["totals"]
