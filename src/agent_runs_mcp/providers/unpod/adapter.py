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

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from agent_runs_mcp.domain import Agent, Call, Conversation, Execution, ProviderPage, Status, Tally, Task
from agent_runs_mcp.errors import BusinessError, ConfigError, InputError, NotFoundError, ProviderError
from agent_runs_mcp.providers.base import (
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
from agent_runs_mcp.providers.cache import Ttl
from agent_runs_mcp.providers.client import segment
from agent_runs_mcp.providers.jsonread import (
    as_dict,
    as_float,
    as_int,
    as_list,
    as_text,
    dig,
    first,
    newest_first_exhausted,
)
from agent_runs_mcp.providers.turns import turns_from_any
from agent_runs_mcp.providers.unpod import PLATFORM
from agent_runs_mcp.refs import Ref, make_ref, parse_ref
from agent_runs_mcp.timeutil import parse_time, seconds_between

log = logging.getLogger(__name__)

API = "/api/v2/platform"
COLLECTION_PREFIX = "collection_data_"
SCAN_PAGES_MAX = 200
"""Upper bound on pages read while searching a task list for one task."""

TASKS_TTL = ttl_by_status(
    lambda body: (t.get("status") for t in body.get("data") if isinstance(t, dict)), PLATFORM.statuses
)
"""A page of tasks that have all finished is kept for long; one with tasks in flight only briefly."""


@dataclass(slots=True)
class _RawPage:
    items: list[dict[str, Any]]
    next_token: str | None
    count: int | None
    number: int
    rest_tokens: list[str] | None = None


class UnpodProvider(Provider):
    kind = "unpod"
    page_size = 50
    scan_page_size = 200
    """Pages for health reports: the API sets no maximum, and fewer, larger pages cost less per task."""

    _discovered_org: str | None = None
    _agent_spaces: dict[str, str] | None = None
    _agent_spaces_at: float = 0.0
    SPACES_TTL_S = 300.0
    """How long the agent -> space map is trusted before the space listings are read again."""

    def auth_headers(self) -> dict[str, str]:
        token = self.account.token.get_secret_value() if self.account.token else ""
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        if self.account.org_handle:
            headers["Org-Handle"] = self.account.org_handle
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
            )

    # --- paging -----------------------------------------------------------------------------------

    async def _page(
        self,
        path: str,
        token: str | None,
        what: str,
        *,
        ttl_s: Ttl = TTL_LIST_S,
        headers: dict[str, str] | None = None,
        size: int | None = None,
    ) -> _RawPage:
        """Fetch one numbered page.

        The token is ``page.seen.mark``: the page number, how many items came
        before it and a short hash of the previous page's first item, so we can
        stop on the provider's ``count``, on an empty page, or when a host that
        ignores ``page`` serves the same page again.
        """
        number, seen, mark = _decode_token(token)
        body = await self.get(
            path,
            {"page": number, "page_size": size or self.page_size},
            what=what,
            ttl_s=ttl_s,
            headers=headers,
        )
        items = [item for item in _data(body, self.account.name, what) if isinstance(item, dict)]
        count = as_int(body.get("count")) if isinstance(body, dict) else None
        head = _mark(items[0]) if items else ""
        if mark and head == mark:
            return _RawPage([], None, count, number)  # the host ignored `page` and served the same page again
        seen_after = seen + len(items)
        done = not items or (count is not None and seen_after >= count)
        next_token = None if done else f"{number + 1}.{seen_after}.{head}"
        rest = None
        if number == 1 and not done and count is not None and items:
            # Pages are numbered: every remaining page can be addressed now (used by parallel scans).
            size = len(items)
            rest = [f"{n}.{(n - 1) * size}." for n in range(2, -(-count // size) + 1)]
        return _RawPage(items, next_token, count, number, rest)

    # --- organization and spaces -----------------------------------------------------------------

    async def _org_headers(self) -> dict[str, str] | None:
        """The Org-Handle header for endpoints that need it, discovering it when unconfigured."""
        if self.account.org_handle:
            return None  # already a default header of the client
        if self._discovered_org is None:
            body = await self.get(f"{API}/organizations/", what="the organizations of this token", ttl_s=600)
            orgs = [o for o in _data(body, self.account.name, "organizations") if isinstance(o, dict)]
            handles = [h for h in (as_text(o.get("domain_handle")) for o in orgs) if h]
            if len(handles) != 1:
                listed = ", ".join(handles[:10]) or "none"
                raise ConfigError(
                    f"Unpod (account `{self.account.name}`): this call needs the organization handle and the "
                    f"token sees {len(handles)} organization(s) ({listed}). Set UNPOD_ORG_HANDLE "
                    "(or `org_handle` in the TOML account) to one of them."
                )
            self._discovered_org = handles[0]
        return {"Org-Handle": self._discovered_org}

    async def agent_spaces(self) -> dict[str, str]:
        """Map agent handle -> space token, from the spaces the token can see (best effort, kept 5 minutes)."""
        if self._agent_spaces is not None and time.monotonic() - self._agent_spaces_at < self.SPACES_TTL_S:
            return self._agent_spaces
        mapping: dict[str, str] = {}
        try:
            headers = await self._org_headers()
            body = await self.get(f"{API}/spaces/", what="the spaces", ttl_s=300, headers=headers)
            for space in _data(body, self.account.name, "spaces"):
                token = as_text(dig(space, "token"))
                if not token:
                    continue
                detail = await self.get(
                    f"{API}/spaces/{segment(token, 'space')}/",
                    what=f"space `{token}`",
                    ttl_s=300,
                    headers=headers,
                )
                inner = detail.get("data", detail) if isinstance(detail, dict) else {}
                for agent in as_list(as_dict(inner).get("agents")):
                    handle = as_text(dig(agent, "handle"))
                    if handle:
                        mapping.setdefault(handle, token)
        except (ProviderError, ConfigError) as exc:
            log.debug("Unpod space discovery skipped: %s", type(exc).__name__)
        self._agent_spaces, self._agent_spaces_at = mapping, time.monotonic()
        return mapping

    async def space_for(self, agent: str | None, space: str | None) -> str | None:
        if space:
            return space
        if agent:
            found = (await self.agent_spaces()).get(agent)
            if found:
                return found
        return self.account.space_token

    # --- agents -----------------------------------------------------------------------------------

    async def agents_page(self, token: str | None, search: str | None) -> ProviderPage[Agent]:
        headers = await self._org_headers()
        body = await self.get(f"{API}/agents/", what="the agents", ttl_s=60, headers=headers)
        spaces = await self.agent_spaces()
        agents = []
        for raw in _data(body, self.account.name, "agents"):
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
        return ProviderPage(items=agents, token=token, next_token=None, total=len(agents))

    # --- executions -------------------------------------------------------------------------------

    async def executions_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Execution]:
        source = token[0] if token and token[0] in "AS" else None
        inner = token[1:] if token and source else token
        if query.agent and not query.space and source != "S":
            try:
                raw = await self._page(
                    f"{API}/agents/{segment(query.agent, 'agent')}/executions/",
                    inner,
                    f"executions of agent `{query.agent}`",
                    headers=await self._org_headers(),
                )
            except NotFoundError as exc:
                if not exc.endpoint_missing:
                    raise
            else:
                space_hint = await self.space_for(query.agent, None)
                runs = [self._execution(item, query.agent, space_hint) for item in raw.items]
                return ProviderPage(runs, token, f"A{raw.next_token}" if raw.next_token else None, raw.count)
            inner = None  # fall back to the space's runs, from the first page
        space = query.space or await self.space_for(query.agent, None)
        if not space:
            raise InputError(
                "Unpod executions need `agent` (an agent handle from list_agents) or `space` (a space token). "
                "This host has no per-agent executions endpoint, so pass `space` or set UNPOD_SPACE_TOKEN."
                if query.agent
                else "Unpod executions need `agent` (an agent handle from list_agents) or `space` (a space token)."
            )
        page = await self._space_runs(query, space, inner)
        if query.agent and not query.space:
            page.note = f"This Unpod host has no per-agent executions endpoint; these are all runs of space `{space}`."
        return page

    async def _space_runs(self, query: ExecutionQuery, space: str, token: str | None) -> ProviderPage[Execution]:
        raw = await self._page(f"{API}/spaces/{segment(space, 'space')}/runs/", token, f"runs of space `{space}`")
        runs = [self._execution(item, None, space) for item in raw.items]
        return ProviderPage(runs, token and f"S{token}", f"S{raw.next_token}" if raw.next_token else None, raw.count)

    def _execution(self, raw: dict[str, Any], agent: str | None, space: str | None) -> Execution:
        run_id = as_text(raw.get("run_id")) or as_text(raw.get("_id")) or "?"
        space = _space_of(raw) or space
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
            ref=make_ref(self.name, "run", r=run_id, a=agent, s=space),
        )

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
        token: str | None = None
        for _ in range(SCAN_PAGES_MAX):
            page = await self._page(path, token, f"tasks of agent `{agent}`")
            for item in page.items:
                task_id = as_text(item.get("task_id"))
                if task_id in wanted:
                    retry = as_int(item.get("retry_attempt"))
                    found[task_id] = Explained(
                        reason=as_text(first(item.get("last_failure_reason"), dig(item, "output", "error")), 300),
                        attempts=retry + 1 if retry is not None else None,
                    )
            token = page.next_token
            if len(found) == len(wanted) or token is None:
                break
            if oldest and newest_first_exhausted((parse_time(i.get("created")) for i in page.items), oldest):
                break
        return found

    # --- tasks ------------------------------------------------------------------------------------

    async def tasks_page(self, query: RunQuery, token: str | None) -> ProviderPage[Task]:
        found = await self._space_run_page(query, token, self.page_size)
        if found is not None:
            raw, space = found
            tasks = [self._task(item, query.run_id, space, query.agent, f"r{raw.number}") for item in raw.items]
            return ProviderPage(tasks, token, raw.next_token, raw.count, rest_tokens=raw.rest_tokens)
        items, next_token, number = await self._agent_run_page(query, token)
        tasks = [self._task(item, query.run_id, _space_of(item), query.agent, f"a{number}") for item in items]
        return ProviderPage(tasks, token, next_token, None)  # the agent's count is not this run's: no total

    async def _space_run_page(self, query: RunQuery, token: str | None, size: int) -> tuple[_RawPage, str] | None:
        """A page of the run's tasks from its space's run-task list, or ``None`` to search the agent's tasks.

        The space is `space`, the agent's space (from the space listings) or the account's default space.
        Without one, or when the run is not in that space, the agent's own task list is searched for the
        run instead (its tokens start with ``a``).
        """
        if token and token.startswith("a"):
            return None
        space = query.space or await self.space_for(query.agent, None)
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
        except NotFoundError:
            if query.space or not query.agent or token:
                raise  # the caller named the space, or there is nothing else to search
            return None
        return raw, space

    async def _agent_run_page(self, query: RunQuery, token: str | None) -> tuple[list[dict[str, Any]], str | None, int]:
        """The run's tasks on one page of the agent's task list: (items, next token, page number)."""
        if not query.agent:
            raise InputError(
                "Unpod needs the run's space to list its tasks: pass `space` (the space token), or `agent` "
                "(its tasks are then searched for this run), or the `ref` of the run from list_agent_executions; "
                "or set UNPOD_SPACE_TOKEN."
            )
        segment(query.run_id, "run_id")
        inner = token[1:] if token and token.startswith("a") else None
        raw = await self._page(
            f"{API}/agents/{segment(query.agent, 'agent')}/tasks/", inner, f"tasks of agent `{query.agent}`"
        )
        items = [item for item in raw.items if as_text(item.get("run_id")) == query.run_id]
        return items, f"a{raw.next_token}" if raw.next_token else None, raw.number

    def _task(self, raw: dict[str, Any], run_id: str | None, space: str | None, agent: str | None, page: str) -> Task:
        core = _core(raw)
        output, post = core.output, core.post
        task_id = core.task_id
        run = as_text(raw.get("run_id")) or run_id
        space = _space_of(raw) or space
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
            contact=_contact(as_dict(raw.get("input")), output),
            created_at=parse_time(raw.get("created")),
            started_at=started,
            ended_at=ended,
            duration_s=core.duration if core.duration is not None else seconds_between(started, ended),
            end_reason=core.end_reason,
            outcome=core.outcome,
            summary=_summary(output, post),
            failure_reason=core.failure,
            attempts=core.attempts,
            cost_usd=core.cost,
            tokens=core.tokens,
            call_id=as_text(first(output.get("call_id"), output.get("id") if "assistantId" in output else None)),
            call_status=core.call_status,
            has_transcript=_has_transcript(output),
            recording_url=as_text(first(output.get("recording_url"), output.get("recordingUrl"))),
            details=details or None,
            ref=self._task_ref(task_id, run, space, agent, page),
        )

    def _task_ref(self, task_id: str, run: str | None, space: str | None, agent: str | None, page: str) -> str:
        # The space locates the task on its own; the agent's task list is the fallback without one.
        return make_ref(self.name, "task", t=task_id, r=run, s=space, a=None if space else agent, p=page)

    def _tally(
        self,
        raw: dict[str, Any],
        run_id: str | None,
        space: str | None,
        agent: str | None,
        page: str,
        timed: bool = True,
    ) -> Tally:
        """The health-report view of a raw task: the same values :meth:`_task` maps, minus presentation.

        ``timed=False`` (one run's report) reads the time of failed tasks only: nothing else needs it.
        """
        core = _core(raw)
        duration = core.duration
        if duration is None:
            output = core.output
            duration = seconds_between(
                parse_time(first(output.get("start_time"), output.get("startedAt"))),
                parse_time(first(output.get("end_time"), output.get("endedAt"))),
            )
        ref = ""
        failed = core.status is Status.FAILED
        if failed:  # refs serve as examples of failures only
            run = as_text(raw.get("run_id")) or run_id
            ref = self._task_ref(core.task_id, run, _space_of(raw) or space, agent, page)
        at = None
        if timed or failed:
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
        )

    async def tally_page(self, query: RunQuery, token: str | None) -> ProviderPage[Tally]:
        found = await self._space_run_page(query, token, self.scan_page_size)
        if found is not None:
            raw, space = found
            page = f"r{raw.number}"
            tallies = [self._tally(item, query.run_id, space, query.agent, page, timed=False) for item in raw.items]
            return ProviderPage(tallies, token, raw.next_token, raw.count, rest_tokens=raw.rest_tokens)
        items, next_token, number = await self._agent_run_page(query, token)
        tallies = [self._tally(item, query.run_id, _space_of(item), query.agent, f"a{number}") for item in items]
        return ProviderPage(tallies, token, next_token, None)

    async def activity_tally_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Tally]:
        agent = self.require(query.agent, "agent", "an agent's calls over a window are read from its tasks.")
        path = f"{API}/agents/{segment(agent, 'agent')}/tasks/"
        raw = await self._page(path, token, f"tasks of agent `{agent}`", size=self.scan_page_size)
        tallies = [self._tally(item, None, _space_of(item), agent, f"a{raw.number}") for item in raw.items]
        next_token = raw.next_token
        if next_token and newest_first_exhausted((t.at for t in tallies), query.since):
            next_token = None  # newest first: everything after this page is older than the window
        return ProviderPage(tallies, token, next_token, None)

    # --- conversations ----------------------------------------------------------------------------

    def call_query(self, ref: Ref | None, args: CallArgs) -> CallQuery:
        if ref is not None and ref.kind == "run":
            raise InputError(
                "An Unpod run holds many calls: pass the `ref` of one task (from get_run_tasks), not of the run."
            )
        return super().call_query(ref, args)

    def open_call_hint(self, run_id: str, agent: str | None, space: str | None) -> str:
        where = f', space="{space}"' if space else (f', agent="{agent}"' if agent else "")
        return f'get_call_transcript(provider="{self.name}", run_id="{run_id}"{where}, task_id=<task_id>)'

    async def conversation(self, query: CallQuery) -> Conversation:
        if query.task_id:
            raw, run_query = await self._find_task(query)
            return self._conversation(raw, run_query)
        if query.call_id:
            return await self._call_by_id(query)
        raise InputError("Pass `task_id` (with `run_id` and `space`, or `agent`), `call_id`, or a task's `ref`.")

    async def _find_task(self, query: CallQuery) -> tuple[dict[str, Any], RunQuery]:
        task_id = query.task_id or ""
        segment(task_id, "task_id")
        space = query.space or (None if query.agent else self.account.space_token)
        if space and query.run_id:
            path = f"{API}/spaces/{segment(space, 'space')}/runs/{segment(query.run_id, 'run_id')}/tasks/"
            where = f"run `{query.run_id}` in space `{space}`"
            hint_page = _hint(query.page_hint, "r")
        elif query.agent:
            path = f"{API}/agents/{segment(query.agent, 'agent')}/tasks/"
            where = f"the tasks of agent `{query.agent}`"
            hint_page = _hint(query.page_hint, "a")
        else:
            raise InputError(
                "To find an Unpod task, pass `run_id` with `space` (or set UNPOD_SPACE_TOKEN), or `agent`; "
                "or pass the task's `ref` from get_run_tasks."
            )
        run_query = RunQuery(run_id=query.run_id or "", agent=query.agent, space=space if query.run_id else None)
        if hint_page is not None:
            page = await self._page(path, f"{hint_page}.0.", f"tasks of {where}", ttl_s=TASKS_TTL)
            for item in page.items:
                if as_text(item.get("task_id")) == task_id:
                    return item, run_query
        token: str | None = None
        for _ in range(SCAN_PAGES_MAX):
            page = await self._page(path, token, f"tasks of {where}")
            for item in page.items:
                if as_text(item.get("task_id")) == task_id:
                    return item, run_query
            token = page.next_token
            if token is None:
                break
        raise NotFoundError(
            self.account.name,
            self.kind,
            f"task `{task_id}` is not among {where}.",
            hint="Check the task id and its run/agent; get_run_tasks lists them with refs.",
        )

    async def _call_by_id(self, query: CallQuery) -> Conversation:
        call_id = query.call_id or ""
        if query.agent:
            path = f"{API}/agents/{segment(query.agent, 'agent')}/tasks/"
            token: str | None = None
            for _ in range(SCAN_PAGES_MAX):
                page = await self._page(path, token, f"tasks of agent `{query.agent}`")
                for item in page.items:
                    if as_text(dig(item, "output", "call_id")) == call_id:
                        return self._conversation(item, RunQuery(run_id="", agent=query.agent))
                token = page.next_token
                if token is None:
                    break
            raise NotFoundError(
                self.account.name,
                self.kind,
                f"no task of agent `{query.agent}` has call `{call_id}`.",
                hint="Check the call id; get_run_tasks shows each task's call_id.",
            )
        # The speech plane (known from Unpod's Python SDK, not from the REST docs) reads one call by id.
        body = await self.get(
            f"{API}/speech/v1/calls/{segment(call_id, 'call_id')}",
            what=f"call `{call_id}`",
            ttl_s=TTL_FINISHED_S,
        )
        raw = body.get("data", body) if isinstance(body, dict) else {}
        raw = as_dict(raw)
        task_like = {"task_id": raw.get("task_id"), "run_id": raw.get("run_id"), "status": raw.get("status")}
        task_like["output"] = {**raw, "call_id": first(raw.get("call_id"), raw.get("id"), call_id)}
        return self._conversation(task_like, RunQuery(run_id=as_text(raw.get("run_id")) or ""))

    def _conversation(self, raw: dict[str, Any], run_query: RunQuery) -> Conversation:
        task = self._task(raw, run_query.run_id or None, run_query.space, run_query.agent, "")
        output = as_dict(raw.get("output"))
        transcript = first(
            output.get("transcript"),
            output.get("messages"),
            dig(output, "artifact", "messages"),
            dig(output, "artifact", "transcript"),
        )
        turns = turns_from_any(transcript, task.started_at)
        call = Call(
            call_id=task.call_id,
            task_id=task.task_id if task.task_id != "?" else None,
            run_id=task.run_id,
            agent_id=run_query.agent,
            status=task.status,
            provider_status=task.provider_status,
            direction=as_text(first(output.get("call_type"), output.get("type"))),
            contact=task.contact,
            started_at=task.started_at,
            ended_at=task.ended_at,
            duration_s=task.duration_s,
            end_reason=task.end_reason,
            outcome=task.outcome,
            summary=task.summary,
            recording_url=task.recording_url,
            cost_usd=task.cost_usd,
            ref=make_ref(self.name, "call", **parse_ref(task.ref).fields),
        )
        return Conversation(call=call, turns=turns)


