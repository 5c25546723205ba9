"""Failures you can act on, through the real bot: Retry and Dismiss, and content-policy refusals told privately."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kontext.quotas.records import ChargeState
from tests.cogs.test_delivery import Clock
from tests.cogs.test_edit import button, reply_result
from tests.fakes.discord import FakeMessage
from tests.fakes.discord import limits as limits
from tests.harness import World, idle, world_for
from tests.quotas.quota_support import charge_state
from tests.storage.support import job_by_message

EPHEMERAL = 64
MANAGE_MESSAGES = 1 << 13
SECRET_PROMPT = "a very specific and embarrassing prompt"


def direct_messages(world: World, user_id: int) -> list[FakeMessage]:
    """What the bot sent to a user's DM channel."""
    return [
        message
        for message in world.discord.messages.values()
        if world.discord.channels[message.channel_id].get("type") == 1
        and int(world.discord.channels[message.channel_id]["recipients"][0]["id"]) == user_id
    ]


def assert_declined_in_public(message: FakeMessage) -> None:
    """The channel's copy: "declined", nothing of the prompt or the service's reason; Retry and Dismiss under it."""
    errs = limits.FormErrors()
    limits.check_message({"content": message.content, "embeds": message.embeds}, errs)
    assert errs.errors == {}
    shown = f"{message.content} {message.embeds}"
    assert "declined this request" in shown and "You were not charged" in shown
    assert "embarrassing" not in shown and "content policy" not in shown and "moderation" not in shown
    assert [message.component(label)["label"] for label in ("Retry", "Dismiss")] == ["Retry", "Dismiss"]


async def test_a_content_policy_refusal_is_told_privately_and_the_channel_sees_no_prompt(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "CONTENT_VIOLATION", "moderation flagged it"))
        interaction = await world.slash("imagine", {"prompt": SECRET_PROMPT})
        message = await world.finished(interaction)
        assert_declined_in_public(message)
        [private] = interaction.followups
        assert private.ephemeral and private.id != message.id
        assert "content policy" in private.content and "moderation flagged it" in private.content
        assert SECRET_PROMPT in private.content
        assert direct_messages(world, int(world.user["id"])) == []


async def test_a_refusal_past_the_interaction_token_is_sent_as_a_direct_message(tmp_path: Path) -> None:
    clock = Clock()
    async with world_for(tmp_path, discord_options={"clock": clock}, api_options={"generation_time": 0.3}) as world:
        world.api.outcome(lambda body: ("failed", "NSFW", "nope"))
        interaction = await world.slash("imagine", {"prompt": SECRET_PROMPT})
        await world.discord.wait_for(lambda: interaction.original is not None and bool(world.api.submits))
        clock.advance(16 * 60)  # the interaction token is dead from here on
        message = await world.finished(interaction)
        assert_declined_in_public(message)
        assert interaction.followups == []
        [dm] = direct_messages(world, int(world.user["id"]))
        assert SECRET_PROMPT in dm.content and "content policy" in dm.content


async def test_a_mention_refusal_goes_by_dm_and_closed_dms_leave_only_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cogs.utils.delivery")
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "CONTENT_VIOLATION", "nope"))
        request = await world.discord.post_message(world.channel, world.user, SECRET_PROMPT, mention_bot=True)
        assert_declined_in_public(await reply_result(world, request))
        [dm] = direct_messages(world, int(world.user["id"]))
        assert SECRET_PROMPT in dm.content

        world.discord.closed_dms.add(int(world.user["id"]))
        again = await world.discord.post_message(world.channel, world.user, SECRET_PROMPT, mention_bot=True)
        assert_declined_in_public(await reply_result(world, again))
        await idle(world.bot.jobs)
        assert len(direct_messages(world, int(world.user["id"]))) == 1
        assert "could not tell the requester privately" in caplog.text and "50007" in caplog.text


async def test_other_failures_keep_their_words_in_public_and_send_nothing_private(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "MODEL_UNAVAILABLE", "down"))
        interaction = await world.slash("imagine", {"prompt": "a cat"})
        message = await world.finished(interaction)
        assert "unavailable at the moment" in str(message.embeds) and "a cat" in str(message.embeds)
        assert message.component("Retry") and message.component("Dismiss")
        assert interaction.followups == [] and direct_messages(world, int(world.user["id"])) == []


