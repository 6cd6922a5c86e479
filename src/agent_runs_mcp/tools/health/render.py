"""The report as text, for hosts that show the model the text block."""

from __future__ import annotations

from datetime import datetime

from agent_runs_mcp.errors import InputError
from agent_runs_mcp.refs import parse_ref
from agent_runs_mcp.tools.common import fmt_duration, fmt_money, short_time
from agent_runs_mcp.tools.health.figures import fmt_ms
from agent_runs_mcp.tools.health.models import SUCCESS_RATE_DEFINITION, HealthReport
from agent_runs_mcp.tools.health.versions import usage_line, versions_line, waiting_line


def next_steps(report: HealthReport) -> list[str]:
    """Calls that lead somewhere from this report, on this provider, with the values filled in.

    The top failure category's example says what the failed items are: a task ref (calls inside runs, as
    in a campaign run that ends `completed` with most calls failed) leads to that run's tasks filtered by
    the category (an agent window's: the window's tasks across its runs, filtered so); a run ref (or no ref)
    to the agent's failed executions over the same window. The
    transcript step is offered only when the report has example refs to read.
    """
    if not report.top_failure_reasons:
        return []
    top = report.top_failure_reasons[0]
    ref = next((r.example_refs[0] for r in report.top_failure_reasons if r.example_refs), None)
    steps = ["get_call_transcript(ref=<an example's ref>) reads what happened"] if ref else []
    scope = report.scope
    where = f'provider="{report.provider}"' + "".join(
        f', {key}="{value}"' for key, value in (("agent", scope.agent), ("space", scope.space)) if value
    )
    run = scope.run_id or _run_of_task(top.example_refs[0] if top.example_refs else None)
    if run and not scope.run_id and scope.since is not None:  # calls inside runs: the window's, across its runs
        until = f', until="{_iso(scope.until)}"' if scope.until else ""
        steps.append(
            f'get_run_tasks({where}, since="{_iso(scope.since)}"{until}, reason="{top.label}", detail="rows") '
            f"lists the {top.label} tasks of this window"
        )
    elif run:
        scope_words = "this run" if scope.run_id else "the first example's run"
        steps.append(
            f'get_run_tasks({where}, run_id="{run}", reason="{top.label}", detail="rows") lists the {top.label} '
            f"tasks of {scope_words}"
        )
    elif scope.since is not None:
        steps.append(f'list_agent_executions({where}, status="failed", since="{_iso(scope.since)}")')
    return steps


def _run_of_task(ref: str | None) -> str | None:
    """The run of a task ref (refs are ours: decoding one is platform-neutral); ``None`` for other refs."""
    if not ref:
        return None
    try:
        decoded = parse_ref(ref)
    except InputError:
        return None
    return decoded.get("r") if decoded.kind == "task" and decoded.get("r") != decoded.get("t") else None


def _noun(count: int, noun: str) -> str:
    """``1 execution``, ``2 executions``: the noun is given in the plural."""
    return noun[:-1] if count == 1 and noun.endswith("s") else noun


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_health(report: HealthReport) -> str:
    lines = [report.headline]
    totals = ", ".join(f"{k} {v}" for k, v in sorted(report.totals.items(), key=lambda kv: -kv[1]))
    counted = sum(report.totals.values())
    lines.append(f"Counted {counted} {_noun(counted, report.items_kind)}: {totals or 'none'}.")
    rates = []
    if report.success_rate is not None:
        rates.append(f"success {report.success_rate:.0%}")
    if report.system_failure_rate is not None:
        rates.append(f"system failures {report.system_failure_rate:.0%}")
    if report.voice:
        v = report.voice
        calls = v.calls_finished  # the counts beside the rates, so they can be summed over agents
        if v.connect_rate is not None:
            rates.append(f"connect {v.connect_rate:.0%} ({v.connected} of {calls} finished calls)")
        if v.voicemail_rate is not None:
            rates.append(f"voicemail {v.voicemail_rate:.0%} ({v.voicemail})")
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
        rest = report.totals.get("failed", 0) - sum(r.count for r in report.top_failure_reasons)
        if rest > 0:  # the list holds the top categories only: say what it leaves out
            lines.append(f"- {rest} more failed in other categories.")
    if report.outcomes:
        lines.append("Outcomes: " + ", ".join(f"{k} {v}" for k, v in report.outcomes.items()) + ".")
    d = report.duration_s
    if d.count:
        spread = f"mean {fmt_duration(d.mean)}, p50 {fmt_duration(d.p50)}, p90 {fmt_duration(d.p90)}"
        spread += f", max {fmt_duration(d.max)}"
        lines.append(f"Duration ({d.count} items): {spread}.")
    if report.voice and report.voice.talk_time_s.count:
        t = report.voice.talk_time_s
        lines.append(
            f"Talk time (connected): mean {fmt_duration(t.mean)}, p50 {fmt_duration(t.p50)}, p90 {fmt_duration(t.p90)}."
        )
    if report.voice and report.voice.latency_ms and report.voice.latency_ms.count:
        lat = report.voice.latency_ms
        lines.append(
            f"Voice latency (each call's median response, {lat.count} calls): mean {fmt_ms(lat.mean or 0)}, "
            f"p50 {fmt_ms(lat.p50 or 0)}, p90 {fmt_ms(lat.p90 or 0)}, max {fmt_ms(lat.max or 0)}."
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
        window = f"{short_time(p.since)} to {short_time(p.until)}, {p.finished} finished, {p.failed} failed"
        lines.append(f"Previous window ({window}): " + "; ".join(p.changes) + ".")
    scanned = f"Scanned {report.scanned} items"
    if report.previous is not None and report.scanned != counted:  # why more were read than counted
        scanned += f" ({counted} in this window, {report.previous.items} in the one before, for the comparison)"
    lines.append(scanned + (", complete." if report.complete else ", sampled (see notes)."))
    lines += report.notes
    lines += [f"Next: {step}" for step in report.next]
    return "\n".join(lines)
