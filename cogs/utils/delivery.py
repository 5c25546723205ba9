"""How jobs look in Discord: the progress placeholder, the failure; and the delivery that edits them into results."""

from __future__ import annotations

import asyncio
import datetime
import io
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from cogs.utils import text
from cogs.utils.buttons import failure_view
from cogs.utils.cards import result_card, shows_job
from cogs.utils.errors import describe_error
from cogs.utils.i18n import t
from cogs.utils.text import cut, quote
from kontext.api.errors import FailureFamily, GenerationFailed
from kontext.images.codec import fit_image
from kontext.jobs.delivery import Outcome, Progress
from kontext.models import Job, JobState
from kontext.money import format_usd

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

FAIL_COLOUR = discord.Colour(0xED4245)
_PROMPT_PREVIEW = 300
_PRIVATE_PROMPT = 1000


def price_label(mode: str, price_micros: int) -> str:
    """'pro ($0.03)'."""
    return f"{mode} ({format_usd(price_micros)})"


def render_progress(job: Job, progress: Progress) -> str:
    """The placeholder's text: prompt, mode, state, and an estimate that ticks on the client with no edits."""
    request, locale = job.request, job.locale
    verb = t(locale, "progress-edit" if job.kind == "edit" else "progress-imagine")
    lines = [f"**{verb}** · {request.mode} · {request.aspect_ratio}", quote(request.prompt, _PROMPT_PREVIEW)]
    state = t(locale, f"progress-{progress.state.value}")
    if progress.queue_position:
        state = t(locale, "progress-in-line", state=state, position=progress.queue_position)
    if progress.estimate_at and progress.state in (JobState.PENDING, JobState.PROCESSING):
        state = t(locale, "progress-ready", state=state, when=discord.utils.format_dt(_utc(progress.estimate_at), "R"))
    lines.append(state)
    return "\n".join(lines)


