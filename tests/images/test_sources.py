"""Input-image checks and the nearest aspect ratio."""

from __future__ import annotations

import pytest

from kontext.images.sources import ImageSource, check_source, nearest_aspect_ratio
from kontext.models import InvalidRequestError


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1024, 1024), "1:1"),
        ((1920, 1080), "16:9"),
        ((1080, 1920), "9:16"),
        ((800, 600), "4:3"),
        ((3440, 1440), "21:9"),
        ((600, 800), "3:4"),
        ((1000, 700), "4:3"),
    ],
)
def test_nearest_aspect_ratio_picks_the_closest_supported(size: tuple[int, int], expected: str) -> None:
    assert nearest_aspect_ratio(*size) == expected


def test_nearest_aspect_ratio_unknown_without_dimensions() -> None:
    assert nearest_aspect_ratio(None, 100) is None


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/png", "image/webp"])
def test_check_source_accepts_what_the_api_takes(content_type: str) -> None:
    assert check_source(ImageSource("https://x/a", "a", content_type, 1000)).content_type == content_type


def test_check_source_guesses_the_type_from_the_filename() -> None:
    assert check_source(ImageSource("https://x/a.webp", "a.webp")).content_type == "image/webp"


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (ImageSource("https://x/a.gif", "a.gif", "image/gif", 100), "JPEG, PNG and WebP"),
        (ImageSource("https://x/a.txt", "notes.txt", "text/plain", 100), "JPEG, PNG and WebP"),
        (ImageSource("https://x/big.png", "big.png", "image/png", 11 * 1024 * 1024), "up to 10 MB"),
    ],
    ids=["gif", "text", "11MB"],
)
def test_check_source_refuses_with_a_clear_reason(source: ImageSource, words: str) -> None:
    with pytest.raises(InvalidRequestError, match=words):
        check_source(source)


def test_check_source_refuses_an_empty_file() -> None:
    with pytest.raises(InvalidRequestError, match="empty"):
        check_source(ImageSource("https://x/a.png", "a.png", "image/png", 0, 10, 10, attachment=True))


@pytest.mark.parametrize("content_type", [None, "application/octet-stream", "binary/octet-stream"])
def test_check_source_falls_back_to_the_name_when_discord_says_nothing(content_type: str | None) -> None:
    source = ImageSource("https://x/a.png", "a.png", content_type, 1000, attachment=True)
    assert check_source(source).content_type == "image/png"


def test_check_source_refuses_an_attachment_discord_typed_as_an_image_but_could_not_decode() -> None:
    with pytest.raises(InvalidRequestError, match="couldn't read"):
        check_source(ImageSource("https://x/a.png", "a.png", "image/png", 1000, attachment=True))
    linked = ImageSource("https://x/a.png", "a.png", "image/png", 1000)
    assert check_source(linked).content_type == "image/png", "a link's type comes from a server: no dimensions to ask"


def test_sources_refusal_shows_a_hostile_file_name_as_an_inert_code_span() -> None:
    hostile = "a`` @everyone [x](https://evil.example) " + "`" * 300 + ".gif"
    with pytest.raises(InvalidRequestError) as refused:
        check_source(ImageSource(url="https://cdn.example/x", filename=hostile, content_type="image/gif", size=10))

    text = str(refused.value)
    span = text[: text.index(" is ")]
    assert span.startswith("`") and span.endswith("`") and "`" not in span[1:-1] and len(span) <= 102
