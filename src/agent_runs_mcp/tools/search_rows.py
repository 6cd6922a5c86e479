"""`search_calls(detail="rows")`: one short row per matching call, for "who asked for X, and when?".

A match in the default form carries the turn that matched, the turn that answers it, where it matched and a
ref that opens the call alone: about 120 tokens, so a 6,000-token page holds some 22 matches, and a question
with a hundred answers takes five pages. A row keeps what such a question reads and what opens the call:

* ``at``: when the call started, to the minute (``MM-DD HH:MM``, UTC);
* ``agent``: fleet-wide only, the agent's number n in ``agent_ids`` (``agent_ids[n-1]``; ``account/agent``
  when the search spans several accounts), the search's agents most matches first (``agents``' order, the
  same on every page): a 37-character id said once, not on every row;
* ``call``: the call's id, which with its agent opens it (``get_call_transcript(call_id=, agent=)``): a
  self-contained ref (the task, its run, its space and page, ~50 tokens) would cost more than the rest of
  the row, and the agent is on the row already;
* ``contact``: masked, as the matches give it;
* ``said``: the matching text, cut to :data:`ROW_EXCERPT_CHARS` around the match at word boundaries;
* ``outcome`` and ``status``.

The page's most common outcome and status are said once, in ``row_defaults`` (like `get_run_tasks`'
``item_defaults``): a row leaves such a value empty when it is the default, and says ``-`` when it has none.

Like `get_run_tasks`' rows, ``columns`` names the values, a row ends at its last value (no trailing nulls),
and a column empty on the whole page is left out.

``detail="contacts"`` answers "who?" lists (a callback list, a do-not-call list) with one row per person
instead: the call id (~18 tokens) and the excerpt (~13) are most of a call's row, so a hundred people fit
about 2,000 tokens instead of 5,000. A contact's row (:data:`CONTACT_COLUMNS`) holds its latest matching
call's ``at`` and ``agent``, the masked ``contact``, and ``calls``, its matching calls when more than one.
People are told apart on the unmasked contact (as the result's ``contacts`` count them); calls without a
contact are counted in a note, and the same search with ``detail="rows"`` lists every call with its id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_runs_mcp.tools.search import CallMatch

ROW_EXCERPT_CHARS = 60
"""The matching text a row keeps, around the match, whole words."""
AGENT_COLUMN = "agent"
SAID_ONCE = ("outcome", "status")
"""Columns whose most common value on the page is said once (``row_defaults``), not on every row: "Call Back"
on a hundred rows costs 500 tokens."""
NONE = "-"
"""A row's value for "none" in a column with a default (an empty value there means the default)."""

RowColumns = tuple[tuple[str, Callable[["CallMatch"], Any]], ...]

COLUMNS: RowColumns = (
    ("at", lambda m: m.started_at.strftime("%m-%d %H:%M") if m.started_at else None),
    (AGENT_COLUMN, lambda m: agent_key(m)),
    ("call", lambda m: m.call),
    ("contact", lambda m: m.contact),
    ("said", lambda m: m.excerpt),
    ("outcome", lambda m: m.outcome),
    ("status", lambda m: m.status.value),
)


CONTACT_COLUMNS: RowColumns = (COLUMNS[0], COLUMNS[1], COLUMNS[3])
"""A contact's row: its latest matching call's start and agent, and the masked contact (then ``calls``)."""
CALLS_COLUMN = "calls"


def by_contact(found: list[tuple[CallMatch, str | None]]) -> tuple[list[CallMatch], list[int], int]:
    """One entry per distinct unmasked contact, in the order of each contact's first match (best, then
    newest): its latest matching call and how many of the calls matched; and the count of matching calls
    without a contact."""
    groups: dict[str, list[CallMatch]] = {}
    missing = 0
    for match, contact in found:
        key = " ".join(contact.split()) if contact else ""
        if not key:
            missing += 1
            continue
        groups.setdefault(key, []).append(match)
    latest = [max(calls, key=lambda m: m.started_at.timestamp() if m.started_at else 0.0) for calls in groups.values()]
    return latest, [len(calls) for calls in groups.values()], missing


def agent_key(found: CallMatch) -> str | None:
    """The agent as the search's `agents` counts name it: ``account/agent`` across accounts."""
    return f"{found.provider}/{found.agent}" if found.provider else found.agent


