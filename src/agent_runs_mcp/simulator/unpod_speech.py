"""The simulated Unpod speech plane (``/api/v2/platform/speech/v1/...``), in the shapes of the official SDK.

Agents created through the SDK live here (``asst_...`` ids), not in the platform's agent listing;
their calls are ``sv_calls`` rows (unpod 0.5.0 ``models/call.py``): list rows carry
``transcript_turns`` but no ``transcript``; a call's detail carries the turns
(``{role, content, timestamp}``), ``recording_url`` and ``traces.call_timings``. Each call records
the normalized status it should map to (``_truth``) and its failure category (``_reason``).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any

from agent_runs_mcp.simulator.names import FIRST, LAST
from agent_runs_mcp.simulator.unpod_texts import call_summary, dialogue
from agent_runs_mcp.simulator.unpod_world import UnpodAgent

SPEECH_SCENARIOS: dict[str, float] = {
    "connected": 0.52,
    "short_hangup": 0.06,
    "voicemail": 0.10,
    "no_answer": 0.16,
    "busy": 0.05,
    "sip_error": 0.06,
    "agent_error": 0.05,
}

# scenario -> (status, end_reason, truth, reason category a health report should find)
SPEECH_OUTCOMES: dict[str, tuple[str, str | None, str, str | None]] = {
    "connected": ("connected", "USER_HUNG_UP_IN_CALL", "completed", None),
    "short_hangup": ("connected", "USER_HUNG_UP_IN_CALL", "completed", None),
    "voicemail": ("notConnected", "VOICEMAIL_DETECTED", "failed", "voicemail"),
    "no_answer": ("notConnected", "USER_DID_NOT_PICK_UP", "failed", "no_answer"),
    "busy": ("notConnected", "USER_BUSY", "failed", "busy"),
    "sip_error": ("failed", "SIP_TRUNK_ERROR", "failed", "sip_error"),
    "agent_error": ("failed", "AGENT_ERROR", "failed", "agent_error"),
}
LEGACY_WORDS = {"connected": "completed", "notConnected": "not_connected"}
"""What older servers call the same terminal statuses."""


class UnpodSpeechWorld:
    """Speech-plane agents and calls (mixed into :class:`~agent_runs_mcp.simulator.world.World`)."""

    @cached_property
    def speech_agents(self) -> list[dict[str, Any]]:
        specs = [
            ("Reception Bot", "Answers the front desk line and books visits.", "care", "Nora"),
            ("Renewal Reminder", "Calls customers whose plan renews this month.", "renewal", "Sam"),
        ]
        return [
            {
                "agent_id": "asst_" + self.hexid("speech-agent", name, n=20),
                "name": name,
                "brain": {"kind": "llm", "model": "gpt-4.1-mini", "instructions": purpose},
                "brain_execution": "bridge",
                "voices": [
                    {
                        "agent_id": "asst_" + self.hexid("speech-agent", name, n=20),
                        "voice_profile_id": "vp_" + self.hexid("voice", name, n=10),
                        "voice_profile_name": f"{persona} (en-US)",
                        "name": name,
                        "is_default": True,
                        "domain": domain,
                    }
                ],
                "noise_cancellation": None,
                "_persona": persona,
                "_domain": domain,
                "_purpose": purpose,
            }
            for name, purpose, domain, persona in specs
        ]

    def speech_agent(self, agent_id: str) -> dict[str, Any] | None:
        return next((a for a in self.speech_agents if a["agent_id"] == agent_id), None)

    @cached_property
    def speech_calls(self) -> list[dict[str, Any]]:
        """Every speech-plane call, newest first."""
        calls = []
        for agent in self.speech_agents:
            for n in range(48):
                calls.append(self._speech_call(agent, n))
        calls.sort(key=lambda c: c["created"], reverse=True)
        return calls

    def speech_call(self, call_id: str) -> dict[str, Any] | None:
        return next((c for c in self.speech_calls if c["id"] == call_id), None)

    def _speech_call(self, agent: dict[str, Any], n: int) -> dict[str, Any]:
        rng = self.rng("speech-call", agent["agent_id"], n)
        anchor = self.anchor
        call_id = "call_" + self.hexid("speech-call", agent["agent_id"], n, n=20)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name, phone = f"{first} {last}", f"+1415556{rng.randint(100, 9999):04d}"
        created = anchor - timedelta(minutes=5 + n * 47 + rng.randint(0, 30))
        base: dict[str, Any] = {
            "id": call_id,
            "org_id": "org_" + self.hexid("org", n=12),
            "project_id": "prj_demo",
            "pipe_id": "pipe_" + self.hexid("pipe", agent["agent_id"], n=10),
            "agent_id": agent["agent_id"],
            "direction": "outbound",
            "from_number": "+14155550100",
            "to_number": phone,
            "data": {"name": name},
            "created": created.isoformat(),
            "modified": created.isoformat(),
            "transcript_turns": 0,
            "analytics": [],
            "traces": {},
        }
        if n < 3:  # the newest calls are still in flight
            base.update(status=("active", "ringing", "scheduled")[n], scheduled_at=created.isoformat())
            if n < 2:
                base["started_at"] = created.isoformat()
            base.update(_truth=("running", "running", "scheduled")[n], _reason=None, _transcript=[])
            return base
        scenario = rng.choices(list(SPEECH_SCENARIOS), weights=list(SPEECH_SCENARIOS.values()))[0]
        status, end_reason, truth, reason = SPEECH_OUTCOMES[scenario]
        if n % 17 == 5:
            status = LEGACY_WORDS.get(status, status)  # an older server's words
        speaker = UnpodAgent(
            agent["agent_id"], agent["name"], "", agent["_persona"], agent["_purpose"], agent["_domain"]
        )
        turns: list[dict[str, Any]] = []
        start = created + timedelta(seconds=rng.randint(1, 20))
        t = start
        if status in ("connected", "completed"):
            outcome = (
                "Dropped"
                if scenario == "short_hangup"
                else ("Resolved" if agent["_domain"] == "care" else "Interested")
            )
            lines = dialogue(speaker, scenario, outcome, name, phone, f"{first.lower()}@example.com", rng)
            if scenario == "short_hangup":
                lines = lines[:2]
            for role, text in lines:
                turns.append({"role": role, "content": text, "timestamp": t.isoformat()})
                t += timedelta(seconds=max(2, len(text) // 14) + rng.randint(0, 3))
            summary = call_summary(speaker, outcome, name)
        else:
            t += timedelta(seconds=rng.randint(15, 40))  # ringing, then nothing
            summary = None
        duration = round((t - start).total_seconds(), 1)
        base.update(
            status=status,
            end_reason=end_reason,
            started_at=start.isoformat(),
            ended_at=t.isoformat(),
            duration_s=duration,
            disposition=summary,
            transcript_turns=len(turns),
            recording_url=f"https://recordings.unpod.example/{call_id}.wav" if turns else None,
            traces={
                "call_timings": {
                    "call_dialed_at": start.isoformat(timespec="seconds"),
                    "call_connected_at": start.isoformat(timespec="seconds") if turns else None,
                    "call_ended_at": t.isoformat(timespec="seconds"),
                    "talk_duration_seconds": duration if turns else 0,
                },
                "supervoice_end_reason": (end_reason or "").lower(),
            },
            _truth=truth,
            _reason=reason,
            _transcript=turns,
        )
        return base
