"""The simulated Unpod: organization, spaces, agents, campaign runs, call tasks and transcripts."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from agent_runs_mcp.simulator.names import DEMO_CREDENTIALS, FIRST, LAST
from agent_runs_mcp.simulator.unpod_calls import UnpodCalls

# --- Unpod ---------------------------------------------------------------------------------------

# Scenario weights per campaign profile. Each scenario is what happened to one call task.
PROFILES: dict[str, dict[str, float]] = {
    "healthy": {
        "connected": 0.60,
        "short_hangup": 0.05,
        "voicemail": 0.12,
        "no_answer": 0.12,
        "busy": 0.05,
        "sip_error": 0.02,
        "agent_error": 0.02,
        "post_call_failed": 0.02,
    },
    "carrier_outage": {
        "connected": 0.24,
        "short_hangup": 0.03,
        "voicemail": 0.06,
        "no_answer": 0.10,
        "busy": 0.04,
        "sip_error": 0.49,
        "agent_error": 0.02,
        "post_call_failed": 0.02,
    },
    "care": {
        "connected": 0.72,
        "short_hangup": 0.04,
        "voicemail": 0.08,
        "no_answer": 0.08,
        "busy": 0.03,
        "sip_error": 0.01,
        "agent_error": 0.03,
        "post_call_failed": 0.01,
    },
}
# What each scenario must come out as after normalization (independent of the adapters' tables).
SCENARIO_TRUTH: dict[str, str] = {
    "connected": "completed",
    "short_hangup": "completed",
    "voicemail": "completed",
    "no_answer": "failed",
    "busy": "failed",
    "sip_error": "failed",
    "agent_error": "failed",
    "post_call_failed": "partial",
    "in_progress": "running",
    "pending": "pending",
    "hold": "pending",
    "scheduled": "scheduled",
}


def call_seconds(doc: dict[str, Any]) -> float | None:
    """A generated task's call length as its raw document says it (``output.duration``; the Vapi-shaped
    outputs only by their start and end): the truth tests and benchmarks hold the tools' figures to."""
    out = doc["output"]
    if out.get("duration") is not None:
        return float(out["duration"])
    start, end = out.get("start_time") or out.get("startedAt"), out.get("end_time") or out.get("endedAt")
    if not (start and end):
        return None
    return (
        datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))
    ).total_seconds()


SIP_REASONS = [
    "sip-480-temporarily-unavailable",
    "call.in-progress.error-sip-outbound-call-failed-to-connect",
    "sip-503-service-unavailable",
]


@dataclass(frozen=True)
class UnpodAgent:
    handle: str
    name: str
    space: str
    persona: str  # first name the agent introduces itself with
    purpose: str
    domain: str  # "sales" | "care" | "renewal"
    call_type: str = "outbound"


@dataclass(frozen=True)
class UnpodRun:
    run_id: str
    agent: UnpodAgent
    created: datetime
    status: str
    n_tasks: int
    profile: str
    style: str  # transcript style: list | list_naive | string | vapi
    run_mode: str
    thread_id: str
    phase: str = "done"  # done | running | scheduled

    @property
    def space(self) -> str:
        return self.agent.space


@dataclass(frozen=True)
class UnpodSpace:
    token: str
    name: str
    slug: str
    description: str


