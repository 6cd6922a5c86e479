"""The simulator behaves like the documented APIs: auth, envelopes, paging styles, error shapes."""

from __future__ import annotations

import json

from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS, World
from tests.conftest import LiveServer, raw_get

UNPOD = {
    "Authorization": f"Token {DEMO_CREDENTIALS['unpod']['token']}",
    "Org-Handle": DEMO_CREDENTIALS["unpod"]["org_handle"],
}
RUNTYPE = {"Authorization": f"Bearer {DEMO_CREDENTIALS['runtype']['token']}"}
MODUS = {"Authorization": f"Bearer {DEMO_CREDENTIALS['modus']['token']}"}


def test_world_is_deterministic_apart_from_time() -> None:
    a, b = World(seed=7), World(seed=7)
    assert [r.run_id for r in a.unpod_runs] == [r.run_id for r in b.unpod_runs]
    run = a.unpod_runs[3]
    assert [t["task_id"] for t in a.unpod_tasks(run)] == [t["task_id"] for t in b.unpod_tasks(b.unpod_runs[3])]
    assert [e["id"] for e in a.runtype_executions] == [e["id"] for e in b.runtype_executions]
    assert World(seed=8).unpod_runs[0].run_id != a.unpod_runs[0].run_id


def test_world_has_realistic_variety(world: World) -> None:
    reasons = set()
    styles = {r.style for r in world.unpod_runs}
    for run in world.unpod_runs:
        for task in world.unpod_tasks(run):
            reasons.add(task["last_failure_reason"] or task["output"].get("call_end_reason"))
    assert {"customer-did-not-answer", "customer-busy", "voicemail", "customer-ended-call"} <= reasons
    assert any(r and r.startswith("sip-") for r in reasons)
    assert {"list", "string", "vapi", "list_naive"} <= styles
    assert max(r.n_tasks for r in world.unpod_runs) >= 100


def test_unpod_auth_refusals(sim: LiveServer) -> None:
    missing = raw_get(sim.url, "/api/v2/platform/agents/")
    assert missing.status_code == 401
    assert missing.json() == {"message": "Authentication credentials were not provided.", "status_code": 401}
    wrong = raw_get(sim.url, "/api/v2/platform/agents/", {"Authorization": "Token nope"})
    assert wrong.json()["message"] == "Invalid token."


def test_unpod_envelope_pagination_and_slash(sim: LiveServer, world: World) -> None:
    run = max(world.unpod_runs, key=lambda r: r.n_tasks)
    path = f"/api/v2/platform/spaces/{run.space}/runs/{run.run_id}/tasks/"
    first = raw_get(sim.url, path, UNPOD, page=1, page_size=50)
    body = first.json()
    assert list(body) == ["count", "status_code", "message", "data"]
    assert body["count"] == run.n_tasks and len(body["data"]) == 50
    assert "_id" not in body["data"][0] and "retry_attempt" not in body["data"][0]
    beyond = raw_get(sim.url, path, UNPOD, page=99, page_size=50).json()
    assert beyond["data"] == []
    redirect = raw_get(sim.url, path.rstrip("/"), UNPOD)
    assert redirect.status_code == 301 and redirect.headers["location"].endswith("/")
    agent_tasks = raw_get(sim.url, f"/api/v2/platform/agents/{run.agent.handle}/tasks/", UNPOD).json()
    assert len(agent_tasks["data"]) == 20  # documented default page size
    assert "retry_attempt" in agent_tasks["data"][0]


def test_unpod_business_error_and_unknown_url(sim: LiveServer) -> None:
    bad = raw_get(sim.url, "/api/v2/platform/spaces/NOPE/runs/", UNPOD)
    assert bad.status_code == 206
    assert bad.json() == {"status_code": 206, "message": "Invalid Space Token", "data": {}}
    unknown = raw_get(sim.url, "/api/v2/platform/nothing/here/", UNPOD)
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")
    no_org = raw_get(sim.url, "/api/v2/platform/agents/", {"Authorization": UNPOD["Authorization"]})
    assert no_org.status_code == 400 and "Org-Handle" in no_org.json()["message"]


def test_runtype_cursor_pagination(sim: LiveServer, world: World) -> None:
    agent = world.runtype_agents[0]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 25, "includeCount": "true", **({"cursor": cursor} if cursor else {})}
        body = raw_get(sim.url, f"/v1/agents/{agent.id}/executions", RUNTYPE, **params).json()
        seen += [e["id"] for e in body["data"]]
        assert isinstance(body["data"][0]["totalCost"], str | None)
        if not body["pagination"]["hasMore"]:
            break
        cursor = body["pagination"]["nextCursor"]
    assert body["pagination"]["totalCount"] == len(seen) == len(set(seen))
    refused = raw_get(sim.url, f"/v1/agents/{agent.id}/executions", {"Authorization": "Bearer nope"})
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    assert "WWW-Authenticate" in refused.headers


def test_modus_page_tokens_counts_and_errors(sim: LiveServer, world: World) -> None:
    seen: list[str] = []
    token = None
    for resource in ("agents", "workflows"):
        token, seen = None, []
        while True:
            params = {"pageSize": 10, **({"pageToken": token} if token else {})}
            body = raw_get(sim.url, f"/api/v1/{resource}/57/runs", MODUS, **params).json()
            seen += [r["id"] for r in body["runs"]]
            token = body["nextPageToken"]
            if token is None:
                break
        assert len(seen) == body["counts"]["all_executions"] == len(world.modus_runs[57])
    starts = [r["startedAt"] for r in world.modus_runs[57]]
    assert starts == sorted(starts, reverse=True)
    bad = raw_get(sim.url, "/api/v1/agents/57/runs", MODUS, pageSize=500)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BAD_REQUEST"
    missing = raw_get(sim.url, "/api/v1/agents/999/runs", MODUS)
    assert missing.status_code == 404 and set(missing.json()["error"]) >= {"code", "status", "message", "requestId"}
    nest = raw_get(sim.url, "/api/v1/workflows/999/runs", MODUS)  # NestJS, as the SDK reads errors
    assert nest.status_code == 404 and nest.json() == {
        "statusCode": 404,
        "message": "Workflow not found.",
        "error": "Not Found",
    }


def test_fault_rules_apply_and_expire(sim: LiveServer, faults) -> None:
    from agent_runs_mcp.simulator.faults import Rule

    faults.rules = [Rule(match="/v1/agents", fault="429", times=1, retry_after="3")]
    first = raw_get(sim.url, "/v1/agents", RUNTYPE)
    assert first.status_code == 429 and first.headers["retry-after"] == "3"
    assert raw_get(sim.url, "/v1/agents", RUNTYPE).status_code == 200
    control = raw_get(sim.url, "/_sim/faults")
    assert json.loads(control.text)["rules"][0]["hits"] == 1
