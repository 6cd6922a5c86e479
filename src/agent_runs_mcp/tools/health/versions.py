"""What changed and what waits: figures per agent version, the version failures began in, approvals waiting.

Pure functions over an :class:`~.figures.Accumulator`; platform-neutral (a provider that stamps items with
their agent version, or says they wait on a person, gets these figures; one that does not, gets none).
"""

from __future__ import annotations

from datetime import UTC, datetime

from agent_runs_mcp.tools.common import short_time
from agent_runs_mcp.tools.health.figures import Accumulator
from agent_runs_mcp.tools.health.models import PlatformUsage, VersionFigures, WaitingFigures

BEGAN_MIN_FAILED = 2
"""A version "began" failures only with at least this many failed items ..."""
BEGAN_MIN_RISE = 0.10
"""... and a failure rate at least this much (absolute) above every earlier version's, and at least twice it."""


def version_figures(acc: Accumulator) -> list[VersionFigures] | None:
    """Figures per agent version, oldest first; ``None`` unless more than one version ran."""
    if len(acc.versions) < 2:
        return None
    far = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(acc.versions.items(), key=lambda kv: (kv[1].first_at or far, kv[0]))
    return [
        VersionFigures(
            version=name,
            items=tally.items,
            finished=tally.finished,
            failed=tally.failed,
            success_rate=round((tally.finished - tally.failed) / tally.finished, 4) if tally.finished else None,
            first_at=tally.first_at,
        )
        for name, tally in ordered
    ]


def _failure_rate(figures: VersionFigures) -> float:
    return figures.failed / figures.finished if figures.finished else 0.0


def failures_began_in(versions: list[VersionFigures] | None) -> str | None:
    """The first version whose failure rate clearly rose above every earlier version's (see the constants)."""
    if not versions:
        return None
    worst_before = _failure_rate(versions[0])
    for figures in versions[1:]:
        rate = _failure_rate(figures)
        rose = rate - worst_before >= BEGAN_MIN_RISE and rate >= 2 * worst_before
        if figures.failed >= BEGAN_MIN_FAILED and rose:
            return figures.version
        worst_before = max(worst_before, rate)
    return None


def versions_line(versions: list[VersionFigures], began: str | None) -> str:
    """``Versions: v3 40 items, 2 failed (95%); v4 from 10:02, 12 items, 7 failed (42%). Failures began in v4.``"""
    parts = []
    for v in versions:
        since = f" from {short_time(v.first_at)}" if v.first_at else ""
        rate = f" ({v.success_rate:.0%} success)" if v.success_rate is not None else ""
        parts.append(f"{v.version}{since}, {v.items} items, {v.failed} failed{rate}")
    text = "Versions: " + "; ".join(parts) + "."
    return text + (f" Failures began in version {began}." if began else "")


def waiting_figures(acc: Accumulator) -> WaitingFigures | None:
    """How many items wait on a person, and the longest wait."""
    if not acc.waits:
        return None
    dated = [w for w in acc.waits if w.since is not None]
    oldest = min(dated, key=lambda w: w.since) if dated else None  # type: ignore[arg-type, return-value]
    example = f"{oldest.item_id} since {short_time(oldest.since)}" if oldest and oldest.since else None
    return WaitingFigures(
        count=len(acc.waits), oldest_since=oldest.since if oldest else None, example=example or acc.waits[0].item_id
    )


def waiting_line(waiting: WaitingFigures) -> str:
    oldest = f"; longest: {waiting.example}" if waiting.example else ""
    return f"Waiting on a person (approval): {waiting.count}{oldest}."


def usage_line(usage: PlatformUsage) -> str:
    """``Platform usage: 12.5 Modus credits (not USD), 48,000 tokens, 96 LLM calls.``"""
    parts = []
    if usage.credits is not None:
        parts.append(f"{usage.credits:,.2f} {usage.unit}")
    if usage.tokens is not None:
        parts.append(f"{usage.tokens:,} tokens")
    if usage.llm_calls is not None:
        parts.append(f"{usage.llm_calls:,} LLM calls")
    return "Platform usage: " + (", ".join(parts) or "none reported") + "."
