"""stdio with an answer for every frame: malformed ones get the JSON-RPC error the spec gives.

The SDK's stdio transport turns a line it cannot read into an exception on the session's read stream
and the session drops it, so a host that sent it waits out its own timeout. Here every such line is
answered: invalid JSON with ``-32700 Parse error`` (id ``null``), JSON that is not a JSON-RPC message
(no ``"jsonrpc"``, ``params`` as a list, ...) with ``-32600 Invalid Request`` and the request's id when
it can be read. Everything else passes through to the SDK unchanged.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
import mcp_types as types
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

log = logging.getLogger(__name__)


def protocol_error(exc: Exception) -> types.JSONRPCError | None:
    """The JSON-RPC error answering a frame the transport could not read (``None``: not a frame problem)."""
    if not isinstance(exc, ValidationError):
        return None
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        code, message, request_id = types.PARSE_ERROR, "Parse error: the frame is not valid JSON.", None
    else:
        code, message = types.INVALID_REQUEST, "Invalid Request: the frame is not a JSON-RPC 2.0 message."
        request_id = _request_id(errors)
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))


def _request_id(errors: list[Any]) -> str | int | None:
    for err in errors:
        value = err.get("input")
        if isinstance(value, dict):
            found = value.get("id")
            if isinstance(found, str | int) and not isinstance(found, bool):
                return found
    return None


async def serve_stdio(server: Any) -> None:
    """Run ``server`` (an MCPServer) on stdio, answering malformed frames."""
    lowlevel = server._lowlevel_server
    async with stdio_server() as (read_stream, write_stream):
        send, receive = anyio.create_memory_object_stream[SessionMessage | Exception](16)

        async def guard() -> None:
            async with send:
                async for item in read_stream:
                    if isinstance(item, Exception):
                        reply = protocol_error(item)
                        if reply is not None:
                            log.info("answered a malformed frame with JSON-RPC error %s", reply.error.code)
                            await write_stream.send(SessionMessage(reply))
                            continue
                    await send.send(item)

        async with anyio.create_task_group() as group:
            group.start_soon(guard)
            await lowlevel.run(receive, write_stream, lowlevel.create_initialization_options())
            group.cancel_scope.cancel()
