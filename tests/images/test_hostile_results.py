"""Result URLs that serve anything but a sane image: nothing is uploaded, the job is refunded, the user told."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from kontext.models import JobState
from kontext.quotas.records import ChargeState
from tests.harness import world_for
from tests.images.test_imaging import png_bomb
from tests.quotas.quota_support import charge_state
from tests.storage.support import job_by_message


@functools.cache
def hostile(kind: str) -> tuple[bytes, str]:
    """What a hostile or broken result host serves, and the content type it claims."""
    if kind == "text":
        return b"Service temporarily unavailable", "text/plain"
    if kind == "html":
        return b"<!doctype html><html><body><a href='http://evil.example'>login</a></body></html>", "text/html"
    side = int(kind.removeprefix("png-"))
    return png_bomb(side, side), "image/png"


CASES = [
    ("text", "NotAnImageError", "isn't a JPEG, PNG or WebP image"),
    ("html", "NotAnImageError", "isn't a JPEG, PNG or WebP image"),
    ("png-12000", "ImageTooLargeError", "(12,000 x 12,000 pixels), so I didn't open it"),
    ("png-20000", "ImageTooLargeError", "far larger than it ever makes"),
]


@pytest.mark.parametrize(("kind", "code", "sentence"), CASES, ids=[kind for kind, _, _ in CASES])
async def test_hostile_result_is_never_uploaded_and_the_job_is_refunded(
    tmp_path: Path, kind: str, code: str, sentence: str
) -> None:
    async with world_for(tmp_path) as world:
        world.api.serve(lambda body: hostile(kind))
        message = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        text = str(message.embeds[0])
        assert sentence in text and "You were not charged" in text
        assert message.files == [] and world.discord.files == {}, "nothing but a real image may be uploaded"
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and job.state == JobState.FAILED and job.fail_code == code
        assert await charge_state(world.bot.storage, job.id) == ChargeState.REFUNDED


async def test_a_real_result_next_to_hostile_ones_is_still_delivered(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.serve(lambda body: hostile("html") if "bad" in body["input"]["prompt"] else None)
        bad = await world.finished(await world.slash("imagine", {"prompt": "bad"}))
        good = await world.finished(await world.slash("imagine", {"prompt": "good"}))
        assert bad.files == [] and len(good.files) == 1
        assert len(world.discord.files) == 1


def _peak_rss_mb(pid: int) -> float:
    """The high-water mark of a live process's resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc")


async def test_twenty_bombs_in_flight_leave_the_bot_process_under_300_mb(tmp_path: Path) -> None:
    # The real bot.py in its own process, so its memory is its own. The upload limit is tiny so that, were a bomb
    # ever accepted, shrinking it to fit would decode it (12,000 x 12,000 RGB is 432 MB on its own).
    import signal

    from tests.bot_process import start_process
    from tests.fakes.apixo import FakeApixo
    from tests.fakes.discord import FakeDiscord
    from tests.harness import bot_env
    from tests.jobs.test_resilience import GENEROUS

    discord_fake, api = FakeDiscord(attachment_size_limit=5_000), FakeApixo(generation_time=0.3)
    await discord_fake.start()
    await api.start()
    api.serve(lambda body: hostile("png-12000" if int(body["input"]["prompt"].split()[-1]) % 2 else "png-20000"))
    guild = discord_fake.add_guild()
    user = discord_fake.add_member(guild, name="mallory")["user"]
    env = bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}", DEV_GUILD_ID=str(guild.id), **GENEROUS)
    process = await start_process(env, api_url=f"{discord_fake.base_url}/api/v10", gateway_url=discord_fake.gateway_url)
    try:
        await discord_fake.wait_for(lambda: guild.id in discord_fake.guild_commands, 30)
        await discord_fake.wait_ready(30)
        before = _peak_rss_mb(process.process.pid)
        interactions = [
            await discord_fake.send_slash("imagine", {"prompt": f"bomb {n}"}, guild=guild, user=user) for n in range(20)
        ]
        await discord_fake.wait_for(lambda: len(api.submits) == 20, 10)

        def all_failed() -> bool:
            return all(i.original is not None and i.original.embeds and not i.original.loading for i in interactions)

        await discord_fake.wait_for(all_failed, 60)
        peak = _peak_rss_mb(process.process.pid)
        assert peak < 300, f"the bot peaked at {peak:.0f} MB (it started at {before:.0f} MB)"
        for interaction in interactions:
            text = str(interaction.original.embeds[0])
            assert "so I didn't open it" in text and "You were not charged" in text
        assert discord_fake.files == {}
        process.process.send_signal(signal.SIGTERM)
        await process.wait(10)
    finally:
        await process.kill()
        await api.close()
        await discord_fake.close()
