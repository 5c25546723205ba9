"""What the job flow shows while a job runs: which changes are worth an edit, and the throttled reporter."""

from __future__ import annotations

import asyncio

from kontext.jobs.delivery import Outcome, Progress, ProgressReporter, worth_showing
from kontext.models import GenerationRequest, Job, JobState

NOW = 1_000_000.0


class Shown:
    """A delivery that records each progress it is asked to show."""

    def __init__(self) -> None:
        self.shown: list[Progress] = []
        self.edited = asyncio.Event()

    async def progress(self, job: Job, progress: Progress) -> int | None:
        self.shown.append(progress)
        self.edited.set()
        return None

    async def succeeded(self, job: Job, outcome: Outcome) -> int | None:
        return None

    async def failed(self, job: Job, error: BaseException, *, refunded: bool) -> int | None:
        return None

    async def delivered_already(self, job: Job) -> int | None:
        return None


def _job() -> Job:
    return Job(id="j1", user_id=1, channel_id=2, guild_id=3, request=GenerationRequest(prompt="fox"))


def test_worth_showing_skips_the_vendors_step_when_the_estimate_barely_moves() -> None:
    shown = Progress(JobState.PENDING, estimate_at=NOW + 10)

    assert not worth_showing(shown, Progress(JobState.PROCESSING, estimate_at=NOW + 13), slack=5)
    assert not worth_showing(shown, Progress(JobState.PENDING, estimate_at=NOW + 7), slack=5)


def test_worth_showing_edits_when_the_estimate_moves_past_the_slack() -> None:
    shown = Progress(JobState.PENDING, estimate_at=NOW + 10)

    assert worth_showing(shown, Progress(JobState.PROCESSING, estimate_at=NOW + 16), slack=5)
    assert worth_showing(shown, Progress(JobState.PENDING, estimate_at=NOW + 4), slack=5)


def test_worth_showing_always_shows_the_line_a_batch_and_lateness() -> None:
    queued = Progress(JobState.QUEUED)
    working = Progress(JobState.PENDING, estimate_at=NOW + 10)

    assert worth_showing(None, queued)
    assert not worth_showing(queued, Progress(JobState.QUEUED))
    assert worth_showing(queued, Progress(JobState.QUEUED, queue_position=3))
    assert worth_showing(queued, Progress(JobState.PENDING, estimate_at=NOW + 10))
    assert worth_showing(working, Progress(JobState.PENDING, estimate_at=NOW + 10, late=True))
    batch = Progress(JobState.PENDING, done=0, total=4)
    assert worth_showing(batch, Progress(JobState.PROCESSING, done=0, total=4))  # no estimate: the words are news
    assert worth_showing(batch, Progress(JobState.PENDING, done=1, total=4))


async def test_progress_reporter_makes_no_edit_for_what_the_acknowledgement_shows() -> None:
    delivery = Shown()
    shown = Progress(JobState.PENDING, estimate_at=NOW + 10)
    reporter = ProgressReporter(_job(), delivery, 0.0, shown=shown, wall=lambda: NOW, slack=5, late_after=60)

    reporter.update(state=JobState.PENDING, estimate_at=NOW + 11)  # submitted a second after the answer
    reporter.update(state=JobState.PROCESSING, estimate_at=NOW + 12)  # the vendor began: the estimate holds
    await asyncio.sleep(0)
    await reporter.close()

    assert delivery.shown == []


async def test_progress_reporter_edits_when_the_estimate_moves_far() -> None:
    delivery = Shown()
    shown = Progress(JobState.PENDING, estimate_at=NOW + 10)
    reporter = ProgressReporter(_job(), delivery, 0.0, shown=shown, wall=lambda: NOW, slack=5, late_after=60)

    reporter.update(state=JobState.PROCESSING, estimate_at=NOW + 25)  # a long wait in the vendor's queue
    await asyncio.wait_for(delivery.edited.wait(), 1)
    await reporter.close()

    assert delivery.shown == [Progress(JobState.PROCESSING, estimate_at=NOW + 25)]


