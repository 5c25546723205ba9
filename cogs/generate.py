"""Making images: /imagine, and the shared path every way of starting a job goes through."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable, Hashable
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs.buttons import INSTRUCTION_MAX
from cogs.errors import AnsweredElsewhere, UserError, answered_elsewhere
from cogs.images import check_attachment, checked, images_in
from cogs.views import InteractionDelivery, price_label
from kontext.models import GenerationRequest, Job
from kontext.outages import StorageUnavailable
from kontext.sources import ImageSource, nearest_aspect_ratio
from kontext.storage import is_transient

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

AspectRatio = Literal["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"]
OutputFormat = Literal["jpeg", "png"]
SAFETY_CHOICES = [
    app_commands.Choice(name="0 · strict", value=0),
    app_commands.Choice(name="1 · moderate", value=1),
    app_commands.Choice(name="2 · balanced (default)", value=2),
]
# Where the bot answers with the image it must be able to post it, embed it and attach it.
# The options /imagine and /edit share, described once.
OPTION_DESCRIPTIONS = {
    "mode": "pro is fast and cheaper; max is the highest quality",
    "format": "File format of the result (default jpeg)",
    "upsample": "Let the model enrich your prompt first",
    "safety": "Content moderation: 0 strict … 2 balanced",
}
DUPLICATE_WINDOW = 3.0  # seconds within which the same click or command counts as one
needs_answer_permissions = app_commands.checks.bot_has_permissions(
    send_messages=True, embed_links=True, attach_files=True
)


class GenerateCog(commands.Cog):
    """Image generation commands."""

    def __init__(self, bot: KontextBot, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self._clock = clock
        self._recent: dict[Hashable, float] = {}
        # Prices are configurable, so the mode choices are labelled from the settings, not hard-coded.
        mode_choices = [
            app_commands.Choice(name=price_label(mode, bot.settings.price_micros(mode)), value=mode)
            for mode in ("pro", "max")
        ]
        for command in (self.imagine, self.edit):
            params = command._params  # discord.py keeps option metadata here; replace, don't mutate shared objects
            params["mode"] = dataclasses.replace(params["mode"], choices=mode_choices)
        # discord.py cannot declare context menus inside a cog: build it here, add it in cog_load.
        self.edit_menu = app_commands.ContextMenu(name="Edit image", callback=self.edit_image_menu)
        self.edit_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.edit_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.edit_menu.name, type=self.edit_menu.type)

    def build_request(
        self,
        prompt: str,
        *,
        aspect_ratio: str | None = None,
        mode: str | None = None,
        output_format: str | None = None,
        upsample: bool = False,
        safety: int = 2,
        image_url: str | None = None,
    ) -> GenerationRequest:
        """A validated request from command options, filling gaps from the settings' defaults."""
        settings = self.bot.settings
        return GenerationRequest(
            prompt=prompt.strip(),
            mode=mode or settings.default_mode,
            aspect_ratio=aspect_ratio or settings.default_aspect_ratio,
            output_format=output_format or settings.default_format,
            prompt_upsampling=upsample,
            safety_tolerance=safety,
            image_url=image_url,
            enable_translation=settings.enable_translation,
            upload_cn=settings.upload_cn,
        ).validate()

    def edit_request(
        self,
        instruction: str,
        source: ImageSource,
        *,
        like: Job | None = None,
        aspect_ratio: str | None = None,
        **options: Any,
    ) -> GenerationRequest:
        """An edit of a checked image; the aspect ratio defaults to the one nearest the image's own shape."""
        if like is not None:
            previous = like.request
            options = {
                "mode": previous.mode,
                "output_format": previous.output_format,
                "upsample": previous.prompt_upsampling,
                "safety": previous.safety_tolerance,
                **options,
            }
        ratio = aspect_ratio or nearest_aspect_ratio(source.width, source.height)
        return self.build_request(instruction, aspect_ratio=ratio, image_url=source.url, **options)

    async def start_job(
        self,
        interaction: discord.Interaction[KontextBot],
        request: GenerationRequest,
        *,
        source_job_id: str | None = None,
        source_message_id: int | None = None,
        aspect_auto: bool = False,
        once_key: Hashable | None = None,
    ) -> Job:
        """Reserve its cost, acknowledge, then run the job in the background, showing it in the placeholder.

        `once_key` names an action a double click would repeat (a button); a second one within a few seconds
        is refused. (A command Discord delivers twice is dropped by the command tree before it gets here.)
        """
        if once_key is not None:
            self._claim(once_key)
        job = self.bot.jobs.new_job(
            request,
            user_id=interaction.user.id,
            channel_id=interaction.channel_id or 0,
            guild_id=interaction.guild_id,
            interaction_id=interaction.id,
            source_job_id=source_job_id,
            source_message_id=source_message_id,
        )
        # A refusal must be private, so it is decided before the (public) acknowledgement; it is one quick
        # transaction, well inside Discord's 3 seconds.
        await self.admit(job, interaction.user, interaction.channel)
        async with self.refunded_unless_started(job):
            answered = await interaction.response.defer(thinking=True)
            # Discord returns the placeholder it created: knowing its id from the start is what lets a restart
            # check it before posting again (exactly once), even if the job never edits it before its result.
            placeholder = getattr(answered, "resource", None)
            if isinstance(placeholder, discord.InteractionMessage):
                job.message_id = placeholder.id
            await self.bot.jobs.start(job, InteractionDelivery(self.bot, interaction, aspect_auto=aspect_auto))
        return job

    @contextlib.asynccontextmanager
    async def refunded_unless_started(self, job: Job) -> AsyncIterator[None]:
        """Give an admitted job's reservation back when what starts it fails (it never started)."""
        try:
            yield
        except StorageUnavailable:
            # Recorded or not, nobody can tell: the lease sweep runs it if it was, the orphan settlement refunds it
            # if it was not.
            raise
        except BaseException as error:
            try:
                await self.bot.quotas.refund(job.id)
            except Exception as refund_error:
                if not is_transient(refund_error):
                    raise
                log.warning("job %s: refund waits for the database (settled with the orphans)", job.id)
            if answered_elsewhere(error):
                raise AnsweredElsewhere() from error
            raise

    def _claim(self, key: Hashable) -> None:
        """The same action seen again within a few seconds starts nothing new."""
        now = self._clock()
        self._recent = {k: t for k, t in self._recent.items() if now - t < DUPLICATE_WINDOW}
        if key in self._recent:
            raise UserError("Already on it: that request is being made right now.")
        self._recent[key] = now

    async def admit(self, job: Job, user: discord.abc.User, channel: object) -> None:
        """Reserve the job's cost against every limit that applies, and apply the server's watermark.

        Raises QuotaExceeded, with nothing charged, when a limit says no.
        """
        jobs = self.bot.jobs
        jobs.check_open()  # shutting down, or the API or the database is failing: refuse now, charge nothing
        role_ids = [role.id for role in getattr(user, "roles", ())]
        # Threads follow their parent channel's permission to use the bot.
        channel_id = getattr(channel, "parent_id", None) or getattr(channel, "id", None) or job.channel_id
        # Each is one try: the user waits (Discord's 3 seconds), and a lost database is said at once, free.
        server = await jobs.retry.once("admission", lambda: self.bot.quotas.settings(job.guild_id))
        if server.watermark:
            job.request = dataclasses.replace(job.request, watermark=server.watermark)
        reservation = await jobs.retry.once(
            "admission",
            lambda: self.bot.quotas.reserve(
                job_id=job.id,
                guild_id=job.guild_id,
                user_id=job.user_id,
                role_ids=role_ids,
                channel_id=channel_id,
                mode=job.request.mode,
            ),
        )
        job.cost_micros = reservation.amount_micros

    @app_commands.command(name="imagine")
    @app_commands.guild_only()
    @needs_answer_permissions
    @app_commands.describe(
        prompt="What to make (be specific: subject, style, light)",
        aspect_ratio="Shape of the image (default 16:9)",
        **OPTION_DESCRIPTIONS,
    )
    @app_commands.choices(safety=SAFETY_CHOICES)
    async def imagine(
        self,
        interaction: discord.Interaction[KontextBot],
        prompt: str,
        aspect_ratio: AspectRatio | None = None,
        mode: str | None = None,
        format: OutputFormat | None = None,
        upsample: bool = False,
        safety: int = 2,
    ) -> None:
        """Turn a prompt into an image with FLUX Kontext."""
        request = self.build_request(
            prompt, aspect_ratio=aspect_ratio, mode=mode, output_format=format, upsample=upsample, safety=safety
        )
        await self.start_job(interaction, request)

    @app_commands.command(name="edit")
    @app_commands.guild_only()
    @needs_answer_permissions
    @app_commands.describe(
        image="The image to change (JPEG, PNG or WebP, up to 10 MB)",
        prompt="What to change, e.g. 'make it night, keep everything else'",
        aspect_ratio="Shape of the result (default: closest to your image)",
        **OPTION_DESCRIPTIONS,
    )
    @app_commands.choices(safety=SAFETY_CHOICES)
    async def edit(
        self,
        interaction: discord.Interaction[KontextBot],
        image: discord.Attachment,
        prompt: str,
        aspect_ratio: AspectRatio | None = None,
        mode: str | None = None,
        format: OutputFormat | None = None,
        upsample: bool = False,
        safety: int = 2,
    ) -> None:
        """Change an image with an instruction, using FLUX Kontext."""
        source = check_attachment(image)
        request = self.edit_request(
            prompt,
            source,
            aspect_ratio=aspect_ratio,
            mode=mode,
            output_format=format,
            upsample=upsample,
            safety=safety,
        )
        await self.start_job(interaction, request, aspect_auto=aspect_ratio is None)

    async def edit_image_menu(self, interaction: discord.Interaction[KontextBot], message: discord.Message) -> None:
        """The "Edit image" message menu: ask for the instruction (and which image), then edit."""
        images = images_in(message)
        if not images:
            raise UserError(
                "That message has no image I can see. Use **Edit image** on a message with an attached or linked "
                "image, or use `/edit` to upload one."
            )
        await interaction.response.send_modal(EditImageModal(self, message, images))