# --- pure helpers ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Core:
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


def _core(raw: dict[str, Any]) -> _Core:
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
    return _Core(
        task_id=as_text(first(raw.get("task_id"), raw.get("_id"))) or "?",
        word=word,
        status=status,
        kind=as_text(raw.get("execution_type")),
        output=output,
        post=post,
        duration=as_float(output.get("duration")),
        failure=as_text(first(raw.get("last_failure_reason"), output.get("error")), 300),
        end_reason=as_text(first(output.get("call_end_reason"), output.get("endedReason"))),
        outcome=_outcome(output, post),
        attempts=attempts,
        cost=_cost(output),
        tokens=_tokens(output),
        call_status=as_text(first(output.get("call_status"), output.get("status"))),
    )


def _decode_token(token: str | None) -> tuple[int, int, str]:
    if not token:
        return 1, 0, ""
    parts = token.split(".", 2)
    try:
        number = int(parts[0])
        seen = int(parts[1]) if len(parts) > 1 and parts[1] else 0
    except ValueError:
        raise InputError("`cursor` does not belong to an Unpod listing; omit it to start again.") from None
    if number < 1 or number > 100_000:
        raise InputError("`cursor` points outside the listing; omit it to start again.")
    return number, max(0, seen), parts[2] if len(parts) > 2 else ""


