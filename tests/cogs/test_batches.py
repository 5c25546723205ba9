"""Batches through the real bot: /imagine count:4 reserves four at once, runs four tasks and posts one gallery."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest

from cogs.utils.delivery import PlaceholderDelivery
from kontext.models import JobState
from kontext.quotas.records import ChargeState
from tests.cogs.test_edit import image_attachment, refusal
from tests.cogs.test_history import answered, labels
from tests.fakes.discord import FakeInteraction, FakeMessage
from tests.harness import World, idle, world_for
from tests.jobs.test_resilience import uploads_to
from tests.quotas.quota_support import charge_state
from tests.storage.support import job_by_message

MANAGE_GUILD = 1 << 5
PRICE = 30_000  # pro, by default
GENEROUS = {"DEFAULT_DAILY_USER_LIMIT": "100"}


def spy_reservations(world: World) -> list[list[str]]:
    """Every reservation the bot makes from now on: the job ids each one charged, in one transaction."""
    calls: list[list[str]] = []
    storage = world.bot.quotas._storage
    original = storage.reserve_charges

    async def spy(charges: Any, counters: Any, cooldown: Any, **checks: Any) -> None:
        calls.append([charge.job_id for charge in charges])
        await original(charges, counters, cooldown, **checks)

    storage.reserve_charges = spy  # type: ignore[method-assign]
    return calls


async def batch(
    world: World, count: int = 4, prompt: str = "a lighthouse at dusk"
) -> tuple[FakeInteraction, FakeMessage]:
    interaction = await world.slash("imagine", {"prompt": prompt, "count": count})
    return interaction, await world.finished(interaction)


async def images_of(world: World, message: FakeMessage):
    """The batch shown in a message and its images, in their order."""
    shown = await job_by_message(world.bot.storage, message.id)
    assert shown is not None
    if not shown.is_batch:  # the first image found by message: its batch row is what the message shows
        shown = await world.bot.storage.get_job(shown.batch_id)
    return shown, await world.bot.storage.batch_jobs(shown.id)


def gallery_files(message: FakeMessage) -> list[bytes]:
    """The bytes of each image the message's gallery shows, in gallery order."""
    by_name = dict(message.files)
    return [by_name[url.rsplit("/", 1)[-1].split("?")[0]] for url in message.media_urls]


async def test_a_batch_of_four_is_one_reservation_four_tasks_and_one_gallery(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        reservations = spy_reservations(world)
        interaction, message = await batch(world)

        batch_job, images = await images_of(world, message)
        assert reservations == [[image.id for image in images]] and len(images) == 4
        assert len(world.api.submits) == 4 and len(world.api.tasks) == 4
        assert message.components_v2 and len(message.media_urls) == 4
        assert all(url.startswith("http") for url in message.media_urls)  # attachment://… unfurled by Discord
        tasks = {image.task_id: image for image in images}
        assert len(tasks) == 4
        assert gallery_files(message) == [world.api.image_bytes_for(image.task_id) for image in images]
        assert uploads_to(world, message.id) == 1 and interaction.followups == []
        assert interaction.original is not None and interaction.original is not message  # a new message pinged
        progress = [edit.get("content") or "" for edit in interaction.original.edits]
        assert any("of 4 done" in line for line in progress), progress
        assert "4 of 4 images" in message.text and "$0.12" in message.text
        for n in range(1, 5):
            assert message.component(f"Edit {n}") and message.component(f"Re-roll {n}")
        assert message.component("Re-roll all") and message.component("Delete")

        assert batch_job.state == JobState.DELIVERED
        for image in images:
            assert image.state == JobState.DELIVERED and image.message_id == message.id
            assert await charge_state(world.bot.storage, image.id) == ChargeState.COMMITTED
        usage = await world.bot.quotas.user_usage(world.guild.id, int(world.user["id"]))
        assert usage.images_today == 4 and usage.in_flight == 0
        spent = await world.bot.quotas.guild_usage(world.guild.id)
        assert spent.spent_today_micros == 4 * PRICE and spent.today.committed == 4


async def test_a_batch_is_refused_whole_when_only_three_images_are_left(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"DEFAULT_DAILY_USER_LIMIT": "3"}) as world:
        interaction = await world.slash("imagine", {"prompt": "four lighthouses", "count": 4})
        words = await refusal(world, interaction)
        assert "4 images" in words and "only 3 images left" in words and "Nothing was charged" in words
        await idle(world.bot.jobs)
        assert world.api.submits == []
        usage = await world.bot.quotas.user_usage(world.guild.id, int(world.user["id"]))
        assert usage.images_today == 0 and usage.in_flight == 0
        assert (await world.bot.quotas.guild_usage(world.guild.id)).spent_today_micros == 0

        _, message = await batch(world, count=3)  # the three that fit
        assert len(message.media_urls) == 3


