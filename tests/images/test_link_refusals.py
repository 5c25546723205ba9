"""Links into the bot's own network, end to end: the real bot with its link guard on, against a listener it must
never reach on 127.0.0.1 (a mention, a replied-to embed, the Edit image menu, and a redirect from an allowed host)."""

from __future__ import annotations

from pathlib import Path

from kontext.images.sources import LINK_REFUSED
from tests.cogs.test_edit import refusal, reply_result
from tests.fakes.discord import FakeMessage
from tests.harness import World, world_for
from tests.images.link_support import counting_listener, redirect_server


async def assert_refused_for_free(world: World, request: FakeMessage) -> None:
    """One neutral answer to the request, nothing sent to the API, nothing reserved or charged."""
    answer = await reply_result(world, request)
    assert answer.content == LINK_REFUSED
    bot_id = world.discord.bot_user["id"]
    assert [m for m in world.discord.messages.values() if m.author["id"] == bot_id] == [answer], "one answer only"
    await assert_free(world)


async def assert_free(world: World) -> None:
    assert world.api.submits == [] and world.api.status_calls == 0
    usage = await world.bot.quotas.guild_usage(world.guild.id)
    assert usage.spent_today_micros == 0 and usage.today.committed == 0


async def test_a_link_to_a_local_listener_in_a_mention_never_reaches_it(tmp_path: Path) -> None:
    async with counting_listener() as listener, world_for(tmp_path) as world:
        request = await world.discord.post_message(
            world.channel, world.user, f"make it night {listener.url}", mention_bot=True
        )
        await assert_refused_for_free(world, request)
        assert listener.connections == 0


async def test_a_replied_to_embed_of_a_local_listener_never_reaches_it(tmp_path: Path) -> None:
    async with counting_listener() as listener, world_for(tmp_path, env={"MESSAGE_CONTENT_INTENT": "true"}) as world:
        embed = {"type": "image", "url": listener.url, "thumbnail": {"url": listener.url, "width": 64, "height": 64}}
        original = await world.discord.post_message(world.channel, world.user, listener.url, embeds=[embed])
        request = await world.discord.post_message(
            world.channel, world.user, "make it night", reference=original, mention_bot=True
        )
        await assert_refused_for_free(world, request)
        assert listener.connections == 0


async def test_a_public_looking_redirect_to_a_local_listener_is_not_followed(tmp_path: Path) -> None:
    async with (
        counting_listener() as listener,
        redirect_server() as redirector,
        world_for(tmp_path, bot_options={"link_allow": [redirector.endpoint]}) as world,
    ):
        link = redirector.to(f"http://localhost:{listener.port}/secret.png")
        request = await world.discord.post_message(world.channel, world.user, f"add a moon {link}", mention_bot=True)
        await assert_refused_for_free(world, request)
        assert listener.connections == 0


async def test_the_edit_image_menu_on_an_embed_of_a_local_listener_never_reaches_it(tmp_path: Path) -> None:
    async with counting_listener() as listener, world_for(tmp_path) as world:
        embed = {"type": "image", "url": listener.url, "thumbnail": {"url": listener.url, "width": 64, "height": 64}}
        target = await world.discord.post_message(world.channel, world.user, listener.url, embeds=[embed])
        menu = await world.discord.send_message_command("Edit image", target, guild=world.guild, user=world.user)
        await world.discord.wait_for(lambda: menu.modal is not None)
        submitted = await world.discord.submit_modal(menu, {"What should change?": "make it night"})
        assert await refusal(world, submitted) == LINK_REFUSED
        await assert_free(world)
        assert listener.connections == 0
