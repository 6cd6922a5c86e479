"""Operator questions, each answered by the shortest tool-call plan, checked against the simulator's own truth.

    .venv/bin/python bench/questions.py            # the table
    .venv/bin/python bench/questions.py --show     # also every call's text

The server runs in process on the simulator (no network). Each question has a plan (the calls an assistant
that knows the tools would make), an answer read from the results, and a check of that answer against the
simulator's world objects (its generated runs, tasks, calls, executions: never our own tools' output).
Printed per question: calls, tokens in the text channel and in the structured channel (counted with the BPE
tokenizer `bench/context_tokens.py` uses), and whether the answer matched the truth; then the totals with
the targets: at most 1.5 calls per question on average, at most 2,500 structured tokens per question.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
from mcp import Client

from agent_runs_mcp.providers.registry import Registry
from agent_runs_mcp.server.app import build_server
from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.simulator.app import create_app
from agent_runs_mcp.simulator.unpod_world import SCENARIO_TRUTH, call_seconds
from agent_runs_mcp.simulator.world import World
from agent_runs_mcp.tools.budget import estimate_tokens, real_token_counter

TARGET_CALLS = 1.5
TARGET_STRUCT = 2500


@dataclass
class Asked:
    """The calls one question made, with their token counts."""

    client: Client
    tokens: Callable[[str], int]
    show: bool
    calls: list[tuple[str, int, int]] = field(default_factory=list)

    async def __call__(self, tool: str, **args: Any) -> dict[str, Any]:
        res = await self.client.call_tool(tool, args)
        text = "\n".join(b.text for b in res.content if getattr(b, "type", "") == "text")
        if res.is_error:
            raise AssertionError(f"{tool}({args}) failed: {text[:300]}")
        structured = json.dumps(res.structured_content, separators=(",", ":"), ensure_ascii=False)
        self.calls.append((tool, self.tokens(text), self.tokens(structured)))
        if self.show:
            print(f"  > {tool}({', '.join(f'{k}={v!r}' for k, v in args.items())})\n" + _indent(text))
        return {**res.structured_content, "_text": text}


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines()[:40])


Question = Callable[[Asked, World], Awaitable[tuple[str, bool]]]
QUESTIONS: list[tuple[str, Question]] = []


def question(text: str) -> Callable[[Question], Question]:
    def register(fn: Question) -> Question:
        QUESTIONS.append((text, fn))
        return fn

    return register


# --- the simulator's truth ----------------------------------------------------------------------------


def created(doc: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(doc["created"]).replace(tzinfo=UTC)


def unpod_tasks(world: World, agent: Any, since: datetime) -> list[tuple[Any, int, dict[str, Any], str]]:
    """(run, index, raw task, scenario) of an agent's campaign tasks created since ``since``."""
    out = []
    for run in world.unpod_runs:
        if run.agent != agent:
            continue
        for i, doc in enumerate(world.unpod_tasks(run)):
            if created(doc) >= since:
                out.append((run, i, doc, world._scenario(run, i)[0]))
    return out


def outcome_of(doc: dict[str, Any]) -> str | None:
    return ((doc["output"].get("post_call_data") or {}).get("summary") or {}).get("status")


def latest(world: World, agent: Any, profile: str | None = None) -> Any:
    return next(r for r in world.unpod_runs if r.agent == agent and r.phase == "done"
                and (profile is None or r.profile == profile))  # fmt: skip


# --- the questions ----------------------------------------------------------------------------------------


@question("Which agents need attention right now?")
async def q_attention(ask: Asked, world: World) -> tuple[str, bool]:
    fleet = await ask("summarize_fleet_health")
    failing = [r for r in fleet["agents"] if r["verdict"] == "failing"]
    since = datetime.fromisoformat(fleet["since"].replace("Z", "+00:00"))
    priya = world.unpod_agents[0]
    failed = sum(1 for *_, s in unpod_tasks(world, priya, since) if SCENARIO_TRUTH[s] == "failed")
    row = next((r for r in failing if r["agent"] == priya.handle), None)  # the planted outage must be among them
    names = ", ".join(f"{r['name']} ({r['failed']} failed)" for r in failing)
    return f"failing: {names}; Priya truth {failed} failed", row is not None and row["failed"] == failed


