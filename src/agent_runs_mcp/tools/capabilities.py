"""What the tools ask an adapter beyond the core reads: its capability when it has one, else the default.

An adapter (:class:`~agent_runs_mcp.providers.base.Provider`) is a small core reader; what else it
can do is an optional capability (:mod:`agent_runs_mcp.providers.capabilities`). Every function here
asks for one: if the adapter has it, its answer is used; if not, the generic default is built from
the core reads. The tools call these, never the optional methods themselves, so a platform that
implements only the core works through every tool. Where the adapter answers with facts, the
sentence is written here.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from agent_runs_mcp.domain import Conversation, ProviderPage, Tally, Task
from agent_runs_mcp.errors import ProviderError
from agent_runs_mcp.providers.base import READ_CONCURRENCY, Provider
from agent_runs_mcp.providers.capabilities import (
    AccountFacts,
    ActivityTallies,
    AgentTasks,
    BulkConversations,
    CallRefs,
    CostReasons,
    FailureExplanations,
    RunIsConversation,
    RunTallies,
    WindowFactsReader,
    tallied,
)
from agent_runs_mcp.providers.facts import WindowFacts
from agent_runs_mcp.providers.jsonread import newest_first_exhausted
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
from agent_runs_mcp.refs import Ref, parse_ref
from agent_runs_mcp.tools.arguments import in_window

log = logging.getLogger(__name__)


async def tally_page(adapter: Provider, query: RunQuery, token: str | None) -> ProviderPage[Tally]:
    """One page of a run's tasks, as tallies (default: the task page, tallied)."""
    if isinstance(adapter, RunTallies):
        return await adapter.tally_page(query, token)
    return tallied(await adapter.tasks_page(query, token))


async def activity_tally_page(adapter: Provider, query: ExecutionQuery, token: str | None) -> ProviderPage[Tally]:
    """One page of an agent's activity over a window, as tallies (default: its executions, tallied)."""
    if isinstance(adapter, ActivityTallies):
        return await adapter.activity_tally_page(query, token)
    return tallied(await adapter.executions_page(query, token))


def activity_noun(adapter: Provider) -> str:
    """What :func:`activity_tally_page` counts, for reports ("executions", "call tasks")."""
    return adapter.activity_noun if isinstance(adapter, ActivityTallies) else "executions"


WINDOW_RUNS_PER_PAGE = 10
"""Runs whose tasks one page of the default agent-window task read holds (each run is one or more requests)."""
RUN_PAGES_MAX = 5
"""Pages of one run's tasks that read follows; a longer run is said to be cut in the page's note."""


async def agent_tasks_page(
    adapter: Provider, query: ExecutionQuery, token: str | None, cut: list[int] | None = None
) -> ProviderPage[Task]:
    """One page of an agent's tasks over a window, across its runs.

    Where the platform lists an agent's tasks across runs (Unpod), one read a page. Otherwise (the
    default) the agent's runs of the window are listed and each run's tasks read, a few runs at once,
    :data:`WINDOW_RUNS_PER_PAGE` runs a page: the page token is ``<run offset>|<executions token>``, so a
    cursor resumes inside a page of runs. A run is in the window when it started in it, and so are its tasks;
    a run that has not started is counted in the page's note. The walk ends at the first page of runs
    (newest first) that is all before the window (a platform's run list may ignore ``since``). ``cut[0]``
    counts the runs whose tasks were cut at :data:`RUN_PAGES_MAX` pages.
    """
    if isinstance(adapter, AgentTasks):
        page = await adapter.agent_tasks_page(query, token)
        if page is not None:
            return page
    offset_text, _sep, inner = (token or "0|").partition("|")
    offset = int(offset_text) if offset_text.isdigit() else 0
    runs_page = await adapter.executions_page(query, inner or None)
    runs = [r for r in runs_page.items if in_window(r.started_at, query.since, query.until)]
    chosen = runs[offset : offset + WINDOW_RUNS_PER_PAGE]
    limit = asyncio.Semaphore(READ_CONCURRENCY)

    async def read_run(run_ref: str, run_id: str) -> tuple[list[Task], bool]:
        tasks: list[Task] = []
        tok: str | None = None
        async with limit:
            for _ in range(RUN_PAGES_MAX):
                page = await adapter.tasks_page(_run_of(run_ref, run_id, query.agent), tok)
                tasks += page.items
                tok = page.next_token
                if not tok:
                    return tasks, False
        return tasks, True

    read = await asyncio.gather(*(read_run(r.ref, r.run_id) for r in chosen))
    more = runs_page.next_token
    if more and newest_first_exhausted((r.started_at for r in runs_page.items), query.since):
        more = None  # newest first: every later page of runs is older than the window
    if offset + WINDOW_RUNS_PER_PAGE < len(runs):
        next_token: str | None = f"{offset + WINDOW_RUNS_PER_PAGE}|{inner}"
    else:
        next_token = f"0|{more}" if more else None
    longer = sum(1 for _tasks, longer in read if longer)
    if cut is not None:
        cut[0] += longer
    unstarted = sum(1 for r in runs_page.items if r.started_at is None) if offset == 0 else 0
    notes = [
        runs_page.note,
        f"Only the first {RUN_PAGES_MAX} pages of tasks of {longer} run(s) were read." if longer else None,
        f"{unstarted} run(s) had not started (no start time to place them in the window) and were left out."
        if unstarted
        else None,
    ]
    note = " ".join(n for n in notes if n) or None
    return ProviderPage([t for tasks, _ in read for t in tasks], token, next_token, None, note)


