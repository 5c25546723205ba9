"""Limits and spending: /quota for members, /settings and /usage for server admins (Manage Server)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs.utils.cards import SAFETY_CHOICES
from cogs.utils.errors import UserError, when
from cogs.utils.i18n import t
from cogs.utils.personal import SERVER_CONTEXTS, SERVER_INSTALLS, everywhere
from cogs.utils.requesters import rules_guild_id
from kontext.money import format_usd, parse_usd
from kontext.quotas.models import MAX_BATCH, GuildSettings, GuildUsage, SettingRefused

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

COLOUR = discord.Colour(0x57F287)
Interaction = discord.Interaction["KontextBot"]


def _cap(micros: int | None, locale: object) -> str:
    return format_usd(micros) if micros is not None else t(locale, "no-cap")


def _spend_lines(usage: GuildUsage, locale: object) -> str:
    return t(
        locale,
        "spend-lines",
        today=format_usd(usage.spent_today_micros),
        daycap=_cap(usage.daily_cap_micros, locale),
        dayreset=when(usage.day_resets_at, locale),
        month=format_usd(usage.spent_month_micros),
        monthcap=_cap(usage.monthly_cap_micros, locale),
        monthreset=when(usage.month_resets_at, locale),
    )


def settings_embed(
    server: GuildSettings, locale: object, title: str = "settings-title", *, safety_default: int
) -> discord.Embed:
    """Every quota setting of a server, as admins see it; `title` is a catalogue key, `safety_default` the owner's
    DEFAULT_SAFETY_LIMIT."""
    embed = discord.Embed(title=t(locale, title), colour=COLOUR)
    own = server.daily_user_limit is not None
    embed.add_field(
        name=t(locale, "settings-images-per-day"),
        value=f"{server.base_user_limit}"
        + ("" if own else " " + t(locale, "settings-bot-default"))
        + ("" if server.base_user_limit else " " + t(locale, "settings-generation-off")),
    )
    unlimited = t(locale, "quota-unlimited")
    tiers = [
        f"<@&{role}>: {unlimited if limit is None else limit}" for role, limit in sorted(server.role_limits.items())
    ]
    embed.add_field(name=t(locale, "settings-role-tiers"), value="\n".join(tiers) or t(locale, "settings-none"))
    caps = t(
        locale,
        "settings-caps",
        day=_cap(server.daily_cap_micros, locale),
        month=_cap(server.monthly_cap_micros, locale),
    )
    embed.add_field(name=t(locale, "settings-spend-caps"), value=caps)
    allowed = t(locale, "settings-allowed" if server.allow_max else "settings-not-allowed")
    embed.add_field(name=t(locale, "settings-max-mode"), value=allowed)
    cooldown = server.cooldown_seconds
    cooldown_text = t(locale, "settings-seconds", seconds=cooldown) if cooldown else t(locale, "settings-none")
    embed.add_field(name=t(locale, "settings-cooldown"), value=cooldown_text)
    embed.add_field(name=t(locale, "settings-jobs-at-once"), value=str(server.concurrent_limit))
    batch = t(locale, "settings-up-to", count=server.batch_limit)
    batch += "" if server.max_batch else " " + t(locale, "settings-bot-default")
    embed.add_field(name=t(locale, "settings-images-per-request"), value=batch)
    channels = ", ".join(f"<#{channel}>" for channel in sorted(server.allowed_channel_ids))
    embed.add_field(name=t(locale, "settings-channels"), value=channels or t(locale, "settings-everywhere"))
    watermark = discord.utils.escape_markdown(server.watermark) if server.watermark else t(locale, "settings-none")
    embed.add_field(name=t(locale, "settings-watermark"), value=watermark)
    embed.add_field(name=t(locale, "settings-safety"), value=_safety_value(server, safety_default, locale))
    pings = t(locale, "settings-pings-on" if server.ping_results else "settings-pings-off")
    embed.add_field(name=t(locale, "settings-pings"), value=pings)
    return embed


def _safety_value(server: GuildSettings, default: int, locale: object) -> str:
    """The most permissive safety level allowed, as admins see it."""
    base = server.safety_limit_in(age_restricted=False, default=default)
    text = t(locale, "settings-safety-at-most", level=base, name=t(locale, f"safety-{base}"))
    text += "" if server.safety_limit is not None else " " + t(locale, "settings-bot-default")
    if server.safety_top_age_restricted:
        top = server.safety_limit_in(age_restricted=True)
        text += t(locale, "settings-safety-age-restricted", level=top, name=t(locale, f"safety-{top}"))
    return text


def personal_quota_note(locale: object = None) -> str:
    """/quota where no server's rules apply: whose limit this is."""
    return t(locale, "quota-personal-note")


