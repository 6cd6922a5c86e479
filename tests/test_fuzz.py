"""A property-based fuzz of every tool from its published input schema (hypothesis + hypothesis-jsonschema),
plus hand-made hostile values, driven through MCP in process against the demo simulator.

For every call: no unhandled exception; every error names an argument or the provider; every result and
error stays within the token budget; arguments valid by the published schema are never refused as unknown.
Bounded for `make test` (about 40 examples a tool); `AGENT_RUNS_FUZZ_EXAMPLES=500` runs a longer fuzz.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from mcp import Client

from agent_runs_mcp.tools.budget import estimate_tokens, json_tokens
from tests.conftest import _record

pytestmark = pytest.mark.anyio

EXAMPLES = int(os.environ.get("AGENT_RUNS_FUZZ_EXAMPLES", "40"))
BUDGET = 6000
HOSTILE = [
    "",
    " ",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "\u202eevil\u202c",
    "\ufeffbom",
    "../../admin",
    "a/b?x=1#y",
    "[]",
    "{}",
    '{"a": 1}',
    "null",
    "true",
    "-1",
    "9" * 400,
    "A" * 100_000,
    "\ud800",
    "😀" * 50,
    "unpod:run:r=",
    "c1.AAAA",
]
REAL = {"provider": ["unpod", "runtype", "modus"], "agent": ["42", "63", "space-agent-x", "asst_x"]}


def draw(strategy: st.SearchStrategy[Any], count: int, seed: int) -> list[Any]:
    """Values hypothesis generates for ``strategy`` (no failure to shrink: collecting only)."""
    out: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)

    collect()
    random.Random(seed).shuffle(out)
    return out[:count]


def is_unexpected(text: str) -> bool:
    """The SDK's answer to an exception we did not turn into a tool error: no message, just this."""
    return text.startswith("Error executing tool") and ": " not in text


def names_the_problem(text: str) -> bool:
    return "`" in text or any(label in text for label in ("Unpod", "Runtype", "Modus", "provider"))


async def test_fuzz_every_tool_from_its_published_schema(demo_client: Client) -> None:
    tools = (await demo_client.list_tools()).tools
    stats: Counter[str] = Counter()
    largest = 0
    rng = random.Random(7)
    for index, tool in enumerate(tools):
        schema = tool.input_schema
        cases = draw(from_schema(schema), EXAMPLES, index)
        # Schema-valid arguments pointed at real accounts and agents, to reach past the provider check.
        cases += [
            {**case, **{k: rng.choice(v) for k, v in REAL.items() if k in schema["properties"]}} for case in cases
        ]
        strings = [name for name, prop in schema["properties"].items() if prop.get("type") == "string"]
        for name in strings:  # each string argument, each hostile value
            for value in HOSTILE:
                cases.append({"provider": "runtype", name: value} if name != "provider" else {name: value})
        for case in cases:
            res = await demo_client.call_tool(tool.name, case)
            text = _record(res)
            structured = res.structured_content
            size = max(estimate_tokens(text), json_tokens(structured) if structured is not None else 0)
            largest = max(largest, len(text), len(json.dumps(structured)) if structured else 0)
            assert size <= BUDGET, (tool.name, case.keys(), size)
            stats["calls"] += 1
            if not res.is_error:
                stats["ok"] += 1
                continue
            assert not is_unexpected(text), (tool.name, {k: str(v)[:80] for k, v in case.items()}, text[:300])
            assert names_the_problem(text), (tool.name, text[:300])
            kind = (
                "unknown argument"
                if "unknown argument" in text
                else "invalid arguments"
                if "Invalid arguments" in text
                else "tool"
            )
            stats[f"refused: {kind}"] += 1
            valid_keys = set(case) <= set(schema["properties"])
            assert not (valid_keys and "unknown argument" in text), (tool.name, case.keys())
    print(f"fuzz: {dict(stats)}; largest answer {largest} characters")
    assert stats["ok"] > 0 and stats["calls"] >= len(tools) * EXAMPLES
