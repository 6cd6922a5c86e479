"""A tool's result: text for the model and the same data as structured content, both cleaned."""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ConfigDict, Field

from agent_runs_mcp.domain import meta
from agent_runs_mcp.text import clean_text
from agent_runs_mcp.tools.arguments import Detail


class ResultModel(BaseModel):
    """A tool result's model. Its validator is built when the first result is checked, not at start-up
    (``defer_build``): `tools/list` reads only its fields (server/published.py), so a cold start to
    `tools/list` does not pay for 20 result models it does not use yet (#21 item 8)."""

    model_config = ConfigDict(defer_build=True)


CONCISE_TEXT_CHARS = 120
"""Longest summary/reason string in a concise item and its text line (the full level keeps up to 600 per value)."""


class ListResult(ResultModel):
    """What every listing result says besides its items."""

    provider: str | None = Field(default=None, description="The account (absent when a listing spans every account).")
    kind: str = meta()
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page.")
    total: int | None = Field(default=None, description="All items matching, when the provider reports it.")
    scanned: int = meta(0, "Provider items read to build this page.")
    truncated: bool = meta(False, "True when the token budget cut this page short.")
    omitted: int = meta(0, "Items of this page left out by the budget.")
    detail: Detail = meta("concise")
    redacted: bool = meta(True, "True when phone numbers, emails and card numbers were masked.")
    notes: list[str] = meta(default_factory=list)
    next: list[str] = meta(default_factory=list, description="The calls to make next, as the text says them.")


def result(data: BaseModel | dict[str, Any], text: str, meta: dict[str, Any] | None = None) -> CallToolResult:
    """A tool result: readable text for the model plus the same data as structured content.

    Both channels are cleaned of control, bidi and invisible characters here, whatever their source
    (provider text is cleaned when mapped; this also covers what callers passed in and got echoed).
    ``meta`` is for views (MCP Apps), not the model: hosts do not show a result's ``_meta`` to it.
    """
    structured = compact(data) if isinstance(data, BaseModel) else data
    return CallToolResult(
        content=[TextContent(type="text", text=clean_text(text))],
        structured_content=_cleaned(structured),
        meta=_cleaned(meta) if meta else None,
    )


CONCISE_OMITS = frozenset({"kind"})
"""Envelope fields no text shows (the account's platform is in `list_providers`), left out of concise results."""


def compact(model: BaseModel, exclude: Any = None) -> dict[str, Any]:
    """A result model as structured content that carries what the text shows: no nulls, no defaults."""
    return model.model_dump(
        mode="json", exclude=exclude or set(CONCISE_OMITS), exclude_none=True, exclude_defaults=True
    )


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value
