"""A run's tasks as a table: filters (outcome, failure category, duration), sorting, and a compact row form.

Filters that look at one task at a time (outcome, duration) run inside the listing pipeline as it pages.
Sorting, and the failure-category filter, need the whole run first: :func:`whole_run` reads every task once
(up to :data:`TABLE_MAX_ITEMS`, like a health report), has the adapter explain failures listed with only a
generic reason (so the categories are the ones the run's health report counts), filters and sorts, and
hands the listing pipeline one virtual page; cursors are offsets into that order (stateless: the next call
reads the run again, from the response cache when it is on).

Failure categories are the health reports' vocabulary (:data:`~.health.reasons.REASON_LABELS`), matched by
their key (``sip_error``) or label (``SIP or carrier error``); a task is in a category when it failed and its
reason classifies there, exactly as a report counts it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from agent_runs_mcp.config import Settings
from agent_runs_mcp.domain import FINISHED_STATUSES, ProviderPage, Status, Task
from agent_runs_mcp.errors import InputError
from agent_runs_mcp.providers.base import Failure, Provider, RunQuery
from agent_runs_mcp.tools import capabilities
from agent_runs_mcp.tools.arguments import Sort as Sort  # re-exported: the sort orders this module applies
from agent_runs_mcp.tools.health.reasons import REASON_LABELS, classify_failure, is_generic, reached_voicemail
from agent_runs_mcp.tools.health.scan import scan

TABLE_MAX_ITEMS = 5000
"""Most tasks one sorted (or category-filtered) page reads; beyond it the result says it is a sample."""


ASCENDING = "_asc"
"""A sort's suffix for smallest or earliest first."""
_SORT_KEYS: dict[str, Callable[[Task], Any]] = {
    "duration": lambda t: t.duration_s,
    "start": lambda t: t.started_at or t.created_at,
    "cost": lambda t: t.cost_usd,
}

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)?\s*([smh]?)\s*(?:-\s*(\d+(?:\.\d+)?)?\s*([smh]?))?\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_reason(text: str | None) -> str | None:
    """A failure category key from its key or label (any case), or a clear error listing the accepted ones."""
    if text is None or not text.strip():
        return None
    wanted = " ".join(text.lower().replace("_", " ").split())
    for key, label in REASON_LABELS.items():
        if wanted in (key.replace("_", " "), label.lower()):
            return key
    accepted = ", ".join(f'"{label}"' for label in REASON_LABELS.values())
    raise InputError(f"`reason` {text[:40]!r} is not a failure category. Accepted: {accepted}.")


def parse_duration(text: str | None) -> tuple[float | None, float | None]:
    """``"60-300"``, ``"60-"``, ``"-10"``, ``"2m-"`` -> (min seconds, max seconds), bounds inclusive."""
    if text is None or not text.strip():
        return None, None
    match = _SPAN.match(text)
    bad = (
        f"`duration` {text[:40]!r} is not a range. Pass seconds as MIN-MAX, MIN- or -MAX "
        '(e.g. "60-300", "120-", "-10"; units s, m, h allowed: "2m-")'
    )
    if match is None or "-" not in text or not (match.group(1) or match.group(3)):
        raise InputError(bad + ".")
    low = float(match.group(1)) * _UNIT[match.group(2)] if match.group(1) else None
    high = float(match.group(3)) * _UNIT[match.group(4)] if match.group(3) else None
    if low is not None and high is not None and low > high:
        raise InputError(f"`duration` {text[:40]!r}: the minimum is above the maximum.")
    return low, high


def category_of(task: Task) -> str | None:
    """The failure category a health report counts this task under (``None`` unless it failed)."""
    if task.status != Status.FAILED:
        return None
    return classify_failure(task.failure_reason or task.end_reason)


@dataclass(frozen=True)
class TaskFilter:
    """What a task must be to be listed, besides its status."""

    status: Status | None = None
    outcome: str | None = None
    reason: str | None = None
    min_s: float | None = None
    max_s: float | None = None

    def __call__(self, task: Task) -> bool:
        if self.status is not None and task.status != self.status:
            return False
        if self.outcome is not None and self.outcome not in (task.outcome or "").lower():
            return False
        if self.reason is not None and category_of(task) != self.reason and not self._voicemail(task):
            return False
        if self.min_s is not None or self.max_s is not None:
            if task.duration_s is None:
                return False
            if self.min_s is not None and task.duration_s < self.min_s:
                return False
            if self.max_s is not None and task.duration_s > self.max_s:
                return False
        return True

    def _voicemail(self, task: Task) -> bool:
        """`reason="voicemail"` also lists the finished calls a report counts as voicemail whatever their status
        (Unpod completes a call a machine answered, so no failure category holds it)."""
        return (
            self.reason == "voicemail"
            and task.kind == "call"
            and task.status in FINISHED_STATUSES
            and reached_voicemail(task.call_status, task.end_reason, task.outcome)
        )

    def described(self) -> dict[str, str]:
        """The filters as understood, for the result's ``filters``."""
        out: dict[str, str] = {}
        if self.status is not None:
            out["status"] = self.status.value
        if self.outcome is not None:
            out["outcome"] = self.outcome
        if self.reason is not None:
            out["reason"] = REASON_LABELS[self.reason]
        if self.min_s is not None or self.max_s is not None:
            low = f"{self.min_s:g}" if self.min_s is not None else ""
            high = f"{self.max_s:g}" if self.max_s is not None else ""
            out["duration"] = f"{low}-{high}s"
        return out


