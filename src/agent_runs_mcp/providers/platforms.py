"""The table of platforms: the one place that lists them."""

from __future__ import annotations

from agent_runs_mcp.providers.modus import PLATFORM as MODUS
from agent_runs_mcp.providers.platform import Platform
from agent_runs_mcp.providers.runtype import PLATFORM as RUNTYPE
from agent_runs_mcp.providers.unpod import PLATFORM as UNPOD

PLATFORMS: dict[str, Platform] = {p.kind: p for p in (UNPOD, RUNTYPE, MODUS)}
KINDS: tuple[str, ...] = tuple(PLATFORMS)


def platform(kind: str) -> Platform:
    """The platform of an account kind (kinds are checked when accounts are configured)."""
    return PLATFORMS[kind]


def label(kind: str) -> str:
    """How messages name a platform; an unknown kind is shown as it is."""
    found = PLATFORMS.get(kind)
    return found.label if found else kind


def token_variables() -> str:
    """The token variables, for messages: "UNPOD_API_TOKEN, RUNTYPE_API_KEY or MODUS_API_KEY"."""
    names = [p.token_variable for p in PLATFORMS.values()]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