async def test_retry_starts_a_new_admitted_and_charged_job(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "CONTENT_VIOLATION", "no"))
        failed = await world.finished(await world.slash("imagine", {"prompt": "try me", "mode": "max"}))
        failed_job = await job_by_message(world.bot.storage, failed.id)
        assert failed_job is not None
        assert await charge_state(world.bot.storage, failed_job.id) == ChargeState.REFUNDED
        assert len(button(failed, "Retry")) <= 100

        world.api.outcome(None)
        retried = await world.finished(await world.discord.click(failed, button(failed, "Retry"), user=world.user))
        assert len(retried.files) == 1 and retried.id != failed.id
        assert world.api.submits[1]["input"] == world.api.submits[0]["input"]
        job = await job_by_message(world.bot.storage, retried.id)
        assert job is not None and job.id != failed_job.id and job.user_id == failed_job.user_id
        assert await charge_state(world.bot.storage, job.id) == ChargeState.COMMITTED
        assert (await world.bot.quotas.guild_usage(world.guild.id)).spent_today_micros == 60_000


async def test_retry_is_refused_in_words_when_the_quota_says_no(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"DEFAULT_DAILY_USER_LIMIT": "1"}) as world:
        world.api.outcome(lambda body: ("failed", "MODEL_UNAVAILABLE", "down"))
        failed = await world.finished(await world.slash("imagine", {"prompt": "try me"}))
        world.api.outcome(None)
        await world.finished(await world.slash("imagine", {"prompt": "the refund gave me this one"}))
        click = await world.discord.click(failed, button(failed, "Retry"), user=world.user)
        await world.discord.wait_for(lambda: bool(click.responses))
        refusal = click.responses[0]["data"]
        assert refusal["flags"] & EPHEMERAL and "used your one image" in refusal["content"]
        assert "Nothing was charged" in refusal["content"]
        await idle(world.bot.jobs)
        assert len(world.api.submits) == 2 and await world.bot.storage.count_jobs() == 2


async def test_dismiss_is_refused_to_others_and_deletes_for_the_requester(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "CONTENT_VIOLATION", "no"))
        failed = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        custom_id = button(failed, "Dismiss")
        assert len(custom_id) <= 100

        bob = world.discord.add_member(world.guild, name="bob")["user"]
        click = await world.discord.click(failed, custom_id, user=bob)
        await world.discord.wait_for(lambda: bool(click.responses))
        refusal = click.responses[0]["data"]
        assert refusal["flags"] & EPHEMERAL
        assert "Only <@" in refusal["content"] and "can dismiss this message" in refusal["content"]
        assert not failed.deleted

        await world.discord.click(failed, custom_id, user=world.user)
        await world.discord.wait_for(lambda: failed.deleted)


async def test_dismiss_by_a_moderator_and_after_a_restart(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "MODEL_UNAVAILABLE", "down"))
        failed = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        await world.restart()  # the buttons are DynamicItems: a new process still answers them
        moderator = world.discord.add_member(world.guild, name="mod", permissions=MANAGE_MESSAGES)["user"]
        await world.discord.click(failed, button(failed, "Dismiss"), user=moderator)
        await world.discord.wait_for(lambda: failed.deleted)


async def test_retry_of_a_failed_edit_edits_the_same_source_image_again(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await world.finished(await world.slash("imagine", {"prompt": "a harbour"}))
        world.api.outcome(lambda body: ("failed", "PROCESSING_TIMEOUT", "slow"))
        click = await world.discord.click(result, button(result, "Edit"), user=world.user)
        await world.discord.wait_for(lambda: click.modal is not None)
        failed = await world.finished(await world.discord.submit_modal(click, {"What should change?": "add fog"}))
        assert failed.embeds and failed.component("Retry")

        world.api.outcome(None)
        retried = await world.finished(await world.discord.click(failed, button(failed, "Retry"), user=world.user))
        body = world.api.submits[-1]["input"]
        assert body["prompt"] == "add fog" and body["image_url"] == result.media_urls[0]
        assert len(retried.files) == 1 and f"/{result.id})" in retried.text, "the retry still links to its source"
