"""What the bot tells people about itself: /help (and "@Bot help"), and the welcome a new server gets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from cogs.utils.errors import when
from cogs.utils.text import plural
from kontext.money import format_usd

if TYPE_CHECKING:
    from bot import KontextBot
    from kontext.quotas.models import GuildSettings, UserUsage

GUIDE_COLOUR = discord.Colour(0x5865F2)
ABOUT = (
    "I make and change images with Black Forest Labs' **FLUX Kontext** model: describe a picture and I draw it, "
    "or point me at an image and say what to change. Edits chain: edit a result again and again with little drift."
)
COMMANDS = (
    "`/imagine prompt` · make an image (options: aspect ratio, mode, format, upsampling, safety, count: up to 4)\n"
    "`/edit image prompt` · change an image you upload\n"
    "**@{name} instruction** as a reply to an image · edit that image (with no image: make one)\n"
    "**Apps → Edit image** on any message · edit an image in it\n"
    "**Re-roll** · **Edit** · **Delete** on every result · again, edit it further, remove it\n"
    "`/history` · your latest images here, with links · `/show job` · one again, with its buttons\n"
    "`/quota` · your images left today · `/help` · this\n"
    "Server admins (Manage Server): `/settings` for limits and caps, `/usage` for the spend"
)
# From Black Forest Labs' prompting guide for Kontext.
TIPS = (
    "• Be specific: subject, style, light, composition.\n"
    "• Say what to keep: *“keep the same face and pose”*.\n"
    "• Prefer *change* or *replace* to *transform*.\n"
    "• Put exact text in quotes: *Replace 'OPEN' with 'CLOSED'*.\n"
    "• Split a complex edit into steps, and describe what you want rather than what you don't."
)


def price_list(bot: KontextBot, server: GuildSettings | None = None) -> str:
    """Each mode's price per image, and whether this server allows max."""
    lines = [f"**pro** {format_usd(bot.settings.price_micros('pro'))} per image"]
    line = f"**max** {format_usd(bot.settings.price_micros('max'))} per image (highest quality)"
    if server is not None and not server.allow_max:
        line += ": not allowed in this server"
    lines.append(line)
    return "\n".join(lines) + "\nThe bot's owner pays the image service; a failed image is refunded."


def quota_line(usage: UserUsage) -> str:
    """A member's images today against their limit."""
    if usage.limit is None:
        return f"{plural(usage.images_today, 'image')} today, no daily limit."
    return (
        f"{usage.images_today} of {plural(usage.limit, 'image')} today · **{usage.remaining} left** · "
        f"resets {when(usage.day_resets_at)}"
    )


def help_embed(
    bot: KontextBot, *, usage: UserUsage | None = None, server: GuildSettings | None = None
) -> discord.Embed:
    """Everything a user needs: what the bot does, its commands, prompt tips, their quota and the prices."""
    name = bot.user.display_name if bot.user else "Bot"
    embed = discord.Embed(title="FLUX Kontext: help", description=ABOUT, colour=GUIDE_COLOUR)
    embed.add_field(name="Commands", value=COMMANDS.format(name=name), inline=False)
    embed.add_field(name="Prompt tips (from Black Forest Labs' guide)", value=TIPS, inline=False)
    if usage is not None:
        embed.add_field(name="Your images", value=quota_line(usage), inline=False)
    embed.add_field(name="Prices", value=price_list(bot, server), inline=False)
    return embed


def welcome_embed(bot: KontextBot, server: GuildSettings) -> discord.Embed:
    """The one message a server gets when the bot joins: what it does, what images cost, how admins set limits."""
    embed = discord.Embed(title="Thanks for adding me!", description=ABOUT, colour=GUIDE_COLOUR)
    embed.add_field(
        name="Try it",
        value="`/imagine a lighthouse at dusk, oil painting`, or reply to an image with "
        f"**@{bot.user.display_name if bot.user else 'Bot'} make it night**. `/help` lists everything.",
        inline=False,
    )
    embed.add_field(name="What images cost", value=price_list(bot, server), inline=False)
    embed.add_field(
        name="Limits (admins with Manage Server)",
        value=(
            f"Each member may make {plural(server.base_user_limit, 'image')} a day and run "
            f"{plural(server.concurrent_limit, 'image')} at once; {_caps(server)}.\n"
            "`/settings daily-limit` · images per member per day (0 turns generation off)\n"
            "`/settings daily-cap` · `/settings monthly-cap` · the server's spend in USD\n"
            "`/settings role` · a role's own daily limit · `/settings max-mode` · allow max\n"
            "`/settings channels` · where I may be used · `/settings batch` · images per request\n"
            "`/settings pings` · a ping when an image is ready · `/settings safety` · the safety limit\n"
            "`/settings show` · all of it · `/usage` · the spend"
        ),
        inline=False,
    )
    return embed


def _caps(server: GuildSettings) -> str:
    if server.daily_cap_micros is None and server.monthly_cap_micros is None:
        return "no server spend cap is set yet"
    caps = [
        f"{format_usd(cap)} per {period}"
        for cap, period in ((server.daily_cap_micros, "day"), (server.monthly_cap_micros, "month"))
        if cap is not None
    ]
    return "the server may spend " + " and ".join(caps)


def dm_help_intro() -> str:
    """Above the help, in answer to a plain DM: the bot takes commands there, not chat."""
    return "I make images from slash commands, here too: try `/imagine` in this DM. Here is what I can do."


async def help_for(bot: KontextBot, user: discord.abc.User, guild_id: int | None) -> discord.Embed:
    """The help, with the user's own quota, and this server's prices where a server's rules apply.

    guild_id None: the user's personal quota (DMs, group DMs, servers without the bot).
    """
    role_ids = [role.id for role in getattr(user, "roles", ())]
    usage = await bot.quotas.user_usage(guild_id, user.id, role_ids)
    server = await bot.quotas.settings(guild_id) if guild_id is not None else None
    return help_embed(bot, usage=usage, server=server)
