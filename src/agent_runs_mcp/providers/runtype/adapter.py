"""Runtype adapter (``/v1/agents/...``).

* Auth: ``Authorization: Bearer <key>``.
* Lists are ``{data, pagination{nextCursor, hasMore, totalCount, ...}}`` with
  ``limit``/``cursor``; we ask for ``includeCount=true`` to get a total.
* Executions are the runs. ``totalCost`` is a decimal *string*; ``totalTokens``
  is an integer (the stream's ``{input, output}`` form is accepted too).
* A run's "tasks" are its tool calls, then its sub-agent executions
  (``parentExecutionId``). The list-tool-calls shape is not documented; we
  accept ``{data: [...]}``, ``{toolCalls: [...]}`` or a bare list.
* Only ``completed`` is a confirmed status word, so other status filters are
  applied on our side rather than sent.
* Error bodies are ``{error, message}`` (``error`` may also be an object).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from agent_runs_mcp.domain import (
    Agent,
    Call,
    Conversation,
    Execution,
    ProviderPage,
    Status,
    Task,
    ToolCall,
    Turn,
)
from agent_runs_mcp.errors import BadResponseError, InputError, NotFoundError
from agent_runs_mcp.providers.base import (
    EXPLAIN_MAX,
    TTL_FINISHED_S,
    TTL_LIST_S,
    CallArgs,
    CallQuery,
    ExecutionQuery,
    Explained,
    Failure,
    Provider,
    RunQuery,
    ttl_by_status,
)
from agent_runs_mcp.providers.client import segment
from agent_runs_mcp.providers.jsonread import (
    as_dict,
    as_float,
    as_int,
    as_list,
    as_text,
    dig,
    first,
)
from agent_runs_mcp.providers.runtype import PLATFORM
from agent_runs_mcp.providers.turns import content_text, speaker_of
from agent_runs_mcp.refs import Ref, make_ref, pick
from agent_runs_mcp.timeutil import parse_time, seconds_between

API = "/v1"
SERVER_STATUS_FILTERS = {Status.COMPLETED: "completed"}
TOOL_CALLS_MISSING = "This host has no list-tool-calls endpoint for executions: tool calls are not shown."
EXECUTION_TTL = ttl_by_status(lambda body: [as_dict(body.get("data", body)).get("status")], PLATFORM.statuses)
"""A finished execution's detail is kept for long; one in flight only briefly."""
TOOL_DETAILS_MAX = 25


