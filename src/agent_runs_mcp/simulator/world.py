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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent_runs_mcp.simulator.modus_world import ModusWorld
from agent_runs_mcp.simulator.names import DEMO_CREDENTIALS
from agent_runs_mcp.simulator.runtype_world import RuntypeWorld
from agent_runs_mcp.simulator.unpod_speech import UnpodSpeechWorld
from agent_runs_mcp.simulator.unpod_world import UnpodWorld

__all__ = ["DEMO_CREDENTIALS", "World"]


@dataclass
class World(UnpodWorld, UnpodSpeechWorld, RuntypeWorld, ModusWorld):
    """The whole simulated dataset; build once, read many times."""

    seed: int = 7
    anchor: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    big_run_tasks: int = 0
    """When > 0, agent "Bulk Dialer" gets one extra run of this many tasks (for benchmarks)."""
    big_agent_executions: int = 0
    """When > 0, Runtype gets an agent "Bulk Runner" with this many executions over ten days (for benchmarks)."""
    big_run_done: float | None = None
    """With ``big_run_tasks``: the big run is still running, this share of its tasks finished (0-1)."""
    inbound_agents: tuple[str, ...] = ()
    """Names of Unpod platform agents whose calls are inbound (`call_type`); the demo's are all outbound."""

    def __post_init__(self) -> None:
        if self.anchor.tzinfo is None:
            self.anchor = self.anchor.replace(tzinfo=UTC)
        self._task_cache: dict[str, list[dict[str, Any]]] = {}
        self._agent_tasks: dict[str, list[dict[str, Any]]] = {}
        self.done_shares: dict[str, float] = {}
        """Running runs moved on by :meth:`advance`: run id -> share of tasks finished."""
        self.version = 0
        """Bumped whenever the world changes, so cached answers are rebuilt."""

    def advance(self, run_id: str, done: float) -> None:
        """Let a running run finish tasks up to ``done`` (0-1) of its tasks, as time passing would."""
        if not 0 <= done <= 1:
            raise ValueError("done must be between 0 and 1")
        self.done_shares[run_id] = done
        self._task_cache.pop(run_id, None)
        self._agent_tasks.clear()
        self.version += 1

    def rng(self, *parts: object) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(str(p) for p in parts))

    def hexid(self, *parts: object, n: int = 32) -> str:
        return hashlib.sha256(f"{self.seed}:{':'.join(map(str, parts))}".encode()).hexdigest()[:n]
