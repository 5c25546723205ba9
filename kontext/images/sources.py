"""Input images for edits: what the API accepts, checked before any API call or charge."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from kontext.images.linkguard import LinkChecker, LinkRefused
from kontext.models import ASPECT_RATIOS, InvalidRequestError

log = logging.getLogger(__name__)

ACCEPTED_TYPES: dict[str, str] = {"image/jpeg": "JPEG", "image/jpg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
ACCEPTED_EXTENSIONS: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
# What Discord sends when it did not recognise a file: it says nothing, so the file name decides.
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
MAX_INPUT_BYTES = 10 * 1024 * 1024  # the API's own limit (IMAGE_TOO_LARGE above it)
# One sentence for every link the bot won't use, whatever the reason: what an address answered (a status, a type,
# a refused connection) must never reach the user, or the bot becomes a scanner of wherever it can connect.
LINK_REFUSED = (
    "I can't use the image at that link. Link a JPEG, PNG or WebP image of up to 10 MB that anyone can open, "
    "or attach the file instead."
)


@dataclass(frozen=True, slots=True)
class ImageSource:
    """An image a user pointed at: an attachment or an image embed, as Discord describes it.

    `attachment` marks a file uploaded to Discord: its type, size and dimensions are Discord's own, so it is judged
    on them and never fetched. Anything else (an embed, a pasted link) is a link, looked at through the guard.
    """

    url: str
    filename: str
    content_type: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None
    attachment: bool = False

    @property
    def label(self) -> str:
        dims = f" {self.width}x{self.height}" if self.width and self.height else ""
        return f"{self.filename}{dims}"


def guess_type(filename: str) -> str | None:
    """The content type a file name implies, for the formats the API takes."""
    lowered = filename.lower().split("?", 1)[0]
    for extension, content_type in ACCEPTED_EXTENSIONS.items():
        if lowered.endswith(extension):
            return content_type
    return None


def _code(text: str, limit: int = 100) -> str:
    """A file name or type from outside, as an inert code span: no backtick inside can end it early."""
    text = text.replace("`", "'")
    return f"`{text[: limit - 1]}…`" if len(text) > limit else f"`{text}`"


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def declared_type(content_type: str | None, filename: str) -> str | None:
    """The type a file claims: what Discord (or a server) says, or, where that says nothing, its name."""
    declared = _media_type(content_type)
    return guess_type(filename) if declared in GENERIC_TYPES else declared


def check_source(source: ImageSource) -> ImageSource:
    """Refuse what the API would refuse: empty files, formats other than JPEG, PNG and WebP, files over 10 MB.

    Discord gives an attachment a width and height only when it could decode it as an image: one it types as an
    image but gives no dimensions is damaged or not what its name says (a truncated JPEG, text named .png), and is
    refused here rather than sent to the API. Where Discord types a file generically it says nothing either way, so
    the name decides and the API judges the bytes.
    """
    content_type = declared_type(source.content_type, source.filename) or ""
    if source.size == 0:
        raise InvalidRequestError(
            f"{_code(source.filename)} is empty (0 bytes); attach the image again.",
            "image-empty",
            file=_code(source.filename),
        )
    if content_type not in ACCEPTED_TYPES:
        shown = _code(content_type) if content_type else "an unknown type"
        raise InvalidRequestError(
            f"{_code(source.filename)} is {shown}; I can edit JPEG, PNG and WebP images only.",
            "image-type" if content_type else "image-type-unknown",
            file=_code(source.filename),
            type=_code(content_type),
        )
    if source.size is not None and source.size > MAX_INPUT_BYTES:
        megabytes = f"{source.size / 1024 / 1024:.1f}"
        raise InvalidRequestError(
            f"{_code(source.filename)} is {megabytes} MB; the image service takes images up to 10 MB.",
            "image-too-big",
            file=_code(source.filename),
            megabytes=megabytes,
        )
    discord_typed = _media_type(source.content_type) not in GENERIC_TYPES
    if source.attachment and discord_typed and not (source.width and source.height):
        raise InvalidRequestError(
            f"Discord couldn't read {_code(source.filename)} as an image: it is damaged or not really a "
            f"{ACCEPTED_TYPES[content_type]}. Save it again and attach the new file.",
            "image-unreadable",
            file=_code(source.filename),
            format=ACCEPTED_TYPES[content_type],
        )
    return replace(source, content_type=content_type)


async def probe_source(links: LinkChecker, source: ImageSource) -> ImageSource:
    """Check an image: an attachment on Discord's word; a link by a HEAD request through the guard, then its answer.

    Every refusal of a link is the same neutral sentence (LINK_REFUSED); why is logged, never shown.
    """
    if source.attachment:
        return check_source(source)
    host = urlsplit(source.url).hostname or "?"
    try:
        head = await links.head(source.url)
        size = head.size if head.size is not None else source.size
        return check_source(replace(source, content_type=head.content_type or source.content_type, size=size))
    except LinkRefused as error:
        log.info("refused a linked image on %s: %s", host, error.reason)
    except InvalidRequestError as error:
        log.info("refused a linked image on %s: %s", host, error)
    raise InvalidRequestError(LINK_REFUSED, "link-refused")


def _ratio(text: str) -> float:
    width, height = text.split(":")
    return int(width) / int(height)


def nearest_aspect_ratio(width: int | None, height: int | None) -> str | None:
    """The supported aspect ratio closest to width/height (compared on a log scale), or None if unknown."""
    if not width or not height:
        return None
    target = math.log(width / height)
    return min(ASPECT_RATIOS, key=lambda ratio: abs(math.log(_ratio(ratio)) - target))
