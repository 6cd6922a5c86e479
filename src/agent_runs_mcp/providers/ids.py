"""Ids checked before they go into a URL, and provider messages made short enough to quote."""

from __future__ import annotations

import re
from urllib.parse import quote

from agent_runs_mcp.errors import InputError

_ID_CHARS = re.compile(r"^[A-Za-z0-9_\-.:@+=~]+$")
SHAPES: dict[str, tuple[re.Pattern[str], str]] = {
    "space": (re.compile(r"^[A-Za-z0-9]+$"), "a space token is letters and digits, e.g. F1O3QJM1Y7Q1AVVUYNV4VPRB"),
    "agent": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"), "an agent id is letters, digits, _ . : and -"),
    "run_id": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"), "a run id is letters, digits, _ . : and -"),
    "task_id": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"), "a task id is letters, digits, _ . : and -"),
    "call_id": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"), "a call id is letters, digits, _ . : and -"),
}
"""The shapes the providers' ids take (from their docs and examples), checked before any request."""
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def segment(value: str, argument: str, *, max_len: int = 256) -> str:
    """Validate an id and encode it as one URL path segment.

    Ids are checked against a conservative character set before any request,
    so ``../``, slashes, query characters, control bytes or huge strings can
    never change which endpoint is called.
    """
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"`{argument}` is empty; pass the id exactly as a previous result gave it.")
    text = value.strip()
    if len(text) > max_len:
        raise InputError(f"`{argument}` is {len(text)} characters long; ids are at most {max_len}.")
    pattern, shape = SHAPES.get(argument, (_ID_CHARS, "ids are letters, digits and - _ . : @ + = ~"))
    if text in (".", "..") or not pattern.match(text):
        shown = text[:40].encode("unicode_escape").decode()
        raise InputError(
            f"`{argument}` does not look like an id of this provider: {shown!r} ({shape}). "
            "Copy the id from a previous result, or pass its `ref`."
        )
    return quote(text, safe="")


def trim_detail(text: str, limit: int = 300) -> str:
    """A provider's message made short and safe to quote: no HTML, no runs of whitespace."""
    flat = _SPACES.sub(" ", _TAGS.sub(" ", text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
