"""Runtype's JSON -> the domain model, as the official SDK (runtype-sdk 5.5.0) describes it. Pure functions.

* An execution row: ``id`` (``aex_...``) and the runtime ``executionId`` (``exec_...``, what
  logs take); ``totalCost`` a decimal string; ``totalTokens`` loosely typed; no ``error`` field
  (hosts of the older reading may still send one, and it is read when present).
* ``paused`` waits on ``pendingApproval`` (which tool, and why); ``budgetExhausted`` says a run
  ended on its ``maxTurns`` budget (``null`` = unknown, never ``false``); ``interrupted`` is a
  run that stopped without finishing (a crash or a lost worker).
* Tool calls: ``{toolCalls: [...]}``; an input or output over 16 KiB of JSON is replaced by
  ``{truncated: true, preview}`` with ``inputTruncated``/``outputTruncated`` set; the per-call
  detail has the whole value.
"""

from __future__ import annotations

import json
from typing import Any

from agent_runs_mcp.domain import Execution, Status, Task, ToolCall, Turn, Waiting
from agent_runs_mcp.providers.jsonread import as_dict, as_float, as_int, as_list, as_prose, as_text, dig, first
from agent_runs_mcp.providers.runtype import PLATFORM
from agent_runs_mcp.providers.turns import content_text, speaker_of
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.timeutil import parse_time, seconds_between

DETAIL_KEYS = (
    "executionId",
    "conversationId",
    "iterations",
    "budgetExhausted",
    "retryOfExecutionId",
    "lastHeartbeatAt",
    "cancelRequestedAt",
    "agentSource",
    "executionMode",
    "createdAt",
)


def execution_of(account: str, raw: dict[str, Any], agent: str | None) -> Execution:
    run_id = as_text(first(raw.get("id"), raw.get("executionId"))) or "?"
    agent_id = as_text(raw.get("agentId")) or agent
    word = as_text(raw.get("status"))
    status = PLATFORM.normalize(word)
    started = parse_time(first(raw.get("startedAt"), raw.get("createdAt")))
    ended = parse_time(first(raw.get("completedAt"), raw.get("endedAt")))
    error = raw.get("error")
    stop = as_text(raw.get("stopReason"))
    if word == "interrupted" and not stop:
        stop = "interrupted"
    details = {key: raw.get(key) for key in DETAIL_KEYS if raw.get(key) is not None}
    waiting = waiting_of(raw.get("pendingApproval")) if status == Status.AWAITING_HUMAN else None
    summary = as_prose(raw.get("finalOutput"), 300)
    if waiting is None:  # a waiting run says what it waits for once, in `waiting`
        summary = waiting_for(raw.get("pendingApproval")) or summary
    return Execution(
        run_id=run_id,
        agent_id=agent_id,
        status=status,
        provider_status=word,
        started_at=started,
        ended_at=ended,
        duration_s=seconds_between(started, ended),
        cost_usd=as_float(raw.get("totalCost")),
        tokens=tokens_of(raw.get("totalTokens")),
        stop_reason="budget exhausted (maxTurns)" if raw.get("budgetExhausted") is True else stop,
        summary=summary,
        trigger=as_text(raw.get("surfaceType")),
        parent_run_id=as_text(raw.get("parentExecutionId")),
        agent_version=version_of(raw),
        waiting=waiting,
        error=as_text(
            dig(error, "message") if isinstance(error, dict) else first(error, raw.get("errorMessage")),
            300,
        ),
        details=details or None,
        ref=make_ref(account, "run", r=run_id, a=agent_id),
    )


def version_of(raw: dict[str, Any]) -> str | None:
    """``v<versionNumber>`` (and its label) from ``agentVersion``; the bare ``agentVersionId`` when only it is given.

    ``null`` when the surface stamped no version (runtype-sdk 5.5.0,
    ``agents/types/get_v1agents_id_executions_response_data_item.py`` ~45-62).
    """
    version = as_dict(raw.get("agentVersion"))
    number = as_int(version.get("versionNumber"))
    label = as_text(version.get("label"), 40)
    if number is not None:
        return f"v{number}" + (f" ({label})" if label and label != f"v{number}" else "")
    return label or as_text(raw.get("agentVersionId"), 40)


def waiting_of(pending: Any) -> Waiting | None:
    """A paused execution's ``pendingApproval``: the tool waiting, why, and since when (no approver is named)."""
    if not isinstance(pending, dict):
        return None
    tool = as_text(pending.get("toolName"))
    return Waiting(
        step=f"tool {tool}" if tool else None,
        message=as_text(first(pending.get("reason"), pending.get("description")), 200),
        since=parse_time(pending.get("requestedAt")),
    )