class RuntypeProvider(Provider):
    kind = "runtype"
    page_size = 50

    def auth_headers(self) -> dict[str, str]:
        token = self.account.token.get_secret_value() if self.account.token else ""
        return {"Authorization": f"Bearer {token}"}

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
        body = await self.get(
            path,
            {**params, "limit": self.page_size, "cursor": token},
            what=what,
            ttl_s=TTL_LIST_S,
        )
        if isinstance(body, list):
            return [i for i in body if isinstance(i, dict)], None, len(body)
        if not isinstance(body, dict):
            raise BadResponseError(self.name, self.kind, f"answered {what} with an unexpected shape.")
        items = first(body.get("data"), body.get("toolCalls"), body.get("items"), body.get("executions"))
        if items is None:
            if any(k in body for k in ("data", "toolCalls", "items", "executions")):
                items = []
            else:
                raise BadResponseError(self.name, self.kind, f"answered {what} without a `data` list.")
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
        agent = segment(self.require(query.agent, "agent", "executions are listed per agent (list_agents)."), "agent")
        server_status = SERVER_STATUS_FILTERS.get(query.status) if query.status else None
        params = {
            "includeCount": "true",
            "status": server_status,
            "from": _iso(query.since),
            "to": _iso(query.until),
        }
        items, next_token, total = await self._list(
            f"{API}/agents/{agent}/executions", params, token, f"executions of agent `{query.agent}`"
        )
        exact = (query.status is None or server_status is not None) and not query.since and not query.until
        runs = [self._execution(raw, query.agent) for raw in items]
        return ProviderPage(runs, token, next_token, total if exact else None)

    def _execution(self, raw: dict[str, Any], agent: str | None) -> Execution:
        run_id = as_text(first(raw.get("id"), raw.get("executionId"))) or "?"
        agent_id = as_text(raw.get("agentId")) or agent
        word = as_text(raw.get("status"))
        started = parse_time(first(raw.get("startedAt"), raw.get("createdAt")))
        ended = parse_time(first(raw.get("completedAt"), raw.get("endedAt")))
        error = raw.get("error")
        details = {
            key: raw.get(key)
            for key in ("iterations", "agentSource", "createdAt", "surfaceType")
            if raw.get(key) is not None
        }
        return Execution(
            run_id=run_id,
            agent_id=agent_id,
            status=PLATFORM.normalize(word),
            provider_status=word,
            started_at=started,
            ended_at=ended,
            duration_s=seconds_between(started, ended),
            cost_usd=as_float(raw.get("totalCost")),
            tokens=_tokens(raw.get("totalTokens")),
            stop_reason=as_text(raw.get("stopReason")),
            summary=_final_text(raw.get("finalOutput"), 300),
            trigger=as_text(raw.get("surfaceType")),
            parent_run_id=as_text(raw.get("parentExecutionId")),
            error=as_text(
                dig(error, "message") if isinstance(error, dict) else first(error, raw.get("errorMessage")),
                300,
            ),
            details=details or None,
            ref=make_ref(self.name, "run", r=run_id, a=agent_id),
        )

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
            tasks = [self._tool_task(raw, query.run_id, query.agent or "") for raw in items]
            next_token = f"t:{next_cursor}" if next_cursor else "s:"
            return ProviderPage(tasks, token, next_token, None)
        items, next_cursor, _ = await self._list(
            f"{API}/agents/{agent}/executions",
            {"parentExecutionId": query.run_id},
            inner,
            f"sub-agent executions of `{query.run_id}`",
        )
        tasks = [self._subagent_task(raw, query.run_id) for raw in items if as_text(raw.get("id")) != query.run_id]
        return ProviderPage(tasks, token, f"s:{next_cursor}" if next_cursor else None, None)

    def _tool_call(self, raw: dict[str, Any]) -> ToolCall:
        word = as_text(raw.get("status"))
        return ToolCall(
            id=as_text(raw.get("id")) or "?",
            name=as_text(raw.get("toolName")),
            status=PLATFORM.normalize(word),
            provider_status=word,
            error=as_text(raw.get("errorMessage"), 300),
            duration_s=_ms(raw.get("executionTimeMs")),
            started_at=parse_time(raw.get("createdAt")),
            input=raw.get("inputParameters"),
            output=raw.get("outputResult"),
        )

    def _tool_task(self, raw: dict[str, Any], run_id: str, agent: str) -> Task:
        call = self._tool_call(raw)
        return Task(
            task_id=call.id,
            run_id=run_id,
            status=call.status,
            provider_status=call.provider_status,
            kind="tool_call",
            name=call.name,
            created_at=call.started_at,
            started_at=call.started_at,
            duration_s=call.duration_s,
            failure_reason=call.error,
            summary=as_text(raw.get("toolDescription"), 200),
            details={k: raw.get(k) for k in ("toolId", "model") if raw.get(k) is not None} or None,
            ref=make_ref(self.name, "task", t=call.id, r=run_id, a=agent, k="tool"),
        )

    def _subagent_task(self, raw: dict[str, Any], parent: str) -> Task:
        run = self._execution(raw, None)
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
            ref=make_ref(self.name, "task", t=run.run_id, r=parent, a=run.agent_id, k="exec"),
        )

    async def explain_failures(self, failures: list[Failure], run: RunQuery | None) -> dict[str, Explained]:
        """A listed execution only says `stopReason: error`; its detail has the error and its tool calls
        say which tool failed. Read both for up to EXPLAIN_MAX failed executions."""
        if run is not None:  # tasks of one run are tool calls and sub-agents: their reasons are already given
            return {}
        limit = asyncio.Semaphore(4)

        async def explain(failure: Failure) -> tuple[str, Explained] | None:
            if not failure.agent:
                return None
            base = f"{API}/agents/{segment(failure.agent, 'agent')}/executions/{segment(failure.item_id, 'run_id')}"
            async with limit:
                body = await self.get(base, what=f"execution `{failure.item_id}`", ttl_s=TTL_FINISHED_S)
                tools, _, _ = await self._list(f"{base}/tool-calls", {}, None, f"tool calls of `{failure.item_id}`")
            raw = as_dict(body.get("data", body)) if isinstance(body, dict) else {}
            error = self._execution(raw, failure.agent).error
            broken = next((t for t in tools if PLATFORM.normalize(t.get("status")) == "failed"), None)
            if broken is not None:
                detail = as_text(broken.get("errorMessage")) or "failed"
                reason = f"tool {as_text(broken.get('toolName')) or '?'} failed: {detail}"
            else:
                reason = error
            return (failure.item_id, Explained(reason=reason)) if reason else None

        results = await asyncio.gather(*(explain(f) for f in failures[:EXPLAIN_MAX]))
        return dict(r for r in results if r is not None)

    # --- conversations ----------------------------------------------------------------------------

    def call_query(self, ref: Ref | None, args: CallArgs) -> CallQuery:
        """The conversation of a run is the run itself; a task ref points at its run (or, for a
        sub-agent task, at that sub-agent's own execution)."""
        if ref is None:
            return super().call_query(ref, args)
        own_exec = ref.kind == "task" and ref.get("k") == "exec"
        target = ref.get("c") or (ref.get("t") if own_exec else ref.get("r"))
        return CallQuery(call_id=(args.call_id or "").strip() or target, agent=pick(args.agent, ref, "a", "agent"))

    def open_call_hint(self, run_id: str, agent: str | None, space: str | None) -> str:
        agent_arg = f', agent="{agent}"' if agent else ""
        return f'get_call_transcript(provider="{self.name}", call_id="{run_id}"{agent_arg}) reads the execution'

    async def conversation(self, query: CallQuery) -> Conversation:
        execution_id = first(query.call_id, query.run_id, query.task_id)
        if not execution_id:
            raise InputError("Pass the execution id as `call_id` (with `agent`), or a run's `ref`.")
        agent_arg = self.require(query.agent, "agent", "pass the execution's agent id, or the run's `ref`.")
        agent = segment(agent_arg, "agent")
        run = segment(execution_id, "call_id")
        base = f"{API}/agents/{agent}/executions/{run}"
        notes: list[str] = []
        try:
            body = await self.get(base, what=f"execution `{execution_id}`", ttl_s=EXECUTION_TTL)
            raw = as_dict(body.get("data", body)) if isinstance(body, dict) else {}
        except NotFoundError as exc:
            if not exc.endpoint_missing:
                raise
            # No detail endpoint on this host: the list (filtered to this execution) has the metadata.
            items, _, _ = await self._list(
                f"{API}/agents/{agent}/executions", {"executionId": execution_id}, None, f"execution `{execution_id}`"
            )
            raw = next((i for i in items if as_text(first(i.get("id"), i.get("executionId"))) == execution_id), {})
            if not raw:
                raise
            notes.append("This host has no execution-detail endpoint: input messages and final output are missing.")
        execution = self._execution(raw, agent_arg)
        try:
            tool_items, _, _ = await self._list(f"{base}/tool-calls", {}, None, f"tool calls of `{execution_id}`")
            tool_items = await self._with_tool_details(base, tool_items)
        except NotFoundError as exc:
            if not exc.endpoint_missing:
                raise
            tool_items = []
            notes.append(TOOL_CALLS_MISSING)
        turns = _conversation_turns(raw, [self._tool_call(t) for t in tool_items], execution)
        call = Call(
            call_id=execution.run_id,
            run_id=execution.parent_run_id or execution.run_id,
            agent_id=execution.agent_id,
            status=execution.status,
            provider_status=execution.provider_status,
            direction=execution.trigger,
            started_at=execution.started_at,
            ended_at=execution.ended_at,
            duration_s=execution.duration_s,
            end_reason=execution.stop_reason,
            summary=_final_text(raw.get("finalOutput"), 500),
            cost_usd=execution.cost_usd,
            ref=make_ref(self.name, "call", c=execution.run_id, a=execution.agent_id),
        )
        return Conversation(call=call, turns=turns, notes=notes)

    async def _with_tool_details(self, base: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Fill in parameters/results the list may leave out, from each tool call's detail (bounded)."""
        missing = [i for i, t in enumerate(items[:TOOL_DETAILS_MAX]) if "inputParameters" not in t and t.get("id")]
        if not missing:
            return items

        async def detail(index: int) -> None:
            tool_id = segment(str(items[index]["id"]), "tool_call_id")
            body = await self.get(f"{base}/tool-calls/{tool_id}", what=f"tool call `{tool_id}`", ttl_s=TTL_FINISHED_S)
            data = as_dict(body.get("data", body)) if isinstance(body, dict) else {}
            items[index] = {**items[index], **data}

        await asyncio.gather(*(detail(i) for i in missing))
        return items


def _iso(moment: Any) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def _ms(value: Any) -> float | None:
    number = as_float(value)
    return round(number / 1000, 3) if number is not None else None


def _tokens(value: Any) -> int | None:
    if isinstance(value, dict):
        parts = [as_int(value.get(k)) for k in ("input", "output", "total")]
        if parts[2] is not None:
            return parts[2]
        known = [p for p in parts[:2] if p is not None]
        return sum(known) if known else None
    return as_int(value)


def _final_text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        text = first(value.get("text"), value.get("content"), value.get("output"), value.get("message"))
        if isinstance(text, str):
            return as_text(text, limit)
    if isinstance(value, str):
        return as_text(value, limit)
    return as_text(json.dumps(value, ensure_ascii=False, default=str), limit)


def _compact(value: Any, limit: int = 400) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _conversation_turns(raw: dict[str, Any], tools: list[ToolCall], execution: Execution) -> list[Turn]:
    """Input messages, then tool calls in time order, then the final output (and any error)."""
    turns: list[Turn] = []

    def add(speaker: Any, text: str, at: Any = None) -> None:
        if text.strip():
            offset = seconds_between(execution.started_at, at) if at is not None else None
            turns.append(Turn(index=len(turns), speaker=speaker, text=text.strip(), at=at, seconds_from_start=offset))

    for message in as_list(raw.get("inputMessages")):
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        speaker = speaker_of(role) or "system"
        add(speaker, content_text(message.get("content")), parse_time(message.get("createdAt")))
    for call in sorted(tools, key=lambda c: (c.started_at is None, c.started_at or 0)):
        outcome = f"failed: {call.error}" if call.error else _compact(call.output)
        text = f"{call.name or 'tool'}({_compact(call.input, 200)}) -> {outcome or call.provider_status or ''}"
        add("tool", text, call.started_at)
    final = _final_text(raw.get("finalOutput"), 4000)
    if final:
        add("agent", final, execution.ended_at)
    if execution.error:
        add("system", f"Execution error: {execution.error}", execution.ended_at)
    elif execution.status == Status.FAILED and execution.stop_reason:
        add("system", f"Execution stopped: {execution.stop_reason}", execution.ended_at)
    return turns
