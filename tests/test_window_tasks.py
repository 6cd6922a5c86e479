"""get_run_tasks without a run: an agent's tasks across its runs over since/until, against the simulator's truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.config import Settings
from agent_runs_mcp.refs import make_ref
from agent_runs_mcp.simulator.unpod_world import SCENARIO_TRUTH, call_seconds
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools import window_tasks
from agent_runs_mcp.tools.budget import estimate_tokens, json_tokens
from tests.conftest import accounts_for, call, call_error, executions_of, mcp_client, tasks_of

pytestmark = pytest.mark.anyio


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def created(doc: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(doc["created"]).replace(tzinfo=UTC)


def unpod_truth(world: World, agent: Any, since: datetime) -> dict[str, tuple[str, dict[str, Any]]]:
    """Task id -> (normalized status, raw doc) of the agent's tasks queued since ``since``, from the generator."""
    out = {}
    for run in world.unpod_runs:
        if run.agent == agent:
            for i, doc in enumerate(world.unpod_tasks(run)):
                if created(doc) >= since:
                    out[doc["task_id"]] = (SCENARIO_TRUTH[world._scenario(run, i)[0]], doc)
    return out


duration_of = call_seconds  # a call's seconds as the raw document says them


async def every_task(client: Client, **args: Any) -> list[dict[str, Any]]:
    """Every task a listing returns, following next_cursor to its end."""
    tasks: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        page = (
            await call(client, "get_run_tasks", **args, **({"cursor": cursor} if cursor else {}))
        ).structured_content
        tasks += tasks_of(page)
        cursor = page.get("next_cursor")
        if not cursor:
            return tasks
    raise AssertionError("the listing did not end")


async def test_window_failed_tasks_are_the_simulators_failed_tasks(client: Client, world: World) -> None:
    """ "Which of agent X's calls failed since T, and why?" in one listing, each task naming its run."""
    agent = world.unpod_agents[0]
    since = world.anchor - timedelta(hours=40)
    truth = unpod_truth(world, agent, since)
    expected = {tid for tid, (status, _doc) in truth.items() if status == "failed"}
    args = {"provider": "unpod", "agent": agent.handle, "since": iso(since), "status": "failed", "limit": 100}
    tasks = await every_task(client, **args)
    assert {t["task_id"] for t in tasks} == expected and len(tasks) == len(expected)
    runs = {doc["task_id"]: doc["run_id"] for _s, doc in truth.values()}
    assert all(t["run_id"] == runs[t["task_id"]] for t in tasks)  # each task names its own run
    assert len({t["run_id"] for t in tasks}) > 1  # the window spans runs
    assert all(t.get("failure_reason") for t in tasks)  # and says why


async def test_voicemail_lists_the_calls_a_report_counts_as_voicemail(client: Client, world: World) -> None:
    """Unpod completes a call a machine answered: `reason="voicemail"` lists those (trial 6: it listed none while
    the report said 6), the same calls the report counts and the simulator planted."""
    agent = world.unpod_agents[0]
    since = world.anchor - timedelta(days=7)
    planted = {
        doc["task_id"]
        for run in world.unpod_runs
        if run.agent == agent
        for i, doc in enumerate(world.unpod_tasks(run))
        if created(doc) >= since and world._scenario(run, i)[0] == "voicemail"
    }
    args = {"provider": "unpod", "agent": agent.handle, "since": iso(since)}
    tasks = await every_task(client, **args, reason="voicemail", limit=100)
    report = await call(client, "summarize_run_health", **args)
    assert planted and {t["task_id"] for t in tasks} == planted
    assert report.structured_content["voice"]["voicemail"] == len(planted)
    rows = await call(client, "get_run_tasks", **args, reason="voicemail", detail="rows", limit=100)
    assert "status" in rows.structured_content["columns"]  # completed here, failed elsewhere: each row says
    assert rows.structured_content["filters"]["reason"] == "voicemail"


