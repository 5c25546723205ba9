"""Delivery that outlives Discord's limits: expired interaction tokens and deleted placeholders."""

from __future__ import annotations

import time
from pathlib import Path

from tests.harness import idle, world_for
from tests.storage.support import job_by_message


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def test_a_job_that_outlives_the_interaction_token_still_delivers_by_bot_token(tmp_path: Path) -> None:
    clock = Clock()
    async with world_for(tmp_path, discord_options={"clock": clock}, api_options={"generation_time": 0.3}) as world:
        interaction = await world.slash("imagine", {"prompt": "a slow cathedral"})
        await world.discord.wait_for(lambda: interaction.original is not None and bool(interaction.original.edits))
        clock.advance(16 * 60)  # the interaction token is dead from here on
        message = await world.finished(interaction)
        assert len(message.files) == 1
        assert message.files[0][1] == world.api.image_bytes_for(next(iter(world.api.tasks)))
        expired = [r for r in world.discord.requests if r.path.startswith("/webhooks/") and r.status == 401]
        assert expired, "the test should have made the token expire"
        by_bot = world.discord.requests_to("PATCH", rf"/channels/\d+/messages/{message.id}$")
        assert by_bot and by_bot[-1].files, "the result should have been uploaded with the bot token"


async def test_a_deleted_placeholder_gets_the_result_in_a_new_message(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        interaction = await world.slash("imagine", {"prompt": "a fleeting thought"})
        await world.discord.wait_for(lambda: interaction.original is not None and bool(interaction.original.edits))
        interaction.original.deleted = True
        await idle(world.bot.jobs)
        posted = [
            m for m in world.discord.channel_messages(world.channel) if m.files and m.id != interaction.original.id
        ]
        assert len(posted) == 1
        assert f"<@{world.user['id']}>" in posted[0].text and posted[0].components_v2
        assert [int(user["id"]) for user in posted[0].mentions] == [int(world.user["id"])]  # a new message: a ping
        job = await job_by_message(world.bot.storage, posted[0].id)
        assert job is not None and job.state == "delivered"


async def test_a_deleted_reply_placeholder_gets_the_result_as_a_reply_to_the_request(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        request = await world.discord.post_message(world.channel, world.user, "a lighthouse", mention_bot=True)

        def placeholder():
            return next((m for m in world.discord.channel_messages(world.channel) if m.referenced is request), None)

        await world.discord.wait_for(lambda: placeholder() is not None)
        placeholder().deleted = True

        def replies():
            return [m for m in world.discord.channel_messages(world.channel) if m.referenced is request and m.files]

        await world.discord.wait_for(lambda: bool(replies()))
        await idle(world.bot.jobs)
        assert len(replies()) == 1


async def test_discord_rate_limits_are_survived(tmp_path: Path) -> None:
    # (discord.py also retries 5xx itself, after fixed real-time sleeps; that is its code, not tested here.)
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        world.discord.fail_next("PATCH", r"/messages/@original$", status=429, times=3)
        interaction = await world.slash("imagine", {"prompt": "through the storm"})
        message = await world.finished(interaction)
        assert len(message.files) == 1
        throttled = [r for r in world.discord.requests if r.status == 429]
        assert len(throttled) == 3
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and job.state == "delivered"