def _utc(timestamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def result_filename(job: Job, extension: str) -> str:
    """A filename that says what the image is: kontext-a-red-fox-in-snow-1a2b3c.jpeg."""
    words = re.findall(r"[a-z0-9]+", job.request.prompt.lower())
    slug = "-".join(words)[:40].strip("-") or "image"
    return f"kontext-{slug}-{job.id[:6]}.{extension}"


def declined_by_policy(error: BaseException) -> bool:
    """Whether the image service refused the job under its content policy: the reason is the requester's alone."""
    return isinstance(error, GenerationFailed) and error.family is FailureFamily.CONTENT_POLICY


def failure_embed(job: Job, error: BaseException, *, refunded: bool = False) -> discord.Embed:
    """Why a job failed, in words, and that it cost nothing; for a content-policy refusal only that it was declined."""
    declined, locale = declined_by_policy(error), job.locale
    if declined:
        reason = t(locale, "fail-declined")
    else:
        reason = describe_error(error, locale) or t(locale, "fail-unknown")
    if refunded:
        not_charged = "\n" + t(locale, "fail-not-charged")
        reason = cut(reason, text.EMBED_DESCRIPTION - len(not_charged)) + not_charged
    title = cut(t(locale, "fail-title"), text.EMBED_TITLE)
    embed = discord.Embed(title=title, description=cut(reason, text.EMBED_DESCRIPTION), colour=FAIL_COLOUR)
    if not declined:
        name = cut(t(locale, "fail-prompt"), text.FIELD_NAME)
        embed.add_field(name=name, value=quote(job.request.prompt, text.FIELD_VALUE), inline=False)
    embed.set_footer(text=t(locale, "fail-footer", job=job.id))
    return embed


def private_refusal(job: Job, error: BaseException) -> str:
    """What only the requester reads about a content-policy refusal: the service's reason and their prompt."""
    locale = job.locale
    reason = describe_error(error, locale) or t(locale, "fail-declined")
    prompt = quote(job.request.prompt, _PRIVATE_PROMPT)
    lines = [t(locale, "refusal-private-intro", job=job.id), reason, prompt, t(locale, "refusal-private-outro")]
    return cut("\n".join(lines), text.CONTENT)


class PlaceholderDelivery:
    """Shows a job in one message that the requester watches: progress, then the image or the reason.

    Edits go through the bot's own token, which never expires; when the placeholder is gone, the job goes on in a
    new message in the same channel (a reply to the request where there is one).
    """

    def __init__(
        self,
        bot: KontextBot,
        *,
        channel_id: int,
        requester: discord.abc.Snowflake,
        upload_limit: int,
        aspect_auto: bool = False,
        reply_to: int | None = None,
        last_content: str | None = None,
    ) -> None:
        self.bot = bot
        self.channel_id = channel_id
        self.upload_limit = upload_limit
        self.aspect_auto = aspect_auto
        self.reply_to = reply_to
        self._mention = discord.AllowedMentions(everyone=False, roles=False, users=[requester], replied_user=False)
        self._last_content = last_content

    async def _edit(self, job: Job, purpose: str, **fields: Any) -> discord.Message:
        channel = self.bot.get_partial_messageable(self.channel_id)
        if job.message_id is not None:
            try:
                return await channel.get_partial_message(job.message_id).edit(**fields)
            except discord.NotFound:
                log.info("job %s: placeholder %s is gone; posting a new message", job.id, job.message_id)
        files = fields.pop("attachments", None) or []
        reference = (
            discord.MessageReference(message_id=self.reply_to, channel_id=self.channel_id, fail_if_not_exists=False)
            if self.reply_to
            else None
        )
        # The nonce (discord.py sends enforce_nonce with it) makes Discord return the message already posted for
        # this job and purpose in the past few minutes instead of a second one: a process that takes the job over
        # after a crash mid-post, its new message unrecorded, does not post the result twice.
        nonce = f"{job.id}:{purpose}"
        return await channel.send(files=files, reference=reference, nonce=nonce, **fields)  # type: ignore[arg-type]

    async def delivered_already(self, job: Job) -> bool:
        """Whether the placeholder already shows this job's result (the process died between posting and recording)."""
        if job.message_id is None:
            return False
        try:
            message = await self.bot.get_partial_messageable(self.channel_id).fetch_message(job.message_id)
        except discord.HTTPException:
            return False
        return shows_job(message, job.id)

    async def progress(self, job: Job, progress: Progress) -> int | None:
        content = render_progress(job, progress)
        if content == self._last_content:
            return None
        message = await self._edit(job, "progress", content=content)
        self._last_content = content
        return message.id

    async def succeeded(self, job: Job, outcome: Outcome) -> int:
        fitted = await asyncio.to_thread(fit_image, outcome.image, self.upload_limit)
        price = self.bot.settings.price_micros(job.request.mode)
        # Too big even after re-encoding: the card links the (temporary) result instead of losing it.
        filename = result_filename(job, fitted.extension) if fitted is not None else None
        reencoded = fitted is not None and fitted.reencoded
        note = t(job.locale, "card-reencoded") if reencoded else None
        card = result_card(job, outcome, price_micros=price, filename=filename, note=note, aspect_auto=self.aspect_auto)
        files = [discord.File(io.BytesIO(fitted.data), filename=filename)] if fitted is not None and filename else []
        # The placeholder is plain content: turning it into a card sets IS_COMPONENTS_V2 and must clear the content.
        message = await self._edit(
            job,
            "result",
            content=None,
            embed=None,
            view=card,
            attachments=files,
            allowed_mentions=self._mention,
        )
        return message.id

    async def failed(self, job: Job, error: BaseException, *, refunded: bool = False) -> int:
        embed = failure_embed(job, error, refunded=refunded)
        content = f"<@{job.user_id}>"
        view = failure_view(job)
        try:
            message = await self._edit(
                job, "failure", content=content, embed=embed, view=view, allowed_mentions=self._mention
            )
        except discord.HTTPException as refusal:
            if refusal.status != 400:
                raise
            # Discord refused what we built (a limit we missed): the user still hears the job failed, in plain words.
            log.warning(
                "job %s: Discord refused the failure message (code %s: %s); sent a plain one instead. Refused: %s",
                job.id,
                refusal.code,
                refusal.text,
                _shape(content, embed),
            )
            key = "fail-plain-not-charged" if refunded else "fail-plain"
            fallback = cut(t(job.locale, key, mention=content, job=job.id), text.CONTENT)
            message = await self._edit(
                job, "failure", content=fallback, embed=None, view=view, allowed_mentions=self._mention
            )
        if declined_by_policy(error):
            await self._tell_privately(job, private_refusal(job, error))
        return message.id

    async def _tell_privately(self, job: Job, words: str) -> None:
        """A DM to the requester; when it can't be sent, only the log knows (the channel still says just "declined")."""
        try:
            channel = await self.bot.create_dm(discord.Object(job.user_id))
            await channel.send(words, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as error:
            log.info("job %s: could not tell the requester privately why it was declined (code %s)", job.id, error.code)


def _shape(content: str, embed: discord.Embed) -> str:
    """The lengths of what a message carried, for a log line about a refusal (not the words: they are users')."""
    parts = [
        f"content {len(content)}",
        f"title {len(embed.title or '')}",
        f"description {len(embed.description or '')}",
    ]
    parts += [f"field {field.name!r} {len(field.value or '')}" for field in embed.fields]
    parts.append(f"footer {len(embed.footer.text or '')}")
    return ", ".join(parts)


class InteractionDelivery(PlaceholderDelivery):
    """The placeholder is an interaction's response: edited with its token for 15 minutes, then with the bot's."""

    def __init__(self, bot: KontextBot, interaction: discord.Interaction[KontextBot], *, aspect_auto: bool = False):
        super().__init__(
            bot,
            channel_id=interaction.channel_id or 0,
            requester=interaction.user,
            upload_limit=interaction.filesize_limit,
            aspect_auto=aspect_auto,
        )
        self.interaction: discord.Interaction[KontextBot] | None = interaction

    async def _edit(self, job: Job, purpose: str, **fields: Any) -> discord.Message:
        if self.interaction is not None:
            try:
                return await self.interaction.edit_original_response(**fields)
            except discord.HTTPException as error:
                # 50027 / 401: the 15-minute token has expired. 10008: the response message was deleted.
                if error.status not in (401, 404) and error.code not in (50027, 10008, 10015):
                    raise
                log.info("job %s: interaction token no longer usable (%s); using the bot token", job.id, error.code)
                self.interaction = None
                for file in fields.get("attachments") or ():
                    file.reset()  # the refused upload read the image to its end: send it whole again
        return await super()._edit(job, purpose, **fields)

    async def _tell_privately(self, job: Job, words: str) -> None:
        """While the interaction's token lives, an ephemeral follow-up only the requester sees; after, a DM."""
        if self.interaction is not None:
            try:
                await self.interaction.followup.send(
                    words, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
                )
                return
            except discord.HTTPException as error:
                log.info("job %s: no private follow-up (code %s); trying a direct message", job.id, error.code)
                self.interaction = None
        await super()._tell_privately(job, words)


def message_delivery(bot: KontextBot, placeholder: discord.Message, request: discord.Message, *, aspect_auto: bool):
    """Delivery into a placeholder the bot posted as a reply to a user's message."""
    guild = request.guild
    return PlaceholderDelivery(
        bot,
        channel_id=request.channel.id,
        requester=request.author,
        upload_limit=guild.filesize_limit if guild else discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES,
        aspect_auto=aspect_auto,
        reply_to=request.id,
        last_content=placeholder.content,
    )
