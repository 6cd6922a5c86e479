"""The MCP tools, one module per toolset. Registration happens in :mod:`agent_runs_mcp.server.app`."""
