"""The simulated Modus: workflows, their runs and workflow nodes."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class ModusAgent:
    id: int
    slug: str
    name: str
    description: str
    type: str  # task | workflow
    nodes: tuple[tuple[str, str], ...] = ()  # (type, name)


class ModusWorld:
    """The Modus part of the simulated world (mixed into :class:`~agent_runs_mcp.simulator.world.World`)."""

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

    def modus_agent(self, agent_id: int | str) -> ModusAgent | None:
        """A workflow by numeric id or slug."""
        key = str(agent_id)
        return next((a for a in self.modus_agents if str(a.id) == key or a.slug == key), None)

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

    def modus_run_usage(self, run: dict[str, Any]) -> dict[str, float]:
        """A run's LLM usage as `/api/v1/usage` counts it: LLM calls (not runs), tokens, credits."""
        rng = self.rng("modus-usage", run["id"])
        calls = rng.randint(2, 12) if run["agentType"] == "workflow" else rng.randint(1, 4)
        tokens_in, tokens_out = calls * rng.randint(600, 2400), calls * rng.randint(80, 400)
        credits = round((tokens_in + 4 * tokens_out) / 1000 * 0.25, 4)
        return {"call_count": calls, "input_tokens": tokens_in, "output_tokens": tokens_out, "credits": credits}

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
            if not in_flight:
                # The API times a workflow run by its nodes: it ends shortly after the last node that ran.
                ended = t + timedelta(milliseconds=rng.randint(50, 800))
                run["endedAt"] = ended.isoformat(timespec="milliseconds").replace("+00:00", "Z")
                run["durationMs"] = int((ended - started).total_seconds() * 1000)
            if status == "error":
                detail["taskError"] = error_text
        run["_detail"] = detail
        return run
