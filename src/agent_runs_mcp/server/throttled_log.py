"""Log lines that can repeat thousands of times a second (a flood, a forged-token storm, EMFILE), at
most once per interval per kind, with a count of what was held back."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any


class Throttled:
    """``warning``/``info`` once per ``interval_s`` for each ``kind``; the next line says how many were held."""

    def __init__(self, logger: logging.Logger, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.interval_s = interval_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def log(self, level: int, kind: str, message: str, *args: Any) -> bool:
        """Log unless ``kind`` was logged less than ``interval_s`` ago; say whether it was logged."""
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval_s:
            self._held[kind] = self._held.get(kind, 0) + 1
            return False
        if len(self._last) > 1000:  # kinds are few by design; never let them grow without bound
            self._last.clear()
            self._held.clear()
        held = self._held.pop(kind, 0)
        self._last[kind] = now
        if held:
            message += " (%d more like this in the last %.0f s)"
            args = (*args, held, now - last if last is not None else self.interval_s)
        self.logger.log(level, message, *args)
        return True

    def warning(self, kind: str, message: str, *args: Any) -> bool:
        return self.log(logging.WARNING, kind, message, *args)

    def info(self, kind: str, message: str, *args: Any) -> bool:
        return self.log(logging.INFO, kind, message, *args)
