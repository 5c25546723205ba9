"""The simulated API's result pictures, drawn directly."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kontext.simulator.render import image_dimensions, render_image

SIZE = 256


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("prompt", ["x" * 10_000, "Ünïcödé 🦊 狐狸 " * 20, "supercalifragilistic" * 30])
def test_render_image_copes_with_any_prompt(prompt: str) -> None:
    image = opened(render_image(prompt, mode="max", aspect_ratio="21:9", output_format="png", long_side=SIZE))
    assert image.size == image_dimensions("21:9", SIZE)


def test_render_image_ignores_a_broken_background() -> None:
    data = render_image("a", mode="pro", aspect_ratio="1:1", output_format="jpeg", long_side=64, background=b"junk")
    assert opened(data).size == (64, 64)
