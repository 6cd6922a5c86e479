"""Run by a Python 3.12 interpreter that has the official `unpod` SDK (0.5.0): its own client calls the
endpoints our adapter reads on a running simulator, and this prints one JSON line per call.

    python tests/sdk_oracle/unpod_calls.py BASE_URL TOKEN ORG_HANDLE AGENT_ID CALL_ID

Not collected by pytest (no `test_` prefix): `tests/test_sdk_oracle.py` runs it in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import sys


async def main(base: str, token: str, org: str, agent_id: str, call_id: str) -> None:
    from unpod import AsyncClient, TokenAuth

    client = AsyncClient(auth=TokenAuth(token=token, org_handle=org), base_url=base)
    checks = {
        "agents.list": lambda: client.agents.list(),
        "agents.get": lambda: client.agents.get(agent_id),
        "calls.list": lambda: client.calls.list(),
        "calls.list(status)": lambda: client.calls.list(status="connected"),
        "calls.get": lambda: client.calls.get(call_id),
    }
    for name, run in checks.items():
        try:
            result = await run()
        except Exception as exc:  # an oracle reports every failure, whatever it is
            print(json.dumps({"call": name, "ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}))
            continue
        size = len(result) if isinstance(result, list) else 1
        turns = len(result.transcript or []) if hasattr(result, "transcript") and not isinstance(result, list) else None
        print(json.dumps({"call": name, "ok": True, "items": size, "turns": turns}))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