def _mark(item: dict[str, Any]) -> str:
    key = str(first(item.get("task_id"), item.get("run_id"), item.get("_id"), item.get("handle")) or item)
    return hashlib.sha1(key.encode()).hexdigest()[:6]


def _hint(page_hint: str | None, source: str) -> int | None:
    if page_hint and page_hint.startswith(source) and page_hint[1:].isdigit():
        return int(page_hint[1:])
    return None


def _data(body: Any, account: str, what: str) -> list[Any]:
    """The ``data`` list of an Unpod envelope (or a bare list)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, list):
            return data
        if data is None or data == {}:
            return []
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            return data["results"]
    from agent_runs_mcp.errors import BadResponseError

    raise BadResponseError(
        account,
        "unpod",
        f"answered {what} without a `data` list.",
        hint="The host may not be an Unpod API; check the base URL.",
    )


def _space_of(raw: dict[str, Any]) -> str | None:
    ref = as_text(raw.get("collection_ref"))
    if ref and ref.startswith(COLLECTION_PREFIX) and len(ref) > len(COLLECTION_PREFIX):
        return ref[len(COLLECTION_PREFIX) :]
    return None


def _contact(inp: dict[str, Any], output: dict[str, Any]) -> str | None:
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


def _outcome(output: dict[str, Any], post: dict[str, Any]) -> str | None:
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


def _summary(output: dict[str, Any], post: dict[str, Any]) -> str | None:
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


def _cost(output: dict[str, Any]) -> float | None:
    cost = as_float(output.get("cost"))
    if cost is None:
        cost = as_float(dig(output, "metadata", "cost"))
    if cost is None:
        cost = as_float(dig(output, "costBreakdown", "total"))
    return cost


def _tokens(output: dict[str, Any]) -> int | None:
    breakdown = as_dict(output.get("costBreakdown"))
    prompt = as_int(breakdown.get("llmPromptTokens"))
    completion = as_int(breakdown.get("llmCompletionTokens"))
    if prompt is None and completion is None:
        usage = as_dict(dig(output, "metadata", "usage"))
        return as_int(first(usage.get("total_tokens"), usage.get("tokens")))
    return (prompt or 0) + (completion or 0)


def _has_transcript(output: dict[str, Any]) -> bool:
    return bool(
        first(
            output.get("transcript"),
            output.get("messages"),
            dig(output, "artifact", "messages"),
            dig(output, "artifact", "transcript"),
        )
    )
