"""Unpod adapter (``/api/v2/platform/...``).

What the docs and the public source say, and what we do about it:

* Auth is ``Authorization: Token <t>``; ``Org-Handle`` is read by the agent
  and space listings. When no handle is configured and the token sees exactly
  one organization, we use that one's ``domain_handle``.
* Every path ends with a slash: without it Django answers 301 and we would
  not follow it.
* Lists are ``{count, status_code, message, data}`` with ``page``/``page_size``;
  ``count`` is the total. Pages are numbered, so they can be fetched in parallel.
* ``206`` is a business error (``{message, errors}``), not a success.
* There is no "get one task": a task (and its transcript) is read from its run's
  task list, or from the agent's task list, which returns raw task documents.
* A run's space token is also in ``collection_ref`` (``collection_data_<SPACE>``).
* ``/agents/{handle}/executions/`` is documented but absent from the public
  source; when a host answers it with a non-JSON 404 we fall back to the
  space's runs if a space is known, and say so.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from agent_runs_mcp.domain import (
    FINISHED_STATUSES,
    Agent,
    Call,
    Conversation,
    Execution,
    ProviderPage,
    Tally,
    Task,
)
from agent_runs_mcp.errors import BusinessError, InputError, Listing, NotFoundError
from agent_runs_mcp.providers.account import Account
from agent_runs_mcp.providers.base import (
    TTL_LIST_S,
    CallArgs,
    CallOpening,
    CallQuery,
    CallScope,
    ExecutionQuery,
    Explained,
    Failure,
    Provider,
    RunQuery,
    ttl_by_status,
)
from agent_runs_mcp.providers.cache import Ttl
from agent_runs_mcp.providers.capabilities import CostFacts
from agent_runs_mcp.providers.ids import segment
from agent_runs_mcp.providers.jsonread import as_dict, as_int, as_text, dig, first, newest_first_exhausted
from agent_runs_mcp.providers.queries import call_query_of
from agent_runs_mcp.providers.turns import turns_from_any
from agent_runs_mcp.providers.unpod import PLATFORM
from agent_runs_mcp.providers.unpod.attempts import last_attempt_at, with_history
from agent_runs_mcp.providers.unpod.directory import API, SpaceDirectory, run_not_in_space
from agent_runs_mcp.providers.unpod.mapping import execution_of, searchable, space_of, tally_of, task_of
from agent_runs_mcp.providers.unpod.pages import RawPage, envelope_data, numbered_page, page_hint
from agent_runs_mcp.providers.unpod.speech import SPEECH, is_speech_agent
from agent_runs_mcp.providers.unpod.speech_pages import SpeechPages
from agent_runs_mcp.providers.unpod.window_tasks import window_tasks_page
from agent_runs_mcp.refs import Ref, make_ref, parse_ref, pick
from agent_runs_mcp.timeutil import parse_time

log = logging.getLogger(__name__)

SCAN_PAGES_MAX = 200
"""Upper bound on pages read while searching a task list for one task."""

TASKS_TTL = ttl_by_status(
    lambda body: (t.get("status") for t in body.get("data") if isinstance(t, dict)), PLATFORM.statuses
)
"""A page of tasks that have all finished is kept for long; one with tasks in flight only briefly."""


class UnpodProvider(Provider):
    kind = "unpod"
    page_size = 50
    scan_page_size = 200
    """Pages for health reports: the API sets no maximum, and fewer, larger pages cost less per task."""

    def __init__(self, account: Account, **kwargs: Any) -> None:
        super().__init__(account, **kwargs)
        self.directory = SpaceDirectory(self.get, account)
        """Which organization and which space (discovered, kept 5 minutes)."""
        self.speech = SpeechPages(self.get, self.name)
        """The speech plane's agents and calls (``/speech/v1``)."""

    def auth_headers(self) -> dict[str, str]:
        token = self.account.token.get_secret_value() if self.account.token else ""
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        if self.account.setting("org_handle"):
            headers["Org-Handle"] = self.account.setting("org_handle")
        return headers

    @staticmethod
    def read_error(body: Any) -> str | None:
        if not isinstance(body, dict):
            return None
        message = as_text(first(body.get("message"), body.get("detail")))
        errors = first(body.get("errors"), dig(body, "data", "errors"))
        if isinstance(errors, dict | list):
            errors = "; ".join(f"{k}: {v}" for k, v in errors.items()) if isinstance(errors, dict) else errors
            errors = str(errors)
        errors = as_text(errors)
        if message and errors and errors != message:
            return f"{message}: {errors}"
        return message or errors

    def check_body(self, status: int, body: Any, what: str) -> None:
        in_band = as_int(body.get("status_code")) if isinstance(body, dict) else None
        if status == 206 or in_band == 206:
            raise BusinessError(
                self.account.name,
                self.kind,
                f"refused the request for {what} (a 206 business error).",
                status=206,
                detail=self.read_error(body) or "no message",
                hint="Unpod uses 206 for errors such as a wrong or inaccessible space token; "
                "check the space token and that this API token may use it.",
                label=self.account.label,
            )

    # --- paging -----------------------------------------------------------------------------------

    # --- agents -----------------------------------------------------------------------------------

    async def agents_page(self, token: str | None, search: str | None) -> ProviderPage[Agent]:
        headers = await self.directory.org_headers()
        body = await self.get(f"{API}/agents/", what="the agents", ttl_s=60, headers=headers)
        spaces = await self.directory.agent_spaces()
        agents = []
        for raw in envelope_data(body, self.account.name, "agents"):
            handle = as_text(dig(raw, "handle"))
            if not handle:
                continue
            agents.append(
                Agent(
                    id=handle,
                    name=as_text(raw.get("name")),
                    description=as_text(first(raw.get("description"), raw.get("purpose")), 300),
                    kind=as_text(raw.get("type")),
                    provider_status=as_text(raw.get("state")),
                    space=spaces.get(handle),
                    ref=make_ref(self.name, "agent", a=handle, s=spaces.get(handle)),
                )
            )
        speech, note = await self.speech.speech_agents()
        agents += speech
        return ProviderPage(items=agents, token=token, next_token=None, total=len(agents), note=note)

    # --- executions -------------------------------------------------------------------------------

    async def executions_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Execution]:
        if is_speech_agent(query.agent):  # a speech-plane agent's executions are its calls
            assert query.agent is not None
            return await self.speech.speech_executions(query.agent, query.status, token)
        source = token[0] if token and token[0] in "AS" else None
        inner = token[1:] if token and source else token
        if query.agent and not query.space and source != "S":
            try:
                raw = await self._page(
                    f"{API}/agents/{segment(query.agent, 'agent')}/executions/",
                    inner,
                    f"executions of agent `{query.agent}`",
                    headers=await self.directory.org_headers(),
                )
            except NotFoundError as exc:
                if not exc.endpoint_missing:
                    raise
            else:
                space_hint = await self.directory.space_for(query.agent, None)
                runs = [execution_of(self.name, item, query.agent, space_hint) for item in raw.items]
                return ProviderPage(runs, token, f"A{raw.next_token}" if raw.next_token else None, raw.count)
            inner = None  # fall back to the space's runs, from the first page
        space = query.space or await self.directory.space_for(query.agent, None)
        if not space:
            raise InputError(
                "Unpod executions need `agent` (an agent handle from ",
                Listing.AGENTS,
                ") or `space` (a space token).",
                " This host has no per-agent executions endpoint, so pass `space` or set UNPOD_SPACE_TOKEN."
                if query.agent
                else "",
            )
        page = await self._space_runs(query, space, inner)
        if query.agent and not query.space:
            page.note = f"This Unpod host has no per-agent executions endpoint; these are all runs of space `{space}`."
        return page

    async def _space_runs(self, query: ExecutionQuery, space: str, token: str | None) -> ProviderPage[Execution]:
        raw = await self._page(f"{API}/spaces/{segment(space, 'space')}/runs/", token, f"runs of space `{space}`")
        runs = [execution_of(self.name, item, None, space) for item in raw.items]
        return ProviderPage(runs, token and f"S{token}", f"S{raw.next_token}" if raw.next_token else None, raw.count)

    def cost_facts(self, what: str) -> CostFacts | None:
        if what == "executions":  # a platform run has no cost of its own; its call tasks do
            return CostFacts(items="runs", on_tasks="call task")
        return None

    def facts(self) -> dict[str, str]:
        shown = {"org": "org_handle", "default space": "space_token"}
        return {fact: value for fact, key in shown.items() if (value := self.account.setting(key))}

    activity_noun = "call tasks"  # an agent's activity over a window is its call tasks, newest first

    async def explain_failures(self, failures: list[Failure], run: RunQuery | None) -> dict[str, Explained]:
        """The run's task list drops `last_failure_reason` and the retry counters; the agent's task
        list (raw documents, newest first) keeps them. Read it until every failure is found, the
        pages pass the oldest failure, or the scan limit."""
        agent = run.agent if run else None
        if not agent or not failures:
            return {}
        wanted = {f.item_id for f in failures}
        oldest = min((f.created_at for f in failures if f.created_at), default=None)
        found: dict[str, Explained] = {}
        path = f"{API}/agents/{segment(agent, 'agent')}/tasks/"
        async for items in self._scan_tasks(path, f"tasks of agent `{agent}`"):
            for item in items:
                task_id = as_text(item.get("task_id"))
                if task_id in wanted:
                    retry = as_int(item.get("retry_attempt"))
                    found[task_id] = Explained(
                        reason=as_text(first(item.get("last_failure_reason"), dig(item, "output", "error")), 300),
                        attempts=retry + 1 if retry is not None else None,
                    )
            if len(found) == len(wanted):
                break
            if oldest and newest_first_exhausted((parse_time(i.get("created")) for i in items), oldest):
                break
        return found

    # --- tasks ------------------------------------------------------------------------------------

    async def tasks_page(self, query: RunQuery, token: str | None) -> ProviderPage[Task]:
        if is_speech_agent(query.agent):  # a speech-plane call is a run of one task: itself
            return await self.speech.speech_run_task(query.run_id, token)
        found = await self._space_run_page(query, token, self.page_size)
        if found is not None:
            raw, space = found
            tasks = [task_of(self.name, item, query.run_id, space, query.agent, f"r{raw.number}") for item in raw.items]
            return ProviderPage(tasks, token, raw.next_token, raw.count, rest_tokens=raw.rest_tokens)
        items, next_token, number = await self._agent_run_page(query, token)
        tasks = [task_of(self.name, item, query.run_id, space_of(item), query.agent, f"a{number}") for item in items]
        return ProviderPage(tasks, token, next_token, None)  # the agent's count is not this run's: no total

    async def _space_run_page(self, query: RunQuery, token: str | None, size: int) -> tuple[RawPage, str] | None:
        """A page of the run's tasks from its space's run-task list, or ``None`` to search the agent's tasks.

        The space is `space`, the agent's space (from the space listings) or the account's default space.
        Without one, or when the run is not in that space, the agent's own task list is searched for the
        run instead (its tokens start with ``a``).
        """
        if token and token.startswith("a"):
            return None
        space = query.space or await self.directory.space_for(query.agent, None)
        if not space:
            return None
        try:
            raw = await self._page(
                f"{API}/spaces/{segment(space, 'space')}/runs/{segment(query.run_id, 'run_id')}/tasks/",
                token,
                f"tasks of run `{query.run_id}` in space `{space}`",
                ttl_s=TASKS_TTL,
                size=size,
            )
        except NotFoundError as exc:
            if query.space or not query.agent or token:  # the caller named the space, or nothing else to search
                raise exc.with_hint(*run_not_in_space(space, named=bool(query.space), agent=query.agent)) from None
            return None
        return raw, space

    async def _agent_run_page(self, query: RunQuery, token: str | None) -> tuple[list[dict[str, Any]], str | None, int]:
        """The run's tasks on one page of the agent's task list: (items, next token, page number)."""
        if not query.agent:
            raise InputError(
                "Unpod needs the run's space to list its tasks: pass `space` (the space token), or `agent` "
                "(its tasks are then searched for this run), or the `ref` of the run from ",
                Listing.EXECUTIONS,
                "; or set UNPOD_SPACE_TOKEN.",
            )
        segment(query.run_id, "run_id")
        inner = token[1:] if token and token.startswith("a") else None
        raw = await self._page(
            f"{API}/agents/{segment(query.agent, 'agent')}/tasks/", inner, f"tasks of agent `{query.agent}`"
        )
        items = [item for item in raw.items if as_text(item.get("run_id")) == query.run_id]
        return items, f"a{raw.next_token}" if raw.next_token else None, raw.number

    async def tally_page(self, query: RunQuery, token: str | None) -> ProviderPage[Tally]:
        if is_speech_agent(query.agent):
            return await self.speech.speech_run_tally(query.run_id, token)
        found = await self._space_run_page(query, token, self.scan_page_size)
        if found is not None:
            raw, space = found
            page = f"r{raw.number}"
            tallies = [tally_of(self.name, item, query.run_id, space, query.agent, page) for item in raw.items]
            # A run's tasks are listed in creation order: a full later page of finished tasks stays as it is.
            settled = (
                raw.number > 1
                and len(raw.items) == self.scan_page_size
                and all(t.status in FINISHED_STATUSES for t in tallies)
            )
            return ProviderPage(tallies, token, raw.next_token, raw.count, rest_tokens=raw.rest_tokens, settled=settled)
        items, next_token, number = await self._agent_run_page(query, token)
        tallies = [tally_of(self.name, item, query.run_id, space_of(item), query.agent, f"a{number}") for item in items]
        return ProviderPage(tallies, token, next_token, None)

    async def activity_tally_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Tally]:
        if is_speech_agent(query.agent):
            assert query.agent is not None
            return await self.speech.speech_activity(query.agent, token)
        agent = self.require(query.agent, "agent", "an agent's calls over a window are read from its tasks.")
        path = f"{API}/agents/{segment(agent, 'agent')}/tasks/"
        raw = await self._page(path, token, f"tasks of agent `{agent}`", size=self.scan_page_size)
        tallies = [tally_of(self.name, item, None, space_of(item), agent, f"a{raw.number}") for item in raw.items]
        next_token = raw.next_token
        if next_token and newest_first_exhausted((t.at for t in tallies), query.since):
            next_token = None  # newest first: everything after this page is older than the window
        return ProviderPage(tallies, token, next_token, None)

    async def agent_tasks_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Task] | None:
        return await window_tasks_page(self.name, self._page, self.speech, query, token, self.page_size)

    # --- conversations ----------------------------------------------------------------------------

    async def conversations_page(self, scope: CallScope, token: str | None) -> ProviderPage[Conversation]:
        """Task lists carry each call's transcript: a page of tasks is a page of conversations, no extra
        request (the speech plane lists calls without turns: the default reads each one)."""
        agent = scope.run.agent if scope.run is not None else scope.window.agent if scope.window else None
        if is_speech_agent(agent):
            return await self.speech.speech_conversations(scope, token)
        if scope.run is not None:
            found = await self._space_run_page(scope.run, token, self.scan_page_size)
            if found is not None:
                raw, space = found
                query = RunQuery(run_id=scope.run.run_id, agent=scope.run.agent, space=space)
                calls = [self._conversation(i, query, f"r{raw.number}") for i in raw.items if searchable(i)]
                return ProviderPage(calls, token, raw.next_token, raw.count, rest_tokens=raw.rest_tokens)
            items, next_token, number = await self._agent_run_page(scope.run, token)
            calls = [self._conversation(i, scope.run, f"a{number}") for i in items if searchable(i)]
            return ProviderPage(calls, token, next_token, None)
        assert scope.window is not None
        agent = self.require(agent, "agent", "an agent's calls over a window are read from its tasks.")
        path = f"{API}/agents/{segment(agent, 'agent')}/tasks/"
        raw = await self._page(path, token, f"tasks of agent `{agent}`", size=self.scan_page_size)
        calls = [
            self._conversation(i, RunQuery(run_id=as_text(i.get("run_id")) or "", agent=agent), f"a{raw.number}")
            for i in raw.items
            if searchable(i)
        ]
        next_token = raw.next_token
        if next_token and newest_first_exhausted((parse_time(i.get("created")) for i in raw.items), scope.window.since):
            next_token = None  # newest first: the rest is older than the window
        return ProviderPage(calls, token, next_token, None)

    def call_query(self, ref: Ref | None, args: CallArgs) -> CallQuery:
        if ref is not None and ref.get("k") == SPEECH:  # a speech-plane call, whatever kind of ref names it
            call = ref.get("c") or ref.get("t") or ref.get("r")
            return CallQuery(call_id=pick(args.call_id, ref, "c", "call_id") or call, agent=ref.get("a"))
        if ref is None and is_speech_agent(args.agent) and not args.call_id:  # a call's task (run) id is its id
            return CallQuery(call_id=args.task_id or args.run_id, agent=args.agent)
        if ref is not None and ref.kind == "run":
            raise InputError(
                "An Unpod run holds many calls: pass the `ref` of one task (from ", Listing.TASKS, "), not of the run."
            )
        return call_query_of(ref, args)

    def call_opening(self, run_id: str, agent: str | None, space: str | None) -> CallOpening:
        if is_speech_agent(agent):
            return CallOpening((("call_id", run_id),), reads="call")
        where = (("space", space),) if space else ((("agent", agent),) if agent else ())
        return CallOpening((("run_id", run_id), *where), per_task=True)

    async def conversation(self, query: CallQuery) -> Conversation:
        if query.task_id:
            raw, run_query = await self._find_task(query)
            raw, note = await with_history(raw, self._scan_tasks)  # a call that never connected: its attempts
            found = self._conversation(raw, run_query)
            if not found.turns and found.call.ended_at is None:
                found.call.ended_at = last_attempt_at(raw)
            found.notes += [note] if note else []
            return found
        if query.call_id:
            return await self._call_by_id(query)
        raise InputError("Pass `task_id` (with `run_id` and `space`, or `agent`), `call_id`, or a task's `ref`.")

    async def _find_task(self, query: CallQuery) -> tuple[dict[str, Any], RunQuery]:
        task_id = query.task_id or ""
        segment(task_id, "task_id")
        space = query.space or (None if query.agent else self.account.setting("space_token"))
        if space and query.run_id:
            path = f"{API}/spaces/{segment(space, 'space')}/runs/{segment(query.run_id, 'run_id')}/tasks/"
            where = f"tasks of run `{query.run_id}` in space `{space}`"
            hint_page = page_hint(query.page_hint, "r")
        elif query.agent:
            path = f"{API}/agents/{segment(query.agent, 'agent')}/tasks/"
            where = f"tasks of agent `{query.agent}`"
            hint_page = page_hint(query.page_hint, "a")
        else:
            raise InputError(
                "To find an Unpod task, pass `run_id` with `space` (or set UNPOD_SPACE_TOKEN), or `agent`; "
                "or pass the task's `ref` from ",
                Listing.TASKS,
                ".",
            )
        run_query = RunQuery(run_id=query.run_id or "", agent=query.agent, space=space if query.run_id else None)
        if hint_page is not None:
            page = await self._page(path, f"{hint_page}.0.", where, ttl_s=TASKS_TTL)
            for item in page.items:
                if as_text(item.get("task_id")) == task_id:
                    return item, run_query
        async for items in self._scan_tasks(path, where):
            for item in items:
                if as_text(item.get("task_id")) == task_id:
                    return item, run_query
        raise NotFoundError(
            self.account.name,
            self.kind,
            f"task `{task_id}` is not among the {where}.",
            hint=("Check the task id and its run/agent; ", Listing.TASKS, " lists them with refs."),
            label=self.account.label,
        )

    async def _call_by_id(self, query: CallQuery) -> Conversation:
        call_id = query.call_id or ""
        if query.agent and not is_speech_agent(query.agent):
            path = f"{API}/agents/{segment(query.agent, 'agent')}/tasks/"
            async for items in self._scan_tasks(path, f"tasks of agent `{query.agent}`"):
                for item in items:  # the call's id as mapped (a Vapi-shaped output names it `id`), or the task's
                    output = as_dict(item.get("output"))
                    own = first(output.get("call_id"), output.get("id") if "assistantId" in output else None)
                    if call_id in (as_text(own), as_text(item.get("task_id"))):
                        return self._conversation(item, RunQuery(run_id="", agent=query.agent))
            raise NotFoundError(
                self.account.name,
                self.kind,
                f"no task of agent `{query.agent}` has call `{call_id}`.",
                hint=("Check the call id; ", Listing.TASKS, " shows each task's call_id."),
                label=self.account.label,
            )
        # The speech plane (Unpod's Python SDK) reads one call by id.
        body = {"data": await self.speech.speech_call(call_id)}
        raw = as_dict(body.get("data", body)) if isinstance(body, dict) else {}
        if "task_id" not in raw:  # a speech-plane call (unpod SDK's Call); older hosts answer with a task's call
            return await self.speech.speech_conversation(raw)
        task_like = {"task_id": raw.get("task_id"), "run_id": raw.get("run_id"), "status": raw.get("status")}
        task_like["output"] = {**raw, "call_id": first(raw.get("call_id"), raw.get("id"), call_id)}
        return self._conversation(task_like, RunQuery(run_id=as_text(raw.get("run_id")) or ""))

    def _conversation(self, raw: dict[str, Any], run_query: RunQuery, page: str = "") -> Conversation:
        task = task_of(self.name, raw, run_query.run_id or None, run_query.space, run_query.agent, page)
        output = as_dict(raw.get("output"))
        transcript = first(
            output.get("transcript"),
            output.get("messages"),
            dig(output, "artifact", "messages"),
            dig(output, "artifact", "transcript"),
        )
        turns = turns_from_any(transcript, task.started_at)
        call = Call.of_task(
            task,
            task_id=task.task_id if task.task_id != "?" else None,
            agent_id=run_query.agent,
            direction=as_text(first(output.get("call_type"), output.get("type"))),
            ref=make_ref(self.name, "call", **parse_ref(task.ref).fields),
        )
        return Conversation(call=call, turns=turns)

    async def _page(
        self,
        path: str,
        token: str | None,
        what: str,
        *,
        ttl_s: Ttl = TTL_LIST_S,
        headers: dict[str, str] | None = None,
        size: int | None = None,
    ) -> RawPage:
        """One numbered page of an Unpod list (see :mod:`.pages`)."""
        return await numbered_page(
            self.get, self.name, path, token, what, ttl_s=ttl_s, headers=headers, size=size or self.page_size
        )

    async def _scan_tasks(self, path: str, what: str) -> AsyncIterator[list[dict[str, Any]]]:
        """The pages of a task list, first to last, up to ``SCAN_PAGES_MAX``: every search for tasks reads these."""
        token: str | None = None
        for _ in range(SCAN_PAGES_MAX):
            page = await self._page(path, token, what)
            yield page.items
            token = page.next_token
            if token is None:
                return
