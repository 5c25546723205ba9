"""Image bytes in, image bytes out: sniffing formats and shrinking results to fit an upload limit."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_JPEG_QUALITIES = (90, 80, 70, 60, 50)
_SCALES = (0.85, 0.7, 0.55, 0.4, 0.3, 0.2)


def sniff_format(data: bytes) -> str | None:
    """The image format the bytes actually hold (jpeg, png, webp, gif), or None."""
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True, slots=True)
class FittedImage:
    """An image ready to upload, and whether it had to be re-encoded to get there."""

    data: bytes
    extension: str
    reencoded: bool = False
    width: int | None = None
    height: int | None = None


def fit_image(data: bytes, limit: int) -> FittedImage | None:
    """Return the image unchanged if it fits in `limit` bytes, else a JPEG re-encoding that does; None if none does.

    Lower JPEG quality comes first (it keeps every pixel), then smaller sizes. CPU-bound: call it in a thread.
    """
    extension = sniff_format(data) or "jpeg"
    if len(data) <= limit:
        return FittedImage(data, extension)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB")
    except (UnidentifiedImageError, OSError):
        log.warning("result of %d bytes is not an image Pillow can read; cannot shrink it", len(data))
        return None
    for scale in (1.0, *_SCALES):
        resized = image
        if scale < 1.0:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            resized = image.resize(size, Image.Resampling.LANCZOS)
        for quality in _JPEG_QUALITIES:
            buffer = io.BytesIO()
            resized.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= limit:
                log.info(
                    "re-encoded a %d byte result to %d bytes (quality %d, %dx%d)",
                    len(data),
                    buffer.tell(),
                    quality,
                    resized.width,
                    resized.height,
                )
                return FittedImage(buffer.getvalue(), "jpeg", True, resized.width, resized.height)
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an image, or None if Pillow cannot read it."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            return opened.size
    except (UnidentifiedImageError, OSError):
        return None
