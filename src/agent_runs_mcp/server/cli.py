"""The `agent-runs-mcp` command: serve (default), demo, simulate, doctor.

Heavy imports (the MCP SDK, the simulator, uvicorn) happen inside the command
that needs them, so `--help` and `doctor` start fast. Nothing but protocol
goes to stdout while serving on stdio: logs go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Sequence

from agent_runs_mcp import __version__
from agent_runs_mcp.server.logs import LOG_LEVELS, configure_logging, held_logs, replay


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-runs-mcp",
        description="MCP server to inspect agent runs on Unpod, Runtype and Modus.",
    )
    parser.add_argument("--version", action="version", version=f"agent-runs-mcp {__version__}")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the MCP server (default: stdio)")
    # Defaults are the settings' (agent_runs_mcp.config.Settings): a flag given wins over its variable.
    serve.add_argument("--transport", choices=("stdio", "http"), default=None, help="default stdio")
    serve.add_argument("--host", default=None, help="HTTP only (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="HTTP only (default 8765)")
    serve.add_argument("--workers", type=int, default=None, help="HTTP only: uvicorn worker processes")
    serve.add_argument("--demo", action="store_true", help="serve simulated data (no credentials needed)")
    serve.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        default=None,
        help="HTTP only: allow a non-loopback host without AGENT_RUNS_HTTP_TOKEN (not recommended)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="HTTP only: a public name clients use to reach the server, accepted as Host/Origin (repeatable; "
        "or AGENT_RUNS_HTTP_ALLOWED_HOSTS, comma-separated)",
    )
    serve.add_argument("--log-level", choices=LOG_LEVELS, default=None, help="default AGENT_RUNS_LOG_LEVEL, else info")
    serve.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=None,
        help="stderr log lines as text (default) or JSON objects (or AGENT_RUNS_LOG_FORMAT)",
    )

    demo = sub.add_parser("demo", help="drive the demo server over stdio and print what each tool returns")
    demo.add_argument("--json", action="store_true", help="also print each result's structured content")

    simulate = sub.add_parser("simulate", help="serve the provider simulator alone over HTTP")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=8900)
    simulate.add_argument("--seed", type=int, default=7)
    simulate.add_argument("--big-run", type=int, default=0, metavar="N", help="add one Unpod run of N tasks")
    simulate.add_argument(
        "--big-run-done", type=float, default=None, metavar="SHARE", help="the big run is still running: 0-1 finished"
    )
    simulate.add_argument(
        "--big-agent", type=int, default=0, metavar="N", help="add one Runtype agent with N executions"
    )
    simulate.add_argument("--latency-ms", type=float, default=None, help="add this much time to every request")
    simulate.add_argument(
        "--rate-limit", type=float, default=None, metavar="N", help="answer 429 past N requests/s per credential"
    )
    simulate.add_argument("--log-level", choices=LOG_LEVELS, default="warning")

    doctor = sub.add_parser("doctor", help="check the configuration and each account's credentials")
    doctor.add_argument("--demo", action="store_true", help="check the demo accounts instead")
    doctor.add_argument(
        "--within", type=_seconds, default=10.0, metavar="SECONDS", help="the longest doctor waits for all (default 10)"
    )
    return parser


def _seconds(text: str) -> float:
    """A bound in seconds: a number from 1 to 120."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, e.g. 10 (got {text[:20]!r})") from None
    if not 1 <= value <= 120:
        raise argparse.ArgumentTypeError(f"expected 1 to 120 seconds (got {value:g})")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "serve"
    if command == "serve" and args.command is None:
        args = build_parser().parse_args(["serve", *(argv or [])])
    if command == "serve":
        return _serve(args)
    if command == "demo":
        from agent_runs_mcp.server.demo import run_demo

        return run_demo(show_json=args.json)
    if command == "simulate":
        return _simulate(args)
    if command == "doctor":
        from agent_runs_mcp.server.doctor import run_doctor

        return run_doctor(demo=args.demo, within_s=args.within)
    return 2  # pragma: no cover - argparse rejects unknown commands


def _serve(args: argparse.Namespace) -> int:
    from agent_runs_mcp.config import load_settings
    from agent_runs_mcp.errors import ConfigError
    from agent_runs_mcp.server.demo_wiring import demo_accounts

    flags = {
        "transport": args.transport,
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "allowed_hosts": args.allowed_host,
        "allow_unauthenticated": args.allow_unauthenticated,
        "log_level": args.log_level,
        "log_format": args.log_format,
    }
    with held_logs() as held:  # what reading the settings logs is written in the format they name
        try:
            settings = load_settings(demo=True if args.demo else None, demo_accounts=demo_accounts, flags=flags)
        except ConfigError as exc:
            print(f"agent-runs-mcp: configuration error: {exc}", file=sys.stderr)
            return 2
    configure_logging(settings.log_level, settings.log_format)
    replay(held)
    if settings.otlp_endpoint:
        from agent_runs_mcp.server.tracing import setup_tracing

        setup_tracing(settings)
    log = logging.getLogger("agent_runs_mcp")
    if not settings.accounts:
        log.warning(
            "No provider account configured: tools will explain how to add one. "
            "Set UNPOD_API_TOKEN / RUNTYPE_API_KEY / MODUS_API_KEY, or use --demo."
        )
    log.info(
        "starting agent-runs-mcp %s (%s transport, accounts: %s%s)",
        __version__,
        settings.transport,
        ", ".join(settings.accounts) or "none",
        ", demo" if settings.demo else "",
    )
    if settings.transport == "http":
        from agent_runs_mcp.server.http import serve_http

        return serve_http(settings)
    import anyio

    from agent_runs_mcp.server.app import build_server

    server = build_server(settings)

    from agent_runs_mcp.server.stdio import serve_stdio

    async def run() -> None:
        try:
            await serve_stdio(server)
        finally:
            await server.registry.aclose()

    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(run)
    return 0


def _simulate(args: argparse.Namespace) -> int:
    configure_logging(args.log_level)
    from agent_runs_mcp.server.demo_wiring import serve_simulator

    return serve_simulator(
        args.host,
        args.port,
        seed=args.seed,
        big_run=args.big_run,
        big_run_done=args.big_run_done,
        big_agent=args.big_agent,
        latency_ms=args.latency_ms,
        rate_limit=args.rate_limit,
        log_level=args.log_level,
    )


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
