"""Run by a Python 3.12 interpreter that has the official `unpod` SDK (0.5.0): its own client calls the
endpoints our adapter reads on a running simulator, and this prints one JSON line per call.

    python tests/sdk_oracle/unpod_calls.py BASE_URL TOKEN ORG_HANDLE AGENT_ID CALL_ID SESSION_ID

Not collected by pytest (no `test_` prefix): `tests/test_sdk_oracle.py` runs it in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys


async def main(base: str, token: str, org: str, agent_id: str, call_id: str, session_id: str) -> None:
    from unpod import AsyncClient, TokenAuth

    # Analytics ride the backend-core platform base (`client.py` 105-125): derived from `base_url` only when
    # it ends in `/platform` (and then wrongly for ours), so name it as the SDK lets one.
    os.environ["UNPOD_PLATFORM_BASE_URL"] = base
    client = AsyncClient(auth=TokenAuth(token=token, org_handle=org), base_url=base)
    checks = {
        "agents.list": lambda: client.agents.list(),
        "agents.get": lambda: client.agents.get(agent_id),
        "calls.list": lambda: client.calls.list(),
        "calls.list(status)": lambda: client.calls.list(status="connected"),
        "calls.get": lambda: client.calls.get(call_id),
        "sessions.list": lambda: client.sessions.list(),
        "sessions.get": lambda: client.sessions.get(session_id),
        "analytics.for_call": lambda: client.analytics.for_call(call_id),
        "analytics.list_results": lambda: client.analytics.list_results(agent_id=agent_id),
    }
    for name, run in checks.items():
        try:
            result = await run()
        except Exception as exc:  # an oracle reports every failure, whatever it is
            print(json.dumps({"call": name, "ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}))
            continue
        size = len(result) if isinstance(result, list) else 1
        one = None if isinstance(result, list) else result
        turns = len(one.transcript or []) if one is not None and hasattr(one, "transcript") else None
        facts = {}
        if one is not None and hasattr(one, "latency_summary"):  # a Call: what the detail read adds
            facts = {"initial_call_id": one.initial_call_id, "latency_summary": one.latency_summary,
                     "latency_rows": len(one.latency_metrics or []), "analytics": len(one.analytics),
                     "session_id": one.session_id}  # fmt: skip
        elif one is not None and hasattr(one, "usage"):  # a Session
            facts = {"call_id": one.call_id, "usage": one.usage, "end_reason": one.end_reason}
        elif isinstance(result, list) and result and hasattr(result[0], "success_evaluation"):
            facts = {"success_evaluation": [r.success_evaluation for r in result], "summary": result[0].summary}
        print(json.dumps({"call": name, "ok": True, "items": size, "turns": turns, **facts}, default=str))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
