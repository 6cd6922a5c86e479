"""Where every tool is registered: the one place that decides what the server offers."""

from __future__ import annotations

import inspect
import logging
import types
import typing
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.apps import Apps
from mcp.server.caching import CacheHint
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.context_injection import find_context_parameter
from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata, func_metadata
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, Icon, PaginatedRequestParams
from mcp.types import Tool as MCPTool
from pydantic import ValidationError

from agent_runs_mcp import __version__
from agent_runs_mcp.config import Settings
from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.server import published
from agent_runs_mcp.server.demo_wiring import transport_for
from agent_runs_mcp.server.schema import compact_input_schema, compact_output_schema
from agent_runs_mcp.text import clean_text, excerpt
from agent_runs_mcp.tools import accounts, calls, health, prompts, runs, search
from agent_runs_mcp.tools.common import READ_ONLY
from agent_runs_mcp.tools.health import dashboard, fleet

log = logging.getLogger("agent_runs_mcp.tools")

UNKNOWN_SHOWN = 5
"""An argument error names at most this many arguments (a caller may send thousands)."""

INSTRUCTIONS = """\
Inspect AI agent runs on Unpod (voice calling campaigns), Runtype (LLM agents) and Modus (workflows).
Typical path: list_providers -> list_agents -> summarize_run_health (agent window or one run) ->
list_agent_executions -> get_run_tasks -> get_call_transcript; search_calls finds calls that said
something, summarize_fleet_health ranks every agent. Each result names its next call (`Next:`
in the text, `next` in the structured result) with the ids to pass; a `ref` (health examples, and every
item at detail="full") locates an item alone. All tools are read-only."""

# Toolsets, in the order a model usually needs them. (title, function)
TOOLSETS: dict[str, list[tuple[str, Callable[..., Awaitable[Any]]]]] = {
    "accounts": [
        ("Configured provider accounts", accounts.list_providers),
        ("Agents of an account", accounts.list_agents),
    ],
    "runs": [
        ("Executions of an agent", runs.list_agent_executions),
        ("Tasks of a run", runs.get_run_tasks),
    ],
    "calls": [("Transcript of a call", calls.get_call_transcript), ("Search calls", search.search_calls)],
    "health": [
        ("Health report of a run or agent", health.summarize_run_health),
        ("Fleet health", fleet.summarize_fleet_health),
    ],
}


TOOL_ORDER = [fn.__name__ for tools in TOOLSETS.values() for _title, fn in tools]
"""`tools/list` order: the toolsets' order, always the same (a client may cache or diff the list)."""

LISTS_FRESH_MS = 3_600_000
CACHE_HINTS = {
    method: CacheHint(ttl_ms=LISTS_FRESH_MS, scope="public")
    for method in ("tools/list", "prompts/list", "resources/list", "resources/templates/list")
}
"""Protocol 2026-07-28 caching hints: these lists change only with a new server version and are the same for
every caller (no account or token changes them), so clients may keep them an hour and share them."""

ICON = Icon(
    src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Crect width='24' "
    "height='24' rx='5' fill='%23234'/%3E%3Cpath d='M3 13h4l2-6 4 11 2-5h6' fill='none' stroke='%236ce' "
    "stroke-width='2' stroke-linejoin='round'/%3E%3C/svg%3E",
    mime_type="image/svg+xml",
    sizes=["any"],
)
"""The server's icon (a pulse line), inline so it works offline and on stdio. Hosts show it in `initialize`'s
server info, on the prompts and on the transcript resource template. Tools carry none: 8 copies would cost about 500
tokens of every `tools/list`, which a model pays for and never sees."""


