"""Toolset `health`: is a run, or an agent over a window, healthy, and if not, why?

The report is computed on the server, streaming page by page: every item in
scope is counted exactly (up to an operator-set cap, after which the report
says it is sampled), so the model never has to page through raw tasks.

Definitions (also returned in the report):

* success rate = completed / finished, where finished = completed + partial + failed + cancelled.
* system failure rate = failed items whose reason is on our side or the carrier's
  (SIP/carrier error, agent error, tool error, timeout, other) / finished.
  Contact-side failures (no answer, busy, voicemail, early hang-up, max retries)
  are normal in outbound calling and do not count here.
* verdict: ``insufficient_data`` below 5 finished items; ``failing`` when the system
  failure rate is at least 20% or the success rate is under 40%; ``degraded`` when
  the system failure rate is at least 5% or the success rate is under 70%;
  ``healthy`` otherwise.
* percentiles use the nearest-rank method.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from agent_runs_mcp.domain import (
    ACTIVE_STATUSES,
    FINISHED_STATUSES,
    Execution,
    ProviderPage,
    Status,
    Tally,
    Task,
    meta,
)
from agent_runs_mcp.errors import InputError, ProviderTimeoutError
from agent_runs_mcp.providers.base import (
    TTL_FINISHED_S,
    TTL_LIST_S,
    ExecutionQuery,
    Explained,
    Failure,
    Provider,
    RunQuery,
)
from agent_runs_mcp.providers.client import caching, time_left
from agent_runs_mcp.timeutil import utcnow
from agent_runs_mcp.tools.common import (
    AgentArg,
    FreshArg,
    ProviderArg,
    RefArg,
    RunIdArg,
    SpaceArg,
    UntilArg,
    fmt_duration,
    fmt_money,
    parse_window,
    pick,
    provider_for,
    registry_of,
    resolve_ref,
    result,
    short_time,
    tool_errors,
)
from agent_runs_mcp.tools.sanitize import Sanitizer

Verdict = Literal["healthy", "degraded", "failing", "insufficient_data"]

MIN_FINISHED = 5
FAILING_SYSTEM_RATE = 0.20
FAILING_SUCCESS_RATE = 0.40
DEGRADED_SYSTEM_RATE = 0.05
DEGRADED_SUCCESS_RATE = 0.70
EARLY_HANGUP_S = 10.0
PROGRESS_EVERY_S = 0.25
EXAMPLES = 3

SUCCESS_RATE_DEFINITION = "completed / finished, finished = completed + partial + failed + cancelled"
VERDICT_RULES = (
    f"insufficient_data: fewer than {MIN_FINISHED} finished; failing: system failure rate >= "
    f"{FAILING_SYSTEM_RATE:.0%} or success rate < {FAILING_SUCCESS_RATE:.0%}; degraded: system failure rate >= "
    f"{DEGRADED_SYSTEM_RATE:.0%} or success rate < {DEGRADED_SUCCESS_RATE:.0%}; healthy otherwise"
)

REASON_LABELS: dict[str, str] = {
    "no_answer": "no answer",
    "busy": "busy",
    "voicemail": "voicemail",
    "sip_error": "SIP or carrier error",
    "customer_hung_up_early": "customer hung up early",
    "agent_error": "agent error",
    "tool_error": "tool error",
    "timeout": "timeout",
    "max_retries": "max retries",
    "other": "other",
}
SYSTEM_REASONS = frozenset({"sip_error", "agent_error", "tool_error", "timeout", "other"})

# Ordered: the first category whose pattern occurs in the (lower-cased) reason wins.
_REASON_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("agent_error", ("invalid tool call", "model returned")),
    ("voicemail", ("voicemail", "voice mail", "answering machine", "machine-detected")),
    (
        "no_answer",
        (
            "did-not-answer",
            "did not answer",
            "no-answer",
            "no_answer",
            "no answer",
            "unanswered",
            "not answered",
            "notconnected",
            "not connected",
            "missed",
        ),
    ),
    ("busy", ("busy",)),
    (
        "sip_error",
        (
            "sip",
            "carrier",
            "failed-to-connect",
            "telephony",
            "trunk",
            "pstn",
            "twilio",
            "480",
            "486",
            "503-service",
            "number-invalid",
            "invalid number",
        ),
    ),
    ("customer_hung_up_early", ("hung up", "hangup", "hang-up", "customer-ended", "dropped", "droped")),
    ("timeout", ("timeout", "timed out", "time out", "deadline", "silence-timed-out")),
    ("tool_error", ("tool", "http 5", "http 4", "upstream", "api returned", "rate limited", "quota")),
    ("max_retries", ("maximum retries", "max retries", "max_retries", "retries exceeded")),
    (
        "agent_error",
        (
            "llm",
            "model",
            "tts",
            "stt",
            "transcriber",
            "assistant",
            "agent",
            "configuration",
            "invalid",
            "error",
            "exception",
            "max_iterations",
        ),
    ),
)


@functools.lru_cache(maxsize=4096)  # the same few reasons repeat across thousands of items
def classify_failure(reason: str | None) -> str:
    """Map a provider's free-text failure reason to our small vocabulary (see ``REASON_LABELS``)."""
    if not reason:
        return "other"
    text = reason.lower()
    for category, patterns in _REASON_PATTERNS:
        if any(p in text for p in patterns):
            return category
    return "other"


