"""The API's errors, one hierarchy for every way a call can fail, and the failure families of failed tasks."""

from __future__ import annotations

import enum
import re
from typing import Any

from kontext.api.redaction import redact


class KontextError(Exception):
    """Base of every client error; str() is a safe description with no secrets in it."""


class ApiConnectionError(KontextError):
    """The API could not be reached, or the connection broke.

    `refused` is True when no connection was ever established (refused, DNS failure): no task can have been created.
    """

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


class ApiTimeoutError(KontextError):
    """The API did not answer within the request timeout."""


class MalformedResponseError(KontextError):
    """The API answered something this client cannot read: not JSON, the wrong shape, a missing field."""


class ApiStatusError(KontextError):
    """The API refused a request, by HTTP status or by the `code` of its JSON envelope.

    `status` is the status the error is classified by: the HTTP status, or the envelope code when HTTP said 200.
    """

    def __init__(
        self,
        status: int,
        *,
        code: int | None = None,
        api_message: str | None = None,
        body: dict[str, Any] | None = None,
        retry_after: float | None = None,
        what: str = "the image API",
    ) -> None:
        self.status = status
        self.code = code
        self.body = body
        self.retry_after = retry_after
        # The API's words are shown to users and kept in job records: never with a key or a signed URL in them.
        self.api_message = api_message = redact(api_message) if api_message else api_message
        text = f"{what} answered {status}"
        if code is not None and code != status:
            text += f" (code {code})"
        super().__init__(f"{text}: {api_message}" if api_message else text)


class BadRequestError(ApiStatusError):
    """400: the API rejected the parameters."""


class AuthenticationError(ApiStatusError):
    """401: the API key is invalid or missing."""


class InsufficientBalanceError(ApiStatusError):
    """402: the account is out of credit."""


class PermissionDeniedError(ApiStatusError):
    """403: content policy, or a key without permission."""


class NotFoundError(ApiStatusError):
    """404: unknown model or task (or an expired result URL)."""


class RateLimitedError(ApiStatusError):
    """429: too many requests; `retry_after` holds the server's Retry-After in seconds when it sent one."""


class ServerError(ApiStatusError):
    """5xx: the API failed."""


class ServiceUnavailableError(ServerError):
    """503: the API is overloaded or down; no task was created."""


