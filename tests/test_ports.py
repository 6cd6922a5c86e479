"""Busy ports: `simulate` and `serve --transport http` bind before they announce anything, and a port that is
taken is one sentence naming it and a free one, never a traceback after a banner saying the server is up."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from agent_runs_mcp.server import ports


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program listens on (bound here on an ephemeral port: no clash with anyone's range)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_busy_port_names_itself_and_a_free_one(busy_port: int) -> None:
    with pytest.raises(ports.PortError) as err:
        ports.bind("127.0.0.1", busy_port)
    message = str(err.value)
    assert f"port {busy_port} on 127.0.0.1 is already in use" in message
    suggested = int(message.split("--port ")[1].split()[0])
    assert suggested > busy_port
    ports.bind("127.0.0.1", suggested).close()  # the suggestion is free


def test_bind_listens_and_reports_the_port_it_got() -> None:
    sock = ports.bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert port > 0 and ports.url(sock, "127.0.0.1") == f"http://127.0.0.1:{port}"
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # listening before uvicorn ever runs
    finally:
        sock.close()


@pytest.mark.parametrize("port", [-1, 70000])
def test_a_port_out_of_range_is_refused_with_the_range(port: int) -> None:
    with pytest.raises(ports.PortError, match="1-65535"):
        ports.bind("127.0.0.1", port)


@pytest.mark.parametrize(
    ("args", "banner"),
    [
        (["simulate"], "Provider simulator on"),
        (["serve", "--transport", "http", "--demo"], "MCP over streamable HTTP"),
    ],
    ids=["simulate", "serve-http"],
)
def test_the_commands_on_a_busy_port_say_so_without_a_banner_or_traceback(
    busy_port: int, args: list[str], banner: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agent_runs_mcp", *args, "--port", str(busy_port)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"port {busy_port} on 127.0.0.1 is already in use" in done.stderr
    assert "pick another port with --port" in done.stderr
    assert "Traceback" not in done.stderr and banner not in done.stderr and done.stdout == ""