# --- models ---------------------------------------------------------------------------------------


class Percentiles(BaseModel):
    count: int = Field(description="Items with a value.")
    p50: float | None = None
    p90: float | None = None
    max: float | None = None


class ReasonCount(BaseModel):
    reason: str = Field(description="Normalized failure reason.")
    label: str
    count: int
    share: float = Field(description="Share of failed items.")
    share_of_finished: float
    raw_reasons: dict[str, int] = Field(description="The provider's own words, most frequent first (top 3).")
    example_task_ids: list[str]
    example_refs: list[str]


class VoiceFigures(BaseModel):
    calls_finished: int
    connected: int = Field(description="Finished calls that reached a person.")
    connect_rate: float | None
    voicemail: int
    voicemail_rate: float | None
    early_hangups: int = Field(description=f"Connected calls the customer ended within {EARLY_HANGUP_S:.0f}s.")
    talk_time_s: Percentiles


class WindowComparison(BaseModel):
    since: datetime
    until: datetime
    items: int
    finished: int
    success_rate: float | None
    failed: int
    changes: list[str] = Field(description="What changed from that window to this one.")


class HealthScope(BaseModel):
    type: Literal["run", "agent_window"]
    run_id: str | None = None
    agent: str | None = None
    space: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class HealthReport(BaseModel):
    provider: str
    kind: str = meta()
    scope: HealthScope
    items_kind: str = meta(description="What was counted: call tasks, tasks, executions.")
    verdict: Verdict
    headline: str
    totals: dict[str, int] = Field(description="Items per normalized status.")
    finished: int = meta(0)
    success_rate: float | None
    success_rate_definition: str = meta(SUCCESS_RATE_DEFINITION)
    system_failure_rate: float | None = meta()
    verdict_rules: str = meta(VERDICT_RULES)
    top_failure_reasons: list[ReasonCount]
    outcomes: dict[str, int] = meta(default_factory=dict, description="Post-call outcomes, where given.")
    duration_s: Percentiles
    cost_usd: float | None = Field(description="Total cost of the items that report one.")
    cost_per_completed_usd: float | None = meta()
    items_with_cost: int = meta(0)
    tokens: int | None = meta()
    retried: int = meta(0, "Items that needed more than one attempt.")
    attempts_reported: int = meta(0, "Items whose attempt count the provider reports.")
    voice: VoiceFigures | None = meta()
    previous: WindowComparison | None = meta()
    scanned: int = Field(description="Items read from the provider.")
    redacted: bool = meta(True, "True when personal data in reasons and outcomes was masked.")
    complete: bool = Field(description="True when every item in scope was read.")
    sampled: bool = Field(description="True when the operator's cap stopped the scan early.")
    computed_at: datetime | None = meta()
    from_cache: bool = meta(False, "True when served from a recent report (finished runs do not change).")
    notes: list[str] = meta(default_factory=list)


# --- aggregation (pure) ---------------------------------------------------------------------------


def _percentiles(values: list[float]) -> Percentiles:
    if not values:
        return Percentiles(count=0)
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, math.ceil(p * len(ordered)) - 1)], 3)

    return Percentiles(count=len(ordered), p50=rank(0.5), p90=rank(0.9), max=round(ordered[-1], 3))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


GENERIC_REASONS = frozenset({"error", "errored", "failed", "failure", "fail", "unknown", "(no reason given)"})


