"""`agent-runs-mcp doctor`: check the configuration and every account's credentials, and say what to fix."""

from __future__ import annotations

import time

from agent_runs_mcp.config import Settings
from agent_runs_mcp.errors import AgentRunsError, ConfigError
from agent_runs_mcp.providers.client import RetryPolicy
from agent_runs_mcp.providers.platforms import PLATFORMS
from agent_runs_mcp.server.demo_wiring import load_settings


async def _check_accounts(settings: Settings) -> int:
    from agent_runs_mcp.providers.registry import Registry
    from agent_runs_mcp.server.demo_wiring import transport_for

    registry = Registry(settings, transport=transport_for(settings), retry=RetryPolicy(attempts=2, deadline_s=15))
    failures = 0
    try:
        for name, account in settings.accounts.items():
            started = time.monotonic()
            try:
                seen = await registry.get(name).check()
            except AgentRunsError as exc:
                failures += 1
                print(f"  FAIL {name} ({account.kind}, {account.base_url}): {exc}")
            else:
                print(
                    f"  ok   {name} ({account.kind}, {account.base_url}): {seen} in {time.monotonic() - started:.2f}s"
                )
    finally:
        await registry.aclose()
    return failures


def run_doctor(demo: bool = False) -> int:
    import anyio

    print("agent-runs-mcp doctor")
    try:
        settings = load_settings(demo=True if demo else None)
    except ConfigError as exc:
        print(f"  configuration error: {exc}")
        return 2
    if settings.config_file:
        print(f"  config file: {settings.config_file}")
    if not settings.accounts:
        print("  no provider account is configured. Set one or more of:")
        for platform in PLATFORMS.values():
            print(f"    {platform.token_variable}")
        for platform in PLATFORMS.values():
            if platform.setup_hint:
                print(f"  ({platform.setup_hint})")
        print("  Or try everything first with: agent-runs-mcp serve --demo  /  agent-runs-mcp demo")
        return 1
    for kind, platform in PLATFORMS.items():
        if not any(a.kind == kind for a in settings.accounts.values()):
            print(f"  note: no {kind} account ({platform.token_variable} is not set)")
    if settings.http_tokens:
        print(f"  HTTP transport: {len(settings.http_tokens)} bearer token(s) configured")
    print(f"  checking {len(settings.accounts)} account(s)...")
    failures = anyio.run(_check_accounts, settings)
    if failures:
        print(f"{failures} account(s) need attention.")
        return 1
    print("All accounts answered.")
    return 0
