"""Modus usage (``GET /api/v1/usage``) and approvals -> the domain. Pure functions.

* Usage, as modus-sdk 0.9.0 has it (``modus/_generated/operations.py`` ~1021-1030, models
  ``ListUsageResponseDto``/``UsageBucketDto``/``UsageTotalsDto`` ~2348-2373 and ~3256-3264):
  ``since``, ``until`` (exclusive) and ``rollup`` (``hour``|``day``) required, ``group_by=agent`` and
  ``agent_id`` narrow it to one workflow; the answer has ``buckets[{bucket, group_value, call_count,
  input_tokens, output_tokens, credits}]`` and ``totals``. ``call_count`` counts LLM calls, not runs;
  ``credits`` are Modus credits, not dollars. The SDK reads both snake_case and camelCase (its models
  populate by name and by alias): so do we.
* Approvals: a run ``awaiting_human`` carries ``pendingApproval``, a free-form object (models ~218-222):
  the seed documents and hosts put ``nodeId``, ``approver``, ``message`` and ``requestedAt`` there.
"""

from __future__ import annotations

from typing import Any

from agent_runs_mcp.domain import Waiting
from agent_runs_mcp.providers.facts import Usage
from agent_runs_mcp.providers.jsonread import as_dict, as_float, as_list, as_text, dig, first
from agent_runs_mcp.timeutil import parse_time

CREDITS_UNIT = "Modus credits (not USD)"


def _number(raw: dict[str, Any], snake: str, camel: str) -> float | None:
    return as_float(first(raw.get(snake), raw.get(camel)))


def usage_of(body: Any, agent_id: str | None) -> Usage | None:
    """The workflow's usage over the window: ``totals`` when the answer is for it alone, else its buckets."""
    data = as_dict(body)
    totals = as_dict(data.get("totals"))
    buckets = [as_dict(b) for b in as_list(data.get("buckets"))]
    grouped = as_text(first(data.get("group_by"), data.get("groupBy")))
    if agent_id is not None and grouped == "agent" and buckets:
        buckets = [b for b in buckets if as_text(first(b.get("group_value"), b.get("groupValue"))) == agent_id]
        rows = buckets
    else:
        rows = [totals] if totals else buckets
    if not rows:
        return Usage(credits=0.0, unit=CREDITS_UNIT, tokens=0, llm_calls=0) if "totals" in data else None

    def total(snake: str, camel: str) -> float | None:
        values = [v for v in (_number(r, snake, camel) for r in rows) if v is not None]
        return sum(values) if values else None

    credits = total("credits", "credits")
    tokens_in, tokens_out = total("input_tokens", "inputTokens"), total("output_tokens", "outputTokens")
    calls = total("call_count", "callCount")
    tokens = None if tokens_in is None and tokens_out is None else int((tokens_in or 0) + (tokens_out or 0))
    return Usage(
        credits=round(credits, 4) if credits is not None else None,
        unit=CREDITS_UNIT,
        tokens=tokens,
        llm_calls=int(calls) if calls is not None else None,
    )


def waiting_of(pending: Any, nodes: list[Any] | None = None) -> Waiting | None:
    """What an ``awaiting_human`` run waits for: the node (named from the run's nodes when given), the
    approver, the message and since when."""
    if not isinstance(pending, dict):
        return None
    node_id = as_text(first(pending.get("nodeId"), pending.get("node_id")))
    name = as_text(first(pending.get("nodeName"), pending.get("nodeLabel"), pending.get("name")), 80)
    if name is None and node_id is not None:
        node = next((n for n in nodes or [] if isinstance(n, dict) and as_text(n.get("id")) == node_id), None)
        name = as_text(first(dig(node, "name"), dig(node, "label")), 80) if node else None
    tool = as_text(first(dig(pending, "target", "toolName"), pending.get("toolName")), 80)  # ApprovalTargetDto
    step = f"node {name or node_id}" if (name or node_id) else (f"tool {tool}" if tool else None)
    approver = first(pending.get("approver"), pending.get("approverEmail"), pending.get("assignee"))
    if isinstance(approver, list):
        approver = ", ".join(str(a) for a in approver[:3])
    return Waiting(
        step=step,
        approver=as_text(dig(approver, "email") if isinstance(approver, dict) else approver, 80),
        message=as_text(first(pending.get("message"), pending.get("reason"), pending.get("description")), 200),
        since=parse_time(first(pending.get("requestedAt"), pending.get("requested_at"), pending.get("createdAt"))),
    )