_STATUS_ERRORS: dict[int, type[ApiStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientBalanceError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitedError,
    503: ServiceUnavailableError,
}


def error_class_for(status: int) -> type[ApiStatusError]:
    """The ApiStatusError subclass for an HTTP status or envelope code."""
    if status in _STATUS_ERRORS:
        return _STATUS_ERRORS[status]
    return ServerError if status >= 500 else ApiStatusError


class FailureFamily(enum.StrEnum):
    """What kind of failure a failed task had, across both failCode vocabularies: drives the words users see."""

    CONTENT_POLICY = "content_policy"
    INPUT_IMAGE = "input_image"
    PROMPT = "prompt"
    TIMEOUT = "timeout"
    MODEL_UNAVAILABLE = "model_unavailable"
    OUT_OF_CREDITS = "out_of_credits"
    UNKNOWN = "unknown"


def _squash(code: str) -> str:
    return re.sub(r"[^a-z0-9]", "", code.lower())


# Codes are compared squashed (lowercase, no separators), so CONTENT_VIOLATION and ContentViolation are one code.
# InputImageSensitiveContentDetected is moderation of the input image: a content-policy refusal, not a bad file.
_FAMILY_CODES: dict[str, FailureFamily] = {
    _squash(code): family
    for family, codes in {
        FailureFamily.CONTENT_POLICY: (
            "CONTENT_VIOLATION NSFW_DETECTED SensitiveContent SensitiveContentDetected"
            " InputImageSensitiveContentDetected InputOutputSensitiveContentDetected OutputSensitiveContentDetected"
            " NSFW ProhibitedContentDetected ContentPolicyViolation ModerationFailed"
        ),
        FailureFamily.INPUT_IMAGE: (
            "INVALID_IMAGE_URL IMAGE_TOO_LARGE UNSUPPORTED_FORMAT IMAGE_DOWNLOAD_FAILED InvalidImage ImageFormatError"
        ),
        FailureFamily.PROMPT: "PROMPT_TOO_LONG INVALID_PROMPT PromptLengthExceeded",
        FailureFamily.TIMEOUT: "PROCESSING_TIMEOUT TaskTimeout Timeout",
        FailureFamily.MODEL_UNAVAILABLE: "MODEL_UNAVAILABLE ServiceUnavailable",
        FailureFamily.OUT_OF_CREDITS: "INSUFFICIENT_CREDITS InsufficientBalance InsufficientCredits",
    }.items()
    for code in codes.split()
}
# For codes nobody documented and for GENERATION_FAILED: the first family whose keyword appears in code or message.
_FAMILY_KEYWORDS: tuple[tuple[FailureFamily, tuple[str, ...]], ...] = (
    (
        FailureFamily.CONTENT_POLICY,
        ("nsfw", "sensitive", "safety", "content policy", "prohibited", "moderat", "inappropriate", "violat"),
    ),
    (FailureFamily.OUT_OF_CREDITS, ("insufficient", "balance", "credit")),
    (FailureFamily.PROMPT, ("prompt",)),
    (
        FailureFamily.INPUT_IMAGE,
        ("image url", "input image", "download", "too large", "unsupported", "format", "decode"),
    ),
    (FailureFamily.TIMEOUT, ("timeout", "timed out", "time out")),
    (FailureFamily.MODEL_UNAVAILABLE, ("unavailable", "overloaded", "maintenance")),
)


def failure_family(fail_code: str | None, fail_msg: str | None = None) -> FailureFamily:
    """Classify a failed task by its failCode (either vocabulary), falling back to keywords in code and message."""
    if fail_code:
        family = _FAMILY_CODES.get(_squash(fail_code))
        if family is not None:
            return family
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", fail_code or "").replace("_", " ")
    text = f"{words} {fail_msg or ''}".lower()
    for family, keywords in _FAMILY_KEYWORDS:
        if any(keyword in text for keyword in keywords):
            return family
    return FailureFamily.UNKNOWN


class GenerationFailed(KontextError):
    """The API ran the task and reported it failed (content policy, bad input image, ...)."""

    def __init__(
        self,
        fail_code: str | None,
        fail_msg: str | None = None,
        *,
        task_id: str | None = None,
        family: FailureFamily | None = None,
    ) -> None:
        self.fail_code = fail_code
        self.fail_msg = fail_msg = redact(fail_msg) if fail_msg else fail_msg
        self.task_id = task_id
        self.family = family or failure_family(fail_code, fail_msg)
        text = f"generation failed ({fail_code or 'no code'})"
        super().__init__(f"{text}: {fail_msg}" if fail_msg else text)


class GenerationTimedOut(KontextError):
    """The task did not finish in the time we were willing to wait."""

    def __init__(self, task_id: str, waited: float) -> None:
        self.task_id = task_id
        self.waited = waited
        super().__init__(f"task {task_id} was not finished after {waited:g} seconds")


class DownloadTooLargeError(KontextError):
    """A result is larger than the caller's byte limit; the download was abandoned."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the result is larger than the {limit:,} byte limit")


class UnusableResultError(KontextError):
    """The result host served something the bot will not upload: not a JPEG, PNG or WebP image, or one far too big."""


class NotAnImageError(UnusableResultError):
    """The result's bytes are not a JPEG, PNG or WebP image (text, HTML, another format, a broken file)."""

    def __init__(self, size: int, found: str | None = None) -> None:
        self.size = size
        self.found = found
        super().__init__(
            f"the result ({size:,} bytes) is not a JPEG, PNG or WebP image" + (f" ({found})" if found else "")
        )


class ImageTooLargeError(UnusableResultError):
    """The result's header declares more pixels than the bot will decode: a decompression bomb, never opened."""

    def __init__(self, width: int | None, height: int | None, ceiling: int) -> None:
        self.width = width
        self.height = height
        self.ceiling = ceiling
        declared = f"{width:,} x {height:,} pixels" if width and height else "more pixels than Pillow allows"
        super().__init__(f"the result declares {declared}, above the {ceiling:,} pixel ceiling")
