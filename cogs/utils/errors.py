"""The one place that turns exceptions into words for users: the CommandTree subclass and its vocabulary."""

from __future__ import annotations

import collections
import datetime
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from cogs.utils.i18n import t
from cogs.utils.text import CONTENT, code, cut, fit
from kontext.api.breaker import ServiceUnavailableNow
from kontext.api.errors import (
    ApiStatusError,
    AuthenticationError,
    FailureFamily,
    GenerationFailed,
    GenerationTimedOut,
    ImageTooLargeError,
    InsufficientBalanceError,
    KontextError,
    NotAnImageError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)
from kontext.jobs.admission import AlreadyStarting
from kontext.jobs.service import ShuttingDown, SubmitInterrupted
from kontext.metrics import error_kind
from kontext.models import InvalidRequestError
from kontext.money import format_usd
from kontext.quotas.models import LimitKind, QuotaExceeded
from kontext.storage.outages import StorageUnavailable

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

_QUOTED_MAX = 300  # characters of the API's own words quoted to users, once escaped

FAMILY_KEYS: dict[FailureFamily, str] = {family: f"family-{family.value.replace('_', '-')}" for family in FailureFamily}
PERMISSION_KEYS = {
    name: f"permission-{name.replace('_', '-')}"
    for name in (
        "send_messages",
        "attach_files",
        "embed_links",
        "read_message_history",
        "view_channel",
        "manage_guild",
        "manage_messages",
    )
}


class UserError(app_commands.AppCommandError):
    """An error meant for the user: a catalogue key and its values, said in the user's language."""

    def __init__(self, key: str, /, **values: Any) -> None:
        super().__init__(key)
        self.key, self.values = key, values

    def words(self, locale: object) -> str:
        return t(locale, self.key, **self.values)


def when(timestamp: float | None, locale: object = None) -> str:
    """A Discord timestamp that counts down on the client, in the client's language ("in 3 hours")."""
    if timestamp is None:
        return t(locale, "later")
    return discord.utils.format_dt(datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC), "R")


def personal_limit_reached(limit: int, reset: str, locale: object = None) -> str:
    """The personal daily limit (DMs, group DMs, servers without the bot) refused a request."""
    return t(locale, "personal-limit-reached", limit=limit, when=reset)


def personal_generation_off(locale: object = None) -> str:
    """PERSONAL_DAILY_LIMIT is 0: no images outside servers that added the bot."""
    return t(locale, "personal-generation-off")


def describe_quota(error: QuotaExceeded, locale: object = None) -> str:
    """Which limit refused a request, what is left, and when it resets."""
    kind, reset = error.kind, when(error.resets_at, locale)
    if kind is LimitKind.USER_DAILY and error.personal:
        text = personal_limit_reached(error.limit or 0, reset, locale)
    elif kind is LimitKind.DISABLED and error.personal:
        text = personal_generation_off(locale)
    elif kind is LimitKind.DISABLED:
        text = t(locale, "quota-disabled")
    elif kind is LimitKind.CHANNEL:
        places = ", ".join(f"<#{channel}>" for channel in sorted(error.channel_ids)[:10])
        text = t(locale, "quota-channel", channels=places) if places else t(locale, "quota-channel-nowhere")
    elif kind is LimitKind.MAX_MODE:
        text = t(locale, "quota-max-mode")
    elif kind is LimitKind.COOLDOWN:
        text = t(locale, "quota-cooldown", when=reset)
    elif kind is LimitKind.CONCURRENCY:
        text = t(locale, "quota-concurrency", used=error.used or 0, limit=error.limit or 0)
    elif kind is LimitKind.USER_DAILY and error.images > 1 and error.remaining:
        text = t(
            locale,
            "quota-batch-daily",
            images=error.images,
            remaining=error.remaining,
            limit=error.limit or 0,
            when=reset,
        )
    elif kind is LimitKind.USER_DAILY:
        text = t(locale, "quota-user-daily", limit=error.limit or 0, when=reset)
    elif kind is LimitKind.GLOBAL_DAILY:
        text = t(locale, "quota-global-daily", when=reset)
    else:
        period = "daily" if kind is LimitKind.GUILD_DAILY else "monthly"
        used, cap = error.used or 0, error.limit or 0
        amounts = {"used": format_usd(used), "cap": format_usd(cap), "when": reset}
        if used >= cap:
            # Reached (or passed, when an admin lowered the cap below what was already spent): nothing is "left".
            text = t(locale, f"quota-guild-{period}-reached", **amounts)
        else:
            left, needed = format_usd(error.remaining or 0), format_usd(error.needed or 0)
            if error.images > 1:  # a batch: what it would cost as a whole
                text = t(
                    locale, f"quota-guild-{period}-left-batch", left=left, needed=needed, images=error.images, **amounts
                )
            else:
                text = t(locale, f"quota-guild-{period}-left", left=left, needed=needed, **amounts)
    return f"{text}\n{t(locale, 'not-charged')}"


