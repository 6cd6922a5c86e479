"""MCP wiring (tool registration), transports and the command line."""
