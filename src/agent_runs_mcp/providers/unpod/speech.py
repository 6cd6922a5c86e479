"""Unpod's speech plane (``/api/v2/platform/speech/v1/...``), as the official SDK (unpod 0.5.0) reads it.

Agents created through the SDK live here, with ``asst_...`` ids, and are not in the platform's
``/agents/`` listing. Their calls are listed by ``GET /speech/v1/calls`` (filters ``call_status``,
``pipe_id``; rows carry ``agent_id``, ``end_reason`` and ``transcript_turns`` but not the turns)
and read one by one with ``GET /speech/v1/calls/{id}`` (turns as ``{role, content, timestamp}``).
Speech paths have no trailing slash.

For the tools, a speech agent's executions are its calls, one call is a run whose only task is
the call itself, and refs carry ``k=speech``. A host without the speech plane (a 404 for the route)
is noted, never an error.
"""

from __future__ import annotations

from typing import Any

from agent_runs_mcp.domain import Agent, Call, Conversation, Execution, Status, Tally, Task
from agent_runs_mcp.errors import NotFoundError, ProviderError
from agent_runs_mcp.providers.base import TTL_LIST_S, JsonGet, ttl_by_status
from agent_runs_mcp.providers.ids import segment
from agent_runs_mcp.providers.jsonread import as_dict, as_float, as_text, dig, first
from agent_runs_mcp.providers.platform import normalize_status
from agent_runs_mcp.providers.turns import turns_from_any
from agent_runs_mcp.providers.unpod.call_insights import analytics_of, follow_up_of, latency_ms
from agent_runs_mcp.providers.unpod.pages import envelope_data
from agent_runs_mcp.providers.unpod.sessions import SessionFacts
from agent_runs_mcp.providers.unpod.telephony import direction_of
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.timeutil import parse_time, seconds_between

SPEECH_PATH = "/api/v2/platform/speech/v1"
SPEECH = "speech"
"""The ref marker (``k=speech``) of speech-plane agents, calls and their runs."""
AGENT_PREFIX = "asst_"

S = Status
CALL_STATUSES: dict[str, Status] = {
    # In flight: scheduled / pending / dispatching / ringing / active.
    "scheduled": S.SCHEDULED,
    "pending": S.PENDING,
    "dispatching": S.PENDING,
    "ringing": S.RUNNING,
    "active": S.RUNNING,
    # Terminal (LiveKit CallEndStatus): connected / notConnected / failed; older servers: completed / not_connected.
    "connected": S.COMPLETED,
    "completed": S.COMPLETED,
    "notConnected": S.FAILED,
    "not_connected": S.FAILED,
    "notconnected": S.FAILED,
    "failed": S.FAILED,
}

CALL_FILTERS: dict[Status, str] = {
    status: words[0]
    for status in Status
    if len(words := [word for word, to in CALL_STATUSES.items() if to is status]) == 1
}
"""Statuses one `call_status` word selects on the server (`scheduled`); the others, several words each
(`running` is `ringing` and `active`), are read whole and filtered by the listing."""

END_REASONS: dict[str, str] = {
    # LiveKit CallEndReason -> the words of our failure vocabulary (the code is kept in brackets).
    "USER_DID_NOT_PICK_UP": "no answer",
    "USER_BUSY": "busy",
    "VOICEMAIL_DETECTED": "voicemail",
    "VOICEMAIL": "voicemail",
    "USER_HUNG_UP_IN_CALL": "customer hung up",
    "USER_HUNG_UP": "customer hung up",
    "AGENT_ENDED_CALL": "agent ended the call",
    "SIP_TRUNK_ERROR": "SIP or carrier error",
    "SIP_ERROR": "SIP or carrier error",
    "CARRIER_ERROR": "SIP or carrier error",
    "AGENT_ERROR": "agent error",
    "MAX_DURATION_REACHED": "timeout (max call duration)",
    "SILENCE_TIMEOUT": "timeout (silence)",
}


def is_speech_agent(agent: str | None) -> bool:
    return bool(agent) and str(agent).startswith(AGENT_PREFIX)


def end_reason_of(code: Any) -> str | None:
    """``USER_DID_NOT_PICK_UP`` -> ``no answer (USER_DID_NOT_PICK_UP)``; unknown codes stay as they are."""
    text = as_text(code)
    if not text:
        return None
    words = END_REASONS.get(text.upper())
    return f"{words} ({text})" if words else text


