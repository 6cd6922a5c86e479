"""The one small interface every provider adapter implements.

An adapter fetches **one provider page per call** and maps it into the domain
model; walking pages, filtering and budgeting is the tools' job. Each page
method returns a :class:`~agent_runs_mcp.domain.ProviderPage` whose
``next_token`` (opaque to everybody but the adapter) fetches the next page.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from agent_runs_mcp.domain import (
    FINISHED_STATUSES,
    Agent,
    Conversation,
    Execution,
    ProviderPage,
    Status,
    Tally,
    Task,
)
from agent_runs_mcp.errors import InputError, ProviderError
from agent_runs_mcp.providers.account import Account
from agent_runs_mcp.providers.cache import ResponseCache, Ttl
from agent_runs_mcp.providers.facts import WindowFacts
from agent_runs_mcp.providers.platform import normalize_status
from agent_runs_mcp.providers.queries import (  # also named from here by the adapters and tools
    CallArgs,
    CallOpening,
    CallQuery,
    CallScope,
    ExecutionQuery,
    Explained,
    Failure,
    RunQuery,
)
from agent_runs_mcp.providers.retry import DEFAULT_RETRY, RetryPolicy
from agent_runs_mcp.refs import Ref, make_ref, parse_ref, pick
from agent_runs_mcp.shared import SharedStore

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

# Cache lifetimes: lists and anything in flight change, finished things do not.
TTL_LIST_S = 15.0
TTL_FINISHED_S = 600.0


def ttl_by_status(words: Callable[[Any], Iterable[object]], table: dict[str, Status]) -> Callable[[Any], float]:
    """A cache lifetime chosen from the answer: long when every status in it is final, short otherwise."""

    def ttl(body: Any) -> float:
        try:
            found = [normalize_status(table, word) for word in words(body)]
        except (AttributeError, TypeError):
            return TTL_LIST_S
        return TTL_FINISHED_S if found and all(s in FINISHED_STATUSES for s in found) else TTL_LIST_S

    return ttl


READ_CONCURRENCY = 4
"""Conversations one search reads at once where the provider lists them without their turns."""


EXPLAIN_MAX = 100
"""Most failures whose detail one report fetches (each is one or two extra requests)."""


class JsonGet(Protocol):
    """An adapter's bound :meth:`Provider.get`: what its composed members (Unpod's space directory and
    speech plane) are given to read with, so they hold the getter instead of being mixed into the adapter."""

    async def __call__(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        what: str,
        ttl_s: Ttl = 0.0,
        headers: dict[str, str] | None = None,
    ) -> Any: ...


class Provider(ABC):
    """Base of the Unpod, Runtype and Modus adapters."""

    kind: ClassVar[str]
    page_size: ClassVar[int] = 50

    def __init__(
        self,
        account: Account,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        cache: ResponseCache | None = None,
        shared: SharedStore | None = None,
    ) -> None:
        self.account = account
        from agent_runs_mcp.providers.client import ProviderHTTP  # the HTTP stack loads with the first adapter

        self.http = ProviderHTTP(
            account,
            headers=self.auth_headers(),
            read_error=self.read_error,
            check_body=self.check_body,
            transport=transport,
            retry=retry,
            cache=cache,
            shared=shared,
        )

    @property
    def name(self) -> str:
        return self.account.name

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- HTTP -------------------------------------------------------------------------------------

    @abstractmethod
    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate every request of this account."""

    def bearer(self) -> dict[str, str]:
        """``Authorization: Bearer <the account's token>``, for adapters whose provider takes that."""
        return {"Authorization": f"Bearer {self.account.token.get_secret_value() if self.account.token else ''}"}

    @staticmethod
    @abstractmethod
    def read_error(body: Any) -> str | None:
        """The provider's own error message from an error body, if it has one."""

    async def get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        what: str,
        ttl_s: Ttl = 0.0,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """GET a JSON document; adapters override :meth:`check_body` for in-band errors."""
        _status, body = await self.http.get_json(path, params, what=what, ttl_s=ttl_s, headers=headers)
        return body

    def check_body(self, status: int, body: Any, what: str) -> None:  # noqa: B027 - optional hook
        """Raise for errors a provider reports with a 2xx status (Unpod's 206). Default: none."""

    # --- reads ------------------------------------------------------------------------------------

    @abstractmethod
    async def agents_page(self, token: str | None, search: str | None) -> ProviderPage[Agent]:
        """One page of agents."""

    @abstractmethod
    async def executions_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Execution]:
        """One page of an agent's executions."""

    @abstractmethod
    async def tasks_page(self, query: RunQuery, token: str | None) -> ProviderPage[Task]:
        """One page of a run's tasks."""

    @abstractmethod
    async def conversation(self, query: CallQuery) -> Conversation:
        """The conversation of one call, task or execution, with all turns in order."""

    activity_noun: ClassVar[str] = "executions"
    """What :meth:`activity_tally_page` counts, for reports ("executions", "call tasks")."""

    # Health reports read every item: these give each item's tally. Adapters with large pages override
    # them to tally straight from the provider's JSON, without building the full domain objects.

    async def tally_page(self, query: RunQuery, token: str | None) -> ProviderPage[Tally]:
        """One page of a run's tasks, as tallies."""
        return _tallied(await self.tasks_page(query, token))

    async def activity_tally_page(self, query: ExecutionQuery, token: str | None) -> ProviderPage[Tally]:
        """One page of an agent's activity over a window, as tallies: its executions by default."""
        return _tallied(await self.executions_page(query, token))

    async def explain_failures(self, failures: list[Failure], run: RunQuery | None) -> dict[str, Explained]:
        """Look up the specific reason of failures whose listing only says something generic.

        The default has nothing more to read. Adapters whose lists leave the
        reason out (Unpod's run tasks, Runtype's executions, Modus's runs) read it
        from where the provider keeps it.
        """
        return {}

    async def window_facts(self, agent: str, since: datetime, until: datetime) -> WindowFacts | None:
        """The platform's own aggregates for an agent's window (usage, per-tool figures, see
        :mod:`.facts`); ``None``: this platform has none. Optional: failures become notes."""
        return None

    # --- how refs and arguments become queries ---------------------------------------------------

    def call_query(self, ref: Ref | None, args: CallArgs) -> CallQuery:
        """Which conversation a ref and/or explicit ids mean. Default: a task (or call) inside a run.

        Explicit arguments that contradict the ref are refused (:func:`~agent_runs_mcp.refs.pick`).
        """
        task = pick(args.task_id, ref, "t", "task_id")
        return CallQuery(
            task_id=task,
            call_id=None if task else pick(args.call_id, ref, "c", "call_id"),
            run_id=pick(args.run_id, ref, "r", "run_id"),
            space=pick(args.space, ref, "s", "space"),
            agent=pick(args.agent, ref, "a", "agent"),
            page_hint=ref.get("p") if ref else None,
        )

    def call_opening(self, run_id: str, agent: str | None, space: str | None) -> CallOpening:
        """Which arguments read one of a run's conversations (the tools spell out the call)."""
        return CallOpening((("call_id", run_id), *((("agent", agent),) if agent else ())), reads="run")

    def no_cost_note(self, what: str) -> str:
        """The one note a result carries when none of its finished items has a cost (``what``: "executions",
        "tasks", "call tasks"): absent data is said to be absent, once. A page's own ``cost_note`` (the
        adapter knows why, e.g. an optional look-up failed) is shown instead; adapters may say it better."""
        return f"{self.account.label} reports no cost for {what} on this host."

    def facts(self) -> dict[str, str]:
        """What ``list_providers`` says about the account besides its name and host (no network)."""
        facts = {}
        if self.account.org_handle:
            facts["org"] = self.account.org_handle
        if self.account.space_token:
            facts["default space"] = self.account.space_token
        return facts

    async def explain_each(
        self, failures: list[Failure], explain: Callable[[Failure], Awaitable[str | None]]
    ) -> dict[str, Explained]:
        """Run ``explain`` for up to :data:`EXPLAIN_MAX` failures, as many at a time as the account allows.

        Explanations are optional look-ups: one that fails (404, 5xx, timeout) leaves that
        failure's generic reason as it was instead of failing the report.
        """
        limit = asyncio.Semaphore(self.account.max_concurrency)

        async def one(failure: Failure) -> tuple[str, Explained] | None:
            async with limit:
                try:
                    reason = await explain(failure)
                except ProviderError as exc:
                    log.debug("%s: no explanation for %s: %s", self.name, failure.item_id, type(exc).__name__)
                    return None
            return (failure.item_id, Explained(reason=reason)) if reason else None

        results = await asyncio.gather(*(one(f) for f in failures[:EXPLAIN_MAX]))
        return dict(r for r in results if r is not None)

    # --- calls in bulk, for searches --------------------------------------------------------------

    async def conversations_page(self, scope: CallScope, token: str | None) -> ProviderPage[Conversation]:
        """One page of the conversations in ``scope``.

        The default lists the scope a page at a time (a run's tasks that have a transcript, or an agent's
        executions) and reads each conversation, a few at once; one that cannot be read is left out and
        counted in the page's note. Adapters whose lists carry the turns override this (Unpod).
        """
        if scope.run is not None:
            tasks = await self.tasks_page(scope.run, token)
            refs, listed = [t.ref for t in tasks.items if t.has_transcript], tasks
        else:
            assert scope.window is not None
            runs = await self.executions_page(scope.window, token)
            refs, listed = [r.ref for r in runs.items], runs
        found = await self.read_conversations(refs)
        note = listed.note
        if len(found) < len(refs):
            note = f"{len(refs) - len(found)} conversation(s) could not be read and were not searched."
        return ProviderPage(found, token, listed.next_token, listed.total, note, listed.rest_tokens)

    async def read_conversations(self, refs: list[str]) -> list[Conversation]:
        """The conversations ``refs`` locate, read ``READ_CONCURRENCY`` at a time; failures are skipped."""
        limit = asyncio.Semaphore(READ_CONCURRENCY)

        async def read(ref: str) -> Conversation | None:
            async with limit:
                try:
                    return await self.conversation(self.call_query(parse_ref(ref), CallArgs()))
                except ProviderError as exc:
                    log.debug("%s: conversation not read: %s", self.name, type(exc).__name__)
                    return None

        results = await asyncio.gather(*(read(ref) for ref in refs))
        return [c for c in results if c is not None]

    async def check(self) -> str:
        """A cheap authenticated call for ``doctor``; returns what it saw."""
        page = await self.agents_page(None, None)
        more = "+" if page.next_token else ""
        facts = "".join(f"; {key} {value}" for key, value in self.facts().items())
        return f"{len(page.items)}{more} agent(s) visible{facts}"

    # --- helpers for adapters ---------------------------------------------------------------------

    def require(self, value: str | None, argument: str, why: str) -> str:
        if not value:
            raise InputError(f"`{argument}` is required for {self.account.label}: {why}")
        return value


