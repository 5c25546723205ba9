"""Buttons under every result (Re-roll, Edit, Delete) and failure (Retry, Dismiss), and the edit modal.

They survive restarts.

Each button is a DynamicItem whose custom_id carries the job id; everything else is read from the job records
when it is clicked, so a result posted by an earlier process works the same.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from cogs.utils.errors import UserError
from cogs.utils.i18n import t
from cogs.utils.images import checked, images_in, same_image
from cogs.utils.requesters import requester, rules_guild_id, token_reaches
from cogs.utils.text import MODAL_TITLE, TEXT_INPUT_LABEL, TEXT_INPUT_PLACEHOLDER, cut
from kontext.images.sources import ImageSource
from kontext.jobs.admission import Origin
from kontext.models import GenerationRequest, Job
from kontext.quotas.models import QuotaExceeded
from kontext.quotas.precheck import refusal_now

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

_JOB = r"(?P<job>[0-9a-f]{16})"
INSTRUCTION_MAX = 4000  # a modal text input's own limit
ROW_WIDTH = 5  # buttons in one action row


async def _job(interaction: discord.Interaction[KontextBot], job_id: str) -> Job:
    job = await interaction.client.jobs.find(job_id)
    if job is None:
        raise UserError("button-no-record")
    return job


async def _report(interaction: discord.Interaction[KontextBot], error: Exception) -> None:
    """Buttons and modals are not app commands: send their errors through the tree's words too."""
    await interaction.client.tree.on_error(interaction, error)  # type: ignore[arg-type]


class _JobButton:
    """What the three result buttons share: a custom_id "kx:<action>:<job id>" and a job id read back from it."""

    label: str  # its catalogue key
    emoji: str
    style: discord.ButtonStyle
    action: str

    def __init__(self, job_id: str, locale: object = None, label: str | None = None) -> None:
        """`label`: words already in the user's language in place of the button's own (a batch numbers them)."""
        button = discord.ui.Button(
            label=label or t(locale, self.label),
            emoji=self.emoji,
            style=self.style,
            custom_id=f"kx:{self.action}:{job_id}",
        )
        super().__init__(button)  # type: ignore[call-arg]  # DynamicItem.__init__, next in the MRO
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any) -> Any:
        return cls(match["job"])

    async def callback(self, interaction: discord.Interaction[KontextBot]) -> None:
        """Find the job the button belongs to and act on it; any failure is told in the tree's words."""
        try:
            await self.act(interaction, await _job(interaction, self.job_id))
        except Exception as error:
            await _report(interaction, error)

    async def act(self, interaction: discord.Interaction[KontextBot], job: Job) -> None:
        raise NotImplementedError


class RerollButton(_JobButton, discord.ui.DynamicItem[discord.ui.Button], template=rf"kx:reroll:{_JOB}"):
    """Make the same request again, as a new job for whoever clicks (a batch again as a whole batch)."""

    label, emoji, style, action = "button-reroll", "🎲", discord.ButtonStyle.secondary, "reroll"

    async def act(self, interaction: discord.Interaction[KontextBot], job: Job) -> None:
        request = job.request
        if request.image_url and job.source_message_id:
            request = await _fresh_input(interaction, job)
        await interaction.client.start_from_interaction(
            interaction,
            request,
            origin=Origin(job.source_job_id, job.source_message_id),
            once_key=(self.action, interaction.user.id, job.id),
            count=job.batch_size if job.is_batch else 1,  # one image of a batch re-rolls alone
        )


class RerollBatchButton(RerollButton, template=rf"kx:rerollall:{_JOB}"):
    """Under a batch: the whole batch again, a new batch of as many images admitted and charged like any other."""

    label, emoji, style, action = "button-reroll-all", "🎲", discord.ButtonStyle.secondary, "rerollall"


class EditButton(_JobButton, discord.ui.DynamicItem[discord.ui.Button], template=rf"kx:edit:{_JOB}"):
    """Ask for an instruction and edit this result: edits chain."""

    label, emoji, style, action = "button-edit", "✏️", discord.ButtonStyle.primary, "edit"

    async def act(self, interaction: discord.Interaction[KontextBot], job: Job) -> None:
        refusal = await _refusal_now(interaction, job)
        if refusal is not None:
            raise refusal  # before the user types anything: the same words as a refused request, nothing charged
        await interaction.response.send_modal(EditModal(job, interaction.message, interaction.locale))


