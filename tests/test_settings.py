"""One Settings for the accounts and the serve options: read once, flags over variables, errors naming the
variable or flag, handed to uvicorn's worker processes without touching ``os.environ``."""

from __future__ import annotations

import logging
import os
import pickle
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_runs_mcp.config import FLAGS, VARIABLES, Settings, load_settings
from agent_runs_mcp.errors import ConfigError
from agent_runs_mcp.server import http
from agent_runs_mcp.server.demo_wiring import demo_accounts
from tests.conftest import wait_until_up

ROOT = Path(__file__).resolve().parents[1]


def test_the_configuration_page_lists_every_variable_and_flag_the_settings_read() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text()
    named = {v for variables in VARIABLES.values() for v in variables}
    assert sorted(v for v in named if f"`{v}`" not in page) == []
    assert sorted(f for f in FLAGS.values() if f"{f}" not in page) == []
    assert set(VARIABLES) | set(FLAGS) <= set(Settings.model_fields)


def test_serve_options_come_from_the_variables_and_the_flags_win() -> None:
    env = {
        "AGENT_RUNS_LOG_LEVEL": "WARNING",
        "AGENT_RUNS_LOG_FORMAT": "json",
        "AGENT_RUNS_HTTP_ALLOWED_HOSTS": "a.example, b.example",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces",
    }
    settings = load_settings(env)
    assert (settings.log_level, settings.log_format) == ("warning", "json")
    assert settings.allowed_hosts == ("a.example", "b.example")
    assert settings.otlp_endpoint == "http://127.0.0.1:4318/v1/traces"
    assert (settings.transport, settings.host, settings.port, settings.workers) == ("stdio", "127.0.0.1", 8765, 1)
    flags = {"transport": "http", "port": 9621, "workers": 2, "log_level": "debug", "allowed_hosts": ["c.example"]}
    settings = load_settings(env, flags={**flags, "host": None, "log_format": None})
    assert (settings.transport, settings.port, settings.workers, settings.log_level) == ("http", 9621, 2, "debug")
    assert settings.log_format == "json"  # a flag not given leaves the variable's value
    assert settings.allowed_hosts == ("a.example", "b.example", "c.example")  # --allowed-host adds


@pytest.mark.parametrize(
    ("env", "flags", "named"),
    [
        ({"AGENT_RUNS_LOG_LEVEL": "loud"}, {}, "AGENT_RUNS_LOG_LEVEL: should be 'debug', 'info', 'warning' or 'error'"),
        ({"AGENT_RUNS_LOG_FORMAT": "xml"}, {}, "AGENT_RUNS_LOG_FORMAT: should be 'text' or 'json'"),
        ({"AGENT_RUNS_HTTP_MAX_CONNECTIONS": "5"}, {}, "AGENT_RUNS_HTTP_MAX_CONNECTIONS: should be greater than"),
        ({"AGENT_RUNS_HTTP_REQUEST_TIMEOUT_S": "0"}, {}, "AGENT_RUNS_HTTP_REQUEST_TIMEOUT_S: should be greater"),
        ({}, {"port": 70000}, "--port: should be less than or equal to 65535"),
    ],
)
def test_an_invalid_value_names_its_variable_or_flag(env: dict[str, str], flags: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, flags=flags)
    assert named in str(caught.value)
    assert "log_level" not in str(caught.value) and "http_max_connections" not in str(caught.value)


def test_the_cli_says_a_bad_variable_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from agent_runs_mcp.server import cli

    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_RUNS_")}
    with pytest.MonkeyPatch.context() as mp:
        for key in set(os.environ) - set(env):
            mp.delenv(key)
        mp.setenv("AGENT_RUNS_LOG_LEVEL", "loud")
        assert cli.main(["serve", "--demo"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("agent-runs-mcp: configuration error:") and "AGENT_RUNS_LOG_LEVEL" in err
    assert len(err.splitlines()) == 1


def test_workers_are_handed_the_settings_not_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent_runs_mcp.server import ports

    seen: dict[str, Any] = {}

    def fake_run(sock: Any, app: Any, **options: Any) -> None:
        seen.update(app=app, **options)
        sock.close()

    monkeypatch.setattr(ports, "run_uvicorn", fake_run)
    before = dict(os.environ)
    settings = load_settings({}, demo=True, demo_accounts=demo_accounts, flags={"port": 0, "workers": 2})
    assert http.serve_http(settings) == 0
    assert dict(os.environ) == before
    assert seen["workers"] == 2 and seen["factory"] is True
    factory = pickle.loads(pickle.dumps(seen["app"]))  # what multiprocessing's spawn does with uvicorn's Config
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        app = factory()
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    server = app.state.mcp_server
    assert set(server.registry.settings.accounts) == set(settings.accounts)
    assert factory.args[0].port == seen["port"] != 0  # the port actually bound


def test_two_worker_processes_serve_tools_list() -> None:
    port = 9621
    command = [sys.executable, "-m", "agent_runs_mcp", "serve", "--demo", "--transport", "http", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", "2", "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("AGENT_RUNS_")},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc, lambda: proc.stderr.read().decode() if proc.stderr else "")
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        headers = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}
        names = set()
        for _ in range(4):  # several requests: both workers answer alike
            answer = httpx.post(url + "/mcp", json=body, headers=headers, timeout=10)
            assert answer.status_code == 200, answer.text
            names |= {t["name"] for t in answer.json()["result"]["tools"]}
        assert "list_agents" in names and "summarize_run_health" in names
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
    assert not re.search(r"Traceback|ERROR", proc.stderr.read().decode() if proc.stderr else "")
