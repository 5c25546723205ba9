"""Outside servers that added the bot: user installs, DMs and group DMs, where only the interaction answers.

A user may install the app to their account and use it in any server, in the bot's DMs and in group DMs. Where no
server that installed the bot is involved, the requester's personal rules apply (kontext.quotas: the owner's
PERSONAL_DAILY_LIMIT and global budget), and the bot's own token reaches nothing: Discord answers it 403 / 50001
there. So progress and the result go through the interaction's token (edits of @original; Discord allows a
user-installed app only 5 follow-ups per interaction), and a job that outlives the token's 15 minutes comes by DM.
The bot's own DM could take bot-token posts, but it takes the same path: one way to deliver a personal job.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from cogs.utils.cards import shows_job
from cogs.utils.delivery import InteractionDelivery, PlaceholderDelivery, render_progress, result_filename
from cogs.utils.errors import UserError
from cogs.utils.i18n import t
from cogs.utils.images import images_in
from kontext.images.codec import check_result
from kontext.jobs.delivery import Progress
from kontext.models import Job

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)
T = TypeVar("T")

# Discord's codes when a DM cannot be sent: the user closed DMs (50007), or shares no server with the bot (50001).
_DM_REFUSED = (50007, 50001)


def long_job_note(locale: object = None) -> str:
    """Under a personal job's progress: what happens if it outlives the interaction."""
    return "-# " + t(locale, "personal-long-job")


def by_dm_note(job: Job) -> str:
    """The DM that comes before a personal job's late result: why it came here (in the requester's language)."""
    return t(job.locale, "personal-by-dm", job=job.id)


def everywhere(func: T) -> T:
    """Available to server installs and user installs, in servers, the bot's DMs and group DMs."""
    func = app_commands.allowed_installs(guilds=True, users=True)(func)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(func)


EVERYWHERE_INSTALLS = app_commands.AppInstallationType(guild=True, user=True)
EVERYWHERE_CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
# Server admin commands: only in servers, only where a server installed the bot.
SERVER_INSTALLS = app_commands.AppInstallationType(guild=True, user=False)
SERVER_CONTEXTS = app_commands.AppCommandContext(guild=True)


async def send_by_dm(bot: KontextBot, job: Job, purpose: str, fields: dict[str, Any]) -> discord.Message | None:
    """A personal job's late result or failure, by DM to its requester; None when Discord refuses (DMs closed)."""
    files = fields.pop("attachments", None) or []
    try:
        channel = await bot.create_dm(discord.Object(job.user_id))
        # Nonces (with enforce_nonce) keep a process taking the job over from posting either message twice.
        await channel.send(by_dm_note(job), nonce=f"{job.id}:dm", allowed_mentions=discord.AllowedMentions.none())
        return await channel.send(files=files, nonce=f"{job.id}:{purpose}", **fields)
    except discord.HTTPException as error:
        if error.status != 403 or error.code not in _DM_REFUSED:
            raise
        log.info(
            "job %s: the requester's DMs are closed (code %s); the %s is kept for /history", job.id, error.code, purpose
        )
        return None


class TokenOnlyDelivery(InteractionDelivery):
    """A personal job: shown through its interaction's token only; after the token's 15 minutes, by DM."""

    async def _edit(self, job: Job, purpose: str, **fields: Any) -> discord.Message | None:
        """Through the token while it lives; the bot's token does not reach the channel, so then by DM (the result
        or the failure only: progress is not worth a DM)."""
        message = await self._edit_original(job, fields)
        if message is not None or purpose == "progress":
            return message
        return await send_by_dm(self.bot, job, purpose, fields)

    async def _pings(self, job: Job) -> bool:
        return False  # no new channel message by the bot's token here: the interaction's response shows the result

    def progress_text(self, job: Job, progress: Progress) -> str:
        return f"{render_progress(job, progress)}\n{long_job_note(job.locale)}"

    async def progress(self, job: Job, progress: Progress) -> int | None:
        if self.interaction is None:
            return None
        return await super().progress(job, progress)

    async def delivered_already(self, job: Job) -> int | None:
        """Read through the token while it lives; after it, nothing tells (the DM's nonce stops a double post)."""
        if self.interaction is None:
            return None
        try:
            original = await self.interaction.original_response()
        except discord.HTTPException:
            return None
        return original.id if shows_job(original, job.id) else None


class DirectDelivery(PlaceholderDelivery):
    """A personal job taken up after a restart: its interaction's token died with the process, so the result and
    any failure go by DM to the requester (and stay in /history when DMs are closed)."""

    async def _edit(self, job: Job, purpose: str, **fields: Any) -> discord.Message | None:
        return await send_by_dm(self.bot, job, purpose, fields)

    async def _pings(self, job: Job) -> bool:
        return False  # the bot's token does not reach the channel: the DM is the new message, and it notifies

    async def progress(self, job: Job, progress: Progress) -> int | None:
        return None

    async def delivered_already(self, job: Job) -> int | None:
        return None


async def kept_media(bot: KontextBot, job: Job) -> tuple[list[str], list[discord.File]]:
    """A personal job's image for /show: from the bot's DM with its requester where it was shown there, else the
    image service's result (temporary) uploaded again; UserError when neither is left."""
    if job.message_id is not None:
        try:
            channel = await bot.create_dm(discord.Object(job.user_id))
            message = await channel.fetch_message(job.message_id)
        except discord.HTTPException:
            pass  # shown in a group DM or a server without the bot: the bot's token cannot read it
        else:
            return [image.url for image in images_in(message)], []
    if job.result_url is not None:
        try:
            data = await bot.jobs.client.download(job.result_url, max_bytes=bot.jobs.settings.max_result_bytes)
            await asyncio.to_thread(check_result, data)
        except Exception as error:  # gone, or not an image any more: either way there is nothing to show
            log.info("job %s: the kept result could not be read again (%s)", job.id, type(error).__name__)
        else:
            name = result_filename(job, job.request.output_format)
            return [f"attachment://{name}"], [discord.File(io.BytesIO(data), filename=name)]
    raise UserError("personal-nothing-kept", job=job.id)


def direct_delivery(bot: KontextBot, job: Job) -> DirectDelivery:
    """How a resumed personal job reaches its requester."""
    return DirectDelivery(
        bot,
        channel_id=job.channel_id,
        requester=discord.Object(job.user_id),
        upload_limit=discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES,
    )