class EditImageModal(discord.ui.Modal, title="Edit image"):
    """Asks for the instruction, and which image when the message has several."""

    def __init__(self, cog: GenerateCog, message: discord.Message, images: list[ImageSource]) -> None:
        super().__init__()
        self.cog = cog
        self.target = message
        self.images = images[:25]
        self.instruction: discord.ui.TextInput[EditImageModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            placeholder="e.g. replace the sign's text with 'OPEN'",
            max_length=INSTRUCTION_MAX,
        )
        self.add_item(discord.ui.Label(text="What should change?", component=self.instruction))
        self.choice: discord.ui.Select[EditImageModal] | None = None
        if len(self.images) > 1:
            self.choice = discord.ui.Select(
                options=[
                    discord.SelectOption(label=f"{n}. {image.label}"[:100], value=str(n - 1), default=n == 1)
                    for n, image in enumerate(self.images, start=1)
                ]
            )
            self.add_item(discord.ui.Label(text="Which image?", component=self.choice))

    async def on_submit(self, interaction: discord.Interaction[KontextBot]) -> None:  # type: ignore[override]
        index = int(self.choice.values[0]) if self.choice and self.choice.values else 0
        source = await checked(self.cog.bot, self.images[index])
        request = self.cog.edit_request(self.instruction.value, source)
        await self.cog.start_job(interaction, request, source_message_id=self.target.id, aspect_auto=True)

    async def on_error(self, interaction: discord.Interaction[KontextBot], error: Exception) -> None:  # type: ignore[override]
        await interaction.client.tree.on_error(interaction, error)  # type: ignore[arg-type]


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(GenerateCog(bot))
