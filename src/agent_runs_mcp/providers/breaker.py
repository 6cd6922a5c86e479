"""A short circuit breaker per account: a provider that just timed out is not waited for again at once.

A stalled host (it accepts connections and never answers) costs every request its whole timeout and
retries, 40 s by default. After a request to an account ends in a timeout, the breaker is *open* for
``cooldown_s``: requests fail at once with when the provider stopped answering and when we will try again.
After the cool-down, one request goes through as a probe (the others keep failing fast until it returns):
an answer closes the breaker, another timeout opens it for a new cool-down. Only timeouts open it: a
refused connection or an HTTP error is fast already and says something more useful.

Per process and per account; nothing here is shared through Redis (each replica finds out for itself).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from agent_runs_mcp.errors import ProviderError, ProviderTimeoutError

COOLDOWN_S = 30.0
BREAKER_HINT = "Nothing was sent to it meanwhile; ask again after that time, or check the provider's status."


class Breaker:
    """The state of one account: closed (normal), open until a time, or letting one probe through."""

    def __init__(
        self,
        cooldown_s: float = COOLDOWN_S,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._wall = wall
        self._open_until: float | None = None  # monotonic
        self._probing = False
        self._tripped_at = 0.0  # wall clock, for the message
        self._waited_s = 0.0

    def refusal(self) -> str | None:
        """``None`` when a request may go (the breaker is closed, or this is the probe), else why it may not:
        "did not answer within 40 s at 16:30:01 UTC; retrying after 16:30:31 UTC"."""
        if self._open_until is None:
            return None
        if self._clock() >= self._open_until and not self._probing:
            self._probing = True  # this caller is the probe
            return None
        retry_at = self._tripped_at + self.cooldown_s
        if self._probing:  # the probe is out: the next chance is when it returns
            retry_at = max(retry_at, self._wall())
        return (
            f"did not answer within {self._waited_s:.0f} s at {_clock_time(self._tripped_at)}; "
            f"retrying after {_clock_time(retry_at)}"
        )

    @contextmanager
    def watching(self, time_left: Callable[[], float | None]) -> Iterator[None]:
        """Record how one request (all its retries) ended. A timeout caused by the tool call's own deadline
        (``time_left`` at or near zero) says nothing about the provider and does not open the breaker."""
        try:
            yield
        except ProviderTimeoutError as exc:
            left = time_left()
            if left is None or left > 0.5:
                self.timed_out(exc.waited_s)
            else:
                self.gave_up()
            raise
        except ProviderError as exc:  # an HTTP status is an answer; a refused connection is not a stall
            self.answered() if exc.status is not None else self.gave_up()
            raise
        except BaseException:  # cancelled: a probe that never finished lets the next one go
            self.gave_up()
            raise
        else:
            self.answered()

    def timed_out(self, waited_s: float) -> None:
        """A request ended in a timeout: open (again) for a full cool-down."""
        self._open_until = self._clock() + self.cooldown_s
        self._tripped_at = self._wall()
        self._waited_s = waited_s
        self._probing = False

    def answered(self) -> None:
        """The provider answered (any HTTP status): close."""
        self._open_until = None
        self._probing = False

    def gave_up(self) -> None:
        """The probe ended without an answer or a timeout (cancelled, or another failure): let another go."""
        self._probing = False


def _clock_time(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).strftime("%H:%M:%S UTC")