def is_generic(reason: str | None) -> bool:
    """True when a reason says only that something failed (or that retries ran out), not why."""
    if not reason or not reason.strip():
        return True
    text = reason.strip().lower()
    return text in GENERIC_REASONS or classify_failure(text) == "max_retries"


@dataclass(slots=True)
class FailureRecord:
    """One failed item, kept (without its payload) so its reason can still be refined."""

    item_id: str
    ref: str
    reason: str | None
    agent: str | None
    created_at: datetime | None
    attempts: int | None


@dataclass
class Accumulator:
    """Streaming counters over tasks or executions; holds no raw payloads."""

    totals: Counter[str] = field(default_factory=Counter)
    failures: list[FailureRecord] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    durations: list[float] = field(default_factory=list)
    talk_times: list[float] = field(default_factory=list)
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
        if item.kind == "call" and status in FINISHED_STATUSES:
            self._add_call(item)
        self._count_attempts(item.attempts)
        if status == Status.FAILED:
            self.failures.append(FailureRecord(item.item_id, item.ref, item.reason, item.agent, item.at, item.attempts))

    def add_item(self, item: Task | Execution) -> None:
        """Count a fully mapped task or execution."""
        self.add(Tally.of(item))

    def _count_attempts(self, attempts: int | None) -> None:
        if attempts is not None:
            self.attempts_reported += 1
            if attempts > 1:
                self.retried += 1

    def _add_call(self, task: Tally) -> None:
        self.calls_finished += 1
        words = " ".join(filter(None, (task.call_status, task.end_reason, task.outcome))).lower()
        if "voicemail" in words or "machine" in words:
            self.voicemail += 1
            return
        if task.status not in (Status.COMPLETED, Status.PARTIAL):
            return
        if any(w in (task.call_status or "").lower() for w in ("notconnected", "busy", "failed", "missed")):
            return
        self.connected += 1
        if task.duration_s is not None:
            self.talk_times.append(task.duration_s)
            ended_by_customer = "customer" in (task.end_reason or "").lower()
            if task.duration_s < EARLY_HANGUP_S and ended_by_customer:
                self.early_hangups += 1

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
                    share=round(count / failed, 4) if failed else 0.0,
                    share_of_finished=round(count / self.finished, 4) if self.finished else 0.0,
                    raw_reasons=dict(raw[reason].most_common(3)),
                    example_task_ids=[e.item_id for e in examples[reason]],
                    example_refs=[e.ref for e in examples[reason]],
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
            talk_time_s=_percentiles(self.talk_times),
        )


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


def headline_of(acc: Accumulator, verdict: Verdict, noun: str, scope_text: str) -> str:
    """One sentence for a status channel: the verdict, the success rate and the biggest problem with its share."""
    if verdict == "insufficient_data":
        in_flight = acc.items - acc.finished
        extra = f", {in_flight} still in flight" if in_flight else ""
        return (
            f"Insufficient data: {acc.finished} finished {noun} {scope_text} (at least {MIN_FINISHED} needed){extra}."
        )
    text = (
        f"{verdict.capitalize()}: {acc.success_rate() or 0:.0%} of {acc.finished} finished {noun} "
        f"{scope_text} completed"
    )
    top = acc.top_reasons(1)
    if top:
        reason = top[0]
        raw = next(iter(reason.raw_reasons), "")
        text += f"; biggest problem: {reason.label} ({reason.share_of_finished:.0%} of finished"
        text += f", e.g. {raw})" if raw and raw.lower() != reason.label else ")"
    voice = acc.voice()
    if voice and voice.connect_rate is not None:
        text += f"; connect rate {voice.connect_rate:.0%}"
    return text + "."


def compare(current: Accumulator, previous: Accumulator) -> list[str]:
    """Plain-language differences between the previous window and this one."""
    changes = []
    now_reasons, before_reasons = current.reasons, previous.reasons
    now_rate, before_rate = current.success_rate(), previous.success_rate()
    if now_rate is not None and before_rate is not None:
        delta = now_rate - before_rate
        if abs(delta) >= 0.005:
            changes.append(f"success rate {before_rate:.0%} -> {now_rate:.0%} ({delta:+.0%})")
        else:
            changes.append(f"success rate unchanged at {now_rate:.0%}")
    changes.append(f"items {previous.items} -> {current.items}")
    for reason in sorted(set(now_reasons) | set(before_reasons)):
        before, now = before_reasons[reason], now_reasons[reason]
        if before != now and max(before, now) >= 3:
            changes.append(f"{REASON_LABELS[reason]} failures {before} -> {now}")
    return changes


