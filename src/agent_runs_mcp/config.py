"""Configuration: which provider accounts exist and how the server behaves.

Accounts come from environment variables (one per provider, named after it)
and, optionally, from a TOML file named by ``AGENT_RUNS_CONFIG`` that declares
any number of named accounts. Secrets are held as :class:`pydantic.SecretStr`
so that they never show up in a repr, a log line or an error.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from agent_runs_mcp.errors import ConfigError

ProviderKind = Literal["unpod", "runtype", "modus"]
KINDS: tuple[ProviderKind, ...] = ("unpod", "runtype", "modus")

DEFAULT_BASE_URLS: dict[str, str] = {
    "unpod": "https://unpod.dev",
    "runtype": "https://api.runtype.com",
    "modus": "https://api.getmodus.com",
}
# The documented path prefixes; a base URL that already ends with one is trimmed so paths are not doubled.
API_PREFIXES: dict[str, str] = {"unpod": "/api/v2/platform", "runtype": "/v1", "modus": "/api/v1"}

TOKEN_VARIABLES: dict[str, str] = {
    "unpod": "UNPOD_API_TOKEN",
    "runtype": "RUNTYPE_API_KEY",
    "modus": "MODUS_API_KEY",
}

DEMO_BASE_URL = "http://simulator.demo"
"""Demo accounts point here; requests never leave the process (see :mod:`agent_runs_mcp.providers.registry`)."""

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class Account(BaseModel):
    """One provider account: where it lives and how to authenticate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: ProviderKind
    base_url: str
    token: SecretStr | None = None
    org_handle: str | None = None
    space_token: str | None = None
    resource: Literal["agents", "workflows"] = "agents"
    connect_timeout_s: float = Field(default=5.0, gt=0, le=60)
    read_timeout_s: float = Field(default=20.0, gt=0, le=120)
    max_concurrency: int = Field(default=6, ge=1, le=64)
    demo: bool = False
    token_source: str | None = Field(default=None, description="Where the token came from, for messages.")

    @property
    def label(self) -> str:
        return {"unpod": "Unpod", "runtype": "Runtype", "modus": "Modus"}[self.kind]


class Settings(BaseModel):
    """Everything the server needs to know, resolved once at start-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accounts: dict[str, Account] = Field(default_factory=dict)
    demo: bool = False
    http_tokens: tuple[SecretStr, ...] = ()
    config_file: str | None = None
    redact_pii: bool = True
    token_budget: int = Field(default=6000, ge=500, le=12000)
    health_max_items: int = Field(default=20000, ge=100, le=1_000_000)
    health_concurrency: int = Field(default=4, ge=1, le=32)
    cache_enabled: bool = True
    call_timeout_s: float = Field(default=45.0, ge=1, le=300)
    """Every tool call answers within this (hosts give up around 60 s); reports return what they read by then."""

    def secrets(self) -> list[str]:
        """Every configured secret value (used by tests and the log scrubber)."""
        values = [a.token.get_secret_value() for a in self.accounts.values() if a.token is not None]
        values += [t.get_secret_value() for t in self.http_tokens]
        return [v for v in values if v]


def normalize_base_url(url: str, kind: str, source: str) -> str:
    """Check a base URL is scheme + host (+ optional path prefix) and trim the documented API prefix."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{source}: {url!r} is not a base URL. Give the scheme and host, "
            f"e.g. {DEFAULT_BASE_URLS[kind]} (the adapter adds {API_PREFIXES[kind]}/...)."
        )
    path = parts.path.rstrip("/")
    prefix = API_PREFIXES[kind]
    if path.endswith(prefix):
        path = path[: -len(prefix)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off (got {raw[:20]!r}).")


def _int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (got {raw[:20]!r}).") from None


def _timeouts(env: Mapping[str, str]) -> dict[str, float]:
    """Default connect/read timeouts for the accounts configured by environment variables."""
    out: dict[str, float] = {}
    for field_name, var in (
        ("connect_timeout_s", "AGENT_RUNS_CONNECT_TIMEOUT_S"),
        ("read_timeout_s", "AGENT_RUNS_READ_TIMEOUT_S"),
    ):
        raw = (env.get(var) or "").strip()
        if raw:
            try:
                out[field_name] = float(raw)
            except ValueError:
                raise ConfigError(f"{var} must be a number of seconds (got {raw[:20]!r}).") from None
    return out


def _env_accounts(env: Mapping[str, str]) -> dict[str, Account]:
    accounts: dict[str, Account] = {}
    timeouts = _timeouts(env)
    unpod_token = env.get("UNPOD_API_TOKEN", "").strip()
    if unpod_token:
        accounts["unpod"] = Account(
            name="unpod",
            kind="unpod",
            base_url=normalize_base_url(
                env.get("UNPOD_BASE_URL") or DEFAULT_BASE_URLS["unpod"], "unpod", "UNPOD_BASE_URL"
            ),
            token=SecretStr(unpod_token),
            org_handle=(env.get("UNPOD_ORG_HANDLE") or "").strip() or None,
            space_token=(env.get("UNPOD_SPACE_TOKEN") or "").strip() or None,
            token_source="UNPOD_API_TOKEN",
            **timeouts,
        )
    runtype_key = env.get("RUNTYPE_API_KEY", "").strip()
    if runtype_key:
        accounts["runtype"] = Account(
            name="runtype",
            kind="runtype",
            base_url=normalize_base_url(
                env.get("RUNTYPE_BASE_URL") or DEFAULT_BASE_URLS["runtype"], "runtype", "RUNTYPE_BASE_URL"
            ),
            token=SecretStr(runtype_key),
            token_source="RUNTYPE_API_KEY",
            **timeouts,
        )
    modus_key = env.get("MODUS_API_KEY", "").strip()
    if modus_key:
        resource = (env.get("MODUS_RESOURCE") or "agents").strip().lower()
        if resource not in ("agents", "workflows"):
            raise ConfigError(f"MODUS_RESOURCE must be `agents` or `workflows` (got {resource[:20]!r}).")
        accounts["modus"] = Account(
            name="modus",
            kind="modus",
            base_url=normalize_base_url(
                env.get("MODUS_BASE_URL") or DEFAULT_BASE_URLS["modus"], "modus", "MODUS_BASE_URL"
            ),
            token=SecretStr(modus_key),
            resource=resource,  # type: ignore[arg-type]
            token_source="MODUS_API_KEY",
            **timeouts,
        )
    return accounts


_TOML_ALIASES = {"api_key": "token", "api_token": "token", "org": "org_handle", "space": "space_token"}


def _toml_account(name: str, table: Any, path: str, env: Mapping[str, str]) -> Account:
    where = f"{path}, account `{name}`"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of settings ([accounts.{name}]).")
    data: dict[str, Any] = {}
    for key, value in table.items():
        data[_TOML_ALIASES.get(key, key)] = value
    kind = data.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{where}: field `kind` must be one of unpod, runtype, modus (got {kind!r}).")
    token_env = data.pop("token_env", None)
    if token_env is not None:
        if "token" in data:
            raise ConfigError(f"{where}: give either `token` or `token_env`, not both.")
        if not isinstance(token_env, str) or not token_env:
            raise ConfigError(f"{where}: field `token_env` must name an environment variable.")
        secret = env.get(token_env, "").strip()
        if not secret:
            raise ConfigError(
                f"{where}: field `token_env` names {token_env}, which is not set in the environment. "
                f"Export {token_env}=<your {kind} token> or remove the account."
            )
        data["token"] = secret
        data["token_source"] = token_env
    elif "token" in data:
        data["token_source"] = f"{path} [accounts.{name}].token"
    if not data.get("token"):
        raise ConfigError(f'{where}: no credentials. Add `token_env = "VARIABLE"` (recommended) or `token = "..."`.')
    base = data.get("base_url") or DEFAULT_BASE_URLS[kind]
    if not isinstance(base, str):
        raise ConfigError(f"{where}: field `base_url` must be a string.")
    data["base_url"] = normalize_base_url(base, kind, f"{where}: field `base_url`")
    data["name"] = name
    try:
        return Account.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"field `{'.'.join(str(p) for p in err['loc'])}`: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"{where}: {problems}.") from None


def load_toml_accounts(path: str, env: Mapping[str, str]) -> dict[str, Account]:
    """Read the named accounts of an ``AGENT_RUNS_CONFIG`` TOML file."""
    file = Path(path).expanduser()
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"AGENT_RUNS_CONFIG={path}: cannot read the file ({exc.strerror}).") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    unknown = set(doc) - {"accounts"}
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s) {sorted(unknown)}; expected [accounts.<name>] tables.")
    tables = doc.get("accounts", {})
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{path}: no accounts. Add at least one [accounts.<name>] table with `kind`.")
    return {name: _toml_account(name, table, path, env) for name, table in tables.items()}


