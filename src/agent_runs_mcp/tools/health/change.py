"""The change point: where, inside a window, an agent's failures shifted, said so a person can check it.

The rule (pure, over an :class:`~.figures.Accumulator`'s per-minute counters of finished items):

1. Put the window's finished items in time order, by minute. Every boundary between two minutes is a
   candidate split, as long as each side has at least :data:`MIN_SIDE` finished items.
2. For each series (all failures; then each failure category of the health reports' vocabulary), compare
   the share of finished items in the series before and after each candidate split with a two-proportion
   z score (the difference divided by its standard error under "no change").
3. A split counts when the shares differ by at least :data:`MIN_SHIFT` (15 percentage points) and by at
   least :data:`MIN_Z` standard errors, and the side with the higher share has at least :data:`MIN_HITS`
   items in the series. The failure rate is tried first; when it did not shift, the
   failure category with the strongest qualifying shift (the dominant reason changed, the rate did not).
4. The chosen split is the candidate with the highest z: the point that best separates "before" from
   "after". It is reported with the first finished item after it (its time and run), the shares on both
   sides, and the most frequent failure category on each side.

One split only: a window with an outage that started and ended shows the larger of the two edges. A
window with too few finished items (fewer than ``2 * MIN_SIDE``) has no change point, by design.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from agent_runs_mcp.tools.common import short_time
from agent_runs_mcp.tools.health.figures import Accumulator
from agent_runs_mcp.tools.health.models import ChangePoint
from agent_runs_mcp.tools.health.reasons import REASON_LABELS, classify_failure

MIN_SIDE = 10
"""Finished items each side of a split needs."""
MIN_SHIFT = 0.15
"""Smallest shift that counts, in share of finished items (15 percentage points)."""
MIN_Z = 4.0
"""Smallest shift that counts, in standard errors."""
MIN_HITS = 5
"""Items in the series the side with the higher share needs (two failures are an incident, not a shift)."""


def _z(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return abs(x2 / n2 - x1 / n1) / spread if spread else 0.0


def _best_split(minutes: list[int], finished: list[int], hits: list[int]) -> tuple[float, int] | None:
    """(z, index of the first minute after the split) of the strongest qualifying split, or ``None``."""
    total_n, total_x = sum(finished), sum(hits)
    best: tuple[float, int] | None = None
    n1 = x1 = 0
    for index in range(1, len(minutes)):
        n1 += finished[index - 1]
        x1 += hits[index - 1]
        n2, x2 = total_n - n1, total_x - x1
        if n1 < MIN_SIDE:
            continue
        if n2 < MIN_SIDE:
            break
        if abs(x2 / n2 - x1 / n1) < MIN_SHIFT or (x2 if x2 / n2 > x1 / n1 else x1) < MIN_HITS:
            continue
        z = _z(x1, n1, x2, n2)
        if z >= MIN_Z and (best is None or z > best[0]):
            best = (z, index)
    return best


def change_point(acc: Accumulator) -> ChangePoint | None:
    """The change point of the module docstring's rule, or ``None`` when nothing shifted clearly."""
    if acc.finished < 2 * MIN_SIDE or not acc.finished_minutes:
        return None
    minutes = sorted(acc.finished_minutes)
    finished = [acc.finished_minutes[m] for m in minutes]
    by_category: dict[str, Counter[int]] = {}
    for record in acc.failures:
        if record.created_at is not None:
            minute = int(record.created_at.timestamp()) // 60
            by_category.setdefault(classify_failure(record.reason), Counter())[minute] += 1
    failed = [acc.failed_minutes.get(m, 0) for m in minutes]
    measure, found = "failure rate", _best_split(minutes, finished, failed)
    if found is None:
        candidates = []
        for category, counts in sorted(by_category.items()):
            split = _best_split(minutes, finished, [counts.get(m, 0) for m in minutes])
            if split is not None:
                candidates.append((split, category))
        if not candidates:
            return None
        found, category = max(candidates)
        measure = REASON_LABELS[category]
        hits = [by_category[category].get(m, 0) for m in minutes]
    else:
        hits = failed
    _z_score, index = found
    n1, x1 = sum(finished[:index]), sum(hits[:index])
    n2, x2 = sum(finished[index:]), sum(hits[index:])
    split = minutes[index]
    first_at, first_run = acc.minute_first.get(split, (datetime.fromtimestamp(split * 60, UTC), ""))
    return ChangePoint(
        at=first_at,
        run_id=first_run or None,
        measure=measure,
        before_pct=round(100 * x1 / n1, 1),
        after_pct=round(100 * x2 / n2, 1),
        finished_before=n1,
        finished_after=n2,
        top_before=_top(by_category, lambda m: m < split),
        top_after=_top(by_category, lambda m: m >= split),
    )


def _top(by_category: dict[str, Counter[int]], side: Callable[[int], bool]) -> str | None:
    """The most frequent failure category on one side of the split (ties: the vocabulary's order)."""
    counts = {c: sum(n for m, n in minutes.items() if side(m)) for c, minutes in by_category.items()}
    counts = {c: n for c, n in counts.items() if n}
    return REASON_LABELS[max(sorted(counts), key=counts.__getitem__)] if counts else None


def pts(delta: float) -> str:
    """A change of a rate (a fraction) in percentage points: ``+14 pts``."""
    return f"{round(delta * 100):+d} pts"


def shift_pts(change: ChangePoint) -> int:
    """The change point's shift in percentage points (after minus before)."""
    return round(change.after_pct - change.before_pct)


def change_text(change: ChangePoint) -> str:
    """``changed at 2026-12-03 10:55Z (run R…): failure rate 21% -> 62% (+41 pts); top reason now SIP …``"""
    run = f" (run {change.run_id})" if change.run_id else ""
    text = (
        f"changed at {short_time(change.at)}{run}: {change.measure} {change.before_pct:.0f}% of "
        f"{change.finished_before} finished -> {change.after_pct:.0f}% of {change.finished_after} "
        f"({shift_pts(change):+d} pts)"
    )
    if change.top_after and change.top_after != change.top_before:
        was = f" (was {change.top_before})" if change.top_before else ""
        text += f", top reason now {change.top_after}{was}"
    return text