async def test_progress_reporter_edits_only_when_it_is_its_turn() -> None:
    delivery = Shown()
    turn = asyncio.Event()
    waiting: list[bool] = []

    async def wait_turn() -> None:
        waiting.append(True)
        await turn.wait()

    shown = Progress(JobState.PENDING, estimate_at=NOW + 10)
    reporter = ProgressReporter(_job(), delivery, 0.0, shown=shown, wall=lambda: NOW, slack=5, turn=wait_turn)
    reporter.update(state=JobState.PROCESSING, estimate_at=NOW + 25)
    await asyncio.sleep(0.01)
    assert waiting and delivery.shown == [], "held back while commands wait for their answers"
    reporter.update(state=JobState.PROCESSING, estimate_at=NOW + 40)  # meanwhile the estimate moved again
    turn.set()
    await asyncio.wait_for(delivery.edited.wait(), 1)
    await reporter.close()
    assert delivery.shown == [Progress(JobState.PROCESSING, estimate_at=NOW + 40)], "the latest, once"


async def test_progress_reporter_closed_while_held_back_makes_no_edit() -> None:
    delivery = Shown()
    shown = Progress(JobState.PENDING, estimate_at=NOW + 10)
    reporter = ProgressReporter(
        _job(), delivery, 0.0, shown=shown, wall=lambda: NOW, slack=5, turn=asyncio.Event().wait
    )
    reporter.update(state=JobState.PROCESSING, estimate_at=NOW + 25)
    await asyncio.sleep(0.01)
    await asyncio.wait_for(reporter.close(), 1)  # the result is on its way: the held edit must not overwrite it
    assert delivery.shown == []


async def test_progress_reporter_says_a_job_is_late_once_its_estimate_has_passed() -> None:
    delivery = Shown()
    clock = [NOW]
    shown = Progress(JobState.PENDING, estimate_at=NOW + 0.02)
    reporter = ProgressReporter(_job(), delivery, 0.0, shown=shown, wall=lambda: clock[0], slack=5, late_after=0.01)
    clock[0] = NOW + 0.05  # the estimate passed; the job still runs

    await asyncio.wait_for(delivery.edited.wait(), 1)
    await asyncio.sleep(0.05)
    await reporter.close()

    assert delivery.shown == [Progress(JobState.PENDING, estimate_at=NOW + 0.02, late=True)]


async def test_progress_reporter_is_not_late_for_a_job_that_ends_in_time() -> None:
    delivery = Shown()
    shown = Progress(JobState.PENDING, estimate_at=NOW + 0.02)
    reporter = ProgressReporter(_job(), delivery, 0.0, shown=shown, wall=lambda: NOW, slack=5, late_after=0.01)

    await reporter.close()  # done before the estimate passed
    await asyncio.sleep(0.05)

    assert delivery.shown == []


async def test_progress_reporter_waits_for_a_later_estimate_before_saying_late() -> None:
    delivery = Shown()
    clock = [NOW]
    shown = Progress(JobState.PENDING, estimate_at=NOW + 0.01)
    reporter = ProgressReporter(_job(), delivery, 0.0, shown=shown, wall=lambda: clock[0], slack=5, late_after=0.01)
    reporter.update(state=JobState.PROCESSING, estimate_at=NOW + 0.1)  # later, but within the slack: no edit
    clock[0] = NOW + 0.05

    await asyncio.sleep(0.04)
    assert delivery.shown == []  # the shown estimate passed, but not the one known now
    clock[0] = NOW + 0.2
    await asyncio.wait_for(delivery.edited.wait(), 1)
    await reporter.close()

    assert delivery.shown == [Progress(JobState.PROCESSING, estimate_at=NOW + 0.1, late=True)]
