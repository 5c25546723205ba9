"""Hostile words through the real bot: failures for huge markdown prompts reach the user, inert and within limits;
the API's failMsg is shown without keys or signed URLs; a refused edit still gets a plain answer."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tests.cogs.test_edit import button, reply_result
from tests.fakes.discord import limits as limits
from tests.harness import World, idle, world_for
from tests.storage.support import job_by_message

# 10,000 characters of markdown, a masked link and mentions: escaped, this doubles, far past an embed field's 1,024.
UNIT = "**b** __u__ ~~s~~ ||x|| `c` > q # h - l [click](http://evil.example/login) <@123456789012345678> <@&42> "
PROMPT = (UNIT * (10_000 // len(UNIT) + 1))[:10_000]
SLASH_PROMPT = PROMPT[:6000]  # Discord's client caps a slash option at 6,000 characters (the fake refuses more)
FAIL_MSG = "moderation said ** no ** __ " * 20
# Not a content-policy code: those show no prompt in public at all (tests/cogs/test_failures.py).


def assert_within_limits_and_inert(world: World, message) -> None:
    """The failure the user sees: within every limit the fake enforces, the prompt shown inert."""
    assert message.embeds, "the user was never told the job failed"
    errs = limits.FormErrors()
    limits.check_message({"content": message.content, "embeds": message.embeds}, errs)
    assert errs.errors == {}
    embed = message.embeds[0]
    assert embed["title"] == "Couldn't make this image" and "You were not charged" in embed["description"]
    shown = embed["fields"][0]["value"]
    assert len(shown) <= limits.MAX_FIELD_VALUE
    assert re.search(r"(?<!\\)\[click(?<!\\)\]\(", shown) is None, "a masked link in a prompt must not render"
    assert re.search(r"(?<!\\)<@", shown) is None, "a mention in a prompt must not render"


async def test_imagine_failure_for_a_huge_markdown_prompt_is_delivered_within_limits(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "PROMPT_TOO_LONG", FAIL_MSG))
        message = await world.finished(await world.slash("imagine", {"prompt": SLASH_PROMPT}))
        assert_within_limits_and_inert(world, message)
        assert world.api.submits[0]["input"]["prompt"] == SLASH_PROMPT.strip(), (
            "the prompt itself goes to the API untouched"
        )


async def test_mention_failure_for_a_huge_markdown_prompt_is_delivered_within_limits(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "PROMPT_TOO_LONG", FAIL_MSG))
        request = await world.discord.post_message(world.channel, world.user, PROMPT, mention_bot=True)
        assert_within_limits_and_inert(world, await reply_result(world, request))


async def test_button_failure_for_a_huge_markdown_prompt_is_delivered_within_limits(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await world.finished(await world.slash("imagine", {"prompt": SLASH_PROMPT}))
        assert len(result.files) == 1
        errs = limits.FormErrors()
        limits.check_message({"flags": result.flags, "components": result.components}, errs)
        assert errs.errors == {} and result.components_v2
        assert "\\[click\\](http" in result.text and "…" in result.text  # escaped, then cut to what the card leaves
        assert re.search(r"(?<!\\)<@", result.text.split("requested by")[0]) is None, "the prompt's mentions are inert"
        world.api.outcome(lambda body: ("failed", "PROMPT_TOO_LONG", FAIL_MSG))
        rerolled = await world.finished(await world.discord.click(result, button(result, "Re-roll"), user=world.user))
        assert_within_limits_and_inert(world, rerolled)


async def test_fail_msg_is_shown_without_keys_tokens_or_signatures(tmp_path: Path) -> None:
    leaky = (
        "upstream https://storage.example/out/a.png?X-Amz-Signature=0f9e8d7c6b5a&X-Amz-Credential=AKIA123 failed; "
        "sent Authorization: Bearer eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl with api_key=test-api-key "
        "session 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    )
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "GENERATION_FAILED", leaky))
        message = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        shown = str(message.embeds[0])
        assert "The service said" in shown and "storage.example/out/a.png" in shown
        for secret in ("test-api-key", "0f9e8d7c6b5a", "AKIA123", "eyJhbGciOi", "9f86d081884c7d65"):
            assert secret not in shown
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and "test-api-key" not in (job.fail_message or "")


async def test_a_refused_failure_edit_falls_back_to_plain_words_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cogs.utils.delivery")
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: "never")
        interaction = await world.slash("imagine", {"prompt": "a cat"})
        await world.discord.wait_for(lambda: len(world.api.tasks) == 1 and world.api.last_task.state == "processing")
        # The answer shows the job's progress from the start: the next edit of the placeholder is the failure.
        assert interaction.original is not None and "Waiting for the model" in interaction.original.content
        refusal = {"code": 50035, "message": "Invalid Form Body", "errors": {"embeds": {"0": {"_errors": []}}}}
        world.discord.fail_next("PATCH", r"/messages/@original", status=400, json=refusal)
        task = world.api.last_task
        task.fail_code, task.fail_msg, task.never = "PROMPT_TOO_LONG", "no", False
        await world.discord.wait_for(lambda: "Couldn't make this image" in (interaction.original.content or ""))
        await idle(world.bot.jobs)
        message = interaction.original
        assert message.embeds == [] and "You were not charged" in message.content
        assert "Discord refused the failure message (code 50035" in caplog.text
        assert "field 'Prompt'" in caplog.text
