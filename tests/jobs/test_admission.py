"""AdmissionService: the one path every entry point starts a job through, tested without Discord."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from kontext.api.client import KontextClient
from kontext.images.sources import ImageSource
from kontext.jobs.admission import Acknowledged, AdmissionService, AlreadyStarting, Origin, RequestDefaults, Requester
from kontext.jobs.budget import LocalBudget
from kontext.jobs.delivery import Outcome, Progress
from kontext.jobs.service import JobService, JobSettings, ShuttingDown
from kontext.models import InvalidRequestError, Job, JobState
from kontext.quotas.models import QuotaExceeded
from kontext.quotas.records import ChargeState
from kontext.storage.base import Storage
from tests.quotas.quota_support import CHANNEL, GUILD, USER, Clock, make_service

WHO = Requester(user_id=USER, channel_id=CHANNEL, guild_id=GUILD)


class Silent:
    """A delivery that records what it was told."""

    def __init__(self) -> None:
        self.told: list[str] = []

    async def delivered_already(self, job: Job) -> int | None:
        return None

    async def progress(self, job: Job, progress: Progress) -> None:
        self.told.append("progress")

    async def succeeded(self, job: Job, outcome: Outcome) -> None:
        self.told.append("succeeded")

    async def failed(self, job: Job, error: BaseException, *, refunded: bool = False) -> None:
        self.told.append("failed")


class NeverCalled(KontextClient):
    def __init__(self) -> None:  # no session: a call would fail loudly
        pass


@pytest.fixture
async def admission(storage: Storage) -> AsyncIterator[AdmissionService]:
    jobs = JobService(storage, NeverCalled(), JobSettings())
    # Jobs launched by these tests are cancelled at once: only admission is under test.
    jobs._launch = lambda job, delivery, shown=None: asyncio.get_running_loop().create_future()  # type: ignore[method-assign]
    clock = Clock(1_000.0)
    service = AdmissionService(jobs, make_service(storage), RequestDefaults(default_mode="max"), clock=clock)
    service.test_clock = clock  # type: ignore[attr-defined]
    yield service


def acknowledged(message_id: int | None = 42, calls: list[Job] | None = None, shows: list[Progress] | None = None):
    async def acknowledge(job: Job, progress: Progress) -> Acknowledged:
        if calls is not None:
            calls.append(job)
        if shows is not None:
            shows.append(progress)
        return Acknowledged(Silent(), message_id)

    return acknowledge


async def test_admission_request_fills_gaps_from_the_defaults(admission: AdmissionService) -> None:
    request = admission.request("  a red fox  ")

    assert (request.prompt, request.mode, request.aspect_ratio) == ("a red fox", "max", "16:9")


async def test_admission_request_refuses_an_empty_prompt(admission: AdmissionService) -> None:
    with pytest.raises(InvalidRequestError):
        admission.request("   ")


async def test_admission_edit_request_keeps_the_edited_jobs_options(admission: AdmissionService) -> None:
    source = ImageSource("https://cdn.example/a.png", "a.png", "image/png", 10, 1000, 1000)
    first = admission.edit_request("make it night", source, mode="pro", safety=0)
    like = Job(id="j", user_id=USER, channel_id=CHANNEL, guild_id=GUILD, request=first)

    chained = admission.edit_request("add snow", source, like=like)

    assert (chained.mode, chained.safety_tolerance, chained.aspect_ratio) == ("pro", 0, "1:1")
    assert chained.image_url == source.url


async def test_admission_accept_reserves_records_and_launches(admission: AdmissionService, storage: Storage) -> None:
    job = await admission.accept(admission.request("fox"), WHO, acknowledged(), origin=Origin("src", 7))

    stored = await storage.get_job(job.id)
    assert stored is not None and stored.state is JobState.QUEUED
    assert (stored.message_id, stored.source_job_id, stored.source_message_id) == (42, "src", 7)
    assert stored.cost_micros == 60_000
    charge = await storage.get_charge(job.id)
    assert charge is not None and charge.state is ChargeState.RESERVED


async def test_admission_acknowledges_with_the_estimate_when_the_job_starts_at_once(
    admission: AdmissionService,
) -> None:
    shows: list[Progress] = []
    before = time.time()

    await admission.accept(admission.request("fox"), WHO, acknowledged(shows=shows))

    [first] = shows
    expected = admission.jobs.estimator.expected("max", False)
    assert first.state is JobState.PENDING and first.estimate_at is not None
    assert before + expected <= first.estimate_at <= time.time() + expected


async def test_admission_acknowledges_queued_when_no_slot_is_free(admission: AdmissionService) -> None:
    shows: list[Progress] = []
    full = LocalBudget(1)
    await full.acquire("another job")
    admission.jobs._slots = full

    await admission.accept(admission.request("fox"), WHO, acknowledged(shows=shows))

    assert shows == [Progress(JobState.QUEUED)]


async def test_admission_refusal_charges_nothing_and_shows_nothing(
    admission: AdmissionService, storage: Storage
) -> None:
    await admission.quotas.update_settings(GUILD, daily_user_limit=0)
    shown: list[Job] = []

    with pytest.raises(QuotaExceeded):
        await admission.accept(admission.request("fox"), WHO, acknowledged(calls=shown))

    assert shown == []
    assert await storage.jobs_in_states([JobState.QUEUED]) == []


async def test_admission_refunds_a_job_whose_acknowledgement_failed(
    admission: AdmissionService, storage: Storage
) -> None:
    seen: list[Job] = []

    async def acknowledge(job: Job, progress: Progress) -> Acknowledged:
        seen.append(job)
        raise ConnectionResetError("Discord went away")

    with pytest.raises(ConnectionResetError):
        await admission.accept(admission.request("fox"), WHO, acknowledge)

    charge = await storage.get_charge(seen[0].id)
    assert charge is not None and charge.state is ChargeState.REFUNDED
    assert await storage.get_job(seen[0].id) is None


async def test_admission_applies_the_servers_watermark(admission: AdmissionService, storage: Storage) -> None:
    await admission.quotas.update_settings(GUILD, watermark="my server")

    job = await admission.accept(admission.request("fox"), WHO, acknowledged())

    assert job.request.watermark == "my server"


async def test_admission_refuses_a_double_click_within_the_window(admission: AdmissionService) -> None:
    await admission.accept(admission.request("fox"), WHO, acknowledged(), once_key=("reroll", USER, "j"))

    with pytest.raises(AlreadyStarting):
        await admission.accept(admission.request("fox"), WHO, acknowledged(), once_key=("reroll", USER, "j"))
    admission.test_clock.now += 5  # type: ignore[attr-defined]
    await admission.accept(admission.request("fox"), WHO, acknowledged(), once_key=("reroll", USER, "j"))


async def test_admission_refuses_while_shutting_down(admission: AdmissionService, storage: Storage) -> None:
    admission.jobs.accepting = False

    with pytest.raises(ShuttingDown):
        await admission.accept(admission.request("fox"), WHO, acknowledged())

    totals = await storage.charge_totals(None, day="2026-11-24")
    assert (totals.reserved, totals.committed) == (0, 0)


async def test_admission_reads_the_servers_settings_once(
    admission: AdmissionService, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Everything before the acknowledgement runs inside Discord's 3 seconds: no database read twice.
    reads: list[int] = []
    read = storage.get_guild_settings

    async def counted(guild_id: int) -> object:
        reads.append(guild_id)
        return await read(guild_id)

    monkeypatch.setattr(storage, "get_guild_settings", counted)

    await admission.accept(admission.request("fox"), WHO, acknowledged())

    assert reads == [GUILD]


async def test_admission_lowers_a_request_above_the_servers_safety_limit(admission: AdmissionService) -> None:
    await admission.quotas.update_settings(GUILD, safety_limit=1, max_concurrent_per_user=3)

    lowered = await admission.accept(admission.request("fox", safety=2), WHO, acknowledged())
    unchosen = await admission.accept(admission.request("owl"), WHO, acknowledged())
    within = await admission.accept(admission.request("cat", safety=0), WHO, acknowledged())

    assert (lowered.request.safety_tolerance, lowered.request.safety_lowered_from) == (1, 2)
    assert (unchosen.request.safety_tolerance, unchosen.request.safety_lowered_from) == (1, None)
    assert (within.request.safety_tolerance, within.request.safety_lowered_from) == (0, None)


async def test_admission_keeps_the_most_permissive_level_for_age_restricted_channels(
    admission: AdmissionService,
) -> None:
    await admission.quotas.update_settings(GUILD, safety_limit=0, safety_top_age_restricted=True)
    age_restricted = Requester(user_id=USER, channel_id=CHANNEL, guild_id=GUILD, age_restricted=True)

    there = await admission.accept(admission.request("fox", safety=2), age_restricted, acknowledged())
    elsewhere = await admission.accept(admission.request("owl", safety=2), WHO, acknowledged())

    assert (there.request.safety_tolerance, there.request.safety_lowered_from) == (2, None)
    assert (elsewhere.request.safety_tolerance, elsewhere.request.safety_lowered_from) == (0, 2)


async def test_admission_applies_the_owners_safety_default_in_direct_messages(storage: Storage) -> None:
    jobs = JobService(storage, NeverCalled(), JobSettings())
    jobs._launch = lambda job, delivery, shown=None: asyncio.get_running_loop().create_future()  # type: ignore[method-assign]
    admission = AdmissionService(jobs, make_service(storage), RequestDefaults(default_safety_limit=0))
    in_dms = Requester(user_id=USER, channel_id=CHANNEL, guild_id=None, age_restricted=False)

    job = await admission.accept(admission.request("fox", safety=2), in_dms, acknowledged())

    assert (job.request.safety_tolerance, job.request.safety_lowered_from) == (0, 2)
    assert job.request.to_input()["safetyTolerance"] == 0


async def test_admission_rerun_of_a_lowered_request_asks_again_for_what_the_user_chose(
    admission: AdmissionService,
) -> None:
    await admission.quotas.update_settings(GUILD, safety_limit=1)
    first = await admission.accept(admission.request("fox", safety=2), WHO, acknowledged())
    await admission.quotas.update_settings(GUILD, safety_limit=2)

    again = await admission.accept(first.request, WHO, acknowledged())

    assert (again.request.safety_tolerance, again.request.safety_lowered_from) == (2, None)
