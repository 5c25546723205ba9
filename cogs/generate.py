"""Making images: /imagine, and the shared path every way of starting a job goes through."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs.views import InteractionDelivery, price_label
from kontext.models import GenerationRequest, Job

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
needs_answer_permissions = app_commands.checks.bot_has_permissions(
    send_messages=True, embed_links=True, attach_files=True
)


class GenerateCog(commands.Cog):
    """Image generation commands."""

    def __init__(self, bot: KontextBot) -> None:
        self.bot = bot
        # Prices are configurable, so the mode choices are labelled from the settings, not hard-coded.
        mode_choices = [
            app_commands.Choice(name=price_label(mode, bot.settings.price_micros(mode)), value=mode)
            for mode in ("pro", "max")
        ]
        params = self.imagine._params  # discord.py keeps option metadata here; replace, don't mutate shared objects
        params["mode"] = dataclasses.replace(params["mode"], choices=mode_choices)

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

    async def start_job(self, interaction: discord.Interaction[KontextBot], request: GenerationRequest) -> Job:
        """Acknowledge at once, then run the job in the background, showing it in the placeholder."""
        # Discord kills the interaction after 3 seconds without an answer: defer before any slow work.
        await interaction.response.defer(thinking=True)
        job = self.bot.jobs.new_job(
            request,
            user_id=interaction.user.id,
            channel_id=interaction.channel_id or 0,
            guild_id=interaction.guild_id,
            interaction_id=interaction.id,
        )
        await self.bot.jobs.start(job, InteractionDelivery(self.bot, interaction))
        return job

    @app_commands.command(name="imagine")
    @app_commands.guild_only()
    @needs_answer_permissions
    @app_commands.describe(
        prompt="What to make (be specific: subject, style, light)",
        aspect_ratio="Shape of the image (default 16:9)",
        mode="pro is fast and cheaper; max is the highest quality",
        format="File format of the result (default jpeg)",
        upsample="Let the model enrich your prompt first",
        safety="Content moderation: 0 strict … 2 balanced",
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


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(GenerateCog(bot))
