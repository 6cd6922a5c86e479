"""Cold start: spawn the stdio server, initialize, list tools. Prints the median of several runs.

Compares `agent-runs-mcp serve --demo` and `serve` (no accounts) with a bare MCP SDK server that has the
same number of tools, doing the same handshake, so the number that is ours (what our package adds on top
of the SDK) is visible. The cases take turns within each round (so a busy machine slows them alike) and
the last lines are the ratio `serve --demo` / bare SDK server, from this one run (target: at most 1.10x), in
wall time and in the server process's CPU time (user + system, to `tools/list` and exit: steadier on a busy
machine, where wall time also measures the wait for a core).

    .venv/bin/python bench/startup.py [runs]
"""

from __future__ import annotations

import resource
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
    import sys

    from mcp.server.mcpserver import MCPServer

    server = MCPServer("minimal")
    for i in range(int(sys.argv[1])):
        def ping(text: str = "", limit: int = 10) -> str:
            \"\"\"Answer pong.\"\"\"
            return "pong"

        server.tool(name=f"ping_{i}")(ping)

    server.run()
    """
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # counts a child once it has been waited for
    return usage.ru_utime + usage.ru_stime


async def once(params: StdioServerParameters) -> tuple[float, int, float]:
    """Wall time to `tools/list`, the number of tools, and the server process's CPU time (it exits after)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    async with Client(params, mode="legacy") as client:
        tools = await client.list_tools()
        assert tools.tools
        elapsed = time.perf_counter() - started
    return elapsed, len(tools.tools), _children_cpu() - cpu


async def main(runs: int) -> None:
    ours = ["-m", "agent_runs_mcp", "serve", "--log-level", "warning"]
    demo = StdioServerParameters(command=sys.executable, args=[*ours, "--demo"])
    _, n_tools, _ = await once(demo)  # also warms the OS file cache; not counted
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal.py"
        minimal.write_text(MINIMAL)
        cases = {
            f"bare SDK server ({n_tools} tools)": StdioServerParameters(
                command=sys.executable, args=[str(minimal), str(n_tools)]
            ),
            "agent-runs-mcp serve (no accounts)": StdioServerParameters(command=sys.executable, args=ours, env={}),
            "agent-runs-mcp serve --demo": demo,
        }
        for params in cases.values():
            await once(params)  # warm-up, not counted
        results: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):  # the cases take turns, so load on the machine falls on all of them alike
            for name, params in cases.items():
                wall, _, used = await once(params)
                results[name].append(wall)
                cpu[name].append(used)
    bare = next(iter(results))
    base = statistics.median(results[bare])
    print(f"cold start to tools/list over stdio, median of {runs} runs (min-max):")
    for name, times in results.items():
        med = statistics.median(times)
        extra = f"  (+{(med - base) * 1000:.0f} ms over the SDK)" if name != bare else ""
        used = statistics.median(cpu[name]) * 1000
        print(f"  {name:38s} {med * 1000:6.0f} ms  ({min(times) * 1000:.0f}-{max(times) * 1000:.0f}){extra}"
              f"  CPU {used:.0f} ms")  # fmt: skip
    ratio = statistics.median(results["agent-runs-mcp serve --demo"]) / base
    cpu_ratio = statistics.median(cpu["agent-runs-mcp serve --demo"]) / statistics.median(cpu[bare])
    print(f"serve --demo / bare SDK server, CPU time: {cpu_ratio:.2f}x")
    print(f"serve --demo / bare SDK server: {ratio:.2f}x (target <= 1.10x)")


if __name__ == "__main__":
    anyio.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 7)
