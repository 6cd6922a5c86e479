"""Cost and usage of speech-plane calls, from the speech sessions (``GET /speech/v1/sessions``).

What the official SDK (unpod 0.5.0) says, file and line inside the wheel:

* ``management/sessions.py:40-48``: ``sessions.list()`` and ``sessions.get(id)`` read
  ``/api/v2/platform/speech/v1/sessions[/{id}]``; the list takes no filter and no paging.
* ``models/session.py:70-93``: a ``Session`` has ``session_id``, ``call_id`` (line 78), ``end_reason`` (87),
  ``summary`` (90) and ``usage`` (91), an untyped dict.
* ``models/session.py:11-36``: the SDK's own names for what a call costs and burns, ``CallMetrics``:
  ``cost{voice, llm, total}`` (``CostBreakdown``, 11-16), ``tokens{input, output}`` (``TokenUsage``, 19-23),
  ``stt_p95_ms``/``llm_p95_ms``/``tts_p95_ms`` (31-33). ``usage`` is read in those names first.
* ``connectivity/usage.py:93-103``: the usage ledger's counters (``llm_prompt_tokens``,
  ``llm_completion_tokens``), read when ``usage`` carries no ``tokens``.
* ``models/call.py:30``: a call names its session (``session_id``); a session names its call (``call_id``).

One list request serves every call of a page (calls are joined on ``call_id`` or ``session_id``):
at most one extra request per page of speech calls, coalesced with identical reads in flight and
cached briefly. The look-up is optional: a host without the route, a 5xx or a timeout leaves the
calls without cost and says why (``cost_note``), never fails the call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent_runs_mcp.errors import NotFoundError, ProviderError
from agent_runs_mcp.providers.base import TTL_LIST_S, JsonGet
from agent_runs_mcp.providers.jsonread import as_dict, as_float, as_int, as_text, first
from agent_runs_mcp.providers.unpod.pages import envelope_data

SESSIONS_PATH = "/api/v2/platform/speech/v1/sessions"

NO_COST = "Unpod reports no cost for speech calls on this host."
NO_SESSIONS = "Unpod reports no cost for speech calls on this host (it has no /speech/v1/sessions)."
NO_CALL_COST = "Unpod reports no cost for these calls: none has a speech session with a cost (e.g. not connected)."


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What one session adds to its call."""

    cost_usd: float | None = None
    tokens: int | None = None
    cost_parts: dict[str, float] = field(default_factory=dict)
    """``voice`` and ``llm`` shares of the cost, when the session splits it."""
    summary: str | None = None
    end_reason: str | None = None


def usage_cost(usage: dict[str, Any]) -> tuple[float | None, dict[str, float]]:
    """The total cost in ``usage`` and its parts: ``cost{voice, llm, total}`` (CallMetrics), or a bare number."""
    cost = usage.get("cost")
    if isinstance(cost, dict):
        parts = {k: v for k in ("voice", "llm") if (v := as_float(cost.get(k))) is not None}
        total = as_float(cost.get("total"))
        if total is None and parts:
            total = sum(parts.values())
        return total, parts
    return as_float(first(cost, usage.get("cost_usd"), usage.get("total_cost"))), {}


def usage_tokens(usage: dict[str, Any]) -> int | None:
    """Tokens in ``usage``: ``tokens{input, output}`` (TokenUsage), else the ledger's LLM counters."""
    tokens = usage.get("tokens")
    if isinstance(tokens, dict):
        counts = [as_int(tokens.get(k)) for k in ("input", "output")]
    else:
        counts = [as_int(usage.get(k)) for k in ("llm_prompt_tokens", "llm_completion_tokens")]
    found = [c for c in counts if c is not None]
    return sum(found) if found else as_int(tokens)


def session_facts(raw: dict[str, Any]) -> SessionFacts:
    usage = as_dict(raw.get("usage"))
    cost, parts = usage_cost(usage)
    return SessionFacts(
        cost_usd=round(cost, 6) if cost is not None else None,
        tokens=usage_tokens(usage),
        cost_parts=parts,
        summary=as_text(raw.get("summary"), 500),
        end_reason=as_text(raw.get("end_reason")),
    )


@dataclass(frozen=True, slots=True)
class Sessions:
    """The sessions of one look-up, by call id and by session id, and why calls may lack a cost."""

    by_call: dict[str, SessionFacts] = field(default_factory=dict)
    by_session: dict[str, SessionFacts] = field(default_factory=dict)
    cost_note: str | None = NO_COST

    def of(self, call: dict[str, Any]) -> SessionFacts | None:
        """The session of a call row (``models/call.py``), by its id or its ``session_id``."""
        call_id = as_text(first(call.get("id"), call.get("call_id")))
        found = self.by_call.get(call_id) if call_id else None
        if found is None and (session := as_text(call.get("session_id"))):
            found = self.by_session.get(session)
        return found


def sessions_of(rows: list[Any]) -> Sessions:
    by_call: dict[str, SessionFacts] = {}
    by_session: dict[str, SessionFacts] = {}
    for raw in rows:
        if not isinstance(raw, dict):
            continue
        facts = session_facts(raw)
        if call_id := as_text(raw.get("call_id")):
            by_call[call_id] = facts
        if session_id := as_text(raw.get("session_id")):
            by_session[session_id] = facts
    costed = any(f.cost_usd is not None for f in (*by_call.values(), *by_session.values()))
    return Sessions(by_call, by_session, NO_CALL_COST if costed else NO_COST)


class SpeechSessions:
    """The sessions look-up: a member of the adapter's speech pages, reading with the adapter's getter."""

    def __init__(self, get: JsonGet, name: str) -> None:
        self.get = get
        self.name = name

    async def speech_sessions(self) -> Sessions:
        """Every speech session the token sees (one request), or none with the reason in ``cost_note``."""
        try:
            body = await self.get(SESSIONS_PATH, what="the speech sessions (cost and usage)", ttl_s=TTL_LIST_S)
            rows = envelope_data(body, self.name, "speech sessions")
        except NotFoundError as exc:
            if exc.endpoint_missing:
                return Sessions(cost_note=NO_SESSIONS)
            return Sessions(cost_note=f"The cost of these speech calls could not be read: {exc}")
        except ProviderError as exc:
            return Sessions(cost_note=f"The cost of these speech calls could not be read: {exc}")
        return sessions_of(rows)
