"""/help for everyone, and one welcome in a server's system channel when the bot joins it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs.utils.guide import dm_help_intro, help_for, welcome_embed
from cogs.utils.personal import everywhere
from cogs.utils.requesters import rules_guild_id

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)


class HelpCog(commands.Cog):
    """Help and the welcome."""

    def __init__(self, bot: KontextBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    @everywhere
    async def help(self, interaction: discord.Interaction[KontextBot]) -> None:
        """What this bot does, its commands, prompt tips, your quota and the prices."""
        embed = await help_for(self.bot, interaction.user, rules_guild_id(interaction), interaction.locale)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A plain DM to the bot gets the help: it answers commands, not chat, there."""
        if message.guild is not None or message.author.bot or not isinstance(message.channel, discord.DMChannel):
            return
        if (await self.bot.get_context(message)).valid:
            return  # an owner command such as "status"
        try:
            embed = await help_for(self.bot, message.author, None)
            await message.channel.send(dm_help_intro(), embed=embed, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as error:
            log.info("could not answer a DM from %s with the help (code %s)", message.author.id, error.code)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        channel = guild.system_channel
        if channel is None:
            log.info("joined guild %s: it has no system channel, so no welcome", guild.id)
            return
        permissions = channel.permissions_for(guild.me)
        if not (permissions.send_messages and permissions.embed_links):
            log.info("joined guild %s: I may not post in its system channel %s; no welcome", guild.id, channel.id)
            return
        try:
            # No user here: the server's preferred language (Community settings; English otherwise).
            server = await self.bot.quotas.settings(guild.id)
            await channel.send(embed=welcome_embed(self.bot, server, guild.preferred_locale))
        except discord.HTTPException as error:
            log.warning("joined guild %s: the welcome was refused (%s)", guild.id, error)
        else:
            log.info("joined guild %s: welcome posted in %s", guild.id, channel.id)


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(HelpCog(bot))
