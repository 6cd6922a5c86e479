"""The README and docs/ as a newcomer uses them: short README with the two commands, links that lead to
files, host configs that parse and that work today (registry-only forms marked as such), every setting the
code reads documented, and packaging metadata PyPI shows."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
PAGES = sorted((ROOT / "docs").glob("*.md"))
DOCS = {p: p.read_text() for p in [ROOT / "README.md", *PAGES]}
WHEEL = "agent_runs_mcp-{}-py3-none-any.whl"


def json_blocks(text: str) -> list[str]:
    return re.findall(r"```json\n(.*?)```", text, flags=re.S)


def test_the_readme_is_short_and_keeps_the_two_commands() -> None:
    assert len(README.splitlines()) <= 200
    assert "make demo" in README and "make test" in README


def test_the_readme_shows_no_relative_image_pypi_could_not_load() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)|<img[^>]+src=\"([^\"]+)\"", README)
    assert all(url.startswith("https://") for pair in images for url in pair if url)


@pytest.mark.parametrize("path", list(DOCS), ids=[p.name for p in DOCS])
def test_relative_links_lead_to_files(path: Path) -> None:
    text = re.sub(r"```.*?```", "", DOCS[path], flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        assert (path.parent / target.split("#")[0]).exists(), f"{path.name}: {target} does not exist"


@pytest.mark.parametrize("path", list(DOCS), ids=[p.name for p in DOCS])
def test_json_examples_parse(path: Path) -> None:
    for block in json_blocks(DOCS[path]):
        try:
            json.loads(block)
        except json.JSONDecodeError:
            json.loads("{" + block + "}")  # a fragment: one entry of a host's server map


def registry_only(command: str, args: list[str]) -> bool:
    """A launch that needs the package on PyPI: uvx/pipx naming the package without a wheel."""
    if command == "uvx":
        return "--from" not in args
    return command == "pipx" and "--spec" not in args


def test_host_configs_that_work_today_come_first_and_registry_forms_are_marked() -> None:
    configs = [json.loads(b) for b in json_blocks(README) if '"command"' in b]
    servers = [s for c in configs for s in (c.get("mcpServers") or c.get("servers")).values()]
    assert servers and not any(registry_only(s["command"], s.get("args", [])) for s in servers)
    for paragraph in README.split("\n\n"):
        if re.search(r"\b(uvx|pipx run) agent-runs-mcp\b", paragraph):
            assert "once published" in paragraph.lower(), paragraph
    example = json.loads((ROOT / "claude_desktop_config.example.json").read_text())["mcpServers"]
    for name, server in example.items():
        assert registry_only(server["command"], server.get("args", [])) == ("once-published" in name), name
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    wheels = set(re.findall(r"agent_runs_mcp-[0-9.]+-py3-none-any\.whl", README + json.dumps(example)))
    assert wheels == {WHEEL.format(version)}, "the wheel named is the one `make dist` builds"


def test_cursor_uses_mcp_servers_and_vs_code_uses_servers() -> None:
    blocks = {}
    for host, config in re.findall(r"\*\*(Cursor|VS Code)\*\*.*?```json\n(.*?)```", README, flags=re.S):
        blocks[host] = json.loads(config)
    assert set(blocks["Cursor"]) == {"mcpServers"} and set(blocks["VS Code"]) == {"servers"}


def test_the_readme_says_where_the_bundle_comes_from() -> None:
    bundle = next(p for p in README.split("\n\n") if ".mcpb" in p)
    assert "release" in bundle and "make bundle" in bundle


def test_every_setting_the_code_reads_is_in_the_configuration_page() -> None:
    read = set()
    for source in (ROOT / "src").rglob("*.py"):
        read |= set(re.findall(r"AGENT_RUNS_[A-Z0-9_]+", source.read_text()))
    page = (ROOT / "docs" / "configuration.md").read_text() + (ROOT / "docs" / "development.md").read_text()
    missing = sorted(v for v in read if v not in page and not v.endswith("_"))
    assert missing == []


def test_pypi_metadata_links_and_types() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {"Homepage", "Documentation", "Issues"} <= set(project["urls"])
    if "Typing :: Typed" in project["classifiers"]:
        assert (ROOT / "src" / "agent_runs_mcp" / "py.typed").exists()
