"""Builds one adapter per configured account and hands them to the tools."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from pydantic import SecretStr

from agent_runs_mcp.errors import ConfigError
from agent_runs_mcp.providers.account import Account
from agent_runs_mcp.providers.cache import ResponseCache
from agent_runs_mcp.providers.platforms import PLATFORMS, token_variables
from agent_runs_mcp.providers.retry import DEFAULT_RETRY, RetryPolicy
from agent_runs_mcp.shared import SharedStore

if TYPE_CHECKING:
    import httpx

    from agent_runs_mcp.providers.base import Provider  # adapters are built when first asked for


class AccountSettings(Protocol):
    """What the registry reads of the server's settings (:class:`agent_runs_mcp.config.Settings` has it all):
    configuration depends on the providers, never the reverse."""

    @property
    def accounts(self) -> Mapping[str, Account]: ...
    @property
    def redis_url(self) -> SecretStr | None: ...
    @property
    def cache_enabled(self) -> bool: ...


SettingsT = TypeVar("SettingsT", bound=AccountSettings)


def _adapter_class(kind: str) -> type[Provider]:
    cls: type[Provider] = PLATFORMS[kind].adapter()
    return cls


class Registry(Generic[SettingsT]):
    """The configured accounts, each with its adapter (created on first use)."""

    def __init__(
        self,
        settings: SettingsT,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        transport_factory: Callable[[], httpx.AsyncBaseTransport | None] | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._transport_factory = transport_factory
        """Builds the transport when the first adapter needs it (the demo's simulator loads then, not at start-up)."""
        self._retry = retry
        self._providers: dict[str, Provider] = {}
        self.shared = SharedStore(settings.redis_url.get_secret_value()) if settings.redis_url else None
        """Redis shared by replicas, when configured (:mod:`agent_runs_mcp.shared`)."""
        self.cache = ResponseCache(shared=self.shared) if settings.cache_enabled else None

    @property
    def names(self) -> list[str]:
        return list(self.settings.accounts)

    def get(self, name: str | None) -> Provider:
        """The adapter for account ``name``; with one account configured, ``name`` may be omitted."""
        accounts = self.settings.accounts
        if not accounts:
            raise ConfigError(
                f"No provider account is configured. Set {token_variables()}, "
                "or name a TOML file in AGENT_RUNS_CONFIG. "
                "To try the server without credentials, start it with `agent-runs-mcp serve --demo`."
            )
        if name is None or not name.strip():
            if len(accounts) == 1:
                name = next(iter(accounts))
            else:
                raise ConfigError(
                    f"`provider` is required when several accounts are configured: {', '.join(accounts)}."
                )
        name = name.strip()
        account = accounts.get(name) or accounts.get(name.lower())
        if account is None:
            hint = ""
            kind = name.lower()
            if kind in PLATFORMS:
                hint = (
                    f" To use {kind}, set {PLATFORMS[kind].token_variable}, or start with --demo to try the simulator."
                )
            raise ConfigError(f"Unknown provider `{name[:40]}`. Configured: {', '.join(accounts) or 'none'}.{hint}")
        provider = self._providers.get(account.name)
        if provider is None:
            if self._transport is None and self._transport_factory is not None:
                self._transport = self._transport_factory()
                self._transport_factory = None
            provider = _adapter_class(account.kind)(
                account, transport=self._transport, retry=self._retry, cache=self.cache, shared=self.shared
            )
            self._providers[account.name] = provider
        return provider

    async def aclose(self) -> None:
        for provider in self._providers.values():
            await provider.aclose()
        self._providers.clear()
        if self.shared is not None:
            await self.shared.aclose()
