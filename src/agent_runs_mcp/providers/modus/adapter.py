"""Modus adapter: ``/api/v1/workflows/...`` (today's API, as the official SDK has it) or ``/api/v1/agents/...``.

* Which path family a host serves: ``MODUS_RESOURCE`` pins it; unset, the first
  request goes to ``/api/v1/workflows/...`` and, on a 404 of any style (HTML,
  NestJS "Cannot GET", or the ``{error: {code: NOT_FOUND}}`` envelope), to
  ``/api/v1/agents/...``; only a 2xx settles the family (both 404: the collection
  routes decide), which is then kept for the account (``list_providers`` and
  ``doctor`` say which).
* Auth: ``Authorization: Bearer modus_...``.
* Lists use AIP-158 paging: ``pageSize`` (at most 100) and ``pageToken``,
  answered with ``nextPageToken`` (``null`` on the last page). Run lists carry
  per-status ``counts`` on some hosts and are newest first, so a time window lets
  us stop early once a whole page is older than ``since`` (we check the order).
* A workflow is addressed by its numeric id or its slug.
* The run id is the list item's ``id`` (``workflowId:temporalRunId``); the
  detail endpoint takes the workflowId with ``?temporalRunId=``.
* A run's "tasks" are its ``workflowNodes`` (free-form objects); a task-type
  run without nodes is one task carrying ``taskResult``/``taskError``.
* Errors: ``{"error": {code, status, message, requestId}}`` (seed documents) or
  NestJS's ``{statusCode, message, error}`` where ``message`` may be a list (SDK).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from agent_runs_mcp.domain import Agent, Call, Conversation, Execution, ProviderPage, Status, Task, Turn
from agent_runs_mcp.errors import BadResponseError, InputError, Listing, NotFoundError, ProviderError
from agent_runs_mcp.providers.base import (
    TTL_LIST_S,
    CallQuery,
    ExecutionQuery,
    Explained,
    Failure,
    RunConversationProvider,
    RunQuery,
    ttl_by_status,
)
from agent_runs_mcp.providers.cache import Ttl
from agent_runs_mcp.providers.capabilities import CostFacts, explain_each
from agent_runs_mcp.providers.facts import WindowFacts
from agent_runs_mcp.providers.ids import segment
from agent_runs_mcp.providers.jsonread import (
    as_dict,
    as_float,
    as_int,
    as_list,
    as_prose,
    as_text,
    dig,
    first,
    newest_first_exhausted,
)
from agent_runs_mcp.providers.modus import FILTERS, PLATFORM
from agent_runs_mcp.providers.modus.usage import usage_of, waiting_of
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.timeutil import parse_time, seconds_between, utcnow

RESOURCES = ("workflows", "agents")
"""Path families, in the order a host is asked: today's API first, then the seed documents'."""
AGENT_ID = re.compile(r"^(?:\d{1,18}|[A-Za-z0-9][A-Za-z0-9_-]{0,127})$")
"""A workflow's numeric id or its slug."""
TIMEFRAMES = (
    ("last_hour", timedelta(hours=1)),
    ("last_day", timedelta(days=1)),
    ("last_week", timedelta(days=7)),
)
CLOCK_MARGIN = timedelta(minutes=2)
RUN_TTL = ttl_by_status(lambda body: [body.get("status")], PLATFORM.statuses)
"""A finished run's detail is kept for long; one in flight only briefly."""


