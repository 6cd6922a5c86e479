"""Speech-call outcomes over a window, from the analytics results (``GET /speech/v1/analytics-results``).

The agent's analytics blocks run on every finished call; each result says whether the call succeeded
(``success_evaluation``, a bool or one of the block's choices). A call's detail carries its results
(:mod:`.call_insights`), but a window report reads list rows, which do not: one request for the
agent's newest results gives every listed call its outcome instead of one read per call.

From the official SDK (unpod 0.5.0), file and line inside the wheel: ``management/analytics.py:165-186``
(``list_results(agent_id=, block_id=, status=, limit=100, skip=0)`` reads
``/speech/v1/analytics-results`` on the backend-core base, ``client.py:105-125``),
``models/analytics.py:60-85`` (``AnalyticsResult``: ``call_id``, ``status`` ok/failed/skipped,
``success_evaluation``).

Optional and bounded: one request (the SDK's default page, :data:`RESULTS_LIMIT`, newest first); a host
without the route, a 5xx or a timeout becomes a note and the calls keep no outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent_runs_mcp.errors import NotFoundError, ProviderError
from agent_runs_mcp.providers.base import TTL_LIST_S, JsonGet
from agent_runs_mcp.providers.jsonread import as_dict, as_text
from agent_runs_mcp.providers.unpod.call_insights import evaluation_words
from agent_runs_mcp.providers.unpod.pages import envelope_data

RESULTS_PATH = "/api/v2/platform/speech/v1/analytics-results"
RESULTS_LIMIT = 100
"""Results read per report: the SDK's default page (``list_results(limit=100)``)."""


@dataclass(frozen=True, slots=True)
class Evaluations:
    """Each call's outcome by its analytics' success evaluation, and what the reader should know."""

    by_call: dict[str, str] = field(default_factory=dict)
    note: str | None = None


def evaluations_of(rows: list[Any]) -> dict[str, str]:
    """The first (newest) successful extraction with a success evaluation, per call."""
    found: dict[str, str] = {}
    for row in rows:
        row = as_dict(row)
        call_id = as_text(row.get("call_id"))
        if not call_id or call_id in found or as_text(row.get("status")) not in (None, "ok"):
            continue
        if (outcome := evaluation_words(row.get("success_evaluation"))) is not None:
            found[call_id] = outcome
    return found


class SpeechAnalytics:
    """The analytics look-up: a member of the adapter's speech pages, reading with the adapter's getter."""

    def __init__(self, get: JsonGet, name: str) -> None:
        self.get = get
        self.name = name

    async def speech_evaluations(self, agent: str) -> Evaluations:
        """The agent's newest analytics results as call outcomes (one request), or a note saying why not."""
        params = {"agent_id": agent, "limit": RESULTS_LIMIT, "skip": 0}
        try:
            body = await self.get(RESULTS_PATH, params, what=f"the analytics results of agent `{agent}`",
                                  ttl_s=TTL_LIST_S)  # fmt: skip
            rows = envelope_data(body, self.name, "analytics results")
        except NotFoundError as exc:
            if exc.endpoint_missing:
                return Evaluations(note="This Unpod host has no analytics results: calls have no outcome.")
            return Evaluations(note=f"The calls' analytics could not be read: {exc}")
        except ProviderError as exc:
            return Evaluations(note=f"The calls' analytics could not be read: {exc}")
        note = None
        if len(rows) >= RESULTS_LIMIT:
            note = f"Outcomes come from the newest {RESULTS_LIMIT} analytics results; older calls have none."
        return Evaluations(evaluations_of(rows), note)
