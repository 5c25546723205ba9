"""Drawing the simulated API's result pictures: the prompt on a gradient from its hash, or on the tinted input image."""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

_SHOWN_PROMPT_CHARS = 400
_PANEL = 110  # the caption's backing on a new image (alpha): the picture shows through
_EDIT_PANEL = 215  # on an edit: earlier captions under it must not show through
_EDIT_BLUR = 0.006  # of the longer side: earlier captions blur a little more with every edit


def image_dimensions(aspect_ratio: str, long_side: int) -> tuple[int, int]:
    """Width and height for an aspect ratio like "16:9" with the longer side `long_side` pixels."""
    across, down = (int(part) for part in aspect_ratio.split(":"))
    if across >= down:
        return long_side, max(1, round(long_side * down / across))
    return max(1, round(long_side * across / down)), long_side


@functools.lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _digest(prompt: str, seed: str) -> bytes:
    return hashlib.sha256(f"{seed}\0{prompt}".encode()).digest()


def _colours(digest: bytes) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    hue = digest[0] / 255
    first = colorsys.hsv_to_rgb(hue, 0.45 + digest[1] / 255 * 0.4, 0.55 + digest[2] / 255 * 0.3)
    second = colorsys.hsv_to_rgb((hue + 0.2 + digest[3] / 255 * 0.3) % 1.0, 0.6, 0.35 + digest[4] / 255 * 0.3)
    return _rgb(first), _rgb(second)


def _rgb(colour: tuple[float, float, float]) -> tuple[int, int, int]:
    return round(colour[0] * 255), round(colour[1] * 255), round(colour[2] * 255)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and draw.textlength(word, font=font) > width:
            cut = len(word) - 1
            while cut > 1 and draw.textlength(word[:cut], font=font) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def render_image(
    prompt: str,
    *,
    mode: str,
    aspect_ratio: str,
    output_format: str,
    long_side: int = 1024,
    background: bytes | None = None,
    watermark: str | None = None,
    seed: str = "",
) -> bytes:
    """A picture that shows the prompt, different for each seed (a task): CPU-bound.

    A new image is a gradient with soft shapes from the hash of the seed and the prompt. An edit is the input image,
    blurred and tinted so that the captions of earlier edits fade behind the new one, which sits on a darker panel:
    a chain of edits stays legible.
    """
    width, height = image_dimensions(aspect_ratio, long_side)
    digest = _digest(prompt, seed)
    first, second = _colours(digest)
    image = _background(background, (width, height), first)
    edited = image is not None
    if image is None:
        corners = Image.new("RGB", (2, 2))
        corners.putdata([first, _mix(first, second), _mix(first, second), second])
        image = corners.resize((width, height), Image.Resampling.BILINEAR)
        image = _shapes(image, digest, second)
    overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)

    shown = prompt.strip()
    if len(shown) > _SHOWN_PROMPT_CHARS:
        shown = shown[: _SHOWN_PROMPT_CHARS - 1].rstrip() + "…"
    size = max(12, height // 9)
    while True:
        font = _font(size)
        lines = _wrap(draw, shown, font, width * 0.84)
        line_height = round(size * 1.25)
        if len(lines) * line_height <= height * 0.7 or size <= 12:
            break
        size = max(12, int(size * 0.85))
    max_lines = max(1, int(height * 0.8) // line_height)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][:-1] + "…"]
    block = len(lines) * line_height
    top = (height - block) // 2
    pad = max(6, size // 2)
    widest = max(draw.textlength(line, font=font) for line in lines)
    draw.rounded_rectangle(
        ((width - widest) / 2 - pad, top - pad, (width + widest) / 2 + pad, top + block + pad),
        radius=pad,
        fill=(0, 0, 0, _EDIT_PANEL if edited else _PANEL),
    )
    for number, line in enumerate(lines):
        x = (width - draw.textlength(line, font=font)) / 2
        draw.text((x, top + number * line_height), line, font=font, fill=(255, 255, 255, 255))

    small = _font(max(10, height // 28))
    margin = max(4, height // 40)
    label = f"{mode} · {aspect_ratio} · simulated"
    draw.text((width - margin, height - margin), label, font=small, fill=(255, 255, 255, 220), anchor="rd")
    if watermark:
        draw.text((margin, height - margin), watermark, font=small, fill=(255, 255, 255, 160), anchor="ld")

    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = io.BytesIO()
    if output_format == "png":
        image.save(buffer, "PNG")
    else:
        image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def _mix(a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
    return ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2, (a[2] + b[2]) // 2)


def _background(data: bytes | None, size: tuple[int, int], tint: tuple[int, int, int]) -> Image.Image | None:
    """The input image cropped to the output size and tinted, or None if there is none Pillow can read."""
    if data is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            picture = ImageOps.fit(ImageOps.exif_transpose(opened).convert("RGB"), size)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    picture = picture.filter(ImageFilter.GaussianBlur(max(1.0, max(size) * _EDIT_BLUR)))
    return Image.blend(picture, Image.new("RGB", size, tint), 0.35)


def _shapes(image: Image.Image, digest: bytes, colour: tuple[int, int, int]) -> Image.Image:
    """Soft circles placed by the digest: two seeds never draw the same picture."""
    width, height = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for n in range(3):
        x, y = digest[5 + 3 * n] / 255 * width, digest[6 + 3 * n] / 255 * height
        radius = (0.12 + digest[7 + 3 * n] / 255 * 0.25) * max(width, height)
        shade = _mix(colour, (255, 255, 255)) if n % 2 else colour
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*shade, 90))
    layer = layer.filter(ImageFilter.GaussianBlur(max(2.0, max(width, height) / 40)))
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
