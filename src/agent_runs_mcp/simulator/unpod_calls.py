"""The simulated Unpod's one call: its outcome, transcript, timings and post-call data (a part of the world)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from agent_runs_mcp.simulator.unpod_texts import call_summary, dialogue

if TYPE_CHECKING:
    from agent_runs_mcp.simulator.unpod_world import UnpodRun

OUTCOMES_SALES = [("Interested", 0.30), ("Call Back", 0.25), ("Not Interested", 0.30), ("Send Details", 0.15)]
OUTCOMES_CARE = [("Complaint", 0.22), ("Resolved", 0.48), ("Call Back", 0.15), ("Send Details", 0.15)]


class UnpodCalls:
    """The call part of :class:`~agent_runs_mcp.simulator.unpod_world.UnpodWorld`."""

    if TYPE_CHECKING:

        def hexid(self, *parts: object, n: int = 32) -> str: ...  # the world's (simulator/world.py)

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
                "call_type": agent.call_type,
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
