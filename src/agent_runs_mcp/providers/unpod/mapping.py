"""Unpod's raw documents -> the domain model. Pure functions: no I/O, no adapter state.

A task document keeps the call in ``output`` (``call_id``, ``transcript``, ``call_end_reason``,
``post_call_data`` with the outcome and summary); its space is in ``collection_ref``
(``collection_data_<SPACE>``). :func:`core_of` reads what both the full mapping and the health
tally need, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent_runs_mcp.domain import Execution, Status, Tally, Task
from agent_runs_mcp.providers.jsonread import as_dict, as_float, as_int, as_text, dig, first
from agent_runs_mcp.providers.unpod import PLATFORM
from agent_runs_mcp.providers.unpod.telephony import direction_of
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.timeutil import parse_time, seconds_between

COLLECTION_PREFIX = "collection_data_"


def execution_of(account: str, raw: dict[str, Any], agent: str | None, space: str | None) -> Execution:
    """A raw run document (space runs or agent executions) as an :class:`Execution`."""
    run_id = as_text(raw.get("run_id")) or as_text(raw.get("_id")) or "?"
    space = space_of(raw) or space
    total = as_int(first(raw.get("total_tasks"), raw.get("batch_count")))
    word = as_text(raw.get("status"))
    details = {
        k: raw.get(k) for k in ("collection_ref", "run_mode", "batch_count", "modified", "thread_id") if k in raw
    }
    return Execution(
        run_id=run_id,
        agent_id=agent,
        status=PLATFORM.normalize(word),
        provider_status=word,
        started_at=parse_time(first(raw.get("created"), raw.get("created_at"))),
        tasks_total=total,
        tasks_completed=as_int(raw.get("completed_tasks")),
        trigger=as_text(raw.get("run_mode")),
        details=details or None,
        ref=make_ref(account, "run", r=run_id, a=agent, s=space),
    )


def task_of(
    account: str, raw: dict[str, Any], run_id: str | None, space: str | None, agent: str | None, page: str
) -> Task:
    """A raw task document as a :class:`Task`; ``page`` (``r3``/``a3``) is where it was listed, kept in its ref."""
    core = core_of(raw)
    output, post = core.output, core.post
    task_id = core.task_id
    run = as_text(raw.get("run_id")) or run_id
    space = space_of(raw) or space
    started = parse_time(first(output.get("start_time"), output.get("startedAt")))
    ended = parse_time(first(output.get("end_time"), output.get("endedAt")))
    details = {
        key: raw.get(key)
        for key in ("created", "modified", "last_status_change", "scheduled_timestamp", "ref_id", "assignee")
        if raw.get(key) is not None
    }
    objective = dig(raw, "task", "objective")
    if objective:
        details["objective"] = as_text(objective, 300)
    if post:
        details["post_call_data"] = post
    return Task(
        task_id=task_id,
        run_id=run,
        status=core.status,
        provider_status=core.word,
        kind=core.kind,
        contact=contact_of(as_dict(raw.get("input")), output),
        created_at=parse_time(raw.get("created")),
        started_at=started,
        ended_at=ended,
        duration_s=core.duration if core.duration is not None else seconds_between(started, ended),
        end_reason=core.end_reason,
        outcome=core.outcome,
        summary=summary_of(output, post),
        failure_reason=core.failure,
        attempts=core.attempts,
        cost_usd=core.cost,
        tokens=core.tokens,
        call_id=as_text(first(output.get("call_id"), output.get("id") if "assistantId" in output else None)),
        call_status=core.call_status,
        has_transcript=has_transcript(output),
        recording_url=as_text(first(output.get("recording_url"), output.get("recordingUrl"))),
        details=details or None,
        ref=task_ref(account, task_id, run, space, agent, page),
    )


def task_ref(account: str, task_id: str, run: str | None, space: str | None, agent: str | None, page: str) -> str:
    # The space locates the task on its own; the agent's task list is the fallback without one.
    return make_ref(account, "task", t=task_id, r=run, s=space, a=None if space else agent, p=page)


def tally_of(
    account: str,
    raw: dict[str, Any],
    run_id: str | None,
    space: str | None,
    agent: str | None,
    page: str,
) -> Tally:
    """The health-report view of a raw task: the same values :meth:`_task` maps, minus presentation."""
    core = core_of(raw)
    duration = core.duration
    if duration is None:
        output = core.output
        duration = seconds_between(
            parse_time(first(output.get("start_time"), output.get("startedAt"))),
            parse_time(first(output.get("end_time"), output.get("endedAt"))),
        )
    ref = ""
    failed = core.status is Status.FAILED
    run = as_text(raw.get("run_id")) or run_id
    if failed:  # refs serve as examples of failures only
        ref = task_ref(account, core.task_id, run, space_of(raw) or space, agent, page)
    at = parse_time(raw.get("created")) or parse_time(first(core.output.get("start_time")))
    return Tally(
        item_id=core.task_id,
        status=core.status,
        ref=ref,
        kind=core.kind,
        duration_s=duration,
        cost_usd=core.cost,
        tokens=core.tokens,
        reason=core.failure or core.end_reason,
        end_reason=core.end_reason,
        outcome=core.outcome,
        attempts=core.attempts,
        call_status=core.call_status,
        at=at,
        run_id=run,
        direction=direction_of(as_text(first(core.output.get("call_type"), raw.get("call_type")))),
    )


@dataclass(slots=True)
class Core:
    """The fields of a raw task that both the full mapping and the health tally use."""

    task_id: str
    word: str | None
    status: Status
    kind: str | None
    output: dict[str, Any]
    post: dict[str, Any]
    duration: float | None
    failure: str | None
    end_reason: str | None
    outcome: str | None
    attempts: int | None
    cost: float | None
    tokens: int | None
    call_status: str | None


def core_of(raw: dict[str, Any]) -> Core:
    output = as_dict(raw.get("output"))
    post = as_dict(output.get("post_call_data"))
    word = as_text(raw.get("status"))
    status = PLATFORM.normalize(word)
    retry_attempt = as_int(raw.get("retry_attempt"))
    failure_count = as_int(raw.get("failure_count"))
    if retry_attempt is not None:
        attempts: int | None = retry_attempt + 1
    elif failure_count is not None:
        attempts = failure_count + (0 if status is Status.FAILED else 1)
    else:
        attempts = None
    return Core(
        task_id=as_text(first(raw.get("task_id"), raw.get("_id"))) or "?",
        word=word,
        status=status,
        kind=as_text(raw.get("execution_type")),
        output=output,
        post=post,
        duration=as_float(output.get("duration")),
        failure=as_text(first(raw.get("last_failure_reason"), output.get("error")), 300),
        end_reason=as_text(first(output.get("call_end_reason"), output.get("endedReason"))),
        outcome=outcome_of(output, post),
        attempts=attempts,
        cost=cost_of(output),
        tokens=tokens_of(output),
        call_status=as_text(first(output.get("call_status"), output.get("status"))),
    )


def space_of(raw: dict[str, Any]) -> str | None:
    ref = as_text(raw.get("collection_ref"))
    if ref and ref.startswith(COLLECTION_PREFIX) and len(ref) > len(COLLECTION_PREFIX):
        return ref[len(COLLECTION_PREFIX) :]
    return None


def contact_of(inp: dict[str, Any], output: dict[str, Any]) -> str | None:
    number = as_text(
        first(
            output.get("contact_number"),
            output.get("customer") if isinstance(output.get("customer"), str) else None,
            dig(output, "customer", "number"),
            inp.get("contact_number"),
            inp.get("phone_number"),
            inp.get("phone"),
            inp.get("number"),
            inp.get("mobile"),
            inp.get("email"),
        )
    )
    name = as_text(first(inp.get("name"), inp.get("full_name"), dig(output, "customer", "name")), 60)
    if name and number:
        return f"{name} ({number})"
    return number or name


def outcome_of(output: dict[str, Any], post: dict[str, Any]) -> str | None:
    """Post-call status, else the first classification label, else the other places outcomes appear."""
    summary = post.get("summary")
    if isinstance(summary, dict):
        found = as_text(first(summary.get("status")), 80)
        if found:
            return found
    labels = dig(post, "classification", "labels")
    if isinstance(labels, list) and labels:
        found = as_text(first(labels[0]), 80)
        if found:
            return found
    return as_text(
        first(output.get("outcome"), dig(output, "analysis", "successEvaluation"), post.get("success_evaluator")),
        80,
    )


def summary_of(output: dict[str, Any], post: dict[str, Any]) -> str | None:
    return as_text(
        first(
            output.get("call_summary"),
            dig(post, "summary", "summary"),
            output.get("summary") if isinstance(output.get("summary"), str) else None,
            dig(output, "analysis", "summary"),
            post.get("summary") if isinstance(post.get("summary"), str) else None,
            dig(post, "classification", "summary"),
        ),
        500,
    )


def cost_of(output: dict[str, Any]) -> float | None:
    cost = as_float(output.get("cost"))
    if cost is None:
        cost = as_float(dig(output, "metadata", "cost"))
    if cost is None:
        cost = as_float(dig(output, "costBreakdown", "total"))
    return cost


def tokens_of(output: dict[str, Any]) -> int | None:
    breakdown = as_dict(output.get("costBreakdown"))
    prompt = as_int(breakdown.get("llmPromptTokens"))
    completion = as_int(breakdown.get("llmCompletionTokens"))
    if prompt is None and completion is None:
        usage = as_dict(dig(output, "metadata", "usage"))
        return as_int(first(usage.get("total_tokens"), usage.get("tokens")))
    return (prompt or 0) + (completion or 0)


def has_transcript(output: dict[str, Any]) -> bool:
    return bool(
        first(
            output.get("transcript"),
            output.get("messages"),
            dig(output, "artifact", "messages"),
            dig(output, "artifact", "transcript"),
        )
    )


def searchable(raw: dict[str, Any]) -> bool:
    """A task with something to search: its transcript, or why it failed (a call that never connected)."""
    return has_transcript(as_dict(raw.get("output"))) or core_of(raw).failure is not None
