"""Settings: every setting declared once (variable, type, default, help), and from_env(), the environment's one reader.

Parsing, the start-up description and the checks of `.env.example` and the README's settings table all follow from
the declarations below. Config is a leaf: it imports only the value types it parses.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kontext.env_values import (
    USD,
    Boolean,
    Choice,
    DatabaseUrl,
    EnvReader,
    Host,
    Integer,
    Optional,
    Port,
    ProxyUrl,
    PublicUrl,
    Seconds,
    Secret,
    ShardIds,
    Snowflake,
    Snowflakes,
    Text,
    ValueType,
)
from kontext.models import ASPECT_RATIOS, MODES, OUTPUT_FORMATS

SIMULATE = "simulate"
DEFAULT_CALLBACK_PORT = 8080  # where callbacks are served when CALLBACK_BASE_URL is set and no port is
CALLBACK_SECRET_MIN_CHARS = 16
POLL_STRATEGIES: tuple[str, ...] = ("adaptive", "fixed")
LOG_LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ENV_EXAMPLE = ".env.example"


class ConfigError(Exception):
    """The environment is missing or has malformed settings; the message lists every problem, one per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{count} configuration problem{'s' if count != 1 else ''}:\n{lines}\n"
            f"See {ENV_EXAMPLE} for every variable, with a comment and its default "
            f"(copy it to .env and fill it in)."
        )


@dataclass(frozen=True, slots=True)
class Declaration:
    """How one setting is read: its variable, its value type, and the line of help the README shows."""

    env: str
    type: ValueType[Any]
    help: str

    @property
    def secret(self) -> bool:
        """Kept out of repr (and shown redacted by its type): secrets, and URLs that may carry a password."""
        return isinstance(self.type, (Secret, DatabaseUrl))