@question("What did the Unpod campaigns cost this week, and per completed call?")
async def q_spend(ask: Asked, world: World) -> tuple[str, bool]:
    fleet = await ask("summarize_fleet_health", provider="unpod", since="7d")
    since = datetime.fromisoformat(fleet["since"].replace("Z", "+00:00"))
    rows = {r["agent"]: r for r in fleet["agents"]}
    ok, parts = True, []
    for agent in world.unpod_agents:
        cost = sum(doc["output"].get("cost") or 0 for _r, _i, doc, _s in unpod_tasks(world, agent, since))
        got = rows[agent.handle].get("cost_usd", 0.0)
        ok = ok and abs(got - cost) < 0.01
        parts.append(f"{agent.name} ${got:.2f} (truth ${cost:.2f})")
    return "; ".join(parts), ok


@question("When did Priya's campaign start failing, and what changed?")
async def q_when(ask: Asked, world: World) -> tuple[str, bool]:
    agent = world.unpod_agents[0]
    report = await ask("summarize_run_health", provider="unpod", agent=agent.handle, since="7d")
    change = report["change"]
    outage = min((r for r in world.unpod_runs if r.agent == agent and r.profile == "carrier_outage"),
                 key=lambda r: r.created)  # fmt: skip
    ok = change["run_id"] == outage.run_id and change["after_pct"] > change["before_pct"] + 30
    return f"run {change['run_id']} at {change['at']}: {change['before_pct']:.0f}% -> {change['after_pct']:.0f}%", ok


@question("Which call was the longest in the outage run, and what did the customer say?")
async def q_longest(ask: Asked, world: World) -> tuple[str, bool]:
    run = latest(world, world.unpod_agents[0], "carrier_outage")
    table = await ask("get_run_tasks", provider="unpod", agent=run.agent.handle, run_id=run.run_id,
                      sort="duration", limit=1)  # fmt: skip
    task = table["tasks"][0]
    call = await ask("get_call_transcript", provider="unpod", run_id=run.run_id, agent=run.agent.handle,
                     task_id=task["task_id"], speaker="customer")  # fmt: skip
    docs = world.unpod_tasks(run)
    longest = max(docs, key=lambda d: d["output"].get("duration") or -1)
    ok = task["task_id"] == longest["task_id"] and bool(call["turns"])
    return f"{task['task_id']} {task['duration_s']:.0f}s, {len(call['turns'])} customer turn(s)", ok


@question("Which customers complained in the latest care run?")
async def q_complaints(ask: Asked, world: World) -> tuple[str, bool]:
    run = latest(world, world.unpod_agents[2])
    table = await ask("get_run_tasks", provider="unpod", agent=run.agent.handle, run_id=run.run_id,
                      outcome="complaint", detail="rows", limit=100)  # fmt: skip
    names = {row[table["columns"].index("contact")] for row in table["rows"]}
    truth = {doc["input"]["name"] for doc in world.unpod_tasks(run) if outcome_of(doc) == "Complaint"}
    return f"{len(names)}: {', '.join(sorted(names))}", names == truth


@question("Did anyone ask us not to call again this week? How many people?")
async def q_dnc(ask: Asked, world: World) -> tuple[str, bool]:
    found = await ask("search_calls", query='"don\'t call" OR "remove me"', limit=5)
    since = world.anchor - timedelta(days=7)
    phones = set()
    for agent in world.unpod_agents:
        for _r, _i, doc, _s in unpod_tasks(world, agent, since):
            text = json.dumps(doc["output"].get("transcript") or doc["output"].get("messages") or "").lower()
            if "don't call" in text or "remove me" in text:
                phones.add(doc["input"]["contact_number"])
    for call in world.speech_calls:
        text = json.dumps(call.get("_transcript") or "").lower()
        if datetime.fromisoformat(call["created"]) >= since and ("don't call" in text or "remove me" in text):
            phones.add(call["to_number"] if call["direction"] == "outbound" else call["from_number"])
    people = found.get("contacts", found.get("distinct_contacts"))
    return f"{found.get('total', found.get('matched'))} call(s), {people} people (truth {len(phones)})", (
        people == len(phones)
    )


