"""A tool's result: text for the model and the same data as structured content, both cleaned."""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ConfigDict

from agent_runs_mcp.text import clean_text


class ResultModel(BaseModel):
    """A tool result's model. Its validator is built when the first result is checked, not at start-up
    (``defer_build``): `tools/list` reads only its fields (server/published.py), so a cold start to
    `tools/list` does not pay for 20 result models it does not use yet (#21 item 8)."""

    model_config = ConfigDict(defer_build=True)


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