def sort_tasks(tasks: list[Task], sort: str) -> list[Task]:
    """Tasks ordered by ``sort``, largest or latest first (``_asc``: smallest or earliest first, for "the
    shortest call"); tasks without the value go last either way."""
    ascending = sort.endswith(ASCENDING)
    key = _SORT_KEYS[sort.removesuffix(ASCENDING)]
    known = [t for t in tasks if key(t) is not None]
    known.sort(key=key, reverse=not ascending)  # stable: ties keep the run's order
    return known + [t for t in tasks if key(t) is None]


@dataclass
class WholeRun:
    """A run read once for a sorted or category-filtered table."""

    tasks: list[Task]
    total: int | None
    complete: bool
    scanned: int
    unexplained: int = 0
    notes: list[str] = field(default_factory=list)
    """The pages' own notes (a run whose tasks were cut), each once."""


PageFetch = Callable[[str | None], Awaitable[ProviderPage[Task]]]


async def read_whole_run(
    adapter: Provider, query: RunQuery, settings: Settings, explain: bool, pages: PageFetch | None = None
) -> WholeRun:
    """Every task of the run (up to the cap), with generic failure reasons explained when ``explain``.

    ``pages`` reads another scope's task pages instead of the run's (an agent's window: ``query`` then
    names only the agent, whose task list explains failures)."""
    tasks: list[Task] = []
    total: list[int | None] = []
    read = pages or partial(adapter.tasks_page, query)

    async def fetch(token: str | None) -> ProviderPage[Task]:
        page = await read(token)
        if token is None:
            total.append(page.total)
        return page

    stats = await scan(
        fetch,
        tasks.extend,
        max_items=min(TABLE_MAX_ITEMS, settings.health_max_items),
        concurrency=settings.health_concurrency,
    )
    unexplained = 0
    if explain:
        generic = [
            Failure(item_id=t.task_id, agent=query.agent, reason=t.failure_reason, created_at=t.created_at)
            for t in tasks
            if t.status == Status.FAILED and is_generic(t.failure_reason)
        ]
        if generic:
            found = await capabilities.explain_failures(adapter, generic, query)
            better = {k: v for k, v in found.items() if v.reason and not is_generic(v.reason)}
            unexplained = len(generic) - len(better)
            tasks = [
                t.model_copy(update={"failure_reason": better[t.task_id].reason}) if t.task_id in better else t
                for t in tasks
            ]
    return WholeRun(tasks, total[0] if total else None, stats.complete, stats.scanned, unexplained, stats.notes)


def table_notes(run: WholeRun, explained: bool, agent: str | None, sampled: str | None = None) -> list[str]:
    """What a reader of a sorted or category-filtered table must know about how it was built (``explained``:
    failures were sorted into categories; ``sampled``: what to say when the read stopped early, for a scope
    other than one run)."""
    notes = list(run.notes)
    if not run.complete:
        notes.append(
            sampled
            or f"Sorted/filtered the first {run.scanned} tasks of {run.total or 'the run'} only (the table reads at "
            f"most {TABLE_MAX_ITEMS}); summarize_run_health counts them all."
        )
    if explained and run.unexplained:
        hint = "" if agent else " Pass `agent` so they can be read."
        notes.append(f"{run.unexplained} failed task(s) kept only a generic reason and count as that.{hint}")
    return notes


def table_fetch(
    adapter: Provider,
    query: RunQuery,
    settings: Settings,
    keep: TaskFilter,
    sort: str | None,
    seen: Counter[str],
    notes: list[str],
    pages: PageFetch | None = None,
    sampled: Callable[[WholeRun], str | None] | None = None,
    explain: bool = False,
) -> PageFetch:
    """The listing pipeline's ``fetch`` for a table: the whole run (or the ``pages`` of another scope) read
    once (on the first call), filtered and sorted, as one page; ``seen`` counts every task's status and
    ``notes`` gets :func:`table_notes` (``sampled`` words a stop short of the scope's end, or says ``None``:
    read to its end). Generic failure reasons are explained when the category filter needs them, or
    ``explain`` (figures by category)."""
    built: list[ProviderPage[Task]] = []

    async def fetch(_token: str | None) -> ProviderPage[Task]:
        if not built:
            explained = explain or keep.reason is not None
            run = await read_whole_run(adapter, query, settings, explained, pages)
            stopped_words = sampled(run) if sampled else None  # the scope's own word on a stop short of its end
            run.complete = run.complete and stopped_words is None
            notes.extend(table_notes(run, explained, query.agent, stopped_words))
            seen.update(task.status.value for task in run.tasks)
            listed = [task for task in run.tasks if keep(task)]
            listed = sort_tasks(listed, sort) if sort else listed
            built.append(ProviderPage(listed, None, None, len(listed) if run.complete else None))
        return built[0]

    return fetch