def row_values(found: CallMatch, fleet: bool, by_ref: bool = False, columns: RowColumns = COLUMNS) -> list[Any]:
    """A match's values in ``columns`` order (the agent as its id: :func:`number_agents` numbers it;
    ``by_ref``: the call as its ref, for a run searched without its agent, where an id alone opens nothing)."""
    values = [get(found) if fleet or name != AGENT_COLUMN else None for name, get in columns]
    if by_ref:
        values[[name for name, _get in columns].index("call")] = found.ref
    return values


def trimmed(row: list[Any]) -> list[Any]:
    """``row`` without its trailing nulls: a row ends at its last value."""
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


def number_agents(rows: list[list[Any]], at: int, agents: list[str]) -> list[list[Any]]:
    """Rows whose value ``at`` (an agent id) is the agent's number n in ``agents`` (``agents[n-1]``)."""
    number = {agent: n for n, agent in enumerate(agents, 1)}
    return [[*row[:at], number[row[at]], *row[at + 1 :]] for row in rows]


def build_rows(
    matches: list[CallMatch], agents: list[str] | None, by_ref: bool = False, counts: list[int] | None = None
) -> tuple[list[str], list[list[Any]], dict[str, Any]]:
    """``columns``, ``rows`` and ``row_defaults`` of a page of matches; fleet-wide, ``agents`` numbers each row's
    agent (the search's agents, most matches first: the same number on every page). With ``counts`` (each
    match a contact's latest call, :func:`by_contact`): one row per contact, :data:`CONTACT_COLUMNS`."""
    columns = COLUMNS if counts is None else CONTACT_COLUMNS
    by_ref = by_ref and counts is None
    rows = [row_values(m, agents is not None, by_ref, columns) for m in matches]
    names = [name if not (by_ref and name == "call") else "ref" for name, _get in columns]
    if counts is not None:
        names.append(CALLS_COLUMN)
        rows = [[*row, count if count > 1 else None] for row, count in zip(rows, counts, strict=True)]
    if agents is not None and rows:
        rows = number_agents(rows, names.index(AGENT_COLUMN), agents)
    defaults: dict[str, Any] = {}
    for name in (n for n in SAID_ONCE if n in names):
        at = names.index(name)
        found = Counter(row[at] for row in rows if row[at] is not None).most_common(1)
        if not found or found[0][1] < 2:
            continue
        value = defaults[name] = found[0][0]
        for row in rows:
            row[at] = None if row[at] == value else NONE if row[at] is None else row[at]
    used = [i for i in range(len(names)) if any(row[i] is not None for row in rows)]
    return [names[i] for i in used], [trimmed([row[i] for i in used]) for row in rows], defaults


def row_line(row: list[Any]) -> str:
    """One row as a text line: values in column order, an empty one as nothing (its column's default)."""
    return " | ".join("" if value is None else str(value) for value in row)


def rows_text(columns: list[str], rows: list[list[Any]], counts: dict[str, int], defaults: dict[str, Any]) -> list[str]:
    """The text channel's lines for the rows: the agents' numbers once (with their matches, fleet-wide), the
    values rows leave out, the column names, one line per row (an empty value: `-`, or `(default)`)."""
    numbered = ", ".join(f"{n} {agent} ({count})" for n, (agent, count) in enumerate(counts.items(), 1))
    legend = [f"agent_ids (matches): {numbered}"] if counts else []
    if defaults:
        said = ", ".join(f"{name} {value}" for name, value in defaults.items())
        legend.append(f"unless a row says otherwise (- for none): {said}")
    return [*legend, " | ".join(columns), *(row_line(row) for row in rows)]


def open_hint(provider: str | None, fleet: bool, agent: str | None) -> str:
    """How a row's call is opened (``provider``: the one account searched, ``None`` across accounts; ``agent``:
    the one searched, when not fleet-wide)."""
    account = f'provider="{provider}", ' if provider else ""
    if not fleet:
        if agent is None:
            return "get_call_transcript(ref=<a row's ref>)"
        return f'get_call_transcript({account}agent="{agent}", call_id=<a row\'s call>)'
    if provider is None:
        return 'get_call_transcript(call_id=<call>, agent=<agent n: agent_ids[n-1] after "/">, provider=<before "/">)'
    return f"get_call_transcript({account}agent=<agent n: agent_ids[n-1]>, call_id=<call>)"