class DeleteButton(_JobButton, discord.ui.DynamicItem[discord.ui.Button], template=rf"kx:delete:{_JOB}"):
    """Delete the result: its requester, or members who may manage messages."""

    label, emoji, style, action = "button-delete", "🗑️", discord.ButtonStyle.danger, "delete"

    refusal = "button-delete-refused"

    async def act(self, interaction: discord.Interaction[KontextBot], job: Job) -> None:
        if interaction.user.id != job.user_id and not interaction.permissions.manage_messages:
            raise UserError(self.refusal, user=str(job.user_id))
        await interaction.response.defer()
        message = interaction.message
        if message is not None and message.flags.ephemeral:
            # A copy /show posted for one member: the result itself goes, then the copy.
            if job.message_id is not None:
                result = interaction.client.get_partial_messageable(job.channel_id).get_partial_message(job.message_id)
                with contextlib.suppress(discord.NotFound):
                    await result.delete()
            await interaction.delete_original_response()
        elif message is not None and not token_reaches(interaction):
            await interaction.delete_original_response()  # where the bot's token does not reach: the interaction's
        elif message is not None:
            await message.delete()
        log.info("job %s: %s by %s", job.id, self.action, interaction.user.id)


class RetryButton(RerollButton, template=rf"kx:retry:{_JOB}"):
    """Under a failure: the same request again, a new job admitted and charged like any other."""

    label, emoji, style, action = "button-retry", "🔁", discord.ButtonStyle.primary, "retry"


class DismissButton(DeleteButton, template=rf"kx:dismiss:{_JOB}"):
    """Under a failure: remove the message; its requester, or members who may manage messages."""

    label, emoji, style, action = "button-dismiss", "✖️", discord.ButtonStyle.secondary, "dismiss"
    refusal = "button-dismiss-refused"


class EditModal(discord.ui.Modal):
    """The instruction for a chained edit; its input image is the result the button sits under."""

    def __init__(self, job: Job, message: discord.Message | None, locale: object = None) -> None:
        super().__init__(title=cut(t(locale, "modal-edit-title"), MODAL_TITLE))
        self.job = job
        self.message = message
        self.instruction: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label=cut(t(locale, "modal-what-changes"), TEXT_INPUT_LABEL),
            style=discord.TextStyle.paragraph,
            placeholder=cut(t(locale, "modal-edit-placeholder"), TEXT_INPUT_PLACEHOLDER),
            max_length=INSTRUCTION_MAX,
        )
        self.add_item(self.instruction)

    async def on_submit(self, interaction: discord.Interaction[KontextBot]) -> None:  # type: ignore[override]
        # The result's own attachment, as Discord describes it now: never the API's temporary result URL.
        message = interaction.message or self.message
        if message is not None and message.flags.ephemeral:
            message = await result_message(interaction.client, self.job)  # a /show copy: edit the result it shows
        images = images_in(message) if message is not None else []
        if message is not None and not images:
            message = await interaction.channel.fetch_message(message.id)  # type: ignore[union-attr]
            images = images_in(message)
        if message is None or not images:
            raise UserError("edit-no-image")
        source = await checked(interaction.client, image_of(self.job, images))
        request = interaction.client.admission.edit_request(self.instruction.value, source, like=self.job)
        await interaction.client.start_from_interaction(
            interaction, request, origin=Origin(self.job.id, message.id), aspect_auto=True
        )

    async def on_error(self, interaction: discord.Interaction[KontextBot], error: Exception) -> None:  # type: ignore[override]
        await _report(interaction, error)


async def _refusal_now(interaction: discord.Interaction[KontextBot], job: Job) -> QuotaExceeded | None:
    """The limit an edit of this job would hit for the clicker now; None when allowed or when it can't be told."""
    guild_id = rules_guild_id(interaction)
    who = requester(interaction.user, interaction.channel, guild_id=guild_id, channel_id=interaction.channel_id or 0)
    try:
        return await refusal_now(
            interaction.client.quotas,
            guild_id=who.guild_id,
            user_id=who.user_id,
            role_ids=who.role_ids,
            channel_id=who.rules_channel_id,
            mode=job.request.mode,
        )
    except Exception as error:
        # Only advice: the reservation when the instruction is submitted decides, and says why.
        log.warning("job %s: could not check the quota before the edit modal (%s)", job.id, error)
        return None


