"""Logging set-up shared by the stdio and HTTP entry points: stderr only, text or JSON lines."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator

LOG_LEVELS = ("debug", "info", "warning", "error")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class NoQueryString(logging.Filter):
    """Access-log lines keep the path, never the query string (a token sent as ``?access_token=``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def configure_logging(level: str, fmt: str = "text") -> None:
    """Log to stderr, one line per event; quiet the HTTP client unless debugging."""
    numeric = getattr(logging, level.upper(), logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryString) for f in access.filters):
        access.addFilter(NoQueryString())
    for noisy in ("httpx", "httpcore", "mcp", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if numeric <= logging.DEBUG else logging.WARNING)


class _Held(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def held_logs() -> Iterator[list[logging.LogRecord]]:
    """Keep what is logged while the settings are read (which say the log level and format).

    The caller configures logging from the settings, then :func:`replay` writes the kept records
    in that format and level: a warning about a variable is a JSON line when the variable asked for JSON.
    """
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    held = _Held()
    root.handlers[:] = [held]
    root.setLevel(logging.DEBUG)
    try:
        yield held.records
    finally:
        root.handlers[:] = saved
        root.setLevel(level)


def replay(records: list[logging.LogRecord]) -> None:
    """Write records kept by :func:`held_logs` through the logging set up since."""
    for record in records:
        logger = logging.getLogger(record.name)
        if record.levelno >= logger.getEffectiveLevel():
            logger.handle(record)
