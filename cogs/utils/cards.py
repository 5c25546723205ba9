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
from cogs.utils.i18n import t
from cogs.utils.images import walk_components
from cogs.utils.text import cut, fit
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


def job_marker(job_id: str, locale: object = None) -> str:
    """The words on a card that name its job (a process taking the job over finds the id in any language)."""
    return t(locale, "card-job", job=job_id)


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    """A link to a message."""
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


def _safety_words(request: GenerationRequest, locale: object) -> str:
    """The safety level a request ran at, and the level asked for when the place's limit lowered it."""
    safety = request.safety_tolerance
    words = t(locale, "card-safety", level=str(safety), name=t(locale, f"safety-{safety}"))
    if request.safety_lowered_from is not None:
        asked = request.safety_lowered_from
        words += t(locale, "card-safety-lowered", level=str(asked), name=t(locale, f"safety-{asked}"))
    return words


def options_line(request: GenerationRequest, locale: object, *, price_micros: int, aspect_auto: bool = False) -> str:
    """Every option the request sent to the image service, in words."""
    ratio = t(locale, "card-closest-ratio", ratio=request.aspect_ratio) if aspect_auto else request.aspect_ratio
    if request.watermark:
        watermark = t(locale, "card-watermark", text=fit(request.watermark, 100))
    else:
        watermark = t(locale, "card-no-watermark")
    parts = [
        f"**{request.mode}** ({format_usd(price_micros)})",
        ratio,
        request.output_format.upper(),
        t(locale, "card-upsampling-on" if request.prompt_upsampling else "card-upsampling-off"),
        _safety_words(request, locale),
        t(locale, "card-translation-on" if request.enable_translation else "card-translation-off"),
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
    request, locale = job.request, job.locale
    cost = job.cost_micros or price_micros
    seconds = f"{outcome.seconds:.1f}"
    facts = t(locale, "card-facts", seconds=seconds, cost=format_usd(cost), user=str(job.user_id))
    if job.source_message_id:
        url = jump_url(job.guild_id, job.channel_id, job.source_message_id)
        facts += " · " + t(locale, "card-edited-from", url=url)
    details = f"{options_line(request, locale, price_micros=price_micros, aspect_auto=aspect_auto)}\n{facts}"
    footer = "-# " + (f"{cut(note, _NOTE)} · " if note else "") + job_marker(job.id, locale)
    if job.task_id:
        footer += " · " + t(locale, "card-task", task=cut(job.task_id, 100))
    link = None
    if filename is None:
        link = t(locale, "card-too-large", url=cut(outcome.result_url, _LINK))
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


_FAILURE_LINE = 300


def declined_by_policy(error: BaseException | None) -> bool:
    """Whether the image service refused the job under its content policy: the reason is the requester's alone."""
    return isinstance(error, GenerationFailed) and error.family is FailureFamily.CONTENT_POLICY


def shot_failure(error: BaseException | None, locale: object = None) -> str:
    """Why one image failed, in one line; a content-policy refusal says only that it was declined."""
    if declined_by_policy(error):
        return t(locale, "fail-declined")
    words = (describe_error(error, locale) if error is not None else None) or t(locale, "fail-unknown")
    return cut(" ".join(words.split()), _FAILURE_LINE)


def failures_text(shots: tuple[Shot, ...] | list[Shot], locale: object = None) -> str:
    """The images of a batch that failed, each named with why; none of them was charged."""
    failed = [shot for shot in shots if shot.image is None]
    lines = [
        t(locale, "batch-image-failed", number=shot.job.batch_index + 1, reason=shot_failure(shot.error, locale))
        for shot in failed
    ]
    lines.append("-# " + t(locale, "batch-failed-not-charged", count=len(failed)))
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
    is linked instead. Everything is in the requester's language (the batch's locale).
    """
    request, locale = batch.request, batch.locale
    made = [shot for shot in outcome.shots if shot.image is not None]
    cost = price_micros * len(made)
    facts = t(
        locale,
        "batch-facts",
        made=len(made),
        size=batch.batch_size,
        seconds=f"{outcome.seconds:.1f}",
        cost=format_usd(cost),
        user=str(batch.user_id),
    )
    if batch.source_message_id:
        url = jump_url(batch.guild_id, batch.channel_id, batch.source_message_id)
        facts += " · " + t(locale, "card-edited-from", url=url)
    details = f"{options_line(request, locale, price_micros=price_micros, aspect_auto=aspect_auto)}\n{facts}"
    failures = failures_text(outcome.shots, locale) if len(made) < len(outcome.shots) else None
    footer = "-# " + (f"{cut(note, _NOTE)} · " if note else "") + job_marker(batch.id, locale)
    links = [
        t(
            locale,
            "batch-image-too-large",
            number=shot.job.batch_index + 1,
            url=cut(shot.job.result_url or "", _LINK // 4),
        )
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
                f"attachment://{filenames[shot.job.id]}",
                description=t(locale, "batch-image-alt", number=shot.job.batch_index + 1, prompt=alt),
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
    for row in batch_rows(batch, [shot.job for shot in made], editable={shot.job.id for shot in shown}, locale=locale):
        container.add_item(row)
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(container)
    return view


def shows_job(message: discord.Message, job_id: str) -> bool:
    """Whether a message is this job's result: a card naming it, or the embed of a result posted before cards."""
    for component in walk_components(message.components):
        # The marker line is the card's last text ("-# …", in the requester's language); an escaped prompt can never
        # start like it, and the 16-character job id is the same in every language.
        if isinstance(component, discord.TextDisplay) and component.content.startswith("-# "):
            if job_id in component.content:
                return True
    return any(embed.title is None and job_id in (embed.footer.text or "") for embed in message.embeds)
