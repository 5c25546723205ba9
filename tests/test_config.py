"""Settings.from_env(): defaults, validation that reports everything at once, and secrets kept out of sight."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from dotenv import dotenv_values

from kontext.api.callbacks import callback_signature, callback_urls, signature_ok
from kontext.config import ConfigError, Settings, declarations
from kontext.money import format_usd, parse_usd

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.token-secret-value-xyz"
API_KEY = "sk-apixo-secret-key-0123456789abcdef"
PG_PASSWORD = "pg-pass-w0rd"
CALLBACK_SECRET = "callback-secret-0123456789"
ENV_EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
README = ENV_EXAMPLE.with_name("README.md")
BASE = {"DISCORD_TOKEN": TOKEN, "APIXO_API_KEY": API_KEY}


def settings(**env: str) -> Settings:
    return Settings.from_env({**BASE, **env})


def problems(env: dict[str, str]) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as excinfo:
        Settings.from_env(env)
    return excinfo.value.problems


def test_config_defaults() -> None:
    s = Settings.from_env(BASE)

    assert s.discord_token == TOKEN and s.apixo_api_key == API_KEY
    assert s.apixo_base_url == "https://api.apixo.ai/api/v1" and s.simulate is False
    assert s.database_url == "sqlite:///data/kontext.db"
    assert (s.dev_guild_id, s.owner_ids, s.log_level, s.web_port) == (None, frozenset(), "INFO", None)
    assert (s.default_mode, s.default_aspect_ratio, s.default_format) == ("pro", "16:9", "jpeg")
    assert (s.enable_translation, s.upload_cn) == (True, False)
    assert (s.poll_first_delay, s.poll_interval, s.poll_timeout, s.api_request_timeout) == (8.0, 2.5, 120.0, 30.0)
    assert (s.poll_strategy, s.poll_budget) == ("adaptive", 20)
    assert s.progress_edit_interval == 3.0
    assert (s.max_tasks_in_flight, s.max_status_concurrency, s.max_result_bytes) == (20, 5, 25_000_000)
    assert (s.price_pro_micros, s.price_max_micros) == (30_000, 60_000)
    assert (s.default_daily_user_limit, s.default_max_concurrent_per_user) == (25, 2)
    assert s.global_daily_budget_micros is None
    assert (s.web_host, s.callback_base_url, s.callback_grace, s.callback_mode) == ("127.0.0.1", None, 20.0, False)
    assert (s.callback_listener_port, s.callback_host) == (None, "0.0.0.0")
    assert (s.shard_count, s.shard_ids) == (None, None)


def test_config_defaults_match_dataclass_defaults() -> None:
    assert Settings.from_env(BASE) == Settings(discord_token=TOKEN, apixo_api_key=API_KEY)


def test_config_blank_values_mean_default() -> None:
    assert settings(LOG_LEVEL="", DEV_GUILD_ID="  ", POLL_TIMEOUT="") == Settings.from_env(BASE)


def test_config_parses_every_variable() -> None:
    s = settings(
        APIXO_BASE_URL="http://127.0.0.1:8080/api/v1/",
        DATABASE_URL=f"postgresql://bot:{PG_PASSWORD}@db:5432/kontext",
        DEV_GUILD_ID="123456789012345678",
        OWNER_IDS=" 1, 22 ,333,",
        LOG_LEVEL="debug",
        DEFAULT_MODE="MAX",
        DEFAULT_ASPECT_RATIO="1:1",
        DEFAULT_FORMAT="PNG",
        ENABLE_TRANSLATION="off",
        UPLOAD_CN="Yes",
        POLL_FIRST_DELAY="0.01",
        POLL_INTERVAL="0.02",
        POLL_TIMEOUT="1",
        POLL_STRATEGY="Fixed",
        POLL_BUDGET="4",
        API_REQUEST_TIMEOUT="5",
        PROGRESS_EDIT_INTERVAL="0",
        MAX_TASKS_IN_FLIGHT="3",
        MAX_STATUS_CONCURRENCY="2",
        MAX_RESULT_BYTES="1_000",
        PRICE_PRO_USD="0.035",
        PRICE_MAX_USD="1",
        DEFAULT_DAILY_USER_LIMIT="0",
        DEFAULT_MAX_CONCURRENT_PER_USER="4",
        GLOBAL_DAILY_BUDGET_USD="12.34",
        PORT="5000",
        WEB_PORT="9100",
        WEB_HOST="0.0.0.0",
        CALLBACK_BASE_URL="https://bot.example.com/kontext/",
        CALLBACK_HOST="127.0.0.1",
        CALLBACK_SECRET=CALLBACK_SECRET,
        CALLBACK_GRACE="7.5",
        SHARD_COUNT="4",
        SHARD_IDS="3, 1,",
    )

    assert s.apixo_base_url == "http://127.0.0.1:8080/api/v1"  # trailing slash stripped
    assert s.database_url == f"postgresql://bot:{PG_PASSWORD}@db:5432/kontext"
    assert (s.dev_guild_id, s.owner_ids) == (123456789012345678, frozenset({1, 22, 333}))
    assert (s.log_level, s.default_mode, s.default_aspect_ratio, s.default_format) == ("DEBUG", "max", "1:1", "png")
    assert (s.enable_translation, s.upload_cn) == (False, True)
    assert (s.poll_first_delay, s.poll_interval, s.poll_timeout, s.api_request_timeout) == (0.01, 0.02, 1.0, 5.0)
    assert (s.poll_strategy, s.poll_budget) == ("fixed", 4)
    assert s.progress_edit_interval == 0.0
    assert (s.max_tasks_in_flight, s.max_status_concurrency, s.max_result_bytes) == (3, 2, 1000)
    assert (s.price_pro_micros, s.price_max_micros) == (35_000, 1_000_000)
    assert (s.default_daily_user_limit, s.default_max_concurrent_per_user) == (0, 4)
    assert s.global_daily_budget_micros == 12_340_000
    assert (s.health_port, s.web_host) == (9100, "0.0.0.0")
    assert (s.callback_listener_port, s.callback_host) == (5000, "127.0.0.1")  # the platform's PORT is the public one
    assert s.callback_base_url == "https://bot.example.com/kontext"  # trailing slash stripped
    assert (s.callback_secret, s.callback_grace, s.callback_mode) == (CALLBACK_SECRET, 7.5, True)
    assert (s.shard_count, s.shard_ids) == (4, (1, 3))


@pytest.mark.parametrize("word", ["true", "1", "yes", "on", "TRUE", "On"])
def test_config_boolean_true_words(word: str) -> None:
    assert settings(UPLOAD_CN=word).upload_cn is True


@pytest.mark.parametrize("word", ["false", "0", "no", "off", "False", "NO"])
def test_config_boolean_false_words(word: str) -> None:
    assert settings(ENABLE_TRANSLATION=word).enable_translation is False


def test_config_prices_are_exact_integer_micros() -> None:
    s = settings(PRICE_PRO_USD="0.03", PRICE_MAX_USD="0.07")

    assert s.price_pro_micros == 30_000 and type(s.price_pro_micros) is int
    assert s.price_max_micros == 70_000  # 0.07 * 1e6 is 70000.00000000001 in floats
    assert (s.price_micros("pro"), s.price_micros("max")) == (30_000, 70_000)


def test_config_global_budget_is_exact_integer_micros() -> None:
    s = settings(GLOBAL_DAILY_BUDGET_USD="0.07")

    assert s.global_daily_budget_micros == 70_000 and type(s.global_daily_budget_micros) is int
    assert s.describe()["global_daily_budget_micros"] == "$0.07"


@pytest.mark.parametrize(("text", "micros"), [("0.03", 30_000), ("$1.5", 1_500_000), (" 12 ", 12_000_000), ("0", 0)])
def test_config_parse_usd_is_exact(text: str, micros: int) -> None:
    assert parse_usd(text) == micros


@pytest.mark.parametrize("text", ["-1", "0.0000001", "nan", "inf", "sNaN", "six", ""])
def test_config_parse_usd_rejects_non_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_usd(text)


def test_config_format_usd() -> None:
    assert (format_usd(30_000), format_usd(1_500_000), format_usd(0)) == ("$0.03", "$1.50", "$0.00")


def test_config_prices_mapping_for_quotas() -> None:
    assert settings(PRICE_PRO_USD="0.035").prices == {"pro": 35_000, "max": 60_000}


def test_config_price_micros_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError):
        settings().price_micros("ultra")


def test_config_sqlite_memory_and_postgres_scheme_accepted() -> None:
    assert settings(DATABASE_URL="sqlite:///:memory:").database_url == "sqlite:///:memory:"
    assert settings(DATABASE_URL="postgres://h/db").database_url == "postgres://h/db"


def test_config_web_port_wins_over_port() -> None:
    assert settings(WEB_PORT="8080", PORT="5000").health_port == 8080


def test_config_simulate_needs_no_key() -> None:
    s = Settings.from_env({"DISCORD_TOKEN": TOKEN, "APIXO_BASE_URL": "SIMULATE"})

    assert s.simulate is True and s.apixo_base_url == "simulate"
    assert s.apixo_api_key == ""


def test_config_missing_secrets_both_reported() -> None:
    found = problems({})

    assert [p.split()[0] for p in found] == ["DISCORD_TOKEN", "APIXO_API_KEY"]
    assert "simulate" in found[1]


def test_config_every_malformed_value_reported_at_once() -> None:
    bad = {
        "APIXO_BASE_URL": "ftp://example.com",
        "DATABASE_URL": "mysql://localhost/db",
        "DEV_GUILD_ID": "my-server",
        "OWNER_IDS": "1,two",
        "LOG_LEVEL": "verbose",
        "DEFAULT_MODE": "ultra",
        "DEFAULT_ASPECT_RATIO": "2:1",
        "DEFAULT_FORMAT": "gif",
        "ENABLE_TRANSLATION": "maybe",
        "UPLOAD_CN": "2",
        "POLL_FIRST_DELAY": "-1",
        "POLL_INTERVAL": "nan",
        "POLL_TIMEOUT": "0",
        "POLL_STRATEGY": "smart",
        "POLL_BUDGET": "0",
        "API_REQUEST_TIMEOUT": "thirty",
        "PROGRESS_EDIT_INTERVAL": "-0.5",
        "MAX_TASKS_IN_FLIGHT": "0",
        "MAX_STATUS_CONCURRENCY": "2.5",
        "MAX_RESULT_BYTES": "-5",
        "PRICE_PRO_USD": "0.0000001",
        "PRICE_MAX_USD": "six cents",
        "DEFAULT_DAILY_USER_LIMIT": "-1",
        "DEFAULT_MAX_CONCURRENT_PER_USER": "0",
        "GLOBAL_DAILY_BUDGET_USD": "ten",
        "WEB_PORT": "70000",
        "PORT": "http",
        "WEB_HOST": "my host",
        "CALLBACK_PORT": "0",
        "CALLBACK_HOST": "a/b",
        "CALLBACK_BASE_URL": "ftp://bot.example.com",
        "CALLBACK_SECRET": "too-short",
        "CALLBACK_GRACE": "-5",
        "SHARD_COUNT": "0",
        "SHARD_IDS": "first",
    }

    with pytest.raises(ConfigError) as excinfo:
        Settings.from_env(bad)

    error = excinfo.value
    named = {p.split("=")[0].split()[0] for p in error.problems}
    assert named == {*bad, "DISCORD_TOKEN", "APIXO_API_KEY"}
    assert len(error.problems) == len(bad) + 2
    assert str(error).count("\n  - ") == len(error.problems)  # one problem per line
    assert str(error).rstrip().splitlines()[-1].count(".env.example") == 1


def test_config_poll_interval_longer_than_timeout_is_a_problem() -> None:
    with pytest.raises(ConfigError, match="POLL_INTERVAL"):
        settings(POLL_INTERVAL="10", POLL_TIMEOUT="5")


def test_config_poll_interval_equal_to_timeout_is_fine() -> None:
    assert settings(POLL_INTERVAL="5", POLL_TIMEOUT="5").poll_interval == 5.0


def test_config_secrets_never_in_repr_str_or_describe() -> None:
    s = settings(
        DATABASE_URL=f"postgresql://bot:{PG_PASSWORD}@db/kontext",
        CALLBACK_BASE_URL="https://bot.example.com",
        CALLBACK_SECRET=CALLBACK_SECRET,
    )
    described = s.describe()

    for text in (repr(s), str(s), repr(described)):
        assert TOKEN not in text and API_KEY not in text and PG_PASSWORD not in text and CALLBACK_SECRET not in text
    assert described["discord_token"] == "***set***" and described["apixo_api_key"] == "***set***"
    assert described["callback_secret"] == "***set***"
    assert described["database_url"] == "postgresql://bot:***@db/kontext"
    assert set(described) == {f.name for f in dataclasses.fields(Settings)}


def test_config_describe_marks_missing_key_in_simulate_mode() -> None:
    s = Settings.from_env({"DISCORD_TOKEN": TOKEN, "APIXO_BASE_URL": "simulate"})

    assert s.describe()["apixo_api_key"] == "(missing)"


def test_config_secrets_never_in_error_text() -> None:
    # Secrets that are malformed, and secrets pasted on the wrong lines, must not be echoed back.
    env = {
        "DISCORD_TOKEN": f"Bot {TOKEN}",
        "APIXO_API_KEY": f"Bearer {API_KEY}",
        "DEV_GUILD_ID": TOKEN,
        "APIXO_BASE_URL": API_KEY,
        "DATABASE_URL": f"mysql://bot:{PG_PASSWORD}@db/kontext",
        "LOG_LEVEL": API_KEY,
    }

    with pytest.raises(ConfigError) as excinfo:
        Settings.from_env(env)

    text = str(excinfo.value)
    assert len(excinfo.value.problems) == len(env)
    for secret in (TOKEN, API_KEY, PG_PASSWORD):
        assert secret not in text


def test_config_is_frozen() -> None:
    s = settings()

    with pytest.raises(dataclasses.FrozenInstanceError):
        s.log_level = "DEBUG"  # type: ignore[misc]


def test_config_every_setting_is_declared_once() -> None:
    names = [declaration.env for _, declaration in declarations()]

    assert len(names) >= 30 and len(names) == len(set(names))
    assert all(declaration.help.endswith(".") for _, declaration in declarations())


def test_config_env_example_lists_every_variable() -> None:
    listed = set(dotenv_values(ENV_EXAMPLE))

    assert listed == {declaration.env for _, declaration in declarations()}


def _readme_settings() -> dict[str, str]:
    """The README's settings table: variable → default column (several variables may share a row)."""
    text = README.read_text()
    table = text[text.index("## Settings") :]
    rows: dict[str, str] = {}
    for line in table.splitlines()[1:]:
        if line.startswith("## "):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z_]+)`", cells[0])
        defaults = [d.strip() for d in cells[1].split("/")] if len(names) > 1 else [cells[1]]
        for name, default in zip(names, defaults * len(names), strict=False):
            rows[name] = default
    return rows


def test_config_readme_table_lists_every_variable_with_its_default() -> None:
    rows = _readme_settings()

    assert set(rows) == {declaration.env for _, declaration in declarations()}
    for item, declaration in declarations():
        if item.default in (None, "", frozenset()):
            continue  # shown in words: "empty", "— (required)"
        shown = rows[declaration.env].strip("`")
        assert declaration.type.parse(shown) == item.default, (declaration.env, shown, item.default)