def waiting_for(pending: Any) -> str | None:
    """What a paused execution waits for, from ``pendingApproval``."""
    if not isinstance(pending, dict):
        return None
    tool = as_text(pending.get("toolName")) or "a tool"
    why = as_text(first(pending.get("reason"), pending.get("description")), 200)
    return f"Waiting for approval of {tool}" + (f": {why}" if why else "") + "."


def tool_call_of(raw: dict[str, Any]) -> ToolCall:
    word = as_text(raw.get("status"))
    return ToolCall(
        id=as_text(raw.get("id")) or "?",
        name=as_text(raw.get("toolName")),
        status=PLATFORM.normalize(word),
        provider_status=word,
        error=as_text(raw.get("errorMessage"), 300),
        duration_s=_seconds_from_ms(raw.get("executionTimeMs")),
        started_at=parse_time(first(raw.get("startedAt"), raw.get("createdAt"))),
        input=raw.get("inputParameters"),
        output=raw.get("outputResult"),
    )


def is_truncated(raw: dict[str, Any]) -> bool:
    """Whether a listed tool call left its input or output out (or cut it to a preview)."""
    if raw.get("inputTruncated") or raw.get("outputTruncated"):
        return True
    return "inputParameters" not in raw


def tool_task_of(account: str, raw: dict[str, Any], run_id: str, agent: str) -> Task:
    call = tool_call_of(raw)
    return Task(
        task_id=call.id,
        run_id=run_id,
        status=call.status,
        provider_status=call.provider_status,
        kind="tool_call",
        name=call.name,
        created_at=parse_time(raw.get("createdAt")) or call.started_at,
        started_at=call.started_at,
        ended_at=parse_time(raw.get("completedAt")),
        duration_s=call.duration_s,
        failure_reason=call.error,
        summary=as_text(raw.get("toolDescription"), 200),
        details={k: raw.get(k) for k in ("toolId", "toolCallId", "iteration", "model") if raw.get(k) is not None}
        or None,
        ref=make_ref(account, "task", t=call.id, r=run_id, a=agent, k="tool"),
    )


def subagent_task_of(account: str, raw: dict[str, Any], parent: str) -> Task:
    run = execution_of(account, raw, None)
    return Task(
        task_id=run.run_id,
        run_id=parent,
        status=run.status,
        provider_status=run.provider_status,
        kind="subagent",
        name=run.agent_id,
        started_at=run.started_at,
        ended_at=run.ended_at,
        duration_s=run.duration_s,
        end_reason=run.stop_reason,
        failure_reason=run.error or (run.stop_reason if run.status == Status.FAILED else None),
        cost_usd=run.cost_usd,
        tokens=run.tokens,
        has_transcript=True,
        ref=make_ref(account, "task", t=run.run_id, r=parent, a=run.agent_id, k="exec"),
    )


GENERIC_MESSAGES = frozenset({"internal error", "error", "failed", "unknown error", "execution failed"})
"""Messages that say only that something failed: the next source is asked instead."""


def error_of_events(events: Any) -> str | None:
    """Why an execution failed, from its events replay (runtype-sdk 5.5.0, ``types/execution_stream_event_*.py``).

    In order: the ``execution_error`` event when specific (with ``upgradeUrl``, a plan or quota limit: said
    so), else a denied or timed-out approval (``approval_complete{decision}``), else the last failed tool
    (``tool_complete{success: false, error}``), else the error's ``blockReason``.
    """
    items = [e for e in as_list(events) if isinstance(e, dict)]
    failed = next((e for e in reversed(items) if e.get("type") == "execution_error"), None)
    if failed is not None:
        error = failed.get("error")
        if isinstance(error, dict):
            message, code = as_text(error.get("message"), 300), as_text(first(error.get("code"), failed.get("code")))
        else:
            message, code = as_text(error, 300), as_text(failed.get("code"))
        upgrade = as_text(failed.get("upgradeUrl"), 200)
        if upgrade:
            return f"plan or quota limit reached: {message or code or 'limit'} (upgrade: {upgrade})"
        if message and message.strip(" .").lower() not in GENERIC_MESSAGES:
            return message + (f" ({code})" if code and code not in message else "")
    for event in reversed(items):
        kind = event.get("type")
        if kind == "approval_complete" and event.get("decision") in ("denied", "timeout"):
            by = as_text(
                first(dig(event, "resolvedBy", "name"), dig(event, "resolvedBy", "email"), event.get("resolvedBy")), 80
            )
            if event.get("decision") == "timeout":
                return "approval timed out (nobody approved in time)"
            return "approval denied" + (f" by {by}" if by else "")
        if kind == "tool_complete" and event.get("success") is False:
            return (
                f"tool {as_text(event.get('toolName')) or '?'} failed: {as_text(event.get('error'), 300) or 'failed'}"
            )
    block = as_text(failed.get("blockReason")) if failed is not None else None
    return f"blocked: {block}" if block else None  # a bare code (INTERNAL_ERROR) says only that it failed