@question("How many calls in the outage run failed on SIP/carrier errors, and to whom?")
async def q_sip(ask: Asked, world: World) -> tuple[str, bool]:
    run = latest(world, world.unpod_agents[0], "carrier_outage")
    table = await ask("get_run_tasks", provider="unpod", agent=run.agent.handle, run_id=run.run_id,
                      reason="SIP or carrier error", detail="rows", limit=100)  # fmt: skip
    ids = {row[0] for row in table["rows"]}
    docs = world.unpod_tasks(run)
    truth = {doc["task_id"] for i, doc in enumerate(docs) if world._scenario(run, i)[0] == "sip_error"}
    return f"{len(ids)} (truth {len(truth)})", ids == truth and table.get("total") == len(truth)


@question("Is anything waiting for a human, and where?")
async def q_waiting(ask: Asked, world: World) -> tuple[str, bool]:
    listed = await ask("list_agent_executions", status="awaiting_human")
    items = [{**listed.get("item_defaults", {}), **e} for e in listed["executions"]]  # what items leave out
    got = {e["run_id"] for e in items}
    truth = {
        e["id"] for e in world.runtype_executions if e["_truth"] == "awaiting_human" and not e.get("parentExecutionId")
    }
    truth |= {r["id"] for runs in world.modus_runs.values() for r in runs if r["_truth"] == "awaiting_human"}
    steps = Counter(e.get("agent") or e.get("agent_id") or "?" for e in items)
    return f"{len(got)} waiting (truth {len(truth)}): " + ", ".join(f"{a[:12]} {n}" for a, n in steps.items()), (
        got == truth
    )


@question("Why are Support Triage's executions failing this week?")
async def q_why(ask: Asked, world: World) -> tuple[str, bool]:
    agent = world.runtype_agents[0]
    report = await ask("summarize_run_health", provider="runtype", agent=agent.id, since="7d")
    since = datetime.fromisoformat(report["scope"]["since"].replace("Z", "+00:00"))
    failed = [e for e in world.runtype_executions
              if e["agentId"] == agent.id and e["_truth"] == "failed"
              and datetime.fromisoformat(e["createdAt"].replace("Z", "+00:00")) >= since]  # fmt: skip
    top = report["top_failure_reasons"][0]
    return f"{top['label']} {top['count']} of {report['totals'].get('failed', 0)} failed " \
           f"(truth {len(failed)} failed)", report["totals"].get("failed") == len(failed)  # fmt: skip


@question("Is Renewal Reminder doing better or worse than last week?")
async def q_trend(ask: Asked, world: World) -> tuple[str, bool]:
    agent = world.unpod_agents[1]
    report = await ask("summarize_run_health", provider="unpod", agent=agent.handle, since="7d")
    since = datetime.fromisoformat(report["scope"]["since"].replace("Z", "+00:00"))
    now = [s for *_x, s in unpod_tasks(world, agent, since)]
    finished = [SCENARIO_TRUTH[s] for s in now if SCENARIO_TRUTH[s] in ("completed", "partial", "failed", "cancelled")]
    rate = finished.count("completed") / len(finished)
    return f"success {report['success_rate']:.0%} (truth {rate:.0%}); {report['_text'].count('->')} change(s)", (
        abs(report["success_rate"] - rate) < 0.001
    )


@question("How many calls are still queued or running in Priya's current campaign?")
async def q_in_flight(ask: Asked, world: World) -> tuple[str, bool]:
    run = next(r for r in world.unpod_runs if r.agent == world.unpod_agents[0] and r.phase == "running")
    report = await ask("summarize_run_health", provider="unpod", agent=run.agent.handle, run_id=run.run_id)
    truth = world.unpod_truth(run)
    keys = ("pending", "running", "scheduled")
    got = {k: report["totals"].get(k, 0) for k in keys}
    return ", ".join(f"{k} {v}" for k, v in got.items()), got == {k: truth.get(k, 0) for k in keys}