async def test_window_listing_is_the_union_of_the_per_run_listings(client: Client, world: World) -> None:
    """The window's failed tasks equal the failed tasks of each run listed in it, as get_run_tasks lists them."""
    agent = world.unpod_agents[0]
    since = world.anchor - timedelta(hours=40)
    window = await every_task(
        client, provider="unpod", agent=agent.handle, since=iso(since), status="failed", limit=100, detail="full"
    )
    runs = executions_of(
        (await call(client, "list_agent_executions", provider="unpod", agent=agent.handle, since="7d", limit=100))
        .structured_content
    )  # fmt: skip
    union: set[str] = set()
    for run in runs:
        listed = await every_task(
            client,
            provider="unpod",
            run_id=run["run_id"],
            agent=agent.handle,
            status="failed",
            limit=100,
            detail="full",
        )
        union |= {t["task_id"] for t in listed if datetime.fromisoformat(t["created_at"]) >= since}
    assert {t["task_id"] for t in window} == union
    assert {t["ref"] for t in window} and all(t["ref"] for t in window)  # full: every task's ref


async def test_window_sorted_by_duration_across_runs_with_cursor(client: Client, world: World) -> None:
    agent = world.unpod_agents[1]
    since = world.anchor - timedelta(days=7)
    truth = unpod_truth(world, agent, since)
    durations = sorted((d for _s, doc in truth.values() if (d := duration_of(doc)) is not None), reverse=True)
    args = {"provider": "unpod", "agent": agent.handle, "since": iso(since), "sort": "duration", "limit": 5}
    first = (await call(client, "get_run_tasks", **args)).structured_content
    second = (await call(client, "get_run_tasks", **args, cursor=first["next_cursor"])).structured_content
    assert [t["duration_s"] for t in tasks_of(first) + tasks_of(second)] == [round(d) for d in durations[:10]]
    assert first["complete"] is True and "sampled" not in first
    assert first["scanned"] == len(truth)
    text = (await client.call_tool("get_run_tasks", args)).content[0].text
    assert f"agent {agent.handle} " in text.splitlines()[0] and "all read" in text.splitlines()[0]


async def test_window_rows_name_each_tasks_run(client: Client, world: World) -> None:
    """Rows say each task's run by number (`run_ids[n - 1]`): a run id repeated on every row costs ~20 tokens."""
    agent = world.unpod_agents[0]
    since = world.anchor - timedelta(days=7)
    args = {"provider": "unpod", "agent": agent.handle, "since": iso(since), "reason": "no answer", "detail": "rows"}
    res = await call(client, "get_run_tasks", **args, limit=100)
    data = res.structured_content
    assert data["columns"][:2] == ["task_id", "run"] and "status" not in data["columns"]  # filters say it
    runs = {doc["task_id"]: doc["run_id"] for _s, doc in unpod_truth(world, agent, since).values()}
    assert data["rows"] and all(data["run_ids"][row[1] - 1] == runs[row[0]] for row in data["rows"])
    assert {row[data["columns"].index("reason")] for row in data["rows"]} == {"no answer"}
    text = res.content[0].text.splitlines()
    assert text[1] == "runs: " + ", ".join(f"{n} {r}" for n, r in enumerate(data["run_ids"], 1))


async def test_default_window_is_the_health_reports(client: Client, world: World) -> None:
    """No since: the last 24h, as summarize_run_health counts them (the same failed calls)."""
    agent = world.unpod_agents[0]
    report = (await call(client, "summarize_run_health", provider="unpod", agent=agent.handle)).structured_content
    tasks = await every_task(client, provider="unpod", agent=agent.handle, status="failed", limit=100)
    assert len(tasks) == report["totals"]["failed"]


async def test_a_bounded_window_table_says_it_is_sampled(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window_tasks, "WINDOW_PAGES_MAX", 2)
    agent = world.unpod_agents[0]
    res = await call(client, "get_run_tasks", provider="unpod", agent=agent.handle, since="30d", sort="duration")
    data = res.structured_content
    assert data["sampled"] is True and data.get("complete") is False and data["scanned"] == 100
    assert any(n.startswith("Sampled: sorted/filtered the newest 100 task(s)") for n in data["notes"])
    assert "sampled" in res.content[0].text.splitlines()[0]


async def test_runtype_window_reads_each_runs_tool_calls(client: Client, world: World) -> None:
    """Where no agent-wide task list exists, the window's runs are listed and each run's tasks read."""
    agent = world.runtype_agents[0]
    window = await every_task(client, provider="runtype", agent=agent.id, status="failed", limit=100)
    runs = executions_of(
        (await call(client, "list_agent_executions", provider="runtype", agent=agent.id, since="24h", limit=100))
        .structured_content
    )  # fmt: skip
    union: set[tuple[str, str]] = set()
    for run in runs:
        union |= {
            (t["task_id"], run["run_id"])
            for t in await every_task(client, provider="runtype", run_id=run["run_id"], agent=agent.id, status="failed")
        }
    assert union and {(t["task_id"], t["run_id"]) for t in window} == union