# --- the compact row form -------------------------------------------------------------------------

ROW_COLUMNS: tuple[tuple[str, Callable[[Task], Any]], ...] = (
    ("task_id", lambda t: t.task_id),
    ("status", lambda t: t.status.value),
    ("start", lambda t: _start(t)),
    ("duration_s", lambda t: round(t.duration_s) if t.duration_s is not None else None),
    ("contact", lambda t: _name_only(t.contact)),
    ("outcome", lambda t: t.outcome),
    ("reason", lambda t: REASON_LABELS[c] if (c := category_of(t)) else None),
    ("cost_usd", lambda t: t.cost_usd),
)
"""A row: the id, status, start (MM-DD HH:MM UTC; for a task that never started, when it was queued, marked
:data:`QUEUED_MARK`: the time `sort=start` orders it by), whole seconds, the contact's name (its number when it has
no name), outcome, failure category and cost. Columns empty on the whole page are left out."""


START_COLUMN_NAME = "start"
RUN_COLUMN: tuple[str, Callable[[Task], Any]] = ("run_id", lambda t: t.run_id)
"""Across runs (an agent's window), each row names its run, right after the task's id."""
Columns = tuple[tuple[str, Callable[[Task], Any]], ...]


def row_columns(across_runs: bool) -> Columns:
    """The row's columns: :data:`ROW_COLUMNS`, with :data:`RUN_COLUMN` when the tasks are of many runs."""
    return (ROW_COLUMNS[0], RUN_COLUMN, *ROW_COLUMNS[1:]) if across_runs else ROW_COLUMNS


QUEUED_MARK = "*"
QUEUED_NOTE = "start ending in *: the task never started (a call that never connected); the time it was queued."


QUEUED_COLUMN_NAME = "queued"
REASON_COLUMN_NAME = "reason"


def queued_column(columns: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """When no task on the page started (every start is a queue time: calls that never connected, as most
    failed calls are), the column says so by its name, ``queued``, instead of a mark on every value and a
    note explaining it. Otherwise ``columns`` and ``rows`` as they are."""
    if START_COLUMN_NAME not in columns:
        return columns, rows
    at = columns.index(START_COLUMN_NAME)
    starts = [row[at] for row in rows if row[at] is not None]
    if not starts or not all(str(start).endswith(QUEUED_MARK) for start in starts):
        return columns, rows
    renamed = [*columns[:at], QUEUED_COLUMN_NAME, *columns[at + 1 :]]
    return renamed, [[*row[:at], row[at] and row[at].removesuffix(QUEUED_MARK), *row[at + 1 :]] for row in rows]


def group_by_reason(columns: list[str], rows: list[list[Any]]) -> tuple[list[str], dict[str, list[list[Any]]]] | None:
    """Failed tasks' rows under their failure category, the largest category first (rows keep their order
    within it), and the columns without ``reason``: "which failed, and why?" read as the why, each label said
    once instead of on every row (``SIP or carrier error`` is 5 tokens; 38 such calls repeated it 38 times).
    ``None`` when a row has no category (nothing to group by)."""
    if REASON_COLUMN_NAME not in columns:
        return None
    at = columns.index(REASON_COLUMN_NAME)
    groups: dict[str, list[list[Any]]] = {}
    for row in rows:
        if row[at] is None:
            return None
        groups.setdefault(row[at], []).append([*row[:at], *row[at + 1 :]])
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))  # stable: ties keep the first seen first
    return [name for name in columns if name != REASON_COLUMN_NAME], dict(ordered)


def _start(task: Task) -> str | None:
    if task.started_at:
        return task.started_at.strftime("%m-%d %H:%M")
    return task.created_at.strftime("%m-%d %H:%M") + QUEUED_MARK if task.created_at else None


def _name_only(contact: str | None) -> str | None:
    """``"Ethan Kim (***00)"`` -> ``"Ethan Kim"``: the masked number adds tokens and says little."""
    if not contact:
        return None
    name, sep, _rest = contact.partition(" (")
    return name if sep and name else contact


def row_of(task: Task, columns: Columns = ROW_COLUMNS) -> list[Any]:
    return [get(task) for _name, get in columns]


def columns_used(rows: list[list[Any]], columns: Columns = ROW_COLUMNS) -> list[int]:
    """Indexes of the columns with at least one value on this page."""
    return [i for i in range(len(columns)) if any(row[i] is not None for row in rows)]


def row_line(row: list[Any]) -> str:
    return " | ".join("-" if value is None else str(value) for value in row)
