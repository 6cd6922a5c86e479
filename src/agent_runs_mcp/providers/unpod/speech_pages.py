"""The pages of a speech-plane agent, composed from its calls and the optional look-ups that complete them.

Requests per page (the bound the docs state): a speech agent's executions read the calls list and the
sessions list (2); its window report also reads its newest analytics results (3); one call, as a run's
task, a run report or a conversation, reads the call and the sessions list (2); a search reads the calls
list, the sessions list and each call that has turns (2 + N). The look-ups run at
the same time as the calls' own read, and each failure becomes a note (or the page's ``cost_note``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from agent_runs_mcp.domain import Agent, Conversation, Execution, ProviderPage, Status, Tally, Task
from agent_runs_mcp.errors import ProviderError
from agent_runs_mcp.providers.base import READ_CONCURRENCY, CallScope, JsonGet
from agent_runs_mcp.providers.jsonread import as_text, first
from agent_runs_mcp.providers.unpod.analytics import Evaluations, SpeechAnalytics
from agent_runs_mcp.providers.unpod.sessions import Sessions, SpeechSessions
from agent_runs_mcp.providers.unpod.speech import (
    SpeechPlane,
    call_conversation_of,
    call_execution_of,
    call_tally_of,
    call_task_of,
    has_turns,
)


class SpeechPages:
    """A speech agent's pages: a member of the adapter, composed of the calls, sessions and analytics
    look-ups, each given the adapter's getter."""

    def __init__(self, get: JsonGet, name: str) -> None:
        self.name = name
        self.plane = SpeechPlane(get, name)
        self.sessions = SpeechSessions(get, name)
        self.analytics = SpeechAnalytics(get, name)

    async def speech_agents(self) -> tuple[list[Agent], str | None]:
        return await self.plane.speech_agents()

    async def speech_call(self, call_id: str) -> dict[str, Any]:
        return await self.plane.speech_call(call_id)

    async def speech_executions(self, agent: str, status: Status | None, token: str | None) -> ProviderPage[Execution]:
        rows, sessions = await self._calls_with_sessions(agent, status)
        runs = [call_execution_of(self.name, r, sessions.of(r)) for r in rows]
        return ProviderPage(runs, token, None, None, cost_note=sessions.cost_note)

    async def speech_run_task(self, call_id: str, token: str | None) -> ProviderPage[Task]:
        raw, sessions = await self._call_with_sessions(call_id)
        return ProviderPage([call_task_of(self.name, raw, sessions.of(raw))], token, None, 1,
                            cost_note=sessions.cost_note)  # fmt: skip

    async def speech_tasks(self, agent: str, token: str | None) -> ProviderPage[Task]:
        """Every call of the agent as the one task of its run, newest first (the calls and sessions lists)."""
        rows, sessions = await self._calls_with_sessions(agent, None)
        tasks = [call_task_of(self.name, r, sessions.of(r)) for r in rows]
        return ProviderPage(tasks, token, None, len(rows), cost_note=sessions.cost_note)

    async def speech_run_tally(self, call_id: str, token: str | None) -> ProviderPage[Tally]:
        raw, sessions = await self._call_with_sessions(call_id)
        tally = call_tally_of(self.name, raw, sessions.of(raw))
        return ProviderPage([tally], token, None, 1, cost_note=sessions.cost_note)

    async def speech_activity(self, agent: str, token: str | None) -> ProviderPage[Tally]:
        """Every call of the agent as a tally: cost from its session, outcome from its analytics."""
        rows, sessions, evaluations = await asyncio.gather(
            self.plane.speech_calls(agent, None),
            self.sessions.speech_sessions(),
            self.analytics.speech_evaluations(agent),
        )
        tallies = [call_tally_of(self.name, r, sessions.of(r)) for r in rows]
        _outcomes(tallies, evaluations)
        return ProviderPage(tallies, token, None, len(rows), note=evaluations.note, cost_note=sessions.cost_note)

    async def speech_conversations(self, scope: CallScope, token: str | None) -> ProviderPage[Conversation]:
        """What a search reads: the calls that have turns, each read once, and the sessions once for all of
        them (never one sessions read per call, cache or no cache)."""
        silent: list[Conversation] = []
        if scope.run is not None:
            ids, sessions = [scope.run.run_id], await self.sessions.speech_sessions()
        else:
            assert scope.window is not None and scope.window.agent is not None
            rows, sessions = await self._calls_with_sessions(scope.window.agent, scope.window.status)
            ids = [str(first(r.get("id"), r.get("call_id"))) for r in rows if has_turns(r)]
            # A call that never talked has no turns to read, but its end reason says why it failed (voicemail,
            # no answer): searched from its list row, no read of its own.
            silent = [
                call_conversation_of(self.name, r, sessions.of(r), sessions.cost_note)
                for r in rows
                if not has_turns(r) and r.get("end_reason")
            ]
        limit = asyncio.Semaphore(READ_CONCURRENCY)

        async def read(call_id: str) -> Conversation | None:
            async with limit:
                try:
                    raw = await self.plane.speech_call(call_id)
                except ProviderError:
                    return None
            return call_conversation_of(self.name, raw, sessions.of(raw), sessions.cost_note)

        found = [c for c in await asyncio.gather(*(read(i) for i in ids)) if c is not None]
        note = f"{len(ids) - len(found)} conversation(s) could not be read and were not searched." if len(
            found) < len(ids) else None  # fmt: skip
        return ProviderPage([*found, *silent], token, None, None, note)

    async def speech_conversation(self, raw: dict[str, Any]) -> Conversation:
        sessions = await self.sessions.speech_sessions()
        return call_conversation_of(self.name, raw, sessions.of(raw), sessions.cost_note)

    async def _calls_with_sessions(self, agent: str, status: Status | None) -> tuple[list[dict[str, Any]], Sessions]:
        calls, sessions = await asyncio.gather(self.plane.speech_calls(agent, status), self.sessions.speech_sessions())
        return calls, sessions

    async def _call_with_sessions(self, call_id: str) -> tuple[dict[str, Any], Sessions]:
        raw, sessions = await asyncio.gather(self.plane.speech_call(call_id), self.sessions.speech_sessions())
        return raw, sessions


def _outcomes(tallies: list[Tally], evaluations: Evaluations) -> None:
    for tally in tallies:
        tally.outcome = first(tally.outcome, evaluations.by_call.get(as_text(tally.item_id) or ""))