class AgentRunsServer(MCPServer):
    """The MCP server, holding the provider registry its tools read from."""

    def __init__(self, registry: Registry, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.registry = registry
        self._listed: list[MCPTool] | None = None

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        """Run a tool; argument errors are rephrased to name the argument, the problem and what is accepted."""
        tool = self._tool_manager.get_tool(name)
        if tool is None:  # a protocol error (-32602), not a tool result: the spec's answer to an unknown tool
            log.info("tool=%s outcome=unknown_tool", clean_text(name[:64]))
            names = ", ".join(t.name for t in self._tool_manager.list_tools())
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {excerpt(name, 64)}. Tools: {names}.")
        if tool is not None:
            accepted = set(tool.parameters.get("properties", {}))
            unknown = sorted(set(arguments) - accepted)
            if unknown:
                shown = ", ".join(f"`{clean_text(u[:40])}`" for u in unknown[:UNKNOWN_SHOWN])
                more = f" and {len(unknown) - UNKNOWN_SHOWN} more" if len(unknown) > UNKNOWN_SHOWN else ""
                log.info("tool=%s outcome=unknown_arguments count=%d", name, len(unknown))
                raise ToolError(
                    f"Invalid arguments for {name}: unknown argument(s) {shown}{more}. "
                    f"Accepted: {', '.join(sorted(accepted)) or 'none'}."
                )
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if type(exc) is ToolError and isinstance(exc.__cause__, ValidationError):  # the arguments, not a result
                log.info("tool=%s outcome=invalid_arguments", name)
                raise ToolError(explain_arguments(name, exc.__cause__)) from exc.__cause__
            raise

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None, context: Any = None) -> Any:
        """Unknown prompts and missing required arguments are invalid params (-32602), as the spec says."""
        prompt = self._prompt_manager.get_prompt(name)
        if prompt is None:
            names = ", ".join(p.name for p in self._prompt_manager.list_prompts())
            raise MCPError(INVALID_PARAMS, f"Unknown prompt: {excerpt(name, 64)}. Prompts: {names}.")
        missing = [a.name for a in prompt.arguments or [] if a.required and not (arguments or {}).get(a.name)]
        if missing:
            raise MCPError(INVALID_PARAMS, f"Prompt {name} needs argument(s): {', '.join(missing)}.")
        return await super().get_prompt(name, arguments, context)

    async def _handle_list_tools(self, ctx: Any, params: PaginatedRequestParams | None) -> Any:
        _no_cursor(params)
        return await super()._handle_list_tools(ctx, params)

    async def _handle_list_prompts(self, ctx: Any, params: PaginatedRequestParams | None) -> Any:
        _no_cursor(params)
        return await super()._handle_list_prompts(ctx, params)

    async def _handle_list_resources(self, ctx: Any, params: PaginatedRequestParams | None) -> Any:
        _no_cursor(params)
        return await super()._handle_list_resources(ctx, params)

    async def _handle_list_resource_templates(self, ctx: Any, params: PaginatedRequestParams | None) -> Any:
        _no_cursor(params)
        return await super()._handle_list_resource_templates(ctx, params)

    async def list_tools(self) -> list[MCPTool]:
        """The tools with compact schemas (computed once): the same contract in fewer tokens."""
        if self._listed is None:
            self._listed = [
                tool.model_copy(
                    update={
                        "input_schema": compact_input_schema(tool.input_schema),
                        "output_schema": compact_output_schema(tool.output_schema),
                    }
                )
                for tool in sorted(await super().list_tools(), key=_tool_rank)
            ]
        return self._listed


SERVER_INFO = "io.modelcontextprotocol/serverInfo"


