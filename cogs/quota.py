"""Limits and spending: /quota for members, /settings and /usage for server admins (Manage Server)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs.utils.cards import SAFETY_CHOICES, SAFETY_NAMES
from cogs.utils.errors import UserError, when
from cogs.utils.personal import SERVER_CONTEXTS, SERVER_INSTALLS, everywhere
from cogs.utils.requesters import rules_guild_id
from cogs.utils.text import plural
from kontext.money import format_usd, parse_usd
from kontext.quotas.models import MAX_BATCH, GuildSettings, GuildUsage

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

COLOUR = discord.Colour(0x57F287)
Interaction = discord.Interaction["KontextBot"]


def _cap(micros: int | None) -> str:
    return format_usd(micros) if micros is not None else "no cap"


def _spend_lines(usage: GuildUsage) -> str:
    return (
        f"Today: **{format_usd(usage.spent_today_micros)}** of {_cap(usage.daily_cap_micros)}, resets "
        f"{when(usage.day_resets_at)}\n"
        f"This month: **{format_usd(usage.spent_month_micros)}** of {_cap(usage.monthly_cap_micros)}, resets "
        f"{when(usage.month_resets_at)}"
    )


def settings_embed(
    server: GuildSettings, title: str = "Image settings for this server", *, safety_default: int
) -> discord.Embed:
    """Every quota setting of a server, as admins see it; `safety_default` is the owner's DEFAULT_SAFETY_LIMIT."""
    embed = discord.Embed(title=title, colour=COLOUR)
    own = server.daily_user_limit is not None
    embed.add_field(
        name="Images per member per day",
        value=f"{server.base_user_limit}"
        + ("" if own else " (bot default)")
        + (" · generation off" if not server.base_user_limit else ""),
    )
    tiers = [
        f"<@&{role}>: {'unlimited' if limit is None else limit}" for role, limit in sorted(server.role_limits.items())
    ]
    embed.add_field(name="Role tiers", value="\n".join(tiers) or "none")
    embed.add_field(
        name="Server spend caps",
        value=f"per day: {_cap(server.daily_cap_micros)}\nper month: {_cap(server.monthly_cap_micros)}",
    )
    embed.add_field(name="Max mode", value="allowed" if server.allow_max else "not allowed")
    embed.add_field(name="Cooldown", value=f"{server.cooldown_seconds} s" if server.cooldown_seconds else "none")
    embed.add_field(name="Jobs at once per member", value=str(server.concurrent_limit))
    embed.add_field(
        name="Images per request", value=f"up to {server.batch_limit}" + ("" if server.max_batch else " (bot default)")
    )
    channels = ", ".join(f"<#{channel}>" for channel in sorted(server.allowed_channel_ids))
    embed.add_field(name="Channels", value=channels or "everywhere")
    embed.add_field(
        name="Watermark", value=discord.utils.escape_markdown(server.watermark) if server.watermark else "none"
    )
    embed.add_field(name="Safety", value=_safety_value(server, safety_default))
    embed.add_field(
        name="Ping when ready",
        value="on: a new message pings the requester" if server.ping_results else "off: shown in place, no ping",
    )
    return embed


def _safety_value(server: GuildSettings, default: int) -> str:
    """The most permissive safety level allowed, as admins see it."""
    base = server.safety_limit_in(age_restricted=False, default=default)
    text = f"at most {base} ({SAFETY_NAMES[base]})" + ("" if server.safety_limit is not None else " (bot default)")
    if server.safety_top_age_restricted:
        top = server.safety_limit_in(age_restricted=True)
        text += f"; {top} ({SAFETY_NAMES[top]}) in age-restricted channels only"
    return text


def personal_quota_note() -> str:
    """/quota where no server's rules apply: whose limit this is."""
    return (
        "This is your personal daily limit: it applies in DMs, group DMs and servers that haven't added me. "
        "In a server that added me, that server's limits apply."
    )


def _parse_cap(text: str) -> int | None:
    if text.strip().lower() in ("none", "off", "no", ""):
        return None
    try:
        return parse_usd(text)
    except ValueError:
        raise UserError(
            f"`{text[:20]}` is not an amount in US dollars: write it like `5` or `12.50`, or `none`."
        ) from None


def _parse_tier(text: str) -> int | Literal["clear"] | None:
    word = text.strip().lower()
    if word in ("unlimited", "∞"):
        return None
    if word in ("clear", "none", "remove"):
        return "clear"
    if word.isdigit():
        return int(word)
    raise UserError("Give the role a number of images per day, `unlimited`, or `clear` to remove its tier.")


