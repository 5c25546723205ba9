"""The simulated API's result pictures, drawn directly."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageStat

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


def _render(prompt: str, seed: str, background: bytes | None = None) -> bytes:
    return render_image(
        prompt, mode="pro", aspect_ratio="1:1", output_format="png", long_side=SIZE, background=background, seed=seed
    )


def test_render_image_differs_for_each_seed_and_repeats_for_the_same() -> None:
    first, again, other = _render("a fox", "task_a"), _render("a fox", "task_a"), _render("a fox", "task_b")
    assert first == again
    difference = ImageChops.difference(opened(first).convert("RGB"), opened(other).convert("RGB")).convert("L")
    assert ImageStat.Stat(difference).mean[0] > 8, "a re-roll (a new task) must look different"


def _panel_darkness(data: bytes) -> int:
    """The 90th percentile of the caption panel's non-text pixels (white text needs a dark panel around it)."""
    image = opened(data).convert("L")
    width, height = image.size
    histogram = image.crop((int(width * 0.4), int(height * 0.42), int(width * 0.6), int(height * 0.58))).histogram()
    dark = histogram[:200]
    seen, wanted = 0, sum(dark) * 0.9
    for level, count in enumerate(dark):
        seen += count
        if seen >= wanted:
            return level
    return 200


def test_a_chain_of_edits_keeps_the_latest_caption_legible() -> None:
    image = _render("a lighthouse on a cliff at dusk", "task_0")
    for step, instruction in enumerate(["make it night time", "add heavy snow", "replace the sign text"], 1):
        image = _render(instruction, f"task_{step}", background=image)
    # Earlier captions lie exactly under the latest one: blurred and behind a dark panel, they must not show through.
    assert _panel_darkness(image) < 60
