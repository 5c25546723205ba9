"""The Discord half of starting a job: an interaction or a message becomes a requester and an acknowledgement."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import discord

from cogs.utils.delivery import InteractionDelivery
from cogs.utils.errors import AnsweredElsewhere, TooLate, answered_elsewhere, expired, too_late
from cogs.utils.i18n import locale_of
from cogs.utils.personal import TokenOnlyDelivery
from cogs.utils.requesters import requester, rules_guild_id, token_reaches
from kontext.jobs.admission import Acknowledged, Origin
from kontext.jobs.delivery import Progress
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
    count: int = 1,
) -> Job:
    """Admit a request made by a command, a menu, a modal or a button; the placeholder is the response."""
    bot = interaction.client
    if too_late(interaction):
        raise TooLate()  # before any reservation: Discord has already shown the user this command failed
    # Outside a server that installed the bot the requester's personal rules apply, and only the token answers.
    guild_id = rules_guild_id(interaction)
    shown_by = InteractionDelivery if token_reaches(interaction) else TokenOnlyDelivery

    async def acknowledge(job: Job, progress: Progress) -> Acknowledged:
        if too_late(interaction):
            raise TooLate()  # the reservation took Discord's last moments: it is refunded, and nothing is sent
        delivery = shown_by(bot, interaction, aspect_auto=aspect_auto)
        # The answer is the job's progress itself, not a "thinking…" defer: a job that starts at once shows its
        # ticking estimate from the first moment, and needs no edit before its result.
        answered = await interaction.response.send_message(
            delivery.opening(job, progress), allowed_mentions=discord.AllowedMentions.none()
        )
        bot.jobs.foreground.end(interaction.id)  # answered: the jobs' background steps held back for it go on
        # Discord returns the placeholder it created: its id lets a restart check it before posting again.
        placeholder = getattr(answered, "resource", None)
        message_id = placeholder.id if isinstance(placeholder, discord.InteractionMessage) else None
        return Acknowledged(delivery, message_id)

    who = requester(
        interaction.user,
        interaction.channel,
        guild_id=guild_id,
        channel_id=interaction.channel_id or 0,
        locale=locale_of(interaction),  # the user's own language, kept with the job for its progress and result
    )
    try:
        return await bot.admission.accept(request, who, acknowledge, origin=origin, once_key=once_key, count=count)
    except discord.HTTPException as error:
        if answered_elsewhere(error):
            raise AnsweredElsewhere() from error  # another process on these shards took it: it runs the job
        if expired(error):
            raise TooLate() from error  # the answer reached Discord after its 3 seconds: refunded, nothing shown
        raise
