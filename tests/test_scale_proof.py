"""The load proof, shortened: bench/scale_proof.py with 30 sessions for 12 s (`make test-scale` runs the
full one: 200 sessions for 40 s). Needs Debian's redis-server and haproxy; skips without them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISSING = [tool for tool in ("redis-server", "haproxy") if shutil.which(tool) is None]


@pytest.mark.skipif(bool(MISSING), reason=f"{' and '.join(MISSING)} not installed: `make test-scale` installs them")
def test_replicas_behind_haproxy_survive_load_and_a_killed_replica() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale_proof.py"), "--sessions", "30", "--seconds", "12"],
        capture_output=True, text=True, timeout=240, cwd=ROOT,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert out.count("PASS:") == 5 and "FAIL:" not in out