def test_config_env_example_values_are_the_defaults() -> None:
    example = {k: v or "" for k, v in dotenv_values(ENV_EXAMPLE).items()}
    example.update(BASE)

    assert Settings.from_env(example) == Settings.from_env(BASE)


def test_config_callback_secret_required_in_callback_mode() -> None:
    found = problems({**BASE, "CALLBACK_BASE_URL": "https://bot.example.com"})

    assert len(found) == 1 and found[0].startswith("CALLBACK_SECRET is missing")


def test_config_callback_secret_too_short_is_not_echoed() -> None:
    found = problems({**BASE, "CALLBACK_BASE_URL": "https://bot.example.com", "CALLBACK_SECRET": "hunter2-hunter2"})

    assert len(found) == 1 and "too short" in found[0] and "hunter2" not in found[0]


def test_config_callback_url_is_signed_per_job() -> None:
    s = settings(CALLBACK_BASE_URL="https://bot.example.com/", CALLBACK_SECRET=CALLBACK_SECRET)

    signed = callback_urls(s.callback_base_url, s.callback_secret)
    url = signed("0123abcd")
    assert url == f"https://bot.example.com/callback/0123abcd/{callback_signature(CALLBACK_SECRET, '0123abcd')}"
    assert signature_ok(CALLBACK_SECRET, "0123abcd", url.rsplit("/", 1)[1])
    assert not signature_ok(CALLBACK_SECRET, "0123abce", url.rsplit("/", 1)[1])
    assert CALLBACK_SECRET not in url
    assert signed("0123abcd") != signed("0123abce")


