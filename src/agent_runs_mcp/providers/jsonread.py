"""Reading providers' JSON defensively: every helper returns ``None`` (or empty) instead of raising."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any


def dig(data: Any, *path: str | int) -> Any:
    """Follow ``path`` into nested dicts/lists; ``None`` as soon as a step is missing."""
    current = data
    for step in path:
        if type(step) is str:
            if not isinstance(current, dict):
                return None
            current = current.get(step)
        else:
            if not isinstance(current, list) or not -len(current) <= step < len(current):  # type: ignore[operator]
                return None
            current = current[step]  # type: ignore[index]
        if current is None:
            return None
    return current


_NA = frozenset({"n/a", "N/A", "N/a", "n/A"})


def first(*values: Any) -> Any:
    """The first value that is not ``None``, not empty and not "N/A" (health reports call this a lot)."""
    for value in values:
        if value is None:
            continue
        if type(value) is str:
            stripped = value.strip()
            if not stripped or stripped in _NA:
                continue
        elif isinstance(value, list | dict) and not value:
            continue
        return value
    return None


def as_float(value: Any) -> float | None:
    """A number from an int, float or decimal string; ``None`` otherwise (never NaN)."""
    kind = type(value)
    if kind is float:
        return value if value == value and value not in (_INF, -_INF) else None
    if kind is int:
        return float(value)
    if value is None or kind is bool:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number or number in (_INF, -_INF):
        return None
    return number


_INF = float("inf")


def as_int(value: Any) -> int | None:
    number = as_float(value)
    return int(number) if number is not None else None


def as_text(value: Any, limit: int | None = None) -> str | None:
    """A non-empty string, or ``None``; other scalars are stringified, containers are not."""
    if value is None or isinstance(value, dict | list):
        return None
    text = (value if type(value) is str else str(value)).strip()
    if not text or text in _NA:
        return None
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def newest_first_exhausted(times: Iterable[datetime | None], since: datetime | None) -> bool:
    """True when a newest-first page proves no later page can hold an item at or after ``since``.

    Only trusts the order it can see: every timestamp present must be
    non-increasing, and the last one must be before ``since``.
    """
    if since is None:
        return False
    seen = [t for t in times if t is not None]
    if not seen:
        return False
    if any(later > earlier for earlier, later in itertools.pairwise(seen)):
        return False
    return seen[-1] < since


PROSE_KEYS = ("text", "content", "summary", "message", "output")


def as_prose(value: Any, limit: int) -> str | None:
    """Readable text from a provider value: a string, an object's first text-like field, else compact JSON."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dict):
        inner = first(*(value.get(key) for key in PROSE_KEYS))
        if isinstance(inner, str):
            return as_text(inner, limit)
    if isinstance(value, str):
        return as_text(value, limit)
    return as_text(json.dumps(value, ensure_ascii=False, default=str), limit)
