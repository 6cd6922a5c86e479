"""Modus's path family on hosts that serve one family and answer unknown routes in each 404 style.

Independent fakes (httpx MockTransport, not our simulator): a host serves only `/api/v1/workflows/...` or
only `/api/v1/agents/...`, and answers any other route with an HTML page, NestJS's `Cannot GET`, or the
documented JSON envelope `{"error": {"code": "NOT_FOUND", ...}}`, the style that used to settle the wrong
family ("the route exists, the id does not")."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from agent_runs_mcp.config import Account
from agent_runs_mcp.errors import NotFoundError
from agent_runs_mcp.providers.base import ExecutionQuery, RunQuery
from agent_runs_mcp.providers.modus.adapter import ModusProvider
from tests.conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

STYLES = ("html", "nest", "envelope")
RUN = {
    "id": "wf-1:tr-1",
    "workflowId": "wf-1",
    "temporalRunId": "tr-1",
    "status": "completed",
    "startedAt": "2026-01-01T10:00:00Z",
    "endedAt": "2026-01-01T10:00:05Z",
    "agentName": "Daily report",
}


def not_found(style: str, path: str, message: str = "Not found") -> httpx.Response:
    if style == "html":
        return httpx.Response(404, html=f"<html><body><h1>404</h1><p>{path}</p></body></html>")
    if style == "nest":
        return httpx.Response(404, json={"statusCode": 404, "message": f"Cannot GET {path}", "error": "Not Found"})
    return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "status": "NOT_FOUND", "message": message}})


class FakeHost:
    """Serves workflow 42 (with one run) under ``family`` only; every other route is a 404 in ``style``."""

    def __init__(self, family: str, style: str) -> None:
        self.family, self.style = family, style
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(path)
        match = re.fullmatch(r"/api/v1/(workflows|agents)(/.*)?", path)
        if not match or match.group(1) != self.family:
            return not_found(self.style, path)
        rest = match.group(2) or ""
        if rest == "":
            return httpx.Response(200, json={self.family: [{"id": 42, "name": "Daily report"}], "nextPageToken": None})
        if rest == "/42/runs":
            return httpx.Response(200, json={"runs": [RUN], "nextPageToken": None})
        if rest == "/42/runs/wf-1":
            return httpx.Response(200, json={**RUN, "workflowNodes": []})
        # A known route, an unknown id: JSON like an unknown route's, which is why a 404 cannot settle the family.
        if self.style == "nest":
            return httpx.Response(404, json={"statusCode": 404, "message": "Workflow not found", "error": "Not Found"})
        return not_found("envelope", path, "Workflow not found")


def provider(host: FakeHost, **account: Any) -> ModusProvider:
    acc = Account(name="modus", kind="modus", base_url="https://modus.test", token="modus_x", **account)
    return ModusProvider(acc, transport=httpx.MockTransport(host), retry=FAST_RETRY)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("family", ["workflows", "agents"])
async def test_runs_first_settle_the_family_that_answers(family: str, style: str) -> None:
    """A run list asked before anything else finds the host's family, whatever its 404s look like."""
    host = FakeHost(family, style)
    modus = provider(host)
    page = await modus.executions_page(ExecutionQuery(agent="42"), None)
    assert [r.run_id for r in page.items] == ["wf-1:tr-1"]
    assert modus.facts()["paths"] == f"/api/v1/{family}"
    tasks = await modus.tasks_page(RunQuery(run_id="wf-1:tr-1", agent="42"), None)
    assert len(tasks.items) == 1
    agents = await modus.agents_page(None, None)
    assert [a.id for a in agents.items] == ["42"]
    # Settled once: afterwards every request goes to the host's family.
    first_hit = next(i for i, p in enumerate(host.paths) if p.startswith(f"/api/v1/{family}"))
    assert all(p.startswith(f"/api/v1/{family}") for p in host.paths[first_hit:])
    assert first_hit <= 1
    await modus.aclose()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("family", ["workflows", "agents"])
async def test_an_unknown_id_first_is_not_found_on_the_right_family(family: str, style: str) -> None:
    """Both families 404 for an unknown workflow: the collection routes decide, and the error is "not found"."""
    host = FakeHost(family, style)
    modus = provider(host)
    with pytest.raises(NotFoundError) as caught:
        await modus.executions_page(ExecutionQuery(agent="99"), None)
    message = str(caught.value)
    assert "the run list of workflow `99` was not found" in message
    assert not caught.value.endpoint_missing
    assert modus.facts()["paths"] == f"/api/v1/{family}"
    assert len(host.paths) <= 2 + 2  # the route on both families, then at most two collection probes
    page = await modus.executions_page(ExecutionQuery(agent="42"), None)
    assert len(page.items) == 1
    await modus.aclose()


@pytest.mark.parametrize("style", STYLES)
async def test_a_host_of_neither_family_says_so_in_a_sentence(style: str) -> None:
    host = FakeHost("nothing", style)
    modus = provider(host)
    with pytest.raises(NotFoundError) as caught:
        await modus.agents_page(None, None)
    assert "under neither /api/v1/workflows nor /api/v1/agents" in str(caught.value)
    with pytest.raises(NotFoundError) as caught:
        await modus.executions_page(ExecutionQuery(agent="42"), None)
    assert "serves the run list of workflow `42` under neither" in str(caught.value)
    assert modus.facts()["paths"].startswith("auto")
    await modus.aclose()


async def test_a_pinned_family_reports_missing_lists_in_grammatical_english() -> None:
    host = FakeHost("agents", "envelope")
    modus = provider(host, resource="workflows")
    with pytest.raises(NotFoundError) as caught:
        await modus.agents_page(None, None)
    assert "the list of workflows was not found" in str(caught.value)
    assert "the workflows was" not in str(caught.value)
    assert host.paths == ["/api/v1/workflows"]
    await modus.aclose()
