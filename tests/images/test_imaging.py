"""Sniffing image formats and shrinking results to an upload limit."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from kontext.api.errors import ImageTooLargeError, NotAnImageError
from kontext.images.codec import MAX_RESULT_PIXELS, check_result, fit_image, sniff_format


def noisy_png(width: int = 600, height: int = 400) -> bytes:
    """A PNG that compresses badly, so it is big for its size."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width x height black pixels: kilobytes on the wire, width * height bytes once decoded.

    Written row by row with zlib, so making a 20,000 x 20,000 one costs the test no memory.
    """
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def encoded(fmt: str, width: int = 64, height: int = 48) -> bytes:
    """A small real image in a format."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp")])
def test_check_result_accepts_jpeg_png_and_webp(fmt: str, name: str) -> None:
    assert check_result(encoded(fmt)) == name


def test_check_result_takes_a_multi_picture_jpeg_as_a_jpeg() -> None:
    buffer = io.BytesIO()
    picture = Image.new("RGB", (32, 32))
    picture.save(buffer, "MPO", save_all=True, append_images=[picture])
    assert check_result(buffer.getvalue()) == "jpeg"


def _jpeg_cut(missing: int) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(noisy_png(512, 512))).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()[:-missing]


NOT_IMAGES = {
    "text": b"Internal error, please retry",
    "html": b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>",
    "json": b'{"code": 200, "data": null}',
    "empty": b"",
    "gif": encoded("GIF"),
    "png-signature-then-html": b"\x89PNG\r\n\x1a\n<html>gotcha</html>",
    "truncated-jpeg": encoded("JPEG", 256, 256)[:400],
    "truncated-png": noisy_png(64, 64)[:300],
    # cut in its last rows: the check decodes a JPEG at an eighth of its size, yet still reads it to the end
    "jpeg-cut-near-its-end": _jpeg_cut(200),
}


@pytest.mark.parametrize("data", NOT_IMAGES.values(), ids=NOT_IMAGES.keys())
def test_check_result_refuses_what_is_not_a_whole_jpeg_png_or_webp(data: bytes) -> None:
    with pytest.raises(NotAnImageError):
        check_result(data)


def test_check_result_refuses_a_bomb_from_its_header_without_decoding_it() -> None:
    bomb = png_bomb(12_000, 12_000)
    assert len(bomb) < 200_000
    with pytest.raises(ImageTooLargeError) as raised:
        check_result(bomb)
    assert (raised.value.width, raised.value.height) == (12_000, 12_000)


def test_check_result_refuses_a_bomb_past_pillows_own_limit() -> None:
    # 400 MP: Pillow itself raises DecompressionBombError on open; it is the same refusal, never an unhandled error.
    with pytest.raises(ImageTooLargeError):
        check_result(png_bomb(20_000, 20_000))


def test_check_result_takes_an_image_at_the_ceiling_and_refuses_one_pixel_more() -> None:
    side = 2048
    assert side * side == MAX_RESULT_PIXELS
    assert check_result(png_bomb(side, side)) == "png"
    with pytest.raises(ImageTooLargeError):
        check_result(png_bomb(side + 1, side))


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
    with Image.open(io.BytesIO(fitted.data)) as reopened:
        reopened.load()  # a whole image, not just a header


def test_fit_image_gives_up_when_nothing_fits() -> None:
    assert fit_image(noisy_png(), 100) is None


def test_fit_image_gives_up_on_bytes_that_are_not_an_image() -> None:
    assert fit_image(b"x" * 1000, 10) is None
