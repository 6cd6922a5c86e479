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
SPEECH_CALLS_PER_AGENT = 48
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
            for n in range(SPEECH_CALLS_PER_AGENT):
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
        earlier = self._missed_earlier(agent, n)
        if earlier is not None:  # a follow-up of a contact an earlier call missed (the rng stream is unchanged)
            name, phone = earlier["data"]["name"], earlier["to_number"]
            first, last = name.split(" ", 1)
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
        if earlier is not None:
            base["initial_call_id"] = earlier.get("initial_call_id") or earlier["id"]
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
        if turns or scenario == "agent_error":  # a room was opened: the call has a session
            self._add_session(agent, n, base, turns, outcome if turns else None)
        return base

    def _missed_earlier(self, agent: dict[str, Any], n: int) -> dict[str, Any] | None:
        """The earlier call (two older) this one follows up, when that one missed the contact."""
        if n < 3 or n % 3 or n + 2 >= SPEECH_CALLS_PER_AGENT:
            return None  # n + 2 is never itself a follow-up: no chains of look-ups
        earlier = self._speech_call(agent, n + 2)
        return earlier if earlier.get("_reason") in ("no_answer", "busy", "voicemail") else None

    def _add_session(
        self, agent: dict[str, Any], n: int, call: dict[str, Any], turns: list[dict[str, Any]], outcome: str | None
    ) -> None:
        """The call's session (unpod 0.5.0 ``models/session.py``: ``Session``, ``usage`` in ``CallMetrics``
        names), its latency roll-up and per-turn rows (``models/call.py`` 48-50) and, for a conversation,
        one analytics result (``models/analytics.py`` ``AnalyticsResult``). A separate random stream keeps
        every other seeded fact as it was."""
        rng = self.rng("speech-session", agent["agent_id"], n)
        slow = agent["_domain"] == "renewal"  # one agent answers slower: the demo's latency differs by agent
        rows = []
        for i, turn in enumerate(t for t in turns if t["role"] in ("assistant", "agent")):
            stt, llm, tts = rng.randint(120, 260), rng.randint(380, 900 if slow else 600), rng.randint(150, 320)
            if slow and rng.random() < 0.15:
                llm += rng.randint(800, 1600)  # a slow model answer now and then
            rows.append({"turn": i, "stt_ms": stt, "llm_ms": llm, "tts_ms": tts, "e2e_ms": stt + llm + tts,
                         "at": turn["timestamp"]})  # fmt: skip
        session_id = "ses_" + self.hexid("speech-session", call["id"], n=20)
        duration = float(call.get("duration_s") or 0)
        prompt = sum(rng.randint(300, 420) + 60 * i for i in range(len(rows)))
        completion = sum(rng.randint(25, 70) for _ in rows)
        voice, llm_cost = round(duration / 60 * 0.07, 4), round(prompt * 0.4e-6 + completion * 1.6e-6, 4)

        def p(values: list[int], q: float) -> int:
            return sorted(values)[max(0, round(q * len(values) + 0.5) - 1)] if values else 0

        summary = {}
        if rows:
            e2e = [r["e2e_ms"] for r in rows]
            summary = {"turns": len(rows), "p50_ms": p(e2e, 0.5), "p95_ms": p(e2e, 0.95), "max_ms": max(e2e),
                       "stt_p95_ms": p([r["stt_ms"] for r in rows], 0.95),
                       "llm_p95_ms": p([r["llm_ms"] for r in rows], 0.95),
                       "tts_p95_ms": p([r["tts_ms"] for r in rows], 0.95)}  # fmt: skip
        call.update(session_id=session_id, room_name=f"room-{session_id[4:16]}", latency_summary=summary or None)
        call["_latency_metrics"] = rows
        call["_analytics"] = (
            [
                {
                    "result_id": "res_" + self.hexid("analytics", call["id"], n=16),
                    "block_id": "blk_" + self.hexid("analytics-block", agent["agent_id"], n=12),
                    "name": "Call outcome",
                    "session_id": session_id,
                    "call_id": call["id"],
                    "agent_id": agent["agent_id"],
                    "status": "ok",
                    "summary": call.get("disposition") or "",
                    "success_evaluation": outcome in ("Resolved", "Interested"),
                    "data": {"outcome": outcome},
                    "model": "gpt-4.1-mini",
                    "latency_ms": rng.randint(900, 2400),
                    "block_version": 1,
                    "created": call["ended_at"],
                }
            ]
            if turns
            else []
        )
        call["_session"] = {
            "session_id": session_id,
            "project_id": call["project_id"],
            "room_name": call["room_name"],
            "call_id": call["id"],
            "pipe_id": call["pipe_id"],
            "participant_count": 2,
            "participants": [agent["agent_id"], "sip_" + call["id"][5:17]],
            "features": ["transcription", "recording"] if turns else ["transcription"],
            "started_at": call["started_at"],
            "ended_at": call["ended_at"],
            "duration_s": int(duration),
            "status": "ended",
            "end_reason": call["end_reason"],
            "transcript": [],
            "recording_url": call.get("recording_url"),
            "summary": call.get("disposition"),
            "usage": {
                "duration_s": duration,
                "turns": len(rows),
                **{k: v for k, v in summary.items() if k.endswith("_p95_ms") and k != "p95_ms"},
                "cost": {"voice": voice, "llm": llm_cost, "total": round(voice + llm_cost, 4)},
                "tokens": {"input": prompt, "output": completion},
                "active_llm": "gpt-4.1-mini",
            },
            "created": call["started_at"],
            "modified": call["ended_at"],
        }

    @cached_property
    def speech_sessions(self) -> list[dict[str, Any]]:
        """Every speech session (the calls that opened a room), newest first."""
        return [c["_session"] for c in self.speech_calls if "_session" in c]

    def speech_session(self, session_id: str) -> dict[str, Any] | None:
        return next((s for s in self.speech_sessions if s["session_id"] == session_id), None)
