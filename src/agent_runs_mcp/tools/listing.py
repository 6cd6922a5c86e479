"""Turning a page of domain items into a result: detail level, budget, cursor, notes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field

from agent_runs_mcp.refs import encode_cursor
from agent_runs_mcp.tools.budget import clip, clip_values, fit
from agent_runs_mcp.tools.paging import Collected

T = TypeVar("T", bound=BaseModel)

Detail = Literal["concise", "full"]
DetailArg = Annotated[Detail, Field(description="full adds every provider field.")]

CONCISE_TEXT_CHARS = 200
"""Longest summary/reason string in a concise item (the full level keeps up to 600 per value)."""


@functools.cache
def full_fields(model: type[BaseModel]) -> frozenset[str]:
    """Fields of ``model`` shown only at the full detail level."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("x-detail") == "full"
    )


def item_dict(item: BaseModel, detail: Detail) -> dict[str, Any]:
    """One item as structured content at the requested detail level."""
    if detail == "full":
        data = item.model_dump(mode="json")
        if data.get("details"):
            data["details"] = clip_values(data["details"])
        return data
    data = item.model_dump(mode="json", exclude=set(full_fields(type(item))))
    for key in ("summary", "failure_reason", "error", "description"):
        if isinstance(data.get(key), str):
            data[key] = clip(data[key], CONCISE_TEXT_CHARS)
    status, word = getattr(item, "status", None), getattr(item, "provider_status", None)
    if word and status is not None and word != getattr(status, "value", status):
        data["provider_status"] = word  # only when the provider's word says more than ours
    return data


@dataclass
class Fitted:
    """The items of one result after the budget: their structured form, text lines and where to resume."""

    dicts: list[dict[str, Any]]
    lines: list[str]
    omitted: int
    next_cursor: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.omitted > 0


def fit_page(
    found: Collected[T],
    items: list[T],
    *,
    detail: Detail,
    line: Callable[[T], str],
    budget: int,
    fingerprint: str,
) -> Fitted:
    """Keep the leading items that fit ``budget``; the cursor resumes at the first one left out."""
    dicts = [item_dict(item, detail) for item in items]
    lines = [line(item) for item in items]
    kept = fit(dicts, lines, budget) if items else 0
    omitted = len(items) - kept
    resume = found.cursor_after(kept)
    notes = list(found.notes)
    if omitted:
        notes.append(
            f"Cut to {kept} of {len(items)} items to stay within the {budget}-token budget; "
            "next_cursor continues with the rest (or ask for a smaller `limit`)."
        )
    return Fitted(
        dicts=dicts[:kept],
        lines=lines[:kept],
        omitted=omitted,
        next_cursor=encode_cursor(resume, fingerprint) if resume else None,
        notes=notes,
    )


def structured(envelope: BaseModel, key: str, dicts: list[dict[str, Any]]) -> dict[str, Any]:
    """The envelope's JSON with its item list replaced by the already-shaped item dicts."""
    data = envelope.model_dump(mode="json")
    data[key] = dicts
    return data
