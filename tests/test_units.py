"""Pure pieces: time parsing, refs and cursors, status tables, transcript parsing, configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent_runs_mcp.config import Account, load_settings, normalize_base_url
from agent_runs_mcp.domain import Status
from agent_runs_mcp.errors import ConfigError, InputError
from agent_runs_mcp.providers.client import retry_after_seconds, segment, trim_detail
from agent_runs_mcp.providers.modus import STATUSES as MODUS
from agent_runs_mcp.providers.platform import normalize_status
from agent_runs_mcp.providers.runtype import STATUSES as RUNTYPE
from agent_runs_mcp.providers.turns import turns_from_any
from agent_runs_mcp.providers.unpod import STATUSES as UNPOD
from agent_runs_mcp.refs import Cursor, decode_cursor, encode_cursor, make_ref, parse_ref
from agent_runs_mcp.timeutil import parse_time, parse_user_time

# --- time ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-02-07T05:57:45", datetime(2026, 2, 7, 5, 57, 45, tzinfo=UTC)),
        ("2026-02-07T05:57:45.123", datetime(2026, 2, 7, 5, 57, 45, 123000, tzinfo=UTC)),
        ("2026-02-07 05:57:45.001234", datetime(2026, 2, 7, 5, 57, 45, 1234, tzinfo=UTC)),
        ("2024-06-10T14:22:30Z", datetime(2024, 6, 10, 14, 22, 30, tzinfo=UTC)),
        ("2025-10-16T05:32:24.952+00:00", datetime(2025, 10, 16, 5, 32, 24, 952000, tzinfo=UTC)),
        ("2025-10-16T11:02:24+05:30", datetime(2025, 10, 16, 5, 32, 24, tzinfo=UTC)),
        ("2025-10-16T05:32:24.9521234Z", datetime(2025, 10, 16, 5, 32, 24, 952123, tzinfo=UTC)),
        (1717000000, datetime(2024, 5, 29, 16, 26, 40, tzinfo=UTC)),
        (1717000000000, datetime(2024, 5, 29, 16, 26, 40, tzinfo=UTC)),
    ],
)
def test_parse_time_accepts_provider_shapes(raw: object, expected: datetime) -> None:
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "N/A", "yesterday", {"a": 1}, True])
def test_parse_time_returns_none_for_unreadable(raw: object) -> None:
    assert parse_time(raw) is None


def test_parse_user_time_relative_and_errors() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert parse_user_time("24h", "since", now) == now - timedelta(hours=24)
    assert parse_user_time("7d", "since", now) == now - timedelta(days=7)
    assert parse_user_time("30m", "since", now) == now - timedelta(minutes=30)
    assert parse_user_time("2026-11-20T00:00:00Z", "since", now) == datetime(2026, 11, 20, tzinfo=UTC)
    with pytest.raises(InputError, match=r"`since`.*24h"):
        parse_user_time("last tuesday", "since", now)


# --- refs and cursors ----------------------------------------------------------------------------


def test_ref_round_trip_with_awkward_values() -> None:
    ref = make_ref("unpod-prod", "task", t="T1", r="wf:1,2=3", s=None, a="a b/c")
    decoded = parse_ref(ref)
    assert decoded.account == "unpod-prod"
    assert decoded.kind == "task"
    assert decoded.fields == {"t": "T1", "r": "wf:1,2=3", "a": "a b/c"}


@pytest.mark.parametrize("bad", ["", "nonsense", "unpod:widget:t=1", "unpod:task:t", "x" * 3000])
def test_parse_ref_rejects_foreign_strings(bad: str) -> None:
    with pytest.raises(InputError, match="`ref`"):
        parse_ref(bad)


def test_cursor_round_trip_and_query_binding() -> None:
    text = encode_cursor(Cursor("3.100.abc", 7), "fp1")
    assert decode_cursor(text, "fp1") == Cursor("3.100.abc", 7)
    with pytest.raises(InputError, match="different query"):
        decode_cursor(text, "fp2")
    with pytest.raises(InputError, match="`cursor` is not valid"):
        decode_cursor("c1.!!!", "fp1")
    assert decode_cursor(None, "fp1") == Cursor(None, 0)


# --- statuses and ids ----------------------------------------------------------------------------


def test_status_tables_cover_documented_words() -> None:
    assert normalize_status(UNPOD, "partially_completed") is Status.PARTIAL
    assert normalize_status(UNPOD, "in_progress") is Status.RUNNING
    assert normalize_status(UNPOD, "hold") is Status.PENDING
    assert normalize_status(MODUS, "error") is Status.FAILED
    assert normalize_status(MODUS, "awaiting_human") is Status.AWAITING_HUMAN
    assert normalize_status(RUNTYPE, "completed") is Status.COMPLETED
    assert normalize_status(RUNTYPE, "Weird-New-State") is Status.UNKNOWN
    assert normalize_status(UNPOD, None) is Status.UNKNOWN


@pytest.mark.parametrize("bad", ["../etc", "a/b", "x?y=1", "a\x00b", " ", "..", "a" * 300, "a#b", "a%2Fb"])
def test_segment_refuses_path_tricks(bad: str) -> None:
    with pytest.raises(InputError):
        segment(bad, "agent")


def test_segment_keeps_legitimate_ids() -> None:
    assert segment("space-agent-8qmk42nslp91wrh3dz7btxc4", "agent") == "space-agent-8qmk42nslp91wrh3dz7btxc4"
    assert segment("wf_42_run_1:1111", "run_id") == "wf_42_run_1%3A1111"


def test_retry_after_parsing_and_trim() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None
    assert trim_detail("<html><body><h1>502 Bad Gateway</h1></body></html>") == "502 Bad Gateway"


# --- transcripts ---------------------------------------------------------------------------------


def test_transcript_list_in_order_with_normalized_speakers() -> None:
    start = datetime(2026, 2, 7, 5, 57, 40, tzinfo=UTC)
    raw = [
        {"role": "assistant", "content": "Hello", "timestamp": "2026-02-07 05:57:45.001234"},
        {"role": "user", "content": "Hi", "timestamp": "2026-02-07T05:57:50+00:00"},
        {"role": "tool", "content": {"text": "lookup ok"}},
        {"role": "narrator", "content": "odd"},
        {"role": "user", "content": "   "},
    ]
    turns = turns_from_any(raw, start)
    assert [(t.index, t.speaker, t.text) for t in turns] == [
        (0, "agent", "Hello"),
        (1, "customer", "Hi"),
        (2, "tool", "lookup ok"),
        (3, "system", "[narrator] odd"),
    ]
    assert turns[0].seconds_from_start == 5.0
    assert turns[1].seconds_from_start == 10.0


def test_transcript_string_and_vapi_messages() -> None:
    text = "AI: Hello there\nUser: Who is this?\ncontinued line\nassistant: Acme Solar."
    turns = turns_from_any(text)
    assert [(t.speaker, t.text) for t in turns] == [
        ("agent", "Hello there"),
        ("customer", "Who is this?\ncontinued line"),
        ("agent", "Acme Solar."),
    ]
    vapi = [{"role": "bot", "message": "Hi", "time": 1717000000000, "secondsFromStart": 0.5}]
    (turn,) = turns_from_any(vapi)
    assert turn.speaker == "agent"
    assert turn.seconds_from_start == 0.5


# --- configuration -------------------------------------------------------------------------------


def test_env_accounts_and_defaults() -> None:
    settings = load_settings(
        {
            "UNPOD_API_TOKEN": "u-secret",
            "UNPOD_ORG_HANDLE": "acme.com",
            "RUNTYPE_API_KEY": "rt_live_x",
            "RUNTYPE_BASE_URL": "https://api.runtype.com/v1/",
            "MODUS_API_KEY": "modus_x",
            "MODUS_RESOURCE": "workflows",
        }
    )
    assert set(settings.accounts) == {"unpod", "runtype", "modus"}
    assert settings.accounts["unpod"].base_url == "https://unpod.dev"
    assert settings.accounts["runtype"].base_url == "https://api.runtype.com"
    assert settings.accounts["modus"].settings["resource"] == "workflows"
    assert "u-secret" not in repr(settings)


def test_no_accounts_when_unset() -> None:
    assert load_settings({}).accounts == {}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://unpod.dev/api/v2/platform/", "https://unpod.dev"),
        ("http://127.0.0.1:8900", "http://127.0.0.1:8900"),
        ("https://proxy.example.com/unpod", "https://proxy.example.com/unpod"),
    ],
)
def test_base_url_normalization(url: str, expected: str) -> None:
    assert normalize_base_url(url, "unpod", "X") == expected


def test_bad_base_url_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="UNPOD_BASE_URL"):
        load_settings({"UNPOD_API_TOKEN": "t", "UNPOD_BASE_URL": "unpod.dev"})


def test_toml_accounts(tmp_path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(
        """