def demo_accounts() -> dict[str, Account]:
    """The three accounts of demo mode, all served by the in-process simulator."""
    from agent_runs_mcp.simulator.world import DEMO_CREDENTIALS

    accounts: dict[str, Account] = {}
    for kind in KINDS:
        creds = DEMO_CREDENTIALS[kind]
        accounts[kind] = Account(
            name=kind,
            kind=kind,
            base_url=DEMO_BASE_URL,
            token=SecretStr(creds["token"]),
            org_handle=creds.get("org_handle"),
            space_token=creds.get("space_token"),
            demo=True,
            token_source="demo mode",
        )
    return accounts


def load_settings(env: Mapping[str, str] | None = None, *, demo: bool | None = None) -> Settings:
    """Resolve the settings from the environment (and the TOML file it names)."""
    env = os.environ if env is None else env
    demo_on = _flag(env, "AGENT_RUNS_DEMO", False) if demo is None else demo
    config_file = (env.get("AGENT_RUNS_CONFIG") or "").strip() or None
    if demo_on:
        accounts = demo_accounts()
    else:
        accounts = _env_accounts(env)
        if config_file:
            for name, account in load_toml_accounts(config_file, env).items():
                if name in accounts:
                    raise ConfigError(
                        f"{config_file}: account `{name}` is also configured by "
                        f"{TOKEN_VARIABLES[name]}; rename the TOML account (e.g. `{name}-prod`)."
                    )
                accounts[name] = account
    tokens = tuple(SecretStr(t.strip()) for t in (env.get("AGENT_RUNS_HTTP_TOKEN") or "").split(",") if t.strip())
    extra: dict[str, Any] = {}
    for field_name, var in (
        ("token_budget", "AGENT_RUNS_TOKEN_BUDGET"),
        ("health_max_items", "AGENT_RUNS_HEALTH_MAX_ITEMS"),
        ("health_concurrency", "AGENT_RUNS_HEALTH_CONCURRENCY"),
        ("call_timeout_s", "AGENT_RUNS_CALL_TIMEOUT_S"),
    ):
        value = _int(env, var)
        if value is not None:
            extra[field_name] = value
    try:
        return Settings(
            accounts=accounts,
            demo=demo_on,
            http_tokens=tokens,
            config_file=config_file,
            redact_pii=_flag(env, "AGENT_RUNS_REDACT_PII", True),
            cache_enabled=_flag(env, "AGENT_RUNS_CACHE", True),
            **extra,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{err['loc'][0]}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"Invalid server setting: {problems}.") from None
