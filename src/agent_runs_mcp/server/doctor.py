"""`agent-runs-mcp doctor`: check the configuration and every account's credentials, and say what to fix."""

from __future__ import annotations

import re
import time

from agent_runs_mcp.config import Account, Settings
from agent_runs_mcp.errors import AgentRunsError, ConfigError
from agent_runs_mcp.providers.platforms import PLATFORMS
from agent_runs_mcp.providers.retry import RetryPolicy
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.tools.capabilities import check as check_account

WITHIN_S = 10.0
"""Doctor's total bound: every account is checked at once, and one that has not answered by then is reported
as not answering (a stalled host would otherwise cost its whole timeout and retries, 40 s by default)."""


async def _check_accounts(settings: Settings, within_s: float = WITHIN_S) -> int:
    import anyio

    from agent_runs_mcp.providers.call_context import time_limit
    from agent_runs_mcp.providers.registry import Registry
    from agent_runs_mcp.server.demo_wiring import transport_for

    retry = RetryPolicy(attempts=2, deadline_s=within_s)
    registry = Registry(settings, transport=transport_for(settings), retry=retry)
    pending = dict(settings.accounts)
    failures = 0
    started = time.monotonic()

    async def check(name: str, account: Account) -> None:
        nonlocal failures
        where = f"{name} ({account.kind}, {account.base_url})"
        try:
            with time_limit(within_s):
                seen = await check_account(registry.get(name))
        except AgentRunsError as exc:
            failures += 1
            print(f"  FAIL {where}: {without_doctor_advice(str(exc))}", flush=True)
        else:
            print(f"  ok   {where}: {seen} in {time.monotonic() - started:.2f}s", flush=True)
        pending.pop(name, None)

    try:
        with anyio.move_on_after(within_s + 1):
            async with anyio.create_task_group() as group:
                for name, account in settings.accounts.items():
                    group.start_soon(check, name, account)
        for name, account in pending.items():  # still waiting at the bound
            failures += 1
            print(
                f"  FAIL {name} ({account.kind}, {account.base_url}): no answer within {within_s:g} s "
                "(the host is slow, or accepts connections and never answers). Check the base URL and the "
                "provider's status.",
                flush=True,
            )
    finally:
        with anyio.CancelScope(shield=True):
            await registry.aclose()
    return failures


def without_doctor_advice(message: str) -> str:
    """An error's message without the advice to run doctor (we are in it)."""
    kept = [s for s in re.split(r"(?<=[.;])\s+", message) if "agent-runs-mcp doctor" not in s]
    return " ".join(kept).rstrip(";")


def run_doctor(demo: bool = False, within_s: float = WITHIN_S) -> int:
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
    print(f"  checking {len(settings.accounts)} account(s) at once (at most {within_s:g} s)...", flush=True)
    failures = anyio.run(_check_accounts, settings, within_s)
    if failures:
        print(f"{failures} account(s) need attention.")
        return 1
    print("All accounts answered.")
    return 0