class RunConversationProvider(Provider):
    """Base of the platforms whose conversation is the run itself (Runtype executions, Modus runs)."""

    run_noun: ClassVar[str] = "run"

    def call_query(self, ref: Ref | None, args: CallArgs) -> CallQuery:
        """A run's ref means its own conversation; a task ref points at its run (or, for a sub-agent
        task, at that sub-agent's own execution)."""
        if ref is None:
            return super().call_query(ref, args)
        own_exec = ref.kind == "task" and ref.get("k") == "exec"
        target = ref.get("c") or (ref.get("t") if own_exec else ref.get("r"))
        return CallQuery(call_id=(args.call_id or "").strip() or target, agent=pick(args.agent, ref, "a", "agent"))

    def call_opening(self, run_id: str, agent: str | None, space: str | None) -> CallOpening:
        return CallOpening((("call_id", run_id), *((("agent", agent),) if agent else ())), reads=self.run_noun)

    async def conversations_page(self, scope: CallScope, token: str | None) -> ProviderPage[Conversation]:
        """A run's conversation is the run itself: one page of one (sub-agents are searched on their own)."""
        if scope.run is None:
            return await super().conversations_page(scope, token)
        ref = make_ref(self.name, "run", r=scope.run.run_id, a=scope.run.agent)
        return ProviderPage(await self.read_conversations([ref]), token, None, 1)


def _tallied(page: ProviderPage[Any]) -> ProviderPage[Tally]:
    return ProviderPage(
        [Tally.of(item) for item in page.items],
        page.token,
        page.next_token,
        page.total,
        page.note,
        page.rest_tokens,
        page.slices,
        page.settled,
        page.cost_note,
    )
