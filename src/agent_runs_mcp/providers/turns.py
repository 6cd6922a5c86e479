"""Turning the providers' conversation shapes into ordered :class:`~agent_runs_mcp.domain.Turn` lists."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from agent_runs_mcp.domain import Speaker, Turn
from agent_runs_mcp.providers.jsonread import as_float, first
from agent_runs_mcp.timeutil import parse_time

_SPEAKERS: dict[str, Speaker] = {
    "assistant": "agent",
    "agent": "agent",
    "bot": "agent",
    "ai": "agent",
    "model": "agent",
    "pilot": "agent",
    "user": "customer",
    "customer": "customer",
    "human": "customer",
    "caller": "customer",
    "client": "customer",
    "contact": "customer",
    "tool": "tool",
    "function": "tool",
    "tool_calls": "tool",
    "tool_call": "tool",
    "tool_call_result": "tool",
    "tool_result": "tool",
    "system": "system",
    "developer": "system",
    "notice": "system",
}
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z_ ]{0,19}?)\s*:\s?(.*)$")


def speaker_of(role: Any) -> Speaker | None:
    """The normalized speaker for a provider's role word, or ``None`` when it is not one we know."""
    if not isinstance(role, str):
        return None
    return _SPEAKERS.get(role.strip().lower().replace("-", "_"))


def content_text(content: Any) -> str:
    """Text of a message's content: a string, a list of parts ({type:text,text}), or other JSON."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict):
                text = first(part.get("text"), part.get("content"))
                parts.append(text if isinstance(text, str) else json.dumps(part, ensure_ascii=False)[:500])
            else:
                parts.append(str(part))
        return "\n".join(p for p in parts if p)
    if isinstance(content, dict):
        text = first(content.get("text"), content.get("content"), content.get("message"))
        if isinstance(text, str):
            return text
    return json.dumps(content, ensure_ascii=False, default=str)


def turns_from_messages(messages: list[Any], started_at: datetime | None = None) -> list[Turn]:
    """Turns from a list of message objects (Unpod ``{role, content, timestamp}``, Vapi ``{role, message, time}``)."""
    turns: list[Turn] = []
    for raw in messages:
        if isinstance(raw, str):
            turns.extend(turns_from_text(raw, started_at, start_index=len(turns)))
            continue
        if not isinstance(raw, dict):
            continue
        role = first(raw.get("role"), raw.get("speaker"), raw.get("participant"), raw.get("type"))
        speaker = speaker_of(role)
        text = content_text(first(raw.get("content"), raw.get("message"), raw.get("text"), raw.get("transcript")))
        if speaker is None:
            speaker = "system"
            if isinstance(role, str) and role:
                text = f"[{role}] {text}"
        if not text.strip():
            continue
        at = parse_time(first(raw.get("timestamp"), raw.get("time"), raw.get("created_at"), raw.get("createdAt")))
        offset = as_float(first(raw.get("secondsFromStart"), raw.get("seconds_from_start")))
        if offset is None and at is not None and started_at is not None:
            delta = (at - started_at).total_seconds()
            offset = round(delta, 2) if delta >= 0 else None
        turns.append(Turn(index=len(turns), speaker=speaker, text=text.strip(), at=at, seconds_from_start=offset))
    return turns


def turns_from_text(text: str, started_at: datetime | None = None, start_index: int = 0) -> list[Turn]:
    """Turns from a transcript given as one string of ``Role: words`` lines."""
    turns: list[Turn] = []
    current: tuple[Speaker, list[str]] | None = None

    def flush() -> None:
        if current and "\n".join(current[1]).strip():
            turns.append(Turn(index=start_index + len(turns), speaker=current[0], text="\n".join(current[1]).strip()))

    for line in text.splitlines():
        match = _LINE.match(line)
        speaker = speaker_of(match.group(1)) if match else None
        if match and speaker is not None:
            flush()
            current = (speaker, [match.group(2)])
        elif current is not None:
            current[1].append(line)
        elif line.strip():
            current = ("system", [line])
    flush()
    return turns


def turns_from_any(value: Any, started_at: datetime | None = None) -> list[Turn]:
    """Turns from whatever a transcript field holds: a list of messages, or one string."""
    if isinstance(value, list):
        return turns_from_messages(value, started_at)
    if isinstance(value, str):
        return turns_from_text(value, started_at)
    return []
