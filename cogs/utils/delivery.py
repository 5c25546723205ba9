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
from cogs.utils.cards import batch_card, declined_by_policy, failures_text, jump_url, result_card, shows_job
from cogs.utils.errors import describe_error
from cogs.utils.i18n import t
from cogs.utils.text import cut, fit, quote
from kontext.images.codec import fit_image
from kontext.jobs.batches import BatchFailed
from kontext.jobs.delivery import Outcome, Progress
from kontext.models import Job, JobState
from kontext.money import format_usd

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot import KontextBot

log = logging.getLogger(__name__)

FAIL_COLOUR = discord.Colour(0xED4245)
_PROMPT_PREVIEW = 300
_PRIVATE_PROMPT = 1000
_COLLAPSED = "✅"  # the collapsed line's marker, the same in every language: `pointed_at` finds it in any of them
_COLLAPSED_PROMPT = 100
_SEARCHED = 100  # messages of a channel searched for a result posted just before a crash (one request)
_CLOCK_MARGIN = 60.0  # seconds: the search starts this long before the job finished, for a clock ahead of Discord's


def price_label(mode: str, price_micros: int) -> str:
    """'pro ($0.03)'."""
    return f"{mode} ({format_usd(price_micros)})"


def render_progress(job: Job, progress: Progress) -> str:
    """The placeholder's text: prompt, mode, state, and an estimate that ticks on the client with no edits."""
    request, locale = job.request, job.locale
    if job.is_batch:
        verb = t(
            locale, "progress-edit-batch" if job.kind == "edit" else "progress-imagine-batch", count=job.batch_size
        )
    else:
        verb = t(locale, "progress-edit" if job.kind == "edit" else "progress-imagine")
    lines = [f"**{verb}** · {request.mode} · {request.aspect_ratio}", quote(request.prompt, _PROMPT_PREVIEW)]
    state = t(locale, f"progress-{progress.state.value}")
    if progress.total:
        state = t(locale, "progress-done", state=state, done=progress.done or 0, total=progress.total)
    if progress.queue_position:
        state = t(locale, "progress-in-line", state=state, position=progress.queue_position)
    if progress.late:
        state = t(locale, "progress-late", state=state)  # the estimate has passed: a clock saying "ago" would puzzle
    elif progress.estimate_at and progress.state in (JobState.PENDING, JobState.PROCESSING):
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


def failure_embed(job: Job, error: BaseException, *, refunded: bool = False) -> discord.Embed:
    """Why a job failed, in words, and that it cost nothing; for a content-policy refusal only that it was declined."""
    locale = job.locale
    declined = policy_refusal(error) is not None
    if isinstance(error, BatchFailed):
        reason = failures_text(error.shots, locale)  # a declined image is said to be declined, nothing more
    elif declined:
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


