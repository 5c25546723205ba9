"""REST routes of channels and guilds: the bot's channel messages, history, reactions, typing, and guild lookups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.discord import limits as limits
from tests.fakes.discord.basics import (
    ADD_REACTIONS,
    ATTACH_FILES,
    FLAG_EPHEMERAL,
    INTENT_MESSAGE_CONTENT,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from tests.fakes.discord.errors import DiscordError, unknown
from tests.fakes.discord.messages import CREATE_FLAGS, Upload
from tests.fakes.discord.models import FakeMessage, Recorded, redact_message
from tests.fakes.discord.rest_base import Params, Reply, RestResource, RouteSpec

NONCE_MAX_CHARS = 25
NONCE_WINDOW_S = 120.0  # "the past few minutes": the fake keeps to the short end, so the bot may not rely on more


class ChannelRoutes(RestResource):
    """Channel and guild routes, each checking the bot's channel permissions as Discord does (50001 / 50013)."""

    def routes(self) -> list[RouteSpec]:
        """/channels/{c}, its messages, reactions and typing; /guilds/{g}, its channels, roles and members."""
        msg = r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)"
        return [
            ("GET", r"/channels/(?P<channel>\d+)", self._get_channel, True),
            ("GET", r"/channels/(?P<channel>\d+)/messages", self._history, True),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._create_channel_message, True),
            ("GET", msg, self._get_channel_message, True),
            ("PATCH", msg, self._edit_channel_message, True),
            ("DELETE", msg, self._delete_channel_message, True),
            ("PUT", rf"{msg}/reactions/(?P<emoji>[^/]+)/@me", self._add_reaction, True),
            ("DELETE", rf"{msg}/reactions/(?P<emoji>[^/]+)/@me", self._remove_reaction, True),
            ("POST", r"/channels/(?P<channel>\d+)/typing", self._typing, True),
            ("GET", r"/guilds/(?P<guild>\d+)", self._get_guild, True),
            ("GET", r"/guilds/(?P<guild>\d+)/channels", self._get_guild_channels, True),
            ("GET", r"/guilds/(?P<guild>\d+)/roles", self._get_guild_roles, True),
            ("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)", self._get_member, True),
        ]

    # ---- channels -----------------------------------------------------------------------------------------------

    def _channel(self, m: Mapping[str, str], needed: int = VIEW_CHANNEL) -> dict[str, Any]:
        fake = self._fake
        channel = fake.channels.get(int(m["channel"]))
        if channel is None:
            raise unknown("Channel", 10003)
        if not fake.bot_sees(channel):
            # A server without the bot, or a group DM: only the interaction token answers there.
            raise DiscordError(403, 50001, "Missing Access")
        guild = fake.guilds.get(int(channel["guild_id"])) if "guild_id" in channel else None
        if guild is not None:
            have = guild.channel_permissions(fake.application_id, channel)
            if not have & VIEW_CHANNEL:
                raise DiscordError(403, 50001, "Missing Access")
            if have & needed != needed:
                raise DiscordError(403, 50013, "Missing Permissions")
        return channel

    def _channel_message(self, channel: Mapping[str, Any], m: Mapping[str, str]) -> FakeMessage:
        msg = self._fake.messages.get(int(m["message"]))
        if msg is None or msg.deleted or msg.ephemeral or msg.channel_id != int(channel["id"]):
            raise unknown("Message", 10008)
        return msg

    async def _get_channel(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        return 200, self._channel(m)

    async def _history(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        channel = self._channel(m, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        limit = max(1, min(100, int(rec.query.get("limit", 50))))
        found = sorted(
            (
                msg
                for msg in self._fake.messages.values()
                if msg.channel_id == int(channel["id"]) and not msg.deleted and not msg.ephemeral
            ),
            key=lambda msg: msg.id,
            reverse=True,
        )
        if "before" in rec.query:
            found = [msg for msg in found if msg.id < int(rec.query["before"])][:limit]
        elif "after" in rec.query:
            found = [msg for msg in found if msg.id > int(rec.query["after"])][-limit:]
        elif "around" in rec.query:
            pivot = int(rec.query["around"])
            newer = [msg for msg in found if msg.id >= pivot][-(limit // 2 + limit % 2) :]
            found = newer + [msg for msg in found if msg.id < pivot][: limit // 2]
        else:
            found = found[:limit]
        return 200, [msg.to_dict() for msg in found]

    async def _create_channel_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        fake = self._fake
        channel = self._channel(m, VIEW_CHANNEL | SEND_MESSAGES | (ATTACH_FILES if uploads else 0))
        if channel.get("type") == 1:
            recipient = int(channel["recipients"][0]["id"])
            if recipient in fake.closed_dms:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        payload = rec.json if isinstance(rec.json, dict) else {}
        nonce = payload.get("nonce")
        if nonce is not None and len(str(nonce)) > NONCE_MAX_CHARS:
            raise DiscordError(400, 50035, "Invalid Form Body: nonce is longer than 25 characters")
        enforced = nonce is not None and bool(payload.get("enforce_nonce"))
        if enforced:
            # Discord: a second message by the same author with the same nonce within the past few minutes is not
            # created; the first one is returned.
            earlier_id, at = fake.nonces.get(str(nonce), (0, float("-inf")))
            earlier = fake.messages.get(earlier_id)
            if earlier is not None and not earlier.deleted and fake.clock() - at <= NONCE_WINDOW_S:
                return 200, earlier.to_dict()
        reference = self._reference(payload, channel)
        flags = int(payload.get("flags") or 0) & (CREATE_FLAGS & ~FLAG_EPHEMERAL)
        guild_id = int(channel["guild_id"]) if "guild_id" in channel else None
        msg = await self._messages.create(
            int(channel["id"]), guild_id, payload, uploads, flags, None, reference=reference
        )
        if enforced:
            fake.nonces[str(nonce)] = (msg.id, fake.clock())
        return 200, msg.to_dict()

    def _reference(self, payload: Mapping[str, Any], channel: Mapping[str, Any]) -> FakeMessage | None:
        ref = payload.get("message_reference")
        if not ref:
            return None
        target = self._fake.messages.get(int(ref.get("message_id") or 0))
        if target is None or target.deleted or target.ephemeral:
            if ref.get("fail_if_not_exists", True):
                errs = limits.FormErrors()
                errs.add("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
                errs.raise_if_any()
            return None
        return target

    async def _get_channel_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        channel = self._channel(m, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        data = self._channel_message(channel, m).to_dict()
        # Without MESSAGE_CONTENT, REST blanks message content just as the gateway does.
        sessions = self._fake.gateway.sessions.values()
        if not any(session.intents & INTENT_MESSAGE_CONTENT for session in sessions):
            data = redact_message(data, self._fake.bot_user["id"])
        return 200, data

    async def _edit_channel_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        channel = self._channel(m)
        msg = self._channel_message(channel, m)
        if msg.author["id"] != self._fake.bot_user["id"]:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        await self._messages.edit(msg, rec.json or {}, uploads, rec.time)
        return 200, msg.to_dict()

    async def _delete_channel_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        own = self._fake.messages.get(int(m["message"]))
        mine = own is not None and own.author["id"] == self._fake.bot_user["id"]
        channel = self._channel(m, VIEW_CHANNEL if mine else VIEW_CHANNEL | MANAGE_MESSAGES)
        await self._messages.delete(self._channel_message(channel, m))
        return 204, None

    async def _add_reaction(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        msg = self._channel_message(self._channel(m, VIEW_CHANNEL | READ_MESSAGE_HISTORY | ADD_REACTIONS), m)
        if m["emoji"] not in msg.reactions:
            msg.reactions.append(m["emoji"])
        return 204, None

    async def _remove_reaction(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        msg = self._channel_message(self._channel(m), m)
        if m["emoji"] in msg.reactions:
            msg.reactions.remove(m["emoji"])
        return 204, None

    async def _typing(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        self._channel(m, VIEW_CHANNEL | SEND_MESSAGES)
        return 204, None

    # ---- guilds -------------------------------------------------------------------------------------------------

    def _guild(self, m: Mapping[str, str]) -> Any:
        guild = self._fake.guilds.get(int(m["guild"]))
        if guild is None:
            raise unknown("Guild", 10004)
        if not self._fake.bot_in(guild):
            raise DiscordError(403, 50001, "Missing Access")
        return guild

    async def _get_guild(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        guild = self._guild(m)
        return 200, {**guild.to_guild_object(), "approximate_member_count": len(guild.members)}

    async def _get_guild_channels(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        return 200, self._guild(m).channels

    async def _get_guild_roles(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        return 200, self._guild(m).roles

    async def _get_member(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        member = self._guild(m).members.get(int(m["user"]))
        if member is None:
            raise unknown("Member", 10007)
        return 200, member
