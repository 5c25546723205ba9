"""Settings.from_env(): the one reader of the environment, validating everything at start-up."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kontext.callbacks import callback_url
from kontext.env_values import EnvReader, format_usd, secret_state
from kontext.models import ASPECT_RATIOS, MODES, OUTPUT_FORMATS
from kontext.scheduling import POLL_STRATEGIES
from kontext.storage import redact_url

SIMULATE = "simulate"
DEFAULT_BASE_URL = "https://api.apixo.ai/api/v1"
DEFAULT_DATABASE_URL = "sqlite:///data/kontext.db"
DEFAULT_WEB_PORT = 8080  # where callbacks are served when CALLBACK_BASE_URL is set and no port is
CALLBACK_SECRET_MIN_CHARS = 16
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
class Settings:
    """Everything the bot reads from its environment, validated once at start-up."""

    discord_token: str = field(repr=False)
    apixo_api_key: str = field(default="", repr=False)  # "" only in simulate mode
    apixo_base_url: str = DEFAULT_BASE_URL  # or "simulate"
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = frozenset()  # empty: the application's owner(s)
    message_content_intent: bool = False  # privileged: lets reply-to-edit see other members' images
    log_level: str = "INFO"
    default_mode: str = "pro"
    default_aspect_ratio: str = "16:9"
    default_format: str = "jpeg"
    enable_translation: bool = True
    upload_cn: bool = False
    poll_first_delay: float = 8.0
    poll_interval: float = 2.5
    poll_timeout: float = 120.0
    poll_strategy: str = "adaptive"  # adaptive: learnt from past jobs; fixed: POLL_FIRST_DELAY, then POLL_INTERVAL
    poll_budget: int = 20  # most planned status requests for one job (adaptive); then the floor until the timeout
    api_request_timeout: float = 30.0
    progress_edit_interval: float = 3.0
    max_tasks_in_flight: int = 20
    max_status_concurrency: int = 5
    max_result_bytes: int = 25_000_000
    price_pro_micros: int = 30_000
    price_max_micros: int = 60_000
    default_daily_user_limit: int = 25  # images per member per day where a server set none; 0: off by default
    default_max_concurrent_per_user: int = 2  # jobs one member may have running at once, unless the server says
    global_daily_budget_micros: int | None = None  # the owner's ceiling over all servers per UTC day; None: none
    web_port: int | None = None
    web_host: str = "0.0.0.0"  # all interfaces: hosting platforms route $PORT from outside the container
    callback_base_url: str | None = None  # public https URL of this process's web server; set: callback mode
    callback_secret: str = field(default="", repr=False)  # HMAC key of the callback URLs
    callback_grace: float = 20.0  # seconds to wait for a callback before polling, until callbacks are confirmed
    shard_count: int | None = None  # None: as many shards as Discord recommends, all in this process
    shard_ids: tuple[int, ...] | None = None  # the shards this process runs; None: all of shard_count
    discord_rest_proxy: str | None = field(default=None, repr=False)  # a shared rate-limit proxy; may hold a password

    @property
    def callback_mode(self) -> bool:
        """True when CALLBACK_BASE_URL is set: submits ask the API to POST the result to us."""
        return self.callback_base_url is not None

    def callback_url(self, job_id: str) -> str | None:
        """The signed URL the API should POST a job's result to, or None when not in callback mode."""
        if self.callback_base_url is None:
            return None
        return callback_url(self.callback_base_url, self.callback_secret, job_id)

    @property
    def serve_port(self) -> int | None:
        """The port of the web server (health, metrics, callbacks), or None when it should not run."""
        if self.web_port is not None:
            return self.web_port
        return DEFAULT_WEB_PORT if self.callback_mode else None

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
        if mode == "pro":
            return self.price_pro_micros
        if mode == "max":
            return self.price_max_micros
        raise ValueError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")

    @property
    def prices(self) -> dict[str, int]:
        """Price of one generation per mode, in micro-dollars (what QuotaService charges)."""
        return {"pro": self.price_pro_micros, "max": self.price_max_micros}

    def describe(self) -> dict[str, str]:
        """A view of the settings safe to log: secrets show only whether they are set."""
        return {
            "discord_token": secret_state(self.discord_token),
            "apixo_api_key": secret_state(self.apixo_api_key),
            "apixo_base_url": self.apixo_base_url,
            "database_url": redact_url(self.database_url),
            "dev_guild_id": str(self.dev_guild_id) if self.dev_guild_id is not None else "(none)",
            "owner_ids": ", ".join(str(i) for i in sorted(self.owner_ids)) or "(application owner)",
            "message_content_intent": str(self.message_content_intent).lower(),
            "log_level": self.log_level,
            "default_mode": self.default_mode,
            "default_aspect_ratio": self.default_aspect_ratio,
            "default_format": self.default_format,
            "enable_translation": str(self.enable_translation).lower(),
            "upload_cn": str(self.upload_cn).lower(),
            "poll_first_delay": f"{self.poll_first_delay:g}s",
            "poll_interval": f"{self.poll_interval:g}s",
            "poll_timeout": f"{self.poll_timeout:g}s",
            "poll_strategy": self.poll_strategy,
            "poll_budget": str(self.poll_budget),
            "api_request_timeout": f"{self.api_request_timeout:g}s",
            "progress_edit_interval": f"{self.progress_edit_interval:g}s",
            "max_tasks_in_flight": str(self.max_tasks_in_flight),
            "max_status_concurrency": str(self.max_status_concurrency),
            "max_result_bytes": str(self.max_result_bytes),
            "price_pro": format_usd(self.price_pro_micros),
            "price_max": format_usd(self.price_max_micros),
            "default_daily_user_limit": str(self.default_daily_user_limit),
            "default_max_concurrent_per_user": str(self.default_max_concurrent_per_user),
            "global_daily_budget": (
                format_usd(self.global_daily_budget_micros) if self.global_daily_budget_micros is not None else "(none)"
            ),
            "web_port": str(self.web_port) if self.web_port is not None else "(none)",
            "web_host": self.web_host,
            "callback_base_url": self.callback_base_url or "(none: polling)",
            "callback_secret": secret_state(self.callback_secret),
            "callback_grace": f"{self.callback_grace:g}s",
            "shard_count": str(self.shard_count) if self.shard_count is not None else "(recommended)",
            "shard_ids": ", ".join(map(str, self.shard_ids)) if self.shard_ids is not None else "(all)",
            "discord_rest_proxy": redact_url(self.discord_rest_proxy)
            if self.discord_rest_proxy
            else "(none: discord.com)",
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate settings from env (os.environ when None); raise ConfigError naming every problem."""
        r = EnvReader(os.environ if env is None else env)
        d = cls.__dataclass_fields__
        token = r.secret(
            "DISCORD_TOKEN",
            required=True,
            hint="the bot token from https://discord.com/developers/applications (your app > Bot > Reset Token)",
        )
        base_url = r.base_url("APIXO_BASE_URL", DEFAULT_BASE_URL, keyword=SIMULATE)
        api_key = r.secret(
            "APIXO_API_KEY",
            required=base_url != SIMULATE,
            hint="an API key from your apixo dashboard, or set APIXO_BASE_URL=simulate to try the bot without one",
        )
        database_url = r.database_url("DATABASE_URL", DEFAULT_DATABASE_URL)
        dev_guild_id = r.snowflake("DEV_GUILD_ID")
        owner_ids = r.snowflakes("OWNER_IDS")
        message_content_intent = r.boolean("MESSAGE_CONTENT_INTENT", d["message_content_intent"].default)
        log_level = r.choice("LOG_LEVEL", d["log_level"].default, LOG_LEVELS, str.upper)
        default_mode = r.choice("DEFAULT_MODE", d["default_mode"].default, MODES, str.lower)
        default_aspect_ratio = r.choice("DEFAULT_ASPECT_RATIO", d["default_aspect_ratio"].default, ASPECT_RATIOS)
        default_format = r.choice("DEFAULT_FORMAT", d["default_format"].default, OUTPUT_FORMATS, str.lower)
        enable_translation = r.boolean("ENABLE_TRANSLATION", d["enable_translation"].default)
        upload_cn = r.boolean("UPLOAD_CN", d["upload_cn"].default)
        poll_first_delay = r.seconds("POLL_FIRST_DELAY", d["poll_first_delay"].default)
        poll_interval = r.seconds("POLL_INTERVAL", d["poll_interval"].default)
        poll_timeout = r.seconds("POLL_TIMEOUT", d["poll_timeout"].default)
        poll_strategy = r.choice("POLL_STRATEGY", d["poll_strategy"].default, POLL_STRATEGIES, str.lower)
        poll_budget = r.integer("POLL_BUDGET", d["poll_budget"].default)
        api_request_timeout = r.seconds("API_REQUEST_TIMEOUT", d["api_request_timeout"].default)
        # Zero is allowed here: it turns the throttle off (useful in tests).
        progress_edit_interval = r.seconds("PROGRESS_EDIT_INTERVAL", d["progress_edit_interval"].default, zero_ok=True)
        max_tasks_in_flight = r.integer("MAX_TASKS_IN_FLIGHT", d["max_tasks_in_flight"].default)
        max_status_concurrency = r.integer("MAX_STATUS_CONCURRENCY", d["max_status_concurrency"].default)
        max_result_bytes = r.integer("MAX_RESULT_BYTES", d["max_result_bytes"].default)
        price_pro_micros = r.money("PRICE_PRO_USD", d["price_pro_micros"].default)
        price_max_micros = r.money("PRICE_MAX_USD", d["price_max_micros"].default)
        default_daily_user_limit = r.count("DEFAULT_DAILY_USER_LIMIT", d["default_daily_user_limit"].default)
        default_max_concurrent_per_user = r.integer(
            "DEFAULT_MAX_CONCURRENT_PER_USER", d["default_max_concurrent_per_user"].default
        )
        global_daily_budget_micros = r.budget("GLOBAL_DAILY_BUDGET_USD")
        # WEB_PORT is this project's own name; PORT is what hosting platforms inject. The explicit one wins.
        web_port = r.port("WEB_PORT")
        platform_port = r.port("PORT")
        if web_port is None:
            web_port = platform_port
        web_host = r.host("WEB_HOST", d["web_host"].default)
        callback_base_url = r.public_url("CALLBACK_BASE_URL")
        callback_secret = r.secret(
            "CALLBACK_SECRET",
            required=callback_base_url is not None,
            hint=f"a random string of at least {CALLBACK_SECRET_MIN_CHARS} characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` (needed because CALLBACK_BASE_URL is set)",
        )
        if callback_secret and len(callback_secret) < CALLBACK_SECRET_MIN_CHARS:
            r.problem(
                f"CALLBACK_SECRET is too short ({len(callback_secret)} characters): use at least "
                f"{CALLBACK_SECRET_MIN_CHARS} random characters",
                "CALLBACK_SECRET",
            )
        callback_grace = r.seconds("CALLBACK_GRACE", d["callback_grace"].default)
        shard_count = r.optional_integer("SHARD_COUNT")
        shard_ids = r.shard_ids("SHARD_IDS")
        discord_rest_proxy = r.proxy_url("DISCORD_REST_PROXY")

        if poll_interval > poll_timeout and not r.failed("POLL_INTERVAL", "POLL_TIMEOUT"):
            r.problem(
                f"POLL_INTERVAL ({poll_interval:g}s) is longer than POLL_TIMEOUT ({poll_timeout:g}s): "
                "no second poll could ever happen"
            )
        if shard_ids is not None and not r.failed("SHARD_COUNT"):
            if shard_count is None:
                r.problem("SHARD_IDS is set without SHARD_COUNT: say how many shards there are in all", "SHARD_IDS")
            elif any(shard >= shard_count for shard in shard_ids):
                r.problem(
                    f"SHARD_IDS has a shard id of {max(shard_ids)}: with SHARD_COUNT={shard_count} the ids are "
                    f"0 to {shard_count - 1}",
                    "SHARD_IDS",
                )
        if r.problems:
            raise ConfigError(r.problems)
        return cls(
            discord_token=token,
            apixo_api_key=api_key,
            apixo_base_url=base_url,
            database_url=database_url,
            dev_guild_id=dev_guild_id,
            owner_ids=owner_ids,
            message_content_intent=message_content_intent,
            log_level=log_level,
            default_mode=default_mode,
            default_aspect_ratio=default_aspect_ratio,
            default_format=default_format,
            enable_translation=enable_translation,
            upload_cn=upload_cn,
            poll_first_delay=poll_first_delay,
            poll_interval=poll_interval,
            poll_timeout=poll_timeout,
            poll_strategy=poll_strategy,
            poll_budget=poll_budget,
            api_request_timeout=api_request_timeout,
            progress_edit_interval=progress_edit_interval,
            max_tasks_in_flight=max_tasks_in_flight,
            max_status_concurrency=max_status_concurrency,
            max_result_bytes=max_result_bytes,
            price_pro_micros=price_pro_micros,
            price_max_micros=price_max_micros,
            default_daily_user_limit=default_daily_user_limit,
            default_max_concurrent_per_user=default_max_concurrent_per_user,
            global_daily_budget_micros=global_daily_budget_micros,
            web_port=web_port,
            web_host=web_host,
            callback_base_url=callback_base_url,
            callback_secret=callback_secret,
            callback_grace=callback_grace,
            shard_count=shard_count,
            shard_ids=shard_ids,
            discord_rest_proxy=discord_rest_proxy,
        )
