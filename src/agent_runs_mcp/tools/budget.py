"""Token budgets: every result fits the model's context, cut at item boundaries, honestly.

:func:`estimate_tokens` is a cheap, deliberately generous estimate (no
tokenizer at run time): a word counts one token plus one per six letters, a
number one plus one per three digits, a run of symbols one per two, and the
sum gets 10% on top. `bench/context_tokens.py` checks it against a real BPE
tokenizer: on our results it lands between 1.0x and 1.3x the real count, which
is the safe side.

A host hands the model one channel: Claude.ai and ChatGPT the text, Claude Code,
VS Code and the Copilot CLI only the structured content. So the budget bounds what
each kind of host sends: every result's text and its structured content are each
kept within it (the larger of the two decides where a page is cut). The budget is
capped at 12,000 so that even a host that passes both stays under the 25,000
tokens some hosts refuse.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

ENVELOPE_RESERVE = 250
"""Tokens kept free for a result's header, notes and cursor lines."""

MAX_FIELD_CHARS = 600
"""Longest string kept in a provider-details value (full detail)."""

_PIECES = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]+")
MARGIN = 1.1


def estimate_tokens(text: str) -> int:
    """A cheap upper-leaning estimate of how many tokens ``text`` costs a model."""
    count = 0
    for piece in _PIECES.findall(text):
        first = piece[0]
        if first.isalpha():
            count += 1 + len(piece) // 6
        elif first.isdigit():
            count += 1 + len(piece) // 3
        else:
            count += (len(piece) + 1) // 2
    return int(count * MARGIN) + 1


def json_tokens(value: Any) -> int:
    return estimate_tokens(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [cut {len(text) - limit} more characters]"


def clip_values(value: Any, limit: int = MAX_FIELD_CHARS) -> Any:
    """Every string inside ``value`` clipped to ``limit`` characters."""
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, dict):
        return {k: clip_values(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [clip_values(v, limit) for v in value[:50]]
    return value


def fit(item_dicts: list[Any], item_lines: list[str], budget: int, reserve: int = ENVELOPE_RESERVE) -> int:
    """How many leading items fit in ``budget`` (text and structured content counted separately).

    ``reserve`` is kept free for what comes with the items (a header, notes, a call's metadata).
    At least one item is always kept: a single item is bounded by the clipping
    of its long fields, so it cannot overflow on its own.
    """
    room = max(budget - reserve, 100)
    text_used = json_used = 0
    for index, (item, line) in enumerate(zip(item_dicts, item_lines, strict=True)):
        text_used += estimate_tokens(line) + 1
        json_used += json_tokens(item) + 1
        if index > 0 and max(text_used, json_used) > room:
            return index
    return len(item_dicts)


@functools.cache
def real_token_counter() -> Callable[[str], int] | None:
    """A real BPE token counter when the dev extra is installed (tests and benchmarks), else ``None``.

    It reads the `tokenizer.json` that Anthropic's Python SDK shipped up to version 0.38 with the
    `tokenizers` library, fully offline. The server itself never needs it.
    """
    try:
        import importlib.resources

        import tokenizers

        data = (importlib.resources.files("anthropic") / "tokenizer.json").read_text()
    except (ImportError, OSError):
        return None
    tokenizer = tokenizers.Tokenizer.from_str(data)
    return lambda text: len(tokenizer.encode(text).ids)
