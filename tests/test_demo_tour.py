"""`make demo` (`agent-runs-mcp demo`): the whole tour runs to its end over stdio against the simulator.

The tour reads results as a person's script would (the executions' `item_defaults` included): a result
shape change that breaks it fails here, not first in front of a new user.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).parent / "agent-runs-mcp"


@pytest.mark.skipif(not CLI.exists() and shutil.which("agent-runs-mcp") is None, reason="the CLI is not installed")
def test_the_demo_tour_runs_to_its_end() -> None:
    command = str(CLI) if CLI.exists() else "agent-runs-mcp"
    done = subprocess.run([command, "demo"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "demo failed" not in done.stderr and "Demo finished" in done.stdout
    assert "Totals: " in done.stdout  # the fleet's totals are part of the tour
