"""Text a model may read: control, bidi and invisible characters removed; callers' input shown as a short excerpt."""

from __future__ import annotations

import unicodedata

_KEEP_CONTROLS = {"\n", "\t"}


def clean_text(text: str) -> str:
    """Remove control characters (but newlines and tabs) and invisible format characters."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text.replace("\r\n", "\n"):
        if char in _KEEP_CONTROLS:
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co") or char in ("\u2028", "\u2029"):
            continue
        out.append(char)
    return "".join(out)


def excerpt(value: object, limit: int = 60) -> str:
    """A short, cleaned, quoted excerpt of what a caller gave, for an error message (never the whole of it)."""
    raw = value if isinstance(value, str) else str(value)
    text = clean_text(raw[: limit * 4]).replace("\n", " ").replace("\t", " ")
    if len(raw) > limit:
        return repr(text[:limit]) + f"… ({len(raw)} characters)"
    return repr(text)