async def explain_failures(adapter: Provider, failures: list[Failure], run: RunQuery | None) -> dict[str, Explained]:
    """The specific reasons the adapter can read for failures listed generically (default: none)."""
    if isinstance(adapter, FailureExplanations) and failures:
        return await adapter.explain_failures(failures, run)
    return {}


async def window_facts(adapter: Provider, agent: str, since: datetime, until: datetime) -> WindowFacts | None:
    """The platform's own aggregates for an agent's window; ``None``: it has none."""
    if isinstance(adapter, WindowFactsReader):
        return await adapter.window_facts(agent, since, until)
    return None


def call_query(adapter: Provider, ref: Ref | None, args: CallArgs) -> CallQuery:
    """Which conversation a ref and/or explicit ids mean (default: a task, or a call, inside a run)."""
    if isinstance(adapter, CallRefs):
        return adapter.call_query(ref, args)
    return call_query_of(ref, args)


def call_opening(adapter: Provider, run_id: str, agent: str | None, space: str | None) -> CallOpening:
    """Which arguments read one of a run's conversations (default: the run's id as the call id)."""
    if isinstance(adapter, CallRefs):
        return adapter.call_opening(run_id, agent, space)
    return CallOpening((("call_id", run_id), *((("agent", agent),) if agent else ())), reads="run")


def no_cost_note(adapter: Provider, what: str) -> str:
    """The one note a result carries when none of its finished items has a cost (``what``: "executions",
    "tasks", "call tasks", "this conversation"): absent data is said to be absent, once, with the why the
    adapter knows. A page's own ``cost_note`` is shown instead where there is one."""
    label = adapter.account.label
    facts = adapter.cost_facts(what) if isinstance(adapter, CostReasons) else None
    if facts is not None and facts.on_tasks:
        return (
            f"{label} reports no cost for {facts.items or what}; each {facts.on_tasks} carries its own (get_run_tasks)."
        )
    if facts is not None and facts.unit:
        per = facts.per or "agent"
        return (
            f"{label} reports no cost for {facts.items or what} in dollars: it counts {facts.unit} per {per} "
            f"(a {per}'s health report shows them as `usage`)."
        )
    return f"{label} reports no cost for {what} on this host."


def facts(adapter: Provider) -> dict[str, str]:
    """What ``list_providers`` says about the account besides its name and host (no network)."""
    return adapter.facts() if isinstance(adapter, AccountFacts) else {}


async def check(adapter: Provider) -> str:
    """A cheap authenticated call for ``doctor`` and the readiness probe; returns what it saw."""
    page = await adapter.agents_page(None, None)
    more = "+" if page.next_token else ""
    found = "".join(f"; {key} {value}" for key, value in facts(adapter).items())
    return f"{len(page.items)}{more} agent(s) visible{found}"


async def conversations_page(adapter: Provider, scope: CallScope, token: str | None) -> ProviderPage[Conversation]:
    """One page of the conversations in ``scope``.

    Adapters whose lists carry the turns answer in bulk (Unpod). Where a run is one conversation
    (Runtype, Modus), a run's scope is that one. Otherwise the scope is listed a page at a time (a run's
    tasks that have a transcript, or an agent's executions) and each conversation read, a few at once;
    one that cannot be read is left out and counted in the page's note.
    """
    if isinstance(adapter, BulkConversations):
        return await adapter.conversations_page(scope, token)
    if scope.run is not None and isinstance(adapter, RunIsConversation):
        return ProviderPage(
            await read_conversations(adapter, [adapter.run_conversation_ref(scope.run)]), token, None, 1
        )
    notes: list[str] = []
    if scope.run is not None:
        tasks = await adapter.tasks_page(scope.run, token)
        refs, listed = [t.ref for t in tasks.items if t.has_transcript], tasks
    else:
        assert scope.window is not None
        runs = await adapter.executions_page(scope.window, token)
        listed = runs
        if isinstance(adapter, RunIsConversation):
            refs = [r.ref for r in runs.items]
        else:  # a run holds calls: the first page of each run's tasks that have a transcript
            pages = await asyncio.gather(*(adapter.tasks_page(_run_of(r.ref, r.run_id), None) for r in runs.items))
            refs = [t.ref for page in pages for t in page.items if t.has_transcript]
            if longer := sum(1 for page in pages if page.next_token):
                notes.append(f"Only the first page of tasks of {longer} run(s) was searched.")
    found = await read_conversations(adapter, refs)
    if len(found) < len(refs):
        notes.append(f"{len(refs) - len(found)} conversation(s) could not be read and were not searched.")
    note = " ".join(notes) or listed.note
    return ProviderPage(found, token, listed.next_token, listed.total, note, listed.rest_tokens)


def _run_of(ref: str, run_id: str, agent: str | None = None) -> RunQuery:
    """The run a listed execution's ref locates (its agent, when the ref does not name one: ``agent``)."""
    fields = parse_ref(ref)
    return RunQuery(run_id=fields.get("r") or run_id, agent=fields.get("a") or agent, space=fields.get("s"))


async def read_conversations(adapter: Provider, refs: list[str]) -> list[Conversation]:
    """The conversations ``refs`` locate, read ``READ_CONCURRENCY`` at a time; failures are skipped."""
    limit = asyncio.Semaphore(READ_CONCURRENCY)

    async def read(ref: str) -> Conversation | None:
        async with limit:
            try:
                return await adapter.conversation(call_query(adapter, parse_ref(ref), CallArgs()))
            except ProviderError as exc:
                log.debug("%s: conversation not read: %s", adapter.name, type(exc).__name__)
                return None

    results = await asyncio.gather(*(read(ref) for ref in refs))
    return [c for c in results if c is not None]
