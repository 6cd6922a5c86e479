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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_runs_mcp.config import Settings

log = logging.getLogger("agent_runs_mcp.tracing")


def setup_tracing(settings: Settings) -> bool:
    """Install an OTLP exporter when a collector is configured; say why not when it cannot be.

    ``settings.otlp_endpoint`` says whether one is (read from the ``OTEL_*`` variables with the rest of the
    settings); the exporter reads its own ``OTEL_*`` variables (endpoint, headers) as the OpenTelemetry SDK
    documents. Each HTTP worker process calls this too: a tracer provider does not cross processes.
    """
    if not settings.otlp_endpoint:
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
    service = settings.otel_service_name
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    log.info("exporting traces over OTLP/HTTP as service %s", service)
    return True
