"""The one listing pipeline: every list tool goes from provider pages to a result through :func:`list_page`.

The steps, in order: fingerprint the query and check the cursor against it;
walk provider pages until ``limit`` kept items (:func:`~.paging.collect`);
clean and mask the items; shape each for the detail level; keep the leading
items that fit the token budget; hand out the cursor that resumes right after
the last item kept; collect the notes. The tool then adds its own fields to
:class:`ListResult` and writes its text.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from agent_runs_mcp.domain import FINISHED_STATUSES, ProviderPage
from agent_runs_mcp.providers.base import Provider
from agent_runs_mcp.refs import decode_cursor, encode_cursor, query_fingerprint
from agent_runs_mcp.tools import capabilities
from agent_runs_mcp.tools.arguments import Detail
from agent_runs_mcp.tools.arguments import DetailArg as DetailArg  # re-exported
from agent_runs_mcp.tools.budget import ENVELOPE_RESERVE, clip, clip_values, fit
from agent_runs_mcp.tools.common import CONCISE_OMITS, compact
from agent_runs_mcp.tools.paging import Collected, collect
from agent_runs_mcp.tools.results import CONCISE_TEXT_CHARS as CONCISE_TEXT_CHARS  # re-exported
from agent_runs_mcp.tools.results import ListResult as ListResult  # re-exported
from agent_runs_mcp.tools.sanitize import Sanitizer, untrusted_note

T = TypeVar("T", bound=BaseModel)

CLIPPED_AT_CONCISE = ("summary", "failure_reason", "error", "description")


def closing_lines(model: ListResult) -> list[str]:
    """What every listing's text ends with, from the same fields its structured content carries."""
    out = list(model.notes)
    if model.next_cursor:
        out.append(f"More: call again with cursor={model.next_cursor}")
    out += [f"Next: {step}" for step in model.next]
    return out


def filters_of(**values: object) -> dict[str, str]:
    """The filters a listing applied, as its result says them (times in ISO 8601 UTC)."""
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, datetime) else str(value)
    return out


def status_words(item: Any) -> str:
    """The normalized status, with the provider's own word when it says more (as the structured result does)."""
    word = item.provider_status
    return f"{item.status.value} ({word})" if word and word != item.status.value else item.status.value


@functools.cache
def full_fields(model: type[BaseModel]) -> frozenset[str]:
    """Fields of ``model`` shown only at the full detail level."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("x-detail") == "full"
    )


def shape(item: T, detail: Detail) -> T:
    """``item`` as the detail level shows it: long texts clipped (concise) or provider details bounded (full)."""
    if detail == "full":
        details = getattr(item, "details", None)
        return item.model_copy(update={"details": clip_values(details)}) if details else item
    update = {
        key: clip(value, CONCISE_TEXT_CHARS)
        for key in CLIPPED_AT_CONCISE
        if isinstance(value := getattr(item, key, None), str) and len(value) > CONCISE_TEXT_CHARS
    }
    return item.model_copy(update=update) if update else item


def hidden_fields(item: BaseModel, detail: Detail) -> set[str]:
    """The fields of a shaped item that its detail level leaves out."""
    if detail == "full":
        return set()
    hidden = set(full_fields(type(item)))
    status, word = getattr(item, "status", None), getattr(item, "provider_status", None)
    if word and status is not None and word != getattr(status, "value", status):
        hidden.discard("provider_status")  # shown when the provider's word says more than ours
    return hidden


def dump(envelope: BaseModel, key: str, detail: Detail, implied: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A result's structured content: the envelope, with each item at its detail level.

    At ``concise`` it carries what the text shows and nothing else: no nulls, no defaults, and no item
    field in ``implied`` (one the envelope already says, such as each task's run). At ``full``,
    every field that has a value (a field without one is left out, as the published schema's plain types say).
    """
    items = getattr(envelope, key)
    exclude = {
        key: {
            i: hidden_fields(item, detail) | set(implied if detail == "concise" else ()) for i, item in enumerate(items)
        }
    }
    if detail == "full":
        return envelope.model_dump(mode="json", exclude=exclude, exclude_none=True)
    # `scanned` is bookkeeping the text of a listing does not show (an empty page's note says it in words)
    return compact(envelope, exclude={**exclude, **dict.fromkeys(CONCISE_OMITS | {"scanned"}, True)})


def item_json(item: BaseModel, detail: Detail) -> dict[str, Any]:
    """One shaped item as structured content (what the budget counts)."""
    if detail == "full":
        return item.model_dump(mode="json", exclude=hidden_fields(item, detail), exclude_none=True)
    return item.model_dump(mode="json", exclude=hidden_fields(item, detail), exclude_none=True, exclude_defaults=True)


_SECONDS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d):\d\d(?:\.\d+)?Z$")

HOIST_NEVER = frozenset({"run_id", "task_id", "ref"})
"""Item fields never moved to ``item_defaults`` (an item's own id stays on the item)."""


