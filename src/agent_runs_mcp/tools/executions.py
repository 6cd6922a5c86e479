"""Toolset `runs`, executions: one agent's (or space's), or, without either, every agent's of the account(s).

Fleet-wide, the listing merges every agent's executions newest first across agents (accounts as
configured, agents as each provider lists them; :mod:`.fleet_merge`), through the one listing pipeline:
the merged page's token holds each agent's own position, so a cursor resumes the merge exactly, on any
replica. Each item names its agent (and its account when every account is listed); an agent whose
executions cannot be read becomes a note and the merge goes on.
Failed executions listed with only a generic reason get the specific one (:mod:`.failures`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult

from agent_runs_mcp.domain import Execution, ProviderPage, Status, Waiting, meta
from agent_runs_mcp.timeutil import utcnow
from agent_runs_mcp.tools.arguments import DetailArg
from agent_runs_mcp.tools.common import (
    AgentArg,
    CursorArg,
    FreshArg,
    LimitArg,
    ProviderArg,
    SinceArg,
    SpaceArg,
    StatusArg,
    UntilArg,
    fmt_duration,
    fmt_money,
    in_window,
    parse_status,
    parse_window,
    registry_of,
    result,
    settings_of,
    short_time,
    tool_errors,
)
from agent_runs_mcp.tools.results import CONCISE_TEXT_CHARS, ListResult

if TYPE_CHECKING:
    from agent_runs_mcp.providers.base import ExecutionQuery, Provider
    from agent_runs_mcp.tools.sanitize import Sanitizer


class ListedExecution(Execution):
    """An execution as listed: fleet-wide it names its agent (and its account, when every account is listed)."""

    provider: str | None = None
    agent_id: str | None = None
    status: Status | None = None  # type: ignore[assignment]  # always set; left out when `item_defaults` says it


class ExecutionsResult(ListResult):
    agent: str | None = None
    space: str | None = meta()
    filters: dict[str, str] = meta(default_factory=dict, description="The filters applied, as understood.")
    agents: int | None = meta(description="Fleet-wide: agents in scope.")
    agents_read: int | None = meta(description="Fleet-wide: agents whose executions were read to the end so far.")
    item_defaults: dict[str, Any] = meta(
        default_factory=dict, description="Concise: the value of each of these fields on every item that leaves it out."
    )
    executions: list[ListedExecution]


@tool_errors
async def list_agent_executions(
    ctx: Context,
    provider: ProviderArg = None,
    agent: AgentArg = None,
    status: StatusArg = None,
    since: SinceArg = None,
    until: UntilArg = None,
    limit: LimitArg = 20,
    cursor: CursorArg = None,
    space: SpaceArg = None,
    detail: DetailArg = "concise",
    fresh: FreshArg = False,
) -> Annotated[CallToolResult, ExecutionsResult]:
    """List an agent's executions (runs): status, start, duration, task counts, cost, stop reason, why
    failed. Filter by status and since/until. Without `agent`: every agent's (of `provider`,
    else every account's), newest first. Unpod: `space` alone lists a space's runs."""
    # Loaded with the first call, not at start-up (tests/test_startup_imports.py).
    from agent_runs_mcp.providers.base import ExecutionQuery
    from agent_runs_mcp.tools.failures import explain_listed
    from agent_runs_mcp.tools.fleet_merge import FleetMerge
    from agent_runs_mcp.tools.hints import failed_tasks_hint, has_failed_tasks
    from agent_runs_mcp.tools.listing import ListSpec, dump, filters_of, list_page
    from agent_runs_mcp.tools.sanitize import Sanitizer
    from agent_runs_mcp.tools.scope import Member, account_adapters, members

    settings = settings_of(ctx)
    wanted = parse_status(status)
    start_at, end_at = parse_window(since, until)
    query = ExecutionQuery(
        agent=agent.strip() if agent and agent.strip() else None,
        space=space.strip() if space and space.strip() else None,
        status=wanted,
        since=start_at,
        until=end_at,
    )
    sanitizer = Sanitizer(settings.redact_pii)
    fleet_notes: list[str] = []
    walk: FleetMerge | None = None
    multi = False
    if query.agent or query.space:
        adapter = registry_of(ctx).get(provider)
        fetch = single_fetch(adapter, query)
        # The window as given (`30d`), not as resolved: a relative window moves with the clock between pages.
        fingerprinted: object = (query.agent, query.space, wanted, since, until)
    else:
        registry = registry_of(ctx)
        adapters = account_adapters(registry.get, registry.names, provider)
        found, fleet_notes = await members(adapters, sanitizer.text)
        multi = len(adapters) > 1

        def make(execution: Execution, member: Member) -> ListedExecution:
            account = member.adapter.name if multi else None
            return ListedExecution(**{**dict(execution), "agent_id": member.agent.id, "provider": account})

        walk = FleetMerge(found, query, ctx, sanitizer, make)
        fetch = walk.fetch
        adapter = adapters[0]
        # The window as given (`24h`), not as resolved: a relative window moves with the clock between pages.
        # With the agents in scope: a first page's cursor (which carries no merge state) is refused, not
        # misread, once an agent is added or removed.
        fingerprinted = ("every agent", [a.name for a in adapters], wanted, since, until, walk.digest)
    by_name = {m.adapter.name: m.adapter for m in walk.members} if walk else {}
    seen: Counter[str] = Counter()
    newest: list[datetime] = []
    partly: list[datetime | None] = []  # starts of runs that finished with failed tasks inside (not status="failed")

    def observe(item: Execution) -> None:
        seen[item.status.value] += 1
        if has_failed_tasks(item) and walk is None and in_window(item.started_at, start_at, end_at):
            partly.append(item.started_at)
        if item.started_at and (not newest or item.started_at > newest[0]):
            newest[:] = [item.started_at]

    def keep(item: Execution) -> bool:
        return (wanted is None or item.status == wanted) and in_window(item.started_at, start_at, end_at)

    def adapter_of(item: ListedExecution) -> Provider:
        return by_name.get(item.provider or "", adapter) if walk else adapter

    page = await list_page(
        adapter,
        ListSpec(
            what="executions",
            query=fingerprinted,
            limit=limit,
            fetch=fetch,
            keep=keep,
            observe=observe,
            detail=detail,
            line=execution_line if walk is None else fleet_line,
            redact=settings.redact_pii,
            budget=settings.token_budget,
            explain=lambda items: explain_listed(items, adapter_of, None, query.agent),
        ),
        cursor,
    )
    filters = filters_of(status=wanted, since=start_at, until=end_at)
    page.notes[:0] = fleet_notes
    if walk is not None:
        resume = page.found.cursor_after(len(page.items))
        page.notes.insert(len(fleet_notes), walk.progress_note(page.next_cursor is not None))
    if not page.items:
        page.notes.append(
            empty_hint(page.found.scanned, seen, newest[0] if newest else None, filters, fleet=walk is not None)
        )
        if wanted == Status.FAILED and partly:
            # the window as asked; without `since`, from the oldest such run's start (to the minute, rounded down)
            oldest = min((at for at in partly if at is not None), default=None)
            from_ = since or (oldest.strftime("%Y-%m-%dT%H:%MZ") if oldest else None)
            page.notes.append(failed_tasks_hint(adapter.name, query.agent, query.space, len(partly), from_, until))
    now = utcnow()
    page.notes.extend(note for note in (long_in_flight_note(page.items, now), long_waits_note(page.items, now)) if note)
    fields = page.envelope_fields(adapter, detail, settings.redact_pii)
    if walk is not None and multi:
        fields["provider"] = None
    envelope = ExecutionsResult(
        **fields,
        agent=query.agent,
        space=query.space,
        filters=filters,
        executions=page.items,
    )
    if detail == "full" and walk is None and query.agent and page.items:  # full: the agent's name and space too
        await name_the_agent(envelope, adapter, query.agent, sanitizer)
    if walk is not None:
        envelope.agents = len(walk.members)
        envelope.agents_read = walk.agents_done(resume)
    if page.items:
        # The ids are this result's own `provider`, `agent`/`space` and each item's `run_id`: named, not repeated.
        pairs = (("agent", query.agent), ("space", query.space)) if walk is None else (("agent", "agent_id"),)
        where = "".join(f", {key}=<{value if walk else key}>" for key, value in pairs if value)
        accounts = {item.provider or adapter.name for item in page.items} if walk else {adapter.name}
        account = f'"{next(iter(accounts))}"' if len(accounts) == 1 else "<provider>"  # one: filled in
        envelope.next = [
            f"get_run_tasks(provider={account}{where}, run_id=<run_id>), or summarize_run_health with the same"
        ]
    # The envelope's provider and agent (or space) with the run id locate a run; fleet-wide, the item's own.
    implied = {"ref"} if walk is not None else {"ref", "agent_id", "provider"}
    if walk is not None and not multi:
        implied.add("provider")
    dumped = dump(envelope, "executions", detail, implied=frozenset(implied))
    if detail == "concise":
        dumped = concise_items(dumped)
        if walk is not None:
            dumped["scanned"] = page.found.scanned
    return result(dumped, executions_text(envelope, page.lines, page.found.scanned))


LONG_IN_FLIGHT_S = 3600
"""An item running or pending for longer than this is named in a note (a call ringing for an hour, a workflow
step running for two days): a fact beside each, for the reader to judge whether it is stuck."""
LONG_IN_FLIGHT_SHOWN = 3


def long_in_flight_note(items: list[Execution], now: datetime) -> str | None:
    """``2 shown in flight for over an hour: wf_57_run_1 (54h01m), call_4e05 (1h20m); check whether they are
    stuck.`` (oldest first), or ``None``."""
    old = sorted(
        (now - item.started_at, item.run_id)
        for item in items
        if item.status in (Status.RUNNING, Status.PENDING) and item.started_at is not None
        and (now - item.started_at).total_seconds() > LONG_IN_FLIGHT_S
    )[::-1]  # fmt: skip
    if not old:
        return None
    return f"{len(old)} shown in flight for over an hour: {_oldest(old, fmt_duration)}; check whether they are stuck."


def long_waits_note(items: list[Execution], now: datetime) -> str | None:
    """``2 shown waiting on a person for over an hour: wf_63_run_5 (7d08h), wf_63_run_2 (6d01h).`` (longest
    first), or ``None``. Each line says its own wait; trial 7, reading the structured channel (a ``since`` per
    item, no age), missed week-old approvals when asked what was stuck: the note says it once, as for runs."""
    from agent_runs_mcp.tools.formatting import fmt_age

    old = sorted(
        (now - item.waiting.since, item.run_id)
        for item in items
        if item.status == Status.AWAITING_HUMAN and item.waiting is not None and item.waiting.since is not None
        and (now - item.waiting.since).total_seconds() > LONG_IN_FLIGHT_S
    )[::-1]  # fmt: skip
    if not old:
        return None
    return f"{len(old)} shown waiting on a person for over an hour: {_oldest(old, fmt_age)}."


def _oldest(old: list[tuple[timedelta, str]], words: Callable[[float], str]) -> str:
    """The first few ``run_id (age)``, then ``and N more``."""
    named = ", ".join(f"{run_id} ({words(age.total_seconds())})" for age, run_id in old[:LONG_IN_FLIGHT_SHOWN])
    return named + (f" and {len(old) - LONG_IN_FLIGHT_SHOWN} more" if len(old) > LONG_IN_FLIGHT_SHOWN else "")


def concise_items(dumped: dict[str, Any]) -> dict[str, Any]:
    """The concise items as the text says them: times to the minute, whole seconds, and the values most
    items share said once, before them, in ``item_defaults`` (a listing's keys cost more than its values)."""
    from agent_runs_mcp.tools.listing import to_the_minute, with_item_defaults

    items = [to_the_minute(item, ("started_at",)) for item in dumped.get("executions", [])]
    return with_item_defaults(dumped, "executions", items)


def single_fetch(adapter: Provider, query: ExecutionQuery) -> Callable[[str | None], Awaitable[ProviderPage[Any]]]:
    async def fetch(token: str | None) -> ProviderPage[ListedExecution]:
        page = await adapter.executions_page(query, token)
        return replace(page, items=[ListedExecution(**dict(e)) for e in page.items])  # type: ignore[arg-type]

    return fetch


def empty_hint(scanned: int, seen: Counter[str], newest: datetime | None, filters: dict[str, Any], fleet: bool) -> str:
    """Say what was searched and the nearest useful widening."""
    from agent_runs_mcp.tools.hints import wider_window

    whose = "any agent" if fleet else "this agent/space"
    if not scanned and not filters:
        return f"The provider returned no executions at all for {whose}: check the id with list_agents."
    if not scanned:
        text = "The provider returned none for " + ", ".join(f"{k}={v}" for k, v in filters.items()) + "."
    else:
        statuses = ", ".join(f"{k} {v}" for k, v in seen.most_common())
        text = f"None of the {scanned} execution(s) read matched (statuses seen: {statuses}"
        text += f"; newest started {short_time(newest)})." if newest else ")."
    if "since" in filters or "until" in filters:
        since = datetime.fromisoformat(filters["since"]) if "since" in filters else None
        text += f" Widen the window ({wider_window(since)})" + (" or drop `status`." if "status" in filters else ".")
    else:
        text += " Drop `status` or pick one of the statuses seen."
    return text


def execution_line(run: Execution) -> str:
    from agent_runs_mcp.tools.listing import status_words

    parts = [run.run_id, status_words(run), short_time(run.started_at)]
    if run.duration_s is not None:
        parts.append(fmt_duration(run.duration_s))
    if run.tasks_total is not None:
        done = f", {run.tasks_completed} completed" if run.tasks_completed is not None else ""
        parts.append(f"{run.tasks_total} tasks{done}")
    if run.cost_usd is not None:
        parts.append(fmt_money(run.cost_usd))
    if run.tokens is not None:
        parts.append(f"{run.tokens} tok")
    if run.agent_version:
        parts.append(f"version {run.agent_version}")
    if run.stop_reason:
        parts.append(f"stop: {run.stop_reason}")
    if run.waiting:
        parts.append(waiting_words(run.waiting))
    if run.follow_up_of:
        parts.append(f"follow-up of {run.follow_up_of}")
    if run.error:
        parts.append(f"error: {run.error[:CONCISE_TEXT_CHARS]}")
    elif run.summary and not run.waiting:
        parts.append(run.summary[:CONCISE_TEXT_CHARS])
    return "- " + " · ".join(parts)


def fleet_line(run: ListedExecution) -> str:
    """A fleet-wide item's line: its agent (and account) first."""
    who = f"{run.provider}/{run.agent_id}" if run.provider else run.agent_id or "-"
    return "- " + who + " · " + execution_line(run)[2:]


def waiting_words(waiting: Waiting, now: datetime | None = None) -> str:
    """``waits on tool send_email (approver ops@x) since 2026-12-04 10:02Z (23h10m): message``, from what the
    provider gave; how long it has waited is said, not left to the reader's arithmetic (trials 3 and 4)."""
    from agent_runs_mcp.tools.formatting import fmt_age

    text = f"waits on {waiting.step or 'a person'}"
    if waiting.approver:
        text += f" (approver {waiting.approver})"
    if waiting.since:
        waited = ((now or utcnow()) - waiting.since).total_seconds()
        text += f" since {short_time(waiting.since)} ({fmt_age(waited)})"
    if waiting.message:
        text += f": {waiting.message[:CONCISE_TEXT_CHARS]}"
    return text


def executions_text(model: ExecutionsResult, lines: list[str], scanned: int) -> str:
    from agent_runs_mcp.tools.listing import closing_lines

    if model.agents is not None:  # fleet-wide: what was read, what is shown, and whether there is more
        accounts = model.provider or "every account"
        more = "more exist: call again with next_cursor" if model.next_cursor else "no more"
        head = f"every agent of {accounts} ({model.agents} agents) · {len(lines)} execution(s) shown of {scanned} read"
        head += f"; {more}"
        if model.filters:
            head += " · " + ", ".join(f"{k}={v}" for k, v in model.filters.items())
        return "\n".join([head, *lines, *closing_lines(model)])
    scope = f"agent {model.agent}" if model.agent else f"space {model.space}"
    account = f"{model.provider} · " if model.provider else ""
    head = f"{account}{scope} · {len(lines)} execution(s)"
    if model.total is not None:
        head += f" of {model.total}"
    if model.filters:
        head += " · " + ", ".join(f"{k}={v}" for k, v in model.filters.items())
    return "\n".join([head, *lines, *closing_lines(model)])


async def name_the_agent(envelope: ExecutionsResult, adapter: Provider, agent: str, clean: Sanitizer) -> None:
    """At detail="full", say what the account knows of the agent (its name on each item, its space) rather
    than leave them out: one cached look-up of the agent list, skipped quietly when it fails."""
    from agent_runs_mcp.tools.scope import known_agent

    known = await known_agent(adapter, agent)
    if known is None:
        return
    envelope.space = envelope.space or known.space
    if known.name:
        name = clean.text(known.name)
        for item in envelope.executions:
            item.agent_name = item.agent_name or name