async def test_speech_agent_window_lists_its_calls(client: Client, world: World) -> None:
    voice = world.speech_agents[1]["agent_id"]
    since = world.anchor - timedelta(days=7)
    truth = {
        c["id"] for c in world.speech_calls
        if c["agent_id"] == voice and datetime.fromisoformat(c.get("started_at") or c["created"]) >= since
    }  # fmt: skip
    tasks = await every_task(client, provider="unpod", agent=voice, since=iso(since), limit=100)
    assert {t["task_id"] for t in tasks} == truth


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        ({"agent": "a1", "since": "yesterday-ish"}, ("`since`", "could not be read")),
        ({"agent": "a1", "since": "99999999d"}, ("`since`", "too far back")),
        ({"agent": "a1", "until": "3000-01-01"}, ("`until`", "2000 to 2100")),
        ({"agent": "a1", "since": "1h", "until": "2d"}, ("`since`", "must be before `until`")),
        ({"agent": "a1", "since": "x" * 65}, ("since",)),
        ({"agent": "a1", "until": "9" * 5000}, ("until",)),
        ({"run_id": "R1", "agent": "a1", "since": "24h"}, ("`since`/`until`", "leave them out")),
        ({"ref": "unpod:run:r=R1", "until": "now"}, ("`since`/`until`", "leave them out")),
        ({}, ("`run_id`", "`agent`")),
        ({"status": "failed", "since": "7d"}, ("`run_id`", "`agent`")),
        ({"agent": "A" * 300}, ("agent",)),
    ],
)
async def test_hostile_window_arguments_get_bounded_errors(
    client: Client, args: dict[str, Any], needles: tuple[str, ...]
) -> None:
    text = await call_error(client, "get_run_tasks", provider="unpod", **args)
    assert all(n in text for n in needles), text
    assert len(text) < 1200 and "Traceback" not in text


async def test_a_cursor_of_another_window_is_refused(client: Client, world: World) -> None:
    agent = world.unpod_agents[0]
    args = {"provider": "unpod", "agent": agent.handle, "since": "7d", "limit": 2}
    first = (await call(client, "get_run_tasks", **args)).structured_content
    text = await call_error(client, "get_run_tasks", **{**args, "since": "6d"}, cursor=first["next_cursor"])
    assert "cursor" in text


async def test_an_agent_reports_next_step_lists_its_top_category_across_runs(client: Client, world: World) -> None:
    """The report's top failure category, as tasks of the same window: the counts agree."""
    agent = world.unpod_agents[0]
    report = await call(client, "summarize_run_health", provider="unpod", agent=agent.handle, since="7d")
    data = report.structured_content
    top = data["top_failure_reasons"][0]
    step = next(s for s in data["next"] if s.startswith("get_run_tasks("))
    assert f'since="{data["scope"]["since"]}"' in step and f'reason="{top["label"]}"' in step
    rows = await call(
        client, "get_run_tasks", provider="unpod", agent=agent.handle, since=data["scope"]["since"],
        until=data["scope"]["until"], reason=top["label"], detail="rows", limit=100,
    )  # fmt: skip
    assert rows.structured_content["total"] == top["count"]  # the table read the window whole: its total


async def test_an_unpod_space_alone_lists_its_runs_tasks(client: Client, world: World) -> None:
    """`space` without `agent`: the space's runs of the window, each run's tasks read (no agent task list)."""
    run = next(r for r in world.unpod_runs if r.phase == "done" and world.anchor - r.created < timedelta(hours=20))
    tasks = await every_task(client, provider="unpod", space=run.space, status="failed", limit=100)
    mine = {t["task_id"] for t in tasks if t["run_id"] == run.run_id}
    truth = {d["task_id"] for i, d in enumerate(world.unpod_tasks(run))
             if SCENARIO_TRUTH[world._scenario(run, i)[0]] == "failed"}  # fmt: skip
    assert truth and mine == truth