# --- scanning -------------------------------------------------------------------------------------


@dataclass
class ScanStats:
    scanned: int = 0
    pages: int = 0
    complete: bool = True
    stopped_by: Literal["cap", "time"] | None = None


TIME_RESERVE_S = 2.0
"""A report stops reading when less than this is left of the call's time limit, and reports what it has."""


async def scan(
    fetch: Callable[[str | None], Awaitable[ProviderPage[Any]]],
    feed: Callable[[Iterable[Any]], None],
    *,
    max_items: int,
    concurrency: int,
    progress: Callable[[int, int | None], Awaitable[None]] | None = None,
) -> ScanStats:
    """Read every page once, feeding items as they arrive; parallel when the provider numbers its pages.

    Stops early (``complete=False``) at the operator's item cap or near the call's time limit.
    """
    stats = ScanStats()

    def stop(reason: Literal["cap", "time"]) -> None:
        stats.complete = False
        stats.stopped_by = stats.stopped_by or reason

    def may_continue() -> bool:
        if stats.scanned >= max_items:
            stop("cap")
            return False
        left = time_left()
        if left is not None and left < TIME_RESERVE_S:
            stop("time")
            return False
        return True

    async def take(page: ProviderPage[Any]) -> None:
        room = max_items - stats.scanned
        items = page.items if len(page.items) <= room else page.items[:room]
        if len(items) < len(page.items):
            stop("cap")
        stats.scanned += len(items)
        stats.pages += 1
        feed(items)
        if progress is not None:
            await progress(stats.scanned, page.total)

    async def fetch_or_stop(token: str | None) -> ProviderPage[Any] | None:
        try:
            return await fetch(token)
        except ProviderTimeoutError:
            if not stats.scanned:
                raise
            stop("time")  # report what was read rather than nothing
            return None

    first = await fetch(None)
    await take(first)
    if first.rest_tokens and concurrency > 1:
        queue = list(reversed(first.rest_tokens))

        async def worker() -> None:
            while queue and may_continue():
                page = await fetch_or_stop(queue.pop())
                if page is None:
                    return
                await take(page)

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(queue)))))
        if queue:
            stats.complete = False
        return stats
    token = first.next_token
    while token and may_continue():
        page = await fetch_or_stop(token)
        if page is None:
            break
        await take(page)
        token = page.next_token
    return stats


# --- the tool -------------------------------------------------------------------------------------


