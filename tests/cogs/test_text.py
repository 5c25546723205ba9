"""Users' words in Discord's fields: inert, cut after escaping, and every renderer's payload within Discord's limits."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogs.generate import EditImageModal
from cogs.utils import text
from cogs.utils.cards import result_card
from cogs.utils.delivery import failure_embed, render_progress
from cogs.utils.errors import UserError, describe_error, send_ephemeral
from cogs.utils.i18n import LANGUAGES
from cogs.utils.text import code, cut, fit, inert, quote
from kontext.api.errors import ApiStatusError, GenerationFailed, GenerationTimedOut, NotAnImageError
from kontext.images.sources import ImageSource
from kontext.jobs.delivery import Outcome, Progress
from kontext.models import GenerationRequest, InvalidRequestError, Job, JobState
from tests.fakes.discord import limits as limits

MARKDOWN_PROMPT = ("**bold** __u__ ~~s~~ ||spoiler|| `code` > quote # head - list \\ [x](http://evil.example) " * 200)[
    :10_000
]


def test_inert_escapes_markdown_links_and_mentions() -> None:
    shown = inert("**hi** [click](http://evil.example) <@123456789012345678> <@&42> @everyone @here <#1> `x`")
    assert "\\*\\*hi\\*\\*" in shown
    assert "\\[click\\](http://evil.example)" in shown, "a masked link must not render"
    assert "\\<@123456789012345678\\>" in shown and "\\<@&42\\>" in shown and "\\<\\#1\\>" in shown
    assert "@everyone" not in shown and "@here" not in shown
    assert "\\`x\\`" in shown


def test_inert_keeps_bare_links_whole() -> None:
    assert inert("see https://example.com/a_b-c*d") == "see https://example.com/a_b-c*d"


def test_fit_escapes_first_and_cuts_second() -> None:
    shown = fit("*" * 900, text.FIELD_VALUE)
    # 900 stars escape to 1,800 characters: the cut keeps whole escape pairs, so one character may go unused.
    assert text.FIELD_VALUE - 1 <= len(shown) <= text.FIELD_VALUE
    assert shown.endswith("\\*…")


@pytest.mark.parametrize("limit", range(2, 12))
def test_cut_never_leaves_a_dangling_escape(limit: int) -> None:
    shown = fit("a*b\\c_d*e", limit)
    body = shown.removesuffix("…")
    assert len(shown) <= limit
    assert (len(body) - len(body.rstrip("\\"))) % 2 == 0


def test_cut_keeps_short_text_as_it_is() -> None:
    assert cut("short", 10) == "short"


def test_quote_is_one_line_within_its_limit() -> None:
    quoted = quote("line one\nline two\n" * 500, 300)
    assert quoted.startswith("> ") and "\n" not in quoted and len(quoted) <= 300


def test_code_cannot_be_broken_out_of() -> None:
    assert code("ab`<@1>`cd", 100) == "`ab'<@1>'cd`"
    assert len(code("x" * 500, 100)) == 100


# --- every renderer, random input, Discord's limits as the fake enforces them -----------------------------------

_TOKENS = st.one_of(
    st.sampled_from(list("*_~|`>#-[]()<@&!:\\ \n")),
    st.sampled_from(["@everyone", "@here", "<@123456789012345678>", "<@&42>", "[x](http://evil.example)"]),
    st.sampled_from(["https://x.io/a_b?X-Amz-Signature=abc123", "Bearer abcdef123456", "*" * 500, "\\" * 301]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
)
_TEXT = st.lists(_TOKENS, max_size=400).map("".join)
_HUGE = "*<@1>[x](http://e.io) " * 600  # 12,000 characters, 30,000 once escaped
_LOOP = asyncio.new_event_loop()


def _job(prompt: str, task_id: str | None = None, locale: str | None = None) -> Job:
    return Job(
        id="0123456789abcdef",
        user_id=123456789012345678,
        channel_id=1,
        guild_id=2,
        request=GenerationRequest(prompt=prompt),
        task_id=task_id,
        source_message_id=3,
        locale=locale,
    )


def _check(payload: dict[str, Any]) -> None:
    errs = limits.FormErrors()
    limits.check_message(payload, errs)
    errs.raise_if_any()


def _errors(message: str, task_id: str) -> list[BaseException]:
    return [
        GenerationFailed("CONTENT_VIOLATION", message, task_id=task_id),
        GenerationFailed(message[:40], message, task_id=task_id),
        GenerationTimedOut(task_id, 120),
        ApiStatusError(400, api_message=message),
        UserError("settings-refused", reason=message),
        UserError("settings-bad-amount", text=message[:20]),
        InvalidRequestError(message),
        NotAnImageError(len(message)),
    ]


class _Response:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def is_done(self) -> bool:
        return False

    async def send_message(self, content: str, *, ephemeral: bool) -> None:
        self.sent.append(content)


class _Interaction:
    id = 1

    def __init__(self) -> None:
        self.response = _Response()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(
    prompt=_TEXT,
    message=_TEXT,
    task_id=_TEXT,
    state=st.sampled_from(list(JobState)),
    language=st.sampled_from(LANGUAGES),
)
def test_every_renderer_stays_within_discords_limits(
    prompt: str, message: str, task_id: str, state: JobState, language: str
) -> None:
    job = _job(prompt or "x", task_id or None, language)
    mention = f"<@{job.user_id}>"
    for late in (False, True):
        _check({"content": render_progress(job, Progress(state, queue_position=99, estimate_at=2e9, late=late))})
    outcome = Outcome(image=b"", result_url="https://files.example/r.png", seconds=12.3)
    for note in (None, message):
        for filename in ("kontext-x.png", None):

            async def card(note: str | None = note, filename: str | None = filename) -> list[dict[str, Any]]:
                view = result_card(job, outcome, price_micros=30_000, filename=filename, note=note, aspect_auto=True)
                return view.to_components()

            _check({"flags": 1 << 15, "components": _LOOP.run_until_complete(card())})
    for error in _errors(message, task_id or "t"):
        for refunded in (False, True):
            _check({"content": mention, "embeds": [failure_embed(job, error, refunded=refunded).to_dict()]})
        interaction = _Interaction()
        words = describe_error(error, language) or ""
        _LOOP.run_until_complete(send_ephemeral(interaction, words))  # type: ignore[arg-type]
        _check({"content": interaction.response.sent[0]})


@settings(max_examples=30, deadline=None)
@given(
    names=st.lists(_TEXT.map(lambda name: name[:300] + ".png"), min_size=2, max_size=30),
    instruction=_TEXT,
    language=st.sampled_from(LANGUAGES),
)
def test_the_edit_modal_stays_within_discords_limits(names: list[str], instruction: str, language: str) -> None:
    async def build() -> dict[str, Any]:
        images = [ImageSource(url=f"https://cdn.example/{n}.png", filename=name) for n, name in enumerate(names)]
        return EditImageModal(None, images, language).to_dict()  # type: ignore[arg-type]

    limits.check_modal(_LOOP.run_until_complete(build()))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_renderer_stays_within_discords_limits_at_the_extremes(language: str) -> None:
    test_every_renderer_stays_within_discords_limits.hypothesis.inner_test(  # type: ignore[attr-defined]
        prompt=_HUGE, message=_HUGE, task_id=_HUGE, state=JobState.PROCESSING, language=language
    )


def test_failure_embed_quotes_a_markdown_prompt_inert_and_within_the_field() -> None:
    embed = failure_embed(_job(MARKDOWN_PROMPT), GenerationFailed("X", "no"), refunded=True).to_dict()
    value = embed["fields"][0]["value"]
    assert len(value) <= text.FIELD_VALUE
    assert re.search(r"(?<!\\)\[x(?<!\\)\]\(http", value) is None
    _check({"content": "x", "embeds": [embed]})
