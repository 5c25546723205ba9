"""A local fake Discord (REST + gateway) that an unmodified discord.py bot connects to.

Start it, ``install()`` it (points discord.py's REST base and default gateway at it), build a world, start the
bot, then drive the bot with slash commands, clicks, modal submits and messages, and observe what it did. The
fake answers as Discord does, including its refusals: the 3-second first-response deadline (10062), one first
response per interaction (40060), the 15-minute token (401 / 50027), content, embed, component and modal limits
(50035), the upload size limit (413 / 40005) and channel permissions (50013).
See /work/shared/TESTING.md for the protocol notes this follows. World building and observing are here; driving the
bot is in discord_driving.py, and the server itself (state, start/install, REST faults) in discord_server.py.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tests.fakes.discord.basics import (
    DEFAULT_EVERYONE_PERMISSIONS,
    INTENT_GUILD_MEMBERS,
    SEND_IN_THREADS,
    SEND_MESSAGES,
    new_snowflake,
)
from tests.fakes.discord.driving import DrivingMixin
from tests.fakes.discord.guilds import FakeGuild, make_member, make_role, make_text_channel, make_user
from tests.fakes.discord.models import FakeInteraction, FakeMessage, Recorded

__all__ = ["FakeDiscord", "FakeGuild", "FakeInteraction", "FakeMessage", "Recorded"]


class FakeDiscord(DrivingMixin):
    """A fake Discord server on 127.0.0.1: world building, driving the bot, and observing what it did."""

    # ---- world building ------------------------------------------------------------------------------------------

    def add_guild(
        self,
        *,
        guild_id: int | None = None,
        name: str = "Test Guild",
        owner_id: int | None = None,
        system_channel: bool = False,
        preferred_locale: str = "en-US",
    ) -> FakeGuild:
        """A guild with @everyone (id == guild id), a "general" text channel (channels[0]), its owner and the bot.

        Added while the bot is connected, it is a server that just invited the bot: a GUILD_CREATE the bot did not
        see in READY (discord.py's on_guild_join). system_channel makes "general" its system messages channel.
        """
        gid = guild_id or new_snowflake(new_millisecond=True)
        if owner_id is None:
            owner_id = new_snowflake()
        guild = FakeGuild(id=gid, name=name, owner_id=owner_id, preferred_locale=preferred_locale)
        guild.roles.append(make_role(gid, "@everyone", DEFAULT_EVERYONE_PERMISSIONS, position=0))
        self.guilds[gid] = guild
        self._member(guild, self.bot_user)
        owner = self.users.get(owner_id) or make_user(owner_id, "owner")
        self.users[owner_id] = owner
        self._member(guild, owner)
        general = self._channel(guild, "general", bot_can_send=True)
        if system_channel:
            guild.system_channel_id = int(general["id"])
        self.gateway.announce_guild(guild)
        return guild

    def add_guild_without_bot(self, *, name: str = "Elsewhere", owner_id: int | None = None) -> FakeGuild:
        """A server that never installed the bot, with a "general" channel: only user-installed commands reach it.

        The bot is no member, gets no GUILD_CREATE, and its token gets 403 / 50001 Missing Access there.
        """
        gid = new_snowflake(new_millisecond=True)
        owner_id = owner_id or new_snowflake()
        guild = FakeGuild(id=gid, name=name, owner_id=owner_id)
        guild.roles.append(make_role(gid, "@everyone", DEFAULT_EVERYONE_PERMISSIONS, position=0))
        self.guilds[gid] = guild
        owner = self.users.get(owner_id) or make_user(owner_id, "owner")
        self.users[owner_id] = owner
        self._member(guild, owner)
        self._channel(guild, "general", bot_can_send=True)
        return guild

    def add_user(self, name: str = "user") -> dict[str, Any]:
        """A Discord user in no server (someone to DM, or a group DM member)."""
        user = make_user(new_snowflake(), name)
        self.users[int(user["id"])] = user
        return user

    def dm_channel(self, user: Mapping[str, Any]) -> dict[str, Any]:
        """The bot's DM channel with the user (type 1), as POST /users/@me/channels would create it."""
        return self._dm_channel(dict(user.get("user", user)))

    def add_group_dm(self, *members: Mapping[str, Any], name: str | None = None) -> dict[str, Any]:
        """A group DM (type 3) of these users, without the bot: only the interaction token answers there."""
        recipients = [dict(m.get("user", m)) for m in members]
        channel = {
            "id": str(new_snowflake()),
            "type": 3,
            "name": name,
            "icon": None,
            "recipients": recipients,
            "owner_id": recipients[0]["id"],
            "last_message_id": None,
            "flags": 0,
        }
        self.channels[int(channel["id"])] = channel
        return channel

    def add_channel(
        self, guild: FakeGuild, name: str, *, bot_can_send: bool = True, nsfw: bool = False
    ) -> dict[str, Any]:
        """A text channel; bot_can_send=False denies the bot Send Messages there (403 / 50013 on POST); nsfw=True
        makes it age-restricted (its `nsfw` flag, in GUILD_CREATE, CHANNEL_CREATE and each interaction's channel)."""
        channel = self._channel(guild, name, bot_can_send=bot_can_send)
        channel["nsfw"] = nsfw
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
        return self._cdn.store(data, filename, None, content_type=content_type, width=width, height=height)

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

    # ---- observing -------------------------------------------------------------------------------------------

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


def _brief(body: Any) -> str:
    if isinstance(body, dict) and "code" in body:
        return f"{body.get('code')} {body.get('message')}"
    return ""
