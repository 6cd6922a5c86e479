"""The one small interface every provider adapter implements.

An adapter fetches **one provider page per call** and maps it into the domain
model; walking pages, filtering and budgeting is the tools' job. Each page
method returns a :class:`~agent_runs_mcp.domain.ProviderPage` whose
``next_token`` (opaque to everybody but the adapter) fetches the next page.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from agent_runs_mcp.domain import (
    FINISHED_STATUSES,
    Agent,
    Conversation,
    Execution,
    ProviderPage,
    Status,
    Task,
)
from agent_runs_mcp.errors import InputError, Said
from agent_runs_mcp.providers.account import Account
from agent_runs_mcp.providers.cache import ResponseCache, Ttl
from agent_runs_mcp.providers.platform import normalize_status
from agent_runs_mcp.providers.queries import (
    CallArgs,
    CallOpening,
    CallQuery,
    CallScope,
    ExecutionQuery,
    Explained,
    Failure,
    RunQuery,
    call_query_of,
)
from agent_runs_mcp.providers.retry import DEFAULT_RETRY, RetryPolicy
from agent_runs_mcp.refs import Ref, make_ref, pick
from agent_runs_mcp.shared import SharedStore

if TYPE_CHECKING:
    import httpx

__all__ = [  # the query records are named from here too, by the adapters and the tools
    "READ_CONCURRENCY", "TTL_FINISHED_S", "TTL_LIST_S", "CallArgs", "CallOpening", "CallQuery", "CallScope",
    "ExecutionQuery", "Explained", "Failure", "JsonGet", "Provider", "RunConversationProvider", "RunQuery",
    "ttl_by_status",
]  # fmt: skip

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
    """The core reader every adapter is: agents, executions, tasks and one conversation, one provider page
    per call, with the HTTP plumbing those need. Anything more (tallies straight from JSON, failure
    explanations, bulk conversations, window facts, ref mapping, cost and account facts) is an optional
    capability (:mod:`.capabilities`) whose default lives on the tools' side."""

    kind: ClassVar[str]
    page_size: ClassVar[int] = 50

    CORE_READS: ClassVar[tuple[str, ...]] = ("agents_page", "executions_page", "tasks_page", "conversation")
    """The reads every adapter implements (tests/test_architecture.py keeps the core this small)."""

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

    # --- helpers for adapters ---------------------------------------------------------------------

    def require(self, value: str | None, argument: str, *why: Said) -> str:
        """``value``, or an input error naming the argument and why this platform needs it (``why`` may point at
        the :class:`~agent_runs_mcp.errors.Listing` that lists it: the tools name the tool)."""
        if not value:
            raise InputError(f"`{argument}` is required for {self.account.label}: ", *why)
        return value


class RunConversationProvider(Provider):
    """Base of the platforms whose conversation is the run itself (Runtype executions, Modus runs): it has the
    :class:`~.capabilities.CallRefs` and :class:`~.capabilities.RunIsConversation` capabilities."""

    run_noun: ClassVar[str] = "run"

    def call_query(self, ref: Ref | None, args: CallArgs) -> CallQuery:
        """A run's ref means its own conversation; a task ref points at its run (or, for a sub-agent
        task, at that sub-agent's own execution)."""
        if ref is None:
            return call_query_of(ref, args)
        own_exec = ref.kind == "task" and ref.get("k") == "exec"
        target = ref.get("c") or (ref.get("t") if own_exec else ref.get("r"))
        return CallQuery(call_id=(args.call_id or "").strip() or target, agent=pick(args.agent, ref, "a", "agent"))

    def call_opening(self, run_id: str, agent: str | None, space: str | None) -> CallOpening:
        return CallOpening((("call_id", run_id), *((("agent", agent),) if agent else ())), reads=self.run_noun)

    def run_conversation_ref(self, run: RunQuery) -> str:
        """A run's conversation is the run itself (sub-agents are searched on their own)."""
        return make_ref(self.name, "run", r=run.run_id, a=run.agent)
