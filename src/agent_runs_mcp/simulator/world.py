"""The simulator's seeded world: organizations, agents, runs, tasks, calls and transcripts.

Everything is a pure function of ``(seed, anchor)``: ids, statuses, counts and
texts depend on the seed only, timestamps are offsets back from ``anchor``
(by default the moment the world is built, so that "the last 24 hours" holds
data). Each generated item also records the normalized status it *should*
map to (``truth``), written independently of the adapters, so tests can check
the whole pipeline against it.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

DEMO_CREDENTIALS: dict[str, dict[str, str]] = {
    "unpod": {
        "token": "sim-unpod-token-7f3a9c",
        "org_handle": "acme.com",
        "space_token": "F1O3QJM1Y7Q1AVVUYNV4VPRB",
    },
    "runtype": {"token": "rt_test_sim_4b8d2e6f"},
    "modus": {"token": "modus_00000000-0000-0000-0000-000000000001_sim_9c2e7a"},
}

# fmt: off
FIRST = [
    "Aarav", "Maya", "Daniel", "Sofia", "Rohan", "Emily", "Lucas", "Ananya", "Noah", "Isabella", "Kabir", "Olivia",
    "Ethan", "Meera", "Liam", "Zara", "Arjun", "Chloe", "Vikram", "Grace", "Omar", "Hannah",
]
LAST = [
    "Sharma", "Johnson", "Garcia", "Patel", "Nguyen", "Kim", "Brown", "Iyer", "Martinez", "Chen", "Singh", "Wilson",
    "Khan", "Lopez", "Reddy", "Clark", "Mehta", "Lewis", "Das", "Walker",
]
# fmt: on

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
SIP_REASONS = [
    "sip-480-temporarily-unavailable",
    "call.in-progress.error-sip-outbound-call-failed-to-connect",
    "sip-503-service-unavailable",
]
OUTCOMES_SALES = [("Interested", 0.30), ("Call Back", 0.25), ("Not Interested", 0.30), ("Send Details", 0.15)]
OUTCOMES_CARE = [("Complaint", 0.22), ("Resolved", 0.48), ("Call Back", 0.15), ("Send Details", 0.15)]


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


# --- Runtype / Modus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuntypeAgent:
    id: str
    name: str
    description: str
    tools: tuple[str, ...]
    questions: tuple[str, ...]
    subagent_of: str | None = None


@dataclass(frozen=True)
class ModusAgent:
    id: int
    slug: str
    name: str
    description: str
    type: str  # task | workflow
    nodes: tuple[tuple[str, str], ...] = ()  # (type, name)


@dataclass
class World:
    """The whole simulated dataset; build once, read many times."""

    seed: int = 7
    anchor: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    big_run_tasks: int = 0
    """When > 0, agent "Bulk Dialer" gets one extra run of this many tasks (for benchmarks)."""

    def __post_init__(self) -> None:
        if self.anchor.tzinfo is None:
            self.anchor = self.anchor.replace(tzinfo=UTC)
        self._task_cache: dict[str, list[dict[str, Any]]] = {}
        self._agent_tasks: dict[str, list[dict[str, Any]]] = {}

    def rng(self, *parts: object) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(str(p) for p in parts))

    def hexid(self, *parts: object, n: int = 32) -> str:
        return hashlib.sha256(f"{self.seed}:{':'.join(map(str, parts))}".encode()).hexdigest()[:n]

    # ---------------------------------------------------------------------------------------------
    # Unpod
    # ---------------------------------------------------------------------------------------------

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
        return agents

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
                plan = [(0.25, 0, self.big_run_tasks, "healthy", "done")]
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
            done_until = int(run.n_tasks * 0.55)
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

    def _unpod_call(
        self,
        run: UnpodRun,
        scenario: str,
        rng: random.Random,
        name: str,
        phone: str,
        email: str,
        start: datetime,
        call_id: str,
    ) -> dict[str, Any]:
        agent = run.agent
        outcome_table = OUTCOMES_CARE if agent.domain == "care" else OUTCOMES_SALES
        if scenario == "voicemail":
            outcome = "Not Connected"
        elif scenario == "short_hangup":
            outcome = "Dropped"
        else:
            outcome = rng.choices([o for o, _ in outcome_table], weights=[w for _, w in outcome_table])[0]
        lines = dialogue(agent, scenario, outcome, name, phone, email, rng)
        t = start
        turns = []
        for role, text in lines:
            turns.append((role, text, t))
            t += timedelta(seconds=max(2, len(text) // 14) + rng.randint(0, 3))
        end = t + timedelta(seconds=rng.randint(1, 4))
        duration = int((end - start).total_seconds())
        cost = round(0.012 + duration * 0.0021, 4)
        end_reason = {
            "voicemail": "voicemail",
            "short_hangup": "customer-ended-call",
        }.get(scenario, rng.choice(["Customer Ended The Call", "assistant-ended-call", "customer-ended-call"]))
        call_status = {"voicemail": "voicemail", "short_hangup": "droped"}.get(scenario, "completed")
        summary = call_summary(agent, outcome, name)
        if run.style == "vapi":
            messages = [
                {
                    "role": "bot" if role == "assistant" else "user",
                    "message": text,
                    "time": int(at.timestamp() * 1000),
                    "secondsFromStart": round((at - start).total_seconds(), 2),
                }
                for role, text, at in turns
            ]
            return {
                "id": call_id,
                "assistantId": self.hexid("assistant", agent.handle, n=32),
                "phoneNumberId": self.hexid("phone", agent.handle, n=32),
                "type": "outboundPhoneCall",
                "startedAt": start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "endedAt": end.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "transcript": "\n".join(f"{'AI' if r == 'assistant' else 'User'}: {x}" for r, x, _ in turns),
                "messages": messages,
                "recordingUrl": f"https://storage.vapi.ai/{call_id}.wav",
                "summary": summary,
                "cost": cost,
                "customer": {"number": phone, "name": name},
                "status": "ended",
                "endedReason": end_reason if end_reason != "Customer Ended The Call" else "customer-ended-call",
                "analysis": {"summary": summary, "successEvaluation": outcome},
                "costBreakdown": {
                    "stt": round(cost * 0.2, 4),
                    "llm": round(cost * 0.35, 4),
                    "tts": round(cost * 0.3, 4),
                    "vapi": round(cost * 0.15, 4),
                    "total": cost,
                    "llmPromptTokens": 180 * len(turns),
                    "llmCompletionTokens": 40 * len(turns),
                },
                "call_type": "outbound",
            }
        if run.style == "string":
            transcript: Any = "\n".join(f"{role}: {text}" for role, text, _ in turns)
        else:
            transcript = [
                {
                    "role": role,
                    "content": text,
                    "timestamp": (
                        at.isoformat(timespec="milliseconds") if run.style == "list" else str(at.replace(tzinfo=None))
                    ),
                }
                for role, text, at in turns
            ]
        output: dict[str, Any] = {
            "call_id": call_id,
            "customer": name,
            "contact_number": phone.lstrip("+"),
            "call_end_reason": end_reason,
            "recording_url": f"https://recordings.unpod.dev/acme/{call_id}.mp3",
            "transcript": transcript,
            "start_time": str(start.replace(tzinfo=None)),
            "end_time": str(end.replace(tzinfo=None)),
            "assistant_number": "+14155550100",
            "call_summary": summary,
            "duration": duration,
            "cost": cost,
            "call_type": agent.call_type,
            "call_status": call_status,
            "metadata": {"cost": cost, "type": agent.call_type, "usage": {"total_tokens": 220 * len(turns)}},
        }
        if scenario != "post_call_failed":
            labels = {"Interested": ["hot_lead"], "Complaint": ["complaint", "escalate"]}.get(outcome, [])
            output["post_call_data"] = {
                "classification": {
                    "labels": labels or [outcome.lower().replace(" ", "_")],
                    "summary": summary,
                },
                "summary": {
                    "status": outcome,
                    "summary": summary,
                    "name": name,
                    "contact": phone,
                    "callback_datetime": "N/A" if outcome != "Call Back" else "tomorrow 18:00",
                    "hours_from_now": "N/A" if outcome != "Call Back" else "20",
                },
                "success_evaluator": "true" if outcome in ("Interested", "Resolved") else "false",
                "follow_up": {
                    "required": outcome in ("Call Back", "Complaint", "Send Details"),
                    "time": None,
                    "reason": outcome,
                    "status": "open",
                },
                "structured_data": '{"interest": "%s"}' % ("high" if outcome == "Interested" else "low"),
            }
        return output

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

    # ---------------------------------------------------------------------------------------------
    # Runtype
    # ---------------------------------------------------------------------------------------------

    @cached_property
    def runtype_agents(self) -> list[RuntypeAgent]:
        def agent_id(name: str) -> str:
            return str(uuid.UUID(self.hexid("rt-agent", name)))

        research = agent_id("research")
        return [
            RuntypeAgent(
                agent_id("triage"),
                "Support Triage",
                "Classifies inbound support tickets and drafts replies.",
                ("search_kb", "create_ticket", "lookup_customer"),
                (
                    "My invoice shows a double charge for October.",
                    "The app crashes when I upload a PDF.",
                    "How do I reset my password?",
                    "Can I change my plan mid-cycle?",
                ),
            ),
            RuntypeAgent(
                agent_id("invoice"),
                "Invoice Extractor",
                "Extracts line items from supplier invoices.",
                ("fetch_document", "ocr_page", "post_to_erp"),
                (
                    "Extract invoice INV-20931 from the shared drive.",
                    "Process the Acme Metals invoice.",
                    "Re-run extraction for invoice INV-20877.",
                ),
            ),
            RuntypeAgent(
                research,
                "Research Assistant",
                "Answers market questions with cited sources.",
                ("web_search", "fetch_url", "summarize"),
                (
                    "Summarize this week's residential solar incentives in California.",
                    "Compare three battery storage vendors on warranty terms.",
                    "What changed in net metering rules this quarter?",
                ),
            ),
            RuntypeAgent(
                agent_id("web"),
                "Web Researcher",
                "Sub-agent that searches and reads web pages.",
                ("web_search", "fetch_url"),
                ("Find sources for the parent question.",),
                subagent_of=research,
            ),
        ]

    def runtype_agent(self, agent_id: str) -> RuntypeAgent | None:
        return next((a for a in self.runtype_agents if a.id == agent_id), None)

    @cached_property
    def runtype_executions(self) -> list[dict[str, Any]]:
        """All executions (with detail fields and tool calls), newest first."""
        out: list[dict[str, Any]] = []
        sizes = {"Support Triage": 84, "Invoice Extractor": 47, "Research Assistant": 36}
        for agent in self.runtype_agents:
            if agent.subagent_of:
                continue
            for n in range(sizes[agent.name]):
                out.extend(self._runtype_execution(agent, n))
        out.sort(key=lambda e: e["createdAt"], reverse=True)
        return out

    def runtype_truth(self, agent_id: str) -> Counter[str]:
        return Counter(e["_truth"] for e in self.runtype_executions if e["agentId"] == agent_id)

    def _runtype_execution(
        self, agent: RuntypeAgent, n: int, parent: tuple[str, datetime] | None = None
    ) -> list[dict[str, Any]]:
        parent_id = parent[0] if parent else None
        rng = self.rng("rt-exec", agent.id, n, parent_id)
        exec_id = "exec_" + self.hexid("rt-exec", agent.id, n, parent_id, n=16)
        if parent is not None:
            created = parent[1] + timedelta(seconds=rng.randint(2, 20))
        elif n < 2:
            created = self.anchor - timedelta(minutes=3 + 9 * n)
        else:
            created = self.anchor - timedelta(minutes=rng.randint(15, 60 * 24 * 10))
        started = created + timedelta(seconds=rng.randint(0, 5))
        roll = rng.random()
        if n < 2 and parent_id is None:
            status, truth = ("running", "running") if n == 0 else ("paused", "awaiting_human")
        elif roll < 0.78:
            status, truth = "completed", "completed"
        elif roll < 0.90:
            status, truth = "failed", "failed"
        elif roll < 0.95:
            status, truth = "completed", "completed"  # completed but stopped by max iterations
        else:
            status, truth = "cancelled", "cancelled"
        tools = []
        n_tools = rng.randint(0, 4)
        t = started
        tool_failure: str | None = None
        for k in range(n_tools):
            tool = rng.choice(agent.tools)
            failed = (status == "failed" and k == n_tools - 1) or rng.random() < 0.06
            t += timedelta(seconds=rng.randint(1, 8))
            error = (
                rng.choice(
                    [
                        "HTTP 502 from upstream CRM",
                        "Timed out after 30000 ms",
                        "Rate limited by search API (429)",
                    ]
                )
                if failed
                else None
            )
            if failed and status == "failed":
                tool_failure = error
            tools.append(
                {
                    "id": str(uuid.UUID(self.hexid("rt-tool", exec_id, k))),
                    "toolId": "tool_" + self.hexid("rt-toolid", tool, n=12),
                    "toolName": tool,
                    "toolDescription": f"{tool.replace('_', ' ').capitalize()} tool",
                    "model": "gpt-4.1-mini",
                    "status": "failed" if failed else "completed",
                    "errorMessage": error,
                    "executionTimeMs": rng.randint(120, 9000),
                    "createdAt": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    "inputParameters": {"query": rng.choice(agent.questions)[:60]},
                    "outputResult": None if failed else {"ok": True, "items": rng.randint(1, 9)},
                }
            )
        iterations = rng.randint(1, 6)
        stop_reason = {
            "completed": "end_turn",
            "failed": "error",
            "cancelled": "cancelled",
            "running": None,
            "paused": None,
        }[status]
        if status == "completed" and roll >= 0.90:
            stop_reason, iterations = "max_iterations_reached", 10
        done = status in ("completed", "failed", "cancelled")
        completed_at = t + timedelta(seconds=rng.randint(2, 40)) if done else None
        question = rng.choice(agent.questions)
        cost = round(rng.uniform(0.002, 0.09), 4)
        tokens = rng.randint(300, 9000)
        execution: dict[str, Any] = {
            "id": exec_id,
            "agentId": agent.id,
            "agentSource": "runtype-core",
            "executionId": exec_id,
            "parentExecutionId": parent_id,
            "surfaceType": rng.choice(["chat", "api", "webhook", "slack"]),
            "status": status,
            "iterations": iterations,
            "totalCost": f"{cost:.4f}" if done else None,
            "stopReason": stop_reason,
            "startedAt": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "completedAt": completed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if completed_at else None,
            "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "agentSpec": None,
            "totalTokens": tokens if done else None,
            "inputMessages": None,
            # detail-only fields (the list endpoint leaves them out):
            "_detail": {
                "inputMessages": [
                    {"role": "system", "content": f"You are {agent.name}. {agent.description}"},
                    {"role": "user", "content": question},
                ],
                "finalOutput": ({"text": answer(agent.name, question, rng)} if status == "completed" else None),
                "error": (
                    {"code": "TOOL_ERROR", "message": tool_failure or "Model returned an invalid tool call"}
                    if status == "failed"
                    else None
                ),
            },
            "_tools": tools,
            "_truth": truth,
        }
        out = [execution]
        if agent.name == "Research Assistant" and parent is None and status != "running":
            web = next(a for a in self.runtype_agents if a.subagent_of == agent.id)
            for k in range(rng.randint(1, 2)):
                out.extend(self._runtype_execution(web, n * 10 + k, parent=(exec_id, started)))
        return out

    def runtype_execution(self, exec_id: str) -> dict[str, Any] | None:
        return next((e for e in self.runtype_executions if e["id"] == exec_id), None)

    # ---------------------------------------------------------------------------------------------
    # Modus
    # ---------------------------------------------------------------------------------------------

    @cached_property
    def modus_agents(self) -> list[ModusAgent]:
        return [
            ModusAgent(
                42,
                "daily-sales-report-a3f",
                "Daily Sales Report",
                "Compiles yesterday's pipeline numbers and posts them to Slack.",
                "task",
            ),
            ModusAgent(
                57,
                "lead-enrichment-k9d",
                "Lead Enrichment",
                "Enriches new CRM leads with firmographics and scores them.",
                "workflow",
                (
                    ("start", "New lead"),
                    ("action", "Fetch company data"),
                    ("agent", "Score lead"),
                    ("condition", "Score above 70?"),
                    ("action", "Update CRM"),
                ),
            ),
            ModusAgent(
                63,
                "invoice-approval-p2x",
                "Invoice Approval",
                "Routes supplier invoices for approval and books them in the ERP.",
                "workflow",
                (
                    ("start", "Invoice received"),
                    ("agent", "Extract and check totals"),
                    ("humanApproval", "Finance approval"),
                    ("action", "Book in ERP"),
                ),
            ),
        ]

    def modus_agent(self, agent_id: int) -> ModusAgent | None:
        return next((a for a in self.modus_agents if a.id == agent_id), None)

    @cached_property
    def modus_runs(self) -> dict[int, list[dict[str, Any]]]:
        """Runs per agent, newest first (detail fields included)."""
        sizes = {42: 40, 57: 66, 63: 31}
        runs: dict[int, list[dict[str, Any]]] = {}
        for agent in self.modus_agents:
            items = [self._modus_run(agent, n) for n in range(sizes[agent.id])]
            items.sort(key=lambda r: r["startedAt"], reverse=True)
            runs[agent.id] = items
        return runs

    def modus_truth(self, agent_id: int) -> Counter[str]:
        return Counter(r["_truth"] for r in self.modus_runs[agent_id])

    def _modus_run(self, agent: ModusAgent, n: int) -> dict[str, Any]:
        rng = self.rng("modus-run", agent.id, n)
        workflow_id = f"wf_{agent.id}_run_{n + 1}"
        temporal = str(uuid.UUID(self.hexid("temporal", agent.id, n)))
        if agent.type == "task":
            started = self.anchor - timedelta(days=n, hours=1, minutes=rng.randint(0, 20))
        else:
            started = self.anchor - timedelta(minutes=rng.randint(2, 60 * 24 * 9))
        roll = rng.random()
        if n == 0 and agent.id == 57:
            status, truth = "running", "running"
        elif agent.id == 63 and n in (1, 4):
            status, truth = "awaiting_human", "awaiting_human"
        elif roll < 0.8:
            status, truth = "completed", "completed"
        elif roll < 0.93:
            status, truth = "error", "failed"
        else:
            status, truth = "cancelled", "cancelled"
        duration_ms = rng.randint(4_000, 180_000)
        ended = started + timedelta(milliseconds=duration_ms)
        in_flight = status in ("running", "awaiting_human")
        run: dict[str, Any] = {
            "id": f"{workflow_id}:{temporal}",
            "workflowId": workflow_id,
            "temporalRunId": temporal,
            "agentId": agent.id,
            "agentName": agent.name,
            "agentType": agent.type,
            "status": status,
            "triggerType": "schedule" if agent.type == "task" else rng.choice(["webhook", "api", "manual", "slack"]),
            "startedAt": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "_truth": truth,
        }
        if not in_flight:
            run["endedAt"] = ended.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            run["durationMs"] = duration_ms
        error_text = rng.choice(
            [
                "Salesforce API returned 401: session expired",
                "Timeout waiting for warehouse query (120s)",
                "Enrichment provider quota exceeded",
            ]
        )
        if status == "completed":
            run["summary"] = {
                42: f"Posted pipeline report: {rng.randint(12, 48)} new deals, ${rng.randint(40, 400)}k weighted.",
                57: f"Lead scored {rng.randint(20, 98)} and CRM updated.",
                63: f"Invoice INV-{rng.randint(20000, 29999)} approved and booked.",
            }[agent.id]
        elif status == "error":
            run["summary"] = "Run failed: " + error_text
        elif status == "cancelled":
            run["summary"] = "Cancelled: approval timed out." if agent.id == 63 else "Cancelled by user."
        if status == "awaiting_human":
            run["pendingApproval"] = {
                "nodeId": "3",
                "approver": "finance@acme.com",
                "requestedAt": run["startedAt"],
                "message": f"Approve invoice INV-{rng.randint(20000, 29999)} for ${rng.randint(500, 9000)}?",
            }
        # detail-only
        detail: dict[str, Any] = {"source": "live-query" if in_flight else "history"}
        if status == "cancelled" and agent.id == 63:
            detail["statusReason"] = "approval_timeout"
        if agent.type == "task":
            if status == "completed":
                detail["taskResult"] = {"text": run["summary"], "channel": "#sales-daily"}
            elif status == "error":
                detail["taskError"] = error_text
        else:
            nodes = []
            t = started
            fail_at = rng.randint(1, len(agent.nodes) - 1) if status == "error" else None
            for k, (node_type, node_name) in enumerate(agent.nodes):
                step_ms = rng.randint(300, 20_000)
                if status == "error" and fail_at is not None and k > fail_at:
                    node_status = "skipped"
                elif status == "error" and k == fail_at:
                    node_status = "error"
                elif in_flight and k >= (len(agent.nodes) - 1 if status == "running" else 2):
                    node_status = (
                        "awaiting_human"
                        if node_type == "humanApproval"
                        else ("running" if status == "running" and k == len(agent.nodes) - 1 else "pending")
                    )
                elif status == "cancelled" and node_type == "humanApproval":
                    node_status = "cancelled"
                elif status == "cancelled" and k > 2:
                    node_status = "skipped"
                else:
                    node_status = "completed"
                node: dict[str, Any] = {
                    "id": str(k + 1),
                    "type": node_type,
                    "name": node_name,
                    "status": node_status,
                }
                if node_status not in ("pending", "skipped"):
                    node["startedAt"] = t.isoformat(timespec="milliseconds").replace("+00:00", "Z")
                if node_status in ("completed", "error", "cancelled"):
                    node["durationMs"] = step_ms
                    t += timedelta(milliseconds=step_ms)
                if node_status == "error":
                    node["error"] = {"message": error_text}
                elif node_status == "completed" and node_type in ("action", "agent"):
                    node["output"] = {"text": f"{node_name}: ok"}
                nodes.append(node)
            detail["workflowNodes"] = nodes
            if status == "error":
                detail["taskError"] = error_text
        run["_detail"] = detail
        return run


# --- texts ---------------------------------------------------------------------------------------


def dialogue(
    agent: UnpodAgent, scenario: str, outcome: str, name: str, phone: str, email: str, rng: random.Random
) -> list[tuple[str, str]]:
    """A call's lines as ``(role, text)``, with ``assistant`` for the agent and ``user`` for the callee."""
    a, u = "assistant", "user"
    me = agent.persona
    first = name.split()[0]
    if scenario == "voicemail":
        return [
            (
                a,
                f"Hi {first}, this is {me} from Acme Solar. Sorry I missed you. Please call us back at "
                f"+1 415 555 0100 at your convenience. Thanks, and have a great day!",
            )
        ]
    if scenario == "short_hangup":
        return [
            (a, f"Hi, am I speaking with {name}? This is {me} calling from Acme Solar."),
            (u, "Not interested, please don't call again."),
        ]
    if agent.domain == "care":
        opening = [
            (
                a,
                f"Hi {first}, this is {me} from Acme Solar customer care, following up on your recent "
                "installation. Is now a good time?",
            ),
            (u, "Yes, it's fine."),
        ]
        body = {
            "Complaint": [
                (
                    u,
                    "Honestly I'm not happy. The installers left debris on the roof and the inverter keeps showing "
                    "an error.",
                ),
                (a, "I'm really sorry about that. Could you read me the error code on the inverter display?"),
                (u, "It says E-204. I want to file a complaint and I want someone here this week."),
                (
                    a,
                    "I understand. I've raised a priority complaint, ticket CR-"
                    + str(rng.randint(1000, 9999))
                    + ", and a technician will call you within 24 hours to schedule a visit.",
                ),
                (u, f"Fine. Send the ticket details to {email}."),
                (a, "Done. You'll get an email in a few minutes. Again, I apologize for the trouble."),
            ],
            "Resolved": [
                (u, "Everything's working well, the app shows the panels producing."),
                (a, "That's great to hear! Do you have any questions about the monitoring app?"),
                (u, "No, it's pretty clear. Thanks for checking."),
                (a, "You're welcome. Enjoy the sunshine!"),
            ],
            "Call Back": [
                (u, "I'm at work right now. Could you call me back this evening?"),
                (a, "Of course. I'll call you back today after 6 PM."),
            ],
            "Send Details": [
                (u, f"Can you email me the warranty documents? It's {email}."),
                (a, "Sure, I'll send the warranty pack to that address today."),
            ],
        }[outcome]
        return opening + body
    product = "Acme Care plan renewal" if agent.domain == "renewal" else "rooftop solar"
    opening = [
        (a, f"Hi, is this {name}? This is {me} calling from Acme Solar."),
        (u, "Yes, speaking. What is this about?"),
        (a, f"I'm calling about your {product}. Do you have two minutes?"),
        (u, rng.choice(["Sure, go ahead.", "Okay, quickly please.", "Yeah, what's up?"])),
    ]
    body = {
        "Interested": [
            (
                a,
                "Homes like yours usually cut their power bill by 30 to 40 percent. Would you like a free site "
                "survey this week?"
                if agent.domain == "sales"
                else "Your plan expires at the end of the month. Renewing now keeps your 10 percent loyalty discount.",
            ),
            (
                u,
                "That sounds good actually. Thursday afternoon works for me."
                if agent.domain == "sales"
                else "Okay, let's renew it.",
            ),
            (a, f"Great, I've booked it. You'll get a confirmation at {email}."),
            (u, "Perfect, thanks."),
            (a, f"Thank you, {first}. Have a great day!"),
        ],
        "Call Back": [
            (u, "I'm driving right now. Can you call me back tomorrow evening?"),
            (a, "Of course, I'll call you tomorrow around 6 PM. Drive safe!"),
        ],
        "Not Interested": [
            (
                u,
                rng.choice(
                    [
                        "No thanks, we just signed with another provider.",
                        "Not interested, it's too expensive for us.",
                        "We're renting, so that won't work.",
                    ]
                ),
            ),
            (a, "Understood. Thanks for your time, and have a good day."),
        ],
        "Send Details": [
            (u, f"Can you just send me the details? Text them to {phone} or email {email}."),
            (a, "Sure, I'll send a brochure and pricing right away."),
            (u, "Thanks."),
        ],
    }[outcome]
    return opening + body


