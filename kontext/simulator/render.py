"""Drawing the simulated API's result pictures: the prompt on a gradient from its hash, or on the tinted input image."""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps

_SHOWN_PROMPT_CHARS = 400


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


def _colours(prompt: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(prompt.encode()).digest()
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
) -> bytes:
    """A picture that shows the prompt: a gradient from the prompt's hash, or the tinted input image. CPU-bound."""
    width, height = image_dimensions(aspect_ratio, long_side)
    first, second = _colours(prompt)
    image = _background(background, (width, height), first)
    if image is None:
        corners = Image.new("RGB", (2, 2))
        corners.putdata([first, _mix(first, second), _mix(first, second), second])
        image = corners.resize((width, height), Image.Resampling.BILINEAR)
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
        fill=(0, 0, 0, 110),
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
    return Image.blend(picture, Image.new("RGB", size, tint), 0.35)