@question("Which Modus workflow failed most this week?")
async def q_modus(ask: Asked, world: World) -> tuple[str, bool]:
    fleet = await ask("summarize_fleet_health", provider="modus", since="7d")
    since = datetime.fromisoformat(fleet["since"].replace("Z", "+00:00"))
    truth = {str(a): sum(1 for r in runs if r["_truth"] == "failed"
                         and datetime.fromisoformat(r["startedAt"].replace("Z", "+00:00")) >= since)
             for a, runs in world.modus_runs.items()}  # fmt: skip
    worst = max(fleet["agents"], key=lambda r: r.get("failed", 0))
    ok = truth[worst["agent"]] == max(truth.values()) == worst.get("failed", 0)
    return f"{worst['name']} {worst.get('failed', 0)} failed (truth {max(truth.values())})", ok


@question("Which calls in the outage run ended within 15 seconds?")
async def q_short(ask: Asked, world: World) -> tuple[str, bool]:
    run = latest(world, world.unpod_agents[0], "carrier_outage")
    table = await ask("get_run_tasks", provider="unpod", agent=run.agent.handle, run_id=run.run_id,
                      duration="-15", detail="rows", limit=100)  # fmt: skip
    ids = {row[0] for row in table.get("rows", [])}
    truth = {d["task_id"] for d in world.unpod_tasks(run) if d["output"].get("duration") is not None
             and d["output"]["duration"] <= 15}  # fmt: skip
    return f"{len(ids)} (truth {len(truth)})", ids == truth


@question("What did the most expensive call of the latest renewal run cost?")
async def q_costliest(ask: Asked, world: World) -> tuple[str, bool]:
    run = latest(world, world.unpod_agents[1])
    table = await ask("get_run_tasks", provider="unpod", agent=run.agent.handle, run_id=run.run_id,
                      sort="cost", limit=1)  # fmt: skip
    cost = max(d["output"].get("cost") or 0 for d in world.unpod_tasks(run))
    return f"${table['tasks'][0]['cost_usd']} (truth ${cost})", table["tasks"][0]["cost_usd"] == cost


@question("Which of Priya's calls failed in the last 24 hours, and why?")
async def q_failed_24h(ask: Asked, world: World) -> tuple[str, bool]:
    agent = world.unpod_agents[0]
    table = await ask("get_run_tasks", provider="unpod", agent=agent.handle, status="failed", detail="rows",
                      limit=100)  # fmt: skip
    since = datetime.fromisoformat(table["filters"]["since"].replace("Z", "+00:00"))
    grouped = table["by_reason"]  # failed rows under their failure category, the largest first
    ids = {row[0] for rows in grouped.values() for row in rows}
    truth = {doc["task_id"] for _r, _i, doc, s in unpod_tasks(world, agent, since) if SCENARIO_TRUTH[s] == "failed"}
    runs = {row[1] for rows in grouped.values() for row in rows}
    said = ", ".join(f"{reason} {len(rows)}" for reason, rows in list(grouped.items())[:3])
    ok = ids == truth and table.get("complete") is True and sum(map(len, grouped.values())) == len(ids)
    return f"{len(ids)} (truth {len(truth)}) in {len(runs)} run(s): {said}", ok


# --- running them ----------------------------------------------------------------------------------------


