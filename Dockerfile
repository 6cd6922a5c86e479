# agent-runs-mcp as a remote MCP server (streamable HTTP at /mcp, SSE at /sse, /metrics, /healthz, /readyz).
#   docker build -t agent-runs-mcp .
#   docker run -p 8765:8765 -e AGENT_RUNS_HTTP_TOKEN=... -e AGENT_RUNS_HTTP_ALLOWED_HOSTS=agent-runs.example.com \
#     -e UNPOD_API_TOKEN=... agent-runs-mcp
# AGENT_RUNS_HTTP_ALLOWED_HOSTS is the name clients reach it by (any other Host gets 421; localhost always works).
# Binding 0.0.0.0 inside the container needs AGENT_RUNS_HTTP_TOKEN or AGENT_RUNS_OAUTH_ISSUER: without
# either the server refuses to start. deploy/compose.yaml and deploy/k8s/ run several replicas on Redis.

# --- build: the wheel, from the sources alone --------------------------------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-deps --wheel-dir /wheels . \
 && pip wheel --wheel-dir /wheels "$(ls /wheels/agent_runs_mcp-*.whl)[otel]"

# --- run: the wheel and its dependencies, no compilers, no sources, not root -------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AGENT_RUNS_LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links /wheels "agent-runs-mcp[otel]" \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 app
USER 10001
EXPOSE 8765
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8765/healthz', timeout=2)"
ENTRYPOINT ["agent-runs-mcp"]
CMD ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8765"]
