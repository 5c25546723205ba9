"""How jobs look in Discord: the progress placeholder, the result, the failure; and the delivery that edits them."""

from __future__ import annotations

import asyncio
import datetime
import io
import logging
import re
from typing import TYPE_CHECKING

import discord

from cogs.errors import describe_error
from kontext.imaging import fit_image
from kontext.jobs import Outcome, Progress
from kontext.models import Job, JobState

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

EMBED_COLOUR = discord.Colour(0x5865F2)
FAIL_COLOUR = discord.Colour(0xED4245)
_PROMPT_PREVIEW = 300
_STATE_LINES = {
    JobState.QUEUED: "⏳ Queued",
    JobState.SUBMITTING: "📨 Sending to the image service",
    JobState.PENDING: "🕒 Waiting for the model",
    JobState.PROCESSING: "🎨 Generating",
    JobState.FINISHED: "📥 Downloading the image",
    JobState.DELIVERING: "📤 Uploading",
}


def price_label(mode: str, price_micros: int) -> str:
    """'pro ($0.03)'."""
    return f"{mode} (${price_micros / 1_000_000:.2f})"


def _quote(prompt: str, limit: int = _PROMPT_PREVIEW) -> str:
    text = " ".join(prompt.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "> " + discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def render_progress(job: Job, progress: Progress) -> str:
    """The placeholder's text: prompt, mode, state, and an estimate that ticks on the client with no edits."""
    request = job.request
    verb = "Editing" if job.kind == "edit" else "Imagining"
    lines = [f"**{verb}** · {request.mode} · {request.aspect_ratio}", _quote(request.prompt)]
    state = _STATE_LINES.get(progress.state, progress.state.value)
    if progress.queue_position:
        state += f" — number {progress.queue_position} in line"
    if progress.estimate_at and progress.state in (JobState.PENDING, JobState.PROCESSING):
        state += f" · ready {discord.utils.format_dt(_utc(progress.estimate_at), 'R')}"
    lines.append(state)
    return "\n".join(lines)


def _utc(timestamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def result_filename(job: Job, extension: str) -> str:
    """A filename that says what the image is: kontext-a-red-fox-in-snow-1a2b3c.jpeg."""
    words = re.findall(r"[a-z0-9]+", job.request.prompt.lower())
    slug = "-".join(words)[:40].strip("-") or "image"
    return f"kontext-{slug}-{job.id[:6]}.{extension}"


def result_embed(
    job: Job, outcome: Outcome, *, price_micros: int, filename: str | None, note: str | None
) -> discord.Embed:
    """The embed under a finished image: prompt, mode, aspect ratio, time taken, requester."""
    request = job.request
    embed = discord.Embed(description=request.prompt[:4000], colour=EMBED_COLOUR)
    embed.add_field(name="Mode", value=price_label(request.mode, price_micros))
    embed.add_field(name="Aspect ratio", value=request.aspect_ratio)
    embed.add_field(name="Time", value=f"{outcome.seconds:.1f} s")
    embed.add_field(name="Requested by", value=f"<@{job.user_id}>")
    if filename:
        embed.set_image(url=f"attachment://{filename}")
    footer = f"Job {job.id}" + (f" · task {job.task_id}" if job.task_id else "")
    if note:
        footer = f"{note}\n{footer}"
    embed.set_footer(text=footer)
    return embed


def failure_embed(job: Job, error: BaseException) -> discord.Embed:
    """Why a job failed, in words."""
    text = describe_error(error) or "Something went wrong on my side while making this image."
    embed = discord.Embed(title="Couldn't make this image", description=text, colour=FAIL_COLOUR)
    embed.add_field(name="Prompt", value=_quote(job.request.prompt, 900), inline=False)
    embed.set_footer(text=f"Job {job.id}")
    return embed


class InteractionDelivery:
    """Shows a job in the placeholder message of the interaction that asked for it."""

    def __init__(self, bot: KontextBot, interaction: discord.Interaction[KontextBot]) -> None:
        self.bot = bot
        self.interaction = interaction
        self.upload_limit = interaction.filesize_limit
        self._mention = discord.AllowedMentions(everyone=False, roles=False, users=[interaction.user])

    async def progress(self, job: Job, progress: Progress) -> None:
        message = await self.interaction.edit_original_response(content=render_progress(job, progress))
        if job.message_id is None:
            job.message_id = message.id
            await self.bot.storage.update_job(job.id, message_id=message.id)

    async def succeeded(self, job: Job, outcome: Outcome) -> None:
        fitted = await asyncio.to_thread(fit_image, outcome.image, self.upload_limit)
        price = self.bot.settings.price_micros(job.request.mode)
        content = f"<@{job.user_id}>"
        if fitted is None:
            # Too big even after re-encoding: link the (temporary) result instead of losing it.
            embed = result_embed(job, outcome, price_micros=price, filename=None, note=None)
            content += (
                f"\nThe image is too large to upload here even after shrinking it, so here is a link instead "
                f"(it expires after a while): {outcome.result_url}"
            )
            await self.interaction.edit_original_response(
                content=content, embed=embed, attachments=[], allowed_mentions=self._mention
            )
            return
        filename = result_filename(job, fitted.extension)
        note = "Re-encoded to fit this channel's upload limit." if fitted.reencoded else None
        embed = result_embed(job, outcome, price_micros=price, filename=filename, note=note)
        file = discord.File(io.BytesIO(fitted.data), filename=filename)
        await self.interaction.edit_original_response(
            content=content, embed=embed, attachments=[file], allowed_mentions=self._mention
        )

    async def failed(self, job: Job, error: BaseException) -> None:
        await self.interaction.edit_original_response(
            content=f"<@{job.user_id}>", embed=failure_embed(job, error), allowed_mentions=self._mention
        )
