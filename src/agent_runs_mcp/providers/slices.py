"""Time slices: reading a long window as several windows at once, where a provider filters by time.

A cursor-paged list can only be read one page after another: a 4,000-item window of 50-item pages
is 80 round trips in a row. When the provider takes a time filter (Runtype's ``from``/``to``), the
window can be cut into slices, each read by its own cursor chain, all at once; the page walker
(:func:`agent_runs_mcp.tools.paging.walk`) follows every chain a first page hands it as ``slices``.

Slice tokens are stateless, like every token: ``s<i>/<n>/<start>/<end>|<cursor>`` (epoch seconds of
the whole window, cut into ``n`` equal slices; ``i`` counts from the newest). Bounds are whole
seconds because providers take ISO times to the second. Both ends of a provider's filter are taken
as inclusive, so an item exactly on a boundary is kept only by the newer slice of the two
(:meth:`Slice.keeps`): nothing is counted twice, nothing is lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from agent_runs_mcp.errors import InputError

MAX_SLICES = 8
"""At most this many slices per window: enough for the parallelism a report uses, few enough to be cheap."""


@dataclass(frozen=True, slots=True)
class Slice:
    index: int
    count: int
    start: int
    end: int
    cursor: str | None = None

    @property
    def since(self) -> datetime:
        return _moment(self.start + (self.end - self.start) * (self.count - 1 - self.index) // self.count)

    @property
    def until(self) -> datetime:
        return _moment(self.start + (self.end - self.start) * (self.count - self.index) // self.count)

    def keeps(self, moment: datetime | None) -> bool:
        """Whether this slice counts an item the provider returned for it (items on the upper bound
        belong to the newer slice; undated items to the newest, so each is counted once)."""
        if moment is None:
            return self.index == 0
        return self.index == 0 or moment < self.until

    def token(self, cursor: str | None) -> str:
        return f"s{self.index}/{self.count}/{self.start}/{self.end}|{cursor or ''}"


def cut(since: datetime, until: datetime, count: int) -> list[Slice]:
    """``count`` slices of the window, newest first (fewer when the window is shorter than that many seconds)."""
    start, end = math.floor(since.timestamp()), math.ceil(until.timestamp())
    count = max(1, min(count, MAX_SLICES, end - start))
    return [Slice(i, count, start, end) for i in range(count)]


def is_slice_token(token: str | None) -> bool:
    return bool(token) and token.startswith("s") and "|" in token  # type: ignore[union-attr]


def read_token(token: str) -> Slice:
    head, _, cursor = token.partition("|")
    try:
        index, count, start, end = (int(part) for part in head[1:].split("/"))
    except ValueError:
        raise InputError("`cursor` is not a time-slice token of this listing; omit it to start again.") from None
    if not (0 < count <= MAX_SLICES and 0 <= index < count and start < end):
        raise InputError("`cursor` is not a time-slice token of this listing; omit it to start again.")
    return Slice(index, count, start, end, cursor or None)


def _moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