@question("What is the connect rate of all our outbound calling this week?")
async def q_outbound_connect(ask: Asked, world: World) -> tuple[str, bool]:
    fleet = await ask("summarize_fleet_health", since="7d")
    since = datetime.fromisoformat(fleet["since"].replace("Z", "+00:00"))
    total = next(t for t in fleet["totals"] if t["provider"] == "all")
    one_way = total.get("calls_direction") == "outbound"  # every calling agent calls out: the total is outbound
    got = total if one_way else total.get("directions", {}).get("outbound", {})
    finished = connected = 0  # the truth: every outbound call of the window, platform and speech plane
    reached = {"connected", "short_hangup", "post_call_failed"}  # scenarios where a person answered
    for agent in world.unpod_agents:
        for _r, _i, _doc, scenario in unpod_tasks(world, agent, since):
            if SCENARIO_TRUTH[scenario] in ("completed", "failed", "partial") and agent.call_type == "outbound":
                finished += 1
                connected += scenario in reached
    for call in world.speech_calls:
        at = datetime.fromisoformat(call.get("started_at") or call["created"])
        if at >= since and call["direction"] == "outbound" and call["_truth"] in ("completed", "failed"):
            finished += 1
            connected += call["status"] in ("connected", "completed")
    rate = connected / finished
    said = f"{got.get('connected')} of {got.get('calls_finished')} connected ({got.get('connect_rate', 0):.0%})"
    ok = (got.get("calls_finished"), got.get("connected")) == (finished, connected)
    return f"{said} (truth {connected} of {finished}, {rate:.0%})", ok and got.get("connect_rate") == round(rate, 2)


@question("How many of our calls reached voicemail this week, and which agent had the most?")
async def q_voicemail(ask: Asked, world: World) -> tuple[str, bool]:
    fleet = await ask("summarize_fleet_health", since="7d")
    since = datetime.fromisoformat(fleet["since"].replace("Z", "+00:00"))
    total = next(t for t in fleet["totals"] if t["provider"] == "all")
    rows: dict[str, int] = {}  # by name, as the truth is (two agents may share a name: both count under it)
    for row in fleet["agents"]:
        if row.get("voicemail"):
            rows[row["name"]] = rows.get(row["name"], 0) + row["voicemail"]
    truth: dict[str, int] = {}  # the truth: every call of the window whose scenario was voicemail
    for agent in world.unpod_agents:
        for _r, _i, _doc, scenario in unpod_tasks(world, agent, since):
            truth[agent.name] = truth.get(agent.name, 0) + (scenario == "voicemail")
    names = {a["agent_id"]: a["name"] for a in world.speech_agents}
    for call in world.speech_calls:
        at = datetime.fromisoformat(call.get("started_at") or call["created"])
        if at >= since and call.get("_reason") == "voicemail":
            name = names[call["agent_id"]]
            truth[name] = truth.get(name, 0) + 1
    most = max(rows, key=lambda name: rows[name]) if rows else None
    true_most = max(truth, key=lambda name: truth[name])
    said = f"{total.get('voicemail', 0)} voicemail, most {most} ({rows.get(most or '', 0)})"
    ok = total.get("voicemail") == sum(truth.values()) and rows.get(most or "") == truth[true_most]
    return f"{said} (truth {sum(truth.values())}, most {true_most} {truth[true_most]})", ok


@question("Which customers asked us to call them back, and when?")
async def q_callbacks(ask: Asked, world: World) -> tuple[str, bool]:
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(3):  # a page holds 200 contacts by default; the cursor continues
        page = await ask("search_calls", query="call me back", detail="contacts",
                         **({"cursor": cursor} if cursor else {}))  # fmt: skip
        rows += [dict(zip(page["columns"], row, strict=False)) for row in page.get("rows", [])]
        if not (cursor := page.get("next_cursor")):
            break
    since = world.anchor - timedelta(days=7)
    # the truth: every customer of the week who asked for a call back (the simulator's summary), told apart by
    # their number, with the start of their latest such call
    truth: dict[tuple[str, str], list[str]] = {}
    for agent in world.unpod_agents:
        for _r, _i, doc, _s in unpod_tasks(world, agent, since):
            output = doc["output"] or {}
            if "asked for a call back" in (output.get("call_summary") or output.get("summary") or ""):
                start = datetime.fromisoformat((output.get("start_time") or output["startedAt"]).replace("Z", "+00:00"))
                person = (doc["input"]["name"], doc["input"]["contact_number"])
                truth.setdefault(person, []).append(start.strftime("%m-%d %H:%M"))
    # a customer who asked more than once is one row: their latest call, and `calls` when over one
    got = sorted((r["contact"].split(" (")[0], r["at"], r.get("calls") or 1) for r in rows)
    want = sorted((name, max(times), len(times)) for (name, _number), times in truth.items())
    newest = max(want, key=lambda w: w[1])
    answer = f"{len(got)} customers (truth {len(want)}), newest {newest[0]} at {newest[1]}"
    return answer, got == want


