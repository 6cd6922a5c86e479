"""Cold start: spawn the stdio server, initialize, list tools. Prints the median of several runs.

Compares `agent-runs-mcp serve --demo` and `serve` (no accounts) with a minimal MCP SDK server doing the
same handshake, so the number that is ours (what our package adds on top of the SDK) is visible.

    .venv/bin/python bench/startup.py [runs]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

MINIMAL = textwrap.dedent(
    """
    from mcp.server.mcpserver import MCPServer
    server = MCPServer("minimal")

    @server.tool()
    def ping() -> str:
        \"\"\"Answer pong.\"\"\"
        return "pong"

    server.run()
    """
)


async def once(params: StdioServerParameters) -> float:
    started = time.perf_counter()
    async with Client(params, mode="legacy") as client:
        tools = await client.list_tools()
        assert tools.tools
        elapsed = time.perf_counter() - started
    return elapsed


async def measure(params: StdioServerParameters, runs: int) -> list[float]:
    await once(params)  # warm the OS file cache; not counted
    return [await once(params) for _ in range(runs)]


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal.py"
        minimal.write_text(MINIMAL)
        cases = {
            "minimal SDK server": StdioServerParameters(command=sys.executable, args=[str(minimal)]),
            "agent-runs-mcp serve (no accounts)": StdioServerParameters(
                command=sys.executable, args=["-m", "agent_runs_mcp", "serve", "--log-level", "warning"], env={}
            ),
            "agent-runs-mcp serve --demo": StdioServerParameters(
                command=sys.executable, args=["-m", "agent_runs_mcp", "serve", "--demo", "--log-level", "warning"]
            ),
        }
        results = {}
        for name, params in cases.items():
            results[name] = await measure(params, runs)
    base = statistics.median(results["minimal SDK server"])
    print(f"cold start to tools/list over stdio, median of {runs} runs (min-max):")
    for name, times in results.items():
        med = statistics.median(times)
        extra = f"  (+{(med - base) * 1000:.0f} ms over the SDK)" if name != "minimal SDK server" else ""
        print(f"  {name:38s} {med * 1000:6.0f} ms  ({min(times) * 1000:.0f}-{max(times) * 1000:.0f}){extra}")


if __name__ == "__main__":
    anyio.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 7)
