"""Hints on empty results that lead somewhere: a wider window than the one just used, and where failures
hide when a run finished with failed tasks inside it (a run that is `completed` with 49 of 64 calls failed
is not found by `status="failed"`)."""

from __future__ import annotations

from datetime import datetime

from agent_runs_mcp.domain import FINISHED_STATUSES, Execution, Status
from agent_runs_mcp.providers.base import CallOpening
from agent_runs_mcp.timeutil import utcnow

SPANS = (("24h", 1), ("7d", 7), ("30d", 30), ("90d", 90))


def wider_window(since: datetime | None) -> str:
    """``since=30d`` when the window used was 7 days: never the window just used (or a narrower one)."""
    if since is None:
        return "drop `until`"
    used_days = (utcnow() - since).total_seconds() / 86400
    wider = [name for name, days in SPANS if days > used_days * 1.05]
    return f"since={' or '.join(wider[:2])}" if wider else "drop `since`"


def has_failed_tasks(run: Execution) -> bool:
    """A finished run some of whose tasks did not complete (its own status may still say completed)."""
    return (
        run.status in FINISHED_STATUSES
        and run.status != Status.FAILED
        and run.tasks_total is not None
        and run.tasks_completed is not None
        and run.tasks_completed < run.tasks_total
    )


def failed_tasks_hint(
    provider: str, agent: str | None, space: str | None, runs: int, since: str | None, until: str | None
) -> str:
    """Where the failures are when no run failed but ``runs`` runs read hold failed tasks: one get_run_tasks
    call over the agent's (or space's) window lists every failed task across those runs, each naming its run
    (one call per run, as before the window mode, cost a listing and N calls). ``since``/``until``: the
    window as the listing was asked (``since`` filled in when it was not: the oldest such run's start)."""
    where = f'provider="{provider}"' + "".join(
        f', {key}="{value}"' for key, value in (("agent", agent), ("space", space)) if value
    )
    window = "".join(f', {key}="{value}"' for key, value in (("since", since), ("until", until)) if value)
    return (
        f"{runs} finished run(s) read hold tasks that did not complete (their status is not `failed`): "
        f'get_run_tasks({where}{window}, status="failed") lists them across runs; '
        f"summarize_run_health({where}{window}) counts failures across runs."
    )


def open_call_hint(provider: str, opening: CallOpening) -> str:
    """How to read one of a run's conversations, spelled out for hosts that show only text."""
    args = "".join(f', {name}="{value}"' for name, value in opening.arguments)
    task = ", task_id=<task_id>" if opening.per_task else ""
    reads = f" reads the {opening.reads}" if opening.reads else ""
    return f'get_call_transcript(provider="{provider}"{args}{task}){reads}'
