"""A local fake Discord (REST + gateway) that an unmodified discord.py bot connects to.

Start it, ``install()`` it (points discord.py's REST base and default gateway at it), build a world, start the
bot, then drive the bot with slash commands, clicks, modal submits and messages, and observe what it did. The
fake answers as Discord does, including its refusals: the 3-second first-response deadline (10062), one first
response per interaction (40060), the 15-minute token (401 / 50027), content, embed, component and modal limits
(50035), the upload size limit (413 / 40005) and channel permissions (50013).
See /work/shared/TESTING.md for the protocol notes this follows.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import discord
import yarl
from aiohttp import web

from tests.fakes.discord_gateway import FakeGateway
from tests.fakes.discord_interactions import click_data, modal_submit_data, slash_options
from tests.fakes.discord_models import (
    DEFAULT_EVERYONE_PERMISSIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    PRIVILEGED_INTENTS,
    SEND_IN_THREADS,
    SEND_MESSAGES,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
    Recorded,
    StoredFile,
    make_member,
    make_role,
    make_text_channel,
    make_user,
    new_snowflake,
    sanitize_filename,
    sniff_media,
)
from tests.fakes.discord_ratelimit import RateLimits
from tests.fakes.discord_rest import FakeRest

__all__ = ["FakeDiscord", "FakeGuild", "FakeInteraction", "FakeMessage", "Recorded"]

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


class FakeDiscord:
    """A fake Discord server on 127.0.0.1: world building, driving the bot, and observing what it did."""

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
        self._change = asyncio.Event()
        self._rest = FakeRest(self)
        self._runner: web.AppRunner | None = None
        self._saved_targets: tuple[str, yarl.URL] | None = None

    # ---- lifecycle ----------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port; sets base_url and gateway_url."""
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest.handle)
        app.router.add_get("/cdn/attachments/{id:\\d+}/{filename}", self._rest.cdn)
        app.router.add_get("/media/attachments/{id:\\d+}/{filename}", self._rest.cdn)
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

    # ---- world building ------------------------------------------------------------------------------------------

    def add_guild(
        self, *, guild_id: int | None = None, name: str = "Test Guild", owner_id: int | None = None
    ) -> FakeGuild:
        """A guild with @everyone (id == guild id), a "general" text channel (channels[0]), its owner and the bot."""
        gid = guild_id or new_snowflake(new_millisecond=True)
        if owner_id is None:
            owner_id = new_snowflake()
        guild = FakeGuild(id=gid, name=name, owner_id=owner_id)
        guild.roles.append(make_role(gid, "@everyone", DEFAULT_EVERYONE_PERMISSIONS, position=0))
        self.guilds[gid] = guild
        self._member(guild, self.bot_user)
        owner = self.users.get(owner_id) or make_user(owner_id, "owner")
        self.users[owner_id] = owner
        self._member(guild, owner)
        self._channel(guild, "general", bot_can_send=True)
        self.gateway.announce_guild(guild)
        return guild

    def add_channel(self, guild: FakeGuild, name: str, *, bot_can_send: bool = True) -> dict[str, Any]:
        """A text channel; bot_can_send=False denies the bot Send Messages there (403 / 50013 on POST)."""
        channel = self._channel(guild, name, bot_can_send=bot_can_send)
        self.gateway.dispatch_nowait("CHANNEL_CREATE", channel, guild_id=guild.id)
        return channel

    def add_role(self, guild: FakeGuild, name: str, *, permissions: int = 0) -> dict[str, Any]:
        """A role with the given permission bits."""
        role = make_role(new_snowflake(), name, permissions, position=len(guild.roles))
        guild.roles.append(role)
        self.gateway.dispatch_nowait("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role}, guild_id=guild.id)
        return role

    def add_member(
        self,
        guild: FakeGuild,
        *,
        user_id: int | None = None,
        name: str = "user",
        roles: Sequence[int] = (),
        permissions: int | None = None,
    ) -> dict[str, Any]:
        """A member (dict with "user"); permissions are computed from roles unless given."""
        uid = user_id or new_snowflake()
        user = self.users.get(uid) or make_user(uid, name)
        self.users[uid] = user
        member = self._member(guild, user, roles)
        if permissions is not None:
            guild.member_permissions[uid] = permissions
        event = {**member, "guild_id": str(guild.id)}
        self.gateway.dispatch_nowait("GUILD_MEMBER_ADD", event, guild_id=guild.id, intent=INTENT_GUILD_MEMBERS)
        return member

    def add_attachment(
        self,
        data: bytes,
        filename: str,
        content_type: str | None = None,
        *,
        width: int | None = None,
        height: int | None = None,
    ) -> dict[str, Any]:
        """Store bytes on the fake CDN; returns a Discord attachment object whose url serves them."""
        return self._store_upload(data, filename, None, content_type=content_type, width=width, height=height)

    def _member(self, guild: FakeGuild, user: dict[str, Any], roles: Sequence[int] = ()) -> dict[str, Any]:
        member = make_member(user, roles)
        guild.members[int(user["id"])] = member
        return member

    def _channel(self, guild: FakeGuild, name: str, *, bot_can_send: bool) -> dict[str, Any]:
        denied = 0 if bot_can_send else SEND_MESSAGES | SEND_IN_THREADS
        channel = make_text_channel(guild, name, bot_id=self.application_id, bot_denied=denied)
        guild.channels.append(channel)
        self.channels[int(channel["id"])] = channel
        return channel

    def _dm_channel(self, user: dict[str, Any]) -> dict[str, Any]:
        uid = int(user["id"])
        if uid not in self._dm_channels:
            channel = {"id": str(new_snowflake()), "type": 1, "recipients": [user], "last_message_id": None, "flags": 0}
            self._dm_channels[uid] = channel
            self.channels[int(channel["id"])] = channel
        return self._dm_channels[uid]

    def _store_upload(
        self,
        data: bytes,
        filename: str,
        description: str | None,
        *,
        content_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> dict[str, Any]:
        att_id = new_snowflake()
        safe = sanitize_filename(filename)
        sniffed, sniffed_width, sniffed_height = sniff_media(data, safe)
        stored = StoredFile(att_id, safe, filename, data, content_type or sniffed, self.clock())
        self.files[att_id] = stored
        issued = int(time.time())
        signature = f"?ex={issued + 86400:x}&is={issued:x}&hm={secrets.token_hex(32)}&"
        attachment: dict[str, Any] = {
            "id": str(att_id),
            "filename": safe,
            "size": len(data),
            "url": f"{self.base_url}/cdn/attachments/{att_id}/{safe}{signature}",
            "proxy_url": f"{self.base_url}/media/attachments/{att_id}/{safe}{signature}",
            "content_type": stored.content_type,
        }
        if (width or sniffed_width) is not None:
            attachment["width"] = width or sniffed_width
            attachment["height"] = height or sniffed_height
        if description:
            attachment["description"] = description
        return attachment

    def _mentions(
        self, content: str, allowed: Mapping[str, Any] | None, referenced: FakeMessage | None
    ) -> list[dict[str, Any]]:
        ids = [int(x) for x in re.findall(r"<@!?(\d+)>", content)]
        if allowed is not None and "users" not in (allowed.get("parse") or []):
            permitted = {int(u) for u in allowed.get("users") or []}
            ids = [i for i in ids if i in permitted]
        if referenced is not None and allowed is not None and allowed.get("replied_user"):
            ids.append(int(referenced.author["id"]))
        return [self.users[i] for i in dict.fromkeys(ids) if i in self.users]

    # ---- driving the bot -----------------------------------------------------------------------------------------

    async def send_slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: FakeGuild,
        user: dict[str, Any],
        channel: dict[str, Any] | None = None,
        attachments: Mapping[str, dict[str, Any]] | None = None,
        subcommand: str | None = None,
        app_permissions: int | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Dispatch a slash command (type 2, data.type 1), checked against the synced definition if there is one.

        subcommand is "sub" or "group sub". Option values: str, int, bool, float, or attachment / member / user /
        channel / role dicts from this fake.
        """
        command, scoped = self._find_command(name, 1, guild)
        resolved: dict[str, dict[str, Any]] = {}
        values = {**(options or {}), **(attachments or {})}
        built = slash_options(name, command, values, subcommand, guild, self.application_id, resolved)
        data: dict[str, Any] = {"id": self._command_id(command), "name": name, "type": 1, "options": built}
        if scoped:
            data["guild_id"] = str(guild.id)
        if resolved:
            data["resolved"] = resolved
        ch = channel or guild.channels[0]
        return await self._interact(2, data, guild, user, ch, app_permissions=app_permissions, locale=locale)

    async def send_message_command(
        self,
        name: str,
        target: FakeMessage,
        *,
        guild: FakeGuild,
        user: dict[str, Any],
        channel: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        """Dispatch a message context menu command (data.type 3) on target; content is always resolved."""
        command, scoped = self._find_command(name, 3, guild)
        data: dict[str, Any] = {
            "id": self._command_id(command),
            "name": name,
            "type": 3,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): target.to_dict()}},
        }
        if scoped:
            data["guild_id"] = str(guild.id)
        return await self._interact(2, data, guild, user, channel or self.channels[target.channel_id])

    async def click(
        self,
        message: FakeMessage,
        custom_id: str,
        *,
        user: dict[str, Any],
        guild: FakeGuild | None = None,
        values: Sequence[str] | None = None,
    ) -> FakeInteraction:
        """Click a button (or choose select values) on a message: a type 3 interaction carrying the message."""
        data = click_data(message, custom_id, values)
        guild = guild or self.guilds[int(message.guild_id or 0)]
        return await self._interact(3, data, guild, user, self.channels[message.channel_id], message=message)

    async def submit_modal(
        self,
        interaction: FakeInteraction,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        """Submit the modal the bot answered interaction with; values by custom_id or by label."""
        modal = interaction.modal
        if modal is None:
            raise ValueError(f"interaction {interaction.id} was not answered with a modal")
        data = modal_submit_data(modal, values)
        guild = self.guilds[int(interaction.guild_id or 0)]
        channel = self.channels[interaction.channel_id]
        source = interaction.message if interaction.type == 3 else None
        return await self._interact(5, data, guild, user or interaction.user, channel, message=source)

    async def post_message(
        self,
        channel: dict[str, Any],
        author: dict[str, Any],
        content: str = "",
        *,
        attachments: Sequence[dict[str, Any]] = (),
        embeds: Sequence[dict[str, Any]] = (),
        reference: FakeMessage | None = None,
        mention_bot: bool = False,
        guild: FakeGuild | None = None,
        ping_reply: bool = True,
    ) -> FakeMessage:
        """A user posts a message; MESSAGE_CREATE reaches the bot (content hidden without the intent unless mentioned).

        A reply (reference=...) pings the replied author unless ping_reply=False, as Discord's client does.
        """
        user = author.get("user", author)
        bot_id = self.bot_user["id"]
        if mention_bot and f"<@{bot_id}>" not in content and f"<@!{bot_id}>" not in content:
            content = f"<@{bot_id}> {content}".rstrip()
        if guild is None and "guild_id" in channel:
            guild = self.guilds[int(channel["guild_id"])]
        msg = FakeMessage(
            id=new_snowflake(),
            channel_id=int(channel["id"]),
            guild_id=guild.id if guild else None,
            author=user,
            content=content,
            embeds=[{"type": "rich", **e} for e in embeds],
            attachments=list(attachments),
            type=19 if reference else 0,
            created=self.clock(),
            blobs=self.files,
        )
        if reference is not None:
            msg.referenced = reference
            msg.message_reference = {
                "type": 0,
                "message_id": str(reference.id),
                "channel_id": str(reference.channel_id),
            }
            if reference.guild_id:
                msg.message_reference["guild_id"] = str(reference.guild_id)
        msg.mentions = self._mentions(content, None, None)
        if reference is not None and ping_reply and reference.author not in msg.mentions:
            msg.mentions.append(reference.author)
        event = msg.to_dict()
        if guild is not None:
            member = guild.members.get(int(user["id"]))
            if member is None:
                raise ValueError(f"{user['username']} is not a member of {guild.name}: add_member() first")
            msg.member = {k: v for k, v in member.items() if k != "user"}
            event["member"] = msg.member
        self.messages[msg.id] = msg
        intent = INTENT_GUILD_MESSAGES if guild else INTENT_DIRECT_MESSAGES
        await self.gateway.dispatch("MESSAGE_CREATE", event, guild_id=msg.guild_id, intent=intent, redact=True)
        self._changed()
        return msg

    async def reconnect_gateway(self) -> None:
        """Send op 7 RECONNECT on every connection: the bot reconnects and RESUMEs."""
        await self.gateway.send_op(7)

    def _find_command(self, name: str, kind: int, guild: FakeGuild) -> tuple[dict[str, Any] | None, bool]:
        for scoped, commands in ((True, self.guild_commands.get(guild.id, [])), (False, self.commands)):
            for command in commands:
                if command["name"] == name and int(command.get("type", 1)) == kind:
                    return command, scoped
        return None, False

    @staticmethod
    def _command_id(command: Mapping[str, Any] | None) -> str:
        return str(command["id"]) if command is not None else str(new_snowflake())

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        guild: FakeGuild,
        user: dict[str, Any],
        channel: dict[str, Any],
        *,
        app_permissions: int | None = None,
        locale: str = "en-US",
        message: FakeMessage | None = None,
    ) -> FakeInteraction:
        plain_user = user.get("user", user)
        uid = int(plain_user["id"])
        member = guild.members.get(uid)
        if member is None:
            raise ValueError(f"{plain_user['username']} is not a member of {guild.name}: add_member() first")
        perms = guild.channel_permissions(uid, channel)
        bot_perms = guild.channel_permissions(self.application_id, channel)
        interaction_id = new_snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": channel["id"],
            "channel": {**channel, "permissions": str(perms)},
            "member": {**member, "permissions": str(perms)},
            "token": token,
            "version": 1,
            "app_permissions": str(bot_perms if app_permissions is None else app_permissions),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": self.attachment_size_limit,
        }
        if message is not None:
            payload["message"] = message.to_dict()
        inter = FakeInteraction(
            id=interaction_id,
            token=token,
            type=kind,
            data=data,
            user=plain_user,
            member=member,
            channel_id=int(channel["id"]),
            guild_id=guild.id,
            created=self.clock(),
            payload=payload,
            message=message,
        )
        self.interactions[interaction_id] = inter
        self._interactions_by_token[token] = inter
        await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=guild.id, required=True)
        self._changed()
        return inter

    # ---- observing -------------------------------------------------------------------------------------------

    def _changed(self) -> None:
        self._change.set()
        self._change = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until predicate() is truthy; re-checked on every request and state change (and every 20 ms)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._describe_timeout(predicate, timeout))
            change = self._change
            try:
                await asyncio.wait_for(change.wait(), min(remaining, 0.02))
            except TimeoutError:
                pass

    async def wait_ready(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every shard IDENTIFYed and got READY and its GUILD_CREATEs (not the bot's on_ready)."""
        await self.wait_for(self.gateway.all_ready, timeout)

    def _describe_timeout(self, predicate: Callable[[], Any], timeout: float) -> str:
        name = getattr(predicate, "__qualname__", repr(predicate))
        lines = [f"condition {name} not met within {timeout}s. Last requests:"]
        lines += [f"  {r.method} {r.path} -> {r.status} {_brief(r.response)}" for r in self.requests[-10:]]
        if not self.requests:
            lines.append("  (none)")
        lines.append(f"gateway: {self.gateway.identifies} identifies, ready={self.gateway.all_ready()}")
        return "\n".join(lines)

    def requests_to(self, method: str, path_regex: str) -> list[Recorded]:
        """Recorded requests whose method matches (or "*") and whose path matches the regex (re.search)."""
        pattern = re.compile(path_regex)
        return [r for r in self.requests if method in ("*", r.method) and pattern.search(r.path)]

    def channel_messages(self, channel: Mapping[str, Any]) -> list[FakeMessage]:
        """Messages visible in a channel (not deleted, not ephemeral), oldest first."""
        cid = int(channel["id"])
        found = [m for m in self.messages.values() if m.channel_id == cid and not m.deleted and not m.ephemeral]
        return sorted(found, key=lambda m: m.id)

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

    def _take_fault(self, method: str, path: str) -> tuple[int, Any, dict[str, str]] | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in ("*", method) and fault.pattern.search(path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault.status, fault.body, fault.headers
        return None


def _brief(body: Any) -> str:
    if isinstance(body, dict) and "code" in body:
        return f"{body.get('code')} {body.get('message')}"
    return ""
