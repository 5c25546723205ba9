"""Failure families from both of the API's vocabularies, and what the generation errors carry."""

from __future__ import annotations

import pytest

from kontext.api.errors import FailureFamily, GenerationFailed, GenerationTimedOut, failure_family

# --- failure families ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "family"),
    [
        ("CONTENT_VIOLATION", FailureFamily.CONTENT_POLICY),
        ("NSFW_DETECTED", FailureFamily.CONTENT_POLICY),
        ("PROMPT_TOO_LONG", FailureFamily.PROMPT),
        ("INVALID_PROMPT", FailureFamily.PROMPT),
        ("INVALID_IMAGE_URL", FailureFamily.INPUT_IMAGE),
        ("IMAGE_TOO_LARGE", FailureFamily.INPUT_IMAGE),
        ("UNSUPPORTED_FORMAT", FailureFamily.INPUT_IMAGE),
        ("IMAGE_DOWNLOAD_FAILED", FailureFamily.INPUT_IMAGE),
        ("PROCESSING_TIMEOUT", FailureFamily.TIMEOUT),
        ("MODEL_UNAVAILABLE", FailureFamily.MODEL_UNAVAILABLE),
        ("GENERATION_FAILED", FailureFamily.UNKNOWN),
        ("INSUFFICIENT_CREDITS", FailureFamily.OUT_OF_CREDITS),
        ("SensitiveContent", FailureFamily.CONTENT_POLICY),
        ("SensitiveContentDetected", FailureFamily.CONTENT_POLICY),
        ("InputImageSensitiveContentDetected", FailureFamily.CONTENT_POLICY),
        ("InputOutputSensitiveContentDetected", FailureFamily.CONTENT_POLICY),
        ("NSFW", FailureFamily.CONTENT_POLICY),
        ("ProhibitedContentDetected", FailureFamily.CONTENT_POLICY),
        ("PromptLengthExceeded", FailureFamily.PROMPT),
        ("content_violation", FailureFamily.CONTENT_POLICY),
    ],
)
def test_failure_family_knows_both_vocabularies(code: str, family: FailureFamily) -> None:
    assert failure_family(code) == family


@pytest.mark.parametrize(
    ("code", "message", "family"),
    [
        ("GENERATION_FAILED", "The prompt could not be parsed", FailureFamily.PROMPT),
        (None, "Output flagged as NSFW", FailureFamily.CONTENT_POLICY),
        ("", "Failed to download the input image", FailureFamily.INPUT_IMAGE),
        ("OutputImageModerated", None, FailureFamily.CONTENT_POLICY),
        ("WorkerTimedOut", "took too long", FailureFamily.TIMEOUT),
        ("E42", "Model is temporarily unavailable", FailureFamily.MODEL_UNAVAILABLE),
        ("E43", "Not enough credit on this account: insufficient balance", FailureFamily.OUT_OF_CREDITS),
        ("E44", "something odd happened", FailureFamily.UNKNOWN),
        (None, None, FailureFamily.UNKNOWN),
    ],
)
def test_failure_family_falls_back_to_keywords(code: str | None, message: str | None, family: FailureFamily) -> None:
    assert failure_family(code, message) == family


def test_generation_failed_carries_its_family() -> None:
    error = GenerationFailed("NSFW", "nope", task_id="task_1")
    assert (error.family, error.fail_code, error.fail_msg, error.task_id) == (
        FailureFamily.CONTENT_POLICY,
        "NSFW",
        "nope",
        "task_1",
    )
    assert "NSFW" in str(error) and "nope" in str(error)


def test_generation_timed_out_says_how_long() -> None:
    error = GenerationTimedOut("task_1", 120)
    assert (error.task_id, error.waited) == ("task_1", 120)
    assert "120" in str(error)
