"""Toolset `calls`: what was said on one call (or in one execution), turn by turn."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from agent_runs_mcp.domain import Call, Turn
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.providers.base import CallQuery
from agent_runs_mcp.refs import Ref
from agent_runs_mcp.tools.common import (
    AgentArg,
    ProviderArg,
    RefArg,
    RunIdArg,
    SpaceArg,
    fmt_duration,
    fmt_money,
    pick,
    provider_for,
    resolve_ref,
    result,
    short_time,
    tool_errors,
)

SpeakerName = Literal["agent", "customer", "tool", "system"]


class TranscriptResult(BaseModel):
    provider: str
    kind: str
    call: Call
    turns: list[Turn]
    total_turns: int = Field(description="Turns in the whole conversation (before filters).")
    matched_turns: int | None = Field(default=None, description="Turns matching `speaker`/`search`, if given.")
    offset: int
    next_offset: int | None = Field(default=None, description="Pass as `offset` for the next window of turns.")
    filters: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


@tool_errors
async def get_call_transcript(
    ctx: Context,
    provider: ProviderArg = None,
    task_id: Annotated[str | None, Field(description="Unpod: the task's id (with run_id+space, or agent).")] = None,
    call_id: Annotated[
        str | None, Field(description="Unpod call id; Runtype execution id or Modus run id (with agent).")
    ] = None,
    ref: RefArg = None,
    run_id: RunIdArg = None,
    space: SpaceArg = None,
    agent: AgentArg = None,
    offset: Annotated[int, Field(description="First turn to return (0-based).", ge=0)] = 0,
    max_turns: Annotated[int, Field(description="Turns per window (1-200).", ge=1, le=200)] = 60,
    speaker: Annotated[SpeakerName | None, Field(description="Only turns by this speaker.")] = None,
    search: Annotated[str | None, Field(description="Only turns containing this text (case-insensitive).")] = None,
) -> Annotated[CallToolResult, TranscriptResult]:
    """Read one conversation turn by turn (speaker agent/customer/tool/system, text, time), with the call's
    end reason, duration, outcome, summary and recording URL. Easiest: pass a task's or run's `ref`.
    Unpod: `task_id` (+ `run_id` and `space`, or `agent`) or `call_id`; Runtype: the execution id as
    `call_id` (+ `agent`); Modus: the run id as `call_id` (+ `agent`). Window with offset/max_turns."""
    account, decoded = resolve_ref(ref, provider, ("task", "call", "run"))
    adapter = provider_for(ctx, account)
    query = _call_query(adapter.kind, decoded, task_id, call_id, run_id, space, agent)
    conversation = await adapter.conversation(query)
    turns = conversation.turns
    needle = search.strip().lower() if search and search.strip() else None
    selected = [
        t for t in turns if (speaker is None or t.speaker == speaker) and (needle is None or needle in t.text.lower())
    ]
    window = selected[offset : offset + max_turns]
    end = offset + len(window)
    filters = {k: v for k, v in (("speaker", speaker), ("search", needle)) if v}
    model = TranscriptResult(
        provider=adapter.name,
        kind=adapter.kind,
        call=conversation.call,
        turns=window,
        total_turns=len(turns),
        matched_turns=len(selected) if filters else None,
        offset=offset,
        next_offset=end if end < len(selected) else None,
        filters=filters,
    )
    return result(model, render_transcript(model))


def _call_query(
    kind: str,
    ref: Ref | None,
    task_id: str | None,
    call_id: str | None,
    run_id: str | None,
    space: str | None,
    agent: str | None,
) -> CallQuery:
    """Work out which conversation is meant, from explicit ids and/or a ref."""
    if ref is not None and ref.kind == "run" and kind == "unpod":
        raise InputError(
            "An Unpod run holds many calls: pass the `ref` of one task (from get_run_tasks), not of the run."
        )
    if ref is not None and kind in ("runtype", "modus"):
        # The conversation of a Runtype/Modus run is the run itself; a tool-call or node task points at its run.
        own_exec = ref.kind == "task" and ref.get("k") == "exec"
        target = ref.get("c") or (ref.get("t") if own_exec else ref.get("r"))
        return CallQuery(call_id=(call_id or "").strip() or target, agent=pick(agent, ref, "a", "agent"))
    task = pick(task_id, ref, "t", "task_id")
    return CallQuery(
        task_id=task,
        call_id=None if task else pick(call_id, ref, "c", "call_id"),
        run_id=pick(run_id, ref, "r", "run_id"),
        space=pick(space, ref, "s", "space"),
        agent=pick(agent, ref, "a", "agent"),
        page_hint=ref.get("p") if ref else None,
    )


def render_transcript(model: TranscriptResult) -> str:
    call = model.call
    facts = [f"{model.provider} call {call.call_id or call.task_id or '?'}", call.status.value]
    if call.contact:
        facts.append(call.contact)
    if call.started_at:
        facts.append(short_time(call.started_at))
    if call.duration_s is not None:
        facts.append(fmt_duration(call.duration_s))
    if call.end_reason:
        facts.append(f"end: {call.end_reason}")
    if call.outcome:
        facts.append(f"outcome: {call.outcome}")
    if call.cost_usd is not None:
        facts.append(fmt_money(call.cost_usd))
    lines = [" · ".join(facts)]
    if call.summary:
        lines.append(f"Summary: {call.summary}")
    if call.recording_url:
        lines.append(f"Recording: {call.recording_url}")
    shown = f"Turns {model.offset + 1}-{model.offset + len(model.turns)} of "
    shown += f"{model.matched_turns} matching" if model.matched_turns is not None else f"{model.total_turns}"
    if model.filters:
        shown += " (" + ", ".join(f"{k}={v}" for k, v in model.filters.items()) + ")"
    lines.append(shown + ":" if model.turns else "No turns" + (" match the filters." if model.filters else "."))
    for turn in model.turns:
        stamp = f"[{turn.seconds_from_start:.0f}s] " if turn.seconds_from_start is not None else ""
        lines.append(f"{turn.index}. {stamp}{turn.speaker}: {turn.text}")
    lines += model.notes
    if model.next_offset is not None:
        lines.append(f"More: call again with offset={model.next_offset}")
    return "\n".join(lines)