def with_item_defaults(dumped: dict[str, Any], key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """``dumped`` with its ``key`` items replaced by ``items``, the values most of them share said once, before
    them, in ``item_defaults`` (a listing's keys cost more than its values; readers merge the two)."""
    items, defaults = hoist_defaults(items)
    out = {k: v for k, v in dumped.items() if k != key}
    if defaults:
        out["item_defaults"] = defaults
    out[key] = items
    return out


def to_the_minute(item: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``item`` with the ISO times under ``keys`` said to the minute, as the text says them (seconds cost
    three tokens an item and no triage question needs them); whole-number floats as integers (``38``)."""
    out = {}
    for key, value in item.items():
        if key in keys and isinstance(value, str) and (m := _SECONDS.match(value)):
            value = m.group(1) + "Z"
        elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        out[key] = value
    return out


def hoist_defaults(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Items without their most common values, and those values once (``item_defaults``).

    Only a field that every item has is a candidate, so an item that leaves it out has the default, and
    a fact an item lacks is still simply absent. A value is hoisted when it occurs at least twice and
    saving its repeats outweighs saying it once.
    """
    if len(items) < 2:
        return items, {}
    defaults: dict[str, Any] = {}
    common = set(items[0]).intersection(*items[1:]) - HOIST_NEVER
    for key in sorted(common, key=list(items[0]).index):
        value, count = Counter(json.dumps(i[key], sort_keys=True) for i in items).most_common(1)[0]
        pair = len(key) + len(value) + 4
        if count >= 2 and (count - 1) * pair > 16:
            defaults[key] = json.loads(value)
    if not defaults:
        return items, {}
    said = {k: json.dumps(v, sort_keys=True) for k, v in defaults.items()}
    kept = [{k: v for k, v in i.items() if said.get(k) != json.dumps(v, sort_keys=True)} for i in items]
    return kept, defaults


def cost_absent(items: list[Any], adapter: Provider, what: str, why: str | None) -> str | None:
    """The one note for a result of costed items (executions, tasks) none of whose finished items has a
    cost: the page's reason, else the adapter's default. ``None`` when a cost is shown or nothing finished."""
    costed = [i for i in items if "cost_usd" in type(i).model_fields]
    if not any(getattr(i, "status", None) in FINISHED_STATUSES for i in costed):
        return None
    if any(i.cost_usd is not None for i in costed):
        return None
    return why or capabilities.no_cost_note(adapter, what)


@dataclass
class Page(Generic[T]):
    """One result's worth of items, fitted to the budget, with what the envelope needs to say."""

    found: Collected[T]
    items: list[T]
    lines: list[str]
    omitted: int
    next_cursor: str | None
    notes: list[str] = field(default_factory=list)

    def envelope_fields(self, adapter: Provider, detail: Detail, redacted: bool) -> dict[str, Any]:
        """The :class:`ListResult` fields, for the tool's result model."""
        return {
            "provider": adapter.name,
            "kind": adapter.kind,
            "next_cursor": self.next_cursor,
            "total": self.found.total,
            "scanned": self.found.scanned,
            "truncated": self.omitted > 0,
            "omitted": self.omitted,
            "detail": detail,
            "redacted": redacted,
            "notes": self.notes,
        }


def _keep_all(_item: object) -> bool:
    return True


@dataclass(frozen=True)
class ListSpec(Generic[T]):
    """One listing, as :func:`list_page` takes it: what it lists, how to read, keep, show and fit it.

    ``what`` names the items (and, with ``query``, fingerprints the cursor: a cursor replayed with another
    query is refused); ``fetch(token)`` reads one provider page; ``keep`` filters items as pages are read
    and ``observe`` sees every item read (to explain an empty result); ``line`` is an item's text line and
    ``as_json`` its structured form when that is not the item itself (a table's row; the budget counts
    it); ``explain`` gives failed items listed with only a generic reason their specific one
    (:func:`~.failures.explain_listed`), before they are cleaned and shaped; ``reserve(items)`` is what the
    result says beside the items, in tokens (default :data:`~.budget.ENVELOPE_RESERVE`), kept free by the fit.
    """

    what: str
    query: object
    fetch: Callable[[str | None], Awaitable[ProviderPage[T]]]
    line: Callable[[T], str]
    limit: int
    detail: Detail
    redact: bool
    budget: int
    keep: Callable[[T], bool] = _keep_all
    observe: Callable[[T], None] | None = None
    as_json: Callable[[T], Any] | None = None
    explain: Callable[[list[T]], Awaitable[tuple[list[T], list[str]]]] | None = None
    reserve: Callable[[list[T]], int] | None = None


async def list_page(adapter: Provider, spec: ListSpec[T], cursor: str | None) -> Page[T]:
    """Read, clean, shape and fit one page of the listing ``spec`` describes, from ``cursor`` (see the
    module docstring)."""
    fingerprint = query_fingerprint(spec.what, adapter.name, spec.query)
    found = await collect(spec.fetch, decode_cursor(cursor, fingerprint), spec.limit, spec.keep, observe=spec.observe)
    explain = spec.explain
    listed, explained_notes = await explain(found.items) if explain and found.items else (found.items, [])
    items = [shape(item, spec.detail) for item in Sanitizer(spec.redact).models(listed)]
    lines = [spec.line(item) for item in items]
    shown = [spec.as_json(item) if spec.as_json else item_json(item, spec.detail) for item in items]
    reserve = spec.reserve(items) if spec.reserve and items else ENVELOPE_RESERVE
    kept = fit(shown, lines, spec.budget, reserve) if items else 0
    omitted = len(items) - kept
    resume = found.cursor_after(kept)
    notes = [*found.notes, *explained_notes]
    if (absent := cost_absent(items[:kept], adapter, spec.what, found.cost_note)) is not None:
        notes.append(absent)
    if (untrusted := untrusted_note(items[:kept])) is not None:
        notes.append(untrusted)
    if omitted:
        notes.append(
            f"Cut to {kept} of {len(items)} items to stay within the {spec.budget}-token budget; "
            "next_cursor continues with the rest (or ask for a smaller `limit`)."
        )
    return Page(
        found=found,
        items=items[:kept],
        lines=lines[:kept],
        omitted=omitted,
        next_cursor=encode_cursor(resume, fingerprint) if resume else None,
        notes=notes,
    )
