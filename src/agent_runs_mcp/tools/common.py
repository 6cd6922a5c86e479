"""What every tool shares, one module per job: ``arguments`` (argument types, refs, statuses, windows),
``guard`` (the error guard and the call's registry), ``results`` (the result envelope) and
``formatting`` (numbers and times in text). This module gathers them for the tool modules."""

from __future__ import annotations

from agent_runs_mcp.refs import pick
from agent_runs_mcp.tools.arguments import (
    ID_MAX,
    READ_ONLY,
    REF_KEYS,
    AgentArg,
    CursorArg,
    FreshArg,
    LimitArg,
    ProviderArg,
    RefArg,
    RunIdArg,
    SinceArg,
    SpaceArg,
    StatusArg,
    StatusName,
    UntilArg,
    in_window,
    parse_status,
    parse_window,
    resolve_ref,
)
from agent_runs_mcp.tools.formatting import fmt_duration, fmt_money, short_time
from agent_runs_mcp.tools.guard import provider_for, registry_of, said, settings_of, tool_errors
from agent_runs_mcp.tools.results import CONCISE_OMITS, compact, result

__all__ = [
    "CONCISE_OMITS",
    "ID_MAX",
    "READ_ONLY",
    "REF_KEYS",
    "AgentArg",
    "CursorArg",
    "FreshArg",
    "LimitArg",
    "ProviderArg",
    "RefArg",
    "RunIdArg",
    "SinceArg",
    "SpaceArg",
    "StatusArg",
    "StatusName",
    "UntilArg",
    "compact",
    "fmt_duration",
    "fmt_money",
    "in_window",
    "parse_status",
    "parse_window",
    "pick",
    "provider_for",
    "registry_of",
    "resolve_ref",
    "result",
    "said",
    "settings_of",
    "short_time",
    "tool_errors",
]
