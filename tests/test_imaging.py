"""Sniffing image formats and shrinking results to an upload limit."""

from __future__ import annotations

import io
import random

from PIL import Image

from kontext.imaging import fit_image, image_size, sniff_format


def noisy_png(width: int = 600, height: int = 400) -> bytes:
    """A PNG that compresses badly, so it is big for its size."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_sniff_format_reads_magic_bytes() -> None:
    assert sniff_format(b"\xff\xd8\xff\xe0rest") == "jpeg"
    assert sniff_format(b"\x89PNG\r\n\x1a\nrest") == "png"
    assert sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_format(b"GIF89a...") == "gif"
    assert sniff_format(b"hello") is None


def test_fit_image_keeps_an_image_that_fits() -> None:
    data = noisy_png(50, 50)
    fitted = fit_image(data, len(data))
    assert fitted is not None and fitted.data == data and fitted.extension == "png" and not fitted.reencoded


def test_fit_image_reencodes_an_oversize_image_under_the_limit() -> None:
    data = noisy_png()
    limit = len(data) // 8
    fitted = fit_image(data, limit)
    assert fitted is not None and fitted.reencoded
    assert len(fitted.data) <= limit
    assert sniff_format(fitted.data) == "jpeg"
    assert image_size(fitted.data) is not None


def test_fit_image_gives_up_when_nothing_fits() -> None:
    assert fit_image(noisy_png(), 100) is None


def test_fit_image_gives_up_on_bytes_that_are_not_an_image() -> None:
    assert fit_image(b"x" * 1000, 10) is None
