"""The architecture's rules that are not imports (those are pyproject's [tool.importlinter], run by `make test`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_runs_mcp.providers.base import Provider
from agent_runs_mcp.providers.platforms import PLATFORMS

SRC = Path(__file__).resolve().parents[1] / "src" / "agent_runs_mcp"
MAX_LINES = 500


def test_no_module_is_over_500_lines() -> None:
    """Small modules with one job: a module that grows past this is split by job."""
    too_long = {
        str(path.relative_to(SRC)): n
        for path in sorted(SRC.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines (split them by job): {too_long}"


@pytest.mark.parametrize("kind", sorted(PLATFORMS))
def test_platform_adapter_is_a_lazy_callable_giving_a_provider(kind: str) -> None:
    """No ``module:Class`` strings: the record hands the class over when asked."""
    adapter = PLATFORMS[kind].adapter
    assert callable(adapter) and not isinstance(adapter, str)
    cls = adapter()
    assert isinstance(cls, type) and issubclass(cls, Provider)
    assert cls.__module__.startswith(f"agent_runs_mcp.providers.{kind}.")


def test_platform_reason_codes_are_the_health_vocabulary() -> None:
    """A platform maps its own failure words (telephony) to codes a report can count and label."""
    from agent_runs_mcp.tools.health.reasons import REASON_LABELS

    codes = {code for platform in PLATFORMS.values() for code, _ in platform.reason_patterns}
    assert codes and codes <= set(REASON_LABELS), codes - set(REASON_LABELS)


def test_shared_health_code_names_no_platform_word() -> None:
    """Status and telephony words live in the platforms' packages, not in tools/health."""
    words = ("notconnected", '"machine"', '"sip"', '"trunk"', '"480"', '"486"')
    for path in (SRC / "tools" / "health").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [w for w in words if w in text], path.name
