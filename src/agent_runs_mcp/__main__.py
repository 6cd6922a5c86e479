"""`python -m agent_runs_mcp` is the `agent-runs-mcp` command."""

from agent_runs_mcp.server.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
