"""Prometheus metrics, served at ``/metrics`` by the HTTP transport (prometheus-client).

Labels stay bounded: tool names are the registered tools, outcomes the error classes, accounts the
configured accounts, statuses HTTP codes (or ``timeout``/``connection``). Each process keeps its own
registry; scrape every replica (with ``--workers N``, every worker answers for itself only).

An operator's dashboard: tool calls per second by outcome (``rate(agent_runs_tool_calls_total[5m])``),
p50/p99 tool latency (``histogram_quantile`` over ``agent_runs_tool_call_duration_seconds_bucket``),
provider requests by account and status (429s and 5xx first), retries and Retry-After waits (a
provider throttling us), cache hit ratio, and reports computed (how much scanning the fleet asks for).
"""

from __future__ import annotations

from typing import Any

NAMES = (
    "REGISTRY",
    "TOOL_CALLS",
    "TOOL_SECONDS",
    "PROVIDER_REQUESTS",
    "PROVIDER_SECONDS",
    "RETRIES",
    "RETRY_AFTER_SECONDS",
    "CACHE_LOOKUPS",
    "REPORTS_COMPUTED",
)
"""The metrics, built with prometheus-client on first use (a tool call, a provider request, a scrape):
the client library is not loaded before the server answers ``tools/list``."""

_built: dict[str, Any] = {}


def _build() -> dict[str, Any]:
    from prometheus_client import CollectorRegistry, Counter, Histogram

    REGISTRY = CollectorRegistry(auto_describe=True)

    TOOL_CALLS = Counter(
        "agent_runs_tool_calls", "Tool calls by tool and outcome (ok or the error class).", ["tool", "outcome"],
        registry=REGISTRY,
    )  # fmt: skip
    TOOL_SECONDS = Histogram(
        "agent_runs_tool_call_duration_seconds", "Tool call latency.", ["tool"], registry=REGISTRY,
        buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 45, 60),
    )  # fmt: skip
    PROVIDER_REQUESTS = Counter(
        "agent_runs_provider_requests", "Provider requests by account and HTTP status (or timeout, connection).",
        ["account", "status"], registry=REGISTRY,
    )  # fmt: skip
    PROVIDER_SECONDS = Histogram(
        "agent_runs_provider_request_duration_seconds", "Provider request latency.", ["account"], registry=REGISTRY,
        buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20),
    )  # fmt: skip
    RETRIES = Counter(
        "agent_runs_provider_retries", "Provider requests retried, by account and why.", ["account", "reason"],
        registry=REGISTRY,
    )  # fmt: skip
    RETRY_AFTER_SECONDS = Counter(
        "agent_runs_provider_retry_after_wait_seconds", "Seconds waited because a provider asked (Retry-After).",
        ["account"], registry=REGISTRY,
    )  # fmt: skip
    CACHE_LOOKUPS = Counter(
        "agent_runs_cache_lookups", "Cache lookups by cache (response, report) and result (hit, miss).",
        ["cache", "result"], registry=REGISTRY,
    )  # fmt: skip
    REPORTS_COMPUTED = Counter(
        "agent_runs_reports_computed", "Health reports computed (not served from a cache), by account and scope.",
        ["account", "scope"], registry=REGISTRY,
    )  # fmt: skip
    return {name: value for name, value in locals().items() if name in NAMES}


def __getattr__(name: str) -> Any:
    if name not in NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not _built:
        _built.update(_build())
    return _built[name]


def exposition() -> tuple[bytes, str]:
    """The registry in the Prometheus text format, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return generate_latest(__getattr__("REGISTRY")), CONTENT_TYPE_LATEST