class ModusProvider(RunConversationProvider):
    run_noun = "run"
    kind = "modus"
    page_size = 100

    _resource: str | None = None
    """The path family this host serves, once found by :meth:`_get` (``MODUS_RESOURCE`` pins it)."""

    async def _get(self, suffix: str, params: dict[str, Any] | None, *, what: str, ttl_s: Ttl) -> Any:
        """GET ``/api/v1/<family><suffix>``: on the family this host serves, found on first use.

        Only a 2xx settles the family. A 404 of any style (an HTML page, NestJS's "Cannot GET", or
        the documented ``{"error": {"code": "NOT_FOUND", ...}}`` envelope, which a host also sends
        for routes it lacks) never does: the other family is asked the same; if both answer 404,
        the collection routes (``/api/v1/workflows``, then ``/api/v1/agents``) are probed and the
        family whose list answers 2xx is kept, its 404 then meaning "no such id". Extra requests:
        at most 3, once per account (the family is kept once settled).
        """
        known = self._resource or self.account.setting("resource")
        if known:
            return await self.get(f"/api/v1/{known}{suffix}", params, what=what, ttl_s=ttl_s)
        misses: dict[str, NotFoundError] = {}
        for family in RESOURCES:
            try:
                body = await self.get(f"/api/v1/{family}{suffix}", params, what=what, ttl_s=ttl_s)
            except NotFoundError as exc:
                misses[family] = exc
                continue
            self._resource = family
            return body
        if suffix:  # an item route: the family whose collection answers is the host's, and the id is unknown
            for family in RESOURCES:
                if await self._collection_answers(family):
                    self._resource = family
                    raise misses[family]
        raise NotFoundError(
            self.name,
            self.kind,
            f"{self.account.base_url} serves {what} under neither /api/v1/workflows nor /api/v1/agents.",
            status=404,
            endpoint_missing=True,
            hint="Check MODUS_BASE_URL (scheme and host only, e.g. https://api.getmodus.com).",
            label=self.account.label,
        )

    async def _collection_answers(self, family: str) -> bool:
        """Whether ``/api/v1/<family>`` answers 2xx (one small request; any failure means no)."""
        try:
            await self.get(f"/api/v1/{family}", {"pageSize": 1}, what=f"the list of {family}", ttl_s=60)
        except ProviderError:
            return False
        return True

    def facts(self) -> dict[str, str]:
        found = self._resource or self.account.setting("resource")
        paths = f"/api/v1/{found}" if found else "auto (/api/v1/workflows, else /api/v1/agents; found on first use)"
        return {"paths": paths}

    def cost_facts(self, what: str) -> CostFacts | None:
        """Modus prices in credits, not dollars (a workflow's health report shows them as ``usage``)."""
        return CostFacts(unit="Modus credits", per="workflow")

    def auth_headers(self) -> dict[str, str]:
        return self.bearer()

    @staticmethod
    def read_error(body: Any) -> str | None:
        if not isinstance(body, dict):
            return None
        error = body.get("error")
        message = body.get("message")
        if "statusCode" in body and message:  # NestJS: {statusCode, message: str | [str], error}
            return "; ".join(str(m) for m in message) if isinstance(message, list) else as_text(message)
        if isinstance(error, dict):
            message = as_text(error.get("message"))
            code = as_text(first(error.get("code"), error.get("status")))
            missing = as_list(dig(error, "info", "missing"))
            text = f"{message} ({code})" if message and code else message or code
            if text and missing:
                text += f"; missing scope(s): {', '.join(str(m) for m in missing)}"
            return text
        return as_text(first(error, body.get("message")))

    def _agent(self, agent: str | None) -> str:
        value = self.require(agent, "agent", "runs are listed per workflow (an id or slug from ", Listing.AGENTS, ").")
        value = value.strip()
        if not AGENT_ID.match(value):
            raise InputError(
                f"`agent` for Modus is a workflow's numeric id (42) or slug (daily-sales-report); "
                f"got {value[:30]!r}. See ",
                Listing.AGENTS,
                ".",
            )
        return value

    # --- agents -----------------------------------------------------------------------------------

    async def agents_page(self, token: str | None, search: str | None) -> ProviderPage[Agent]:
        body = await self._get(
            "",
            {"pageSize": self.page_size, "pageToken": token, "search": search},
            what="the list of workflows",
            ttl_s=60,
        )
        if not isinstance(body, dict):
            raise BadResponseError(
                self.name, self.kind, "answered the workflows with an unexpected shape.", label=self.account.label
            )
        items = first(body.get("workflows"), body.get("agents"), body.get("data")) or []
        agents = []
        for raw in as_list(items):
            agent_id = as_text(dig(raw, "id"))
            if not agent_id:
                continue
            agents.append(
                Agent(
                    id=agent_id,
                    name=as_text(raw.get("name")),
                    description=as_text(raw.get("description"), 300),
                    kind=as_text(raw.get("type")),
                    provider_status=as_text(raw.get("status")),
                    ref=make_ref(self.name, "agent", a=agent_id),
                )
            )
        next_token = _next(body, token)
        return ProviderPage(agents, token, next_token, None)

    # --- executions -------------------------------------------------------------------------------

    async def executions_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Execution]:
        agent = self._agent(query.agent)
        status_word = FILTERS.get(query.status) if query.status else None
        timeframe = _timeframe(query.since)
        body = await self._get(
            f"/{agent}/runs",
            {
                "status": status_word,
                "timeframe": timeframe,
                "approvalScope": "all",  # every run awaiting a person, not only those awaiting the key's user
                "pageSize": self.page_size,
                "pageToken": token,
            },
            what=f"the run list of workflow `{agent}`",
            ttl_s=TTL_LIST_S,
        )
        if not isinstance(body, dict) or not isinstance(body.get("runs", []), list):
            raise BadResponseError(
                self.name,
                self.kind,
                f"answered the run list of workflow `{agent}` without a `runs` list.",
                label=self.account.label,
            )
        runs = [self._execution(raw, agent) for raw in as_list(body.get("runs")) if isinstance(raw, dict)]
        next_token = _next(body, token)
        if next_token and newest_first_exhausted((r.started_at for r in runs), query.since):
            next_token = None
        total = None
        if query.since is None and query.until is None:
            counts = as_dict(body.get("counts"))
            if query.status is None:
                total = as_int(counts.get("all_executions"))
            elif status_word is not None:
                total = as_int(counts.get(status_word))
        return ProviderPage(runs, token, next_token, total)

    def _execution(self, raw: dict[str, Any], agent: str | None) -> Execution:
        run_id = as_text(first(raw.get("id"), raw.get("workflowId"))) or "?"
        word = as_text(raw.get("status"))
        started = parse_time(raw.get("startedAt"))
        ended = parse_time(raw.get("endedAt"))
        duration_ms = as_float(raw.get("durationMs"))
        agent_id = as_text(raw.get("agentId")) or agent
        details = {
            key: raw.get(key)
            for key in (
                "workflowId",
                "temporalRunId",
                "agentType",
                "pendingApproval",
                "statusReason",
                "source",
            )
            if raw.get(key) is not None
        }
        return Execution(
            run_id=run_id,
            agent_id=agent_id,
            agent_name=as_text(raw.get("agentName")),
            status=PLATFORM.normalize(word),
            provider_status=word,
            started_at=started,
            ended_at=ended,
            duration_s=round(duration_ms / 1000, 3) if duration_ms is not None else seconds_between(started, ended),
            summary=as_text(raw.get("summary"), 300),
            trigger=as_text(raw.get("triggerType")),
            stop_reason=as_text(raw.get("statusReason")),
            error=as_text(raw.get("taskError"), 300),
            waiting=waiting_of(raw.get("pendingApproval"), as_list(raw.get("workflowNodes")))
            if word == "awaiting_human"
            else None,
            details=details or None,
            ref=make_ref(self.name, "run", r=run_id, a=agent_id),
        )

    async def _detail(self, agent: str, run_id: str) -> dict[str, Any]:
        workflow_id, _, temporal = run_id.partition(":")
        body = await self._get(
            f"/{agent}/runs/{segment(workflow_id, 'run_id')}",
            {"temporalRunId": temporal or None},
            what=f"run `{run_id}` of workflow `{agent}`",
            ttl_s=RUN_TTL,
        )
        if not isinstance(body, dict):
            raise BadResponseError(
                self.name, self.kind, f"answered run `{run_id}` with an unexpected shape.", label=self.account.label
            )
        return body

    # --- usage ------------------------------------------------------------------------------------

    async def window_facts(self, agent: str, since: datetime, until: datetime) -> WindowFacts | None:
        """Credits, tokens and LLM calls of one workflow over the window (``/api/v1/usage``, module
        :mod:`.usage`): one request, two when the workflow is named by its slug (its id is read first)."""
        try:
            agent_id = await self._numeric_id(self._agent(agent))
            body = await self.get(
                "/api/v1/usage",
                {
                    "since": _iso(since),
                    "until": _iso(until),
                    "rollup": "day",
                    "group_by": "agent",
                    "agent_id": agent_id,
                },
                what=f"the usage of workflow `{agent}`",
                ttl_s=TTL_LIST_S,
            )
        except NotFoundError as exc:
            if exc.endpoint_missing:
                return WindowFacts(notes=["This Modus host has no usage endpoint: credits and tokens are not shown."])
            return WindowFacts(notes=[f"Usage could not be read: {exc}"])
        except ProviderError as exc:
            return WindowFacts(notes=[f"Usage could not be read: {exc}"])
        usage = usage_of(body, agent_id)
        if usage is None:
            return WindowFacts(notes=["Modus reported no usage for this workflow over the window."])
        return WindowFacts(usage=usage)

    async def _numeric_id(self, agent: str) -> str:
        if agent.isdigit():
            return agent
        body = await self._get(f"/{agent}", None, what=f"workflow `{agent}`", ttl_s=600)
        return as_text(dig(body, "id")) or agent

    # --- tasks ------------------------------------------------------------------------------------

    async def tasks_page(self, query: RunQuery, token: str | None) -> ProviderPage[Task]:
        agent = self._agent(query.agent)
        raw = await self._detail(agent, query.run_id)
        run = self._execution(raw, agent)
        nodes = [n for n in as_list(raw.get("workflowNodes")) if isinstance(n, dict)]
        if nodes:
            tasks = [self._node_task(node, i, run, agent) for i, node in enumerate(nodes)]
        else:
            tasks = [self._run_task(raw, run, agent)]
        return ProviderPage(tasks, token, None, len(tasks))

    def _node_task(self, node: dict[str, Any], index: int, run: Execution, agent: str) -> Task:
        data = as_dict(node.get("data"))
        node_id = as_text(first(node.get("id"), node.get("nodeId"), node.get("key"))) or str(index + 1)
        word = as_text(first(node.get("status"), node.get("state"), data.get("status")))
        started = parse_time(first(node.get("startedAt"), node.get("started_at")))
        ended = parse_time(first(node.get("endedAt"), node.get("completedAt"), node.get("ended_at")))
        duration_ms = as_float(node.get("durationMs"))
        error = first(node.get("error"), node.get("errorMessage"), data.get("error"))
        return Task(
            task_id=node_id,
            run_id=run.run_id,
            status=PLATFORM.normalize(word),
            provider_status=word,
            kind=as_text(first(node.get("type"), "node")),
            name=as_text(first(node.get("name"), node.get("label"), data.get("label"), data.get("name")), 80),
            started_at=started,
            ended_at=ended,
            duration_s=round(duration_ms / 1000, 3) if duration_ms is not None else seconds_between(started, ended),
            summary=as_prose(first(node.get("summary"), node.get("output"), data.get("output")), 300),
            failure_reason=as_prose(dig(error, "message") if isinstance(error, dict) else error, 300),
            has_transcript=False,
            ref=make_ref(self.name, "task", t=node_id, r=run.run_id, a=agent),
        )

    def _run_task(self, raw: dict[str, Any], run: Execution, agent: str) -> Task:
        return Task(
            task_id=run.run_id,
            run_id=run.run_id,
            status=run.status,
            provider_status=run.provider_status,
            kind=as_text(raw.get("agentType")) or "task",
            name=run.agent_name,
            started_at=run.started_at,
            ended_at=run.ended_at,
            duration_s=run.duration_s,
            end_reason=run.stop_reason,
            summary=run.summary or as_prose(raw.get("taskResult"), 300),
            failure_reason=run.error or (run.stop_reason if run.status in (Status.FAILED, Status.CANCELLED) else None),
            has_transcript=True,
            ref=make_ref(self.name, "task", t=run.run_id, r=run.run_id, a=agent),
        )

    async def explain_failures(self, failures: list[Failure], run: RunQuery | None) -> dict[str, Explained]:
        """A listed run has at most a summary; its detail has `taskError`, `statusReason` and the failing node."""
        if run is not None:
            return {}

        async def explain(failure: Failure) -> str | None:
            if not failure.agent or not AGENT_ID.match(failure.agent):
                return None
            raw = await self._detail(failure.agent, failure.item_id)
            node = next((n for n in as_list(raw.get("workflowNodes")) if isinstance(n, dict) and n.get("error")), None)
            node_error = None
            if node is not None:
                error = node.get("error")
                node_error = as_prose(dig(error, "message") if isinstance(error, dict) else error, 300)
                name = as_text(first(node.get("name"), node.get("label"), node.get("id")))
                node_error = f"node {name} failed: {node_error}" if name else node_error
            return first(as_text(raw.get("taskError"), 300), node_error, as_text(raw.get("statusReason")))

        return await explain_each(self, failures, explain)

    # --- conversations ----------------------------------------------------------------------------

    async def conversation(self, query: CallQuery) -> Conversation:
        run_id = first(query.call_id, query.run_id)
        if not run_id:
            raise InputError("Pass the run id as `call_id` (with `agent`), or a run's `ref`.")
        agent = self._agent(query.agent)
        raw = await self._detail(agent, run_id)
        run = self._execution(raw, agent)
        call = Call.of_execution(run, agent_id=agent, ref=make_ref(self.name, "call", c=run.run_id, a=agent))
        return Conversation(call=call, turns=_turns(raw, run))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _next(body: dict[str, Any], token: str | None) -> str | None:
    next_token = as_text(body.get("nextPageToken"))
    return None if not next_token or next_token == token else next_token