class QuotaCog(commands.Cog):
    """Quota commands."""

    def __init__(self, bot: KontextBot) -> None:
        self.bot = bot

    @app_commands.command(name="quota")
    @everywhere
    async def quota(self, interaction: Interaction) -> None:
        """See how many images you have left today, and this server's budget."""
        member = interaction.user
        guild_id = rules_guild_id(interaction)
        role_ids = [role.id for role in getattr(member, "roles", ())] if guild_id is not None else []
        mine = await self.bot.quotas.user_usage(guild_id, member.id, role_ids)
        embed = discord.Embed(title="Your images", colour=COLOUR)
        limit = "unlimited" if mine.limit is None else f"{mine.images_today} of {mine.limit}"
        left = "" if mine.remaining is None else f" · **{mine.remaining} left**"
        running = f"Running now: {mine.in_flight} of {mine.max_concurrent}"
        embed.add_field(
            name="Today", value=f"{limit}{left}\nResets {when(mine.day_resets_at)}\n{running}", inline=False
        )
        if guild_id is None:
            embed.add_field(name="Where this applies", value=personal_quota_note(), inline=False)
        else:
            server = await self.bot.quotas.guild_usage(guild_id, top=0)
            embed.add_field(name="Server budget", value=_spend_lines(server), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="usage")
    @app_commands.guild_only()
    @app_commands.allowed_installs(guilds=True, users=False)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def usage(self, interaction: Interaction) -> None:
        """This server's image spend, top members, failures and refunds."""
        usage = await self.bot.quotas.guild_usage(interaction.guild_id, top=5)
        embed = discord.Embed(title="Image usage in this server", colour=COLOUR)
        embed.add_field(name="Spend", value=_spend_lines(usage), inline=False)
        for label, totals, top in (
            ("Today", usage.today, usage.top_today),
            ("This month", usage.month, usage.top_month),
        ):
            leaders = "\n".join(f"<@{s.user_id}>: {plural(s.images, 'image')}, {format_usd(s.micros)}" for s in top)
            leaders = leaders or "nobody yet"
            embed.add_field(
                name=label,
                value=(
                    f"Images made: {totals.committed} ({format_usd(totals.committed_micros)})\n"
                    f"Failed and refunded: {totals.refunded} ({format_usd(totals.refunded_micros)})\n"
                    f"Running: {totals.reserved}\n**Top members**\n{leaders}"
                ),
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    settings = app_commands.Group(
        name="settings",
        description="Image limits for this server",
        guild_only=True,
        # Said outright: with user installs on, Discord's defaults would offer it everywhere the app is.
        allowed_contexts=SERVER_CONTEXTS,
        allowed_installs=SERVER_INSTALLS,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def _embed(self, server: GuildSettings, title: str = "Image settings for this server") -> discord.Embed:
        return settings_embed(server, title, safety_default=self.bot.settings.default_safety_limit)

    async def _changed(self, interaction: Interaction, title: str, **changes: object) -> None:
        try:
            server = await self.bot.quotas.update_settings(interaction.guild_id, **changes)
        except ValueError as error:
            raise UserError(str(error)) from error
        log.info("guild %s: %s changed %s", interaction.guild_id, interaction.user.id, ", ".join(changes))
        await interaction.response.send_message(embed=self._embed(server, title), ephemeral=True)

    @settings.command(name="show")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def settings_show(self, interaction: Interaction) -> None:
        """Show this server's image settings."""
        server = await self.bot.quotas.settings(interaction.guild_id)
        await interaction.response.send_message(embed=self._embed(server), ephemeral=True)

    @settings.command(name="daily-limit")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(images="Images per member per day (0 turns generation off); leave empty for the default")
    async def settings_daily_limit(
        self, interaction: Interaction, images: app_commands.Range[int, 0, 100_000] | None = None
    ) -> None:
        """Set how many images each member may make per day."""
        await self._changed(interaction, "Daily image limit updated", daily_user_limit=images)

    @settings.command(name="daily-cap")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(amount="Most this server may spend per day in USD, e.g. 5 or 12.50; 'none' removes the cap")
    async def settings_daily_cap(self, interaction: Interaction, amount: str) -> None:
        """Cap this server's image spending per day (UTC)."""
        await self._changed(interaction, "Daily spend cap updated", daily_cap_micros=_parse_cap(amount))

    @settings.command(name="monthly-cap")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(amount="Most this server may spend per month in USD, e.g. 50; 'none' removes the cap")
    async def settings_monthly_cap(self, interaction: Interaction, amount: str) -> None:
        """Cap this server's image spending per month (UTC)."""
        await self._changed(interaction, "Monthly spend cap updated", monthly_cap_micros=_parse_cap(amount))

    @settings.command(name="max-mode")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(allowed="Whether members may use max mode (twice the price of pro)")
    async def settings_max_mode(self, interaction: Interaction, allowed: bool) -> None:
        """Allow or forbid max mode in this server."""
        await self._changed(interaction, "Max mode updated", allow_max=allowed)

    @settings.command(name="cooldown")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(seconds="Seconds a member must wait between requests (0: none)")
    async def settings_cooldown(self, interaction: Interaction, seconds: app_commands.Range[int, 0, 86_400]) -> None:
        """Set a cooldown between one member's requests."""
        await self._changed(interaction, "Cooldown updated", cooldown_seconds=seconds)

    @settings.command(name="concurrent")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(jobs="Images one member may have in progress at once; leave empty for the default")
    async def settings_concurrent(
        self, interaction: Interaction, jobs: app_commands.Range[int, 1, 50] | None = None
    ) -> None:
        """Set how many images one member may have in progress at once."""
        await self._changed(interaction, "Jobs at once updated", max_concurrent_per_user=jobs)

    @settings.command(name="batch")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(images=f"Most images one request may ask for (1-{MAX_BATCH}); leave empty for the default")
    async def settings_batch(
        self, interaction: Interaction, images: app_commands.Range[int, 1, MAX_BATCH] | None = None
    ) -> None:
        """Set how many images one /imagine or /edit may ask for (each is charged)."""
        await self._changed(interaction, "Images per request updated", max_batch=images)

    @settings.command(name="channels")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(action="allow or disallow a channel, or let the bot work everywhere", channel="The channel")
    async def settings_channels(
        self,
        interaction: Interaction,
        action: Literal["allow", "disallow", "everywhere"],
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Choose the channels where the bot may be used."""
        server = await self.bot.quotas.settings(interaction.guild_id)
        allowed = set(server.allowed_channel_ids)
        if action == "everywhere":
            allowed.clear()
        elif channel is None:
            raise UserError(f"Pick the channel to {action}.")
        elif action == "allow":
            allowed.add(channel.id)
        else:
            allowed.discard(channel.id)
        await self._changed(interaction, "Channels updated", allowed_channel_ids=frozenset(allowed))

    @settings.command(name="watermark")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(text="Text the image service adds to this server's images; leave empty to remove it")
    async def settings_watermark(
        self, interaction: Interaction, text: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        """Add a watermark to this server's images, or remove it."""
        await self._changed(interaction, "Watermark updated", watermark=text)

    @settings.command(name="safety")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(
        level="The most permissive safety level members may use here; higher requests are lowered to it",
        age_restricted="Allow the most permissive level (2) only, and always, in age-restricted channels",
    )
    @app_commands.choices(level=SAFETY_CHOICES)
    async def settings_safety(self, interaction: Interaction, level: int, age_restricted: bool = False) -> None:
        """Limit how permissive image safety may be in this server, and in its age-restricted channels."""
        await self._changed(interaction, "Safety updated", safety_limit=level, safety_top_age_restricted=age_restricted)

    @settings.command(name="pings")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(on="On: a finished image comes as a new message that pings its requester; off: no ping")
    async def settings_pings(self, interaction: Interaction, on: bool) -> None:
        """Choose whether members are pinged when their image is ready."""
        await self._changed(interaction, "Pings updated", ping_results=on)

    @settings.command(name="role")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(role="The role", limit="Images per day for its members: a number, 'unlimited', or 'clear'")
    async def settings_role(self, interaction: Interaction, role: discord.Role, limit: str) -> None:
        """Give a role its own daily image limit (members get the best of their roles), or clear it."""
        tier = _parse_tier(limit)
        try:
            if tier == "clear":
                await self.bot.quotas.clear_role_limit(interaction.guild_id, role.id)
                server = await self.bot.quotas.settings(interaction.guild_id)
            else:
                server = await self.bot.quotas.set_role_limit(interaction.guild_id, role.id, tier)
        except ValueError as error:
            raise UserError(str(error)) from error
        await interaction.response.send_message(embed=self._embed(server, "Role tiers updated"), ephemeral=True)

    @settings.command(name="reset")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(member="The member whose images today are forgotten (the money spent stays spent)")
    async def settings_reset(self, interaction: Interaction, member: discord.Member) -> None:
        """Clear a member's image count for today."""
        await self.bot.quotas.reset_user_day(interaction.guild_id, member.id)
        usage = await self.bot.quotas.user_usage(interaction.guild_id, member.id, [r.id for r in member.roles])
        used = (
            plural(usage.images_today, "image")
            if usage.limit is None
            else f"{usage.images_today} of {plural(usage.limit, 'image')}"
        )
        await interaction.response.send_message(
            f"{member.mention} starts today afresh: {used} used.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(QuotaCog(bot))
