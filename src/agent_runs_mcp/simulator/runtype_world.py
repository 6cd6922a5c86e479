"""The simulated Runtype: agents, executions, tool calls and sub-agent executions."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

REGRESSED_VERSION = 8
"""Support Triage's version whose create_ticket calls fail (the demo's "what changed")."""
VERSION_CHANGE_AGO = timedelta(hours=12)


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
        bulk = [
            RuntypeAgent(
                agent_id("bulk"),
                "Bulk Runner",
                "High-volume ticket agent (benchmark).",
                ("search_kb", "create_ticket", "lookup_customer"),
                ("Where is my order?", "Cancel my subscription.", "Update my billing address."),
            )
        ]
        return [
            *(bulk if self.big_agent_executions else []),
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
        sizes = {
            "Support Triage": 84,
            "Invoice Extractor": 47,
            "Research Assistant": 36,
            "Bulk Runner": self.big_agent_executions,
        }
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
        """One execution in the shapes of the official SDK (runtype-sdk 5.5.0), with its sub-agents.

        Private keys (``_``) are what only other endpoints show: ``_detail`` (execution detail),
        ``_tools`` (tool calls, whole), ``_events`` (the events replay), ``_logs`` (error logs), and
        the recorded truth: ``_truth`` (normalized status) and ``_reason`` (why it failed, and where
        a client can read it: ``events``, ``tool``, ``logs``, ``budget``).
        """
        parent_id = parent[0] if parent else None
        rng = self.rng("rt-exec", agent.id, n, parent_id)
        exec_id = "exec_" + self.hexid("rt-exec", agent.id, n, parent_id, n=16)
        row_id = "aex_" + self.hexid("rt-row", agent.id, n, parent_id, n=16)
        if parent is not None:
            created = parent[1] + timedelta(seconds=rng.randint(2, 20))
        elif n < 3:
            created = self.anchor - timedelta(minutes=3 + 9 * n)
        else:
            created = self.anchor - timedelta(minutes=rng.randint(15, 60 * 24 * 10))
        started = created + timedelta(seconds=rng.randint(0, 5))
        roll = rng.random()
        budget = False
        version = self._runtype_version(agent, created, parent_id)
        regressed = version is not None and version["versionNumber"] == REGRESSED_VERSION and roll >= 0.45
        if n < 3 and parent_id is None:
            status, truth = (("running", "running"), ("paused", "awaiting_human"), ("queued", "pending"))[n]
        elif regressed:  # the new version's ticket payload misses a field: its create_ticket calls fail
            status, truth = "failed", "failed"
        elif roll < 0.74:
            status, truth = "completed", "completed"
        elif roll < 0.84:
            status, truth = "failed", "failed"
        elif roll < 0.88:
            status, truth = "interrupted", "failed"
        elif roll < 0.93:
            status, truth, budget = "completed", "completed", True  # ended by its maxTurns budget
        else:
            status, truth = "cancelled", "cancelled"
        tools = []
        n_tools = 0 if status == "queued" else rng.randint(0, 4)
        tool_fails = status == "failed" and (regressed or rng.random() < 0.5)  # half the failures are a tool's
        if tool_fails:
            n_tools = max(n_tools, 1)
        t = started
        tool_failure: str | None = None
        for k in range(n_tools):
            tool = rng.choice(agent.tools)
            if regressed and k == n_tools - 1:
                tool = "create_ticket"
            failed = (tool_fails and k == n_tools - 1) or (status != "failed" and rng.random() < 0.06)
            t += timedelta(seconds=rng.randint(1, 8))
            took_ms = rng.randint(120, 9000)
            error = (
                rng.choice(
                    ["HTTP 502 from upstream CRM", "Timed out after 30000 ms", "Rate limited by search API (429)"]
                )
                if failed
                else None
            )
            if failed and regressed and k == n_tools - 1:
                error = "HTTP 422 from ticketing API: field `priority` is required"
            if failed and tool_fails and k == n_tools - 1:
                tool_failure = f"tool {tool} failed: {error}"
            big = tool in ("fetch_url", "fetch_document") and rng.random() < 0.5
            output = None if failed else {"ok": True, "items": rng.randint(1, 9)}
            if big and output is not None:
                output["text"] = "".join(rng.choice("abcdefghij klmnop") for _ in range(17_000))  # over 16 KiB
            tools.append(
                {
                    "id": str(uuid.UUID(self.hexid("rt-tool", exec_id, k))),
                    "toolCallId": "call_" + self.hexid("rt-call", exec_id, k, n=12),
                    "toolId": "tool_" + self.hexid("rt-toolid", tool, n=12),
                    "toolName": tool,
                    "toolDescription": f"{tool.replace('_', ' ').capitalize()} tool",
                    "model": "gpt-4.1-mini",
                    "status": "failed" if failed else "completed",
                    "errorMessage": error,
                    "executionTimeMs": took_ms,
                    "iteration": k + 1,
                    "createdAt": _ms(t),
                    "startedAt": _ms(t),
                    "completedAt": _ms(t + timedelta(milliseconds=took_ms)),
                    "inputParameters": {"query": rng.choice(agent.questions)[:60]},
                    "outputResult": output,
                }
            )
        iterations = 0 if status == "queued" else rng.randint(1, 6)
        stop_reason = {
            "completed": "end_turn",
            "failed": "error",
            "interrupted": None,
            "cancelled": "cancelled",
            "running": None,
            "paused": None,
            "queued": None,
        }[status]
        if budget:
            stop_reason, iterations = "end_turn", 10  # the SDK: read budgetExhausted, not stopReason
        done = status in ("completed", "failed", "cancelled", "interrupted")
        completed_at = t + timedelta(seconds=rng.randint(2, 40)) if done else None
        question = rng.choice(agent.questions)
        cost = round(rng.uniform(0.002, 0.09), 4)
        tokens = rng.randint(300, 9000)
        reason, source = None, None
        events: list[dict[str, Any]] = [
            {"type": "execution_start", "executionId": exec_id, "kind": "agent", "seq": 1, "startedAt": _ms(started)}
        ]
        for call in tools:
            events.append(
                {
                    "type": "tool_complete",
                    "executionId": exec_id,
                    "toolCallId": call["toolCallId"],
                    "toolName": call["toolName"],
                    "success": call["status"] == "completed",
                    "error": call["errorMessage"],
                    "executionTime": call["executionTimeMs"],
                    "iteration": call["iteration"],
                    "seq": len(events) + 1,
                }
            )
        logs: list[dict[str, Any]] = []
        status_error: dict[str, Any] = {}
        logs_degraded = False
        if status == "failed":
            upgrade = None
            which = rng.random()  # one draw, cut into the sources a client reads in turn
            if tool_failure:
                reason, source = tool_failure, "tool"
                error: dict[str, Any] = {"code": "TOOL_ERROR", "message": tool_failure}
            elif which < 0.3:
                reason, source = "Model returned an invalid tool call", "events"
                error = {"code": "MODEL_ERROR", "message": reason}
            elif which < 0.4:  # a plan limit: the error event carries the page to upgrade on
                upgrade = "https://app.runtype.com/settings/billing"
                message = "Monthly execution limit reached for the Starter plan"
                reason, source = f"plan or quota limit reached: {message} (upgrade: {upgrade})", "events"
                error = {"code": "PLAN_LIMIT", "message": message}
            elif which < 0.5:  # a person said no to the tool the run needed
                approver = "user"  # resolvedBy: user | system
                reason, source = f"approval denied by {approver}", "events"
                error = {"code": "INTERNAL_ERROR", "message": "Internal error"}
                events.append(
                    {
                        "type": "approval_complete",
                        "executionId": exec_id,
                        "approvalId": "apr_" + self.hexid("rt-apr", exec_id, n=10),
                        "decision": "denied",
                        "resolvedBy": approver,
                        "seq": len(events) + 1,
                        "completedAt": _ms(completed_at),
                    }
                )
            elif which < 0.65:  # only the execution's status says why
                reason, source = "Model context window exceeded (182k tokens > 128k)", "status"
                error = {"code": "INTERNAL_ERROR", "message": "Internal error"}
                status_error = {"error": reason, "httpStatus": 400}
            else:
                reason, source = "LLM provider returned 503 (overloaded)", "logs"
                error = {"code": "INTERNAL_ERROR", "message": "Internal error"}  # nothing specific; the log is
                logs.append(_log(completed_at, exec_id, agent.id, reason))
                logs_degraded = which > 0.8  # part of the log window could not be read
            events.append(
                {
                    "type": "execution_error",
                    "executionId": exec_id,
                    "kind": "agent",
                    "seq": len(events) + 1,
                    "error": error,
                    "stopReason": "error",
                    "completedAt": _ms(completed_at),
                    **({"upgradeUrl": upgrade} if upgrade else {}),
                }
            )
        elif status == "interrupted":
            reason, source = "worker lost: no heartbeat for 120 s", "logs"
            logs.append(_log(completed_at, exec_id, agent.id, reason))
            logs_degraded = int(exec_id[-1], 16) < 4  # a lost worker's log window is sometimes partly unreadable
        elif done:
            events.append(
                {
                    "type": "execution_complete",
                    "executionId": exec_id,
                    "kind": "agent",
                    "seq": len(events) + 1,
                    "success": status == "completed",
                    "stopReason": stop_reason,
                    "completedAt": _ms(completed_at),
                }
            )
        if budget:
            reason, source = "budget exhausted (maxTurns)", "budget"
        pending = None
        if status == "paused":
            tool = agent.tools[-1]
            pending = {
                "approvalId": "apr_" + self.hexid("rt-apr", exec_id, n=10),
                "toolCallId": "call_" + self.hexid("rt-apr-call", exec_id, n=12),
                "toolName": tool,
                "toolType": "custom",
                "reason": f"{tool} changes customer data",
                "description": f"Approve {tool.replace('_', ' ')} for this request?",
                "requestedAt": _ms(t),
                "timeout": 3600,
            }
        execution: dict[str, Any] = {
            "id": row_id,
            "executionId": exec_id,
            "agentId": agent.id,
            "agentSource": "runtype-core",
            "agentTargetResolution": "latest",
            "agentVersionId": version["id"] if version else None,
            "agentVersion": version,
            "executionMode": "durable",
            "notificationMode": "none",
            "parentExecutionId": parent_id,
            "rootExecutionId": parent_id or exec_id,
            "surfaceType": rng.choice(["chat", "api", "webhook", "slack"]),
            "status": status,
            "iterations": iterations,
            "totalCost": f"{cost:.4f}" if done else None,
            "stopReason": stop_reason,
            "budgetExhausted": budget if done else None,
            "pendingApproval": pending,
            "startedAt": None if status == "queued" else started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "completedAt": completed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if completed_at else None,
            "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lastHeartbeatAt": _ms(t) if status in ("running", "interrupted") else None,
            "conversationId": "conv_" + self.hexid("rt-conv", exec_id, n=12),
            "agentSpec": None,
            "totalTokens": tokens if done else None,
            "finalOutput": None,
            "inputMessages": None,
            "_detail": {
                "inputMessages": [
                    {"role": "system", "content": f"You are {agent.name}. {agent.description}"},
                    {"role": "user", "content": question},
                ],
                "finalOutput": ({"text": answer(agent.name, question, rng)} if status == "completed" else None),
                "iterationDetails": [
                    {"iteration": i + 1, "toolCalls": sum(1 for c in tools if c["iteration"] == i + 1)}
                    for i in range(iterations)
                ],
                "retryOfExecutionId": None,
                "cancelRequestedAt": _ms(completed_at) if status == "cancelled" else None,
            },
            "_tools": tools,
            "_events": events,
            "_logs": logs,
            "_logs_degraded": logs_degraded,
            "_status_error": status_error,
            "_truth": truth,
            "_reason": (reason, source),
        }
        out = [execution]
        if agent.name == "Research Assistant" and parent is None and status not in ("running", "queued"):
            web = next(a for a in self.runtype_agents if a.subagent_of == agent.id)
            for k in range(rng.randint(1, 2)):
                out.extend(self._runtype_execution(web, n * 10 + k, parent=(exec_id, started)))
        return out

    def _runtype_version(self, agent: RuntypeAgent, created: datetime, parent: str | None) -> dict[str, Any] | None:
        """The version an execution ran: Support Triage moved to v8 12 hours before the anchor (its failures
        began there); the other top-level agents stay on one version; sub-agent runs stamp none (as A2A)."""
        if parent is not None or agent.subagent_of is not None:
            return None
        number = 4 + len(agent.name) % 5
        if agent.name == "Support Triage":
            number = REGRESSED_VERSION if created >= self.anchor - VERSION_CHANGE_AGO else REGRESSED_VERSION - 1
        label = {REGRESSED_VERSION: "stricter ticket schema"}.get(number)
        return {
            "id": "agv_" + self.hexid("rt-version", agent.id, number, n=16),
            "versionNumber": number,
            "label": label,
        }

    def runtype_execution(self, exec_id: str) -> dict[str, Any] | None:
        """An execution by its row id (``aex_``) or its runtime id (``exec_``)."""
        return next((e for e in self.runtype_executions if exec_id in (e["id"], e["executionId"])), None)


def answer(agent_name: str, question: str, rng: random.Random) -> str:
    if agent_name == "Invoice Extractor":
        return f"Extracted {rng.randint(3, 24)} line items totalling ${rng.randint(800, 24000):,}; posted to ERP."
    if agent_name == "Support Triage":
        return (
            f"Classified as {rng.choice(['billing', 'bug', 'account', 'plan'])} (priority "
            f"{rng.choice(['P2', 'P3'])}); drafted a reply and opened ticket #{rng.randint(40000, 49999)}."
        )
    return f"Answer to '{question[:50]}': found {rng.randint(3, 8)} sources; key points summarized with citations."


def _ms(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if moment is not None else None


def _log(moment: datetime | None, exec_id: str, agent_id: str, message: str) -> dict[str, Any]:
    return {"timestamp": _ms(moment), "level": "error", "category": "execution", "executionId": exec_id,
            "agentId": agent_id, "message": message}  # fmt: skip