def policy_refusal(error: BaseException) -> BaseException | None:
    """The content-policy refusal in a failure (a batch's first declined image), or None."""
    if isinstance(error, BatchFailed):
        return next((shot.error for shot in error.shots if declined_by_policy(shot.error)), None)
    return error if declined_by_policy(error) else None


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

    async def _edit_placeholder(self, job: Job, **fields: Any) -> discord.Message | None:
        """Edit the placeholder with the bot's token; None when there is none (never known, or deleted)."""
        if job.message_id is None:
            return None
        channel = self.bot.get_partial_messageable(self.channel_id)
        try:
            return await channel.get_partial_message(job.message_id).edit(**fields)
        except discord.NotFound:
            log.info("job %s: placeholder %s is gone", job.id, job.message_id)
            return None

    async def _edit(self, job: Job, purpose: str, **fields: Any) -> discord.Message | None:
        """Show `fields` in the placeholder or, when it is gone, in a new message (a reply to the request)."""
        message = await self._edit_placeholder(job, **fields)
        if message is not None:
            return message
        return await self._post(job, purpose, reply_to=self.reply_to, **fields)

    async def _post(self, job: Job, purpose: str, *, reply_to: int | None, **fields: Any) -> discord.Message:
        """A new message in the job's channel, by the bot's token, posted at most once for this job and purpose."""
        channel = self.bot.get_partial_messageable(self.channel_id)
        files = fields.pop("attachments", None) or []
        reference = (
            discord.MessageReference(message_id=reply_to, channel_id=self.channel_id, fail_if_not_exists=False)
            if reply_to
            else None
        )
        # The nonce (discord.py sends enforce_nonce with it) makes Discord return the message already posted for
        # this job and purpose in the past few minutes instead of a second one: a process that takes the job over
        # after a crash mid-post, its new message unrecorded, does not post the result twice.
        nonce = f"{job.id}:{purpose}"
        return await channel.send(files=files, reference=reference, nonce=nonce, **fields)  # type: ignore[arg-type]

    async def delivered_already(self, job: Job) -> int | None:
        """The message already showing this job's result (the process died between posting and recording), or None.

        The placeholder shows it, or points at it (collapsed), or the result was posted as a new message and the
        placeholder not yet collapsed: then the channel's latest messages are searched for the bot's card of this job.
        """
        placeholder = None
        if job.message_id is not None:
            try:
                placeholder = await self.bot.get_partial_messageable(self.channel_id).fetch_message(job.message_id)
            except discord.HTTPException:
                placeholder = None
        if placeholder is not None:
            if shows_job(placeholder, job.id):
                return placeholder.id
            linked = pointed_at(placeholder.content, self.channel_id)
            if linked is not None:
                return linked
        posted = await self._find_posted(job)
        if posted is None:
            return None
        if placeholder is not None:
            await self._collapse(job, posted.id)
        return posted.id

    async def _find_posted(self, job: Job) -> discord.Message | None:
        """The bot's card of this job among the channel's messages since it finished (none: not found, or unreadable).

        The result is posted within seconds of the job finishing: the first messages after that moment (less a margin
        for clocks that disagree with Discord's) hold it, however busy the channel has been since.
        """
        channel = self.bot.get_partial_messageable(self.channel_id)
        me = self.bot.user.id if self.bot.user else None
        since = discord.Object(discord.utils.time_snowflake(_utc((job.finished_at or job.created_at) - _CLOCK_MARGIN)))
        try:
            async for message in channel.history(limit=_SEARCHED, after=since, oldest_first=True):
                if message.author.id == me and shows_job(message, job.id):
                    return message
        except discord.HTTPException as error:
            log.info("job %s: could not read the channel's history to find its result (code %s)", job.id, error.code)
        return None

    async def _pings(self, job: Job) -> bool:
        """Whether the result comes as a new message that pings the requester (the server's setting; on in DMs)."""
        if job.guild_id is None:
            return True
        try:
            return await self.bot.quotas.pings(job.guild_id)
        except Exception as error:
            log.warning("job %s: could not read the server's ping setting (%s); pinging", job.id, error)
            return True

    async def _post_result(self, job: Job, card: discord.ui.LayoutView, files: list[discord.File]) -> int | None:
        """The result as a new message pinging the requester, the placeholder collapsed to a line pointing at it.

        None when the bot may not post in the channel (no Send Messages or Attach Files, a channel it can't see, a
        user-installed app's channel): the placeholder shows the result then, as with pings off.
        """
        reply_to = self.reply_to or job.message_id  # the user's message, or the placeholder standing for the command
        try:
            posted = await self._post(
                job, "result", reply_to=reply_to, view=card, attachments=files, allowed_mentions=self._mention
            )
        except discord.HTTPException as error:
            if error.status not in (403, 404):
                raise
            log.warning(
                "job %s: cannot post the result in channel %s (code %s: %s); it goes into the placeholder, no ping",
                job.id,
                self.channel_id,
                error.code,
                error.text,
            )
            return None
        await self._collapse(job, posted.id)
        return posted.id

    async def _collapse(self, job: Job, result_id: int) -> None:
        """Turn the placeholder into one line pointing at the result; the result stands even if this fails."""
        if result_id == job.message_id:
            return
        line = collapsed_line(job, jump_url(job.guild_id, self.channel_id, result_id))
        try:
            await self._edit_placeholder(
                job, content=line, embed=None, view=None, allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as error:
            log.warning("job %s: result posted; the placeholder could not be collapsed (code %s)", job.id, error.code)

    def progress_text(self, job: Job, progress: Progress) -> str:
        """What the placeholder says while the job runs."""
        return render_progress(job, progress)

    def opening(self, job: Job, progress: Progress) -> str:
        """The acknowledgement's text (the job's first progress); an edit saying the same again is skipped."""
        self._last_content = self.progress_text(job, progress)
        return self._last_content

    async def progress(self, job: Job, progress: Progress) -> int | None:
        content = self.progress_text(job, progress)
        if content == self._last_content:
            return None
        message = await self._edit(job, "progress", content=content)
        self._last_content = content
        return _shown(message)

    async def _result(
        self, job: Job, outcome: Outcome
    ) -> Callable[[], tuple[discord.ui.LayoutView, list[discord.File]]]:
        """The result card and the files it shows (one image, or a batch's in one gallery), built afresh for each
        attempt: a sent file is closed, and a refused post falls back to an edit."""
        price = self.bot.settings.price_micros(job.request.mode)
        made = [(shot.job, shot.image) for shot in outcome.shots if shot.image is not None] or [(job, outcome.image)]
        # A batch's images share one post: each is fitted to an equal part of the upload limit, so the post as a
        # whole stays within it too.
        limit = self.upload_limit // len(made)
        fitted = await asyncio.gather(*(asyncio.to_thread(fit_image, image, limit) for _, image in made))
        # Too big even after re-encoding: the card links the (temporary) result instead of losing it.
        filenames = {
            shown.id: result_filename(shown, fit.extension)
            for (shown, _), fit in zip(made, fitted, strict=True)
            if fit is not None
        }
        reencoded = any(fit is not None and fit.reencoded for fit in fitted)
        note = t(job.locale, "card-reencoded") if reencoded else None

        def build() -> tuple[discord.ui.LayoutView, list[discord.File]]:
            files = [
                discord.File(io.BytesIO(fit.data), filename=filenames[shown.id])
                for (shown, _), fit in zip(made, fitted, strict=True)
                if fit is not None
            ]
            if outcome.shots:
                card = batch_card(
                    job, outcome, price_micros=price, filenames=filenames, note=note, aspect_auto=self.aspect_auto
                )
            else:
                card = result_card(
                    job,
                    outcome,
                    price_micros=price,
                    filename=filenames.get(job.id),
                    note=note,
                    aspect_auto=self.aspect_auto,
                )
            return card, files

        return build

    async def succeeded(self, job: Job, outcome: Outcome) -> int | None:
        card = await self._result(job, outcome)
        # Discord notifies nobody of an edit: a result the requester should hear of comes as a new message.
        if await self._pings(job):
            posted = await self._post_result(job, *card())
            if posted is not None:
                return posted
        view, files = card()
        # The placeholder is plain content: turning it into a card sets IS_COMPONENTS_V2 and must clear the content.
        message = await self._edit(
            job,
            "result",
            content=None,
            embed=None,
            view=view,
            attachments=files,
            allowed_mentions=self._mention,
        )
        return _shown(message)

    async def failed(self, job: Job, error: BaseException, *, refunded: bool = False) -> int | None:
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
        refusal = policy_refusal(error)
        if refusal is not None:
            await self._tell_privately(job, private_refusal(job, refusal))
        return _shown(message)

    async def _tell_privately(self, job: Job, words: str) -> None:
        """A DM to the requester; when it can't be sent, only the log knows (the channel still says just "declined")."""
        try:
            channel = await self.bot.create_dm(discord.Object(job.user_id))
            await channel.send(words, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as error:
            log.info("job %s: could not tell the requester privately why it was declined (code %s)", job.id, error.code)


def _shown(message: discord.Message | None) -> int | None:
    """The id of the message now showing the job; None where none does (a personal job whose DM was refused)."""
    return message.id if message is not None else None


def collapsed_line(job: Job, result_url: str) -> str:
    """What the placeholder becomes once the result is posted below it: one line pointing at the result."""
    prompt = fit(" ".join(job.request.prompt.split()), _COLLAPSED_PROMPT)
    ready = t(job.locale, "ping-ready")
    return f"{_COLLAPSED} {ready} {result_url} · {prompt}"


def pointed_at(content: str, channel_id: int) -> int | None:
    """The result a collapsed placeholder points at, or None when the message is no collapsed placeholder."""
    # The marker, "Ready:" in the requester's language (a few words, whatever they are), then the link.
    link = rf"https://discord\.com/channels/[^/\s]+/{channel_id}/(\d+)"
    found = re.match(rf"{re.escape(_COLLAPSED)} (?:\S+ ){{1,4}}{link}", content)
    return int(found[1]) if found else None


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


def token_gone(error: discord.HTTPException) -> bool:
    """Whether an interaction's token can no longer show the job.

    50027 / 401: the 15-minute token has expired. 10008: the response message was deleted.
    """
    return error.status in (401, 404) or error.code in (50027, 10008, 10015)


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

    async def _edit_original(self, job: Job, fields: dict[str, Any]) -> discord.Message | None:
        """Edit the interaction's response while its token lives; None once it is gone (expired, or deleted)."""
        if self.interaction is None:
            return None
        try:
            return await self.interaction.edit_original_response(**fields)
        except discord.HTTPException as error:
            if not token_gone(error):
                raise
            log.info("job %s: interaction token no longer usable (%s)", job.id, error.code)
            self.interaction = None
            for file in fields.get("attachments") or ():
                file.reset()  # the refused upload read the image to its end: send it whole again
            return None

    async def _edit_placeholder(self, job: Job, **fields: Any) -> discord.Message | None:
        """With the interaction's token while it lives, then with the bot's own."""
        message = await self._edit_original(job, fields)
        return message if message is not None else await super()._edit_placeholder(job, **fields)

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
