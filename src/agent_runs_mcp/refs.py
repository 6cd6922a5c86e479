"""Refs, cursors and page tokens: opaque strings that carry their whole context.

A **ref** locates one item completely (account, kind of item, and every id
needed to fetch it again), so a follow-up call can pass ``ref`` alone to any
server replica. It reads like ``unpod:task:s=F1O3...,r=R8ff...,t=T8ff...``;
clients must treat it as opaque. Fields: ``a`` agent, ``s`` space, ``r`` run,
``t`` task, ``c`` call, ``k`` what a task is (``tool``, ``exec``), ``p`` the
page a task was listed on (a hint that makes finding it again one request).

A **cursor** (``c1.<base64 JSON>``) resumes a listing: ``{"q": fingerprint,
"t": page token, "o": offset}``, the provider page token, the offset inside
that page, and a fingerprint of the query so that a cursor cannot be replayed
against different arguments by mistake.

**Page tokens** are each adapter's own small language inside ``t``; nobody
else reads them:

* Unpod numbered pages: ``<page>.<seen>.<mark>`` (page number, items before
  it, a hash of the previous page's first item: see ``providers/unpod/pages``).
  Prefixes say which list: executions ``A…`` (the agent's executions) or ``S…``
  (the space's runs, the fallback); a run's tasks ``a…`` when read from the
  agent's task list instead of the space's run-task list. Task refs keep the
  page as ``p=r<N>`` (run-task list) or ``p=a<N>`` (agent task list).
* Runtype: the provider's ``nextCursor``; a run's tasks are read in two phases,
  ``t:<cursor>`` (tool calls) then ``s:<cursor>`` (sub-agent executions).
* Modus: the provider's ``nextPageToken`` as it is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from agent_runs_mcp.errors import InputError
from agent_runs_mcp.text import excerpt

REF_KINDS = ("agent", "run", "task", "call")
REQUIRED = {"agent": ("a",), "run": ("r",), "task": ("t",), "call": ("c", "t")}
"""The field (any one of them) without which a ref of that kind locates nothing."""
_SAFE = "-_.~"
_PLAIN = re.compile(r"^[A-Za-z0-9_.~-]*$")


def _quote(value: str) -> str:
    return value if _PLAIN.match(value) else quote(value, safe=_SAFE)


@dataclass(frozen=True, slots=True)
class Ref:
    """A decoded ref: the account, the kind of item and its locating fields."""

    account: str
    kind: str
    fields: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.fields.get(key)

    def encode(self) -> str:
        parts = ",".join(f"{k}={_quote(v)}" for k, v in self.fields.items() if v is not None)
        return f"{_quote(self.account)}:{self.kind}:{parts}"


def make_ref(account: str, kind: str, **fields: str | int | None) -> str:
    """Build an encoded ref, skipping fields that are ``None``."""
    clean = {k: str(v) for k, v in fields.items() if v is not None and v != ""}
    return Ref(account, kind, clean).encode()


def parse_ref(text: str) -> Ref:
    """Decode a ref, with an actionable error when it is not one of ours."""
    problem = (
        f"`ref` is not a ref this server issued: {excerpt(text, 60)}. "
        "Pass the `ref` field exactly as an earlier result gave it, or pass the ids instead."
    )
    if not isinstance(text, str) or len(text) > 2000:
        raise InputError(problem)
    pieces = text.split(":", 2)
    if len(pieces) != 3 or pieces[1] not in REF_KINDS:
        raise InputError(problem)
    account, kind, rest = pieces
    fields: dict[str, str] = {}
    if rest:
        for pair in rest.split(","):
            key, sep, value = pair.partition("=")
            if not sep or not key.isalnum():
                raise InputError(problem)
            fields[key] = unquote(value)
    if not any(fields.get(key) for key in REQUIRED[kind]) or not account:
        raise InputError(problem)
    return Ref(unquote(account), kind, fields)


def pick(arg: str | None, ref: Ref | None, key: str, argument: str) -> str | None:
    """An id from the explicit argument or, failing that, from the ref; refuse when they disagree."""
    from_ref = ref.get(key) if ref else None
    if arg and from_ref and arg.strip() != from_ref:
        raise InputError(f"`{argument}` is `{arg[:60]}` but `ref` says `{from_ref}`; pass one of them, not both.")
    value = arg.strip() if arg else from_ref
    return value or None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a listing resumes: provider page token and offset inside that page."""

    token: str | None
    offset: int = 0


def query_fingerprint(*parts: object) -> str:
    """A short stable hash of a query's arguments, stored in its cursors."""
    blob = json.dumps([str(p) for p in parts], separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


def encode_cursor(cursor: Cursor, fingerprint: str) -> str:
    payload = {"q": fingerprint, "t": cursor.token, "o": cursor.offset}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return "c1." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str | None, fingerprint: str) -> Cursor:
    """Decode a cursor, checking it belongs to the same query."""
    if not text:
        return Cursor(token=None, offset=0)
    bad = (
        "`cursor` is not valid. Pass the `next_cursor` value of the previous result unchanged, "
        "or omit `cursor` to start from the first page."
    )
    if not text.startswith("c1.") or len(text) > 4000:
        raise InputError(bad)
    body = text[3:]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        payload = json.loads(raw)
        token = payload["t"]
        offset = int(payload["o"])
        fp = payload["q"]
    except (ValueError, KeyError, TypeError):
        raise InputError(bad) from None
    if token is not None and not isinstance(token, str):
        raise InputError(bad)
    if fp != fingerprint:
        raise InputError(
            "`cursor` belongs to a different query (other provider, agent, run or filters). "
            "Repeat the call with the same arguments as the one that returned it, or omit `cursor`."
        )
    return Cursor(token=token, offset=max(0, offset))
