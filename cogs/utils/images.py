"""Finding the images users point at: attachments and image embeds of a message, or a command's attachment."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import discord

from kontext.images.sources import ImageSource, check_source, declared_type, guess_type, probe_source

if TYPE_CHECKING:
    from bot import KontextBot


# What Discord says of an attachment, under the same names an ImageSource gives them.
_ATTACHMENT_FIELDS = ("url", "filename", "content_type", "size", "width", "height")


def from_attachment(attachment: discord.Attachment) -> ImageSource:
    """An attachment as an image source, with what Discord says of its type, size and dimensions."""
    return ImageSource(**{name: getattr(attachment, name) for name in _ATTACHMENT_FIELDS}, attachment=True)


def _from_embed(embed: discord.Embed) -> ImageSource | None:
    # A pasted image link becomes an embed of type "image" whose picture is the thumbnail; rich embeds carry .image.
    media = embed.image if embed.image and embed.image.url else embed.thumbnail
    if not media or not media.url:
        return None
    url = embed.url if embed.type == "image" and embed.url else media.url
    filename = urlsplit(url).path.rsplit("/", 1)[-1] or "image"
    return ImageSource(url=url, filename=filename, width=media.width, height=media.height)


def walk_components(components: Iterable[Any]) -> Iterator[Any]:
    """Every component of a message, depth first (containers, sections and action rows hold others)."""
    for component in components:
        yield component
        yield from walk_components(getattr(component, "children", None) or ())


def _from_media(media: discord.UnfurledMediaItem) -> ImageSource:
    # An upload a Components V2 message shows (attachment_id set) is described by Discord, as an attachment is.
    filename = urlsplit(media.url).path.rsplit("/", 1)[-1] or "image"
    return ImageSource(
        url=media.url,
        filename=filename,
        content_type=media.content_type,
        width=media.width,
        height=media.height,
        attachment=media.attachment_id is not None,
    )


def images_in(message: discord.Message) -> list[ImageSource]:
    """Every image-looking thing on a message, attachments first; not yet checked against the API's limits.

    A Components V2 message (the bot's result cards) shows its images in media galleries, and Discord leaves the
    files they show out of its attachments.
    """
    found: list[ImageSource] = []
    for component in walk_components(message.components):
        if isinstance(component, discord.MediaGalleryComponent):
            found += [_from_media(item.media) for item in component.items]
    for attachment in message.attachments:
        content_type = declared_type(attachment.content_type, attachment.filename) or ""
        if content_type.startswith("image/") or attachment.width:
            found.append(from_attachment(attachment))
    for embed in message.embeds:
        source = _from_embed(embed)
        if source is not None:
            found.append(source)
    return found


_LINK = re.compile(r"<?(https?://[^\s<>]+)>?")


def links_in(text: str) -> tuple[str, list[ImageSource]]:
    """Image links pasted in a message (Discord unfurls their embeds only later), and the text without them."""
    found: list[ImageSource] = []

    def take(match: re.Match[str]) -> str:
        url = match.group(1)
        if guess_type(urlsplit(url).path) is None:
            return match.group(0)
        found.append(ImageSource(url=url, filename=urlsplit(url).path.rsplit("/", 1)[-1] or "image"))
        return " "

    return _LINK.sub(take, text).strip(), found


async def checked(bot: KontextBot, source: ImageSource) -> ImageSource:
    """The source checked against the API's formats and limits (links looked at through the guard).

    InvalidRequestError says what is wrong; the command tree puts it in the user's words.
    """
    return await probe_source(bot.links, source)


def check_attachment(attachment: discord.Attachment) -> ImageSource:
    """An uploaded attachment, checked (InvalidRequestError says what is wrong with it)."""
    return check_source(from_attachment(attachment))


def same_image(a: str, b: str) -> bool:
    """Two CDN URLs name the same file whatever their (expiring) signature parameters say."""
    return urlsplit(a).path == urlsplit(b).path
