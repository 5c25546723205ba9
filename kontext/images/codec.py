"""Image bytes in, image bytes out: checking results are sane images, sniffing formats, shrinking to a limit."""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from kontext.api.errors import ImageTooLargeError, NotAnImageError

log = logging.getLogger(__name__)

# The API makes about one megapixel (1024 x 1024; 1568 x 672 at 21:9). Four times that (2048 x 2048) leaves room for
# larger outputs while bounding what one decode can cost: 16 MB as RGBA, against 576 MB for a 12,000 x 12,000 PNG
# that compresses to 140 kB. Anything above is never decoded.
MAX_RESULT_PIXELS = 2048 * 2048
# Pillow names a JPEG carrying several pictures (cameras' multi-picture format) MPO: still a JPEG to everyone else.
RESULT_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp"}

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


def check_result(data: bytes, *, max_pixels: int = MAX_RESULT_PIXELS) -> str:
    """The format (jpeg, png, webp) of a result that is a whole image of at most `max_pixels`; raises otherwise.

    The header is read first (Image.open is lazy) and the pixels decoded only under the ceiling, so a decompression
    bomb is refused without ever being expanded. CPU-bound for real images: call it in a thread.
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns past 89 MP on open; our own ceiling is far lower and checked right below. (Threads racing
            # here can at worst leave this one filter installed, which is harmless for the same reason.)
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
    except Image.DecompressionBombError as error:
        raise ImageTooLargeError(None, None, max_pixels) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise NotAnImageError(len(data), sniff_format(data)) from error
    with opened:
        width, height = opened.size
        if width * height > max_pixels:
            raise ImageTooLargeError(width, height, max_pixels)
        # A JPEG is decoded at an eighth of its size: every byte of it is still read and entropy-decoded (a cut or
        # corrupt file fails the same), but the costly full-size transform is skipped, since no pixel is kept.
        opened.draft(None, (max(1, width // 8), max(1, height // 8)))
        try:
            opened.load()  # a header on anything else (a PNG signature, then HTML) fails here
        except (OSError, ValueError, SyntaxError) as error:
            raise NotAnImageError(len(data), RESULT_FORMATS[opened.format or ""]) from error
        return RESULT_FORMATS[opened.format or ""]
