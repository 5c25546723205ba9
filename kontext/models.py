"""Domain types shared by the client, the storage and the job flow: no I/O here."""

from __future__ import annotations

import dataclasses
import enum
import time
from dataclasses import dataclass, field
from typing import Any

MODES: tuple[str, ...] = ("pro", "max")
ASPECT_RATIOS: tuple[str, ...] = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
OUTPUT_FORMATS: tuple[str, ...] = ("jpeg", "png")
SAFETY_TOLERANCES: tuple[int, ...] = (0, 1, 2)
PROMPT_MAX_CHARS = 10_000
# The reference and API-NOTES keep the input image under one key; newer docs say image_urls. One place to change.
IMAGE_URL_FIELD = "image_url"


class InvalidRequestError(ValueError):
    """A generation request the API would refuse; the message is safe to show to users.

    `code` and `values` say the same for the Discord side to put in the user's language (its catalogue key is
    `invalid-<code>`); the message is the English, for logs and callers without a catalogue.
    """

    def __init__(self, message: str, code: str | None = None, **values: Any) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """Everything the API needs for one generation, validated against the reference's enums."""

    prompt: str
    mode: str = "pro"
    aspect_ratio: str = "16:9"
    output_format: str = "jpeg"
    prompt_upsampling: bool = False
    safety_tolerance: int | None = 2  # None: not chosen, the most a place allows (admission sets it before a job runs)
    safety_lowered_from: int | None = None  # what the user chose, when the place's safety limit lowered it
    image_url: str | None = None
    watermark: str | None = None
    enable_translation: bool = True
    upload_cn: bool = False

    def validate(self) -> GenerationRequest:
        """Raise InvalidRequestError naming the first problem; return self when all is well."""
        prompt = self.prompt.strip() if isinstance(self.prompt, str) else ""
        if not prompt:
            raise InvalidRequestError("The prompt is empty: describe the image you want.", "prompt-empty")
        if len(self.prompt) > PROMPT_MAX_CHARS:
            raise InvalidRequestError(
                f"The prompt is {len(self.prompt):,} characters long; the limit is {PROMPT_MAX_CHARS:,}.",
                "prompt-too-long",
                length=len(self.prompt),
                limit=PROMPT_MAX_CHARS,
            )
        if self.mode not in MODES:
            raise InvalidRequestError(
                f"Unknown mode {self.mode!r}: choose one of {', '.join(MODES)}.", "mode", choices=", ".join(MODES)
            )
        if self.aspect_ratio not in ASPECT_RATIOS:
            raise InvalidRequestError(
                f"Unknown aspect ratio {self.aspect_ratio!r}: choose one of {', '.join(ASPECT_RATIOS)}.",
                "aspect-ratio",
                choices=", ".join(ASPECT_RATIOS),
            )
        if self.output_format not in OUTPUT_FORMATS:
            raise InvalidRequestError(
                f"Unknown format {self.output_format!r}: choose one of {', '.join(OUTPUT_FORMATS)}.",
                "format",
                choices=", ".join(OUTPUT_FORMATS),
            )
        if self.safety_tolerance is not None and (
            self.safety_tolerance not in SAFETY_TOLERANCES or isinstance(self.safety_tolerance, bool)
        ):
            raise InvalidRequestError("Safety tolerance must be 0 (strict), 1 (moderate) or 2 (balanced).", "safety")
        if self.image_url is not None and not self.image_url.startswith(("https://", "http://")):
            raise InvalidRequestError("The input image must be an http(s) URL.", "image-url")
        return self

    def within_safety_limit(self, limit: int) -> GenerationRequest:
        """This request at most as permissive as `limit`: the level asked for (before any earlier lowering, so a
        re-roll asks again) when allowed, else `limit` saying what was asked; `limit` itself when nothing was."""
        asked = self.safety_tolerance if self.safety_lowered_from is None else self.safety_lowered_from
        if asked is None or asked <= limit:
            return dataclasses.replace(
                self, safety_tolerance=limit if asked is None else asked, safety_lowered_from=None
            )
        return dataclasses.replace(self, safety_tolerance=limit, safety_lowered_from=asked)

    def to_input(self) -> dict[str, Any]:
        """The `input` object of a submit body, as the reference spells it."""
        body: dict[str, Any] = {
            "mode": self.mode,
            "prompt": self.prompt,
            "aspect_ratio": self.aspect_ratio,
            "output_format": self.output_format,
            "promptUpsampling": self.prompt_upsampling,
            "enableTranslation": self.enable_translation,
            "uploadCn": self.upload_cn,
        }
        if self.safety_tolerance is not None:  # never None once admitted; the API's own default is the most permissive
            body["safetyTolerance"] = self.safety_tolerance
        if self.image_url is not None:
            body[IMAGE_URL_FIELD] = self.image_url
        if self.watermark:
            body["watermark"] = self.watermark
        return body

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationRequest:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class JobState(enum.StrEnum):
    """Where a job is in its life. The order is the order of a successful job."""

    QUEUED = "queued"  # accepted, waiting for a slot under the global cap
    SUBMITTING = "submitting"  # the submit request may be on the wire: never resend blindly
    PENDING = "pending"  # the API has a task id and says pending
    PROCESSING = "processing"  # the API says processing
    FINISHED = "finished"  # the API has a result; not yet delivered to Discord
    DELIVERING = "delivering"  # we are posting the result (recorded before posting)
    DELIVERED = "delivered"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in (JobState.DELIVERED, JobState.FAILED)


ACTIVE_STATES: tuple[JobState, ...] = tuple(s for s in JobState if not s.terminal)


def now() -> float:
    return time.time()


@dataclass(slots=True)
class Job:
    """One generation as kept in the database."""

    id: str
    user_id: int
    channel_id: int
    request: GenerationRequest
    guild_id: int | None = None
    kind: str = "imagine"  # imagine | edit
    state: JobState = JobState.QUEUED
    message_id: int | None = None  # the placeholder message the user watches
    task_id: str | None = None
    result_url: str | None = None
    fail_code: str | None = None
    fail_message: str | None = None
    source_job_id: str | None = None  # the job whose result this one edits
    source_message_id: int | None = None
    cost_micros: int = 0
    created_at: float = field(default_factory=now)
    updated_at: float = field(default_factory=now)
    submitted_at: float | None = None
    finished_at: float | None = None
    delivered_at: float | None = None
    lease_owner: str | None = None  # the process running the job (JobService.owner); None: nobody yet
    lease_until: float | None = None  # unix time the lease lapses unless renewed; then any live process may take over
    locale: str | None = None  # the requester's language (Discord's code): progress and result of a resumed job use it
    # A batch is one row that shows and delivers it (batch_size > 1, batch_id None) and one row per image (batch_id
    # the batch row's id, batch_index 0..batch_size-1): each image keeps its own task, lease, charge and refund.
    batch_id: str | None = None
    batch_index: int = 0
    batch_size: int = 1

    @property
    def is_batch(self) -> bool:
        """The row that shows a batch of images in one message (it has no task of its own)."""
        return self.batch_size > 1 and self.batch_id is None

    @property
    def in_batch(self) -> bool:
        """One image of a batch: the batch row delivers it."""
        return self.batch_id is not None
