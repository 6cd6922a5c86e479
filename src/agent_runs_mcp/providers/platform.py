"""What a platform *is*, declared as data: one :class:`Platform` per package under ``providers/``.

Everything outside a platform's own package (configuration, errors, the
registry, ``doctor``, the tools) learns about a platform from this record
only, so adding a platform is one new package (its ``PLATFORM`` and adapter),
its simulator part and its tests, plus one line in
:mod:`agent_runs_mcp.providers.platforms`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent_runs_mcp.domain import Status

ReasonPatterns = tuple[tuple[str, tuple[str, ...]], ...]
"""Ordered (reason code, substrings of a lower-cased failure reason): codes from the health vocabulary."""


@dataclass(frozen=True, slots=True)
class CallWords:
    """How a platform words a finished call's fate, for the shared health figures (none: not a calling platform)."""

    voicemail: tuple[str, ...] = ()
    """Words in a call's status, end reason or outcome that mean a machine answered."""
    not_connected: tuple[str, ...] = ()
    """Words in a call's status that mean nobody was reached."""
    customer_ended: tuple[str, ...] = ()
    """Words in a call's end reason that mean the customer hung up."""


@dataclass(frozen=True, slots=True)
class Platform:
    """The facts about one platform that code outside its package may use."""

    kind: str
    """The account ``kind`` (``unpod``) and the default account name."""
    label: str
    """How messages name it (``Unpod``)."""
    summary: str
    """What its agents are, in a few words, for the server's instructions."""
    default_base_url: str
    api_prefix: str
    """The documented path prefix; a configured base URL ending with it is trimmed."""
    token_variable: str
    base_url_variable: str
    adapter: Callable[[], Any]
    """Returns the adapter class (a :class:`~agent_runs_mcp.providers.base.Provider`), imported on first use:
    the record stays cheap to import and the table imports no adapter."""
    statuses: dict[str, Status]
    """The platform's status words (lower-case, ``_`` for ``-`` and spaces) -> normalized status."""
    settings_variables: dict[str, str] = field(default_factory=dict)
    """The platform's own account settings (``Account.settings``; in TOML, keys of the account table), each
    with the environment variable it is read from. A setting not named here is refused."""
    setup_hint: str = ""
    """One sentence for ``doctor`` when the account is missing something beyond its token."""
    reason_patterns: ReasonPatterns = ()
    """How its failure texts map to the health vocabulary, beyond the generic patterns (telephony words)."""
    call_words: CallWords = field(default_factory=CallWords)
    setting_aliases: dict[str, str] = field(default_factory=dict)
    """Shorter TOML keys for its settings (``org`` for ``org_handle``)."""
    setting_checks: dict[str, Callable[[str], str]] = field(default_factory=dict)
    """The platform's own account settings (``resource``), each checked by the platform: returns the value
    to keep or raises ``ValueError``/``PydanticCustomError`` saying what is accepted."""

    def check_settings(self, values: Mapping[str, object], name: Callable[[str], str]) -> dict[str, str]:
        """This platform's settings checked (unset ones dropped), or ``ValueError`` naming the setting by
        ``name`` (its variable, or its TOML key) and saying what is accepted."""
        checked: dict[str, str] = {}
        for key, value in values.items():
            if value is None:
                continue
            if key not in self.settings_variables:
                accepted = ", ".join(name(k) for k in self.settings_variables) or "none"
                label = self.label
                raise ValueError(f"{name(key)} is not a setting of {label} accounts ({label} accepts: {accepted})")
            if not isinstance(value, str):
                raise ValueError(f"{name(key)} should be a string (got {str(value)[:20]!r})")
            check = self.setting_checks.get(key)
            try:
                checked[key] = check(value) if check is not None else value
            except ValueError as exc:  # PydanticCustomError too
                message = str(exc).replace("Input should be", "should be")
                raise ValueError(f"{name(key)}: {message} (got {value[:20]!r})") from None
        return checked

    def normalize(self, word: object) -> Status:
        """Map one of this platform's status words (see :func:`normalize_status`)."""
        return normalize_status(self.statuses, word)


def normalize_status(table: dict[str, Status], word: object) -> Status:
    """Map a provider's word; anything unknown (or missing) is ``unknown``, never a guess."""
    if not isinstance(word, str):
        return Status.UNKNOWN
    found = table.get(word)
    if found is not None:
        return found
    return table.get(word.strip().lower().replace("-", "_").replace(" ", "_"), Status.UNKNOWN)