@question("How many people did Priya call this week, and how long did her calls last on average?")
async def q_people(ask: Asked, world: World) -> tuple[str, bool]:
    agent = world.unpod_agents[0]
    page = await ask("get_run_tasks", provider="unpod", agent=agent.handle, since="7d", detail="stats")
    stats = page["stats"]
    since = datetime.fromisoformat(page["filters"]["since"].replace("Z", "+00:00"))
    docs = [doc for _r, _i, doc, _s in unpod_tasks(world, agent, since)]
    seconds = [d for d in map(call_seconds, docs) if d is not None]
    people = len({(doc["input"]["name"], doc["input"]["contact_number"]) for doc in docs})  # a person: both
    mean = round(sum(seconds) / len(seconds), 1)
    got = (stats["tasks"], stats["contacts"], stats["duration_s"]["mean"])
    answer = f"{got[1]} people in {got[0]} calls, mean {got[2]}s (truth {people} in {len(docs)}, {mean}s)"
    return answer, got == (len(docs), people, mean) and page.get("complete") is True


async def main(show: bool) -> None:
    logging.disable(logging.INFO)
    count = real_token_counter()
    tokens = count or estimate_tokens
    world = World(seed=7)
    app = create_app(world)
    settings = load_settings({}, demo=True)
    registry = Registry(settings, transport=httpx.ASGITransport(app=app))
    rows = []
    async with Client(build_server(settings, registry), mode="legacy") as client:
        for text, fn in QUESTIONS:
            ask = Asked(client, tokens, show)
            if show:
                print(f"\n{text}")
            try:
                answer, ok = await fn(ask, world)
            except Exception as exc:  # a question that cannot be answered is a result, not a crash
                answer, ok = f"could not answer: {type(exc).__name__}: {str(exc)[:160]}", False
            rows.append((text, ask.calls, answer, ok))
    await registry.aclose()

    print(f"token counts by {'real BPE tokenizer (anthropic 0.38 tokenizer.json)' if count else 'our estimate'}")
    print(f"{'#':>2} {'question':66s} {'calls':>5} {'text':>6} {'struct':>6}  ok  answer")
    total_calls = total_text = total_struct = 0
    worst_struct = 0
    for n, (text, calls, answer, ok) in enumerate(rows, 1):
        t = sum(c[1] for c in calls)
        s = sum(c[2] for c in calls)
        total_calls, total_text, total_struct = total_calls + len(calls), total_text + t, total_struct + s
        worst_struct = max(worst_struct, s)
        print(f"{n:2d} {text[:66]:66s} {len(calls):5d} {t:6d} {s:6d}  {'yes' if ok else 'NO ':3s} {answer[:90]}")
    n = len(rows)
    right = sum(1 for r in rows if r[3])
    print(f"total: {n} questions, {right} answered right, {total_calls} calls, {total_text} text tokens, "
          f"{total_struct} structured tokens")  # fmt: skip
    print(f"calls per question: {total_calls / n:.2f} (target <= {TARGET_CALLS}) "
          f"{'met' if total_calls / n <= TARGET_CALLS else 'MISSED'}")  # fmt: skip
    met = "met" if worst_struct <= TARGET_STRUCT else "MISSED"
    print(f"structured tokens per question: mean {total_struct / n:.0f}, max {worst_struct} "
          f"(target <= {TARGET_STRUCT}) {met}; text tokens per question: mean {total_text / n:.0f}")  # fmt: skip


if __name__ == "__main__":
    anyio.run(main, "--show" in sys.argv)
