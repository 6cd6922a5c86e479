"""What a platform's own aggregates say about an agent's window, besides its items: an optional ability.

A health report asks :class:`~agent_runs_mcp.providers.capabilities.WindowFactsReader` once per agent window;
the default answers ``None`` (the platform has no such aggregate). An adapter that has one (Runtype's
run insights, Modus's usage) answers with what it read and notes for what it could not read: these
look-ups are optional and never fail a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Usage:
    """Usage in the platform's own unit (Modus credits are not dollars)."""

    credits: float | None
    unit: str
    tokens: int | None = None
    llm_calls: int | None = None


@dataclass(frozen=True, slots=True)
class ToolUse:
    """One tool's calls over the runs an aggregate covers."""

    name: str
    calls: int
    failed: int
    runs_using: int | None = None


@dataclass(slots=True)
class WindowFacts:
    usage: Usage | None = None
    tools: list[ToolUse] = field(default_factory=list)
    never_called: list[str] = field(default_factory=list)
    """Tools attached to the agent that no run in the aggregate called."""
    covers: str | None = None
    """What the aggregate covers when it is not exactly the window, e.g. `the last 50 runs (10:02 to 14:40)`."""
    cost_per_run_usd: float | None = None
    tokens_per_run: float | None = None
    notes: list[str] = field(default_factory=list)
