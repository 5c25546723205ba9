"""The result card: a finished image laid out with Components V2, with what was asked, what it cost and its buttons.

A card is a message with flag IS_COMPONENTS_V2: no content and no embeds, at most 4,000 characters of text in all,
and the image shown through a media gallery that points at the upload (`attachment://NAME`). Its last line names the
job, which is how a process that takes a job over recognises a result already posted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from cogs.utils.buttons import result_view
from cogs.utils.i18n import t
from cogs.utils.images import walk_components
from cogs.utils.text import cut, fit
from kontext.jobs.delivery import Outcome
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


def job_marker(job_id: str, locale: object = None) -> str:
    """The words on a card that name its job (a process taking the job over finds the id in any language)."""
    return t(locale, "card-job", job=job_id)


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    """A link to a message."""
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


def options_line(request: GenerationRequest, locale: object, *, price_micros: int, aspect_auto: bool = False) -> str:
    """Every option the request sent to the image service, in words."""
    ratio = t(locale, "card-closest-ratio", ratio=request.aspect_ratio) if aspect_auto else request.aspect_ratio
    safety = request.safety_tolerance
    if request.watermark:
        watermark = t(locale, "card-watermark", text=fit(request.watermark, 100))
    else:
        watermark = t(locale, "card-no-watermark")
    parts = [
        f"**{request.mode}** ({format_usd(price_micros)})",
        ratio,
        request.output_format.upper(),
        t(locale, "card-upsampling-on" if request.prompt_upsampling else "card-upsampling-off"),
        t(locale, "card-safety", level=safety, name=t(locale, f"safety-{safety}")),
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


def shows_job(message: discord.Message, job_id: str) -> bool:
    """Whether a message is this job's result: a card naming it, or the embed of a result posted before cards."""
    for component in walk_components(message.components):
        # The marker line is the card's last text ("-# …", in the requester's language); an escaped prompt can never
        # start like it, and the 16-character job id is the same in every language.
        if isinstance(component, discord.TextDisplay) and component.content.startswith("-# "):
            if job_id in component.content:
                return True
    return any(embed.title is None and job_id in (embed.footer.text or "") for embed in message.embeds)
