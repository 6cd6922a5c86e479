"""The pure part of a report: counters fed one tally at a time, and the figures drawn from them.

Nothing here reads a provider or knows about MCP: :class:`Accumulator` holds no raw payloads, so a
report over 100,000 tasks keeps a few counters and one small record per failure."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agent_runs_mcp.domain import FINISHED_STATUSES, Execution, Status, Tally, Task
from agent_runs_mcp.providers.base import Explained, Failure
from agent_runs_mcp.tools.health.models import (
    DEGRADED_SUCCESS_RATE,
    DEGRADED_SYSTEM_RATE,
    EARLY_HANGUP_S,
    EXAMPLES,
    FAILING_SUCCESS_RATE,
    FAILING_SYSTEM_RATE,
    MIN_FINISHED,
    DirectionTally,
    Percentiles,
    ReasonCount,
    Trend,
    Verdict,
    VoiceFigures,
)
from agent_runs_mcp.tools.health.reasons import (
    CUSTOMER_ENDED_WORDS,
    NOT_CONNECTED_WORDS,
    REASON_LABELS,
    SYSTEM_REASONS,
    classify_failure,
    is_generic,
    reached_voicemail,
)


def fmt_ms(ms: float) -> str:
    """``840 ms``, ``1.2 s``."""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def percentiles(values: list[float]) -> Percentiles:
    if not values:
        return Percentiles(count=0)
    ordered = sorted(values)

    def rank(p: float) -> float:  # tenths: the text says whole seconds (or milliseconds)
        return round(ordered[max(0, math.ceil(p * len(ordered)) - 1)], 1)

    mean = round(math.fsum(ordered) / len(ordered), 1)  # "the average call": asked as often as the median
    return Percentiles(count=len(ordered), mean=mean, p50=rank(0.5), p90=rank(0.9), max=round(ordered[-1], 1))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(slots=True)
class FailureRecord:
    """One failed item, kept (without its payload) so its reason can still be refined."""

    item_id: str
    ref: str
    reason: str | None
    agent: str | None
    created_at: datetime | None
    attempts: int | None


@dataclass(slots=True)
class VersionTally:
    """Counters of one agent version (see :mod:`.versions`)."""

    items: int = 0
    finished: int = 0
    failed: int = 0
    first_at: datetime | None = None


@dataclass(slots=True)
class WaitRecord:
    """One item waiting on a person: which, and since when."""

    item_id: str
    since: datetime | None


@dataclass
class Accumulator:
    """Streaming counters over tasks or executions; holds no raw payloads."""

    totals: Counter[str] = field(default_factory=Counter)
    failures: list[FailureRecord] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    durations: list[float] = field(default_factory=list)
    talk_times: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    """Each voice call's median response latency (ms), where the provider reports one."""
    cost: float = 0.0
    with_cost: int = 0
    tokens: int = 0
    with_tokens: int = 0
    attempts_reported: int = 0
    retried: int = 0
    calls_finished: int = 0
    connected: int = 0
    voicemail: int = 0
    early_hangups: int = 0
    minutes: Counter[int] = field(default_factory=Counter)
    """Items per minute (epoch minutes) of their time, for the trend."""
    failed_minutes: Counter[int] = field(default_factory=Counter)
    finished_minutes: Counter[int] = field(default_factory=Counter)
    """Finished items per minute, for the change point (:mod:`.change`)."""
    minute_first: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    """Per minute, the earliest finished item's time and run: where a change point begins."""
    versions: dict[str, VersionTally] = field(default_factory=dict)
    """Per agent version, for items that name theirs."""
    waits: list[WaitRecord] = field(default_factory=list)
    """Items awaiting a person (approvals)."""
    directions: dict[str, DirectionTally] = field(default_factory=dict)
    """Per call direction, for items whose platform reports one."""
    clean: Callable[[str], str] = field(default=lambda text: text, repr=False)
    """Applied to provider words that reach the report (failure reasons, outcomes): sanitizing, redaction."""

    @property
    def items(self) -> int:
        return sum(self.totals.values())

    @property
    def finished(self) -> int:
        return sum(self.totals[s.value] for s in FINISHED_STATUSES)

    def add(self, item: Tally) -> None:
        status = item.status
        self.totals[status.value] += 1
        if item.duration_s is not None:
            self.durations.append(item.duration_s)
        if item.cost_usd is not None:
            self.cost += item.cost_usd
            self.with_cost += 1
        if item.tokens is not None:
            self.tokens += item.tokens
            self.with_tokens += 1
        if item.outcome:
            self.outcomes[item.outcome] += 1
        if item.latency_ms is not None:
            self.latencies.append(item.latency_ms)
        connected = item.kind == "call" and status in FINISHED_STATUSES and self._add_call(item)
        if item.direction is not None:
            self._add_direction(item, connected)
        self._count_attempts(item.attempts)
        if item.at is not None:
            minute = int(item.at.timestamp()) // 60
            self.minutes[minute] += 1
            if status == Status.FAILED:
                self.failed_minutes[minute] += 1
            if status in FINISHED_STATUSES:
                self.finished_minutes[minute] += 1
                known = self.minute_first.get(minute)
                if known is None or item.at < known[0]:
                    self.minute_first[minute] = (item.at, item.run_id or "")
        if item.version is not None:
            self._add_version(item)
        if status == Status.AWAITING_HUMAN:
            self.waits.append(WaitRecord(item.item_id, item.waiting_since))
        if status == Status.FAILED:
            self.failures.append(FailureRecord(item.item_id, item.ref, item.reason, item.agent, item.at, item.attempts))

    def _add_version(self, item: Tally) -> None:
        assert item.version is not None
        tally = self.versions.get(item.version)
        if tally is None:
            tally = self.versions[item.version] = VersionTally()
        tally.items += 1
        if item.status in FINISHED_STATUSES:
            tally.finished += 1
        if item.status == Status.FAILED:
            tally.failed += 1
        if item.at is not None and (tally.first_at is None or item.at < tally.first_at):
            tally.first_at = item.at

    def add_item(self, item: Task | Execution) -> None:
        """Count a fully mapped task or execution."""
        self.add(Tally.of(item))

    def _count_attempts(self, attempts: int | None) -> None:
        if attempts is not None:
            self.attempts_reported += 1
            if attempts > 1:
                self.retried += 1

    def _add_direction(self, item: Tally, connected: bool) -> None:
        assert item.direction is not None
        tally = self.directions.setdefault(item.direction, DirectionTally())
        if item.status in FINISHED_STATUSES:
            tally.finished += 1
            if item.kind == "call":
                tally.calls_finished += 1
                tally.connected += connected
        if item.status == Status.FAILED:
            tally.failed += 1

    def _add_call(self, task: Tally) -> bool:
        """Count a finished call; True when it reached a person."""
        self.calls_finished += 1
        if reached_voicemail(task.call_status, task.end_reason, task.outcome):
            self.voicemail += 1
            return False
        if task.status not in (Status.COMPLETED, Status.PARTIAL):
            return False
        if any(w in (task.call_status or "").lower() for w in NOT_CONNECTED_WORDS):
            return False
        self.connected += 1
        if task.duration_s is not None:
            self.talk_times.append(task.duration_s)
            ended_by_customer = any(w in (task.end_reason or "").lower() for w in CUSTOMER_ENDED_WORDS)
            if task.duration_s < EARLY_HANGUP_S and ended_by_customer:
                self.early_hangups += 1
        return True

    # --- refining failure reasons -----------------------------------------------------------------

    def generic_failures(self) -> list[Failure]:
        """Failures whose reason says nothing specific, for the adapter to explain."""
        return [
            Failure(item_id=f.item_id, agent=f.agent, reason=f.reason, created_at=f.created_at)
            for f in self.failures
            if is_generic(f.reason)
        ]

    def apply(self, explained: dict[str, Explained]) -> int:
        """Adopt the provider's specific reasons (and attempt counts); returns how many reasons changed."""
        changed = 0
        for record in self.failures:
            found = explained.get(record.item_id)
            if found is None:
                continue
            if found.reason and not is_generic(found.reason):
                record.reason = found.reason
                changed += 1
            if record.attempts is None and found.attempts is not None:
                record.attempts = found.attempts
                self._count_attempts(found.attempts)
        return changed

    # --- figures ----------------------------------------------------------------------------------

    @property
    def reasons(self) -> Counter[str]:
        return Counter(classify_failure(f.reason) for f in self.failures)

    def failed(self) -> int:
        return self.totals[Status.FAILED.value]

    def success_rate(self) -> float | None:
        return _rate(self.totals[Status.COMPLETED.value], self.finished)

    def system_failure_rate(self) -> float | None:
        reasons = self.reasons
        return _rate(sum(reasons[r] for r in SYSTEM_REASONS), self.finished)

    def top_reasons(self, limit: int = 5) -> list[ReasonCount]:
        failed = len(self.failures)
        raw: dict[str, Counter[str]] = {}
        examples: dict[str, list[FailureRecord]] = {}
        cleaned: dict[str, str] = {}
        for record in self.failures:
            category = classify_failure(record.reason)
            words = (record.reason or "(no reason given)")[:120]
            if words not in cleaned:
                cleaned[words] = self.clean(words)
            raw.setdefault(category, Counter())[cleaned[words]] += 1
            picked = examples.setdefault(category, [])
            if len(picked) < EXAMPLES:
                picked.append(record)
        out = []
        for reason, count in self.reasons.most_common(limit):
            out.append(
                ReasonCount(
                    reason=reason,
                    label=REASON_LABELS[reason],
                    count=count,
                    share=round(count / failed, 2) if failed else 0.0,  # whole percents, as the text says
                    share_of_finished=round(count / self.finished, 2) if self.finished else 0.0,
                    raw_reasons=dict(raw[reason].most_common(3)),
                    example_task_ids=[e.item_id for e in examples[reason]],
                    example_refs=[e.ref for e in examples[reason] if e.ref][:1],
                )
            )
        return out

    def outcome_counts(self) -> dict[str, int]:
        merged: Counter[str] = Counter()
        for outcome, count in self.outcomes.items():
            merged[self.clean(outcome)] += count
        return dict(merged.most_common())

    def voice(self) -> VoiceFigures | None:
        if not self.calls_finished:
            return None
        return VoiceFigures(
            calls_finished=self.calls_finished,
            connected=self.connected,
            connect_rate=_rate(self.connected, self.calls_finished),
            voicemail=self.voicemail,
            voicemail_rate=_rate(self.voicemail, self.calls_finished),
            early_hangups=self.early_hangups,
            talk_time_s=percentiles(self.talk_times),
            latency_ms=percentiles(self.latencies) if self.latencies else None,
        )


