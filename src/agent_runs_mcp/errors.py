"""Our own error types.

Every message here is written for the model that reads the tool result: what
went wrong, where, and what to do next. None of them ever contains a secret.
The MCP layer turns any :class:`AgentRunsError` into a tool error (``isError``).
"""

from __future__ import annotations


class AgentRunsError(Exception):
    """Base of every expected failure; ``str(err)`` is safe to show to a user."""


class ConfigError(AgentRunsError):
    """The configuration is missing something or is invalid."""


class InputError(AgentRunsError):
    """A tool argument is invalid; the message names the argument and what is accepted."""


class ProviderError(AgentRunsError):
    """A provider call failed.

    Attributes name the account and provider kind, the HTTP status (if any),
    whether the call was retried and for how long we waited.
    """

    hint: str = ""

    def __init__(
        self,
        account: str,
        kind: str,
        what: str,
        *,
        status: int | None = None,
        detail: str | None = None,
        hint: str | None = None,
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
            self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
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
            text += f" {self.hint}"
        return text

    def with_hint(self, hint: str) -> ProviderError:
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
