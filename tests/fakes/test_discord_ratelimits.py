"""Self-tests of the fake Discord's rate limits: per-route buckets that refuse with 429, and off by default."""

from __future__ import annotations

import aiohttp
import pytest

from tests.fakes import support as fake_discord_support
from tests.fakes.discord import FakeDiscord
from tests.fakes.support import Clock, TinyBot, World

world = fake_discord_support.world  # the shared fixtures: pytest finds them by these names in this module
bot = fake_discord_support.bot


async def test_fake_discord_rate_limits_refuse_with_429_via_and_retry_after() -> None:
    clock = Clock()
    fake = FakeDiscord(clock=clock, rate_limits=True)
    await fake.start()
    url = f"{fake.base_url}/api/v10/webhooks/{fake.application_id}/some-token/messages/@original"
    try:
        async with aiohttp.ClientSession() as session:
            remaining = []
            for _ in range(5):
                async with session.patch(url, json={"content": "x"}) as response:
                    remaining.append(response.headers["X-RateLimit-Remaining"])
                    assert response.headers["X-RateLimit-Limit"] == "5"
                    assert float(response.headers["X-RateLimit-Reset-After"]) == pytest.approx(5.0)
            async with session.patch(url, json={"content": "x"}) as response:
                assert response.status == 429 and response.headers["Via"]
                assert (await response.json())["retry_after"] == pytest.approx(5.0)
            async with session.patch(url.replace("some-token", "other-token"), json={}) as response:
                assert response.status != 429  # another interaction's bucket
            clock.advance(5.0)
            async with session.patch(url, json={"content": "x"}) as response:
                assert response.status != 429 and response.headers["X-RateLimit-Remaining"] == "4"
    finally:
        await fake.close()
    assert remaining == ["4", "3", "2", "1", "0"]
    assert fake.rate_limits is not None and fake.rate_limits.refused == 1
    assert [r.status for r in fake.requests].count(429) == 1


async def test_fake_discord_rate_limits_are_off_by_default(world: World, bot: TinyBot) -> None:
    await world.fake.send_slash("render", {"prompt": "a cat"}, guild=world.guild, user=world.alice)
    await world.fake.wait_for(lambda: world.fake.requests_to("PATCH", r"/messages/@original"))

    assert world.fake.rate_limits is None
    assert all(r.status != 429 for r in world.fake.requests)
