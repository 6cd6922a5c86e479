"""The simulated Runtype: agents, executions, tool calls and sub-agent executions."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class RuntypeAgent:
    id: str
    name: str
    description: str
    tools: tuple[str, ...]
    questions: tuple[str, ...]
    subagent_of: str | None = None


class RuntypeWorld:
    """The Runtype part of the simulated world (mixed into :class:`~agent_runs_mcp.simulator.world.World`)."""

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


def answer(agent_name: str, question: str, rng: random.Random) -> str:
    if agent_name == "Invoice Extractor":
        return f"Extracted {rng.randint(3, 24)} line items totalling ${rng.randint(800, 24000):,}; posted to ERP."
    if agent_name == "Support Triage":
        return (
            f"Classified as {rng.choice(['billing', 'bug', 'account', 'plan'])} (priority "
            f"{rng.choice(['P2', 'P3'])}); drafted a reply and opened ticket #{rng.randint(40000, 49999)}."
        )
    return f"Answer to '{question[:50]}': found {rng.randint(3, 8)} sources; key points summarized with citations."
