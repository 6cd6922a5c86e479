"""Fleet totals answer "what is the connect rate of all our calling?" in one call: each account's agents
summed, then all, each rate with its denominator, and the same figures as the agents' own reports."""

from __future__ import annotations

from collections import Counter

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
    reasons: dict[str, Counter[str]] = {}
    for row in data["agents"]:
        own = await call(client, "summarize_run_health", provider=row["provider"], agent=row["agent"], since="7d")
        report = own.structured_content
        voice = report.get("voice", {})
        finished = sum(report["totals"].get(s, 0) for s in ("completed", "partial", "failed", "cancelled"))
        p50 = report["duration_s"].get("p50")
        assert row.get("median_s") == (round(p50) if p50 is not None else None), row["agent"]
        assert row.get("voicemail") == (voice["voicemail"] if voice else None), row["agent"]
        calls = voice.get("calls_finished", finished) if voice else None  # left out where it is `finished`
        assert row.get("calls_finished", row.get("finished") if voice else None) == calls, row["agent"]
        assert row.get("connected") == (voice["connected"] if voice else None), row["agent"]
        rate = voice.get("connect_rate")  # the report's to four places, the row's whole percents as its text
        assert row.get("connect_rate") == (round(rate, 2) if rate is not None else None), row["agent"]
        for key in (row["provider"], "all"):
            sums = expected.setdefault(
                key, {"finished": 0, "failed": 0, "calls_finished": 0, "connected": 0, "voicemail": 0}
            )
            sums["finished"] += finished
            sums["failed"] += report["totals"].get("failed", 0)
            sums["calls_finished"] += voice.get("calls_finished", finished if voice else 0)
            sums["connected"] += voice.get("connected", 0)
            sums["voicemail"] += voice.get("voicemail", 0)
            sums["completed"] = sums.get("completed", 0) + report["totals"].get("completed", 0)
            before = report.get("previous", {})
            sums["finished_before"] = sums.get("finished_before", 0) + before.get("finished", 0)
            rate = before.get("success_rate")  # the report's rate to four places gives back its count
            sums["completed_before"] = sums.get("completed_before", 0) + (
                round(rate * before["finished"]) if rate is not None else 0
            )
            for reason in report["top_failure_reasons"]:
                reasons.setdefault(key, Counter())[reason["label"]] += reason["count"]
    for key, sums in expected.items():
        got = totals[key]
        completed, completed_before = sums.pop("completed"), sums.pop("completed_before")
        if "connected" in got:  # calls_finished is left out where every finished item is a call
            got = {"calls_finished": got["finished"], **got}
        finished_before = sums.pop("finished_before")
        assert {k: got.get(k, 0) for k in sums} == sums, key
        assert got["success_rate"] == round(completed / sums["finished"], 2), key
        if finished_before >= 5:
            before = round(completed_before / finished_before, 2)
            assert got["change_pts"] == round((got["success_rate"] - before) * 100), key
        top = dict(sorted(reasons[key].items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        assert got["reasons"] == top, key
        assert got.get("reasons_other", 0) == sums["failed"] - sum(top.values()), key
        assert got["failure_rate"] == round(sums["failed"] / sums["finished"], 2)
        if sums["calls_finished"]:
            assert got["connect_rate"] == round(sums["connected"] / sums["calls_finished"], 2)
        else:
            assert "connect_rate" not in got  # no calls: no connect rate, not 0
    unpod, everything = totals["unpod"], totals["all"]
    assert unpod["connected"] and "calls_finished" not in totals["runtype"]
    assert "calls_finished" not in unpod and everything["calls_finished"] < everything["finished"]  # said once
    text = fleet.content[0].text
    line = next(line for line in text.splitlines() if line.startswith("Totals: "))
    assert (
        f"unpod {unpod['failed']} failed of {unpod['finished']} finished ({unpod['failure_rate']:.0%}), "
        f"success {unpod['success_rate']:.0%} (was {round(unpod['success_rate'] * 100) - unpod['change_pts']}%, "
        f"{unpod['change_pts']:+d} pts), "
        f"{unpod['connected']} of {unpod['finished']} finished outbound calls connected "
        f"({unpod['connect_rate']:.0%})"
    ) in line
    assert f"all {everything['failed']} failed of {everything['finished']} finished" in line
    was = round(everything["success_rate"] * 100) - everything["change_pts"]
    assert f"all {everything['failed']} failed of {everything['finished']} finished " in line
    assert f"success {everything['success_rate']:.0%} (was {was}%, {everything['change_pts']:+d} pts)" in line
    named = ", ".join(f"{label} {count}" for label, count in unpod["reasons"].items())
    assert f", {unpod['voicemail']} voicemail; failed: {named}, {unpod['reasons_other']} other" in line


async def test_a_thin_row_says_its_count_once(client: Client) -> None:
    fleet = await call(client, "summarize_fleet_health", since="24h")
    thin = [r for r in fleet.structured_content["agents"] if r["verdict"] == "insufficient_data"]
    assert thin and all("headline" not in r for r in thin)  # "N finished (at least 5 needed)" is `finished`
    text = fleet.content[0].text
    for row in thin:
        assert f"{row.get('finished', 0)} finished (at least 5 needed)" in text


async def test_totals_split_outbound_from_inbound_calling_by_what_calls_report() -> None:
    """A world whose Care Follow-up takes inbound calls (Unpod `call_type`): rows name each agent's direction,
    the account's totals split, and each direction's figures are its agents' own report figures summed."""
    from agent_runs_mcp.config import Settings
    from agent_runs_mcp.simulator.world import World
    from tests.conftest import accounts_for, mcp_client, start_simulator

    world = World(seed=7, inbound_agents=("Care Follow-up",))
    live = start_simulator(world)
    try:
        settings = Settings(accounts=accounts_for(live.url), cache_enabled=False)
        async with mcp_client(settings) as client:
            fleet = await call(client, "summarize_fleet_health", provider="unpod", since="7d")
            data = fleet.structured_content
            rows = {r["agent"]: r for r in data["agents"]}
            care = next(a.handle for a in world.unpod_agents if a.name == "Care Follow-up")
            assert rows[care]["direction"] == "inbound"
            assert {r.get("direction") for a, r in rows.items() if a != care} == {"outbound"}
            (unpod,) = data["totals"]
            assert "calls_direction" not in unpod and set(unpod["directions"]) == {"outbound", "inbound"}
            for way, figures in unpod["directions"].items():
                own = [r for r in data["agents"] if r.get("direction") == way]
                sums = {"finished": 0, "failed": 0, "calls_finished": 0, "connected": 0}
                for row in own:
                    report = (
                        await call(client, "summarize_run_health", provider="unpod", agent=row["agent"], since="7d")
                    ).structured_content
                    sums["finished"] += row.get("finished", 0)
                    sums["failed"] += row.get("failed", 0)
                    sums["calls_finished"] += report["voice"].get("calls_finished", report["finished"])
                    sums["connected"] += report["voice"]["connected"]
                assert {k: figures.get(k, 0) for k in sums} == sums, way
                assert figures["connect_rate"] == round(sums["connected"] / sums["calls_finished"], 2)
            inbound = unpod["directions"]["inbound"]
            text = fleet.content[0].text
            assert (
                f"inbound calls: {inbound['connected']} of {inbound['calls_finished']} connected "
                f"({inbound['connect_rate']:.0%}), {inbound['failed']} failed"
            ) in text
            assert '"Care Follow-up" · inbound calls · ' in text
    finally:
        live.stop()


async def test_one_direction_is_said_once_in_the_totals(client: Client) -> None:
    fleet = await call(client, "summarize_fleet_health", provider="unpod", since="7d")
    data = fleet.structured_content
    (unpod,) = data["totals"]
    assert unpod["calls_direction"] == "outbound" and "directions" not in unpod  # the demo calls out only
    assert all("direction" not in r for r in data["agents"])  # said once, in the totals
    calls = unpod.get("calls_finished", unpod["finished"])  # left out where every finished item is a call
    assert f"{unpod['connected']} of {calls} finished outbound calls connected" in fleet.content[0].text


def test_unpod_direction_words() -> None:
    from agent_runs_mcp.providers.unpod.telephony import direction_of

    assert [direction_of(w) for w in ("outbound", "outboundPhoneCall", "Inbound", "inboundPhoneCall")] == [
        "outbound", "outbound", "inbound", "inbound",
    ]  # fmt: skip
    assert direction_of(None) is None and direction_of(" ") is None and direction_of("web") == "web"
