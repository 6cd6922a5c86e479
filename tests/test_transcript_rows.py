"""Transcript turns as rows (`columns` + `turns`): what each row carries, and nothing lost from the turns."""

from __future__ import annotations

from datetime import UTC, datetime

from agent_runs_mcp.domain import Turn
from agent_runs_mcp.text import indented
from agent_runs_mcp.tools.calls import turn_line, turn_rows

AT = datetime(2026, 12, 3, 9, 12, 5, tzinfo=UTC)


def test_rows_name_their_values_once_and_end_with_their_last_value() -> None:
    turns = [
        Turn(index=0, speaker="system", text="You are Support Triage."),
        Turn(index=1, speaker="customer", text="Reset my password?", seconds_from_start=2.0),
        Turn(index=2, speaker="tool", text="lookup() -> ok", seconds_from_start=4.25),
    ]
    columns, rows = turn_rows(turns)
    assert columns == ["index", "speaker", "text", "seconds_from_start"]
    assert rows == [[0, "system", "You are Support Triage."], [1, "customer", "Reset my password?", 2],
                    [2, "tool", "lookup() -> ok", 4.25]]  # fmt: skip
    assert "null" not in str(rows) and None not in [v for row in rows for v in row]


def test_search_marks_every_row_and_the_clock_time_only_where_no_offset_is_known() -> None:
    turns = [
        Turn(index=3, speaker="agent", text="Hello", at=AT, seconds_from_start=12.0, matched=False),
        Turn(index=4, speaker="customer", text="Stop calling me", at=AT, matched=True),
    ]
    columns, rows = turn_rows(turns)
    assert columns == ["index", "speaker", "text", "matched", "seconds_from_start", "at"]
    # the offset where known (the clock time is then implied); the clock time where it is not, after a null
    assert rows == [
        [3, "agent", "Hello", False, 12],
        [4, "customer", "Stop calling me", True, None, "2026-12-03T09:12:05Z"],
    ]


def test_rows_keep_everything_the_text_lines_show() -> None:
    turns = [Turn(index=i, speaker="agent" if i % 2 else "customer", text=f"line {i}\nmore", seconds_from_start=i * 3.0)
             for i in range(5)]  # fmt: skip
    columns, rows = turn_rows(turns)
    for turn, row in zip(turns, rows, strict=True):
        named = dict(zip(columns, row, strict=False))
        said = f"{named['index']}. [{named['seconds_from_start']}s] {named['speaker']}: {indented(named['text'])}"
        assert turn_line(turn) == said
    assert turn_rows([]) == ([], [])