def setting(env: str, value_type: ValueType[Any], default: Any, help: str) -> Any:
    """Declare a Settings field: read from `env` as `value_type`, `default` when unset or blank."""
    declaration = Declaration(env, value_type, help)
    return field(default=default, repr=not declaration.secret, metadata={"setting": declaration})


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its environment, validated once at start-up."""

    # Secrets
    discord_token: str = setting(
        "DISCORD_TOKEN",
        Secret(
            required=True,
            hint="the bot token from https://discord.com/developers/applications (your app > Bot > Reset Token)",
        ),
        "",
        "The bot's token. Never logged.",
    )
    apixo_api_key: str = setting(
        "APIXO_API_KEY",
        Secret(hint="an API key from your apixo dashboard, or set APIXO_BASE_URL=simulate to try the bot without one"),
        "",
        "The apixo API key (required unless simulating). Never logged.",
    )
    # Image API
    apixo_base_url: str = setting(
        "APIXO_BASE_URL",
        Text.url(keyword=SIMULATE),
        "https://api.apixo.ai/api/v1",
        "API base URL, or `simulate` for the built-in free simulation.",
    )
    poll_strategy: str = setting(
        "POLL_STRATEGY",
        Choice(POLL_STRATEGIES, str.lower),
        "adaptive",
        "`adaptive`: polls learnt from past jobs, dense around the likely finish; `fixed`: the vendor's schedule.",
    )
    poll_budget: int = setting(
        "POLL_BUDGET", Integer(), 20, "Adaptive: the most status requests for one job (the last lands on the timeout)."
    )
    poll_first_delay: float = setting(
        "POLL_FIRST_DELAY", Seconds(), 8.0, "Fixed: seconds before the first status poll (the vendor's advice)."
    )
    poll_interval: float = setting("POLL_INTERVAL", Seconds(), 2.5, "Fixed: seconds between later polls.")
    poll_timeout: float = setting("POLL_TIMEOUT", Seconds(), 120.0, "Give up waiting after this many seconds.")
    api_request_timeout: float = setting(
        "API_REQUEST_TIMEOUT", Seconds(), 30.0, "Timeout of one HTTP request to the API."
    )
    api_concurrency: int = setting(
        "API_CONCURRENCY",
        Integer(),
        24,
        "The API account's concurrency: tasks active at once across every process (shared on PostgreSQL).",
    )
    max_tasks_in_flight: int = setting(
        "MAX_TASKS_IN_FLIGHT",
        Integer(),
        20,
        "This process's share of API_CONCURRENCY: its tasks at the API at once; more users wait in line.",
    )
    max_status_concurrency: int = setting(
        "MAX_STATUS_CONCURRENCY",
        Integer(),
        5,
        "Status requests in flight at once; when more are due, the polls likeliest to find their job done go first, "
        "none held back more than 0.5 s.",
    )
    max_result_bytes: int = setting("MAX_RESULT_BYTES", Integer(), 25_000_000, "Largest result the bot will download.")
    price_pro_micros: int = setting("PRICE_PRO_USD", USD(), 30_000, "Price of a pro image, for accounting.")
    price_max_micros: int = setting("PRICE_MAX_USD", USD(), 60_000, "Price of a max image, for accounting.")
    # Quotas and budgets
    default_daily_user_limit: int = setting(
        "DEFAULT_DAILY_USER_LIMIT",
        Integer(minimum=0),
        25,
        "Images per member per day where a server set none (0: off unless a role tier allows).",
    )
    personal_daily_limit: int = setting(
        "PERSONAL_DAILY_LIMIT",
        Integer(minimum=0),
        10,
        "Images per user per day outside servers that added the bot (DMs, group DMs, user installs; 0: off there).",
    )
    default_max_concurrent_per_user: int = setting(
        "DEFAULT_MAX_CONCURRENT_PER_USER",
        Integer(),
        2,
        "Images one member may have in progress at once, where a server set none.",
    )
    global_daily_budget_micros: int | None = setting(
        "GLOBAL_DAILY_BUDGET_USD", Optional(USD()), None, "The owner's ceiling over all servers per UTC day."
    )
    default_safety_limit: int = setting(
        "DEFAULT_SAFETY_LIMIT",
        Integer(minimum=0, maximum=2),
        2,
        "Most permissive safety tolerance (0 strict, 1 moderate, 2 balanced) where a server set none, and in DMs.",
    )
    # Generation defaults
    default_mode: str = setting("DEFAULT_MODE", Choice(MODES, str.lower), "pro", "Mode when the user picks none.")
    default_aspect_ratio: str = setting(
        "DEFAULT_ASPECT_RATIO", Choice(ASPECT_RATIOS), "16:9", "Aspect ratio when the user picks none."
    )
    default_format: str = setting(
        "DEFAULT_FORMAT", Choice(OUTPUT_FORMATS, str.lower), "jpeg", "Output format when the user picks none."
    )
    enable_translation: bool = setting(
        "ENABLE_TRANSLATION", Boolean(), True, "The API's `enableTranslation` (translate non-English prompts)."
    )
    upload_cn: bool = setting("UPLOAD_CN", Boolean(), False, "The API's `uploadCn` (China servers).")
    # Discord
    dev_guild_id: int | None = setting(
        "DEV_GUILD_ID", Optional(Snowflake()), None, "Sync commands to this server at every start."
    )
    owner_ids: frozenset[int] = setting(
        "OWNER_IDS",
        Snowflakes(absent="(application owner)"),
        frozenset(),
        "Comma-separated user ids allowed to use owner commands.",
    )
    message_content_intent: bool = setting(
        "MESSAGE_CONTENT_INTENT",
        Boolean(),
        False,
        "Ask for the privileged Message Content intent (switch it on in the developer portal too).",
    )
    progress_edit_interval: float = setting(
        "PROGRESS_EDIT_INTERVAL", Seconds(zero_ok=True), 3.0, "Least seconds between two progress edits of a message."
    )
    # Storage and runtime
    database_url: str = setting(
        "DATABASE_URL",
        DatabaseUrl(),
        "sqlite:///data/kontext.db",
        "Where jobs are kept: `sqlite:///path` or `postgresql://user:pass@host/db`.",
    )
    log_level: str = setting("LOG_LEVEL", Choice(LOG_LEVELS, str.upper), "INFO", "`DEBUG` shows every poll.")
    # Web server, callbacks and scaling
    web_port: int | None = setting(
        "WEB_PORT", Optional(Port()), None, "Port of the private listener for `/healthz` and `/metrics`."
    )
    web_host: str = setting(
        "WEB_HOST", Host(), "127.0.0.1", "Address of the health and metrics listener (private by default)."
    )
    platform_port: int | None = setting(
        "PORT",
        Optional(Port()),
        None,
        "The port hosting platforms inject: the callback listener's in callback mode, else the health listener's.",
    )
    callback_base_url: str | None = setting(
        "CALLBACK_BASE_URL",
        Optional(PublicUrl(), absent="(none: polling)"),
        None,
        "Public https URL of the callback listener; set, the API POSTs results to it (callback mode).",
    )
    callback_port: int | None = setting(
        "CALLBACK_PORT", Optional(Port()), None, "Port of the public callback listener (default `PORT`, else 8080)."
    )
    callback_host: str = setting("CALLBACK_HOST", Host(), "0.0.0.0", "Address of the public callback listener.")
    callback_secret: str = setting(
        "CALLBACK_SECRET",
        Secret(
            hint=f"a random string of at least {CALLBACK_SECRET_MIN_CHARS} characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` (needed because CALLBACK_BASE_URL is set)",
        ),
        "",
        "Key signing the callback URLs (required with `CALLBACK_BASE_URL`, 16+ characters).",
    )
    callback_grace: float = setting(
        "CALLBACK_GRACE", Seconds(), 20.0, "Seconds a job waits for its callback before polling."
    )
    shard_count: int | None = setting(
        "SHARD_COUNT",
        Optional(Integer(), absent="(recommended)"),
        None,
        "Shards over all processes; empty: Discord's recommendation.",
    )
    shard_ids: tuple[int, ...] | None = setting(
        "SHARD_IDS",
        Optional(ShardIds(), absent="(all)"),
        None,
        "The shards this process runs (e.g. `0,1`); empty: all.",
    )

    discord_rest_proxy: str | None = setting(
        "DISCORD_REST_PROXY",
        Optional(ProxyUrl(), absent="(none: discord.com)"),
        None,
        "Base URL of a shared Discord REST rate-limit proxy (nirn-proxy, twilight-http-proxy).",
    )
    # Database outages and leases
    database_timeout: float = setting(
        "DATABASE_TIMEOUT", Seconds(), 10.0, "Seconds to wait for PostgreSQL to connect or answer one statement."
    )
    database_retry_limit: float = setting(
        "DATABASE_RETRY_LIMIT", Seconds(), 120.0, "Seconds a running job retries a write while the database is out."
    )
    job_lease: float = setting(
        "JOB_LEASE",
        Seconds(),
        30.0,
        "Seconds a process's hold on a job lasts unless renewed; lapsed, it is taken over.",
    )
    lease_sweep_interval: float = setting(
        "LEASE_SWEEP_INTERVAL", Seconds(), 5.0, "Seconds between two looks for jobs whose lease lapsed."
    )
    takeover_any_shard: bool = setting(
        "TAKEOVER_ANY_SHARD", Boolean(), False, "Take over lapsed jobs of every shard, not only of `SHARD_IDS`."
    )

    @property
    def callback_mode(self) -> bool:
        """True when CALLBACK_BASE_URL is set: submits ask the API to POST the result to us."""
        return self.callback_base_url is not None

    @property
    def health_port(self) -> int | None:
        """The port of the /healthz and /metrics listener, or None when it should not run."""
        if self.web_port is not None or self.callback_mode:
            return self.web_port
        return self.platform_port  # without callbacks, the platform's PORT serves its health check

    @property
    def callback_listener_port(self) -> int | None:
        """The port of the public /callback/... listener in callback mode, or None."""
        if not self.callback_mode:
            return None
        return next(p for p in (self.callback_port, self.platform_port, DEFAULT_CALLBACK_PORT) if p is not None)

    @property
    def discord_rest_base(self) -> str | None:
        """Where discord.py sends REST (discord.http.Route.BASE): the proxy's /api/v10, or None for Discord itself."""
        if self.discord_rest_proxy is None:
            return None
        if re.search(r"/api/v\d+$", self.discord_rest_proxy):
            return self.discord_rest_proxy
        return f"{self.discord_rest_proxy}/api/v10"

    @property
    def simulate(self) -> bool:
        """True when APIXO_BASE_URL=simulate: no real API calls, no key needed."""
        return self.apixo_base_url == SIMULATE

    def price_micros(self, mode: str) -> int:
        """Price of one generation in the given mode, in micro-dollars."""
        prices = self.prices
        if mode not in prices:
            raise ValueError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
        return prices[mode]

    @property
    def prices(self) -> dict[str, int]:
        """Price of one generation per mode, in micro-dollars (what QuotaService charges)."""
        return {"pro": self.price_pro_micros, "max": self.price_max_micros}

    def describe(self) -> dict[str, str]:
        """A view of the settings safe to log: secrets show only whether they are set, URLs without passwords."""
        return {item.name: declaration.type.show(getattr(self, item.name)) for item, declaration in declarations()}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate settings from env (os.environ when None); raise ConfigError naming every problem."""
        reader = EnvReader(os.environ if env is None else env)
        values = {item.name: reader.read(d.env, d.type, item.default) for item, d in declarations()}
        _check_together(reader, values)
        if reader.problems:
            raise ConfigError(reader.problems)
        return cls(**values)


def declarations() -> list[tuple[dataclasses.Field[Any], Declaration]]:
    """Every setting's field and declaration, in the order they are declared."""
    return [(item, item.metadata["setting"]) for item in dataclasses.fields(Settings)]


