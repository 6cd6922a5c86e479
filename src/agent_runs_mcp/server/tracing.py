"""Optional OpenTelemetry traces, exported when a collector is configured.

The `mcp` SDK already opens a span for every MCP request (``tools/call list_agents``...) through
``opentelemetry-api``, and the provider client opens one per provider request under it; without an
SDK installed and configured those spans cost nothing. With ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) set and the ``otel`` extra installed
(``pip install 'agent-runs-mcp[otel]'``), spans go to that collector over OTLP/HTTP; the standard
``OTEL_*`` variables (service name, headers, sampler) apply.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger("agent_runs_mcp.tracing")

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def setup_tracing() -> bool:
    """Install an OTLP exporter when a collector is configured; say why not when it cannot be."""
    if not any(os.environ.get(v) for v in ENDPOINT_VARIABLES):
        return False
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the OpenTelemetry SDK is not installed: "
            "pip install 'agent-runs-mcp[otel]' to export traces. Continuing without traces."
        )
        return False
    service = os.environ.get("OTEL_SERVICE_NAME") or "agent-runs-mcp"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    log.info("exporting traces over OTLP/HTTP as service %s", service)
    return True
