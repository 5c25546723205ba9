"""Keys, tokens and signed URLs taken out of the API's words before anyone sees them."""

from __future__ import annotations

import concurrent.futures

import pytest

from kontext.api.errors import ApiStatusError, GenerationFailed
from kontext.api.redaction import REDACTED, redact, remember_secret

LEAKS = [
    ("Authorization: Bearer abc123def456ghi", "abc123def456ghi"),
    ("see https://bucket.s3.amazonaws.com/r.png?X-Amz-Signature=deadbeef01&X-Amz-Expires=600", "deadbeef01"),
    ("https://cdn.example/r.png?token=opensesame&exp=1", "opensesame"),
    ('{"api_key": "k-12345678"}', "k-12345678"),
    ("password=hunter2!", "hunter2!"),
    ("key sk-proj-AbCdEf0123456789", "sk-proj-AbCdEf0123456789"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-part_1", "eyJhbGciOiJIUzI1NiJ9"),
    ("request 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 failed", "9f86d081884c7d659a2f"),
    ("token dGhpcyBpcyBhIHNlY3JldCB0b2tlbiAxMjM0NTY3OA==", "dGhpcyBpcyBhIHNlY3JldCB0b2tlbiAxMjM0NTY3OA"),
]


@pytest.mark.parametrize(("text", "secret"), LEAKS, ids=[secret[:12] for _, secret in LEAKS])
def test_redact_removes_what_looks_like_a_secret(text: str, secret: str) -> None:
    shown = redact(text)
    assert secret not in shown and REDACTED in shown


def test_redact_removes_the_configured_key_wherever_it_appears() -> None:
    remember_secret("plainwordkey")  # no digits, no symbols: only knowing it finds it
    assert redact("your key plainwordkey is wrong") == f"your key {REDACTED} is wrong"


@pytest.mark.parametrize(
    "text",
    [
        "Input image contains sensitive content",
        "InputOutputSensitiveContentDetected: try another prompt",
        "Invalid API key: please check it",
        "the prompt is too long (max 10000 characters)",
        "https://docs.example/errors/content-policy",
    ],
)
def test_redact_leaves_ordinary_words_alone(text: str) -> None:
    assert redact(text) == text


def test_errors_carry_only_redacted_words() -> None:
    remember_secret("live-key-0123")
    failed = GenerationFailed("X", "bad key live-key-0123", task_id="t")
    refused = ApiStatusError(400, api_message="callback https://me.example/cb?sig=0a1b2c3d4e rejected")
    assert "live-key-0123" not in failed.fail_msg and "live-key-0123" not in str(failed)
    assert "0a1b2c3d4e" not in (refused.api_message or "") and "0a1b2c3d4e" not in str(refused)


HANG_DEADLINE = 30.0  # seconds: backtracking patterns need hours for these; linear ones a fraction of one
HOSTILE_UNITS = ["a", "a-", "key", "key-", "x=", "Bearer ", "a.", "a:", "eyJa-", "eyJ.", "sk-", "pk_", "tok=en "]


@pytest.mark.parametrize("unit", HOSTILE_UNITS)
def test_redact_never_hangs_on_a_hostile_failure_message(unit: str) -> None:
    """A failMsg is the API's words, so anyone's: 100k characters built to make a backtracking pattern take hours
    (the patterns once took seconds at 5k) are redacted long before the deadline, a guard against hangs, not a timer."""
    text = unit * (100_000 // len(unit))
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        assert pool.submit(redact, text).result(timeout=HANG_DEADLINE) is not None
    finally:
        pool.shutdown(wait=False)  # a hung redaction fails the test instead of hanging the run
