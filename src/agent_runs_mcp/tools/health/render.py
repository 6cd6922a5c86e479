"""The report as text, for hosts that show the model the text block."""

from __future__ import annotations

from agent_runs_mcp.tools.common import fmt_duration, fmt_money, short_time
from agent_runs_mcp.tools.health.figures import fmt_ms
from agent_runs_mcp.tools.health.models import SUCCESS_RATE_DEFINITION, HealthReport
from agent_runs_mcp.tools.health.versions import usage_line, versions_line, waiting_line


def next_steps(report: HealthReport) -> list[str]:
    """Where to look after a report: an example failure's transcript, the failed tasks of the run."""
    if not report.top_failure_reasons:
        return []
    steps = ["get_call_transcript(ref=<an example's ref>) reads what happened"]
    if report.scope.type == "run":
        steps.append('get_run_tasks(ref=<the run\'s ref>, status="failed")')
    else:
        steps.append('list_agent_executions(agent=..., status="failed")')
    return steps


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
                + (f" · ref {r.example_refs[0]}" if r.example_refs else "")
            )
    if report.outcomes:
        lines.append("Outcomes: " + ", ".join(f"{k} {v}" for k, v in report.outcomes.items()) + ".")
    d = report.duration_s
    if d.count:
        lines.append(f"Duration: p50 {fmt_duration(d.p50)}, p90 {fmt_duration(d.p90)}, max {fmt_duration(d.max)}.")
    if report.voice and report.voice.talk_time_s.count:
        t = report.voice.talk_time_s
        lines.append(f"Talk time (connected): p50 {fmt_duration(t.p50)}, p90 {fmt_duration(t.p90)}.")
    if report.voice and report.voice.latency_ms and report.voice.latency_ms.count:
        lat = report.voice.latency_ms
        lines.append(
            f"Voice latency (each call's median response, {lat.count} calls): p50 {fmt_ms(lat.p50 or 0)}, "
            f"p90 {fmt_ms(lat.p90 or 0)}, max {fmt_ms(lat.max or 0)}."
        )
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
    if report.usage is not None:
        lines.append(usage_line(report.usage))
    if report.versions:
        lines.append(versions_line(report.versions, report.failures_began_in))
    if report.waiting:
        lines.append(waiting_line(report.waiting))
    if report.trend and len(report.trend.items) > 1:
        t = report.trend
        lines.append(
            f"Trend ({t.step} steps from {short_time(t.start)}): items {' '.join(map(str, t.items))}; "
            f"failed {' '.join(map(str, t.failed))}."
        )
    if report.previous:
        p = report.previous
        lines.append(f"Previous window ({short_time(p.since)} to {short_time(p.until)}): " + "; ".join(p.changes) + ".")
    lines.append(f"Scanned {report.scanned} items" + (" (complete)." if report.complete else " (sampled, see notes)."))
    lines += report.notes
    lines += [f"Next: {step}" for step in report.next]
    return "\n".join(lines)