class UnpodWorld(UnpodCalls):
    """The Unpod part of the simulated world (mixed into :class:`~agent_runs_mcp.simulator.world.World`)."""

    @cached_property
    def unpod_org(self) -> dict[str, Any]:
        return {
            "name": "Acme Solar",
            "token": self.hexid("org", n=24).upper(),
            "domain": "acme.com",
            "domain_handle": DEMO_CREDENTIALS["unpod"]["org_handle"],
            "is_private_domain": True,
            "role": "owner",
        }

    @cached_property
    def unpod_spaces(self) -> list[UnpodSpace]:
        return [
            UnpodSpace(
                DEMO_CREDENTIALS["unpod"]["space_token"],
                "Outbound Sales",
                "outbound-sales",
                "Outbound campaigns for rooftop solar leads and renewals.",
            ),
            UnpodSpace(
                "K2P8ZC4T6W1N9Q3R5X7B2M4D",
                "Customer Care",
                "customer-care",
                "Follow-up calls after installations and service visits.",
            ),
        ]

    def _handle(self, name: str) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        rng = self.rng("handle", name)
        return "space-agent-" + "".join(rng.choice(alphabet) for _ in range(25))

    @cached_property
    def unpod_agents(self) -> list[UnpodAgent]:
        sales, care = self.unpod_spaces[0].token, self.unpod_spaces[1].token
        agents = [
            UnpodAgent(
                self._handle("priya"),
                "Priya - Solar Sales Caller",
                sales,
                "Priya",
                "Qualify rooftop-solar leads and book site surveys.",
                "sales",
            ),
            UnpodAgent(
                self._handle("renewals"),
                "Renewal Reminder",
                sales,
                "Alex",
                "Remind customers to renew their Acme Care plan.",
                "renewal",
            ),
            UnpodAgent(
                self._handle("care"),
                "Care Follow-up",
                care,
                "Sam",
                "Check in with customers after installation and log issues.",
                "care",
            ),
        ]
        if self.big_run_tasks:
            agents.append(
                UnpodAgent(
                    self._handle("bulk"),
                    "Bulk Dialer",
                    sales,
                    "Priya",
                    "High-volume outbound campaign (benchmark).",
                    "sales",
                )
            )
        inbound = getattr(self, "inbound_agents", ())
        return [replace(a, call_type="inbound") if a.name in inbound else a for a in agents]

    def unpod_agent(self, handle: str) -> UnpodAgent | None:
        return next((a for a in self.unpod_agents if a.handle == handle), None)

    @cached_property
    def unpod_runs(self) -> list[UnpodRun]:
        """All runs, newest first."""
        runs: list[UnpodRun] = []
        plans = {
            "sales": [  # (days ago, hours offset, tasks, profile, phase)
                (0, 2, 46, "healthy", "running"),
                (0.6, 0, 64, "carrier_outage", "done"),
                (1.2, 0, 118, "carrier_outage", "done"),
                (2, 3, 85, "healthy", "done"),
                (3, 1, 72, "healthy", "done"),
                (4, 5, 140, "healthy", "done"),
                (6, 2, 55, "healthy", "done"),
                (0.01, 0, 30, "healthy", "scheduled"),
            ],
            "renewal": [
                (0.3, 0, 38, "healthy", "done"),
                (1.5, 0, 52, "healthy", "done"),
                (4.5, 0, 24, "healthy", "done"),
                (8, 0, 61, "healthy", "done"),
            ],
            "care": [
                (0.2, 0, 28, "care", "done"),
                (0.9, 0, 33, "care", "done"),
                (2.4, 0, 19, "care", "done"),
                (5.1, 0, 41, "care", "done"),
                (9, 0, 22, "care", "done"),
            ],
        }
        styles = ["list", "list", "list_naive", "string", "vapi", "list"]
        for agent in self.unpod_agents:
            plan = plans[agent.domain]
            if agent.name == "Bulk Dialer":
                phase = "done" if self.big_run_done is None else "running"
                plan = [(0.25, 0, self.big_run_tasks, "healthy", phase)]
            for n, (days, hours, size, profile, phase) in enumerate(plan):
                created = self.anchor - timedelta(days=days, hours=hours) - timedelta(minutes=17 * n)
                status = {"running": "in_progress", "scheduled": "scheduled"}.get(phase, "completed")
                rng = self.rng("runstyle", agent.handle, n)
                runs.append(
                    UnpodRun(
                        run_id="R" + self.hexid("run", agent.handle, n),
                        agent=agent,
                        created=created,
                        status=status,
                        n_tasks=size,
                        profile=profile,
                        style=styles[(n + len(agent.name)) % len(styles)] if phase == "done" else "list",
                        run_mode=rng.choice(["prefect", "prod", "prefect"]),
                        thread_id=self.hexid("thread", agent.handle, n, n=24),
                        phase=phase,
                    )
                )
        runs.sort(key=lambda r: r.created, reverse=True)
        return runs

    def unpod_run(self, run_id: str) -> UnpodRun | None:
        return next((r for r in self.unpod_runs if r.run_id == run_id), None)

    def unpod_run_doc(self, run: UnpodRun) -> dict[str, Any]:
        """A run as ``/spaces/{t}/runs/`` (RunsListModel) lists it."""
        return {
            "space_id": self.unpod_spaces.index(self._space(run.space)) + 101,
            "user": 7,
            "thread_id": run.thread_id,
            "run_id": run.run_id,
            "collection_ref": f"collection_data_{run.space}",
            "run_mode": run.run_mode,
            "status": run.status,
            "batch_count": max(1, run.n_tasks // 50 + (1 if run.n_tasks % 50 else 0)),
            "created": run.created.replace(tzinfo=None).isoformat(timespec="seconds"),
            "modified": (run.created + timedelta(minutes=run.n_tasks * 2))
            .replace(tzinfo=None)
            .isoformat(timespec="seconds"),
        }

    def unpod_execution_doc(self, run: UnpodRun) -> dict[str, Any]:
        """A run as the documented ``/agents/{h}/executions/`` lists it."""
        done_words = ("connected", "short_hangup", "voicemail")
        completed = sum(1 for i in range(run.n_tasks) if self._scenario(run, i)[0] in done_words)
        return {
            "run_id": run.run_id,
            "status": {"in_progress": "running"}.get(run.status, run.status),
            "total_tasks": run.n_tasks,
            "completed_tasks": completed,
            "created": run.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def _space(self, token: str) -> UnpodSpace:
        return next(s for s in self.unpod_spaces if s.token == token)

    def unpod_tasks(self, run: UnpodRun, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        """Raw task documents of a run (agent-tasks shape: every stored field), in creation order."""
        stop = run.n_tasks if stop is None else min(stop, run.n_tasks)
        if run.n_tasks <= 1000:
            cached = self._task_cache.get(run.run_id)
            if cached is None:
                cached = [self._unpod_task(run, i) for i in range(run.n_tasks)]
                self._task_cache[run.run_id] = cached
            return cached[start:stop]
        return [self._unpod_task(run, i) for i in range(start, stop)]

    def unpod_truth(self, run: UnpodRun) -> Counter[str]:
        """Expected normalized status counts for a run (from the generator's scenarios)."""
        return Counter(SCENARIO_TRUTH[self._scenario(run, i)[0]] for i in range(run.n_tasks))

    def _scenario(self, run: UnpodRun, i: int) -> tuple[str, random.Random]:
        rng = self.rng("task", run.run_id, i)
        if run.phase == "scheduled":
            return "scheduled", rng
        if run.phase == "running":
            share = self.done_shares.get(run.run_id, 0.55 if self.big_run_done is None else self.big_run_done)
            done_until = int(run.n_tasks * share)
            if i >= done_until:
                return ("in_progress" if i < done_until + 4 else ("hold" if i % 11 == 0 else "pending")), rng
        weights = PROFILES[run.profile]
        return rng.choices(list(weights), weights=list(weights.values()))[0], rng

    def _unpod_task(self, run: UnpodRun, i: int) -> dict[str, Any]:
        scenario, rng = self._scenario(run, i)
        agent = run.agent
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        phone = f"+1415555{rng.randint(100, 9999):04d}"
        email = f"{first.lower()}.{last.lower()}@example.com"
        created = run.created + timedelta(seconds=20 * i + rng.randint(0, 15))
        task_id = "T" + self.hexid("task", run.run_id, i)
        call_id = "call_" + self.hexid("call", run.run_id, i, n=20)
        status_word = {
            "connected": "completed",
            "short_hangup": "completed",
            "voicemail": "completed",
            "no_answer": "failed",
            "busy": "failed",
            "sip_error": "failed",
            "agent_error": "failed",
            "post_call_failed": "partially_completed",
            "in_progress": "in_progress",
            "pending": "pending",
            "hold": "hold",
            "scheduled": "scheduled",
        }[scenario]
        failure_count = 0
        retry_attempt = 0
        last_failure: str | None = None
        output: dict[str, Any] = {}
        start = created + timedelta(seconds=rng.randint(5, 90))
        if scenario in ("no_answer", "busy", "sip_error"):
            failure_count = 3
            retry_attempt = 2
            last_failure = {
                "no_answer": "customer-did-not-answer",
                "busy": "customer-busy",
                "sip_error": rng.choice(SIP_REASONS),
            }[scenario]
            output = {"error": "Task exceeded maximum retries (3)"}
        elif scenario == "agent_error":
            failure_count = 1
            last_failure = rng.choice(
                [
                    "LLM provider timeout after 30s",
                    "TTS provider returned 500",
                    "Agent configuration error: missing voice id",
                ]
            )
            output = {"error": last_failure}
        elif scenario in ("connected", "short_hangup", "voicemail", "post_call_failed"):
            if rng.random() < 0.18:
                failure_count = 1
                retry_attempt = 1
                last_failure = "customer-did-not-answer"
                start += timedelta(minutes=30)
            output = self._unpod_call(run, scenario, rng, name, phone, email, start, call_id)
        scheduled = None
        if scenario == "scheduled":
            scheduled = (run.created + timedelta(hours=14, seconds=20 * i)).strftime("%Y-%m-%d %H:%M:%S")
        modified = start + timedelta(seconds=int(output.get("duration") or 0) + 5) if output else created
        return {
            "_id": self.hexid("oid", run.run_id, i, n=24),
            "space_id": self.unpod_spaces.index(self._space(run.space)) + 101,
            "thread_id": run.thread_id,
            "user": 7,
            "user_org_id": 3,
            "user_info": {"email": "ops@acme.com", "full_name": "Acme Ops"},
            "task_id": task_id,
            "run_id": run.run_id,
            "collection_ref": f"collection_data_{run.space}",
            "task": {"objective": agent.purpose},
            "input": {
                "name": name,
                "contact_number": phone,
                "email": email,
                "city": rng.choice(["San Jose", "Fremont", "Oakland", "Palo Alto", "Sunnyvale"]),
            },
            "output": output,
            "attachments": [],
            "assignee": agent.handle,
            "run_mode": run.run_mode,
            "status": status_word,
            "execution_type": "call",
            "ref_id": self.hexid("ref", run.run_id, i, n=24),
            "failure_count": failure_count,
            "last_failure_reason": last_failure,
            "retry_attempt": retry_attempt,
            "last_status_change": modified.replace(tzinfo=None).isoformat(timespec="milliseconds"),
            "scheduled_timestamp": scheduled,
            "created": created.replace(tzinfo=None).isoformat(timespec="milliseconds"),
            "modified": modified.replace(tzinfo=None).isoformat(timespec="milliseconds"),
        }

    def unpod_agent_tasks(self, handle: str) -> list[dict[str, Any]]:
        """All of an agent's tasks, newest first (as ``/agents/{h}/tasks/`` sorts them)."""
        cached = self._agent_tasks.get(handle)
        if cached is None:
            cached = []
            for run in self.unpod_runs:
                if run.agent.handle == handle and run.n_tasks <= 1000:
                    cached.extend(self.unpod_tasks(run))
            cached.sort(key=lambda t: t["created"], reverse=True)
            self._agent_tasks[handle] = cached
        return cached

    def unpod_call(self, call_id: str) -> dict[str, Any] | None:
        for run in self.unpod_runs:
            if run.n_tasks > 1000:
                continue
            for task in self.unpod_tasks(run):
                output = task["output"]
                if output.get("call_id") == call_id or output.get("id") == call_id:
                    return task
        return None
