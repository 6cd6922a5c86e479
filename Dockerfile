# agent-runs-mcp as a remote MCP server (streamable HTTP at /mcp, SSE at /sse).
#   docker build -t agent-runs-mcp .
#   docker run -p 8765:8765 -e AGENT_RUNS_HTTP_TOKEN=... -e UNPOD_API_TOKEN=... agent-runs-mcp
# Binding 0.0.0.0 inside the container needs AGENT_RUNS_HTTP_TOKEN: without it the server refuses to start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    AGENT_RUNS_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && useradd --create-home --uid 10001 app

USER app
EXPOSE 8765
HEALTHCHECK --interval=30s --timeout=3s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8765/healthz', timeout=2)"

ENTRYPOINT ["agent-runs-mcp"]
CMD ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8765"]
