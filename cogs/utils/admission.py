"""The Discord half of starting a job: an interaction or a message becomes a requester and an acknowledgement."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import discord

from cogs.utils.delivery import InteractionDelivery
from cogs.utils.errors import AnsweredElsewhere, TooLate, answered_elsewhere, too_late
from cogs.utils.requesters import requester
from kontext.jobs.admission import Acknowledged, Origin
from kontext.models import GenerationRequest, Job

if TYPE_CHECKING:
    from bot import KontextBot


async def start_from_interaction(
    interaction: discord.Interaction[KontextBot],
    request: GenerationRequest,
    *,
    origin: Origin | None = None,
    once_key: Hashable | None = None,
    aspect_auto: bool = False,
) -> Job:
    """Admit a request made by a command, a menu, a modal or a button; the placeholder is the deferred response."""
    bot = interaction.client
    if too_late(interaction):
        raise TooLate()  # before any reservation: Discord has already shown the user this command failed

    async def acknowledge(job: Job) -> Acknowledged:
        answered = await interaction.response.defer(thinking=True)
        # Discord returns the placeholder it created: its id lets a restart check it before posting again.
        placeholder = getattr(answered, "resource", None)
        message_id = placeholder.id if isinstance(placeholder, discord.InteractionMessage) else None
        return Acknowledged(InteractionDelivery(bot, interaction, aspect_auto=aspect_auto), message_id)

    who = requester(
        interaction.user, interaction.channel, guild_id=interaction.guild_id, channel_id=interaction.channel_id or 0
    )
    try:
        return await bot.admission.accept(request, who, acknowledge, origin=origin, once_key=once_key)
    except discord.HTTPException as error:
        if answered_elsewhere(error):
            raise AnsweredElsewhere() from error  # another process on these shards took it: it runs the job
        raise