def test_config_callback_url_is_none_when_polling() -> None:
    s = settings()
    assert callback_urls(s.callback_base_url, s.callback_secret)("0123abcd") is None


def test_config_callback_base_url_must_be_https_except_on_localhost() -> None:
    assert settings(CALLBACK_BASE_URL="http://127.0.0.1:8080", CALLBACK_SECRET=CALLBACK_SECRET).callback_mode
    found = problems({**BASE, "CALLBACK_BASE_URL": "http://bot.example.com", "CALLBACK_SECRET": CALLBACK_SECRET})

    assert len(found) == 1 and found[0].startswith("CALLBACK_BASE_URL=") and "https" in found[0]


def test_config_callback_mode_serves_on_8080_unless_a_port_is_set() -> None:
    env = {"CALLBACK_BASE_URL": "https://bot.example.com", "CALLBACK_SECRET": CALLBACK_SECRET}

    assert (settings(**env).callback_listener_port, settings(**env).health_port) == (8080, None)
    assert (settings(**env, PORT="5000").callback_listener_port, settings(**env, PORT="5000").health_port) == (
        5000,
        None,
    )
    assert settings(**env, PORT="5000", CALLBACK_PORT="7000").callback_listener_port == 7000
    assert settings(WEB_PORT="9000").health_port == 9000 and settings(WEB_PORT="9000").callback_listener_port is None
    assert settings(PORT="5000").health_port == 5000, "without callbacks, the platform's PORT serves its health check"


def test_config_health_and_callbacks_never_share_a_port() -> None:
    env = {"CALLBACK_BASE_URL": "https://bot.example.com", "CALLBACK_SECRET": CALLBACK_SECRET}

    found = problems({**BASE, **env, "WEB_PORT": "8080"})

    assert len(found) == 1 and found[0].startswith("WEB_PORT") and "/metrics" in found[0]


def test_config_shard_ids_need_a_shard_count() -> None:
    found = problems({**BASE, "SHARD_IDS": "0"})

    assert len(found) == 1 and found[0].startswith("SHARD_IDS") and "SHARD_COUNT" in found[0]


def test_config_shard_ids_must_be_below_the_count() -> None:
    found = problems({**BASE, "SHARD_COUNT": "2", "SHARD_IDS": "1,2"})

    assert len(found) == 1 and found[0].startswith("SHARD_IDS") and "0 to 1" in found[0]


def test_config_shard_count_alone_runs_every_shard() -> None:
    s = settings(SHARD_COUNT="3")

    assert (s.shard_count, s.shard_ids) == (3, None)
    assert s.describe()["shard_ids"] == "(all)"
