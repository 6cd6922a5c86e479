"""The demo HTTP server under a lowered descriptor limit, for the flood tests (run as a subprocess).

    python tests/flood/serve_limited.py PORT NOFILE [MAX_CONNECTIONS_OVERRIDE]

With an override the connection cap is forced above what the descriptor limit allows (a
misconfiguration), so accept() runs into EMFILE and its logging can be checked.
"""

from __future__ import annotations

import resource
import sys

import uvicorn

from agent_runs_mcp.server.connections import GuardedH11, uvicorn_options
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.server.http import create_http_app
from agent_runs_mcp.server.logs import configure_logging


def main() -> None:
    port, nofile = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    configure_logging("info")
    settings = load_settings(demo=True)
    options = uvicorn_options(settings.http_max_connections, settings.http_request_timeout_s)
    if len(sys.argv) > 3:
        GuardedH11.max_connections = int(sys.argv[3])
        options["limit_concurrency"] = None
    app = create_http_app(settings, port=port)
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, timeout_graceful_shutdown=5, **options
    )


if __name__ == "__main__":
    main()
