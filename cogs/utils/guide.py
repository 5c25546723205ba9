"""What the bot tells people about itself: /help (and "@Bot help"), and the welcome a new server gets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from cogs.utils.errors import when
from cogs.utils.i18n import t
from kontext.money import format_usd

if TYPE_CHECKING:
    from bot import KontextBot
    from kontext.quotas.models import GuildSettings, UserUsage

GUIDE_COLOUR = discord.Colour(0x5865F2)


def price_list(bot: KontextBot, server: GuildSettings | None = None, locale: object = None) -> str:
    """Each mode's price per image, and whether this server allows max."""
    pro, most = (format_usd(bot.settings.price_micros(mode)) for mode in ("pro", "max"))
    max_key = "help-price-max-not-here" if server is not None and not server.allow_max else "help-price-max"
    lines = [t(locale, "help-price-pro", price=pro), t(locale, max_key, price=most), t(locale, "help-price-who-pays")]
    return "\n".join(lines)


def quota_line(usage: UserUsage, locale: object = None) -> str:
    """A member's images today against their limit."""
    if usage.limit is None:
        return t(locale, "help-quota-unlimited", used=usage.images_today)
    when_ = when(usage.day_resets_at, locale)
    return t(locale, "help-quota", used=usage.images_today, limit=usage.limit, left=usage.remaining, when=when_)


def help_embed(
    bot: KontextBot, *, usage: UserUsage | None = None, server: GuildSettings | None = None, locale: object = None
) -> discord.Embed:
    """Everything a user needs: what the bot does, its commands, prompt tips, their quota and the prices."""
    name = bot.user.display_name if bot.user else "Bot"
    embed = discord.Embed(title=t(locale, "help-title"), description=t(locale, "help-about"), colour=GUIDE_COLOUR)
    embed.add_field(name=t(locale, "help-commands-title"), value=t(locale, "help-commands", name=name), inline=False)
    embed.add_field(name=t(locale, "help-tips-title"), value=t(locale, "help-tips"), inline=False)
    if usage is not None:
        embed.add_field(name=t(locale, "help-your-images"), value=quota_line(usage, locale), inline=False)
    embed.add_field(name=t(locale, "help-prices"), value=price_list(bot, server, locale), inline=False)
    return embed


def welcome_embed(bot: KontextBot, server: GuildSettings, locale: object = None) -> discord.Embed:
    """The one message a server gets when the bot joins: what it does, what images cost, how admins set limits."""
    name = bot.user.display_name if bot.user else "Bot"
    embed = discord.Embed(title=t(locale, "welcome-title"), description=t(locale, "help-about"), colour=GUIDE_COLOUR)
    embed.add_field(name=t(locale, "welcome-try-title"), value=t(locale, "welcome-try", name=name), inline=False)
    embed.add_field(name=t(locale, "welcome-cost-title"), value=price_list(bot, server, locale), inline=False)
    limits = t(
        locale,
        "welcome-limits",
        daily=server.base_user_limit,
        concurrent=server.concurrent_limit,
        caps=_caps(server, locale),
    )
    embed.add_field(name=t(locale, "welcome-limits-title"), value=limits, inline=False)
    return embed


def _caps(server: GuildSettings, locale: object) -> str:
    day, month = server.daily_cap_micros, server.monthly_cap_micros
    if day is None and month is None:
        return t(locale, "welcome-no-caps")
    if day is not None and month is not None:
        return t(locale, "welcome-cap-both", day=format_usd(day), month=format_usd(month))
    if day is not None:
        return t(locale, "welcome-cap-day", day=format_usd(day))
    return t(locale, "welcome-cap-month", month=format_usd(month or 0))


def dm_help_intro(locale: object = None) -> str:
    """Above the help, in answer to a plain DM: the bot takes commands there, not chat."""
    return t(locale, "dm-help-intro")


async def help_for(
    bot: KontextBot, user: discord.abc.User, guild_id: int | None, locale: object = None
) -> discord.Embed:
    """The help, with the user's own quota, and this server's prices where a server's rules apply.

    guild_id None: the user's personal quota (DMs, group DMs, servers without the bot).
    """
    role_ids = [role.id for role in getattr(user, "roles", ())]
    usage = await bot.quotas.user_usage(guild_id, user.id, role_ids)
    server = await bot.quotas.settings(guild_id) if guild_id is not None else None
    return help_embed(bot, usage=usage, server=server, locale=locale)
