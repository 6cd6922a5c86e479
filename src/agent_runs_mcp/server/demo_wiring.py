"""Demo mode, assembled: the simulator's accounts and its in-process transport.

This is the only product module that imports the simulator. Configuration and
the provider registry are handed what they need (accounts, an httpx transport)
and never know where it came from.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import SecretStr

from agent_runs_mcp import config
from agent_runs_mcp.config import DEMO_BASE_URL, Account, Settings
from agent_runs_mcp.providers.platforms import KINDS, PLATFORMS

if TYPE_CHECKING:
    import httpx


def demo_accounts() -> dict[str, Account]:
    """One account per platform, all served by the in-process simulator."""
    from agent_runs_mcp.simulator.names import DEMO_CREDENTIALS  # the names alone: the world loads on first use

    accounts: dict[str, Account] = {}
    for kind in KINDS:
        creds = DEMO_CREDENTIALS[kind]
        accounts[kind] = Account(
            name=kind,
            kind=kind,
            base_url=DEMO_BASE_URL,
            token=SecretStr(creds["token"]),
            settings={k: creds[k] for k in PLATFORMS[kind].settings_variables if creds.get(k)},
            demo=True,
            token_source="demo mode",
        )
    return accounts


def demo_transport() -> httpx.AsyncBaseTransport:
    """Requests to the demo accounts, answered by the simulator inside this process: no port, no network."""
    from agent_runs_mcp.simulator.app import in_process_transport

    return in_process_transport()


def load_settings(env: Mapping[str, str] | None = None, *, demo: bool | None = None) -> Settings:
    """:func:`agent_runs_mcp.config.load_settings` with the simulator's accounts for demo mode."""
    return config.load_settings(env, demo=demo, demo_accounts=demo_accounts)


def transport_for(settings: Settings) -> httpx.AsyncBaseTransport | None:
    """The transport the registry needs for ``settings``: the simulator's in demo mode, else the network."""
    return demo_transport() if settings.demo else None


def serve_simulator(
    host: str,
    port: int,
    *,
    seed: int = 7,
    big_run: int = 0,
    big_run_done: float | None = None,
    big_agent: int = 0,
    latency_ms: float | None = None,
    rate_limit: float | None = None,
    log_level: str = "warning",
) -> int:
    """`agent-runs-mcp simulate`: the simulator alone over HTTP, with the variables that point the server at it.

    The port is bound before the variables are printed: a busy port says so instead of a banner.
    """
    from agent_runs_mcp.server import ports
    from agent_runs_mcp.simulator.app import create_app
    from agent_runs_mcp.simulator.pacing import Pacing
    from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World

    pacing = Pacing.from_env()
    if latency_ms is not None or rate_limit is not None:
        pacing.set(latency_ms if latency_ms is not None else pacing.latency_s * 1000, rate_limit or pacing.rate)
    world = World(seed=seed, big_run_tasks=big_run, big_run_done=big_run_done, big_agent_executions=big_agent)
    app = create_app(world, pacing=pacing)
    try:
        sock = ports.bind(host, port)
    except ports.PortError as exc:
        print(f"agent-runs-mcp simulate: {exc}", file=sys.stderr, flush=True)
        return 2
    base = ports.url(sock, host)
    lines = ["Provider simulator on " + base, "Point the server at it with:"]
    for kind, platform in PLATFORMS.items():
        creds = DEMO_CREDENTIALS[kind]
        line = f"  {platform.base_url_variable}={base} {platform.token_variable}={creds['token']}"
        for field_name, var in platform.settings_variables.items():
            if creds.get(field_name):
                line += f" {var}={creds[field_name]}"
        lines.append(line)
    lines.append("Faults: POST a JSON list of rules to /_sim/faults (see agent_runs_mcp/simulator/faults.py).")
    lines.append(
        f"Pacing: {pacing.latency_s * 1000:g} ms per request, rate limit {pacing.rate or 'none'} per credential; "
        "GET /_sim/pacing for traffic (see agent_runs_mcp/simulator/pacing.py)."
    )
    print("\n".join(lines), file=sys.stderr, flush=True)
    ports.run_uvicorn(sock, app, host=host, port=port, log_level=log_level)
    return 0
