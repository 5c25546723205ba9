"""The one way a job starts: validate → reserve → record → launch, and refund when it never started.

Every entry point (/imagine, /edit, the "Edit image" menu, reply-to-edit, the result buttons) builds a request here
and hands it to `AdmissionService.accept` with a requester and an acknowledgement; the Discord side only turns an
interaction or a message into those, and implements the delivery.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any

from kontext.images.sources import ImageSource, nearest_aspect_ratio
from kontext.jobs.delivery import Delivery, Progress
from kontext.jobs.service import new_job_id
from kontext.models import GenerationRequest, InvalidRequestError, Job, now
from kontext.storage.base import is_transient
from kontext.storage.outages import StorageUnavailable

if TYPE_CHECKING:
    from kontext.config import Settings
    from kontext.jobs.service import JobService
    from kontext.quotas.service import QuotaService

log = logging.getLogger(__name__)

DUPLICATE_WINDOW = 3.0  # seconds within which the same click counts as one


class AlreadyStarting(Exception):
    """The same action (a double click) was seen again within a few seconds: nothing new starts."""


@dataclass(frozen=True, slots=True)
class RequestDefaults:
    """What a request gets where the user chose nothing: the owner's settings, each field named after its setting."""

    default_mode: str = "pro"
    default_aspect_ratio: str = "16:9"
    default_format: str = "jpeg"
    enable_translation: bool = True
    upload_cn: bool = False
    default_safety_limit: int = 2  # where a server set none, and in DMs

    @classmethod
    def from_settings(cls, settings: Settings) -> RequestDefaults:
        return cls(**{f.name: getattr(settings, f.name) for f in dataclasses.fields(cls)})


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asks, and where: the channel the job is shown in and the one whose allow-list applies."""

    user_id: int
    channel_id: int
    guild_id: int | None
    role_ids: tuple[int, ...] = ()
    limit_channel_id: int | None = None  # a thread's parent channel; None: channel_id
    age_restricted: bool = False  # the channel is age-restricted (Discord's nsfw flag)
    locale: str | None = None  # the language the job's progress and result are written in (Discord's code)

    @property
    def rules_channel_id(self) -> int:
        return self.limit_channel_id or self.channel_id


@dataclass(frozen=True, slots=True)
class Origin:
    """What a job was made from: the job it re-rolls or edits, and the message holding its input image."""

    source_job_id: str | None = None
    source_message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """The public answer to a request: how the job will be shown, and the message showing it when known."""

    delivery: Delivery
    message_id: int | None = None


# Shows the job publicly for the first time, as the progress given says (the job's first progress, not an empty
# "thinking…": a job that starts at once then needs no edit until it is done).
Acknowledge = Callable[[Job, Progress], Awaitable[Acknowledged]]


@dataclass(eq=False)
class AdmissionService:
    """Admits requests: refusals cost nothing and say why; an admitted job runs until it delivers or is refunded."""

    jobs: JobService
    quotas: QuotaService
    defaults: RequestDefaults
    _: KW_ONLY
    clock: Callable[[], float] = time.monotonic
    duplicate_window: float = DUPLICATE_WINDOW
    _recent: dict[Hashable, float] = field(default_factory=dict, init=False, repr=False)

    def request(
        self,
        prompt: str,
        *,
        aspect_ratio: str | None = None,
        mode: str | None = None,
        output_format: str | None = None,
        upsample: bool = False,
        safety: int | None = None,
        image_url: str | None = None,
    ) -> GenerationRequest:
        """A validated request from the user's options, the owner's defaults filling the gaps.

        `safety` None leaves the level to the place: accept() gives the most permissive one allowed there.
        """
        defaults = self.defaults
        return GenerationRequest(
            prompt=prompt.strip(),
            mode=mode or defaults.default_mode,
            aspect_ratio=aspect_ratio or defaults.default_aspect_ratio,
            output_format=output_format or defaults.default_format,
            prompt_upsampling=upsample,
            safety_tolerance=safety,
            image_url=image_url,
            enable_translation=defaults.enable_translation,
            upload_cn=defaults.upload_cn,
        ).validate()

    def edit_request(
        self,
        instruction: str,
        source: ImageSource,
        *,
        like: Job | None = None,
        aspect_ratio: str | None = None,
        **options: Any,
    ) -> GenerationRequest:
        """An edit of a checked image; a chained edit keeps the options of the job it edits (`like`).

        The aspect ratio defaults to the supported one nearest the image's own shape.
        """
        if like is not None:
            previous = like.request
            options = {
                "mode": previous.mode,
                "output_format": previous.output_format,
                "upsample": previous.prompt_upsampling,
                "safety": previous.safety_tolerance,
                **options,
            }
        ratio = aspect_ratio or nearest_aspect_ratio(source.width, source.height)
        return self.request(instruction, aspect_ratio=ratio, image_url=source.url, **options)

    async def accept(
        self,
        request: GenerationRequest,
        requester: Requester,
        acknowledge: Acknowledge,
        *,
        origin: Origin | None = None,
        once_key: Hashable | None = None,
        count: int = 1,
    ) -> Job:
        """Reserve the job's cost against every limit, acknowledge publicly, record it and run it.

        Raises before anything is charged or shown when a limit says no (QuotaExceeded), the bot is stopping or the
        API is failing, or `once_key` (an action a double click would repeat) was seen within the last seconds.
        `count` > 1 makes a batch (kontext.jobs.batches): `count` images reserved together, all or none, shown in
        one message; the job returned is the batch's.
        """
        if once_key is not None:
            self._claim(once_key)
        self.jobs.check_open()  # shutting down, or the API is failing: refuse now, charge nothing
        origin = origin or Origin()
        job = self.jobs.new_job(
            request,
            user_id=requester.user_id,
            channel_id=requester.channel_id,
            guild_id=requester.guild_id,
            locale=requester.locale,
            **dataclasses.asdict(origin),  # the job's source_job_id and source_message_id
        )
        # Each is one try: the user waits (Discord's 3 seconds), and a lost database is said at once, free.
        retry = self.jobs.retry
        # Read at most a few seconds ago (QuotaService.recent_settings); the reservation checks they are still stored.
        server = await retry.once("admission", lambda: self.quotas.recent_settings(job.guild_id))
        if server.watermark:
            job.request = dataclasses.replace(job.request, watermark=server.watermark)
        # The server's safety limit (in DMs the owner's): a request above it is lowered, and its card says so.
        limit = server.safety_limit_in(
            age_restricted=requester.age_restricted, default=self.defaults.default_safety_limit
        )
        job.request = job.request.within_safety_limit(limit)
        if not 1 <= count <= server.batch_limit:
            raise InvalidRequestError(
                f"This server allows up to {server.batch_limit} image{'s' if server.batch_limit != 1 else ''} "
                f"per request; you asked for {count}. Nothing was charged.",
                "batch-limit",
                limit=server.batch_limit,
                count=count,
            )
        images = [self._image(job, index, count) for index in range(count)] if count > 1 else []
        if images:
            job.batch_size = count
        # A refusal must be private, so it is decided before the (public) acknowledgement: one quick transaction.
        reservation = await retry.once(
            "admission",
            lambda: self.quotas.reserve(
                job_id=job.id,
                guild_id=job.guild_id,
                user_id=job.user_id,
                role_ids=requester.role_ids,
                channel_id=requester.rules_channel_id,
                mode=job.request.mode,
                settings=server,
                batch=[image.id for image in images],
            ),
        )
        job.cost_micros = reservation.amount_micros * max(count, 1)
        for image in images:
            image.cost_micros = reservation.amount_micros
        try:
            shown = self.jobs.first_progress(job)
            answered = await acknowledge(job, shown)
            # Knowing the placeholder from the start lets a restart check it before posting again (exactly once).
            job.message_id = answered.message_id
            if images:
                await self.jobs.start_batch(job, images, answered.delivery, shown=shown)
            else:
                await self.jobs.start(job, answered.delivery, shown=shown)
        except StorageUnavailable:
            # Recorded or not, nobody can tell: the lease sweep runs it if it was, the orphan settlement refunds it
            # if it was not.
            raise
        except BaseException:
            await self._refund_unstarted(job, images)
            raise
        return job

    @staticmethod
    def _image(batch: Job, index: int, count: int) -> Job:
        """One image of a batch: a copy of the batch's job (request, requester, origin) with its own id and times."""
        return dataclasses.replace(
            batch,
            id=new_job_id(),
            created_at=now(),
            updated_at=now(),
            batch_id=batch.id,
            batch_index=index,
            batch_size=count,
        )

    async def _refund_unstarted(self, job: Job, images: list[Job]) -> None:
        """Give back the reservation of a job that never started; a lost database leaves it to the orphan sweep."""
        try:
            for image in images or [job]:
                await self.quotas.refund(image.id)
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("job %s: refund waits for the database (settled with the orphans)", job.id)

    def _claim(self, key: Hashable) -> None:
        now = self.clock()
        self._recent = {k: t for k, t in self._recent.items() if now - t < self.duplicate_window}
        if key in self._recent:
            raise AlreadyStarting()
        self._recent[key] = now
