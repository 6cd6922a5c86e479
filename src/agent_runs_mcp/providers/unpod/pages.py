"""Unpod's numbered pages and the page tokens this adapter hands out for them.

Lists answer ``{count, status_code, message, data}`` for ``page``/``page_size``; ``count`` is the
total. A page token is ``<page>.<seen>.<mark>``: the page number, how many items came before it and
a short hash of the previous page's first item, so a walk stops on ``count``, on an empty page, or
when a host that ignores ``page`` serves the same page again. The adapter prefixes tokens with the
list they belong to (see :mod:`agent_runs_mcp.refs` for every token format).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from agent_runs_mcp.errors import BadResponseError, InputError
from agent_runs_mcp.providers.base import TTL_LIST_S
from agent_runs_mcp.providers.cache import Ttl
from agent_runs_mcp.providers.jsonread import as_int, first

Getter = Callable[..., Awaitable[Any]]
"""The adapter's ``get(path, params, what=, ttl_s=, headers=)``."""


@dataclass(slots=True)
class RawPage:
    items: list[dict[str, Any]]
    next_token: str | None
    count: int | None
    number: int
    rest_tokens: list[str] | None = None


async def numbered_page(
    get: Getter,
    account: str,
    path: str,
    token: str | None,
    what: str,
    *,
    ttl_s: Ttl = TTL_LIST_S,
    headers: dict[str, str] | None = None,
    size: int,
) -> RawPage:
    """Fetch one numbered page.

    The token is ``page.seen.mark``: the page number, how many items came
    before it and a short hash of the previous page's first item, so we can
    stop on the provider's ``count``, on an empty page, or when a host that
    ignores ``page`` serves the same page again.
    """
    number, seen, mark = decode_token(token)
    body = await get(
        path,
        {"page": number, "page_size": size},
        what=what,
        ttl_s=full_pages_only(ttl_s, size),
        headers=headers,
    )
    items = [item for item in envelope_data(body, account, what) if isinstance(item, dict)]
    count = as_int(body.get("count")) if isinstance(body, dict) else None
    head = page_mark(items[0]) if items else ""
    if mark and head == mark:
        return RawPage([], None, count, number)  # the host ignored `page` and served the same page again
    seen_after = seen + len(items)
    done = not items or (count is not None and seen_after >= count)
    next_token = None if done else f"{number + 1}.{seen_after}.{head}"
    rest = None
    if number == 1 and not done and count is not None and items:
        # Pages are numbered: every remaining page can be addressed now (used by parallel scans).
        size = len(items)
        rest = [f"{n}.{(n - 1) * size}." for n in range(2, -(-count // size) + 1)]
    return RawPage(items, next_token, count, number, rest)


def full_pages_only(ttl_s: Ttl, size: int) -> Ttl:
    """A lifetime chosen from the answer applies to full pages only: items are added to the last page."""
    if not callable(ttl_s):
        return ttl_s

    def ttl(body: Any) -> float:
        data = body.get("data") if isinstance(body, dict) else body
        if not isinstance(data, list) or len(data) < size:
            return min(TTL_LIST_S, ttl_s(body))
        return ttl_s(body)

    return ttl


def decode_token(token: str | None) -> tuple[int, int, str]:
    if not token:
        return 1, 0, ""
    parts = token.split(".", 2)
    try:
        number = int(parts[0])
        seen = int(parts[1]) if len(parts) > 1 and parts[1] else 0
    except ValueError:
        raise InputError("`cursor` does not belong to an Unpod listing; omit it to start again.") from None
    if number < 1 or number > 100_000:
        raise InputError("`cursor` points outside the listing; omit it to start again.")
    return number, max(0, seen), parts[2] if len(parts) > 2 else ""


def page_mark(item: dict[str, Any]) -> str:
    key = str(first(item.get("task_id"), item.get("run_id"), item.get("_id"), item.get("handle")) or item)
    return hashlib.sha1(key.encode()).hexdigest()[:6]


def page_hint(page_hint: str | None, source: str) -> int | None:
    if page_hint and page_hint.startswith(source) and page_hint[1:].isdigit():
        return int(page_hint[1:])
    return None


def envelope_data(body: Any, account: str, what: str) -> list[Any]:
    """The ``data`` list of an Unpod envelope (or a bare list)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, list):
            return data
        if data is None or data == {}:
            return []
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            return data["results"]
    raise BadResponseError(
        account,
        "unpod",
        f"answered {what} without a `data` list.",
        hint="The host may not be an Unpod API; check the base URL.",
        label="Unpod",
    )
