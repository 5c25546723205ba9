"""Who asks, and where: a Discord user and channel as the domain's Requester."""

from __future__ import annotations

import discord

from kontext.jobs.admission import Requester


def requester(
    user: discord.abc.User, channel: object, *, guild_id: int | None, channel_id: int, locale: str | None = None
) -> Requester:
    """Who asks and where, and in which language; a thread follows its parent channel's permission to use the bot."""
    return Requester(
        user_id=user.id,
        channel_id=channel_id,
        guild_id=guild_id,
        role_ids=tuple(role.id for role in getattr(user, "roles", ())),
        limit_channel_id=getattr(channel, "parent_id", None),
        locale=locale,
    )
