"""The fake Discord's state and server plumbing: the HTTP and WebSocket server, install(), and REST faults."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
import yarl
from aiohttp import web

from tests.fakes.discord.basics import PRIVILEGED_INTENTS, new_snowflake
from tests.fakes.discord.cdn import FakeCdn
from tests.fakes.discord.gateway import FakeGateway
from tests.fakes.discord.guilds import FakeGuild, make_user
from tests.fakes.discord.models import FakeInteraction, FakeMessage, Recorded, StoredFile
from tests.fakes.discord.ratelimit import RateLimits
from tests.fakes.discord.rest import FakeRest

_DEFAULT_FAULT_BODIES: dict[int, dict[str, Any]] = {
    400: {"message": "400: Bad Request", "code": 0},
    401: {"message": "401: Unauthorized", "code": 0},
    403: {"message": "Missing Permissions", "code": 50013},
    404: {"message": "404: Not Found", "code": 0},
    413: {"message": "Request entity too large", "code": 40005},
    429: {"message": "You are being rate limited.", "retry_after": 0.01, "global": False, "code": 0},
}


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str]
    remaining: int


@dataclass
class Hold:
    """A request Discord carries out but answers only once released: a process can die before hearing back."""

    method: str
    pattern: re.Pattern[str]
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self.released.set()


class FakeDiscordServer:
    """Everything the fake holds, served on 127.0.0.1; FakeDiscord adds world building, driving and observing."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        ack_deadline: float = 3.0,
        token_lifetime: float = 900.0,
        attachment_size_limit: int = 10 * 1024 * 1024,
        rate_limits: bool | RateLimits = False,
    ) -> None:
        self.clock = clock
        #: Discord's rate limits (buckets, X-RateLimit-* headers, 429s); off by default. See discord_ratelimit.py.
        self.rate_limits: RateLimits | None = None
        if rate_limits:
            self.rate_limits = rate_limits if isinstance(rate_limits, RateLimits) else RateLimits(clock)
        self.ack_deadline = ack_deadline
        self.token_lifetime = token_lifetime
        self.attachment_size_limit = attachment_size_limit
        #: When set, REST "Authorization: Bot <token>" and IDENTIFY must carry exactly this token.
        self.bot_token: str | None = None
        #: Privileged intents the "developer portal" allows; asking for others closes the gateway with 4014.
        self.allowed_privileged_intents = PRIVILEGED_INTENTS
        #: Shard count GET /gateway/bot recommends (AutoShardedBot without shard_count uses it).
        self.recommended_shards = 1
        #: Users whose DMs are closed: POST to their DM channel answers 403 / 50007.
        self.closed_dms: set[int] = set()

        self.application_id = new_snowflake()
        self.bot_user: dict[str, Any] = make_user(self.application_id, "Kontext Test Bot", bot=True)
        self.owner_user: dict[str, Any] = make_user(new_snowflake(), "app-owner")
        self.users: dict[int, dict[str, Any]] = {
            self.application_id: self.bot_user,
            int(self.owner_user["id"]): self.owner_user,
        }
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.nonces: dict[str, tuple[int, float]] = {}  # enforced nonce -> (message id, when created), bot messages
        self.interactions: dict[int, FakeInteraction] = {}
        self.requests: list[Recorded] = []
        self.cdn_requests: list[Recorded] = []
        self.commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.files: dict[int, StoredFile] = {}
        self.gateway = FakeGateway(self)
        self.base_url = ""
        self.gateway_url = ""

        self._interactions_by_token: dict[str, FakeInteraction] = {}
        self._dm_channels: dict[int, dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._holds: list[Hold] = []
        self._change = asyncio.Event()
        self._rest = FakeRest(self)
        self._cdn = FakeCdn(self)
        self._runner: web.AppRunner | None = None
        self._saved_targets: tuple[str, yarl.URL] | None = None

    # ---- lifecycle ----------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port; sets base_url and gateway_url."""
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest.handle)
        app.router.add_get("/cdn/attachments/{id:\\d+}/{filename}", self._cdn.handle)
        app.router.add_get("/media/attachments/{id:\\d+}/{filename}", self._cdn.handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"

    async def close(self) -> None:
        """Close the gateway websockets, then the server; undo install(). Stop the bot first."""
        self.uninstall()
        for hold in self._holds:
            hold.release()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def install(self) -> None:
        """Point discord.py (process-wide) at this fake: REST base and default gateway."""
        if self._saved_targets is None:
            self._saved_targets = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = f"{self.base_url}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    def uninstall(self) -> None:
        """Restore what install() replaced."""
        if self._saved_targets is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_targets
            self._saved_targets = None

    # ---- plumbing for the REST routes, the gateway and the message writer ---------------------------------------

    def _changed(self) -> None:
        self._change.set()
        self._change = asyncio.Event()

    def bot_in(self, guild: FakeGuild) -> bool:
        """Whether the bot is a member of the guild (a server that installed it, not one a user brought it into)."""
        return self.application_id in guild.members

    def bot_sees(self, channel: Mapping[str, Any]) -> bool:
        """Whether the bot's own token reaches the channel: its guild has the bot, or it is one of the bot's DMs.

        A user-installed command also runs in servers without the bot and in group DMs; there Discord answers every
        bot-token request with 403 / 50001 Missing Access, and only the interaction's own routes work.
        """
        if "guild_id" in channel:
            guild = self.guilds.get(int(channel["guild_id"]))
            return guild is not None and self.bot_in(guild)
        recipients = {int(u["id"]) for u in channel.get("recipients") or []}
        return channel.get("type") == 1 or self.application_id in recipients

    def _dm_channel(self, user: dict[str, Any]) -> dict[str, Any]:
        uid = int(user["id"])
        if uid not in self._dm_channels:
            channel = {"id": str(new_snowflake()), "type": 1, "recipients": [user], "last_message_id": None, "flags": 0}
            self._dm_channels[uid] = channel
            self.channels[int(channel["id"])] = channel
        return self._dm_channels[uid]

    def _mentions(
        self, content: str, allowed: Mapping[str, Any] | None, referenced: FakeMessage | None
    ) -> list[dict[str, Any]]:
        """The users a message mentions as Discord counts them: those its allowed mentions let through.

        No allowed mentions object: every mention counts, and a reply pings its target's author. With one, a user
        counts when "users" is parsed or the user is listed, and a reply's author only with replied_user.
        """
        ids = [int(x) for x in re.findall(r"<@!?(\d+)>", content)]
        if allowed is not None and "users" not in (allowed.get("parse") or []):
            permitted = {int(u) for u in allowed.get("users") or []}
            ids = [i for i in ids if i in permitted]
        if referenced is not None and (allowed is None or allowed.get("replied_user")):
            ids.append(int(referenced.author["id"]))
        return [self.users[i] for i in dict.fromkeys(ids) if i in self.users]

    @staticmethod
    def _role_mentions(content: str, allowed: Mapping[str, Any] | None) -> tuple[list[str], bool]:
        """The roles a message mentions, and whether it mentions @everyone/@here, under its allowed mentions."""
        roles = list(dict.fromkeys(re.findall(r"<@&(\d+)>", content)))
        everyone = bool(re.search(r"@(everyone|here)\b", content))
        if allowed is not None:
            parse = allowed.get("parse") or []
            if "roles" not in parse:
                permitted = {str(r) for r in allowed.get("roles") or []}
                roles = [r for r in roles if r in permitted]
            everyone = everyone and "everyone" in parse
        return roles, everyone

    # ---- faults ----------------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        *,
        status: int,
        json: dict[str, Any] | None = None,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `times` matching requests with an error instead of handling them.

        method is an HTTP method or "*"; path_regex is re.search'ed on the path after /api/v10.

        Bodies default by status (403 -> 50013 Missing Permissions, 429 -> retry_after 0.01, 5xx -> code 0); a 429
        gets a Via header unless headers are given, so discord.py retries it.
        """
        body = json if json is not None else _DEFAULT_FAULT_BODIES.get(status, {"message": f"{status}", "code": 0})
        if headers is None:
            headers = {"Via": "1.1 google"} if status == 429 else {}
        fault = _Fault(method.upper(), re.compile(path_regex), status, body, dict(headers), times)
        self._faults.append(fault)

    def hold_next(self, method: str, path_regex: str) -> Hold:
        """Carry out the next matching request but keep its answer until the returned Hold is released."""
        hold = Hold(method.upper(), re.compile(path_regex))
        self._holds.append(hold)
        return hold

    def _take_hold(self, method: str, path: str) -> Hold | None:
        for hold in self._holds:
            if hold.method in ("*", method) and hold.pattern.search(path):
                self._holds.remove(hold)
                return hold
        return None

    def _take_fault(self, method: str, path: str) -> tuple[int, Any, dict[str, str]] | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in ("*", method) and fault.pattern.search(path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault.status, fault.body, fault.headers
        return None
