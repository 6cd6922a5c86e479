"""Remote set-up as an operator meets it: a public name the server was not told about gets a 421 that says
how to allow it (answer and log), and the deployment files say every variable and placeholder they use."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from pydantic import SecretStr

from agent_runs_mcp.server import host_check
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.server.http import create_http_app
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "remote-setup-token-1"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "Authorization": f"Bearer {TOKEN}",
}


@contextmanager
def server(extra_hosts: list[str]) -> Iterator[str]:
    settings = load_settings({}, demo=True).model_copy(update={"http_tokens": (SecretStr(TOKEN),)})
    port = free_port()
    app = create_http_app(settings, host="127.0.0.1", port=port, extra_hosts=extra_hosts)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_an_unlisted_host_gets_421_naming_the_option_and_the_variable(caplog: pytest.LogCaptureFixture) -> None:
    host_check.REFUSED._last.clear()  # 421 lines are throttled per process: an earlier test's must not hold this one
    with server([]) as url, caplog.at_level(logging.WARNING, logger="agent_runs_mcp.http_server"):
        refused = httpx.post(url + "/mcp", json=INIT, headers={**HEADERS, "Host": "agent-runs.example.com"})
        probe = httpx.get(url + "/readyz?check=providers", headers={"Host": "agent-runs.example.com"})
    assert refused.status_code == 421
    for text in (refused.text, probe.json()["message"]):
        assert "--allowed-host agent-runs.example.com" in text
        assert "AGENT_RUNS_HTTP_ALLOWED_HOSTS=agent-runs.example.com" in text
    assert probe.status_code == 421
    lines = [r.getMessage() for r in caplog.records if "--allowed-host" in r.getMessage()]
    assert len(lines) == 1 and "agent-runs.example.com" in lines[0] and "POST /mcp" in lines[0]


def test_a_listed_host_is_served_and_a_hostile_host_is_not_echoed_raw() -> None:
    with server(["agent-runs.example.com"]) as url:
        ok = httpx.post(url + "/mcp", json=INIT, headers={**HEADERS, "Host": "agent-runs.example.com"})
        long = httpx.post(url + "/mcp", json=INIT, headers={**HEADERS, "Host": "x" * 5000})
    assert ok.status_code == 200 and ok.json()["result"]["serverInfo"]["name"]
    assert long.status_code == 421 and len(long.text) < 600


def test_every_variable_compose_reads_is_in_the_env_example_and_the_docs() -> None:
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", compose))
    example = (ROOT / "deploy" / ".env.example").read_text()
    documented = (ROOT / "docs" / "deployment.md").read_text()
    assert "PUBLIC_HOST" in used
    for name in used:
        assert re.search(rf"^#?\s*{name}=", example, flags=re.M), f"{name} is not in deploy/.env.example"
        assert name in documented, f"{name} is not in docs/deployment.md"


def test_the_dockerfile_run_line_names_the_allowed_host() -> None:
    text = (ROOT / "Dockerfile").read_text()
    runs = [line for line in text.splitlines() if "docker run" in line]
    assert runs and all("AGENT_RUNS_HTTP_ALLOWED_HOSTS" in line or "--allowed-host" in line for line in runs)


def test_kubernetes_redis_is_deployed_or_said_to_be_external_and_the_image_is_a_placeholder() -> None:
    docs = [d for p in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")) for d in yaml.safe_load_all(p.read_text())]
    secret = next(d for d in docs if d["kind"] == "Secret")
    redis_host = secret["stringData"]["AGENT_RUNS_REDIS_URL"].split("//")[-1].split("@")[-1].split(":")[0]
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    if redis_host in services:  # deployed here: the Service selects the Redis pods, on Redis's port
        selector = services[redis_host]["spec"]["selector"]
        pods = [
            d for d in deployments.values() if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert [d["spec"]["template"]["spec"]["containers"][0]["image"].split(":")[0] for d in pods] == ["redis"]
        assert services[redis_host]["spec"]["ports"][0]["port"] == 6379
    else:
        assert "external" in (ROOT / "deploy" / "k8s" / "secret.example.yaml").read_text().lower()
    text = (ROOT / "deploy" / "k8s" / "deployment.yaml").read_text()
    before_image = text.split("image:")[0].splitlines()[-2]
    assert "placeholder" in before_image.lower(), "say the image is a placeholder where it is used"