@pytest.mark.parametrize("budget", [2000, 6000])
async def test_window_rows_fit_the_budget_run_ids_and_all(sim, world: World, budget: int) -> None:
    """The budget counts what a window page says beside its rows (`run_ids`, the `runs:` line); where each
    task is its own run (a speech-plane agent's calls, a Modus task's runs) the run column is left out."""
    settings = Settings(accounts=accounts_for(sim.url), token_budget=budget, cache_enabled=False)
    unpod = world.unpod_agents[2].handle
    cases = [
        ("unpod", world.speech_agents[1]["agent_id"], True),
        ("unpod", unpod, False),
        ("modus", world.modus_agents[0].slug, True),
    ]
    async with mcp_client(settings) as client:
        for provider, agent, own_runs in cases:
            for extra in ({}, {"sort": "duration"}):
                args = {"provider": provider, "agent": agent, "since": "30d", "limit": 100, "detail": "rows", **extra}
                res = await call(client, "get_run_tasks", **args)
                data, text = res.structured_content, res.content[0].text
                assert json_tokens(data) <= budget and estimate_tokens(text) <= budget, (args, json_tokens(data))
                assert data["rows"]
                if own_runs:  # the task id is the run id: said once, by the task id
                    assert "run" not in data["columns"] and "run_ids" not in data, args
                    assert not text.splitlines()[1].startswith("runs: ")
                else:
                    assert data["columns"][1] == "run" and data["run_ids"]


class RunsNewestFirst:
    """An adapter whose run list ignores `since` (Unpod's space runs), newest first, ``size`` runs a page;
    run ``n`` started ``n`` hours before ``now`` and has ``tasks`` pages of one task (``None`` for run 3: queued)."""

    name = "fake"

    def __init__(self, now: datetime, runs: int = 60, size: int = 10, tasks: int = 1) -> None:
        self.now, self.runs, self.size, self.tasks = now, runs, size, tasks
        self.pages_read = 0

    async def executions_page(self, query: Any, token: str | None) -> Any:
        from agent_runs_mcp.domain import Execution, ProviderPage, Status

        self.pages_read += 1
        start = int(token or 0)
        runs = [
            Execution(
                run_id=f"R{n}",
                status=Status.PENDING if n == 3 else Status.COMPLETED,
                started_at=None if n == 3 else self.now - timedelta(hours=n),
                ref=make_ref("fake", "run", r=f"R{n}"),
            )
            for n in range(start, min(start + self.size, self.runs))
        ]
        more = str(start + self.size) if start + self.size < self.runs else None
        return ProviderPage(runs, token, more, self.runs)

    async def tasks_page(self, query: Any, token: str | None) -> Any:
        from agent_runs_mcp.domain import ProviderPage, Status, Task

        n = int(token or 0)
        task = Task(task_id=f"{query.run_id}-t{n}", run_id=query.run_id, status=Status.COMPLETED)
        return ProviderPage([task], token, str(n + 1) if n + 1 < self.tasks else None)


async def walk_window(adapter: Any, since: datetime, cut: list[int] | None = None) -> tuple[list[Any], list[str]]:
    from agent_runs_mcp.providers.base import ExecutionQuery
    from agent_runs_mcp.tools import capabilities

    query = ExecutionQuery(agent=None, space="S", since=since)
    tasks: list[Any] = []
    notes: list[str] = []
    token = None
    for _ in range(100):
        page = await capabilities.agent_tasks_page(adapter, query, token, *([cut] if cut is not None else []))
        tasks += page.items
        notes += [page.note] if page.note else []
        token = page.next_token
        if token is None:
            return tasks, notes
    raise AssertionError("the walk did not end")


async def test_the_fallback_walk_stops_at_the_windows_start() -> None:
    """A run list that ignores `since` is read until a page (newest first) is all older than the window,
    not to the end of a long-lived space's history; a run without a start is counted, not dropped silently."""
    now = datetime.now(UTC)
    adapter = RunsNewestFirst(now)
    tasks, notes = await walk_window(adapter, now - timedelta(hours=14, minutes=30))
    assert {t.run_id for t in tasks} == {f"R{n}" for n in range(15) if n != 3}
    assert adapter.pages_read == 2  # runs 0-9 and 10-19, not all six pages
    assert any("1 run(s) had not started" in n for n in notes)