def speech_agent_of(account: str, raw: dict[str, Any]) -> Agent | None:
    agent_id = as_text(first(raw.get("agent_id"), raw.get("id")))
    if not agent_id:
        return None
    brain = as_dict(raw.get("brain"))
    return Agent(
        id=agent_id,
        name=as_text(raw.get("name")),
        description=as_text(first(brain.get("instructions"), raw.get("description")), 300),
        kind="speech-plane agent",
        ref=make_ref(account, "agent", a=agent_id, k=SPEECH),
    )


def _call_core(raw: dict[str, Any]) -> tuple[str, str | None, Status, Any, Any, float | None, str | None, bool]:
    call_id = as_text(first(raw.get("id"), raw.get("call_id"))) or "?"
    word = as_text(raw.get("status"))
    status = normalize_status(CALL_STATUSES, word)
    started = parse_time(first(raw.get("started_at"), dig(raw, "traces", "call_timings", "call_dialed_at")))
    ended = parse_time(first(raw.get("ended_at"), dig(raw, "traces", "call_timings", "call_ended_at")))
    duration = as_float(raw.get("duration_s"))
    if duration is None:
        duration = seconds_between(started, ended)
    turns = raw.get("transcript_turns")
    has_turns = bool(raw.get("transcript")) or (isinstance(turns, int) and turns > 0)
    return call_id, word, status, started, ended, duration, end_reason_of(raw.get("end_reason")), has_turns


def _spend(session: SessionFacts | None) -> dict[str, Any]:
    """Cost and tokens of a call, from its session (``cost_usd``, ``tokens``)."""
    if session is None:
        return {}
    return {"cost_usd": session.cost_usd, "tokens": session.tokens}


def _extras(raw: dict[str, Any], session: SessionFacts | None) -> dict[str, Any]:
    """Provider facts shown at the full detail level: identifiers, latency, the cost's parts."""
    extras = {k: raw.get(k) for k in ("to_number", "pipe_id", "transcript_turns") if raw.get(k) is not None}
    if (latency := latency_ms(raw)) is not None:
        extras["latency_ms"] = latency
    if session is not None and session.cost_parts:
        extras["cost_parts_usd"] = session.cost_parts
    return extras


def _words(raw: dict[str, Any], session: SessionFacts | None) -> tuple[str | None, str | None]:
    """(summary, outcome): the analytics' summary and success evaluation, else the disposition, else the
    session's summary."""
    summary, outcome = analytics_of(raw)
    disposition = as_text(raw.get("disposition"), 500)
    summary = summary or disposition or (session.summary if session else None)
    return summary, outcome or as_text(disposition, 80)


def has_turns(raw: dict[str, Any]) -> bool:
    """A list row (``transcript_turns``) or detail (``transcript``) with something said."""
    return _call_core(raw)[7]


def call_execution_of(account: str, raw: dict[str, Any], session: SessionFacts | None = None) -> Execution:
    """A speech-plane call as one execution of its agent (a call is its own only task: no task counts)."""
    call_id, word, status, started, ended, duration, end_reason, _ = _call_core(raw)
    agent = as_text(raw.get("agent_id"))
    summary, _outcome = _words(raw, session)
    return Execution(
        run_id=call_id,
        agent_id=agent,
        status=status,
        provider_status=word,
        started_at=started or parse_time(first(raw.get("created"), raw.get("scheduled_at"))),
        ended_at=ended,
        duration_s=duration,
        stop_reason=end_reason,
        summary=as_text(summary, 300),
        trigger=as_text(raw.get("direction")),
        follow_up_of=follow_up_of(raw),
        details=_extras(raw, session) or None,
        ref=make_ref(account, "run", r=call_id, a=agent, k=SPEECH),
        **_spend(session),
    )


def call_task_of(account: str, raw: dict[str, Any], session: SessionFacts | None = None) -> Task:
    """A speech-plane call as the one task of its run."""
    call_id, word, status, started, ended, duration, end_reason, has_turns = _call_core(raw)
    agent = as_text(raw.get("agent_id"))
    summary, outcome = _words(raw, session)
    return Task(
        task_id=call_id,
        run_id=call_id,
        status=status,
        provider_status=word,
        kind="call",
        contact=as_text(first(raw.get("to_number"), raw.get("user_number"))),
        created_at=parse_time(raw.get("created")),
        started_at=started,
        ended_at=ended,
        duration_s=duration,
        end_reason=end_reason,
        outcome=outcome,
        summary=summary,
        failure_reason=end_reason if status == S.FAILED else None,
        call_id=call_id,
        call_status=word,
        has_transcript=has_turns,
        recording_url=as_text(raw.get("recording_url")),
        follow_up_of=follow_up_of(raw),
        details=_extras(raw, session) or None,
        ref=make_ref(account, "task", t=call_id, r=call_id, a=agent, k=SPEECH),
        **_spend(session),
    )


