"""The health report as the tool returns it (and its published output schema)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, PrivateAttr

from agent_runs_mcp.domain import UNPUBLISHED, meta
from agent_runs_mcp.tools.results import ResultModel

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


class Percentiles(ResultModel):
    count: int = Field(description="Items with a value.")
    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    max: float | None = None


class ReasonCount(ResultModel):
    reason: str = Field(description="Normalized failure reason.")
    label: str
    count: int
    share: float = Field(description="Share of failed items.")
    share_of_finished: float = meta(0.0)  # count / finished: computed, left out of results (they give both)
    raw_reasons: dict[str, int] = Field(description="The provider's own words, most frequent first (top 3).")
    example_task_ids: list[str]
    example_refs: list[str] = Field(description="The ref of the first example: get_call_transcript(ref=...).")


class VoiceFigures(ResultModel):
    calls_finished: int = Field(0, description="Left out when it is the report's `finished`.")
    connected: int = Field(description="Finished calls that reached a person.")
    connect_rate: float | None = None
    voicemail: int
    voicemail_rate: float | None = None
    early_hangups: int = Field(description=f"Connected calls the customer ended within {EARLY_HANGUP_S:.0f}s.")
    talk_time_s: Percentiles
    latency_ms: Percentiles | None = Field(
        default=None, description="Voice response latency: each call's median (ms), over the calls reporting one."
    )


class WindowComparison(ResultModel):
    since: datetime
    until: datetime
    items: int
    finished: int
    success_rate: float | None = None
    failed: int
    changes: list[str] = Field(description="What changed from that window to this one.")
    _completed: int = PrivateAttr(default=0)
    """Completed items of that window (for the fleet's totals; the rate is rounded), never serialized."""


class Trend(ResultModel):
    """Items and failures per time step, oldest first: ``items[i]`` counts ``start + i*step`` up to the next."""

    start: datetime
    step: str = Field(description="5m, 15m, 1h, 1d or 7d.")
    items: list[int]
    failed: list[int]


class VersionFigures(ResultModel):
    """One agent version's share of a window (reported when more than one version ran)."""

    version: str
    items: int
    finished: int
    failed: int
    success_rate: float | None = None
    first_at: datetime | None = Field(default=None, description="Its first item in the window.")


class PlatformUsage(ResultModel):
    """Usage the platform reports in its own unit for the window (Modus credits are not dollars)."""

    credits: float | None = None
    unit: str = Field(description="What `credits` counts, e.g. `Modus credits (not USD)`.")
    tokens: int | None = None
    llm_calls: int | None = Field(default=None, description="Model calls, not runs.")


class ToolFigures(ResultModel):
    """One tool's calls and failures, from the platform's own aggregate (its runs: see `notes`)."""

    tool: str
    calls: int
    failed: int


class WaitingFigures(ResultModel):
    """Items waiting on a person (approvals) at the time of the report."""

    count: int
    oldest_since: datetime | None = None
    example: str | None = Field(default=None, description="The longest wait: which item, step and approver.")


class ChangePoint(ResultModel):
    """Where an agent's failures shifted inside the window (rule in :mod:`.change`)."""

    at: datetime = Field(description="First finished item after the shift.")
    run_id: str | None = Field(default=None, description="The run that item belongs to.")
    measure: str = Field(description="`failure rate`, or the failure category whose share shifted.")
    before_pct: float = Field(description="The measure's share of the finished items before, in percent.")
    after_pct: float = Field(description="The same share after, in percent.")
    finished_before: int = Field(description="Finished items before the shift.")
    finished_after: int
    top_before: str | None = None
    top_after: str | None = None


@dataclass(slots=True)
class DirectionTally:
    """Counters of the items of one call direction (``outbound``, ``inbound``), where the platform says it."""

    finished: int = 0
    failed: int = 0
    calls_finished: int = 0
    connected: int = 0


class HealthScope(ResultModel):
    type: Literal["run", "agent_window"]
    run_id: str | None = None
    agent: str | None = None
    space: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class HealthReport(ResultModel):
    provider: str
    kind: str = meta()
    scope: HealthScope
    items_kind: str = meta(description="What was counted: call tasks, tasks, executions.")
    verdict: Verdict
    headline: str
    totals: dict[str, int] = Field(description="Items per normalized status.")
    finished: int = meta(0)
    success_rate: float | None = None
    success_rate_definition: str = meta(SUCCESS_RATE_DEFINITION)
    system_failure_rate: float | None = meta()
    verdict_rules: str = meta(VERDICT_RULES)
    top_failure_reasons: list[ReasonCount]
    outcomes: dict[str, int] = meta(default_factory=dict, description="Post-call outcomes, where given.")
    duration_s: Percentiles
    trend: Trend | None = Field(default=None, description="Items and failures per step, oldest first.")
    cost_usd: float | None = Field(default=None, description="Total cost of the items that report one.")
    cost_per_completed_usd: float | None = meta()
    items_with_cost: int = meta(0)
    tokens: int | None = meta()
    retried: int = meta(0, "Items that needed more than one attempt.")
    attempts_reported: int = meta(0, "Items whose attempt count the provider reports.")
    voice: VoiceFigures | None = meta()
    versions: list[VersionFigures] | None = meta(description="Per agent version, oldest first, when several ran.")
    failures_began_in: str | None = meta(description="The agent version in which failures began, when one did.")
    usage: PlatformUsage | None = meta()
    tools: list[ToolFigures] | None = meta(description="Per tool, most failures first (the platform's aggregate).")
    waiting: WaitingFigures | None = meta()
    change: ChangePoint | None = meta(description="Where failures shifted inside the window, if they did.")
    previous: WindowComparison | None = meta()
    scanned: int = Field(description="Items read from the provider.")
    redacted: bool = meta(True, "True when personal data in reasons and outcomes was masked.")
    complete: bool = Field(description="True when every item in scope was read.")
    sampled: bool = Field(default=False, description="True when the operator's cap stopped the scan early.")
    computed_at: datetime | None = Field(default=None, exclude=True, json_schema_extra=UNPUBLISHED)  # not sent
    from_cache: bool = meta(False, "True when served from a recent report (finished runs do not change).")
    notes: list[str] = meta(default_factory=list)
    next: list[str] = meta(default_factory=list, description="The calls to make next, as the text says them.")
    _cause: str | None = PrivateAttr(default=None)
    """The figure that set the verdict, in words (the headline says it; the fleet row shows it alone)."""
    _directions: dict[str, DirectionTally] = PrivateAttr(default_factory=dict)
    """Per call direction the platform reported (for the fleet's totals), never serialized."""
    _failures: list[Any] = PrivateAttr(default_factory=list)
    """The failed items behind the figures (for the dashboard view), never serialized."""


def structured_report(report: HealthReport) -> dict[str, Any]:
    """The structured channel of a report: what the text says, no figure twice. Left out, besides nulls and
    defaults (`sampled` when false): each reason's share of finished items (its count over `finished`) and
    the voice figures' `calls_finished` when it is the report's `finished`."""
    voice = {"calls_finished"} if report.voice and report.voice.calls_finished == report.finished else set()
    exclude: dict[str, Any] = {"kind": True, "top_failure_reasons": {"__all__": {"share_of_finished"}}}
    if voice:
        exclude["voice"] = voice
    return report.model_dump(mode="json", exclude=exclude, exclude_none=True, exclude_defaults=True)