def error_of_status(body: Any) -> str | None:
    """``GET /v1/executions/{exec_id}/status`` (``executions/types/get_v1executions_execution_id_status_response.py``):
    a top-level ``error`` string once terminal, with the ``httpStatus`` of the failed call when there was one."""
    data = as_dict(body)
    message = as_text(data.get("error"), 300)
    if not message or message.strip(" .").lower() in GENERIC_MESSAGES:
        return None
    status = as_int(data.get("httpStatus"))
    return message + (f" (HTTP {status})" if status and str(status) not in message else "")


def logs_degraded(body: Any) -> bool:
    """The logs answer says part of the window could not be read: entries may be missing (``degraded``)."""
    return dig(body, "data", "degraded") is True or as_dict(body).get("degraded") is True


def failed_tool_of(tools: list[dict[str, Any]]) -> str | None:
    """The last failed tool call, as a reason: ``tool <name> failed: <message>``."""
    for raw in reversed(tools):
        if PLATFORM.normalize(raw.get("status")) == Status.FAILED:
            return f"tool {as_text(raw.get('toolName')) or '?'} failed: {as_text(raw.get('errorMessage')) or 'failed'}"
    return None


def error_of_logs(body: Any) -> str | None:
    """The newest error log entry's message (``GET /v1/logs?level=error``: ``{data: {entries}}``)."""
    entries = as_list(dig(body, "data", "entries")) or as_list(as_dict(body).get("entries"))
    for entry in entries:
        message = as_text(first(dig(entry, "message"), dig(entry, "error", "message"), dig(entry, "error")), 300)
        if message:
            return message
    return None


def turns_of(raw: dict[str, Any], tools: list[ToolCall], execution: Execution, error: str | None) -> list[Turn]:
    """Input messages, then tool calls in time order, then the final output, what it waits for, and any error."""
    turns: list[Turn] = []

    def add(speaker: Any, text: str, at: Any = None) -> None:
        if text.strip():
            offset = seconds_between(execution.started_at, at) if at is not None else None
            turns.append(Turn(index=len(turns), speaker=speaker, text=text.strip(), at=at, seconds_from_start=offset))

    for message in as_list(raw.get("inputMessages")):
        if not isinstance(message, dict):
            continue
        speaker = speaker_of(message.get("role")) or "system"
        add(speaker, content_text(message.get("content")), parse_time(message.get("createdAt")))
    for call in sorted(tools, key=lambda c: (c.started_at is None, c.started_at or 0)):
        outcome = f"failed: {call.error}" if call.error else _compact(call.output)
        text = f"{call.name or 'tool'}({_compact(call.input, 200)}) -> {outcome or call.provider_status or ''}"
        add("tool", text, call.started_at)
    final = as_prose(raw.get("finalOutput"), 4000)
    if final:
        add("agent", final, execution.ended_at)
    waiting = waiting_for(raw.get("pendingApproval"))
    if waiting:
        add("system", waiting)
    if raw.get("budgetExhausted") is True:
        add("system", "The run ended on its maxTurns budget (budgetExhausted).", execution.ended_at)
    reason = error or execution.error
    if reason:
        add("system", f"Execution error: {reason}", execution.ended_at)
    elif execution.status == Status.FAILED and execution.stop_reason:
        add("system", f"Execution stopped: {execution.stop_reason}", execution.ended_at)
    return turns


def tokens_of(value: Any) -> int | None:
    if isinstance(value, dict):
        parts = [as_int(value.get(k)) for k in ("input", "output", "total")]
        if parts[2] is not None:
            return parts[2]
        known = [p for p in parts[:2] if p is not None]
        return sum(known) if known else None
    return as_int(value)


def _seconds_from_ms(value: Any) -> float | None:
    number = as_float(value)
    return round(number / 1000, 3) if number is not None else None


def _compact(value: Any, limit: int = 400) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and value.get("truncated") is True:
        preview = as_text(value.get("preview")) or ""
        return f"[truncated; preview] {preview[: limit - 30]}…"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
