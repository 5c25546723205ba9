"""Reply to an image mentioning the bot ("@Bot make it night") to edit it; no message content intent needed.

A message carries no user language (only interactions do): replies and the job's progress and result are in the
server's preferred locale (what its admins chose in Community settings; English otherwise).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from cogs.utils.delivery import message_delivery, render_progress
from cogs.utils.errors import describe_error, permission_list
from cogs.utils.guide import help_for
from cogs.utils.i18n import locale_of, t
from cogs.utils.images import checked, images_in, links_in
from cogs.utils.requesters import requester
from cogs.utils.text import CONTENT, cut
from kontext.jobs.admission import Acknowledged, Origin
from kontext.jobs.delivery import Progress
from kontext.models import GenerationRequest, Job

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

HELP_WORDS = frozenset({"help", "commands"})
_NEEDED = ("send_messages", "embed_links", "attach_files", "read_message_history")


class MentionsCog(commands.Cog):
    """Edits or generates from messages that mention the bot."""

    def __init__(self, bot: KontextBot) -> None:
        self.bot = bot

    def _instruction(self, message: discord.Message) -> str:
        assert self.bot.user is not None
        return re.sub(rf"<@!?{self.bot.user.id}>", " ", message.content).strip()

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or self.bot.user is None:
            return
        if not self.bot.user.mentioned_in(message) or message.mention_everyone:
            return
        if (await self.bot.get_context(message)).valid:
            return  # an owner command such as "@Bot status"
        permissions = message.channel.permissions_for(message.guild.me)  # type: ignore[union-attr]
        if not permissions.send_messages:
            log.info("mentioned in channel %s where I cannot send messages", message.channel.id)
            return
        locale = locale_of(message.guild)
        missing = [name for name in _NEEDED if not getattr(permissions, name)]
        if missing:
            names = permission_list(missing, locale)
            await self._answer(message, t(locale, "mention-missing-permissions", permissions=names))
            return
        try:
            await self._handle(message)
        except Exception as error:
            text = describe_error(error, locale)
            if text is None:
                log.exception("reply-to-edit failed for message %s", message.id)
                text = t(locale, "error-unhandled-short")
            await self._answer(message, text)

    async def _handle(self, message: discord.Message) -> None:
        locale = locale_of(message.guild)
        instruction, linked = links_in(self._instruction(message))
        if instruction.strip(" !?.").lower() in HELP_WORDS:
            # Never a generation: "@Bot help" answers with the help, free, with no call to the image service.
            embed = await help_for(self.bot, message.author, message.guild.id if message.guild else None, locale)
            await message.reply(embed=embed, mention_author=False, allowed_mentions=discord.AllowedMentions.none())
            return
        if not instruction:
            name = self.bot.user.display_name  # type: ignore[union-attr]
            await self._answer(message, t(locale, "mention-how-to", name=name))
            return
        images = images_in(message) + linked
        source_message = message if images else None
        if not images and message.reference is not None and message.reference.message_id is not None:
            source_message = await self._referenced(message)
            if source_message is None:
                await self._answer(message, t(locale, "mention-reply-unseen"))
                return
            images = images_in(source_message)
            if not images and self._hidden_from_me(source_message):
                await self._answer(message, t(locale, "mention-hidden"))
                return
        admission = self.bot.admission
        aspect_auto = bool(images)
        if images:
            source = await checked(self.bot, images[0])
            request = admission.edit_request(instruction, source)
        else:
            request = admission.request(instruction)
        await self._start(message, request, source_message=source_message, aspect_auto=aspect_auto)

    def _hidden_from_me(self, message: discord.Message) -> bool:
        """Without the message content intent Discord blanks other people's messages that don't mention the bot."""
        if self.bot.intents.message_content or message.author.id == self.bot.user.id:  # type: ignore[union-attr]
            return False
        return not (message.content or message.attachments or message.embeds or message.stickers)

    async def _referenced(self, message: discord.Message) -> discord.Message | None:
        reference = message.reference
        assert reference is not None and reference.message_id is not None
        if isinstance(reference.resolved, discord.Message):
            return reference.resolved
        if isinstance(reference.resolved, discord.DeletedReferencedMessage):
            return None
        try:
            return await message.channel.fetch_message(reference.message_id)
        except (discord.NotFound, discord.Forbidden):
            return None

    async def _start(
        self,
        message: discord.Message,
        request: GenerationRequest,
        *,
        source_message: discord.Message | None,
        aspect_auto: bool,
    ) -> None:
        source_id = source_message.id if source_message is not None and source_message.id != message.id else None

        async def acknowledge(job: Job, progress: Progress) -> Acknowledged:
            placeholder = await message.reply(
                render_progress(job, progress),
                mention_author=False,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            delivery = message_delivery(self.bot, placeholder, message, aspect_auto=aspect_auto)
            return Acknowledged(delivery, placeholder.id)

        who = requester(
            message.author,
            message.channel,
            guild_id=message.guild.id if message.guild else None,
            channel_id=message.channel.id,
            locale=locale_of(message.guild),
        )
        await self.bot.admission.accept(request, who, acknowledge, origin=Origin(source_message_id=source_id))

    async def _answer(self, message: discord.Message, text: str) -> None:
        """A short reply: messages can't be ephemeral, so it tidies itself away after a minute."""
        try:
            await message.reply(
                cut(text, CONTENT),
                mention_author=False,
                allowed_mentions=discord.AllowedMentions.none(),
                delete_after=60,
            )
        except discord.HTTPException:
            log.warning("could not answer message %s", message.id, exc_info=True)


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(MentionsCog(bot))