TREND_STEPS = (("5m", 5), ("15m", 15), ("1h", 60), ("1d", 1440), ("7d", 10080))
"""Steps a trend may use, in minutes; the finest that gives at most :data:`TREND_MAX_POINTS` points wins."""
TREND_MAX_POINTS = 48


def trend_of(acc: Accumulator, since: datetime | None = None, until: datetime | None = None) -> Trend | None:
    """Items and failures per step over ``since``..``until`` (a window) or the items' own span (a run)."""
    if not acc.minutes:
        return None
    first = int(since.timestamp()) // 60 if since else min(acc.minutes)
    last = int(until.timestamp()) // 60 if until else max(acc.minutes)
    span = max(1, last - first + 1)
    name, minutes = next(((n, m) for n, m in TREND_STEPS if -(-span // m) <= TREND_MAX_POINTS), TREND_STEPS[-1])
    start = first - first % minutes if minutes <= 1440 else first - (first - 4 * 1440) % minutes  # weeks from Monday
    points = min(TREND_MAX_POINTS, (last - start) // minutes + 1)
    items, failed = [0] * points, [0] * points
    for minute, count in acc.minutes.items():
        index = (minute - start) // minutes
        if 0 <= index < points:
            items[index] += count
            failed[index] += acc.failed_minutes.get(minute, 0)
    return Trend(start=datetime.fromtimestamp(start * 60, UTC), step=name, items=items, failed=failed)


def verdict_of(acc: Accumulator) -> Verdict:
    """The documented verdict rules (module docstring)."""
    if acc.finished < MIN_FINISHED:
        return "insufficient_data"
    success = acc.success_rate() or 0.0
    system = acc.system_failure_rate() or 0.0
    if system >= FAILING_SYSTEM_RATE or success < FAILING_SUCCESS_RATE:
        return "failing"
    if system >= DEGRADED_SYSTEM_RATE or success < DEGRADED_SUCCESS_RATE:
        return "degraded"
    return "healthy"


def verdict_cause(acc: Accumulator, verdict: Verdict) -> tuple[str, ReasonCount | None] | None:
    """The figure that set the verdict, in words, with the failure reason behind it: the system failure rate
    and its main system reason when that rule decided, else the success rate and the biggest reason overall
    (``None`` when healthy)."""
    if verdict == "insufficient_data":
        return f"{acc.finished} finished (at least {MIN_FINISHED} needed)", None
    if verdict == "healthy":
        return None
    system = acc.system_failure_rate() or 0.0
    reasons = acc.top_reasons(len(REASON_LABELS))
    if system >= (FAILING_SYSTEM_RATE if verdict == "failing" else DEGRADED_SYSTEM_RATE):
        main = next((r for r in reasons if r.reason in SYSTEM_REASONS), None)
        text = f"system failures {system:.0%} of finished"
    else:
        main = reasons[0] if reasons else None
        floor = FAILING_SUCCESS_RATE if verdict == "failing" else DEGRADED_SUCCESS_RATE
        text = f"success {acc.success_rate() or 0:.0%} (under {floor:.0%})"
    return text + (f", mostly {main.label} ({main.share_of_finished:.0%})" if main else ""), main


def cause_of(acc: Accumulator, verdict: Verdict) -> str | None:
    """:func:`verdict_cause`'s words alone (the fleet view's cause column)."""
    found = verdict_cause(acc, verdict)
    return found[0] if found else None


def headline_of(acc: Accumulator, verdict: Verdict, noun: str, scope_text: str) -> str:
    """One sentence for a status channel: the verdict, the success rate, and the cause that set the verdict
    (for a healthy scope, its biggest problem) with an example of the provider's words."""
    if verdict == "insufficient_data":
        in_flight = acc.items - acc.finished
        extra = f", {in_flight} still in flight" if in_flight else ""
        noun = noun[:-1] if acc.finished == 1 and noun.endswith("s") else noun
        needed = f"(at least {MIN_FINISHED} needed)"
        return f"Insufficient data: {acc.finished} finished {noun} {scope_text} {needed}{extra}."
    text = (
        f"{verdict.capitalize()}: {acc.success_rate() or 0:.0%} of {acc.finished} finished {noun} "
        f"{scope_text} completed"
    )
    found = verdict_cause(acc, verdict)
    top = acc.top_reasons(1)
    if found:
        cause, reason = found
        raw = next(iter(reason.raw_reasons), "") if reason else ""
        text += f"; cause: {cause}" + (f", e.g. {raw}" if reason and raw and raw.lower() != reason.label else "")
    elif top:
        reason = top[0]
        raw = next(iter(reason.raw_reasons), "")
        text += f"; biggest problem: {reason.label} ({reason.share_of_finished:.0%} of finished"
        text += f", e.g. {raw})" if raw and raw.lower() != reason.label else ")"
    voice = acc.voice()
    if voice and voice.connect_rate is not None:
        text += f"; connect rate {voice.connect_rate:.0%}"
    if voice and voice.latency_ms is not None and voice.latency_ms.p50 is not None:
        text += f", voice latency p50 {fmt_ms(voice.latency_ms.p50)}"
    return text + "."


def compare(current: Accumulator, previous: Accumulator) -> list[str]:
    """Plain-language differences between the previous window and this one."""
    changes = []
    now_reasons, before_reasons = current.reasons, previous.reasons
    now_rate, before_rate = current.success_rate(), previous.success_rate()
    if min(current.finished, previous.finished) < MIN_FINISHED:  # too few finished on a side: no rate, no change
        now_rate = before_rate = None
    if now_rate is not None and before_rate is not None:
        delta = now_rate - before_rate
        if abs(delta) >= 0.005:
            changes.append(f"success rate {before_rate:.0%} -> {now_rate:.0%} ({round(delta * 100):+d} pts)")
        else:
            changes.append(f"success rate unchanged at {now_rate:.0%}")
    changes.append(f"items {previous.items} -> {current.items}")
    for reason in sorted(set(now_reasons) | set(before_reasons)):
        before, now = before_reasons[reason], now_reasons[reason]
        if before != now and max(before, now) >= 3:
            changes.append(f"{REASON_LABELS[reason]} failures {before} -> {now}")
    return changes
