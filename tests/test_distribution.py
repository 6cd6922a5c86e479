"""Distribution: the MCP Bundle manifest and the MCP Registry's server.json say what the server is, and the
bundle's entry point serves the tools."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from mcp import Client, StdioServerParameters

from agent_runs_mcp import __version__

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
SERVER = json.loads((ROOT / "server.json").read_text())
NPM_BIN = Path(os.environ.get("AGENT_RUNS_NPM_TOOLS", ROOT / ".npm-tools")) / "node_modules" / ".bin"


def test_versions_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__ == MANIFEST["version"] == SERVER["version"]
    assert SERVER["packages"][0]["identifier"] == project["name"] == MANIFEST["name"]
    assert SERVER["packages"][0]["version"] == __version__


def test_server_json_matches_the_registry_schema() -> None:
    schemas = resources.files("skillsaw") / "schemas" / "mcp_registry" / "v2025_12_11" / "server.schema.json"
    schema = json.loads(schemas.read_text())
    assert SERVER["$schema"] == schema["$id"]
    jsonschema.validate(SERVER, schema)
    marker = f"mcp-name: {SERVER['name']}"
    assert marker in (ROOT / "README.md").read_text()  # PyPI ownership marker the Registry checks


async def test_manifest_lists_what_the_server_serves_and_its_entry_point_serves_it() -> None:
    config = MANIFEST["server"]["mcp_config"]
    assert config["command"] == "uv" and config["args"][-2:] == ["agent-runs-mcp", "serve"]
    assert (ROOT / MANIFEST["server"]["entry_point"]).exists()
    for key, option in MANIFEST["user_config"].items():
        assert "${user_config." + key + "}" in json.dumps(config["env"]), key
        assert option.get("sensitive") is (True if key.endswith(("_token", "_key")) else None), key
    values = {key: str(opt.get("default", "")).lower() for key, opt in MANIFEST["user_config"].items()}
    values["demo"] = "true"
    env = {name: value for name, value in config["env"].items()}
    for key, value in values.items():
        env = {name: v.replace("${user_config." + key + "}", value) for name, v in env.items()}
    # What `uv run --directory <bundle> agent-runs-mcp serve` runs, with the manifest's environment.
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "agent_runs_mcp", "serve"], env={**os.environ, **env}
    )
    async with Client(params) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        prompts = {p.name for p in (await client.list_prompts()).prompts}
    assert tools == {t["name"] for t in MANIFEST["tools"]}
    assert prompts == {p["name"] for p in MANIFEST["prompts"]}


@pytest.mark.skipif(
    not (NPM_BIN / "mcpb").exists(), reason=f"needs @anthropic-ai/mcpb in {NPM_BIN} (`make test-hosts`)"
)
def test_the_bundle_manifest_validates_with_mcpb() -> None:
    out = subprocess.run(
        [str(NPM_BIN / "mcpb"), "validate", str(ROOT / "manifest.json")], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
    bundle = ROOT / "dist" / "agent-runs-mcp.mcpb"
    if bundle.exists() and shutil.which("node"):
        info = subprocess.run([str(NPM_BIN / "mcpb"), "info", str(bundle)], capture_output=True, text=True)
        assert info.returncode == 0 and "agent-runs-mcp" in info.stdout, info.stdout + info.stderr


def test_every_optional_bundle_field_has_a_default() -> None:
    """Without a default, Claude Desktop passes an optional field left empty as the literal `${user_config.x}`."""
    missing = [k for k, opt in MANIFEST["user_config"].items() if not opt.get("required") and "default" not in opt]
    assert missing == []


def test_the_unpacked_bundle_with_its_literal_placeholders_configures_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """The manifest's environment exactly as written (no host substituted it): every `${...}` value is unset,
    said in one log line, rather than an account with org `${user_config.unpod_org_handle}`."""
    from agent_runs_mcp.config import load_settings

    literal = dict(MANIFEST["server"]["mcp_config"]["env"])
    with caplog.at_level(logging.WARNING, logger="agent_runs_mcp.config"):
        settings = load_settings(literal)
    assert settings.accounts == {} and settings.demo is False
    (line,) = [r.getMessage() for r in caplog.records if "placeholder" in r.getMessage()]
    assert all(name in line for name in literal) and "${" in line and "user_config" not in line.split(":")[0]

    # A token given, the optional fields left as placeholders: the account has no org handle and the default host.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="agent_runs_mcp.config"):
        settings = load_settings({**literal, "UNPOD_API_TOKEN": "tok-123"})
    account = settings.accounts["unpod"]
    assert account.setting("org_handle") is None and account.base_url == "https://unpod.dev"
    assert len([r for r in caplog.records if "placeholder" in r.getMessage()]) == 1


def test_the_bundle_with_its_defaults_substituted_configures_nothing_and_warns_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from agent_runs_mcp.config import load_settings

    env = {}
    for name, value in MANIFEST["server"]["mcp_config"]["env"].items():
        key = value.removeprefix("${user_config.").removesuffix("}")
        env[name] = str(MANIFEST["user_config"][key].get("default", "")).lower()
    with caplog.at_level(logging.WARNING, logger="agent_runs_mcp.config"):
        settings = load_settings(env)
    assert settings.accounts == {} and not settings.demo and caplog.records == []
