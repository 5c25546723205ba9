"""The result card: a finished image laid out with Components V2, with what was asked, what it cost and its buttons.

A card is a message with flag IS_COMPONENTS_V2: no content and no embeds, at most 4,000 characters of text in all,
and the image shown through a media gallery that points at the upload (`attachment://NAME`). Its last line names the
job, which is how a process that takes a job over recognises a result already posted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from cogs.utils.buttons import batch_rows, result_view
from cogs.utils.errors import describe_error
from cogs.utils.images import walk_components
from cogs.utils.text import cut, fit, plural
from kontext.api.errors import FailureFamily, GenerationFailed
from kontext.jobs.delivery import Outcome, Shot
from kontext.models import Job
from kontext.money import format_usd

if TYPE_CHECKING:
    from kontext.models import GenerationRequest

CARD_COLOUR = discord.Colour(0x5865F2)
CARD_TEXT = 4000  # every text display of a Components V2 message together
GALLERY_DESCRIPTION = 1024  # a media gallery item's alt text
_NOTE = 200
_LINK = 1500
_PROMPT_MIN = 200  # what the prompt always keeps; everything else on a card is bounded far below 3,800
SAFETY_NAMES = {0: "strict", 1: "moderate", 2: "balanced"}
SAFETY_CHOICES = [app_commands.Choice(name=f"{level} · {name}", value=level) for level, name in SAFETY_NAMES.items()]


def job_marker(job_id: str) -> str:
    """The words on a card that name its job."""
    return f"Job {job_id}"


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    """A link to a message."""
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


def _safety_words(request: GenerationRequest) -> str:
    """The safety level a request ran at, and the level asked for when the place's limit lowered it."""
    safety = request.safety_tolerance
    words = f"safety {safety} ({SAFETY_NAMES.get(safety, '?')})"
    if request.safety_lowered_from is not None:
        asked = request.safety_lowered_from
        words += f", lowered from {asked} ({SAFETY_NAMES.get(asked, '?')}): the most allowed here"
    return words


def options_line(request: GenerationRequest, *, price_micros: int, aspect_auto: bool = False) -> str:
    """Every option the request sent to the image service, in words."""
    ratio = request.aspect_ratio + (" (closest to the input image)" if aspect_auto else "")
    watermark = f"watermark “{fit(request.watermark, 100)}”" if request.watermark else "no watermark"
    parts = [
        f"**{request.mode}** ({format_usd(price_micros)})",
        ratio,
        request.output_format.upper(),
        f"upsampling {'on' if request.prompt_upsampling else 'off'}",
        _safety_words(request),
        f"translation {'on' if request.enable_translation else 'off'}",
        watermark,
    ]
    return " · ".join(parts)


def result_card(
    job: Job,
    outcome: Outcome,
    *,
    price_micros: int,
    filename: str | None,
    note: str | None = None,
    aspect_auto: bool = False,
) -> discord.ui.LayoutView:
    """The finished image (or, when it could not be uploaded, a link to it) with its request, cost and buttons."""
    request = job.request
    cost = job.cost_micros or price_micros
    facts = f"⏱️ {outcome.seconds:.1f} s · 💵 {format_usd(cost)} · requested by <@{job.user_id}>"
    if job.source_message_id:
        facts += f" · edited from [this image]({jump_url(job.guild_id, job.channel_id, job.source_message_id)})"
    details = f"{options_line(request, price_micros=price_micros, aspect_auto=aspect_auto)}\n{facts}"
    footer = "-# " + (f"{cut(note, _NOTE)} · " if note else "") + job_marker(job.id)
    if job.task_id:
        footer += f" · task {cut(job.task_id, 100)}"
    link = None
    if filename is None:
        link = (
            "The image is too large to upload here even after shrinking it, so here is a link instead "
            f"(it expires after a while): {cut(outcome.result_url, _LINK)}"
        )
    used = len(details) + len(footer) + len(link or "")
    prompt = fit(request.prompt, max(CARD_TEXT - used, _PROMPT_MIN))

    container = discord.ui.Container(accent_colour=CARD_COLOUR)
    if filename is not None:
        alt_text = cut(request.prompt, GALLERY_DESCRIPTION)
        item = discord.MediaGalleryItem(f"attachment://{filename}", description=alt_text)
        container.add_item(discord.ui.MediaGallery(item))
    else:
        container.add_item(discord.ui.TextDisplay(cut(link or "", CARD_TEXT)))
    container.add_item(discord.ui.TextDisplay(prompt))
    container.add_item(discord.ui.Separator())
    container.add_item(discord.ui.TextDisplay(details))
    container.add_item(discord.ui.TextDisplay(footer))
    container.add_item(result_view(job, editable=filename is not None))
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(container)
    return view