def call_summary(agent: UnpodAgent, outcome: str, name: str) -> str:
    first = name.split()[0]
    return {
        "Interested": f"{first} is interested and agreed to the next step; confirmation sent by email.",
        "Call Back": f"{first} asked for a call back at a later time.",
        "Not Interested": f"{first} declined the offer.",
        "Send Details": f"{first} asked for details to be sent by message/email.",
        "Complaint": f"{first} raised a complaint about the installation (inverter error E-204); ticket opened.",
        "Resolved": f"{first} confirmed the system works; no issues.",
        "Not Connected": f"Reached {first}'s voicemail; left a message.",
        "Dropped": f"{first} hung up right after the introduction.",
    }[outcome]


def answer(agent_name: str, question: str, rng: random.Random) -> str:
    if agent_name == "Invoice Extractor":
        return f"Extracted {rng.randint(3, 24)} line items totalling ${rng.randint(800, 24000):,}; posted to ERP."
    if agent_name == "Support Triage":
        return (
            f"Classified as {rng.choice(['billing', 'bug', 'account', 'plan'])} (priority "
            f"{rng.choice(['P2', 'P3'])}); drafted a reply and opened ticket #{rng.randint(40000, 49999)}."
        )
    return f"Answer to '{question[:50]}': found {rng.randint(3, 8)} sources; key points summarized with citations."
