"""/history and /show: a member's past images in this server, and one of them again, privately, with its buttons."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.utils.buttons import image_of, result_message, result_view
from cogs.utils.cards import CARD_COLOUR, CARD_TEXT, GALLERY_DESCRIPTION, job_marker, jump_url, options_line
from cogs.utils.errors import UserError
from cogs.utils.i18n import t
from cogs.utils.images import images_in
from cogs.utils.personal import everywhere, kept_media
from cogs.utils.requesters import rules_guild_id, server_rules
from cogs.utils.text import SELECT_LABEL, code, cut, fit, quote
from kontext.jobs.history import HistoryPage
from kontext.models import Job, JobState
from kontext.money import format_usd

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

ENTRY_PROMPT = 150  # each entry's quoted prompt: ten entries stay far below a message's 4,000 characters of text
GALLERY_ITEMS = 10  # a media gallery's most
_OLDER, _NEWER = "▶️", "◀️"


def _when(job: Job) -> int:
    return int(job.delivered_at or job.created_at)


def history_view(
    page: HistoryPage,
    *,
    target_id: int,
    viewer_id: int,
    page_size: int,
    personal: bool = False,
    locale: object = None,
) -> discord.ui.LayoutView:
    """One page of images: when, what it cost, a link to each and its prompt, with Newer / Older where there are any.

    personal: the images made where no server's rules applied (DMs, group DMs, servers without the bot).
    """
    if target_id == viewer_id:
        whose = t(locale, "history-yours-personal" if personal else "history-yours")
    else:
        whose = t(locale, "history-theirs-personal" if personal else "history-theirs", user=str(target_id))
    container = discord.ui.Container(accent_colour=CARD_COLOUR)
    heading = t(locale, "history-page", page=page.page + 1)
    container.add_item(discord.ui.TextDisplay(f"### {whose}\n-# {heading}"))
    if not page.jobs:
        empty = t(locale, "history-empty-yours" if target_id == viewer_id else "history-empty-theirs")
        container.add_item(discord.ui.TextDisplay(empty if page.page == 0 else t(locale, "history-no-older")))
    for number, job in enumerate(page.jobs, start=page.page * page_size + 1):
        line = f"**{number}.** <t:{_when(job)}:R> · {format_usd(job.cost_micros)} · {job.request.mode}"
        if job.message_id is not None:
            line += f" · [{t(locale, 'history-open')}]({jump_url(job.guild_id, job.channel_id, job.message_id)})"
        line += f" · `{job.id}`"
        container.add_item(discord.ui.TextDisplay(f"{line}\n{quote(job.request.prompt, ENTRY_PROMPT)}"))
    if page.jobs:
        container.add_item(discord.ui.TextDisplay(f"-# {t(locale, 'history-show-hint')}"))
    row: discord.ui.ActionRow[discord.ui.LayoutView] = discord.ui.ActionRow()
    before = _millis(page.before)
    if page.has_newer:
        row.add_item(HistoryPageButton(target_id, viewer_id, page.page - 1, before, older=False, locale=locale))
    if page.has_older:
        row.add_item(HistoryPageButton(target_id, viewer_id, page.page + 1, before, older=True, locale=locale))
    if row.children:
        container.add_item(row)
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(container)
    return view


def _millis(timestamp: float) -> int:
    return int(timestamp * 1000)


def _may_see(interaction: discord.Interaction[KontextBot], user_id: int) -> bool:
    # Personal images are their maker's alone: an admin of a server without the bot sees only their own.
    return user_id == interaction.user.id or (server_rules(interaction) and interaction.permissions.manage_guild)


class HistoryPageButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kx:hist:(?P<target>\d+):(?P<viewer>\d+):(?P<page>\d+):(?P<before>\d+)",
):
    """Newer / Older: page, whose, for whom and as of when are in the custom_id, so they outlive restarts."""

    def __init__(
        self, target_id: int, viewer_id: int, page: int, before_ms: int, *, older: bool, locale: object = None
    ) -> None:
        label, emoji = (t(locale, "button-older"), _OLDER) if older else (t(locale, "button-newer"), _NEWER)
        custom_id = f"kx:hist:{target_id}:{viewer_id}:{page}:{before_ms}"
        super().__init__(discord.ui.Button(label=label, emoji=emoji, custom_id=custom_id))
        self.target_id, self.viewer_id, self.page, self.before_ms = target_id, viewer_id, page, before_ms

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
    ) -> HistoryPageButton:
        target, viewer, page, before = (int(match[key]) for key in ("target", "viewer", "page", "before"))
        # The label is in the viewer's language; the arrow says which way the button goes.
        return cls(target, viewer, page, before, older=str(item.emoji) == _OLDER, locale=interaction.locale)

    async def callback(self, interaction: discord.Interaction[KontextBot]) -> None:  # type: ignore[override]
        try:
            if interaction.user.id != self.viewer_id:
                raise UserError("history-not-your-buttons", user=str(self.viewer_id))
            if not _may_see(interaction, self.target_id):
                raise UserError("history-manage-server-only")
            bot = interaction.client
            guild_id = rules_guild_id(interaction)
            before = self.before_ms / 1000
            page = await bot.history.page(guild_id, self.target_id, page=self.page, before=before)
            view = history_view(
                page,
                target_id=self.target_id,
                viewer_id=self.viewer_id,
                page_size=bot.history.page_size,
                personal=guild_id is None,
                locale=interaction.locale,
            )
            await interaction.response.edit_message(view=view)
        except Exception as error:
            await interaction.client.tree.on_error(interaction, error)  # type: ignore[arg-type]


def shown_card(job: Job, media_urls: list[str], *, price_micros: int, locale: object = None) -> discord.ui.LayoutView:
    """A result shown again: its images (the posted message's own media), what was asked, what it cost, its buttons."""
    request = job.request
    cost, made = format_usd(job.cost_micros or price_micros), f"<t:{_when(job)}:R>"
    facts = t(locale, "card-shown-facts", cost=cost, when=made, user=str(job.user_id))
    if job.message_id is not None:
        facts += " · " + t(locale, "card-original", url=jump_url(job.guild_id, job.channel_id, job.message_id))
    details = f"{options_line(request, locale, price_micros=price_micros)}\n{facts}"
    footer = f"-# {job_marker(job.id, locale)} · {t(locale, 'card-shown-only-to-you')}"
    prompt = fit(request.prompt, CARD_TEXT - len(details) - len(footer))
    container = discord.ui.Container(accent_colour=CARD_COLOUR)
    if media_urls:
        alt_text = cut(request.prompt, GALLERY_DESCRIPTION)
        items = [discord.MediaGalleryItem(url, description=alt_text) for url in media_urls[:GALLERY_ITEMS]]
        container.add_item(discord.ui.MediaGallery(*items))
    container.add_item(discord.ui.TextDisplay(prompt))
    container.add_item(discord.ui.Separator())
    container.add_item(discord.ui.TextDisplay(details))
    container.add_item(discord.ui.TextDisplay(footer))
    container.add_item(result_view(job, editable=bool(media_urls), locale=locale))
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(container)
    return view


class HistoryCog(commands.Cog):
    """A member's images: the list, and one of them again."""

    def __init__(self, bot: KontextBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(HistoryPageButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(HistoryPageButton)

    @app_commands.command(name="history")
    @everywhere
    @app_commands.describe(member="Whose images (Manage Server only); yours when empty")
    async def history(self, interaction: discord.Interaction[KontextBot], member: discord.Member | None = None) -> None:
        """Your latest images in this server, newest first, with links to each."""
        target_id = member.id if member is not None else interaction.user.id
        if not _may_see(interaction, target_id):
            raise UserError("history-manage-server-only-yours")
        guild_id = rules_guild_id(interaction)
        # Pages are pinned to the images that existed now, so Older keeps its place while new ones are made.
        before = _millis(time.time()) / 1000  # as the buttons will carry it
        page = await self.bot.history.page(guild_id, target_id, page=0, before=before)
        view = history_view(
            page,
            target_id=target_id,
            viewer_id=interaction.user.id,
            page_size=self.bot.history.page_size,
            personal=guild_id is None,
            locale=interaction.locale,
        )
        await interaction.response.send_message(view=view, ephemeral=True)

    @app_commands.command(name="show")
    @everywhere
    @app_commands.describe(job="The job id: on the image's last line, or in /history")
    async def show(self, interaction: discord.Interaction[KontextBot], job: str) -> None:
        """Show one of your images again, privately, with its Re-roll, Edit and Delete buttons."""
        guild_id = rules_guild_id(interaction)
        found = await self.bot.history.job_in_guild(job.strip().lower(), guild_id)
        if found is None:
            raise UserError("show-not-found-personal" if guild_id is None else "show-not-found", job=code(job, 40))
        if not _may_see(interaction, found.user_id):
            raise UserError("show-not-yours", user=str(found.user_id))
        if found.state != JobState.DELIVERED or found.message_id is None:
            raise UserError("show-not-finished")
        # Reading the posted message may wait on Discord's rate limits: answer within the 3 seconds first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        files: list[discord.File] = []
        if guild_id is None:
            urls, files = await kept_media(self.bot, found)
        else:
            message = await result_message(self.bot, found)
            # The posted message's own media, fresh from Discord: never the image service's temporary result URL.
            images = images_in(message)
            urls = [image_of(found, images).url] if found.in_batch and images else [image.url for image in images]
        price = self.bot.settings.price_micros(found.request.mode)
        card = shown_card(found, urls, price_micros=price, locale=interaction.locale)
        await interaction.followup.send(view=card, files=files, ephemeral=True)
        log.info("job %s: shown again to %s", found.id, interaction.user.id)

    @show.autocomplete("job")
    async def _job_choices(
        self, interaction: discord.Interaction[KontextBot], current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower()
        choices: list[app_commands.Choice[str]] = []
        for job in await self.bot.history.recent(rules_guild_id(interaction), interaction.user.id, limit=25):
            label = cut(f"{job.id} · {' '.join(job.request.prompt.split())}", SELECT_LABEL)
            if wanted in label.lower():
                choices.append(app_commands.Choice(name=label, value=job.id))
        return choices


async def setup(bot: KontextBot) -> None:
    await bot.add_cog(HistoryCog(bot))