[accounts.unpod-prod]
kind = "unpod"
token_env = "PROD_TOKEN"
org_handle = "acme.com"

[accounts.modus-eu]
kind = "modus"
api_key = "modus_inline"
base_url = "https://api.staging.getmodus.com"
resource = "workflows"
"""
    )
    settings = load_settings({"AGENT_RUNS_CONFIG": str(path), "PROD_TOKEN": "p-secret"})
    assert set(settings.accounts) == {"unpod-prod", "modus-eu"}
    assert settings.accounts["unpod-prod"].token.get_secret_value() == "p-secret"
    assert settings.accounts["modus-eu"].settings["resource"] == "workflows"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[accounts.a]\nkind = "unpood"\ntoken = "x"', r"account `a`: field `kind` must be one of"),
        (
            '[accounts.a]\nkind = "unpod"\ntoken_env = "MISSING_VAR"',
            r"account `a`: field `token_env` names MISSING_VAR",
        ),
        ('[accounts.a]\nkind = "unpod"', r"account `a`: no credentials"),
        ('[accounts.a]\nkind = "modus"\ntoken = "x"\nresource = "bots"', r"account `a`: field `resource`"),
        ('[accounts.a]\nkind = "unpod"\ntoken = "x"\ncolour = "red"', r"account `a`: field `colour`"),
        ("this is not toml", r"not valid TOML"),
    ],
)
def test_toml_errors_name_file_account_and_field(tmp_path, body: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings({"AGENT_RUNS_CONFIG": str(path)})
    assert str(path) in str(info.value)


def test_second_settings_take_fractions_and_errors_name_the_variable() -> None:
    from agent_runs_mcp.config import load_settings
    from agent_runs_mcp.errors import ConfigError

    assert load_settings({"AGENT_RUNS_CALL_TIMEOUT_S": "2.5"}, demo=False).call_timeout_s == 2.5
    with pytest.raises(ConfigError, match="AGENT_RUNS_CALL_TIMEOUT_S must be a number of seconds"):
        load_settings({"AGENT_RUNS_CALL_TIMEOUT_S": "soon"}, demo=False)
    with pytest.raises(ConfigError, match="AGENT_RUNS_TOKEN_BUDGET must be a whole number"):
        load_settings({"AGENT_RUNS_TOKEN_BUDGET": "2.5"}, demo=False)


def test_a_rate_limit_error_keeps_the_wait_the_provider_asked_for() -> None:
    import httpx

    from agent_runs_mcp.errors import RateLimitedError
    from agent_runs_mcp.providers.account import Account
    from agent_runs_mcp.providers.statuses import status_error

    account = Account(name="unpod", kind="unpod", base_url="https://unpod.example")
    error = status_error(account, httpx.Response(429), "the runs", None, True, retry_after=7.0)
    assert isinstance(error, RateLimitedError) and error.retry_after_s == 7.0
    assert str(error).startswith("Unpod [HTTP 429]: rate limit reached while fetching the runs (asked to wait 7s).")


def test_a_platform_checks_its_own_settings() -> None:
    """Modus's path family is checked by the Modus package (its Platform's setting_checks), named by variable."""
    env = {"MODUS_API_KEY": "k", "MODUS_RESOURCE": "Workflows"}
    assert load_settings(env, demo=False).accounts["modus"].settings["resource"] == "workflows"
    with pytest.raises(ConfigError, match="MODUS_RESOURCE: should be 'agents' or 'workflows'"):
        load_settings({**env, "MODUS_RESOURCE": "pipelines"}, demo=False)


def test_a_setting_of_another_platform_is_refused(tmp_path: Path) -> None:
    """`resource` is Modus's: on an Unpod account it is refused, naming the TOML key and what Unpod accepts."""
    path = tmp_path / "accounts.toml"
    path.write_text('[accounts.u]\nkind = "unpod"\ntoken = "t"\nresource = "workflows"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings({"AGENT_RUNS_CONFIG": str(path)})
    said = str(caught.value)
    assert "field `resource` is not a setting of Unpod accounts (Unpod accepts: `org_handle`, `space_token`)" in said
    assert "settings" not in said, said  # the TOML key is named, never the internal field
    with pytest.raises(ValueError, match="`resource` is not a setting of Unpod accounts"):
        Account(name="u", kind="unpod", base_url="https://unpod.dev", resource="workflows")
    path.write_text('[accounts.m]\nkind = "modus"\ntoken = "t"\norg = "acme.com"\n')
    with pytest.raises(ConfigError, match="field `org_handle` is not a setting of Modus accounts"):
        load_settings({"AGENT_RUNS_CONFIG": str(path)})
