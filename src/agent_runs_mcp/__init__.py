"""agent-runs-mcp: an MCP server for inspecting agent runs on Unpod, Runtype and Modus.

Importing the package is cheap on purpose: the MCP SDK, the simulator and the
HTTP stack are imported by the modules that need them, not here.
"""

__version__ = "0.2.0"
