"""Configuration: which provider accounts exist and how the server behaves.

Accounts come from environment variables (one per provider, named after it)
and, optionally, from a TOML file named by ``AGENT_RUNS_CONFIG`` that declares
any number of named accounts. Secrets are held as :class:`pydantic.SecretStr`
so that they never show up in a repr, a log line or an error.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from agent_runs_mcp.errors import ConfigError
from agent_runs_mcp.providers.account import SETTING_ALIASES, SETTING_NAMES
from agent_runs_mcp.providers.account import Account as Account  # re-exported: configuration builds these
from agent_runs_mcp.providers.platforms import KINDS, PLATFORMS

DEMO_BASE_URL = "http://simulator.demo"
"""Demo accounts point here; the demo wiring (:mod:`agent_runs_mcp.server.demo_wiring`) answers it in process."""

log = logging.getLogger("agent_runs_mcp.config")

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class Settings(BaseModel):
    """Everything the server needs to know, resolved once at start-up.

    One record for the accounts, the tools' limits and the serve options (transport, bind address,
    workers, logging, auth, Redis, connection limits): :func:`load_settings` reads the environment
    once and applies the command line's flags on top; everything after start-up, uvicorn's worker
    processes included, is handed this record and reads no variable itself.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    accounts: dict[str, Account] = Field(default_factory=dict)
    demo: bool = False
    http_tokens: tuple[SecretStr, ...] = ()
    config_file: str | None = None
    redact_pii: bool = True
    http_max_connections: int = Field(default=1000, ge=16, le=100_000)
    """Open HTTP connections at most (fewer when the descriptor limit is lower): server/connections.py."""
    http_request_timeout_s: float = Field(default=30.0, gt=0, le=600)
    """Time for a request's headers and body to arrive, from the connection being ready for it."""
    token_budget: int = Field(default=6000, ge=500, le=12000)
    """Tokens a result may use; at most 12,000 so that text + structured stay under 25,000."""
    health_max_items: int = Field(default=20000, ge=100, le=1_000_000)
    health_concurrency: int = Field(default=4, ge=1, le=32)
    cache_enabled: bool = True
    call_timeout_s: float = Field(default=45.0, ge=1, le=300)
    """Every tool call answers within this (hosts give up around 60 s); reports return what they read by then."""
    oauth_issuer: str | None = None
    """OAuth/OIDC issuer whose JWT access tokens the HTTP transport accepts (resource-server mode)."""
    public_url: str | None = None
    """This server's public base URL: the tokens' audience and the base of its resource metadata."""
    oauth_scope: str | None = None
    """A scope every access token must carry."""
    redis_url: SecretStr | None = None
    """Redis shared by replicas (it may carry a password: a secret)."""
    metrics_token: SecretStr | None = None
    """Bearer token `/metrics` requires; none: open, like `/healthz`."""
    transport: Literal["stdio", "http"] = "stdio"
    host: str = "127.0.0.1"
    """HTTP only: the address to bind."""
    port: int = Field(default=8765, ge=0, le=65535)
    """HTTP only: the port to bind (0: any free port)."""
    workers: int = 1
    """HTTP only: uvicorn worker processes (more than 1: each is handed this record, see server/http.py)."""
    allowed_hosts: tuple[str, ...] = ()
    """HTTP only: public names clients use, accepted as Host/Origin besides loopback and the bind host."""
    allow_unauthenticated: bool = False
    """HTTP only: serve a non-loopback host without a token (loudly)."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = "text"
    otlp_endpoint: str | None = None
    """The OpenTelemetry collector (``OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT``): traces are exported when set."""
    otel_service_name: str = "agent-runs-mcp"

    @property
    def oauth(self) -> bool:
        return bool(self.oauth_issuer)

    def secrets(self) -> list[str]:
        """Every configured secret value (tests check that no output, log or error carries one)."""
        values = [a.token.get_secret_value() for a in self.accounts.values() if a.token is not None]
        values += [t.get_secret_value() for t in self.http_tokens]
        values += [self.metrics_token.get_secret_value()] if self.metrics_token else []
        if self.redis_url is not None:
            password = urlsplit(self.redis_url.get_secret_value()).password
            values += [password] if password else []
        return [v for v in values if v]


def normalize_base_url(url: str, kind: str, source: str) -> str:
    """Check a base URL is scheme + host (+ optional path prefix) and trim the documented API prefix."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{source}: {url!r} is not a base URL. Give the scheme and host, "
            f"e.g. {PLATFORMS[kind].default_base_url} (the adapter adds {PLATFORMS[kind].api_prefix}/...)."
        )
    path = parts.path.rstrip("/")
    prefix = PLATFORMS[kind].api_prefix
    if path.endswith(prefix):
        path = path[: -len(prefix)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def _url(env: Mapping[str, str], name: str) -> str | None:
    """An http(s) base URL from ``name``: https, except on a loopback host (local tests)."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if not parts.netloc or parts.scheme not in ("https", "http") or (parts.scheme == "http" and not local):
        raise ConfigError(f"{name} must be an https:// URL (http:// only for localhost); got {raw[:80]!r}.")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name} must not carry a query or fragment; got {raw[:80]!r}.")
    return raw.rstrip("/")


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


def _seconds(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds (got {raw[:20]!r}).") from None


_ACCOUNT_DEFAULTS = {
    "connect_timeout_s": "AGENT_RUNS_CONNECT_TIMEOUT_S",
    "read_timeout_s": "AGENT_RUNS_READ_TIMEOUT_S",
    "max_requests_per_s": "AGENT_RUNS_MAX_REQUESTS_PER_S",
    "max_body_mb": "AGENT_RUNS_MAX_BODY_MB",
}
"""Account fields that variables set for every account configured by environment variables."""


def _timeouts(env: Mapping[str, str]) -> dict[str, float]:
    """Default timeouts and request rate for the accounts configured by environment variables."""
    out: dict[str, float] = {}
    for field_name, var in _ACCOUNT_DEFAULTS.items():
        raw = (env.get(var) or "").strip()
        if raw:
            try:
                out[field_name] = float(raw)
            except ValueError:
                raise ConfigError(f"{var} must be a number (got {raw[:20]!r}).") from None
    return out


def _env_accounts(env: Mapping[str, str]) -> dict[str, Account]:
    """One account per platform whose token variable is set, named after the platform."""
    accounts: dict[str, Account] = {}
    timeouts = _timeouts(env)
    for kind, platform in PLATFORMS.items():
        token = env.get(platform.token_variable, "").strip()
        if not token:
            continue
        data: dict[str, Any] = {
            "name": kind,
            "kind": kind,
            "base_url": normalize_base_url(
                env.get(platform.base_url_variable) or platform.default_base_url, kind, platform.base_url_variable
            ),
            "token": SecretStr(token),
            "token_source": platform.token_variable,
            **timeouts,
        }
        given = {key: (env.get(var) or "").strip() or None for key, var in platform.settings_variables.items()}
        try:  # the platform checks its own settings, named by their variables
            data["settings"] = platform.check_settings(given, platform.settings_variables.__getitem__)
        except ValueError as exc:
            raise ConfigError(f"{exc}.") from None
        try:
            accounts[kind] = Account.model_validate(data)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else "?"
                var = platform.settings_variables.get(name) or _ACCOUNT_DEFAULTS.get(name, name)
                message = err["msg"].replace("Input should be", "should be")
                problems.append(f"{var}: {message} (got {str(data.get(name))[:20]!r})")
            raise ConfigError("; ".join(problems) + ".") from None
    return accounts


_TOML_ALIASES = {"api_key": "token", "api_token": "token", **SETTING_ALIASES}


def _toml_account(name: str, table: Any, path: str, env: Mapping[str, str]) -> Account:
    where = f"{path}, account `{name}`"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of settings ([accounts.{name}]).")
    data: dict[str, Any] = {}
    for key, value in table.items():
        data[_TOML_ALIASES.get(key, key)] = value
    kind = data.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{where}: field `kind` must be one of {', '.join(KINDS)} (got {str(kind)[:40]!r}).")
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
    base = data.get("base_url") or PLATFORMS[kind].default_base_url
    if not isinstance(base, str):
        raise ConfigError(f"{where}: field `base_url` must be a string.")
    data["base_url"] = normalize_base_url(base, kind, f"{where}: field `base_url`")
    data["name"] = name
    given = {key: data.pop(key) for key in SETTING_NAMES if key in data}
    try:  # the platform checks its own settings (keys of the account table); another platform's are refused
        data["settings"] = PLATFORMS[kind].check_settings(given, lambda key: f"`{key}`")
    except ValueError as exc:
        raise ConfigError(f"{where}: field {exc}.") from None
    try:
        return Account.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"field `{'.'.join(str(p) for p in err['loc'])}`: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"{where}: {problems}.") from None


def load_toml_accounts(path: str, env: Mapping[str, str]) -> dict[str, Account]:
    """Read the named accounts of an ``AGENT_RUNS_CONFIG`` TOML file."""
    import tomllib  # only with a TOML file: start-up without one does not load the parser

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


_PLACEHOLDER = re.compile(r"\$\{[^{}]*\}")


def _our_variable(name: str) -> bool:
    if name.startswith("AGENT_RUNS_"):
        return True
    return any(
        name in (p.token_variable, p.base_url_variable, *p.settings_variables.values()) for p in PLATFORMS.values()
    )


def without_placeholders(env: Mapping[str, str]) -> Mapping[str, str]:
    """Our variables whose value is an unexpanded ``${...}`` placeholder, treated as unset (one log line).

    A host that launches the server from a template (an MCP Bundle's ``${user_config.unpod_org_handle}``
    for an optional field the user left empty) may pass the placeholder itself: read literally, it
    would become an org handle, a token or a base URL. A value like that is never meant literally.
    """
    names = sorted(k for k, v in env.items() if _our_variable(k) and _PLACEHOLDER.fullmatch(v.strip()))
    if not names:
        return env
    log.warning(
        "Treating %s as unset: the value is an unexpanded ${...} placeholder (the host did not substitute it).",
        ", ".join(names),
    )
    return {k: v for k, v in env.items() if k not in names}


SETTING_VARIABLES = {
    "token_budget": "AGENT_RUNS_TOKEN_BUDGET",
    "health_max_items": "AGENT_RUNS_HEALTH_MAX_ITEMS",
    "health_concurrency": "AGENT_RUNS_HEALTH_CONCURRENCY",
    "call_timeout_s": "AGENT_RUNS_CALL_TIMEOUT_S",
    "http_max_connections": "AGENT_RUNS_HTTP_MAX_CONNECTIONS",
    "http_request_timeout_s": "AGENT_RUNS_HTTP_REQUEST_TIMEOUT_S",
}
"""The numeric server settings and the environment variables that set them (errors name the variable)."""

VARIABLES: dict[str, tuple[str, ...]] = {
    **{field_name: (var,) for field_name, var in SETTING_VARIABLES.items()},
    "demo": ("AGENT_RUNS_DEMO",),
    "config_file": ("AGENT_RUNS_CONFIG",),
    "http_tokens": ("AGENT_RUNS_HTTP_TOKEN",),
    "redact_pii": ("AGENT_RUNS_REDACT_PII",),
    "cache_enabled": ("AGENT_RUNS_CACHE",),
    "oauth_issuer": ("AGENT_RUNS_OAUTH_ISSUER",),
    "public_url": ("AGENT_RUNS_PUBLIC_URL",),
    "oauth_scope": ("AGENT_RUNS_OAUTH_SCOPE",),
    "redis_url": ("AGENT_RUNS_REDIS_URL",),
    "metrics_token": ("AGENT_RUNS_METRICS_TOKEN",),
    "allowed_hosts": ("AGENT_RUNS_HTTP_ALLOWED_HOSTS",),
    "log_level": ("AGENT_RUNS_LOG_LEVEL",),
    "log_format": ("AGENT_RUNS_LOG_FORMAT",),
    "otlp_endpoint": ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    "otel_service_name": ("OTEL_SERVICE_NAME",),
}
"""Every :class:`Settings` field an environment variable sets, and its variables (the docs list each one).
``accounts`` come from the platforms' variables and ``AGENT_RUNS_CONFIG``; ``transport``, ``host``,
``port``, ``workers`` and ``allow_unauthenticated`` from the command line only."""

FLAGS = {
    "transport": "--transport",
    "host": "--host",
    "port": "--port",
    "workers": "--workers",
    "allowed_hosts": "--allowed-host",
    "allow_unauthenticated": "--allow-unauthenticated",
    "log_level": "--log-level",
    "log_format": "--log-format",
}
"""The serve options the command line sets (over the variables): errors about them name the flag."""


def _serve_options(env: Mapping[str, str], flags: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The serve options from the variables, then the command line's flags on top; and where each came from.

    ``--allowed-host`` adds to ``AGENT_RUNS_HTTP_ALLOWED_HOSTS`` (as the flag always did); other flags replace.
    """
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    hosts = [h.strip() for h in (env.get("AGENT_RUNS_HTTP_ALLOWED_HOSTS") or "").split(",") if h.strip()]
    for name in ("log_level", "log_format"):
        raw = (env.get(VARIABLES[name][0]) or "").strip()
        if raw:
            values[name], sources[name] = raw.lower(), VARIABLES[name][0]
    endpoint = next((env[v].strip() for v in VARIABLES["otlp_endpoint"] if (env.get(v) or "").strip()), None)
    if endpoint:
        values["otlp_endpoint"] = endpoint
    service = (env.get("OTEL_SERVICE_NAME") or "").strip()
    if service:
        values["otel_service_name"] = service
    for name, value in flags.items():
        if name not in FLAGS:
            raise TypeError(f"not a serve option: {name}")
        if name == "allowed_hosts":
            hosts += [h for h in value if h.strip()]
        elif value is not None:
            values[name], sources[name] = value, FLAGS[name]
    values["allowed_hosts"] = tuple(hosts)
    return values, sources


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    demo: bool | None = None,
    demo_accounts: Callable[[], dict[str, Account]] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve the settings from the environment (and the TOML file it names), once, at start-up.

    In demo mode the accounts come from ``demo_accounts``: the demo wiring
    (:func:`agent_runs_mcp.server.demo_wiring.load_settings`) passes the
    simulator's, so this module knows nothing of the simulator. ``flags`` are the
    command line's serve options (:data:`FLAGS`; ``None`` = not given), which win over
    the variables. An invalid value is a :class:`ConfigError` naming the variable or
    flag it came from, what is accepted and what was given.
    """
    env = without_placeholders(os.environ if env is None else env)
    serve, sources = _serve_options(env, flags or {})
    demo_on = _flag(env, "AGENT_RUNS_DEMO", False) if demo is None else demo
    config_file = (env.get("AGENT_RUNS_CONFIG") or "").strip() or None
    if demo_on:
        if demo_accounts is None:
            raise ConfigError("Demo mode is assembled by the server: start it with `agent-runs-mcp serve --demo`.")
        accounts = demo_accounts()
    else:
        accounts = _env_accounts(env)
        if config_file:
            for name, account in load_toml_accounts(config_file, env).items():
                if name in accounts:
                    raise ConfigError(
                        f"{config_file}: account `{name}` is also configured by "
                        f"{PLATFORMS[name].token_variable}; rename the TOML account (e.g. `{name}-prod`)."
                    )
                accounts[name] = account
    tokens = tuple(SecretStr(t.strip()) for t in (env.get("AGENT_RUNS_HTTP_TOKEN") or "").split(",") if t.strip())
    issuer = _url(env, "AGENT_RUNS_OAUTH_ISSUER")
    public_url = _url(env, "AGENT_RUNS_PUBLIC_URL")
    if issuer and not public_url:
        raise ConfigError(
            "AGENT_RUNS_OAUTH_ISSUER needs AGENT_RUNS_PUBLIC_URL: this server's public base URL "
            "(e.g. https://agent-runs.example.com), which access tokens must name as their audience."
        )
    scope = (env.get("AGENT_RUNS_OAUTH_SCOPE") or "").strip() or None
    if scope and (not issuer or " " in scope):
        raise ConfigError("AGENT_RUNS_OAUTH_SCOPE is one scope (no spaces) and needs AGENT_RUNS_OAUTH_ISSUER.")
    metrics = (env.get("AGENT_RUNS_METRICS_TOKEN") or "").strip()
    redis_url = (env.get("AGENT_RUNS_REDIS_URL") or "").strip()
    if redis_url and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("AGENT_RUNS_REDIS_URL must be a redis://, rediss:// or unix:// URL.")
    extra: dict[str, float] = {}
    for field_name, var in SETTING_VARIABLES.items():
        value = _seconds(env, var) if field_name.endswith("_s") else _int(env, var)
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
            oauth_issuer=issuer,
            public_url=public_url,
            oauth_scope=scope,
            redis_url=SecretStr(redis_url) if redis_url else None,
            metrics_token=SecretStr(metrics) if metrics else None,
            **extra,
            **serve,
        )
    except ValidationError as exc:  # name the variable (or flag) the operator set, not our field
        sources = {**{f: v[0] for f, v in VARIABLES.items()}, **sources}
        problems = "; ".join(
            f"{sources.get(str(err['loc'][0]), str(err['loc'][0]))}: "
            f"{err['msg'].replace('Input should be', 'should be')} (got {str(err.get('input'))[:20]!r})"
            for err in exc.errors()
        )
        raise ConfigError(f"Invalid server setting: {problems}.") from None
