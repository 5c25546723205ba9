"""/help, "@Bot help" and the welcome a server gets when it adds the bot: through the real bot and the fakes."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.discord import FakeMessage
from tests.harness import World, idle, world_for

EPHEMERAL = 64


async def _bot_messages_in(world: World, channel: dict) -> list[FakeMessage]:
    bot_id = world.discord.bot_user["id"]
    return [m for m in world.discord.channel_messages(channel) if m.author["id"] == bot_id]


async def test_help_says_what_the_bot_does_each_command_tips_the_users_quota_and_prices(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        await world.finished(await world.slash("imagine", {"prompt": "a red fox"}))
        interaction = await world.slash("help")
        await world.discord.wait_for(lambda: bool(interaction.responses))
        data = interaction.responses[0]["data"]
        assert data["flags"] & EPHEMERAL
        text = str(data["embeds"][0])
        assert "FLUX Kontext" in text
        for command in (
            "/imagine",
            "/edit",
            "Edit image",
            "Re-roll",
            "/history",
            "/show",
            "/quota",
            "/settings",
            "/usage",
        ):
            assert command in text, command
        assert "keep the same face and pose" in text and "Replace 'OPEN' with 'CLOSED'" in text
        assert "1 of 25 images today" in text and "**24 left**" in text
        assert "**pro** $0.03 per image" in text and "**max** $0.06 per image" in text
        assert len(world.api.submits) == 1  # only the image made above


async def test_help_says_when_a_server_forbids_max_mode(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        await world.bot.quotas.update_settings(world.guild.id, allow_max=False)
        interaction = await world.slash("help")
        await world.discord.wait_for(lambda: bool(interaction.responses))
        assert "not allowed in this server" in str(interaction.responses[0]["data"]["embeds"][0])


async def test_mention_help_answers_with_help_charges_nothing_and_calls_no_api(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        request = await world.discord.post_message(world.channel, world.user, "help", mention_bot=True)

        def answer() -> FakeMessage | None:
            return next((m for m in world.discord.channel_messages(world.channel) if m.referenced is request), None)

        await world.discord.wait_for(lambda: answer() is not None)
        await idle(world.bot.jobs)
        reply = answer()
        assert reply is not None and "/imagine" in reply.text and "0 of 25 images today" in reply.text
        assert reply.mentions == []
        assert world.api.submits == [] and world.api.tasks == {}
        usage = await world.bot.quotas.user_usage(world.guild.id, int(world.user["id"]))
        server = await world.bot.quotas.guild_usage(world.guild.id)
        assert usage.images_today == 0 and server.spent_today_micros == 0 and server.today.reserved == 0
        assert await world.bot.storage.count_jobs() == 0


async def test_joining_a_server_posts_one_welcome_in_its_system_channel(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        joined = world.discord.add_guild(name="New Server", system_channel=True)
        channel = joined.channels[0]
        await world.discord.wait_for(lambda: world.bot.get_guild(joined.id) is not None)
        await world.discord.wait_for(lambda: bool(world.discord.channel_messages(channel)))
        (welcome,) = await _bot_messages_in(world, channel)
        text = welcome.text
        assert "Thanks for adding me" in text and "/imagine" in text
        assert "$0.03" in text and "$0.06" in text
        assert "/settings daily-limit" in text and "/settings daily-cap" in text and "25 images a day" in text
        # Only a server new to the bot is welcomed: one already known (READY at a restart) gets nothing.
        await world.restart()
        assert len(await _bot_messages_in(world, channel)) == 1
        assert await _bot_messages_in(world, world.channel) == []


async def test_joining_a_server_without_a_system_channel_posts_nothing(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        joined = world.discord.add_guild(name="Quiet Server")
        await world.discord.wait_for(lambda: world.bot.get_guild(joined.id) is not None)
        await world.bot.wait_until_ready()
        assert world.discord.requests_to("POST", r"/channels/\d+/messages$") == []
