"""What a speech-plane call's own record says beyond its status: latency, analytics, follow-ups.

From the official SDK (unpod 0.5.0), file and line inside the wheel:

* ``models/call.py:47``: ``initial_call_id``, the follow-up chain's first call (an automatically
  scheduled follow-up of the same contact).
* ``models/call.py:48-50``: ``latency_summary`` (a per-call roll-up, an untyped dict; on list rows
  too) and ``latency_metrics`` (the per-turn rows behind it; detail reads only).
* ``models/call.py:51-52``: ``analytics``, what the agent's analytics blocks extracted (detail reads),
  each an ``AnalyticsResult`` (``models/analytics.py:60-85``: ``status`` ok/failed/skipped, ``summary``,
  ``success_evaluation`` bool or a choice, line 79).

The latency dicts are untyped in the SDK: a call's latency is read as its median voice response
time in milliseconds, from the first of ``p50_ms``, ``median_ms``, ``avg_ms``, ``mean_ms`` (also
under ``e2e``/``total``/``response``); without a summary, the median of the per-turn rows'
``e2e_ms``/``total_ms``/``latency_ms``. Nothing here costs a request.
"""

from __future__ import annotations

import statistics
from typing import Any

from agent_runs_mcp.providers.jsonread import as_dict, as_float, as_list, as_text, first

LATENCY_KEYS = ("p50_ms", "median_ms", "avg_ms", "mean_ms")
LATENCY_GROUPS = ("e2e", "total", "response")
TURN_KEYS = ("e2e_ms", "total_ms", "latency_ms", "response_ms")


def latency_ms(raw: dict[str, Any]) -> float | None:
    """The call's median voice response latency (ms), from ``latency_summary`` or ``latency_metrics``."""
    summary = as_dict(raw.get("latency_summary"))
    for place in (summary, *(as_dict(summary.get(g)) for g in LATENCY_GROUPS)):
        value = first(*(as_float(place.get(k)) for k in LATENCY_KEYS))
        if value is not None and value >= 0:
            return round(value, 1)
    turns = [first(*(as_float(as_dict(row).get(k)) for k in TURN_KEYS)) for row in as_list(raw.get("latency_metrics"))]
    values = [v for v in turns if v is not None and v >= 0]
    return round(statistics.median(values), 1) if values else None


def follow_up_of(raw: dict[str, Any]) -> str | None:
    """The first call of this contact's follow-up chain, when this call is a follow-up."""
    initial = as_text(raw.get("initial_call_id"))
    own = as_text(first(raw.get("id"), raw.get("call_id")))
    return initial if initial and initial != own else None


def evaluation_words(value: Any) -> str | None:
    """``success_evaluation`` as an outcome: ``successful``/``unsuccessful`` for a bool, else the choice."""
    if isinstance(value, bool):
        return "successful" if value else "unsuccessful"
    return as_text(value, 80)


def analytics_of(raw: dict[str, Any]) -> tuple[str | None, str | None]:
    """(summary, outcome) from the first analytics result that extracted something (``status`` ok)."""
    for result in as_list(raw.get("analytics")):
        result = as_dict(result)
        if as_text(result.get("status")) not in (None, "ok"):
            continue
        summary = as_text(result.get("summary"), 500)
        outcome = evaluation_words(result.get("success_evaluation"))
        if summary or outcome:
            return summary, outcome
    return None, None
