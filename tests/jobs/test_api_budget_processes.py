"""One API budget for two real bot processes on one PostgreSQL: never crossed, and a SIGKILLed holder's slots return."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

import pytest

from kontext.models import ACTIVE_STATES, JobState
from kontext.storage.base import Storage
from kontext.storage.slots import SlotLease
from tests.fakes.discord import FakeGuild, FakeInteraction
from tests.harness import ServingBot, image_of
from tests.jobs.test_scale import DATABASE, pg_url, shard_of  # noqa: F401 - pg_url is a fixture
from tests.jobs.test_takeover import Deployment, deployment  # noqa: F401 - deployment is a fixture
from tests.storage.support import job_by_message

pytestmark = pytest.mark.skipif(not DATABASE, reason="needs PostgreSQL: set TEST_DATABASE_URL")
BUDGET = 4
JOBS = 30


def pid_of(slot: SlotLease) -> int:
    """The process id in a lease owner's name (host:pid:random)."""
    return int(slot.owner.split(":")[-2])


async def test_two_processes_share_one_api_budget_and_a_killed_holders_slots_return_within_the_lease(
    deployment: Deployment,  # noqa: F811
    lease: float = 1.5,
    sweep: float = 0.2,
    long: float = 4.0,
    short: float = 0.3,
) -> None:
    # The first BUDGET tasks take `long`: every slot is held by a task at the API when one holder is killed, so no
    # process is mid-submit then (a crash mid-submit is failed, not resent: kontext.jobs.service); the rest `short`.
    submits = itertools.count()
    api, discord, storage = deployment.api, deployment.discord, deployment.storage
    api.generation_time = lambda body: long if next(submits) < BUDGET else short
    env = {
        **deployment.env,
        "API_CONCURRENCY": str(BUDGET),
        "JOB_LEASE": str(lease),
        "LEASE_SWEEP_INTERVAL": str(sweep),
        "SHARD_COUNT": "2",
        "TAKEOVER_ANY_SHARD": "true",  # the survivor serves the other shard, and takes up the killed one's jobs
    }
    # Each process serves one shard, and the member is in a server on each: both run jobs, by design rather than by
    # who wins the race to answer a command both processes received (one process quicker off the mark won them all).
    guilds = {shard_of(deployment.guild): deployment.guild}
    while len(guilds) < 2:
        guild = discord.add_guild()
        guilds.setdefault(shard_of(guild), guild)
    discord.add_member(guilds[1 - shard_of(deployment.guild)], user_id=int(deployment.user["id"]), name="alice")
    processes = [ServingBot(discord, {**env, "SHARD_IDS": str(shard)}) for shard in (0, 1)]
    try:
        for process in processes:
            await process.start()
        interactions = [await imagine(deployment, guilds[n % 2], f"job {n}") for n in range(JOBS)]
        await discord.wait_for(lambda: len(api.submits) == BUDGET, 20)
        # Every command answered and its job recorded before the kill: a process killed while admitting loses its
        # unanswered commands (Discord tells those users the app did not respond), and that is not this test.
        await discord.wait_for(lambda: all(i.responses for i in interactions), 20)
        for _ in range(200):
            if await storage.count_jobs() == JOBS:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"{await storage.count_jobs()} of {JOBS} jobs recorded")
        for _ in range(200):  # every submit's answer recorded: all BUDGET slots count a task at the API
            if len(await storage.jobs_in_states([JobState.PENDING, JobState.PROCESSING])) == BUDGET:
                break
            await asyncio.sleep(0.05)
        held = await storage.held_slots()
        assert len(held) == BUDGET and len(api.submits) == BUDGET, (held, len(api.submits))
        owners = await job_owners(storage)
        assert len(owners) == 2, f"both processes run jobs: {owners}"

        by_pid = {p.bot.process.pid: p for p in processes if p.bot is not None}
        killed = by_pid[pid_of(held[0])]
        survivor = next(p for p in processes if p is not killed)
        killed_pid = pid_of(held[0])
        killed_slots = sum(pid_of(slot) == killed_pid for slot in held)
        await killed.kill()  # SIGKILL, holding `killed_slots` slots
        loop = asyncio.get_running_loop()
        killed_at = loop.time()
        while any(pid_of(slot) == killed_pid for slot in await storage.held_slots()):
            assert loop.time() - killed_at < lease + 10, "the killed process's slots never came back"
            await asyncio.sleep(0.05)
        returned_after = loop.time() - killed_at

        await discord.wait_for(lambda: all(image_of(discord, i) is not None for i in interactions), 60)
        for _ in range(100):
            if await storage.count_jobs(states=ACTIVE_STATES) == 0 and not await storage.held_slots():
                break
            await asyncio.sleep(0.05)

        assert returned_after <= lease + sweep + 1.5, f"{killed_slots} slots returned {returned_after:.2f}s after"
        assert api.max_active() <= BUDGET, f"the API saw {api.max_active()} tasks at once"
        assert api.max_active() == BUDGET, "the budget was used"
        prompts = Counter(body["input"]["prompt"] for body in api.submits)
        assert len(api.submits) == JOBS and max(prompts.values()) == 1, "nothing submitted twice"
        for interaction in interactions:
            result = image_of(discord, interaction)
            assert result is not None
            job = await job_by_message(storage, result.id)
            assert job is not None and job.state == JobState.DELIVERED, job
            assert deployment.uploads(job.message_id) == 1, "delivered exactly once"
        assert await storage.held_slots() == [], "every slot released"
        answers = [(i.responses[0].get("data") or {}).get("content") or "" for i in interactions]
        shown = answers + [e.get("content") or "" for i in interactions for e in i.original.edits]
        assert any("Queued" in text for text in shown), "users beyond the budget are told they wait"
        assert not any("in line" in text for text in shown), "no place promised that other processes may jump"
        assert survivor.bot is not None and survivor.bot.process.returncode is None
    finally:
        for process in processes:
            await process.kill()


async def imagine(world: Deployment, guild: FakeGuild, prompt: str) -> FakeInteraction:
    return await world.discord.send_slash("imagine", {"prompt": prompt}, guild=guild, user=world.user)


async def job_owners(storage: Storage) -> Counter[str]:
    """How many unfinished jobs each process holds."""
    return Counter(str(job.lease_owner) for job in await storage.jobs_in_states(ACTIVE_STATES))