async def test_a_run_cut_at_the_page_cap_is_counted() -> None:
    from agent_runs_mcp.tools.capabilities import RUN_PAGES_MAX

    now = datetime.now(UTC)
    adapter = RunsNewestFirst(now, runs=4, tasks=RUN_PAGES_MAX + 2)
    cut = [0]
    tasks, notes = await walk_window(adapter, now - timedelta(hours=10), cut)
    assert cut == [3] and len(tasks) == 3 * RUN_PAGES_MAX
    assert any(f"Only the first {RUN_PAGES_MAX} pages of tasks of 3 run(s)" in n for n in notes)


async def test_a_window_cut_by_the_budget_alone_was_read_whole(client: Client, world: World) -> None:
    """Every task of the window read, fewer shown (the budget): complete, and the cut said as more to show."""
    voice = world.speech_agents[1]["agent_id"]
    res = await call(client, "get_run_tasks", provider="unpod", agent=voice, since="30d", limit=100)
    data, head = res.structured_content, res.content[0].text.splitlines()
    assert data["truncated"] and data["next_cursor"] and data["notes"][0].startswith("Cut to ")
    assert data["complete"] is True and "sampled" not in data
    assert "all read, more to show" in head[0] and head[1].startswith("Cut to ")
    every = await every_task(client, provider="unpod", agent=voice, since="30d", limit=100)
    assert len({t["task_id"] for t in every}) == len(every) == data["scanned"]  # the cursor shows the rest


async def test_a_window_whose_runs_were_cut_says_it_is_sampled(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A space's runs read run by run, each to at most RUN_PAGES_MAX pages: a longer run's tasks are cut,
    and the table says it is a sample, not that the window was read whole."""
    from agent_runs_mcp.tools import capabilities

    monkeypatch.setattr(capabilities, "RUN_PAGES_MAX", 1)
    space = world.unpod_runs[0].space
    res = await call(client, "get_run_tasks", provider="unpod", space=space, since="30d", sort="duration", limit=5)
    data = res.structured_content
    assert data["sampled"] is True and data.get("complete") is False
    assert any(n.startswith("Only the first 1 pages of tasks of") for n in data["notes"])
    assert "sampled" in res.content[0].text.splitlines()[0]


async def test_a_speech_agents_listed_call_opens_by_its_task_id(client: Client, world: World) -> None:
    """A speech-plane call is a run of one task: the listing's `next` names it by the task id (call_id=),
    and run_id/task_id + agent open it too."""
    voice = world.speech_agents[1]["agent_id"]
    data = (await call(client, "get_run_tasks", provider="unpod", agent=voice, since="7d", limit=3)).structured_content
    assert "call_id=<task_id>" in data["next"][0]
    call_id = next(t["task_id"] for t in data["tasks"] if t.get("started_at"))
    for ids in ({"call_id": call_id}, {"run_id": call_id, "task_id": call_id}, {"task_id": call_id}):
        res = await call(client, "get_call_transcript", provider="unpod", agent=voice, max_turns=2, **ids)
        assert res.structured_content["call"]["call_id"] == call_id, ids


async def test_a_task_not_found_is_said_once(client: Client, world: World) -> None:
    text = await call_error(client, "get_call_transcript", provider="unpod", agent="no-such-agent", task_id="T1")
    assert "tasks of the tasks" not in text and "tasks of agent `no-such-agent`" in text
    agent = world.unpod_agents[0].handle
    text = await call_error(client, "get_call_transcript", provider="unpod", agent=agent, task_id="T-none")
    assert f"is not among the tasks of agent `{agent}`" in text


async def test_space_with_an_unpod_agent_is_honoured_or_said(client: Client, world: World) -> None:
    """`space` with `agent` lists the agent's tasks in that space; another space's are left out, and said."""
    agent = world.unpod_agents[0]
    other = next(s.token for s in world.unpod_spaces if s.token != agent.space)
    base = {"provider": "unpod", "agent": agent.handle, "since": "7d", "status": "failed", "limit": 100}
    mine = await every_task(client, **base)
    assert mine and await every_task(client, **base, space=agent.space) == mine
    res = await call(client, "get_run_tasks", **base, space=other)
    data = res.structured_content
    assert not data["tasks"] and any(f"spaces other than `{other}` were left out" in n for n in data["notes"])
    voice = world.speech_agents[1]["agent_id"]
    notes = (await call(client, "get_run_tasks", provider="unpod", agent=voice, space=other)).structured_content
    assert any("`space` does not apply to a speech-plane agent" in n for n in notes["notes"])
