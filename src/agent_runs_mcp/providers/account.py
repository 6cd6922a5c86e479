"""One provider account: where it lives and how to authenticate.

It lives with the providers (the adapters, the HTTP client and the registry read it);
:mod:`agent_runs_mcp.config` builds accounts from the environment or a TOML file and
depends on this module, never the reverse.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from agent_runs_mcp.providers.platform import Platform
from agent_runs_mcp.providers.platforms import PLATFORMS


class Account(BaseModel):
    """One provider account: where it lives and how to authenticate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str = Field(description="A platform kind from agent_runs_mcp.providers.platforms.")
    base_url: str
    token: SecretStr | None = None
    org_handle: str | None = None
    space_token: str | None = None
    resource: str | None = Field(
        default=None, description="Modus path family; None = find out per host (see the Modus adapter)."
    )
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

    @field_validator("org_handle", "space_token", "resource")
    @classmethod
    def _platform_setting(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A platform's own settings are checked by the platform (its ``setting_checks``)."""
        platform = PLATFORMS.get(info.data.get("kind", ""))
        check = platform.setting_checks.get(info.field_name or "") if platform else None
        return check(value) if check is not None and value is not None else value

    @property
    def platform(self) -> Platform:
        return PLATFORMS[self.kind]

    @property
    def label(self) -> str:
        return self.platform.label