def _parse_cap(text: str) -> int | None:
    if text.strip().lower() in ("none", "off", "no", ""):
        return None
    try:
        return parse_usd(text)
    except ValueError:
        raise UserError("settings-bad-amount", text=text[:20]) from None


def _refused(error: ValueError) -> UserError:
    """A setting the domain refused, in the admin's words: by its code where it has one, else its English reason."""
    if isinstance(error, SettingRefused):
        return UserError(f"setting-{error.code}", **error.values)
    return UserError("settings-refused", reason=str(error))


def _parse_tier(text: str) -> int | Literal["clear"] | None:
    word = text.strip().lower()
    if word in ("unlimited", "∞"):
        return None
    if word in ("clear", "none", "remove"):
        return "clear"
    if word.isdigit():
        return int(word)
    raise UserError("settings-bad-tier")


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
        locale = interaction.locale
        embed = discord.Embed(title=t(locale, "quota-title"), colour=COLOUR)
        if mine.limit is None:
            limit = t(locale, "quota-unlimited")
        else:
            limit = t(locale, "quota-used-of", used=mine.images_today, limit=mine.limit)
        left = "" if mine.remaining is None else " " + t(locale, "quota-left", left=mine.remaining)
        resets = t(locale, "quota-resets", when=when(mine.day_resets_at, locale))
        running = t(locale, "quota-running", running=mine.in_flight, max=mine.max_concurrent)
        embed.add_field(name=t(locale, "quota-today"), value=f"{limit}{left}\n{resets}\n{running}", inline=False)
        if guild_id is None:
            embed.add_field(name=t(locale, "quota-where"), value=personal_quota_note(locale), inline=False)
        else:
            server = await self.bot.quotas.guild_usage(guild_id, top=0)
            embed.add_field(name=t(locale, "quota-server-budget"), value=_spend_lines(server, locale), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="usage")
    @app_commands.guild_only()
    @app_commands.allowed_installs(guilds=True, users=False)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def usage(self, interaction: Interaction) -> None:
        """This server's image spend, top members, failures and refunds."""
        usage = await self.bot.quotas.guild_usage(interaction.guild_id, top=5)
        locale = interaction.locale
        embed = discord.Embed(title=t(locale, "usage-title"), colour=COLOUR)
        embed.add_field(name=t(locale, "usage-spend"), value=_spend_lines(usage, locale), inline=False)
        for label, totals, top in (
            ("usage-today", usage.today, usage.top_today),
            ("usage-month", usage.month, usage.top_month),
        ):
            leaders = "\n".join(
                t(locale, "usage-leader", user=str(s.user_id), images=s.images, cost=format_usd(s.micros)) for s in top
            )
            value = t(
                locale,
                "usage-totals",
                made=totals.committed,
                madecost=format_usd(totals.committed_micros),
                refunded=totals.refunded,
                refundedcost=format_usd(totals.refunded_micros),
                running=totals.reserved,
                leaders=leaders or t(locale, "usage-nobody"),
            )
            embed.add_field(name=t(locale, label), value=value)
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

    def _embed(self, server: GuildSettings, locale: object, title: str = "settings-title") -> discord.Embed:
        return settings_embed(server, locale, title, safety_default=self.bot.settings.default_safety_limit)

    async def _changed(self, interaction: Interaction, title: str, **changes: object) -> None:
        try:
            server = await self.bot.quotas.update_settings(interaction.guild_id, **changes)
        except ValueError as error:
            raise _refused(error) from error
        log.info("guild %s: %s changed %s", interaction.guild_id, interaction.user.id, ", ".join(changes))
        await interaction.response.send_message(embed=self._embed(server, interaction.locale, title), ephemeral=True)

    @settings.command(name="show")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def settings_show(self, interaction: Interaction) -> None:
        """Show this server's image settings."""
        server = await self.bot.quotas.settings(interaction.guild_id)
        await interaction.response.send_message(embed=self._embed(server, interaction.locale), ephemeral=True)

    @settings.command(name="daily-limit")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(images="Images per member per day (0 turns generation off); leave empty for the default")
    async def settings_daily_limit(
        self, interaction: Interaction, images: app_commands.Range[int, 0, 100_000] | None = None
    ) -> None:
        """Set how many images each member may make per day."""
        await self._changed(interaction, "settings-daily-limit-title", daily_user_limit=images)

    @settings.command(name="daily-cap")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(amount="Most this server may spend per day in USD, e.g. 5 or 12.50; 'none' removes the cap")
    async def settings_daily_cap(self, interaction: Interaction, amount: str) -> None:
        """Cap this server's image spending per day (UTC)."""
        await self._changed(interaction, "settings-daily-cap-title", daily_cap_micros=_parse_cap(amount))

    @settings.command(name="monthly-cap")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(amount="Most this server may spend per month in USD, e.g. 50; 'none' removes the cap")
    async def settings_monthly_cap(self, interaction: Interaction, amount: str) -> None:
        """Cap this server's image spending per month (UTC)."""
        await self._changed(interaction, "settings-monthly-cap-title", monthly_cap_micros=_parse_cap(amount))

    @settings.command(name="max-mode")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(allowed="Whether members may use max mode (twice the price of pro)")
    async def settings_max_mode(self, interaction: Interaction, allowed: bool) -> None:
        """Allow or forbid max mode in this server."""
        await self._changed(interaction, "settings-max-mode-title", allow_max=allowed)

    @settings.command(name="cooldown")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(seconds="Seconds a member must wait between requests (0: none)")
    async def settings_cooldown(self, interaction: Interaction, seconds: app_commands.Range[int, 0, 86_400]) -> None:
        """Set a cooldown between one member's requests."""
        await self._changed(interaction, "settings-cooldown-title", cooldown_seconds=seconds)

    @settings.command(name="concurrent")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(jobs="Images one member may have in progress at once; leave empty for the default")
    async def settings_concurrent(
        self, interaction: Interaction, jobs: app_commands.Range[int, 1, 50] | None = None
    ) -> None:
        """Set how many images one member may have in progress at once."""
        await self._changed(interaction, "settings-concurrent-title", max_concurrent_per_user=jobs)

    @settings.command(name="batch")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(images=f"Most images one request may ask for (1-{MAX_BATCH}); leave empty for the default")
    async def settings_batch(
        self, interaction: Interaction, images: app_commands.Range[int, 1, MAX_BATCH] | None = None
    ) -> None:
        """Set how many images one /imagine or /edit may ask for (each is charged)."""
        await self._changed(interaction, "settings-batch-title", max_batch=images)

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
            raise UserError(f"settings-pick-channel-{action}")
        elif action == "allow":
            allowed.add(channel.id)
        else:
            allowed.discard(channel.id)
        await self._changed(interaction, "settings-channels-title", allowed_channel_ids=frozenset(allowed))

    @settings.command(name="watermark")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(text="Text the image service adds to this server's images; leave empty to remove it")
    async def settings_watermark(
        self, interaction: Interaction, text: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        """Add a watermark to this server's images, or remove it."""
        await self._changed(interaction, "settings-watermark-title", watermark=text)

    @settings.command(name="safety")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(
        level="The most permissive safety level members may use here; higher requests are lowered to it",
        age_restricted="Allow the most permissive level (2) only, and always, in age-restricted channels",
    )
    @app_commands.choices(level=SAFETY_CHOICES)
    async def settings_safety(self, interaction: Interaction, level: int, age_restricted: bool = False) -> None:
        """Limit how permissive image safety may be in this server, and in its age-restricted channels."""
        await self._changed(
            interaction, "settings-safety-title", safety_limit=level, safety_top_age_restricted=age_restricted
        )

    @settings.command(name="pings")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(on="On: a finished image comes as a new message that pings its requester; off: no ping")
    async def settings_pings(self, interaction: Interaction, on: bool) -> None:
        """Choose whether members are pinged when their image is ready."""
        await self._changed(interaction, "settings-pings-title", ping_results=on)

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
            raise _refused(error) from error
        embed = self._embed(server, interaction.locale, "settings-role-title")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @settings.command(name="reset")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(member="The member whose images today are forgotten (the money spent stays spent)")
    async def settings_reset(self, interaction: Interaction, member: discord.Member) -> None:
        """Clear a member's image count for today."""
        await self.bot.quotas.reset_user_day(interaction.guild_id, member.id)
        usage = await self.bot.quotas.user_usage(interaction.guild_id, member.id, [r.id for r in member.roles])
        limit = "none" if usage.limit is None else usage.limit
        used = t(interaction.locale, "settings-reset-used", used=usage.images_today, limit=limit)
        await interaction.response.send_message(
            t(interaction.locale, "settings-reset-done", member=member.mention, used=used),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(QuotaCog(bot))
