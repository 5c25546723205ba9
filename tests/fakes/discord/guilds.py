"""The world the fake builds: users, members, roles, text channels and guilds, with Discord's permission rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.discord.basics import ADMINISTRATOR, ALL_PERMISSIONS, iso_now, new_snowflake


def make_user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A Discord user object."""
    user: dict[str, Any] = {
        "id": str(user_id),
        "username": name,
        "global_name": None if bot else name,
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
    }
    if bot:
        user["bot"] = True
    return user


def make_member(user: dict[str, Any], roles: Sequence[int] = ()) -> dict[str, Any]:
    """A guild member object (with "user"), as GUILD_CREATE and REST carry it."""
    return {
        "user": user,
        "nick": None,
        "avatar": None,
        "roles": [str(r) for r in roles],
        "joined_at": iso_now(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def make_role(role_id: int, name: str, permissions: int, *, position: int) -> dict[str, Any]:
    """A role object."""
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def make_text_channel(guild: FakeGuild, name: str, *, bot_id: int, bot_denied: int = 0) -> dict[str, Any]:
    """A guild text channel; bot_denied becomes a member overwrite denying those permissions to the bot."""
    overwrites = []
    if bot_denied:
        overwrites.append({"id": str(bot_id), "type": 1, "allow": "0", "deny": str(bot_denied)})
    return {
        "id": str(new_snowflake()),
        "type": 0,
        "guild_id": str(guild.id),
        "name": name,
        "position": len(guild.channels),
        "permission_overwrites": overwrites,
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


@dataclass(eq=False)
class FakeGuild:
    """A guild: channels, roles (roles[0] is @everyone, id == guild id) and members by user id."""

    id: int
    name: str
    owner_id: int
    channels: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Permissions forced by add_member(permissions=...), instead of computing them from roles.
    member_permissions: dict[int, int] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)
    #: The channel Discord posts join and boost notices in (Server Settings → System Messages); None: none.
    system_channel_id: int | None = None
    #: The language its admins chose (Server Settings → Community → Overview); Discord's default is en-US.
    preferred_locale: str = "en-US"

    def role(self, role_id: int) -> dict[str, Any] | None:
        """A role by id."""
        return next((r for r in self.roles if int(r["id"]) == role_id), None)

    def base_permissions(self, user_id: int) -> int:
        """Guild-wide permissions of a member: owner and administrators get everything."""
        if user_id in self.member_permissions:
            return self.member_permissions[user_id]
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        value = int(self.roles[0]["permissions"])
        for role_id in member["roles"] if member else ():
            role = self.role(int(role_id))
            if role is not None:
                value |= int(role["permissions"])
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def channel_permissions(self, user_id: int, channel: Mapping[str, Any]) -> int:
        """A member's permissions in a channel, with overwrites applied in Discord's order."""
        value = self.base_permissions(user_id)
        if value & ADMINISTRATOR or user_id == self.owner_id:
            return ALL_PERMISSIONS
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        everyone = overwrites.get(self.id)
        if everyone:
            value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
        member = self.members.get(user_id)
        allow = deny = 0
        for role_id in member["roles"] if member else ():
            overwrite = overwrites.get(int(role_id))
            if overwrite and overwrite["type"] == 0:
                allow |= int(overwrite["allow"])
                deny |= int(overwrite["deny"])
        value = (value & ~deny) | allow
        own = overwrites.get(user_id)
        if own and own["type"] == 1:
            value = (value & ~int(own["deny"])) | int(own["allow"])
        return value

    def to_create_payload(self, *, include_members: bool = True, bot_id: int | None = None) -> dict[str, Any]:
        """The GUILD_CREATE payload. Without the members intent Discord only sends the bot's own member."""
        members = list(self.members.values())
        if not include_members:
            members = [m for m in members if int(m["user"]["id"]) == bot_id]
        return {
            **self.to_guild_object(),
            "joined_at": self.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": members,
            "channels": [{k: v for k, v in c.items() if k != "guild_id"} for c in self.channels],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def to_guild_object(self) -> dict[str, Any]:
        """The guild object REST returns (GET /guilds/{id})."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": self.roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(self.system_channel_id) if self.system_channel_id else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }
