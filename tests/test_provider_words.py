"""Providers state facts, never tool syntax (#21 item 2): no text an adapter writes names one of our tools.

Providers sit below the tools (``server -> tools -> config -> providers``) and must not know the tools'
names: an error that points at where a missing id is listed says so with
:class:`agent_runs_mcp.errors.Listing`, and the tools' error guard words it as the tool that shows it.

The check reads every string literal of ``providers/**`` with :mod:`ast` (f-string parts included), not
the raw text: comments and docstrings are never shown to a model or a user, and a docstring that explains
a design (what ``list_providers`` reports about an account) may name the tool it serves.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from agent_runs_mcp.errors import InputError, Listing, NotFoundError
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.guard import LISTED_BY, said
from tests.conftest import call_error

ROOT = Path(__file__).resolve().parents[1]
PROVIDERS = ROOT / "src" / "agent_runs_mcp" / "providers"
TOOL_NAMES = sorted(path.stem for path in (ROOT / "tests" / "__toolsnaps__").glob("*.json"))
NAMES = re.compile(r"\b(" + "|".join(map(re.escape, TOOL_NAMES)) + r")\b")


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that stand alone as a statement: docstrings (a module's, class's or
    function's, and an attribute's, right after its assignment), which nothing shows to a reader of a result."""
    return {
        id(stmt.value)
        for node in ast.walk(tree)
        if isinstance(body := getattr(node, "body", None), list)  # a lambda's or an if-expression's is not
        for stmt in body
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
    }


def tool_words(path: Path, root: Path = ROOT) -> list[str]:
    """``path:line: text`` for each string literal (not a docstring) in ``path`` that names a tool."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = docstrings(tree)
    return [
        f"{path.relative_to(root)}:{node.lineno}: {node.value[:80]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and NAMES.search(node.value)
    ]


def test_the_eight_tools_are_known() -> None:
    assert len(TOOL_NAMES) == 8, TOOL_NAMES


def test_no_provider_text_names_a_tool() -> None:
    """Where an id is listed is a fact (``errors.Listing``); which tool lists it is the tools' word."""
    found = [hit for path in sorted(PROVIDERS.rglob("*.py")) for hit in tool_words(path)]
    assert not found, "provider texts that name a tool (state an errors.Listing instead):\n" + "\n".join(found)


def test_the_check_sees_string_literals_and_f_strings_but_not_docstrings(tmp_path: Path) -> None:
    """The check itself: a tool named in a message or an f-string part is found, in a docstring it is not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Module docstring naming list_agents."""\n'
        "def f(x):\n"
        '    """Function docstring naming get_run_tasks."""\n'
        "    # a comment naming search_calls\n"
        '    a = "see list_agents"\n'
        '    return f"{x} from get_run_tasks"\n',
        encoding="utf-8",
    )
    hits = tool_words(sample, tmp_path)
    assert [hit.split(":")[1] for hit in hits] == ["5", "6"], hits


def test_every_listing_is_worded_as_a_tool() -> None:
    """The guard knows a tool for each listing an error can point at, and each is one of ours."""
    assert set(LISTED_BY) == set(Listing)
    assert set(LISTED_BY.values()) <= set(TOOL_NAMES)


def test_a_listing_reads_plainly_outside_the_tools_and_as_its_tool_through_the_guard() -> None:
    """``str(err)`` (logs, the CLI) says the listing; the guard's words name the tool, in the same sentence."""
    err = InputError("`agent` is required: see ", Listing.AGENTS, ".")
    assert str(err) == "`agent` is required: see the agent listing."
    assert said(err) == "`agent` is required: see list_agents."
    hint = ("Check the call id; ", Listing.TASKS, " shows each task's call_id.")
    missing = NotFoundError("acct", "unpod", "no task has call `c1`.", status=404, hint=hint, label="Unpod")
    assert str(missing).endswith("the run's task listing shows each task's call_id.")
    assert said(missing) == (
        "Unpod (account `acct`) [HTTP 404]: no task has call `c1`. Check the call id; get_run_tasks shows each "
        "task's call_id."
    )
    moved = NotFoundError("unpod", "unpod", "run not found.", label="Unpod").with_hint("See ", Listing.EXECUTIONS, ".")
    assert said(moved).endswith("run not found. See list_agent_executions.")


@pytest.mark.anyio
async def test_tool_errors_name_the_tool_that_lists_the_missing_id(client, world: World) -> None:
    """Through the server, the adapters' listings read as the tools' names, as they did when adapters wrote them."""
    text = await call_error(client, "list_agent_executions", provider="modus", agent="not a slug!")
    assert text.endswith("See list_agents.")
    run = world.unpod_runs[0]
    text = await call_error(client, "get_run_tasks", provider="unpod", run_id="R" + "0" * 32, space=run.space)
    assert (
        "404" in text
        and (
            f"Space `{run.space}` is the space passed: the run may be in another one. Pass `agent=` (the run's agent "
            "handle from list_agents: its tasks are searched for the run) or `space=` (the run's space token; "
            "list_agents shows each agent's space), or the run's `ref` from list_agent_executions."
        )
        in text
    )