def call_tally_of(account: str, raw: dict[str, Any], session: SessionFacts | None = None) -> Tally:
    """What a health report needs of one speech-plane call (its ref opens the call's transcript)."""
    call_id, word, status, started, _ended, duration, end_reason, _ = _call_core(raw)
    agent = as_text(raw.get("agent_id"))
    return Tally(
        item_id=call_id,
        status=status,
        ref=make_ref(account, "call", c=call_id, a=agent, k=SPEECH),
        kind="call",
        duration_s=duration,
        cost_usd=session.cost_usd if session else None,
        tokens=session.tokens if session else None,
        reason=end_reason,
        end_reason=end_reason,
        outcome=analytics_of(raw)[1],
        call_status=word,
        at=started or parse_time(raw.get("created")),
        agent=agent,
        latency_ms=latency_ms(raw),
        direction=direction_of(as_text(raw.get("direction"))),
    )


def call_conversation_of(
    account: str, raw: dict[str, Any], session: SessionFacts | None = None, cost_note: str | None = None
) -> Conversation:
    """A call's detail (``GET /speech/v1/calls/{id}``) with its turns; ``cost_note`` says why a finished
    call has no cost."""
    task = call_task_of(account, raw, session)
    agent = as_text(raw.get("agent_id"))
    call = Call.of_task(
        task,
        task_id=None,
        agent_id=agent,
        direction=as_text(raw.get("direction")),
        latency_ms=latency_ms(raw),
        ref=make_ref(account, "call", c=task.task_id, a=agent, k=SPEECH),
    )
    notes = []
    if raw.get("transcript") is None and task.has_transcript:
        notes.append("The provider returned this call without its turns (a list row); read it again by call_id.")
    turns = turns_from_any(raw.get("transcript") or [], task.started_at)
    return Conversation(call=call, turns=turns, notes=notes, cost_note=cost_note)


NO_SPEECH = "This Unpod host has no speech plane (/speech/v1): only platform agents are shown."


class SpeechPlane:
    """Speech-plane reads: a member of the adapter's speech pages, reading with the adapter's getter."""

    def __init__(self, get: JsonGet, name: str) -> None:
        self.get = get
        self.name = name

    async def speech_agents(self) -> tuple[list[Agent], str | None]:
        """The speech-plane agents, and a note when they cannot be listed (never an error: it is optional)."""
        try:
            body = await self.get(f"{SPEECH_PATH}/agents", what="the speech-plane agents", ttl_s=60)
            rows = envelope_data(body, self.name, "speech agents")
        except NotFoundError as exc:
            if exc.endpoint_missing:
                return [], NO_SPEECH
            return [], f"The speech-plane agents could not be listed: {exc}"
        except ProviderError as exc:
            return [], f"The speech-plane agents could not be listed: {exc}"
        agents = [speech_agent_of(self.name, raw) for raw in rows if isinstance(raw, dict)]
        return [a for a in agents if a is not None], None

    async def speech_calls(self, agent: str, status: Status | None) -> list[dict[str, Any]]:
        """An agent's calls, newest first (the API filters by status and pipe; rows say their agent)."""
        params = {"call_status": CALL_FILTERS.get(status) if status else None, "agent_id": agent}
        body = await self.get(f"{SPEECH_PATH}/calls", params, what=f"the calls of agent `{agent}`", ttl_s=TTL_LIST_S)
        rows = [r for r in envelope_data(body, self.name, "calls") if isinstance(r, dict)]
        mine = [r for r in rows if as_text(r.get("agent_id")) == agent]
        return sorted(mine, key=lambda r: str(first(r.get("started_at"), r.get("created")) or ""), reverse=True)

    async def speech_call(self, call_id: str) -> dict[str, Any]:
        """One call with its turns."""
        body = await self.get(
            f"{SPEECH_PATH}/calls/{segment(call_id, 'call_id')}", what=f"call `{call_id}`", ttl_s=_CALL_TTL
        )
        return as_dict(body.get("data", body)) if isinstance(body, dict) else {}


_CALL_TTL = ttl_by_status(lambda body: [as_dict(as_dict(body).get("data", body)).get("status")], CALL_STATUSES)
"""A finished call's detail is kept for long; one in flight only briefly."""
