"""Who asks, and where: a Discord user and channel as the domain's Requester."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from kontext.jobs.admission import Requester

if TYPE_CHECKING:
    from bot import KontextBot


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
        age_restricted=age_restricted(channel),
        locale=locale,
    )


def age_restricted(channel: object) -> bool:
    """Whether a channel is age-restricted (a thread follows its parent); DMs and unknown channels are not."""
    is_nsfw = getattr(channel, "is_nsfw", None)
    return bool(is_nsfw()) if callable(is_nsfw) else False


def server_rules(interaction: discord.Interaction[KontextBot]) -> bool:
    """Whether this happens in a server that installed the bot: its settings apply.

    A member's own (user) install of the app changes nothing there: the server's limits are not bypassed by it.
    """
    guild_id = interaction.guild_id
    return guild_id is not None and interaction.client.get_guild(guild_id) is not None


def token_reaches(interaction: discord.Interaction[KontextBot]) -> bool:
    """Whether the bot's own token may show the job: the server's installation authorised the command here.

    Elsewhere (DMs, group DMs, servers without the bot, a user's own install) only the interaction's token answers.
    """
    return server_rules(interaction) and interaction.is_guild_integration()


def rules_guild_id(interaction: discord.Interaction[KontextBot]) -> int | None:
    """The server whose settings apply, or None: the requester's personal rules (DMs, group DMs, user installs)."""
    return interaction.guild_id if server_rules(interaction) else None