DECLINED = "The image service declined this request."
_FAILURE_LINE = 300


def declined_by_policy(error: BaseException | None) -> bool:
    """Whether the image service refused the job under its content policy: the reason is the requester's alone."""
    return isinstance(error, GenerationFailed) and error.family is FailureFamily.CONTENT_POLICY


def shot_failure(error: BaseException | None) -> str:
    """Why one image failed, in one line; a content-policy refusal says only that it was declined."""
    if declined_by_policy(error):
        return DECLINED
    words = (describe_error(error) if error is not None else None) or "Something went wrong on my side."
    return cut(" ".join(words.split()), _FAILURE_LINE)


def failures_text(shots: tuple[Shot, ...] | list[Shot]) -> str:
    """The images of a batch that failed, each named with why; none of them was charged."""
    failed = [shot for shot in shots if shot.image is None]
    lines = [f"⚠️ **Image {shot.job.batch_index + 1} failed**: {shot_failure(shot.error)}" for shot in failed]
    lines.append(f"-# You were not charged for the {plural(len(failed), 'failed image')}.")
    return "\n".join(lines)


def batch_card(
    batch: Job,
    outcome: Outcome,
    *,
    price_micros: int,
    filenames: dict[str, str],
    note: str | None = None,
    aspect_auto: bool = False,
) -> discord.ui.LayoutView:
    """A batch's images in one gallery, which failed and why, and each image's own Edit and Re-roll.

    `filenames` maps an image's job id to its upload; a finished image missing from it was too large to upload and
    is linked instead.
    """
    request = batch.request
    made = [shot for shot in outcome.shots if shot.image is not None]
    cost = price_micros * len(made)
    facts = (
        f"🖼️ {len(made)} of {batch.batch_size} images · ⏱️ {outcome.seconds:.1f} s · 💵 {format_usd(cost)} · "
        f"requested by <@{batch.user_id}>"
    )
    if batch.source_message_id:
        facts += f" · edited from [this image]({jump_url(batch.guild_id, batch.channel_id, batch.source_message_id)})"
    details = f"{options_line(request, price_micros=price_micros, aspect_auto=aspect_auto)}\n{facts}"
    failures = failures_text(outcome.shots) if len(made) < len(outcome.shots) else None
    footer = "-# " + (f"{cut(note, _NOTE)} · " if note else "") + job_marker(batch.id)
    links = [
        f"Image {shot.job.batch_index + 1} is too large to upload here, so here is a link (it expires after a while): "
        f"{cut(shot.job.result_url or '', _LINK // 4)}"
        for shot in made
        if shot.job.id not in filenames
    ]
    link = "\n".join(links) or None
    used = len(details) + len(footer) + len(failures or "") + len(link or "")
    prompt = fit(request.prompt, max(CARD_TEXT - used, _PROMPT_MIN))

    container = discord.ui.Container(accent_colour=CARD_COLOUR)
    shown = [shot for shot in made if shot.job.id in filenames]
    if shown:
        alt = cut(request.prompt, GALLERY_DESCRIPTION - 20)
        items = [
            discord.MediaGalleryItem(
                f"attachment://{filenames[shot.job.id]}", description=f"Image {shot.job.batch_index + 1}: {alt}"
            )
            for shot in shown
        ]
        container.add_item(discord.ui.MediaGallery(*items))
    if link:
        container.add_item(discord.ui.TextDisplay(link))
    container.add_item(discord.ui.TextDisplay(prompt))
    if failures:
        container.add_item(discord.ui.TextDisplay(failures))
    container.add_item(discord.ui.Separator())
    container.add_item(discord.ui.TextDisplay(details))
    container.add_item(discord.ui.TextDisplay(footer))
    for row in batch_rows(batch, [shot.job for shot in made], editable={shot.job.id for shot in shown}):
        container.add_item(row)
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(container)
    return view


def shows_job(message: discord.Message, job_id: str) -> bool:
    """Whether a message is this job's result: a card naming it, or the embed of a result posted before cards."""
    marker = job_marker(job_id)
    for component in walk_components(message.components):
        # The marker line is the card's last text ("-# …"); an escaped prompt can never start like it.
        if isinstance(component, discord.TextDisplay) and component.content.startswith("-# "):
            if marker in component.content:
                return True
    return any(embed.title is None and marker in (embed.footer.text or "") for embed in message.embeds)
