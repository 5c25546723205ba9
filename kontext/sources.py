"""Input images for edits: what the API accepts, checked before any API call or charge."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import aiohttp

from kontext.models import ASPECT_RATIOS, InvalidRequestError

log = logging.getLogger(__name__)

ACCEPTED_TYPES: dict[str, str] = {"image/jpeg": "JPEG", "image/jpg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
ACCEPTED_EXTENSIONS: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
MAX_INPUT_BYTES = 10 * 1024 * 1024  # the API's own limit (IMAGE_TOO_LARGE above it)
_PROBE_TIMEOUT = aiohttp.ClientTimeout(total=10)


@dataclass(frozen=True, slots=True)
class ImageSource:
    """An image a user pointed at: an attachment or an image embed, as Discord describes it."""

    url: str
    filename: str
    content_type: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None

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


def check_source(source: ImageSource) -> ImageSource:
    """Refuse what the API would refuse: formats other than JPEG, PNG and WebP, and files over 10 MB."""
    content_type = (source.content_type or guess_type(source.filename) or "").split(";")[0].strip().lower()
    if content_type not in ACCEPTED_TYPES:
        shown = content_type or "an unknown type"
        raise InvalidRequestError(f"`{source.filename}` is {shown}; I can edit JPEG, PNG and WebP images only.")
    if source.size is not None and source.size > MAX_INPUT_BYTES:
        raise InvalidRequestError(
            f"`{source.filename}` is {source.size / 1024 / 1024:.1f} MB; the image service takes images up to 10 MB."
        )
    return replace(source, content_type=content_type)


async def probe_source(session: aiohttp.ClientSession, source: ImageSource) -> ImageSource:
    """Fill in the type and size of a linked image (embeds carry neither) with a HEAD request, then check it."""
    if source.content_type and source.size is not None:
        return check_source(source)
    try:
        async with session.head(source.url, allow_redirects=True, timeout=_PROBE_TIMEOUT) as response:
            if response.status >= 400:
                raise InvalidRequestError(f"I couldn't fetch `{source.filename}` (HTTP {response.status}).")
            content_type = response.headers.get("Content-Type") or source.content_type
            size = response.content_length if response.content_length is not None else source.size
    except (aiohttp.ClientError, TimeoutError) as error:
        log.info("could not probe %s: %s", source.filename, type(error).__name__)
        raise InvalidRequestError(f"I couldn't fetch `{source.filename}` to check it.") from error
    return check_source(replace(source, content_type=content_type, size=size))


def _ratio(text: str) -> float:
    width, height = text.split(":")
    return int(width) / int(height)


def nearest_aspect_ratio(width: int | None, height: int | None) -> str | None:
    """The supported aspect ratio closest to width/height (compared on a log scale), or None if unknown."""
    if not width or not height:
        return None
    target = math.log(width / height)
    return min(ASPECT_RATIOS, key=lambda ratio: abs(math.log(_ratio(ratio)) - target))