@tool_errors
async def summarize_run_health(
    ctx: Context,
    provider: ProviderArg = None,
    run_id: RunIdArg = None,
    ref: RefArg = None,
    agent: AgentArg = None,
    space: SpaceArg = None,
    since: Annotated[
        str | None, Field(description="Agent scope: window start (ISO 8601 or 30m/24h/7d); default 24h.")
    ] = None,
    until: UntilArg = None,
    fresh: FreshArg = False,
) -> Annotated[CallToolResult, HealthReport]:
    """Answer "is this healthy, and if not, why?" in one call, computed over every item on the server:
    a verdict (healthy/degraded/failing/insufficient_data), a one-line headline, counts per status,
    success rate, top failure reasons with examples, call outcomes, connect/voicemail rates, duration
    percentiles, cost and tokens. Scope: one run (`run_id` or its `ref`), or an `agent` over
    `since`/`until` (default the last 24h, compared with the window before). Use before paging tasks."""
    account, decoded = resolve_ref(ref, provider, ("run", "agent"))
    adapter = provider_for(ctx, account)
    settings = registry_of(ctx).settings
    run = pick(run_id, decoded, "r", "run_id")
    agent_id = pick(agent, decoded, "a", "agent")
    space_id = pick(space, decoded, "s", "space")
    reports = registry_of(ctx).reports
    cacheable = settings.cache_enabled and run and not (since or until)
    key = ("health", adapter.name, run, agent_id, space_id) if cacheable else None
    cached = reports.get(key) if key is not None and not fresh else None
    if cached is not None:
        report = cached[1].model_copy(update={"from_cache": True})
        return result(report, render_health(report))

    last_progress = [0.0]

    async def progress(done: int, total: int | None) -> None:
        # At most a few notifications a second, plus the last one: each is a message to the client.
        now = time.monotonic()
        if now - last_progress[0] >= PROGRESS_EVERY_S or (total is not None and done >= total):
            last_progress[0] = now
            await ctx.report_progress(done, total, message=f"read {done} items")

    def scanner(
        fetch: Callable[[str | None], Awaitable[ProviderPage[Any]]], feed: Callable[[Iterable[Any]], None]
    ) -> Awaitable[ScanStats]:
        return scan(
            fetch,
            feed,
            max_items=settings.health_max_items,
            concurrency=settings.health_concurrency,
            progress=progress,
        )

    clean = Sanitizer(settings.redact_pii).text
    notes: list[str] = []
    with caching("skip"):  # a report reads many pages once: the cache would only hold memory
        if run:
            if since or until:
                raise InputError("`since`/`until` apply to an agent's window; with `run_id` leave them out.")
            query = RunQuery(run_id=run, agent=agent_id, space=space_id)
            current = Accumulator(clean=clean)
            stats = await scanner(lambda t: adapter.tally_page(query, t), lambda items: [current.add(i) for i in items])
            notes += await _explain(adapter, current, query)
            scope = HealthScope(type="run", run_id=run, agent=agent_id, space=space_id)
            noun = "call tasks" if current.calls_finished else "tasks"
            scope_text = f"in run {run}"
            previous = None
        else:
            if not agent_id:
                raise InputError("Pass `run_id` (or a run's `ref`) for one run, or `agent` for a time window.")
            start_at, end_at = parse_window(since, until, default_since="24h")
            assert start_at is not None
            end = end_at or datetime.now(start_at.tzinfo)
            prev_start = start_at - (end - start_at)
            window = ExecutionQuery(agent=agent_id, space=space_id, since=prev_start, until=end_at)
            current, before = Accumulator(clean=clean), Accumulator(clean=clean)
            undated = 0

            def route(items: Iterable[Tally]) -> None:
                nonlocal undated
                for item in items:
                    moment = item.at
                    if moment is None:
                        undated += 1
                    elif start_at <= moment <= end:
                        current.add(item)
                    elif prev_start <= moment < start_at:
                        before.add(item)

            stats = await scanner(lambda t: adapter.activity_tally_page(window, t), route)
            notes += await _explain(adapter, current, None)
            await _explain(adapter, before, None)
            if undated:
                notes.append(f"{undated} item(s) had no timestamp and could not be placed in a window.")
            scope = HealthScope(type="agent_window", agent=agent_id, space=space_id, since=start_at, until=end)
            noun = adapter.activity_noun
            scope_text = f"for agent {agent_id} between {short_time(start_at)} and {short_time(end)}"
            previous = WindowComparison(
                since=prev_start,
                until=start_at,
                items=before.items,
                finished=before.finished,
                success_rate=before.success_rate(),
                failed=before.failed(),
                changes=compare(current, before),
            )
    if stats.stopped_by == "time":
        notes.append(
            f"Sampled: stopped after {stats.scanned} items to answer within the call's time limit "
            f"(AGENT_RUNS_CALL_TIMEOUT_S={settings.call_timeout_s:g}); figures cover those items only."
        )
    elif not stats.complete:
        notes.append(
            f"Sampled: stopped after {stats.scanned} items (operator cap AGENT_RUNS_HEALTH_MAX_ITEMS="
            f"{settings.health_max_items}); figures cover those items only."
        )
    verdict = verdict_of(current)
    completed = current.totals[Status.COMPLETED.value]
    report = HealthReport(
        provider=adapter.name,
        kind=adapter.kind,
        scope=scope,
        items_kind=noun,
        verdict=verdict,
        headline=headline_of(current, verdict, noun, scope_text),
        totals=dict(current.totals),
        finished=current.finished,
        success_rate=current.success_rate(),
        system_failure_rate=current.system_failure_rate(),
        top_failure_reasons=current.top_reasons(),
        outcomes=current.outcome_counts(),
        duration_s=_percentiles(current.durations),
        cost_usd=round(current.cost, 4) if current.with_cost else None,
        cost_per_completed_usd=round(current.cost / completed, 4) if current.with_cost and completed else None,
        items_with_cost=current.with_cost,
        tokens=current.tokens if current.with_tokens else None,
        retried=current.retried,
        attempts_reported=current.attempts_reported,
        voice=current.voice(),
        previous=previous,
        scanned=stats.scanned,
        redacted=settings.redact_pii,
        complete=stats.complete,
        sampled=not stats.complete,
        computed_at=utcnow(),
        notes=notes,
    )
    if key is not None and stats.complete:
        # A run whose items have all finished will not change: its report is kept for 10 minutes.
        in_flight = any(current.totals[s.value] for s in ACTIVE_STATUSES)
        reports[key] = (TTL_LIST_S if in_flight else TTL_FINISHED_S, report)
    return result(report, render_health(report))