def _timeframe(since: datetime | None) -> str | None:
    """The narrowest server-side timeframe that surely covers ``since`` (we still filter exactly)."""
    if since is None:
        return None
    age = utcnow() - since
    for name, span in TIMEFRAMES:
        if age + CLOCK_MARGIN <= span:
            return name
    return None


def _turns(raw: dict[str, Any], run: Execution) -> list[Turn]:
    """The run told as a conversation: trigger, each node's result, approvals, the final result, errors."""
    turns: list[Turn] = []

    def add(speaker: Any, text: str | None, at: datetime | None = None) -> None:
        if text and text.strip():
            offset = seconds_between(run.started_at, at) if at is not None else None
            turns.append(Turn(index=len(turns), speaker=speaker, text=text.strip(), at=at, seconds_from_start=offset))

    if run.trigger:
        add("system", f"Run started by {run.trigger} trigger.", run.started_at)
    for i, node in enumerate(as_list(raw.get("workflowNodes"))):
        if not isinstance(node, dict):
            continue
        data = as_dict(node.get("data"))
        name = as_text(first(node.get("name"), node.get("label"), data.get("label"), node.get("id"))) or f"node {i + 1}"
        status = as_text(first(node.get("status"), node.get("state"))) or "?"
        error = first(node.get("error"), node.get("errorMessage"))
        result = as_prose(dig(error, "message") if isinstance(error, dict) else error, 2000) if error else None
        body = (
            f"failed: {result}"
            if result
            else as_prose(first(node.get("output"), node.get("summary"), data.get("output")), 2000)
        )
        speaker = "agent" if node.get("type") == "agent" else "tool"
        add(speaker, f"[{name}] {status}" + (f": {body}" if body else ""), parse_time(node.get("startedAt")))
    waiting = waiting_of(raw.get("pendingApproval"), as_list(raw.get("workflowNodes")))
    if waiting is not None:
        who = f" by {waiting.approver}" if waiting.approver else ""
        since = f" since {waiting.since:%Y-%m-%d %H:%M}Z" if waiting.since else ""
        text = waiting.message or as_prose(raw.get("pendingApproval"), 1000)
        add("system", f"Waiting for approval{who} at {waiting.step or 'a step'}{since}: {text}")
    result = as_prose(raw.get("taskResult"), 4000)
    add("agent", result or run.summary, run.ended_at)
    if raw.get("taskError"):
        add("system", f"Run error: {as_prose(raw.get('taskError'), 2000)}", run.ended_at)
    if raw.get("statusReason"):
        add("system", f"Status reason: {raw.get('statusReason')}", run.ended_at)
    if raw.get("historyUnavailableReason"):
        add("system", f"History unavailable: {as_prose(raw.get('historyUnavailableReason'), 300)}")
    return turns
