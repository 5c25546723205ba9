"""Owner-only maintenance, invoked by mentioning the bot (no message content intent needed)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord.ext import commands

from cogs.utils.text import plural

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)


class AdminCog(commands.Cog):
    """`@Bot sync` and `@Bot status` for the bot's owner."""

    def __init__(self, bot: KontextBot) -> None:
        self.bot = bot

    async def cog_check(self, ctx: commands.Context[KontextBot]) -> bool:  # type: ignore[override]
        return await self.bot.is_owner(ctx.author)

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[KontextBot], error: commands.CommandError) -> None:
        # Every "@Bot <instruction>" looks like a prefix command to discord.py; only real failures are worth a log.
        if isinstance(error, commands.CommandNotFound | commands.CheckFailure | commands.UserInputError):
            return
        log.error("owner command %s failed", ctx.command, exc_info=error)

    @commands.command(name="sync")
    async def sync(
        self, ctx: commands.Context[KontextBot], scope: Literal["global", "here", "clear"] = "global"
    ) -> None:
        """Sync slash commands globally, to this server only, or clear this server's copies."""
        if scope == "global":
            synced = await self.bot.tree.sync()
            await ctx.reply(f"Synced {plural(len(synced), 'command')} globally (they can take a while to show up).")
            return
        if ctx.guild is None:
            await ctx.reply("`here` and `clear` work in a server.")
            return
        if scope == "clear":
            self.bot.tree.clear_commands(guild=ctx.guild)
        else:
            self.bot.tree.copy_global_to(guild=ctx.guild)
        synced = await self.bot.tree.sync(guild=ctx.guild)
        await ctx.reply(f"{plural(len(synced), 'command')} now registered in this server.")

    @commands.command(name="status")
    async def status(self, ctx: commands.Context[KontextBot]) -> None:
        """How many jobs are running and waiting, and the gateway latency."""
        active = await self.bot.jobs.count_unfinished()
        await ctx.reply(
            f"Jobs in this process: {self.bot.jobs.running} running, {self.bot.jobs.queued} queued. "
            f"Unfinished in the database: {active}. Latency {self.bot.latency * 1000:.0f} ms.",
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(AdminCog(bot))
