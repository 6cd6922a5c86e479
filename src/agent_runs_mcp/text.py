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


def one_line(text: str) -> str:
    """``text`` on one line: each line break (``\n``, ``\r``, ``\v``, ``\f``, U+2028 ...) with the spaces
    around it becomes one space, so provider text can never start a line of its own in a result."""
    if text.isprintable():
        return text
    parts = text.splitlines()
    if len(parts) == 1 and parts[0] == text:
        return text  # a tab or another character that breaks no line
    return " ".join(part.strip() for part in parts if part.strip())


def indented(text: str, prefix: str = "    ") -> str:
    """Multi-line provider text (a turn's words) with every line after the first indented, so none of
    them can pass for a line of the server's own (``Next:``, ``More:``, a heading)."""
    lines = text.splitlines()
    return "\n".join([lines[0], *(prefix + line for line in lines[1:])]) if len(lines) > 1 else text
