"""Our own error types.

Every message here is written for the model that reads the tool result: what
went wrong, where, and what to do next. None of them ever contains a secret.
The MCP layer turns any :class:`AgentRunsError` into a tool error (``isError``).

A message that says where a missing id is listed names a :class:`Listing`, not a tool: the code that
raises (an adapter) sits below the tools and does not know their names, so the tools' error guard words
each listing as the tool that shows it (``tools/guard.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum


class Listing(Enum):
    """Where an id the caller lacks is listed: a fact an error states instead of a tool's name.

    A message names it as one of its parts, ``InputError("... (an agent handle from ", Listing.AGENTS,
    ")")``. The tools' guard words it as the tool that lists it; elsewhere (logs, the CLI, ``doctor``)
    it reads as its ``value``, which fits the same sentence.
    """

    AGENTS = "the agent listing"
    """Each agent's id, handle or slug (and an Unpod agent's space)."""
    EXECUTIONS = "the agent's execution listing"
    """An agent's executions (runs), each with its ``ref``."""
    TASKS = "the run's task listing"
    """A run's tasks, each with its ``ref`` and its call id."""


Said = str | Listing
"""One part of a message: words, or a :class:`Listing` the reader of the error may word as it knows."""


def worded(parts: Iterable[Said], names: Mapping[Listing, str] | None = None) -> str:
    """The message of ``parts``, each listing worded as ``names`` says (its plain ``value`` otherwise)."""
    return "".join(part if isinstance(part, str) else (names or {}).get(part, part.value) for part in parts)


class AgentRunsError(Exception):
    """Base of every expected failure; ``str(err)`` is safe to show to a user."""

    parts: tuple[Said, ...] = ()

    def __init__(self, *parts: Said) -> None:
        self.parts = parts
        super().__init__(worded(parts))

    def worded(self, names: Mapping[Listing, str]) -> str:
        """The message with each :class:`Listing` it names worded as ``names`` says (the tools name the tool)."""
        return worded(self.parts, names)


class ConfigError(AgentRunsError):
    """The configuration is missing something or is invalid."""


class InputError(AgentRunsError):
    """A tool argument is invalid; the message names the argument and what is accepted."""


class ProviderError(AgentRunsError):
    """A provider call failed.

    Attributes name the account and provider kind, the HTTP status (if any),
    whether the call was retried and for how long we waited.
    """

    hint: tuple[Said, ...] = ()
    """What to do next; it may name where an id is listed (:class:`Listing`)."""

    def __init__(
        self,
        account: str,
        kind: str,
        what: str,
        *,
        status: int | None = None,
        detail: str | None = None,
        hint: str | tuple[Said, ...] | None = None,
        label: str | None = None,
        attempts: int = 1,
        waited_s: float = 0.0,
    ) -> None:
        self.account = account
        self.kind = kind
        self.label = label or kind
        """How messages name the platform (``Unpod``), given where the error is raised."""
        self.what = what
        self.status = status
        self.detail = detail
        self.attempts = attempts
        self.waited_s = waited_s
        if hint is not None:
            self.hint = (hint,) if isinstance(hint, str) else hint
        super().__init__(self._message())

    def worded(self, names: Mapping[Listing, str]) -> str:
        return self._message(names)

    def _message(self, names: Mapping[Listing, str] | None = None) -> str:
        label = self.label
        where = f"{label} (account `{self.account}`)" if self.account != self.kind else label
        status = f" [HTTP {self.status}]" if self.status is not None else ""
        text = f"{where}{status}: {self.what}"
        if self.detail:
            text += f" Provider said: {self.detail}"
            if not text.endswith((".", "!", "?")):
                text += "."
        if self.attempts > 1:
            text += f" Tried {self.attempts} times over {self.waited_s:.1f}s."
        if self.hint:
            text += f" {worded(self.hint, names)}"
        return text

    def with_hint(self, *hint: Said) -> ProviderError:
        """The same error with advice that knows more than the HTTP layer did (which argument finds it)."""
        self.hint = hint
        self.args = (self._message(),)
        return self

    def with_retry_info(self, attempts: int, waited_s: float) -> ProviderError:
        """Record how often the call was tried before it gave up."""
        self.attempts = attempts
        self.waited_s = waited_s
        self.args = (self._message(),)
        return self


class AuthError(ProviderError):
    """401/403: the credentials were refused."""


class NotFoundError(ProviderError):
    """404: the id was not found, or (``endpoint_missing``) the host has no such endpoint."""

    def __init__(self, *args: object, endpoint_missing: bool = False, **kwargs: object) -> None:
        self.endpoint_missing = endpoint_missing
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class BusinessError(ProviderError):
    """Unpod's 206 convention, or another provider-level refusal with a message."""


class RateLimitedError(ProviderError):
    """429 after all retries."""

    retry_after_s: float | None = None
    """The wait the provider asked for (Retry-After), when it named one."""


class UpstreamError(ProviderError):
    """5xx or another server-side failure after all retries."""


class ProviderTimeoutError(ProviderError):
    """The provider did not answer in time."""


class ProviderConnectionError(ProviderError):
    """The provider could not be reached."""


class BadResponseError(ProviderError):
    """The provider answered with something we cannot read (HTML, truncated JSON, wrong shape)."""
