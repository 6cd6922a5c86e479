"""One provider account: where it lives and how to authenticate.

It lives with the providers (the adapters, the HTTP client and the registry read it);
:mod:`agent_runs_mcp.config` builds accounts from the environment or a TOML file and
depends on this module, never the reverse.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator, model_validator

from agent_runs_mcp.providers.platform import Platform
from agent_runs_mcp.providers.platforms import PLATFORMS

SETTING_NAMES = frozenset(key for platform in PLATFORMS.values() for key in platform.settings_variables)
"""Every platform's setting names: accepted as fields of their own when an account is built."""
SETTING_ALIASES = {alias: key for platform in PLATFORMS.values() for alias, key in platform.setting_aliases.items()}
"""Every platform's short TOML keys for its settings."""


class Account(BaseModel):
    """One provider account: where it lives and how to authenticate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str = Field(description="A platform kind from agent_runs_mcp.providers.platforms.")
    base_url: str
    token: SecretStr | None = None
    settings: dict[str, str] = Field(default_factory=dict)
    """The platform's own settings (Unpod's ``org_handle``, Modus's ``resource``...): which exist and what
    they accept is the platform's (``Platform.settings_variables`` and ``setting_checks``); its adapter reads them."""
    connect_timeout_s: float = Field(default=5.0, gt=0, le=60)
    read_timeout_s: float = Field(default=20.0, gt=0, le=120)
    max_concurrency: int = Field(default=6, ge=1, le=64)
    max_body_mb: float = Field(
        default=16.0, gt=0, le=1024, description="Largest answer read from this provider (MB); bigger is refused."
    )
    max_requests_per_s: float | None = Field(
        default=None, gt=0, le=1000, description="Requests per second to this account at most; None = no pacing."
    )
    demo: bool = False
    token_source: str | None = Field(default=None, description="Where the token came from, for messages.")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in PLATFORMS:
            raise ValueError(f"must be one of {', '.join(PLATFORMS)}")
        return kind

    @model_validator(mode="before")
    @classmethod
    def _settings_given_flat(cls, data: Any) -> Any:
        """A platform setting given as a field of its own (``org_handle="acme"``, as TOML account tables
        write them) goes into ``settings``."""
        if not isinstance(data, dict):
            return data
        flat = {k: data[k] for k in SETTING_NAMES if k in data}
        if not flat:
            return data
        rest = {k: v for k, v in data.items() if k not in flat}
        return {**rest, "settings": {**flat, **(rest.get("settings") or {})}}

    @field_validator("settings", mode="before")
    @classmethod
    def _platform_settings(cls, value: Any, info: ValidationInfo) -> Any:
        """A platform's own settings are checked by the platform; one it does not have is refused."""
        platform = PLATFORMS.get(info.data.get("kind", ""))
        if platform is None or not isinstance(value, dict):
            return value
        return platform.check_settings(value, lambda key: f"`{key}`")

    def setting(self, key: str) -> str | None:
        """One of the platform's settings, ``None`` when unset."""
        return self.settings.get(key)

    @property
    def platform(self) -> Platform:
        return PLATFORMS[self.kind]

    @property
    def label(self) -> str:
        return self.platform.label