async def _explain(adapter: Provider, acc: Accumulator, run: RunQuery | None) -> list[str]:
    """Ask the adapter for the specific reasons of generic failures; say what was learned."""
    generic = acc.generic_failures()
    if not generic:
        return []
    changed = acc.apply(await adapter.explain_failures(generic, run))
    example = next((f.reason for f in generic if f.reason), "no reason")
    if changed == len(generic):
        return [f"{changed} failure(s) were listed only as {example!r}; their specific reasons were read from the "
                "provider's detail."]  # fmt: skip
    hint = " Pass `agent` to let the report read them." if run is not None and not run.agent else ""
    return [f"{len(generic) - changed} of {len(generic)} failure(s) have only a generic reason ({example!r}).{hint}"]


def render_health(report: HealthReport) -> str:
    lines = [report.headline]
    totals = ", ".join(f"{k} {v}" for k, v in sorted(report.totals.items(), key=lambda kv: -kv[1]))
    lines.append(f"Counted {sum(report.totals.values())} {report.items_kind}: {totals or 'none'}.")
    rates = []
    if report.success_rate is not None:
        rates.append(f"success {report.success_rate:.0%}")
    if report.system_failure_rate is not None:
        rates.append(f"system failures {report.system_failure_rate:.0%}")
    if report.voice:
        v = report.voice
        if v.connect_rate is not None:
            rates.append(f"connect {v.connect_rate:.0%}")
        if v.voicemail_rate is not None:
            rates.append(f"voicemail {v.voicemail_rate:.0%}")
        if v.early_hangups:
            rates.append(f"early hang-ups {v.early_hangups}")
    if rates:
        lines.append("Rates: " + ", ".join(rates) + f" (success = {SUCCESS_RATE_DEFINITION}).")
    if report.top_failure_reasons:
        lines.append("Top failure reasons:")
        for r in report.top_failure_reasons:
            raw = "; ".join(f"{k} x{v}" for k, v in r.raw_reasons.items())
            lines.append(
                f"- {r.label}: {r.count} ({r.share:.0%} of failed) · {raw} · e.g. {', '.join(r.example_task_ids)}"
            )
    if report.outcomes:
        lines.append("Outcomes: " + ", ".join(f"{k} {v}" for k, v in report.outcomes.items()) + ".")
    d = report.duration_s
    if d.count:
        lines.append(f"Duration: p50 {fmt_duration(d.p50)}, p90 {fmt_duration(d.p90)}, max {fmt_duration(d.max)}.")
    if report.voice and report.voice.talk_time_s.count:
        t = report.voice.talk_time_s
        lines.append(f"Talk time (connected): p50 {fmt_duration(t.p50)}, p90 {fmt_duration(t.p90)}.")
    money = []
    if report.cost_usd is not None:
        money.append(f"cost {fmt_money(report.cost_usd)}")
    if report.cost_per_completed_usd is not None:
        money.append(f"{fmt_money(report.cost_per_completed_usd)} per completed")
    if report.tokens is not None:
        money.append(f"{report.tokens} tokens")
    if report.retried:
        money.append(f"{report.retried} retried")
    if money:
        lines.append("Spend: " + ", ".join(money) + ".")
    if report.previous:
        p = report.previous
        lines.append(f"Previous window ({short_time(p.since)} to {short_time(p.until)}): " + "; ".join(p.changes) + ".")
    lines.append(f"Scanned {report.scanned} items" + (" (complete)." if report.complete else " (sampled, see notes)."))
    lines += report.notes
    if report.top_failure_reasons:
        lines.append('Next: get_call_transcript(ref=<an example ref>) or get_run_tasks(status="failed").')
    return "\n".join(lines)
