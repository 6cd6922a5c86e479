"""Fleet totals answer "what is the connect rate of all our calling?" in one call: each account's agents
summed, then all, each rate with its denominator, and the same figures as the agents' own reports."""

from __future__ import annotations

import pytest
from mcp import Client

from tests.conftest import call

pytestmark = pytest.mark.anyio


async def test_totals_sum_every_agents_own_report(client: Client) -> None:
    fleet = await call(client, "summarize_fleet_health", since="7d")
    data = fleet.structured_content
    totals = {t["provider"]: t for t in data["totals"]}
    assert set(totals) == {"unpod", "runtype", "modus", "all"}
    expected: dict[str, dict[str, int]] = {}
    for row in data["agents"]:
        own = await call(client, "summarize_run_health", provider=row["provider"], agent=row["agent"], since="7d")
        report = own.structured_content
        voice = report.get("voice", {})
        finished = sum(report["totals"].get(s, 0) for s in ("completed", "partial", "failed", "cancelled"))
        for key in (row["provider"], "all"):
            sums = expected.setdefault(key, {"finished": 0, "failed": 0, "calls_finished": 0, "connected": 0})
            sums["finished"] += finished
            sums["failed"] += report["totals"].get("failed", 0)
            sums["calls_finished"] += voice.get("calls_finished", finished if voice else 0)
            sums["connected"] += voice.get("connected", 0)
    for key, sums in expected.items():
        got = totals[key]
        assert {k: got.get(k, 0) for k in sums} == sums, key
        assert got["failure_rate"] == round(sums["failed"] / sums["finished"], 2)
        if sums["calls_finished"]:
            assert got["connect_rate"] == round(sums["connected"] / sums["calls_finished"], 2)
        else:
            assert "connect_rate" not in got  # no calls: no connect rate, not 0
    unpod, everything = totals["unpod"], totals["all"]
    assert unpod["calls_finished"] and unpod["connected"] and "calls_finished" not in totals["runtype"]
    text = fleet.content[0].text
    line = next(line for line in text.splitlines() if line.startswith("Totals: "))
    assert (
        f"unpod {unpod['failed']} failed of {unpod['finished']} finished ({unpod['failure_rate']:.0%}), "
        f"{unpod['connected']} of {unpod['calls_finished']} finished calls connected ({unpod['connect_rate']:.0%})"
    ) in line
    assert f"all {everything['failed']} failed of {everything['finished']} finished" in line


async def test_a_thin_row_says_its_count_once(client: Client) -> None:
    fleet = await call(client, "summarize_fleet_health", since="24h")
    thin = [r for r in fleet.structured_content["agents"] if r["verdict"] == "insufficient_data"]
    assert thin and all("headline" not in r for r in thin)  # "N finished (at least 5 needed)" is `finished`
    text = fleet.content[0].text
    for row in thin:
        assert f"{row.get('finished', 0)} finished (at least 5 needed)" in text
