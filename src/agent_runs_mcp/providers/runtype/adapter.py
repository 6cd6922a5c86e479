"""Runtype adapter (``/v1/agents/...``), read as the official SDK (runtype-sdk 5.5.0) reads the API.

* Auth: ``Authorization: Bearer <key>``.
* Lists are ``{data, pagination{nextCursor, hasMore, totalCount, ...}}`` with
  ``limit``/``cursor``; we ask for ``includeCount=true`` to get a total.
* Executions are the runs. A status that is one of Runtype's words is a server-side
  filter; our ``failed`` is two (``failed``, ``interrupted``), so it is read unfiltered,
  newest first, and filtered here: reading one word after the other listed every
  failed run before any interrupted one, and a listing merged across agents by time
  (``list_agent_executions`` without ``agent``) came out of order.
* A run's "tasks" are its tool calls (``{toolCalls: [...]}``, not paginated),
  then its sub-agent executions (``parentExecutionId``).
* Why a run failed is not in the execution (there is no ``error`` field): it is
  read, in this order and each in a bounded, optional way, from the detail's
  ``budgetExhausted``, the events replay (``execution_error``, its ``upgradeUrl``
  a plan or quota limit; a denied or timed-out ``approval_complete``; a failed
  ``tool_complete``), the failed tool call, ``/v1/executions/{id}/status``'s
  ``error``, and the error logs of the execution (``degraded``: a note).
* Errors: ``{error, message}`` (``error`` may also be an object). 429s honour
  ``Retry-After``, ``retry-after-ms`` and ``X-RateLimit-Reset`` (in the client).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from agent_runs_mcp.domain import Agent, Call, Conversation, Execution, ProviderPage, Status, Tally, Task
from agent_runs_mcp.errors import BadResponseError, InputError, Listing, NotFoundError, ProviderError
from agent_runs_mcp.providers.base import (
    TTL_FINISHED_S,
    TTL_LIST_S,
    CallQuery,
    ExecutionQuery,
    Explained,
    Failure,
    RunConversationProvider,
    RunQuery,
    ttl_by_status,
)
from agent_runs_mcp.providers.capabilities import explain_each, tallied
from agent_runs_mcp.providers.facts import WindowFacts
from agent_runs_mcp.providers.ids import segment
from agent_runs_mcp.providers.jsonread import as_dict, as_int, as_list, as_prose, as_text, first
from agent_runs_mcp.providers.runtype import FILTERS, PLATFORM
from agent_runs_mcp.providers.runtype.insights import INSIGHTS_RUNS, facts_of_insights
from agent_runs_mcp.providers.runtype.mapping import (
    error_of_events,
    error_of_logs,
    error_of_status,
    execution_of,
    failed_tool_of,
    is_truncated,
    logs_degraded,
    subagent_task_of,
    tool_call_of,
    tool_task_of,
    turns_of,
    waiting_for,
)
from agent_runs_mcp.providers.slices import MAX_SLICES, cut, is_slice_token, read_token
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.timeutil import parse_time, utcnow

API = "/v1"
TOOL_CALLS_MISSING = "This host has no list-tool-calls endpoint for executions: tool calls are not shown."
EXECUTION_TTL = ttl_by_status(lambda body: [as_dict(body.get("data", body)).get("status")], PLATFORM.statuses)
"""A finished execution's detail is kept for long; one in flight only briefly."""
TOOL_DETAILS_MAX = 25
"""Most tool-call details one conversation reads to complete truncated inputs and outputs."""
PER_AGENT = ("executions are listed per agent (", Listing.AGENTS, ").")
"""Why an execution read needs `agent`, pointing at the listing that has it (the tools name its tool)."""


