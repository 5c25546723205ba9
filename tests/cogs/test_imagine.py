"""/imagine end to end: the real bot against the local fake Discord and fake image API."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontext.images.codec import sniff_format
from kontext.models import GenerationRequest, InvalidRequestError, JobState
from tests.fakes.discord.models import walk_components
from tests.harness import world_for
from tests.images.test_imaging import noisy_png
from tests.storage.support import job_by_message

CHANNEL_MESSAGE = 4
EPHEMERAL = 64


def _buttons(message) -> list[dict]:
    return [c for c in walk_components(message.components) if c.get("type") == 2]


async def test_imagine_happy_path_answers_with_progress_and_uploads_the_image(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        interaction = await world.slash("imagine", {"prompt": "a red fox in the snow", "aspect_ratio": "1:1"})
        message = await world.finished(interaction)
        placeholder = interaction.original

        # The answer is the job's progress, with an estimate that ticks on the client: no "thinking…" to replace.
        [answer] = interaction.responses
        assert answer["type"] == CHANNEL_MESSAGE and not (answer["data"].get("flags") or 0) & EPHEMERAL
        shown = answer["data"]["content"]
        assert shown.startswith("**Imagining** · pro · 1:1\n> a red fox in the snow\n🕒 Waiting for the model"), shown
        assert "· ready <t:" in shown and shown.endswith(":R>"), "no ticking estimate"
        assert answer["data"]["allowed_mentions"] == {"parse": []}
        # Nothing the user would read differently happened before the result: the only edit points at it.
        [collapsed] = placeholder.edits
        assert collapsed["content"].startswith("✅ Ready: https://discord.com/channels/")
        assert str(message.id) in collapsed["content"]

        task_id = next(iter(world.api.tasks))
        assert len(message.files) == 1
        filename, data = message.files[0]
        assert data == world.api.image_bytes_for(task_id)
        assert filename.startswith("kontext-a-red-fox-in-the-snow-") and filename.endswith(".jpeg")
        # The result is a Components V2 card: the image in a media gallery, then what was asked, by whom, for what.
        assert message.components_v2 and message.content == "" and message.embeds == []
        assert message.unshown_attachments == [] and len(message.media_urls) == 1
        assert message.media_urls[0] == message.component_media[0]["url"]
        text = message.text
        assert "a red fox in the snow" in text
        assert "**pro** ($0.03) · 1:1 · JPEG · upsampling off · safety 2 (balanced) · translation on" in text
        assert "no watermark" in text and "💵 $0.03" in text and " s · " in text
        assert f"requested by <@{world.user['id']}>" in text
        assert [button["label"] for button in _buttons(message)] == ["Re-roll", "Edit", "Delete"]
        mentions = message.allowed_mentions
        assert [int(user) for user in mentions["users"]] == [int(world.user["id"])]
        assert mentions["parse"] == []

        submitted = world.api.submits[0]["input"]
        assert submitted["prompt"] == "a red fox in the snow"
        assert submitted["aspect_ratio"] == "1:1"
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and job.state == JobState.DELIVERED and job.task_id == task_id


async def test_imagine_passes_every_option_to_the_api(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        options = {"prompt": "a lighthouse", "mode": "max", "format": "png", "upsample": True, "safety": 0}
        message = await world.finished(await world.slash("imagine", options))
        body = world.api.submits[0]
        assert body["request_type"] == "async"
        assert body["input"] == {
            "mode": "max",
            "prompt": "a lighthouse",
            "aspect_ratio": "16:9",
            "output_format": "png",
            "promptUpsampling": True,
            "enableTranslation": True,
            "safetyTolerance": 0,
            "uploadCn": False,
        }
        assert message.files[0][0].endswith(".png")
        assert "**max** ($0.06) · 16:9 · PNG · upsampling on · safety 0 (strict) · translation on" in message.text


async def test_imagine_card_shows_the_servers_watermark_and_escapes_the_prompt(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        await world.bot.quotas.update_settings(world.guild.id, watermark="ACME")
        message = await world.finished(await world.slash("imagine", {"prompt": "**bold** <@&1> [x](https://e.vil)"}))
        assert world.api.submits[0]["input"]["watermark"] == "ACME"
        assert "watermark “ACME”" in message.text
        assert "\\*\\*bold\\*\\* \\<@&1\\> \\[x\\](https://e.vil)" in message.text


async def test_imagine_refuses_an_empty_prompt_without_calling_the_api(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        interaction = await world.slash("imagine", {"prompt": "   "})
        await world.discord.wait_for(lambda: bool(interaction.responses))
        response = interaction.responses[0]
        assert response["type"] == CHANNEL_MESSAGE
        assert response["data"]["flags"] & EPHEMERAL
        assert "The prompt is empty" in response["data"]["content"]
        assert world.api.submits == []
        assert await world.bot.storage.count_jobs() == 0


def test_imagine_refuses_an_over_long_prompt_before_any_request() -> None:
    # Discord's client caps slash options at 6,000 characters, below the API's 10,000: this guards other paths.
    with pytest.raises(InvalidRequestError, match="10,001 characters long; the limit is 10,000"):
        GenerationRequest(prompt="x" * 10_001).validate()
    assert GenerationRequest(prompt="x" * 10_000).validate()


async def test_imagine_sends_the_longest_prompt_discord_allows_intact(tmp_path: Path) -> None:
    prompt = "a very detailed scene " * 272 + "end"  # 5,987 characters
    async with world_for(tmp_path) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": prompt}))
        assert world.api.submits[0]["input"]["prompt"] == prompt.strip()
        assert len(message.files) == 1


FAILURES = [
    ("CONTENT_VIOLATION", "content policy"),
    ("NSFW", "content policy"),
    ("IMAGE_DOWNLOAD_FAILED", "input image"),
    ("PromptLengthExceeded", "could not use this prompt"),
    ("PROCESSING_TIMEOUT", "took too long"),
    ("MODEL_UNAVAILABLE", "unavailable at the moment"),
    ("INSUFFICIENT_CREDITS", "out of credits"),
    ("SOMETHING_NEW", "could not make this image"),
]


@pytest.mark.parametrize(("fail_code", "sentence"), FAILURES, ids=[code for code, _ in FAILURES])
async def test_imagine_explains_each_failure_family(tmp_path: Path, fail_code: str, sentence: str) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", fail_code, "the service's own words"))
        interaction = await world.slash("imagine", {"prompt": "a cat"})
        message = await world.finished(interaction)
        text = str(message.embeds[0])
        if sentence == "content policy":
            # Told to the requester alone (tests/cogs/test_failures.py); the channel hears only "declined".
            assert "declined this request" in text and "a cat" not in text and "own words" not in text
            [private] = interaction.followups
            assert private.ephemeral
            text = private.content
        assert sentence in text
        assert "the service's own words" in text
        assert next(iter(world.api.tasks)) in text
        assert message.files == []
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and job.state == JobState.FAILED and job.fail_code == fail_code


API_ERRORS = [
    (401, "refused the bot's API key"),
    (402, "out of credits"),
    (429, "rate limited"),
    (500, "having trouble (error 500)"),
]


@pytest.mark.parametrize(("status", "sentence"), API_ERRORS, ids=[str(status) for status, _ in API_ERRORS])
async def test_imagine_explains_api_errors_on_submit(tmp_path: Path, status: int, sentence: str) -> None:
    async with world_for(tmp_path) as world:
        world.api.fail_submit(status, {"code": status, "message": "nope"}, times=10)
        message = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        assert sentence in str(message.embeds[0])
        assert world.api.tasks == {}


async def test_imagine_explains_a_malformed_answer(tmp_path: Path) -> None:
    # To a submit: a status query's malformed answers are asked again until the time limit
    # (tests/storage/test_outages.py).
    async with world_for(tmp_path) as world:
        world.api.malformed_submit(times=10)
        message = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        assert "couldn't read" in str(message.embeds[0])


async def test_imagine_gives_up_on_a_hanging_request(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"API_REQUEST_TIMEOUT": "0.2"}) as world:
        world.api.hang_submit()
        message = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        assert "did not answer in time" in str(message.embeds[0])


async def test_imagine_stops_waiting_at_the_time_limit(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"POLL_TIMEOUT": "0.3"}) as world:
        world.api.outcome(lambda body: "never")
        message = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        text = str(message.embeds[0])
        assert "stopped waiting" in text and "0.3 seconds" in text
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and job.fail_code == "TIMEOUT"


async def test_imagine_reencodes_an_oversize_result_to_fit_the_upload_limit(tmp_path: Path) -> None:
    big = noisy_png()
    limit = len(big) // 4
    async with world_for(tmp_path, discord_options={"attachment_size_limit": limit}) as world:
        world.api.result_bytes = big
        world.api.result_content_type = "image/png"
        message = await world.finished(await world.slash("imagine", {"prompt": "static", "format": "png"}))
        filename, data = message.files[0]
        assert len(data) <= limit
        assert sniff_format(data) == "jpeg" and filename.endswith(".jpeg")
        assert "Re-encoded" in message.text and message.unshown_attachments == []


async def test_imagine_links_a_result_that_never_fits(tmp_path: Path) -> None:
    async with world_for(tmp_path, discord_options={"attachment_size_limit": 200}) as world:
        world.api.result_bytes = noisy_png()
        message = await world.finished(await world.slash("imagine", {"prompt": "static"}))
        assert message.files == [] and message.components_v2
        assert "too large to upload" in message.text
        assert "/files/" in message.text
        assert [button["label"] for button in _buttons(message)] == ["Re-roll", "Delete"]  # nothing uploaded to edit


@pytest.mark.parametrize("cap", ["MAX_TASKS_IN_FLIGHT", "API_CONCURRENCY"])  # one process (SQLite): the smaller
async def test_imagine_shows_queue_position_beyond_the_cap(tmp_path: Path, cap: str) -> None:
    async with world_for(tmp_path, env={cap: "1"}, api_options={"generation_time": 0.3}) as world:
        first = await world.slash("imagine", {"prompt": "first"})
        await world.discord.wait_for(lambda: bool(world.api.submits))
        second = await world.slash("imagine", {"prompt": "second"})
        await world.discord.wait_for(
            lambda: (
                second.original is not None
                and any("in line" in (e.get("content") or "") for e in second.original.edits)
            )
        )
        assert "number 1 in line" in second.original.content or any(
            "number 1 in line" in (e.get("content") or "") for e in second.original.edits
        )
        for interaction in (first, second):
            message = await world.finished(interaction)
            assert len(message.files) == 1


async def test_imagine_refuses_where_the_bot_cannot_attach_files(tmp_path: Path) -> None:
    send_and_embed_only = (1 << 10) | (1 << 11) | (1 << 14)  # view channel, send messages, embed links
    async with world_for(tmp_path) as world:
        interaction = await world.slash("imagine", {"prompt": "a cat"}, app_permissions=send_and_embed_only)
        await world.discord.wait_for(lambda: bool(interaction.responses))
        response = interaction.responses[0]
        assert response["data"]["flags"] & EPHEMERAL
        assert "Attach Files" in response["data"]["content"]
        assert world.api.submits == []


def test_timeout_message_speaks_in_minutes_for_the_default_limit() -> None:
    from cogs.utils.errors import describe_error
    from kontext.api.errors import GenerationTimedOut

    text = describe_error(GenerationTimedOut("task_1", 120.0))
    assert text is not None and "after 2 minutes" in text and "task_1" in text


async def test_an_interaction_past_discords_3_seconds_is_dropped_before_anything_is_charged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # An overloaded process reads an interaction 4 s after Discord created it: Discord has told the user it failed,
    # so the bot reserves nothing, sends nothing (not even an error it could not deliver) and moves on.
    import datetime

    import discord

    from tests.fakes.discord import driving

    async with world_for(tmp_path) as world:
        first = await world.finished(await world.slash("imagine", {"prompt": "in time"}))  # the clock's offset: ~0
        created = discord.utils.utcnow() - datetime.timedelta(seconds=4)
        monkeypatch.setattr(driving, "new_snowflake", lambda: discord.utils.time_snowflake(created))
        late = await world.slash("imagine", {"prompt": "too late"})
        monkeypatch.undo()
        await world.discord.wait_for(lambda: "after Discord's 3 seconds" in caplog.text, 5.0)
        assert late.responses == []
        assert [body["input"]["prompt"] for body in world.api.submits] == ["in time"]
        assert await world.bot.storage.reserved_charges() == []
        message = await world.finished(await world.slash("imagine", {"prompt": "in time again"}))
        assert len(first.files) == 1 and len(message.files) == 1 and len(world.api.submits) == 2


async def test_a_first_answer_discord_refuses_as_expired_is_one_line_and_a_refund(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The interaction looked alive, but the deferral reached Discord after its 3 seconds (10062 Unknown interaction):
    # an overloaded process must not then spend a traceback and an error reply that cannot be delivered either.
    async with world_for(tmp_path) as world:
        world.discord.ack_deadline = -1.0  # every first answer arrives too late
        late = await world.slash("imagine", {"prompt": "too late"})
        await world.discord.wait_for(lambda: "after Discord's 3 seconds" in caplog.text, 5.0)
        assert late.responses == [] and world.api.submits == []
        assert await world.bot.storage.reserved_charges() == []
        assert "Traceback" not in caplog.text and "unhandled error" not in caplog.text
        assert "could not send an error message" not in caplog.text
        world.discord.ack_deadline = 3.0
        message = await world.finished(await world.slash("imagine", {"prompt": "in time"}))
        assert len(message.files) == 1


async def test_a_reservation_that_used_up_discords_3_seconds_sends_nothing_and_is_refunded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The command arrived in time, but the reservation (a busy database) took the rest of Discord's 3 seconds: the
    # bot checks again before answering, gives the reservation back and sends nothing Discord would refuse.
    import datetime

    import discord

    async with world_for(tmp_path) as world:
        await world.finished(await world.slash("imagine", {"prompt": "in time"}))  # the clock's offset: ~0
        real_now = discord.utils.utcnow
        reserve = world.bot.quotas.reserve

        async def slow_reserve(*args: object, **kwargs: object) -> object:
            reservation = await reserve(*args, **kwargs)
            monkeypatch.setattr(discord.utils, "utcnow", lambda: real_now() + datetime.timedelta(seconds=4))
            return reservation

        monkeypatch.setattr(world.bot.quotas, "reserve", slow_reserve)
        late = await world.slash("imagine", {"prompt": "reserved too slowly"})
        await world.discord.wait_for(lambda: "after Discord's 3 seconds" in caplog.text, 5.0)
        monkeypatch.undo()
        assert late.responses == []
        assert [body["input"]["prompt"] for body in world.api.submits] == ["in time"]
        assert await world.bot.storage.reserved_charges() == []


async def test_a_host_clock_ahead_of_discords_drops_no_live_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The host's clock runs 20 s fast: every interaction looks 20 s old. The offset its interactions show is allowed
    # for, so every live command is answered; only one really late by Discord's clock is dropped.
    import datetime

    import discord

    from tests.fakes.discord import driving

    real_now = discord.utils.utcnow
    monkeypatch.setattr(discord.utils, "utcnow", lambda: real_now() + datetime.timedelta(seconds=20))
    async with world_for(tmp_path) as world:
        for n in range(3):
            message = await world.finished(await world.slash("imagine", {"prompt": f"live {n}"}))
            assert len(message.files) == 1
        created = real_now() - datetime.timedelta(seconds=5)
        with monkeypatch.context() as late_ids:
            late_ids.setattr(driving, "new_snowflake", lambda: discord.utils.time_snowflake(created))
            late = await world.slash("imagine", {"prompt": "too late"})
        await world.discord.wait_for(lambda: "after Discord's 3 seconds" in caplog.text, 5.0)
        assert late.responses == [] and len(world.api.submits) == 3