def permission_list(names: list[str], locale: object = None) -> str:
    """Discord's permission names as its client shows them, in bold."""
    return ", ".join(
        f"**{t(locale, PERMISSION_KEYS[n]) if n in PERMISSION_KEYS else n.replace('_', ' ').title()}**" for n in names
    )


def describe_error(error: BaseException, locale: object = None) -> str | None:
    """One friendly paragraph for a known error in the user's language, or None for a bug the user can't help."""
    if isinstance(error, UserError):
        return error.words(locale)
    if isinstance(error, InvalidRequestError):
        return describe_invalid(error, locale)
    if isinstance(error, QuotaExceeded):
        return describe_quota(error, locale)
    if isinstance(error, ServiceUnavailableNow):
        return f"{t(locale, 'error-breaker', when=when(error.retry_at, locale))}\n{t(locale, 'not-charged')}"
    if isinstance(error, AlreadyStarting):
        return t(locale, "error-already-starting")
    if isinstance(error, StorageUnavailable):
        return f"{t(locale, 'error-storage')}\n{t(locale, 'not-charged')}"
    if isinstance(error, ShuttingDown):
        return f"{t(locale, 'error-shutting-down')}\n{t(locale, 'not-charged')}"
    if isinstance(error, SubmitInterrupted):
        return t(locale, "error-submit-interrupted")
    if isinstance(error, GenerationFailed):
        lines = [t(locale, FAMILY_KEYS[error.family])]
        if error.fail_msg:
            lines.append(t(locale, "service-said", words=fit(error.fail_msg, _QUOTED_MAX)))
        if error.task_id:
            lines.append(t(locale, "task-line", task=code(error.task_id, 100)))
        return "\n".join(lines)
    if isinstance(error, GenerationTimedOut):
        waited = error.waited
        minutes = int(waited // 60) if waited >= 60 and waited % 60 == 0 else 0
        seconds = int(waited) if waited == int(waited) else waited  # a whole number takes each language's plural
        stopped = t(locale, "error-timed-out", minutes=minutes, seconds=seconds)
        return f"{stopped}\n{t(locale, 'task-line', task=code(error.task_id, 100))}"
    if isinstance(error, KontextError):
        return _describe_api_error(error, locale)
    if isinstance(error, app_commands.BotMissingPermissions | app_commands.MissingPermissions):
        key = "error-bot-missing-permissions" if isinstance(error, app_commands.BotMissingPermissions) else None
        names = permission_list(error.missing_permissions, locale)
        return t(locale, key or "error-missing-permissions", permissions=names)
    if isinstance(error, app_commands.NoPrivateMessage):
        return t(locale, "error-no-private-message")
    if isinstance(error, app_commands.CommandOnCooldown):
        return t(locale, "error-cooldown", when=discord.utils.format_dt(discord.utils.utcnow(), "R"))
    if isinstance(error, app_commands.CheckFailure):
        return t(locale, "error-check-failure")
    return None


# What the user is told of the API errors that metrics count by kind without an HTTP status.
_KIND_KEYS = {
    "timeout": "error-api-timeout",
    "connection": "error-api-connection",
    "malformed": "error-malformed",
    "too_large": "error-download-too-large",
}


def describe_invalid(error: InvalidRequestError, locale: object = None) -> str:
    """A request the API would refuse, from the domain's code and values (its English words when it has no code)."""
    if error.code is None:
        return str(error)
    return t(locale, f"invalid-{error.code}", **error.values)


def _describe_api_error(error: KontextError, locale: object) -> str:
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return t(locale, "error-api-key")
    if isinstance(error, InsufficientBalanceError):
        return t(locale, FAMILY_KEYS[FailureFamily.OUT_OF_CREDITS])
    if isinstance(error, RateLimitedError):
        return t(locale, "error-rate-limited")
    if isinstance(error, ServerError):
        return t(locale, "error-server", status=str(error.status))
    if (key := _KIND_KEYS.get(error_kind(error))) is not None:
        return t(locale, key)
    if isinstance(error, ImageTooLargeError):
        if error.width and error.height:
            return t(locale, "error-image-too-large-size", width=error.width, height=error.height)
        return t(locale, "error-image-too-large")
    if isinstance(error, NotAnImageError):
        return t(locale, "error-not-an-image")
    if isinstance(error, ApiStatusError):
        reason = fit(error.api_message, _QUOTED_MAX) if error.api_message else t(locale, "error-api-status-no-reason")
        return t(locale, "error-api-status", status=str(error.status), reason=reason)
    return t(locale, "error-api-other")


class AnsweredElsewhere(app_commands.AppCommandError):
    """Another process on the same shards answered this interaction first: it runs the job, this one does nothing."""


class TooLate(app_commands.AppCommandError):
    """Discord's 3 seconds for a first answer ran out before this process got to the interaction (it is overloaded):
    Discord has already told the user it failed, and no answer can reach them now, so nothing is charged or tried."""


FIRST_ANSWER_WITHIN = 3.0  # seconds Discord gives an interaction's first response, from its creation


class ClockOffset:
    """How far this host's clock runs ahead of Discord's, as interactions show it: the least age (arrival minus the
    time in the interaction's id) seen over the last ten minutes, never below 0.

    Network delay makes the estimate a little more than the true offset, never less, so a live command is never
    taken for a late one because the host's clock is fast (a clock behind Discord's only makes lateness show later).
    Under an overload longer than the window the least age grows too, and fewer late commands are dropped: the
    failure mode is doing work for nothing, never dropping work that could have been done.
    """

    def __init__(self, *, window: float = 600.0, buckets: int = 10) -> None:
        self._span = window / buckets
        self._buckets = buckets
        self._least: dict[int, float] = {}  # bucket of the monotonic clock → least age seen in it

    def observe(self, age: float, now: float) -> float:
        """Count one interaction's age (seconds) seen at monotonic time `now`; the offset to allow for."""
        bucket = int(now // self._span)
        self._least[bucket] = min(age, self._least.get(bucket, age))
        for old in [b for b in self._least if b <= bucket - self._buckets]:
            del self._least[old]
        return max(0.0, min(self._least.values()))


def too_late(interaction: discord.Interaction[KontextBot]) -> bool:
    """Whether the interaction is past Discord's 3 seconds for a first response: its id carries its creation time,
    judged against this host's clock less the offset its recent interactions show (ClockOffset)."""
    if interaction.response.is_done():
        return False
    age = (discord.utils.utcnow() - discord.utils.snowflake_time(interaction.id)).total_seconds()
    offset = interaction.client.clock_offset.observe(age, time.monotonic())
    return age - offset > FIRST_ANSWER_WITHIN


def expired(error: BaseException) -> bool:
    """Discord no longer knows the interaction (10062): its 3 seconds for a first response ran out on the way."""
    return isinstance(error, discord.NotFound) and error.code == 10062


def answered_elsewhere(error: BaseException) -> bool:
    """Discord refused a first response because one was already given (40060): the other process won the race."""
    return isinstance(error, discord.HTTPException) and error.code == 40060


class DuplicateDelivery(app_commands.CheckFailure):
    """Discord delivered the same interaction again (a gateway replay): it was handled once already."""


class KontextTree(app_commands.CommandTree["KontextBot"]):
    """Command tree that runs each interaction once and answers every failure ephemerally, in words."""

    def __init__(self, client: KontextBot, **options: Any) -> None:
        super().__init__(client, **options)
        self._seen: collections.OrderedDict[int, None] = collections.OrderedDict()

    async def interaction_check(self, interaction: discord.Interaction[KontextBot]) -> bool:
        if interaction.id in self._seen:
            raise DuplicateDelivery()
        self._seen[interaction.id] = None
        if len(self._seen) > 5000:
            self._seen.popitem(last=False)
        return True

    async def on_error(self, interaction: discord.Interaction[KontextBot], error: app_commands.AppCommandError) -> None:
        if isinstance(error, DuplicateDelivery):
            log.info("ignored a second delivery of interaction %s", interaction.id)
            return  # answering would use up (or collide with) the one response the first delivery owns
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(original, AnsweredElsewhere) or answered_elsewhere(original):
            # Two processes on the same shards both get every interaction; the first to answer it owns it.
            log.info("interaction %s was answered by another process first; it is that one's", interaction.id)
            return
        if isinstance(original, TooLate):
            # One line, no traceback and no error message that could not be delivered either: an overloaded process
            # spends nothing more on what is already lost, so it catches up with the interactions still alive.
            log.warning(
                "interaction %s reached this process after Discord's 3 seconds; dropped, nothing charged",
                interaction.id,
            )
            return
        text = describe_error(original, interaction.locale)
        if text is None and not interaction.client.jobs.accepting:
            # Stopping (a deploy): the HTTP session or the database is already closed under this command. Whatever it
            # reserved is settled as an orphan; a process beside this one may have answered it.
            log.info("interaction %s: cut short by this process stopping (%s)", interaction.id, type(original).__name__)
            return
        if text is None:
            reference = secrets.token_hex(3)
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("unhandled error in /%s (ref %s)", command, reference, exc_info=original)
            text = t(interaction.locale, "error-unhandled", ref=reference)
        await send_ephemeral(interaction, text)


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer ephemerally whether or not the interaction was already answered."""
    text = cut(text, CONTENT)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as error:
        if answered_elsewhere(error):
            log.info("interaction %s was answered by another process first; this refusal is not shown", interaction.id)
            return
        if expired(error):
            # Past its 3 seconds (or 15 minutes) nothing can reach the user through this interaction: one line.
            log.warning("could not send an error message for interaction %s: it has expired", interaction.id)
            return
        log.warning("could not send an error message for interaction %s", interaction.id, exc_info=True)
