"""Making images: /imagine, /edit and the "Edit image" message menu."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from cogs.utils.admission import start_from_interaction
from cogs.utils.buttons import INSTRUCTION_MAX
from cogs.utils.cards import SAFETY_CHOICES
from cogs.utils.delivery import price_label
from cogs.utils.errors import UserError
from cogs.utils.i18n import t
from cogs.utils.images import check_attachment, checked, images_in
from cogs.utils.personal import EVERYWHERE_CONTEXTS, EVERYWHERE_INSTALLS, everywhere
from cogs.utils.requesters import token_reaches
from cogs.utils.text import MODAL_TITLE, SELECT_LABEL, TEXT_INPUT_LABEL, TEXT_INPUT_PLACEHOLDER, cut
from kontext.images.sources import ImageSource
from kontext.jobs.admission import Origin
from kontext.quotas.models import MAX_BATCH

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)
T = TypeVar("T")

AspectRatio = Literal["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"]
OutputFormat = Literal["jpeg", "png"]
# Where the bot answers with the image it must be able to post it, embed it and attach it.
# The options /imagine and /edit share, described once.
OPTION_DESCRIPTIONS = {
    "mode": "pro is fast and cheaper; max is the highest quality",
    "format": "File format of the result (default jpeg)",
    "upsample": "Let the model enrich your prompt first",
    "safety": "Content moderation: 0 strict … 2 balanced (default: the most this channel allows)",
    "count": f"How many images to make, 1-{MAX_BATCH} (each is charged; the server may allow fewer)",
}
ANSWER_PERMISSIONS = ("send_messages", "embed_links", "attach_files")


async def _can_answer(interaction: discord.Interaction[KontextBot]) -> bool:
    """In a server that installed the bot, it needs these to show the job (its token edits after 15 minutes).

    Elsewhere the interaction's token alone answers: no channel permission of the bot's is involved.
    """
    if not token_reaches(interaction):
        return True
    missing = [name for name in ANSWER_PERMISSIONS if not getattr(interaction.app_permissions, name)]
    if missing:
        raise app_commands.BotMissingPermissions(missing)
    return True


def generation_command(func: T) -> T:
    """What /imagine and /edit share: every install and context, the permissions the answer needs, safety choices."""
    func = app_commands.choices(safety=SAFETY_CHOICES)(func)
    func = app_commands.check(_can_answer)(func)
    return everywhere(func)


class GenerateCog(commands.Cog):
    """Image generation commands."""

    def __init__(self, bot: KontextBot) -> None:
        self.bot = bot
        # Prices are configurable, so the mode choices are labelled from the settings, not hard-coded.
        mode_choices = [
            app_commands.Choice(name=price_label(mode, bot.settings.price_micros(mode)), value=mode)
            for mode in ("pro", "max")
        ]
        for command in (self.imagine, self.edit):
            params = command._params  # discord.py keeps option metadata here; replace, don't mutate shared objects
            params["mode"] = dataclasses.replace(params["mode"], choices=mode_choices)
        # discord.py cannot declare context menus inside a cog: build it here, add it in cog_load.
        self.edit_menu = app_commands.ContextMenu(
            name="Edit image",
            callback=self.edit_image_menu,
            allowed_installs=EVERYWHERE_INSTALLS,
            allowed_contexts=EVERYWHERE_CONTEXTS,
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.edit_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.edit_menu.name, type=self.edit_menu.type)

    @app_commands.command(name="imagine")
    @app_commands.describe(
        prompt="What to make (be specific: subject, style, light)",
        aspect_ratio="Shape of the image (default 16:9)",
        **OPTION_DESCRIPTIONS,
    )
    @generation_command
    async def imagine(
        self,
        interaction: discord.Interaction[KontextBot],
        prompt: str,
        aspect_ratio: AspectRatio | None = None,
        mode: str | None = None,
        format: OutputFormat | None = None,
        upsample: bool = False,
        safety: int | None = None,
        count: app_commands.Range[int, 1, MAX_BATCH] = 1,
    ) -> None:
        """Turn a prompt into an image with FLUX Kontext."""
        request = self.bot.admission.request(
            prompt, aspect_ratio=aspect_ratio, mode=mode, output_format=format, upsample=upsample, safety=safety
        )
        await start_from_interaction(interaction, request, count=count)

    @app_commands.command(name="edit")
    @app_commands.describe(
        image="The image to change (JPEG, PNG or WebP, up to 10 MB)",
        prompt="What to change, e.g. 'make it night, keep everything else'",
        aspect_ratio="Shape of the result (default: closest to your image)",
        **OPTION_DESCRIPTIONS,
    )
    @generation_command
    async def edit(
        self,
        interaction: discord.Interaction[KontextBot],
        image: discord.Attachment,
        prompt: str,
        aspect_ratio: AspectRatio | None = None,
        mode: str | None = None,
        format: OutputFormat | None = None,
        upsample: bool = False,
        safety: int | None = None,
        count: app_commands.Range[int, 1, MAX_BATCH] = 1,
    ) -> None:
        """Change an image with an instruction, using FLUX Kontext."""
        source = check_attachment(image)
        request = self.bot.admission.edit_request(
            prompt,
            source,
            aspect_ratio=aspect_ratio,
            mode=mode,
            output_format=format,
            upsample=upsample,
            safety=safety,
        )
        await start_from_interaction(interaction, request, aspect_auto=aspect_ratio is None, count=count)

    async def edit_image_menu(self, interaction: discord.Interaction[KontextBot], message: discord.Message) -> None:
        """The "Edit image" message menu: ask for the instruction (and which image), then edit."""
        images = images_in(message)
        if not images:
            raise UserError("error-menu-no-image")
        await interaction.response.send_modal(EditImageModal(message, images, interaction.locale))


class EditImageModal(discord.ui.Modal):
    """Asks for the instruction, and which image when the message has several."""

    def __init__(self, message: discord.Message, images: list[ImageSource], locale: object = None) -> None:
        super().__init__(title=cut(t(locale, "modal-menu-title"), MODAL_TITLE))
        self.target = message
        self.images = images[:25]
        self.instruction: discord.ui.TextInput[EditImageModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            placeholder=cut(t(locale, "modal-menu-placeholder"), TEXT_INPUT_PLACEHOLDER),
            max_length=INSTRUCTION_MAX,
        )
        label = cut(t(locale, "modal-what-changes"), TEXT_INPUT_LABEL)
        self.add_item(discord.ui.Label(text=label, component=self.instruction))
        self.choice: discord.ui.Select[EditImageModal] | None = None
        if len(self.images) > 1:
            self.choice = discord.ui.Select(
                options=[
                    discord.SelectOption(
                        label=cut(f"{n}. {image.label}", SELECT_LABEL), value=str(n - 1), default=n == 1
                    )
                    for n, image in enumerate(self.images, start=1)
                ]
            )
            which = cut(t(locale, "modal-which-image"), TEXT_INPUT_LABEL)
            self.add_item(discord.ui.Label(text=which, component=self.choice))

    async def on_submit(self, interaction: discord.Interaction[KontextBot]) -> None:  # type: ignore[override]
        index = int(self.choice.values[0]) if self.choice and self.choice.values else 0
        source = await checked(interaction.client, self.images[index])
        request = interaction.client.admission.edit_request(self.instruction.value, source)
        await start_from_interaction(
            interaction, request, origin=Origin(source_message_id=self.target.id), aspect_auto=True
        )

    async def on_error(self, interaction: discord.Interaction[KontextBot], error: Exception) -> None:  # type: ignore[override]
        await interaction.client.tree.on_error(interaction, error)  # type: ignore[arg-type]


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(GenerateCog(bot))