def _declared(name: str) -> Declaration:
    return Settings.__dataclass_fields__[name].metadata["setting"]


def _check_together(reader: EnvReader, values: dict[str, Any]) -> None:
    """The rules that relate two settings."""
    if not values["apixo_api_key"] and values["apixo_base_url"] != SIMULATE and not reader.failed("APIXO_API_KEY"):
        reader.missing("APIXO_API_KEY", _declared("apixo_api_key").type)
    secret = values["callback_secret"]
    if values["callback_base_url"] is not None and not secret and not reader.failed("CALLBACK_SECRET"):
        reader.missing("CALLBACK_SECRET", _declared("callback_secret").type)
    if secret and len(secret) < CALLBACK_SECRET_MIN_CHARS:
        reader.problem(
            f"CALLBACK_SECRET is too short ({len(secret)} characters): use at least "
            f"{CALLBACK_SECRET_MIN_CHARS} random characters",
            "CALLBACK_SECRET",
        )
    interval, timeout = values["poll_interval"], values["poll_timeout"]
    if interval > timeout and not reader.failed("POLL_INTERVAL", "POLL_TIMEOUT"):
        reader.problem(
            f"POLL_INTERVAL ({interval:g}s) is longer than POLL_TIMEOUT ({timeout:g}s): "
            "no second poll could ever happen"
        )
    web_port, callback_port = values["web_port"], values["callback_port"] or values["platform_port"]
    if (
        values["callback_base_url"] is not None
        and web_port is not None
        and web_port == (callback_port or DEFAULT_CALLBACK_PORT)
    ):
        if not reader.failed("WEB_PORT", "CALLBACK_PORT", "PORT"):
            reader.problem(
                f"WEB_PORT and the callback port are both {web_port}: /healthz and /metrics stay off the public "
                "callback listener, so give them another port (or leave WEB_PORT empty)",
                "WEB_PORT",
            )
    shard_ids, shard_count = values["shard_ids"], values["shard_count"]
    if shard_ids is not None and not reader.failed("SHARD_COUNT"):
        if shard_count is None:
            reader.problem("SHARD_IDS is set without SHARD_COUNT: say how many shards there are in all", "SHARD_IDS")
        elif any(shard >= shard_count for shard in shard_ids):
            reader.problem(
                f"SHARD_IDS has a shard id of {max(shard_ids)}: with SHARD_COUNT={shard_count} the ids are "
                f"0 to {shard_count - 1}",
                "SHARD_IDS",
            )