async def test_a_batch_over_the_servers_spend_cap_is_refused_whole(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        await world.bot.quotas.update_settings(world.guild.id, daily_cap_micros=3 * PRICE)
        interaction = await world.slash("imagine", {"prompt": "four lighthouses", "count": 4})
        words = await refusal(world, interaction)
        assert "this batch of 4 images costs $0.12" in words and "$0.09 is left" in words
        await idle(world.bot.jobs)
        assert world.api.submits == []
        assert (await world.bot.quotas.guild_usage(world.guild.id)).spent_today_micros == 0


async def test_a_server_sets_the_most_images_per_request(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD | (1 << 10) | (1 << 11))
        answer = await world.slash("settings", {"images": 2}, subcommand="batch", user=admin)
        await world.discord.wait_for(lambda: bool(answer.responses))
        assert "up to 2" in str(answer.responses[0]["data"]["embeds"][0])
        assert (await world.bot.quotas.settings(world.guild.id)).batch_limit == 2
        interaction = await world.slash("imagine", {"prompt": "three lighthouses", "count": 3})
        words = await refusal(world, interaction)
        assert "up to 2 images per request" in words and "Nothing was charged" in words
        await idle(world.bot.jobs)
        assert world.api.submits == []


async def test_one_of_four_failing_shows_three_refunds_one_and_names_it(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        submits = itertools.count()
        world.api.outcome(
            lambda body: ("failed", "INTERNAL_ERROR", "the GPU fell over") if next(submits) == 2 else None
        )
        _, message = await batch(world)

        _, images = await images_of(world, message)
        [failed] = [image for image in images if image.state == JobState.FAILED]
        made = [image for image in images if image.state == JobState.DELIVERED]
        assert len(made) == 3 and len(message.media_urls) == 3
        assert gallery_files(message) == [world.api.image_bytes_for(image.task_id) for image in made]
        assert f"Image {failed.batch_index + 1} failed" in message.text
        assert "You were not charged for the 1 failed image" in message.text
        assert "3 of 4 images" in message.text and "$0.09" in message.text
        assert await charge_state(world.bot.storage, failed.id) == ChargeState.REFUNDED
        for image in made:
            assert await charge_state(world.bot.storage, image.id) == ChargeState.COMMITTED
        usage = await world.bot.quotas.user_usage(world.guild.id, int(world.user["id"]))
        assert usage.images_today == 3 and usage.in_flight == 0
        assert (await world.bot.quotas.guild_usage(world.guild.id)).spent_today_micros == 3 * PRICE
        metrics = world.bot.metrics
        assert (metrics.jobs_started._value.get(), metrics.jobs_delivered._value.get()) == (4, 3), "counted by image"
        assert (
            sum(sample.value for sample in metrics.jobs_failed.collect()[0].samples if sample.name.endswith("_total"))
            == 1
        )
        shown = labels(message)
        assert f"Edit {failed.batch_index + 1}" not in shown and f"Re-roll {failed.batch_index + 1}" not in shown


async def test_a_batch_where_every_image_fails_says_why_and_charges_nothing(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        world.api.outcome(lambda body: ("failed", "INTERNAL_ERROR", "the GPU fell over"))
        interaction = await world.slash("imagine", {"prompt": "doomed", "count": 2})
        message = await world.finished(interaction)
        assert "Image 1 failed" in message.text and "Image 2 failed" in message.text
        assert "You were not charged" in message.text and message.component("Retry")
        _, images = await images_of_failed(world, message)
        for image in images:
            assert await charge_state(world.bot.storage, image.id) == ChargeState.REFUNDED
        usage = await world.bot.quotas.user_usage(world.guild.id, int(world.user["id"]))
        assert usage.images_today == 0 and usage.in_flight == 0

        world.api.outcome(None)
        retried = await world.finished(
            await world.discord.click(message, message.component("Retry")["custom_id"], user=world.user)
        )
        assert len(world.api.submits) == 4 and len(retried.media_urls) == 2, "Retry makes the whole batch again"


async def images_of_failed(world: World, message: FakeMessage):
    shown = await job_by_message(world.bot.storage, message.id)
    assert shown is not None and shown.is_batch and shown.state == JobState.FAILED
    return shown, await world.bot.storage.batch_jobs(shown.id)


async def test_each_image_has_its_own_edit_which_submits_that_images_url(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        _, message = await batch(world)
        _, images = await images_of(world, message)
        click = await world.discord.click(message, message.component("Edit 3")["custom_id"], user=world.user)
        await world.discord.wait_for(lambda: click.modal is not None)
        edited = await world.finished(await world.discord.submit_modal(click, {"What should change?": "add snow"}))
        body = world.api.submits[4]["input"]
        assert body["image_url"] == message.media_urls[2], "the edit's input is the third image of the gallery"
        assert body["prompt"] == "add snow"
        job = await job_by_message(world.bot.storage, edited.id)
        assert job is not None and job.source_job_id == images[2].id and job.batch_size == 1


async def test_an_image_rerolls_alone_and_the_batch_rerolls_whole(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        _, message = await batch(world)
        single = await world.finished(
            await world.discord.click(message, message.component("Re-roll 2")["custom_id"], user=world.user)
        )
        assert len(world.api.submits) == 5 and len(single.media_urls) == 1

        reservations = spy_reservations(world)
        rerolled = await world.finished(
            await world.discord.click(message, message.component("Re-roll all")["custom_id"], user=world.user)
        )
        assert len(world.api.submits) == 9
        assert rerolled.id not in (message.id, single.id) and len(rerolled.media_urls) == 4
        new_batch, images = await images_of(world, rerolled)
        old_batch, _ = await images_of(world, message)
        assert new_batch.id != old_batch.id and reservations == [[image.id for image in images]]
        assert {body["input"]["prompt"] for body in world.api.submits} == {"a lighthouse at dusk"}
        usage = await world.bot.quotas.user_usage(world.guild.id, int(world.user["id"]))
        assert usage.images_today == 9


async def test_a_batch_caught_by_a_restart_resumes_and_posts_one_message(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS, api_options={"generation_time": 0.5}) as world:
        interaction = await world.slash("imagine", {"prompt": "survives", "count": 4})
        await world.discord.wait_for(lambda: len(world.api.submits) == 4)
        for _ in range(500):  # until every task id is recorded: this test is not about mid-submit crashes
            rows = await world.bot.storage.batch_jobs((await first_batch(world)).id)
            if len([row for row in rows if row.task_id]) == 4:
                break
            await asyncio.sleep(0.01)
        assert not (await first_batch(world)).state.terminal, "the kill must catch the batch mid-flight"
        await world.kill()
        await world.start_again()
        await assert_posted_once(world, interaction, 4)


async def assert_posted_once(world: World, interaction: FakeInteraction, count: int) -> None:
    """After a restart: the batch's images in one post, nothing resubmitted, every image settled."""
    placeholder = await world.finished(interaction, 20)
    await idle(world.bot.jobs)
    batch_job = await first_batch(world)
    assert batch_job.state == JobState.DELIVERED
    assert len(world.api.submits) == count, "nothing is submitted again"
    assert len(placeholder.media_urls) == count and uploads_to(world, placeholder.id) == 1
    bot_id = world.discord.bot_user["id"]
    assert [m for m in world.discord.messages.values() if m.author["id"] == bot_id and m.files] == [placeholder]
    for image in await world.bot.storage.batch_jobs(batch_job.id):
        assert image.state == JobState.DELIVERED and image.message_id == placeholder.id
        assert await charge_state(world.bot.storage, image.id) == ChargeState.COMMITTED


async def first_batch(world: World):
    [row] = [job for job in await world.bot.storage.jobs_in_states(list(JobState)) if job.is_batch]
    return row


async def test_a_batch_posted_just_before_a_crash_is_not_posted_again(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        _, message = await batch(world, count=2)
        batch_job, images = await images_of(world, message)
        # The crash came between posting and recording: the batch says DELIVERING, its images FINISHED and unsettled.
        await world.bot.storage.update_job(batch_job.id, state=JobState.DELIVERING)
        for image in images:
            await world.bot.storage.update_job(image.id, state=JobState.FINISHED)
        await world.kill()
        await world.start_again()
        for _ in range(300):
            if (await world.bot.storage.get_job(batch_job.id)).state == JobState.DELIVERED:
                break
            await asyncio.sleep(0.01)
        await idle(world.bot.jobs)
        assert (await world.bot.storage.get_job(batch_job.id)).state == JobState.DELIVERED
        assert uploads_to(world, message.id) == 1 and len(world.api.submits) == 2
        for image in await world.bot.storage.batch_jobs(batch_job.id):
            assert image.state == JobState.DELIVERED and image.message_id == message.id


async def test_show_gives_back_one_image_of_a_batch_with_its_own_buttons(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        _, message = await batch(world, count=2)
        _, images = await images_of(world, message)
        copy = await answered(world, await world.slash("show", {"job": images[1].id}))
        assert copy.media_urls == [message.media_urls[1]]
        assert labels(copy) == ["Re-roll", "Edit"], "Delete would take the whole batch's message"


async def test_a_batch_declined_by_policy_keeps_the_prompt_private(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        world.api.outcome(lambda body: ("failed", "CONTENT_VIOLATION", "moderation flagged it"))
        interaction = await world.slash("imagine", {"prompt": "a secret prompt", "count": 2})
        message = await world.finished(interaction)
        assert "Image 1 failed" in message.text and "declined this request" in message.text
        assert "secret" not in message.text and "moderation" not in message.text
        [private] = interaction.followups
        assert private.ephemeral and "a secret prompt" in private.content and "moderation flagged it" in private.content


async def test_a_batch_with_the_longest_prompt_fits_discords_limits(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        submits = itertools.count()
        world.api.outcome(
            lambda body: ("failed", "INTERNAL_ERROR", "the GPU fell over " * 50) if next(submits) == 0 else None
        )
        prompt = "a very long prompt <@&1> @everyone " * 280
        _, message = await batch(world, prompt=prompt[:6000])
        assert message.components_v2 and len(message.media_urls) == 3
        assert "failed" in message.text


async def test_edit_with_a_count_makes_that_many_variants_of_the_edit(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        attachment = image_attachment(world, 800, 600)
        interaction = await world.slash("edit", {"prompt": "make it night", "image": attachment, "count": 2})
        message = await world.finished(interaction)
        assert len(world.api.submits) == 2 and len(message.media_urls) == 2
        for body in world.api.submits:
            assert body["input"]["image_url"] == attachment["url"] and body["input"]["aspect_ratio"] == "4:3"
        assert interaction.original is not None
        assert "Editing 2 images" in (interaction.original.edits[0].get("content") or "")


async def test_the_orphan_sweep_leaves_a_running_batchs_failed_image_to_its_batch(tmp_path: Path) -> None:
    made = itertools.count()
    slow = {"generation_time": lambda body: 0.01 if next(made) == 0 else 1.0}  # the first (failing) one ends first
    async with world_for(tmp_path, env=GENEROUS, api_options=slow) as world:
        submits = itertools.count()
        world.api.outcome(lambda body: ("failed", "INTERNAL_ERROR", "no") if next(submits) == 0 else None)
        interaction = await world.slash("imagine", {"prompt": "slow ones", "count": 3})
        await world.discord.wait_for(lambda: len(world.api.submits) == 3)
        batch_job = await first_batch(world)
        for _ in range(300):
            images = await world.bot.storage.batch_jobs(batch_job.id)
            if any(image.state == JobState.FAILED for image in images):
                break
            await asyncio.sleep(0.01)
        [failed] = [image for image in images if image.state == JobState.FAILED]

        await world.bot.jobs.settle_orphans(older_than=0)

        assert await charge_state(world.bot.storage, failed.id) == ChargeState.RESERVED, "the batch settles it"
        usage = await world.bot.quotas.user_usage(world.guild.id, int(world.user["id"]))
        assert usage.in_flight == 1, "the batch still holds its one slot"
        message = await world.finished(interaction)
        assert len(message.media_urls) == 2
        assert await charge_state(world.bot.storage, failed.id) == ChargeState.REFUNDED


async def test_a_batch_killed_before_its_post_lands_posts_it_once_after_the_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        posting = asyncio.Event()

        async def stuck(self: PlaceholderDelivery, job: Any, outcome: Any) -> int:
            posting.set()
            await asyncio.Event().wait()  # the process dies with the post on the wire
            raise AssertionError("unreachable")

        with monkeypatch.context() as patched:
            patched.setattr(PlaceholderDelivery, "succeeded", stuck)
            interaction = await world.slash("imagine", {"prompt": "posted once", "count": 3})
            await asyncio.wait_for(posting.wait(), 10)
            assert (await first_batch(world)).state == JobState.DELIVERING
            await world.kill()
        await world.start_again()
        await assert_posted_once(world, interaction, 3)
