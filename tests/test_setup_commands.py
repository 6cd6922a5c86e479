"""The set-up commands install what their job needs and no more: `make demo` the project alone, `make test`
the test extras, `make bundle` the MCP Bundle CLI alone (not the 390 MB of host tools `make test-hosts`
uses). Read from `make -n` (a dry run) against empty directories, so nothing is installed here."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def dry_run(target: str, tmp_path: Path) -> str:
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), target,
         f"VENV={tmp_path}/venv", f"NPM_TOOLS={tmp_path}/npm"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def pip_installs(text: str) -> list[str]:
    """What each `pip install` (not pip's own upgrade) installs."""
    return [m for m in re.findall(r"pip install --quiet (\S+(?: \S+)?)", text) if m != "--upgrade pip"]


def test_make_demo_installs_the_project_alone(tmp_path: Path) -> None:
    installs = [i.rstrip(";") for i in pip_installs(dry_run("demo", tmp_path))]
    assert installs == ["-e ."], installs


def test_make_test_installs_the_test_extras(tmp_path: Path) -> None:
    text = dry_run("test", tmp_path)
    assert "-e '.[dev]'" in pip_installs(text)
    assert "ruff check ." in text and "/bin/pytest" in text


def test_make_bundle_installs_the_bundle_cli_alone(tmp_path: Path) -> None:
    text = dry_run("bundle", tmp_path)
    npm = [line.split() for line in text.splitlines() if line.startswith("npm install")]
    assert len(npm) == 1, npm
    packages = [w for w in npm[0][2:] if not w.startswith("-") and not w.startswith(str(tmp_path))]
    assert [p.rsplit("@", 1)[0] for p in packages] == ["@anthropic-ai/mcpb"]
    assert pip_installs(text) == []  # packing the bundle needs no Python environment


def test_ci_runs_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert [line for line in script.splitlines() if line.strip() and not line.startswith("#")][-1] == "make test"
