"""get_run_tasks(detail="stats"): what a filtered set of tasks adds up to, instead of its rows.

Trial 7 asked "the average duration of Priya's completed calls this week" and "how many distinct people
did we try to call": both readers paged 286-555 rows (4-8 calls, up to 40,000 tokens) to do the sums
themselves, and counted people by the name in a row, where eight names belonged to two people each. The
table already reads the whole scope for a sort (:func:`~.task_table.table_fetch`); these figures are
computed over the tasks it kept, on the contacts as the platform gives them (never shown, only counted).

Pure functions of the tasks: the tool reads, these add up, the text says the same as the structured part.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from statistics import fmean, median
from typing import Any

from mcp.types import CallToolResult

from agent_runs_mcp.domain import Task
from agent_runs_mcp.providers.base import ExecutionQuery, Provider, RunQuery
from agent_runs_mcp.tools.formatting import fmt_money
from agent_runs_mcp.tools.health.reasons import REASON_LABELS
from agent_runs_mcp.tools.task_table import TaskFilter, category_of

TOP_VALUES = 8
"""Most outcomes (and failure categories) named; the rest are summed as ``other``."""
LABEL_CHARS = 40
"""Longest outcome counted as a label (``Call Back``); a longer one is a sentence about one call (Unpod's
speech plane says "Maya is interested and agreed to the next step; ..."), counted apart, not by its words."""


def task_stats(tasks: list[Task], clean: Callable[[str], str]) -> dict[str, Any]:
    """``{tasks, statuses, duration_s: {mean, median, min, max[, timed]}, cost_usd[, costed], contacts[,
    shared_names, no_contact], outcomes[, outcome_sentences], failed_by_reason}``; a figure no task has is left out
    (``clean`` cleans provider text: the outcomes' words)."""
    out: dict[str, Any] = {"tasks": len(tasks), "statuses": dict(Counter(t.status.value for t in tasks).most_common())}
    durations = [t.duration_s for t in tasks if t.duration_s is not None]
    if durations:
        spread: dict[str, Any] = {
            "mean": round(fmean(durations), 1),
            "median": round(median(durations), 1),
            "min": round(min(durations), 1),
            "max": round(max(durations), 1),
        }
        if len(durations) < len(tasks):
            spread["timed"] = len(durations)
        out["duration_s"] = spread
    costs = [t.cost_usd for t in tasks if t.cost_usd is not None]
    if costs:
        out["cost_usd"] = round(sum(costs), 4)
        if len(costs) < len(tasks):
            out["costed"] = len(costs)
    people = [" ".join(t.contact.split()) for t in tasks if t.contact and t.contact.strip()]
    if people:
        out["contacts"] = len(set(people))
        if shared := shared_names(set(people)):
            out["shared_names"] = shared
        if len(people) < len(tasks):
            out["no_contact"] = len(tasks) - len(people)
    said = [clean(t.outcome) for t in tasks if t.outcome]
    outcomes = _top(Counter(o for o in said if len(o) <= LABEL_CHARS))
    if outcomes:
        out["outcomes"] = outcomes
    if sentences := sum(1 for o in said if len(o) > LABEL_CHARS):
        out["outcome_sentences"] = sentences
    reasons = _top(Counter(REASON_LABELS[c] for t in tasks if (c := category_of(t))))
    if reasons:
        out["failed_by_reason"] = reasons
    return out


def shared_names(people: set[str]) -> int:
    """How many of these contacts (``Name (number)``) have a name another of them has too: different people
    by their numbers (trial 8 saw names repeat in rows, whose numbers are masked, and doubted the count)."""
    names = Counter(person.partition(" (")[0] for person in people if " (" in person)
    return sum(n for n in names.values() if n > 1)


def _top(counts: Counter[str]) -> dict[str, int]:
    top = dict(counts.most_common(TOP_VALUES))
    rest = sum(counts.values()) - sum(top.values())
    return top | ({"other": rest} if rest else {})


def stats_lines(stats: dict[str, Any]) -> list[str]:
    """The figures as the text says them, one fact a line."""
    statuses = ", ".join(f"{k} {v}" for k, v in stats["statuses"].items())
    lines = [f"{stats['tasks']} task(s)" + (f": {statuses}" if statuses else "")]
    if spread := stats.get("duration_s"):
        timed = f" (of the {spread['timed']} with a duration)" if "timed" in spread else ""
        lines.append(
            f"duration: mean {spread['mean']:g}s, median {spread['median']:g}s, "
            f"shortest {spread['min']:g}s, longest {spread['max']:g}s{timed}"
        )
    if "cost_usd" in stats:
        costed = f" (of the {stats['costed']} with a cost)" if "costed" in stats else ""
        lines.append(f"cost: {fmt_money(stats['cost_usd'])}{costed}")
    if "contacts" in stats:
        shared = f" ({stats['shared_names']} share a name with another)" if "shared_names" in stats else ""
        without = f"; {stats['no_contact']} task(s) without one" if "no_contact" in stats else ""
        lines.append(f"distinct contacts, told apart by number: {stats['contacts']}{shared}{without}")
    if "outcomes" in stats:
        lines.append("outcomes: " + ", ".join(f"{k} {v}" for k, v in stats["outcomes"].items()))
    if "outcome_sentences" in stats:
        lines.append(f"{stats['outcome_sentences']} outcome(s) are sentences, not labels: not counted by their words")
    if "failed_by_reason" in stats:
        lines.append("failed by reason: " + ", ".join(f"{k} {v}" for k, v in stats["failed_by_reason"].items()))
    return lines


def stats_result(
    adapter: Provider,
    query: RunQuery,
    keep: TaskFilter,
    window: ExecutionQuery | None,
    tasks: list[Task],
    seen: Counter[str],
    notes: list[str],
    sampled: bool,
    redact: bool,
) -> CallToolResult:
    """get_run_tasks' result at ``detail="stats"``: the scope, the filters, how far it was read, the figures."""
    from agent_runs_mcp.tools.listing import closing_lines, filters_of
    from agent_runs_mcp.tools.results import result
    from agent_runs_mcp.tools.runs import TasksResult
    from agent_runs_mcp.tools.sanitize import UNTRUSTED_TEXT, Sanitizer
    from agent_runs_mcp.tools.window_tasks import window_words

    figures = task_stats(tasks, Sanitizer(redact).line)
    filters = keep.described()
    if window is not None:
        filters = filters_of(since=window.since, until=window.until) | filters
    scanned = sum(seen.values())
    said = list(notes)
    if not tasks:
        counts = ", ".join(f"{k} {v}" for k, v in seen.most_common()) or "none"
        said.append(f"None of the {scanned} task(s) read matched (statuses seen: {counts}).")
    if "outcomes" in figures:  # the provider's words
        said.append(UNTRUSTED_TEXT)
    model = TasksResult(
        provider=adapter.name,
        scanned=scanned,
        redacted=redact,
        notes=said,
        run_id=query.run_id or None,
        agent=query.agent,
        space=query.space,
        filters=filters,
        tasks=[],
        stats=figures,
    )
    where = f"run {query.run_id}"
    model.sampled, model.complete = sampled, not sampled
    if window is not None:
        model.scope = where = window_words(window)
    head = f"{adapter.name} · {where} · {scanned} task(s) read, {'sampled' if sampled else 'all read'}"
    shown = {k: v for k, v in filters.items() if k not in ("since", "until")}
    if shown:
        head += " · " + ", ".join(f"{k}={v}" for k, v in shown.items())
    # across runs no `agent`: the scope names it (`tasks` stays, empty: the output schema requires it)
    dropped = {"kind"} | ({"agent"} if window is not None else set())
    dumped = model.model_dump(mode="json", exclude=dropped, exclude_none=True, exclude_defaults=True)
    dumped["tasks"] = []
    return result(dumped, "\n".join([head, *stats_lines(figures), *closing_lines(model)]))
