"""The platform's own aggregates in an agent window report: usage in its unit, per-tool figures.

One optional look-up per report (:class:`~agent_runs_mcp.providers.capabilities.WindowFactsReader`): a
platform without aggregates adds nothing; one whose look-up fails adds a note, never an error.
"""

from __future__ import annotations

from datetime import datetime

from agent_runs_mcp.errors import ProviderError
from agent_runs_mcp.providers.base import Provider
from agent_runs_mcp.providers.facts import WindowFacts
from agent_runs_mcp.tools import capabilities
from agent_runs_mcp.tools.common import fmt_money
from agent_runs_mcp.tools.health.models import HealthReport, PlatformUsage, ToolFigures

TOOLS_SHOWN = 5


async def read_window_facts(adapter: Provider, agent: str, since: datetime, until: datetime) -> WindowFacts | None:
    try:
        return await capabilities.window_facts(adapter, agent, since, until)
    except ProviderError as exc:  # adapters turn their own failures into notes; this is the backstop
        return WindowFacts(notes=[f"The platform's aggregates could not be read: {exc}"])


def apply_window_facts(report: HealthReport, facts: WindowFacts | None) -> None:
    """Put what the aggregates say on the report: fields, and one line of text in its notes."""
    if facts is None:
        return
    report.notes.extend(facts.notes)
    if facts.usage is not None:
        u = facts.usage
        report.usage = PlatformUsage(credits=u.credits, unit=u.unit, tokens=u.tokens, llm_calls=u.llm_calls)
    if facts.tools or facts.never_called:
        report.tools = [ToolFigures(tool=t.name, calls=t.calls, failed=t.failed) for t in facts.tools] or None
        report.notes.append(tools_line(facts))


def tools_line(facts: WindowFacts) -> str:
    """``Tools over the agent's last 50 runs (...): create_ticket 9 of 20 calls failed, ...; never called: x.``"""
    shown = facts.tools[:TOOLS_SHOWN]
    parts = [
        f"{t.name} {t.failed} of {t.calls} calls failed" if t.failed else f"{t.name} {t.calls} calls" for t in shown
    ]
    if len(facts.tools) > len(shown):
        parts.append(f"{len(facts.tools) - len(shown)} more")
    text = f"Tools over {facts.covers or 'recent runs'}: " + (", ".join(parts) or "none called")
    if facts.never_called:
        text += f"; never called: {', '.join(facts.never_called[:TOOLS_SHOWN])}"
    per_run = []
    if facts.cost_per_run_usd is not None:
        per_run.append(f"{fmt_money(facts.cost_per_run_usd)}")
    if facts.tokens_per_run is not None:
        per_run.append(f"{facts.tokens_per_run:,.0f} tokens")
    if per_run:
        text += f"; per run {' and '.join(per_run)} on average"
    return text + "."