class RuntypeProvider(RunConversationProvider):
    run_noun = "execution"
    kind = "runtype"
    activity_noun = "executions"
    page_size = 50

    def auth_headers(self) -> dict[str, str]:
        return self.bearer()

    @staticmethod
    def read_error(body: Any) -> str | None:
        if not isinstance(body, dict):
            return None
        error = body.get("error")
        message = as_text(body.get("message"))
        if isinstance(error, dict):
            return as_text(first(error.get("message"), error.get("code")))
        code = as_text(error)
        if code and message and code != message:
            return f"{message} ({code})"
        return message or code

    # --- paging -----------------------------------------------------------------------------------

    async def _list(
        self, path: str, params: dict[str, Any], token: str | None, what: str
    ) -> tuple[list[dict[str, Any]], str | None, int | None]:
        body = await self.get(path, {**params, "limit": self.page_size, "cursor": token}, what=what, ttl_s=TTL_LIST_S)
        if isinstance(body, list):
            return [i for i in body if isinstance(i, dict)], None, len(body)
        if not isinstance(body, dict):
            raise BadResponseError(
                self.name, self.kind, f"answered {what} with an unexpected shape.", label=self.account.label
            )
        items = first(body.get("data"), body.get("toolCalls"), body.get("items"), body.get("executions"))
        if items is None:
            if any(k in body for k in ("data", "toolCalls", "items", "executions")):
                items = []
            else:
                raise BadResponseError(
                    self.name, self.kind, f"answered {what} without a `data` list.", label=self.account.label
                )
        pagination = as_dict(body.get("pagination"))
        next_cursor = as_text(first(pagination.get("nextCursor"), body.get("nextCursor")))
        has_more = pagination.get("hasMore", body.get("hasMore"))
        if has_more is False or next_cursor == token or pagination.get("cursorReset") is True:
            next_cursor = None
        total = as_int(first(pagination.get("totalCount"), body.get("totalCount")))
        return [i for i in as_list(items) if isinstance(i, dict)], next_cursor, total

    # --- agents -----------------------------------------------------------------------------------

    async def agents_page(self, token: str | None, search: str | None) -> ProviderPage[Agent]:
        items, next_token, total = await self._list(f"{API}/agents", {}, token, "the agents")
        agents = []
        for raw in items:
            agent_id = as_text(raw.get("id"))
            if not agent_id:
                continue
            agents.append(
                Agent(
                    id=agent_id,
                    name=as_text(raw.get("name")),
                    description=as_text(raw.get("description"), 300),
                    kind=as_text(first(raw.get("agentType"), raw.get("type"))),
                    provider_status=as_text(raw.get("status")),
                    last_run_at=parse_time(raw.get("lastRunAt")),
                    ref=make_ref(self.name, "agent", a=agent_id),
                )
            )
        return ProviderPage(agents, token, next_token, total)

    # --- executions -------------------------------------------------------------------------------

    async def executions_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Execution]:
        agent = segment(self.require(query.agent, "agent", *PER_AGENT), "agent")
        words = FILTERS.get(query.status) if query.status else None
        one_word = words is not None and len(words) == 1
        params = {
            "includeCount": "true",
            "status": words[0] if words and one_word else None,
            "from": _iso(query.since),
            "to": _iso(query.until),
        }
        items, next_token, total = await self._list(
            f"{API}/agents/{agent}/executions", params, token, f"executions of agent `{query.agent}`"
        )
        exact = (query.status is None or one_word) and not query.since and not query.until
        runs = [execution_of(self.name, raw, query.agent) for raw in items]
        if words is not None and not one_word:  # several words: read unfiltered, newest first, and filtered here
            runs = [run for run in runs if run.status == query.status]
        return ProviderPage(runs, token, next_token, total if exact else None)

    async def activity_tally_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Tally]:
        """An agent's executions over a window; a window of more than one page is read in time slices.

        Executions are cursor-paged, one page after another, but the list filters by creation time
        (``from``/``to``): the first page tells whether the window is larger than a page and how
        large (``totalCount``); a larger window is then read again as up to
        :data:`~agent_runs_mcp.providers.slices.MAX_SLICES` time slices that the report walks in
        parallel. The first page's items are read again by the slices (one page of waste, for a
        first request that is all a small window needs).
        """
        if query.since is None or query.status is not None:
            return tallied(await self.executions_page(query, token))
        agent = segment(self.require(query.agent, "agent", *PER_AGENT), "agent")
        path, what = f"{API}/agents/{agent}/executions", f"executions of agent `{query.agent}`"
        if is_slice_token(token):
            part = read_token(token or "")
            params = {"from": _iso(part.since), "to": _iso(part.until)}
            items, next_cursor, _total = await self._list(path, params, part.cursor, what)
            kept = [raw for raw in items if part.keeps(parse_time(raw.get("createdAt")))]
            tallies = [Tally.of(execution_of(self.name, raw, query.agent)) for raw in kept]
            return ProviderPage(tallies, token, part.token(next_cursor) if next_cursor else None)
        until = query.until or utcnow()
        params = {"includeCount": "true", "from": _iso(query.since), "to": _iso(until)}
        items, next_cursor, total = await self._list(path, params, token, what)
        if token is None and next_cursor:
            parts = cut(query.since, until, -(-total // self.page_size) if total else MAX_SLICES)
            if len(parts) > 1:
                return ProviderPage([], token, None, total, slices=[part.token(None) for part in parts])
        tallies = [Tally.of(execution_of(self.name, raw, query.agent)) for raw in items]
        return ProviderPage(tallies, token, next_cursor, total)

    async def window_facts(self, agent: str, since: datetime, until: datetime) -> WindowFacts | None:
        """Per-tool calls and failures, never-called tools, cost and tokens per run: one insights request."""
        path = f"{API}/agents/{segment(agent, 'agent')}/run-insights"
        try:
            body = await self.get(path, {"limit": INSIGHTS_RUNS}, what="the run insights", ttl_s=TTL_LIST_S)
        except NotFoundError as exc:
            if exc.endpoint_missing:
                return WindowFacts(notes=["This host has no run-insights endpoint: no per-tool figures."])
            return WindowFacts(notes=[f"Run insights could not be read: {exc}"])
        except ProviderError as exc:
            return WindowFacts(notes=[f"Run insights could not be read: {exc}"])
        return facts_of_insights(body)

    # --- tasks: tool calls, then sub-agent executions ---------------------------------------------

    async def tasks_page(self, query: RunQuery, token: str | None) -> ProviderPage[Task]:
        agent = segment(
            self.require(query.agent, "agent", "pass the execution's agent id, or the run's `ref`."), "agent"
        )
        run = segment(query.run_id, "run_id")
        phase, inner = (token[0], token[2:] or None) if token and token[1:2] == ":" else ("t", token)
        if phase == "t":
            try:
                items, next_cursor, _ = await self._list(
                    f"{API}/agents/{agent}/executions/{run}/tool-calls",
                    {},
                    inner,
                    f"tool calls of execution `{query.run_id}`",
                )
            except NotFoundError as exc:
                if not exc.endpoint_missing:
                    raise
                return ProviderPage([], token, "s:", None, note=TOOL_CALLS_MISSING)
            tasks = [tool_task_of(self.name, raw, query.run_id, query.agent or "") for raw in items]
            next_token = f"t:{next_cursor}" if next_cursor else "s:"
            return ProviderPage(tasks, token, next_token, None)
        items, next_cursor, _ = await self._list(
            f"{API}/agents/{agent}/executions",
            {"parentExecutionId": query.run_id},
            inner,
            f"sub-agent executions of `{query.run_id}`",
        )
        tasks = [
            subagent_task_of(self.name, raw, query.run_id) for raw in items if as_text(raw.get("id")) != query.run_id
        ]
        return ProviderPage(tasks, token, f"s:{next_cursor}" if next_cursor else None, None)

    # --- why executions failed --------------------------------------------------------------------

    async def explain_failures(self, failures: list[Failure], run: RunQuery | None) -> dict[str, Explained]:
        """A listed execution says only that it failed (or was interrupted): read why (module docstring)."""
        if run is not None:  # tasks of one run are tool calls and sub-agents: their reasons are already given
            return {}

        async def explain(failure: Failure) -> str | None:
            if not failure.agent:
                return None
            base = f"{API}/agents/{segment(failure.agent, 'agent')}/executions/{segment(failure.item_id, 'run_id')}"
            detail = await self._execution_detail(base, failure.item_id)
            reason = await self.failure_reason(base, detail)
            if reason and as_text(detail.get("status")) == "interrupted" and "interrupt" not in reason.lower():
                reason = f"interrupted: {reason}"
            return reason

        return await explain_each(self, failures, explain)

    async def failure_reason(self, base: str, detail: dict[str, Any], notes: list[str] | None = None) -> str | None:
        """The first specific reason among the sources, each optional (a failing source is skipped).

        At most 4 requests after the detail, each only when the ones before said nothing specific:
        the events replay, the tool calls, the execution's status (``error``), its error logs (whose
        ``degraded`` flag, entries may be missing, goes into ``notes`` when given).
        """
        if detail.get("budgetExhausted") is True:
            return "budget exhausted (maxTurns)"
        runtime_id = as_text(first(detail.get("executionId"), detail.get("id")))

        def from_logs(body: Any) -> str | None:
            if notes is not None and logs_degraded(body):
                notes.append("Runtype's logs are degraded for this window: entries may be missing.")
            return error_of_logs(body)

        sources = (
            (f"{base}/events", {}, error_of_events, "the events of the execution"),
            (f"{base}/tool-calls", {}, lambda body: failed_tool_of(_tool_items(body)), "its tool calls"),
            (
                f"{API}/executions/{segment(runtime_id or '?', 'execution_id')}/status",
                {},
                error_of_status,
                "its status",
            ),
            (f"{API}/logs", {"executionId": runtime_id, "level": "error"}, from_logs, "its error logs"),
        )
        for path, params, read, what in sources:
            try:
                body = await self.get(path, params, what=what, ttl_s=TTL_FINISHED_S)
            except ProviderError:
                continue
            found = read(body)
            if found:
                return found
        return None

    async def _execution_detail(self, base: str, execution_id: str) -> dict[str, Any]:
        body = await self.get(base, what=f"execution `{execution_id}`", ttl_s=EXECUTION_TTL)
        return as_dict(body.get("data", body)) if isinstance(body, dict) else {}

    # --- conversations ----------------------------------------------------------------------------

    async def conversation(self, query: CallQuery) -> Conversation:
        execution_id = first(query.call_id, query.run_id, query.task_id)
        if not execution_id:
            raise InputError("Pass the execution id as `call_id` (with `agent`), or a run's `ref`.")
        agent_arg = self.require(query.agent, "agent", "pass the execution's agent id, or the run's `ref`.")
        agent = segment(agent_arg, "agent")
        base = f"{API}/agents/{agent}/executions/{segment(execution_id, 'call_id')}"
        notes: list[str] = []
        try:
            raw = await self._execution_detail(base, execution_id)
        except NotFoundError as exc:
            if not exc.endpoint_missing:
                raise
            # No detail endpoint on this host: the list (filtered to this execution) has the metadata.
            items, _, _ = await self._list(
                f"{API}/agents/{agent}/executions", {"executionId": execution_id}, None, f"execution `{execution_id}`"
            )
            raw = next((i for i in items if execution_id in (i.get("id"), i.get("executionId"))), {})
            if not raw:
                raise
            notes.append("This host has no execution-detail endpoint: input messages and final output are missing.")
        execution = execution_of(self.name, raw, agent_arg)
        tool_items = await self._tool_calls(base, execution_id, notes)
        error = None
        if execution.status == Status.FAILED and not execution.error:
            error = await self._optional(self.failure_reason(base, raw, notes), "why it failed", notes)
            if error is None:
                notes.append(
                    "The provider gives no reason for this failure (events, tool calls, status and error logs read)."
                )
        turns = turns_of(raw, [tool_call_of(t) for t in tool_items], execution, error)
        call = Call.of_execution(
            execution,
            run_id=execution.parent_run_id or execution.run_id,
            end_reason=error or execution.stop_reason,
            summary=waiting_for(raw.get("pendingApproval"))
            if execution.status == Status.AWAITING_HUMAN
            else as_prose(raw.get("finalOutput"), 500),
            cost_usd=execution.cost_usd,
            ref=make_ref(self.name, "call", c=execution.run_id, a=execution.agent_id),
        )
        return Conversation(call=call, turns=turns, notes=notes)

    async def _tool_calls(self, base: str, execution_id: str, notes: list[str]) -> list[dict[str, Any]]:
        """The execution's tool calls, truncated values completed from each call's detail (bounded, optional)."""
        try:
            body = await self.get(f"{base}/tool-calls", what=f"tool calls of `{execution_id}`", ttl_s=EXECUTION_TTL)
        except NotFoundError as exc:
            if not exc.endpoint_missing:
                raise
            notes.append(TOOL_CALLS_MISSING)
            return []
        items = _tool_items(body)
        cut = [i for i, t in enumerate(items[:TOOL_DETAILS_MAX]) if is_truncated(t) and t.get("id")]
        if not cut:
            return items

        async def detail(index: int) -> bool:
            tool_id = segment(str(items[index]["id"]), "tool_call_id")
            try:
                found = await self.get(
                    f"{base}/tool-calls/{tool_id}", what=f"tool call `{tool_id}`", ttl_s=TTL_FINISHED_S
                )
            except ProviderError:
                return False
            items[index] = {**items[index], **as_dict(as_dict(found).get("data", found))}
            return True

        done = await asyncio.gather(*(detail(i) for i in cut))
        if not all(done):
            notes.append(
                f"{done.count(False)} tool call(s) could not be read in full: their inputs/outputs show a preview."
            )
        return items

    async def _optional(self, lookup: Any, what: str, notes: list[str]) -> Any:
        """An optional look-up: a provider failure becomes a note, never a failed tool call."""
        try:
            return await lookup
        except ProviderError as exc:
            notes.append(f"Could not read {what}: {exc}")
            return None


def _tool_items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return [t for t in body if isinstance(t, dict)]
    items = first(as_dict(body).get("toolCalls"), as_dict(body).get("data"))
    return [t for t in as_list(items) if isinstance(t, dict)]


def _iso(moment: Any) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None