async def result_message(bot: KontextBot, job: Job) -> discord.Message:
    """The message showing a job's result as Discord describes it now (fresh media URLs), or a UserError."""
    if job.message_id is None:
        raise UserError("result-no-record")
    try:
        return await bot.get_partial_messageable(job.channel_id).fetch_message(job.message_id)
    except discord.NotFound as error:
        raise UserError("result-deleted") from error
    except discord.Forbidden as error:
        raise UserError("result-unreadable") from error


async def _fresh_input(interaction: discord.Interaction[KontextBot], job: Job) -> GenerationRequest:
    """The job's request with its input image URL re-read from the source message (signed URLs expire)."""
    assert job.request.image_url is not None and job.source_message_id is not None
    channel = interaction.client.get_partial_messageable(job.channel_id)
    try:
        source_message = await channel.fetch_message(job.source_message_id)
    except discord.HTTPException:
        return job.request  # the source is gone: the stored URL may still work, and the API says if not
    images: list[ImageSource] = images_in(source_message)
    match = next((image for image in images if same_image(image.url, job.request.image_url)), None)
    match = match or (images[0] if images else None)
    if match is None:
        return job.request
    return replace(job.request, image_url=match.url)


def image_of(job: Job, images: list[ImageSource]) -> ImageSource:
    """The job's own image among a message's: a batch shows several, each uploaded under a name ending in its id."""
    if not job.in_batch:
        return images[0]
    mark = f"-{job.id[:6]}."
    found = next((image for image in images if mark in image.filename), None)
    if found is None:
        raise UserError("batch-image-gone", number=job.batch_index + 1)
    return found


def batch_rows(
    batch: Job, images: list[Job], *, editable: set[str], locale: object = None
) -> list[discord.ui.ActionRow[discord.ui.LayoutView]]:
    """A batch's buttons: Edit and Re-roll for each image (numbered as in the gallery), Re-roll all and Delete."""
    locale = locale or batch.locale
    buttons: list[discord.ui.Item[discord.ui.LayoutView]] = [
        EditButton(image.id, locale, t(locale, "button-edit-n", number=image.batch_index + 1))
        for image in images
        if image.id in editable
    ]
    rerolls = [
        RerollButton(image.id, locale, t(locale, "button-reroll-n", number=image.batch_index + 1)) for image in images
    ]
    rows = [buttons[i : i + ROW_WIDTH] for i in range(0, len(buttons), ROW_WIDTH)]
    rows += [rerolls[i : i + ROW_WIDTH] for i in range(0, len(rerolls), ROW_WIDTH)]
    rows.append([RerollBatchButton(batch.id, locale), DeleteButton(batch.id, locale)])
    action_rows: list[discord.ui.ActionRow[discord.ui.LayoutView]] = []
    for items in rows:
        row: discord.ui.ActionRow[discord.ui.LayoutView] = discord.ui.ActionRow()
        for item in items:
            row.add_item(item)
        action_rows.append(row)
    return action_rows


def result_view(
    job: Job, *, editable: bool = True, locale: object = None
) -> discord.ui.ActionRow[discord.ui.LayoutView]:
    """The buttons of a finished image, for its card, in `locale` (the job's own by default); no Edit without image."""
    locale = locale or job.locale
    row: discord.ui.ActionRow[discord.ui.LayoutView] = discord.ui.ActionRow()
    row.add_item(RerollButton(job.id, locale))
    if editable:
        row.add_item(EditButton(job.id, locale))
    if not job.in_batch:  # one image of a batch shares its message: deleting it is the batch's button
        row.add_item(DeleteButton(job.id, locale))
    return row


def failure_view(job: Job) -> discord.ui.View:
    """The buttons of a failed job: Retry and Dismiss."""
    view = discord.ui.View(timeout=None)
    view.add_item(RetryButton(job.id, job.locale))
    view.add_item(DismissButton(job.id, job.locale))
    return view


DYNAMIC_ITEMS = (RerollButton, RerollBatchButton, EditButton, DeleteButton, RetryButton, DismissButton)