async def icon_only_in_discovery(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
    """Protocol 2026-07-28 stamps the server's identity on every result (`_meta` serverInfo). The icon (about
    130 tokens) stays where clients learn who the server is, `server/discover` (and legacy `initialize`),
    instead of riding on every answer, `tools/list` and each tool call included."""
    result = await call_next(ctx)
    if ctx.method != "server/discover" and isinstance(result, dict):
        stamp = (result.get("_meta") or {}).get(SERVER_INFO)
        if isinstance(stamp, dict) and "icons" in stamp:
            result["_meta"] = {**result["_meta"], SERVER_INFO: {k: v for k, v in stamp.items() if k != "icons"}}
    return result


def _tool_rank(tool: MCPTool) -> tuple[int, str]:
    return (TOOL_ORDER.index(tool.name) if tool.name in TOOL_ORDER else len(TOOL_ORDER), tool.name)


def _no_cursor(params: PaginatedRequestParams | None) -> None:
    """These lists fit one page, so no cursor was ever issued: one sent is invalid (-32602), per the spec."""
    if params is not None and params.cursor is not None:
        raise MCPError(INVALID_PARAMS, "Invalid cursor: this server lists everything in one page; omit `cursor`.")


def explain_arguments(tool: str, error: ValidationError) -> str:
    """`limit` should be at most 100 (got 500), instead of pydantic's report."""
    problems = []
    for item in error.errors():
        argument = clean_text(".".join(str(part) for part in item["loc"])[:40]) or "arguments"
        message = item["msg"].replace("Input should be", "should be").replace("Input ", "")
        given = item.get("input")
        shown = "" if item["type"] == "missing" else f" (got {excerpt(given, 40)})"
        problems.append(f"`{argument}` {message}{shown}")
        if len(problems) == UNKNOWN_SHOWN:
            break
    return f"Invalid arguments for {tool}: " + "; ".join(problems) + ". Fix them and call again."


class LiteralArguments(FuncMetadata):
    """Arguments as the client sent them. The SDK parses JSON-looking strings for arguments not typed
    plain `str` (so `search="[]"` became a list and `"null"` no value); ours are strings, numbers and
    booleans, so every string stays the string it was."""

    def pre_parse_json(self, data: dict[str, Any]) -> dict[str, Any]:
        # One leniency that keeps the meaning: a whole number for a string argument is that id
        # (the MCP Inspector sends `agent=63` as 63; Modus workflow ids are numbers).
        fields = self.arg_model.model_fields
        return {
            key: str(value) if type(value) is int and key in fields and takes_str(fields[key].annotation) else value
            for key, value in data.items()
        }


def takes_str(annotation: Any) -> bool:
    """True when an argument's type accepts a string (``str``, ``str | None``, ``Annotated[str, ...]``): not by
    its printed name, in which ``Strict`` of ``StrictInt | None`` would read as ``str``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return takes_str(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(takes_str(option) for option in typing.get_args(annotation))
    return annotation is str


TOOL_META: dict[str, dict[str, Any]] = {"summarize_run_health": dashboard.TOOL_META}
"""Tools' ``_meta``: the health report links to its MCP App view."""


def apps_extension() -> Apps:
    """MCP Apps (``io.modelcontextprotocol/ui``): the views this server ships."""
    apps = Apps()
    apps.add_html_resource(
        dashboard.URI,
        dashboard.html(),
        name="health-dashboard",
        title="Run health dashboard",
        description="Verdict, success rate against the previous window, failure reasons, trend and failed calls.",
        prefers_border=False,
    )
    return apps


def registered_tool(fn: Callable[..., Awaitable[Any]], title: str) -> Tool:
    """One tool, registered as the SDK's ``Tool.from_function`` would, its schemas built the quick way.

    The SDK derives a tool's schemas by generating its argument and result models' whole JSON Schemas; the
    compact ones `tools/list` publishes are read from the models' fields instead (:mod:`.published`). The
    argument model validates every call and the result model every result (its validator is built on the
    first call). A tool whose return is not ``Annotated[CallToolResult, Model]``, or whose models
    :mod:`.published` does not derive, gets pydantic's schemas (plain defaults written without a serializer
    each).
    """
    context_kwarg = find_context_parameter(fn)
    arguments = func_metadata(fn, skip_names=[context_kwarg] if context_kwarg else [], structured_output=False)
    returns = typing.get_type_hints(fn, include_extras=True).get("return")
    (model,) = typing.get_args(returns)[1:] or (None,)
    if model is None:
        output = {"output_model": func_metadata(fn).output_model}
    else:
        output = {"output_model": model, "output_schema": published.output_schema(model)}
    return Tool(
        fn=fn,
        name=fn.__name__,
        title=title,
        description=" ".join(inspect.cleandoc(fn.__doc__ or "").split()),  # one line: indentation costs tokens
        parameters=published.input_schema(arguments.arg_model)
        or arguments.arg_model.model_json_schema(by_alias=True, schema_generator=published.QuickDefaults),
        fn_metadata=LiteralArguments(arg_model=arguments.arg_model, **output),
        is_async=inspect.iscoroutinefunction(fn),
        context_kwarg=context_kwarg,
        annotations=READ_ONLY,
        meta=TOOL_META.get(fn.__name__),
    )


def build_server(settings: Settings, registry: Registry | None = None, **kwargs: Any) -> AgentRunsServer:
    """Build the server for ``settings`` with every toolset registered."""
    kwargs.setdefault("extensions", [apps_extension()])
    server = AgentRunsServer(
        registry or Registry(settings, transport_factory=lambda: transport_for(settings)),
        name="agent-runs-mcp",
        title="Agent runs (Unpod, Runtype, Modus)",
        version=__version__,
        instructions=INSTRUCTIONS,
        icons=[ICON],
        cache_hints=CACHE_HINTS,
        tools=[registered_tool(fn, title) for tools in TOOLSETS.values() for title, fn in tools],
        **kwargs,
    )
    server.middleware.append(icon_only_in_discovery)
    server.resource(
        calls.URI_PREFIX + "{+ref}",  # reserved expansion: the ref percent-encoded (as links give it) or raw
        name="transcript",
        title="Whole transcript of a call or run",
        description=(
            "The conversation a task or call ref locates (Runtype and Modus: also a run's ref), as plain text, "
            "personal data masked. The ref goes in percent-encoded, as results' resource links give it; "
            "a raw ref works too."
        ),
        mime_type="text/plain",
        icons=[ICON],
    )(calls.read_transcript_resource)
    server.prompt(title="Triage a run", icons=[ICON])(prompts.triage_run)
    server.prompt(title="Daily report on an agent", icons=[ICON])(prompts.agent_daily_report)
    return server
