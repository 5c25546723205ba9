"""The one place that turns exceptions into words for users: the CommandTree subclass and its vocabulary."""

from __future__ import annotations

import collections
import datetime
import logging
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from cogs.utils.text import CONTENT, code, cut, fit, plural
from kontext.api.breaker import ServiceUnavailableNow
from kontext.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    DownloadTooLargeError,
    FailureFamily,
    GenerationFailed,
    GenerationTimedOut,
    ImageTooLargeError,
    InsufficientBalanceError,
    KontextError,
    MalformedResponseError,
    NotAnImageError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)
from kontext.jobs.admission import AlreadyStarting
from kontext.jobs.service import ShuttingDown, SubmitInterrupted
from kontext.models import InvalidRequestError
from kontext.money import format_usd
from kontext.quotas.models import LimitKind, QuotaExceeded
from kontext.storage.outages import StorageUnavailable

if TYPE_CHECKING:
    from bot import KontextBot

log = logging.getLogger(__name__)

_QUOTED_MAX = 300  # characters of the API's own words quoted to users, once escaped

FAMILY_SENTENCES: dict[FailureFamily, str] = {
    FailureFamily.CONTENT_POLICY: "The image service declined this under its content policy. Try rewording the prompt.",
    FailureFamily.INPUT_IMAGE: (
        "The image service could not use the input image: it must be a JPEG, PNG or WebP under 10 MB "
        "that it can download."
    ),
    FailureFamily.PROMPT: "The image service could not use this prompt (too long, or not understood). Try rewording.",
    FailureFamily.TIMEOUT: "The image service took too long and gave up on this image. Try again.",
    FailureFamily.MODEL_UNAVAILABLE: "The model is unavailable at the moment. Try again in a few minutes.",
    FailureFamily.OUT_OF_CREDITS: "The bot's image service account is out of credits. Please tell the bot's owner.",
    FailureFamily.UNKNOWN: "The image service could not make this image.",
}
PERMISSION_NAMES = {
    "send_messages": "Send Messages",
    "attach_files": "Attach Files",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "view_channel": "View Channel",
    "manage_guild": "Manage Server",
    "manage_messages": "Manage Messages",
}


class UserError(app_commands.AppCommandError):
    """An error whose message is meant for the user as it is: safe text, no secrets."""


def when(timestamp: float | None) -> str:
    """A Discord timestamp that counts down on the client ("in 3 hours")."""
    if timestamp is None:
        return "later"
    return discord.utils.format_dt(datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC), "R")


def describe_quota(error: QuotaExceeded) -> str:
    """Which limit refused a request, what is left, and when it resets."""
    kind, reset = error.kind, when(error.resets_at)
    if kind is LimitKind.DISABLED:
        text = "Image generation is turned off for you in this server. A server admin can change that in `/settings`."
    elif kind is LimitKind.CHANNEL:
        places = ", ".join(f"<#{channel}>" for channel in sorted(error.channel_ids)[:10])
        text = f"I don't make images in this channel. Try {places}." if places else "I don't make images here."
    elif kind is LimitKind.MAX_MODE:
        text = "This server doesn't allow **max** mode. Choose **pro** instead."
    elif kind is LimitKind.COOLDOWN:
        text = f"Please wait a little between requests: you can ask again {reset}."
    elif kind is LimitKind.CONCURRENCY:
        text = (
            f"You already have {plural(error.used or 0, 'image')} in progress (the limit is "
            f"{error.limit} at a time). Wait for one to finish."
        )
    elif kind is LimitKind.USER_DAILY:
        allowance = "your one image" if error.limit == 1 else f"all {error.limit} of your images"
        text = f"You've used {allowance} for today in this server. You can make more {reset}."
    elif kind is LimitKind.GLOBAL_DAILY:
        text = f"The bot has reached its owner's spending budget for today. It resets {reset}."
    else:
        period = "daily" if kind is LimitKind.GUILD_DAILY else "monthly"
        used, cap = error.used or 0, error.limit or 0
        if used >= cap:
            # Reached (or passed, when an admin lowered the cap below what was already spent): nothing is "left".
            text = (
                f"This server has reached its {period} image budget of {format_usd(cap)} "
                f"({format_usd(used)} spent). The budget resets {reset}."
            )
        else:
            text = (
                f"This server has used {format_usd(used)} of its {format_usd(cap)} {period} image budget; "
                f"{format_usd(error.remaining or 0)} is left and this image costs {format_usd(error.needed or 0)}. "
                f"The budget resets {reset}."
            )
    return f"{text}\nNothing was charged."


def _permission_list(names: list[str]) -> str:
    return ", ".join(f"**{PERMISSION_NAMES.get(n, n.replace('_', ' ').title())}**" for n in names)


def _minutes(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return plural(int(seconds // 60), "minute")
    return f"{seconds:g} second{'' if seconds == 1 else 's'}"


def describe_error(error: BaseException) -> str | None:
    """One friendly paragraph for a known error, or None for a bug the user cannot do anything about."""
    if isinstance(error, UserError | InvalidRequestError):
        return str(error)
    if isinstance(error, QuotaExceeded):
        return describe_quota(error)
    if isinstance(error, ServiceUnavailableNow):
        return (
            "The image service is failing right now, so I'm not sending new requests for a moment. "
            f"Please try again {when(error.retry_at)}.\nNothing was charged."
        )
    if isinstance(error, AlreadyStarting):
        return "Already on it: that request is being made right now."
    if isinstance(error, StorageUnavailable):
        return (
            "I'm temporarily unavailable: my database can't be reached right now. Please try again in a minute."
            "\nNothing was charged."
        )
    if isinstance(error, ShuttingDown):
        return "I'm restarting right now. Please try again in a few seconds.\nNothing was charged."
    if isinstance(error, SubmitInterrupted):
        return (
            "I restarted while sending this request to the image service. To make sure you are never billed "
            "twice, I didn't send it again. Please run it again."
        )
    if isinstance(error, GenerationFailed):
        lines = [FAMILY_SENTENCES[error.family]]
        if error.fail_msg:
            lines.append(f"The service said: “{fit(error.fail_msg, _QUOTED_MAX)}”")
        if error.task_id:
            lines.append(f"Task {code(error.task_id, 100)}")
        return "\n".join(lines)
    if isinstance(error, GenerationTimedOut):
        return (
            f"The image was not ready after {_minutes(error.waited)}, so I stopped waiting. "
            f"The image service may be overloaded; try again in a little while.\nTask {code(error.task_id, 100)}"
        )
    if isinstance(error, KontextError):
        return _describe_api_error(error)
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = _permission_list(error.missing_permissions)
        return f"I can't do that here: I need the {needed} permission in this channel."
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permission_list(error.missing_permissions)} permission to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in servers, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again {discord.utils.format_dt(discord.utils.utcnow(), 'R')}."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


def _describe_api_error(error: KontextError) -> str:
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return "The image service refused the bot's API key. Please tell the bot's owner."
    if isinstance(error, InsufficientBalanceError):
        return FAMILY_SENTENCES[FailureFamily.OUT_OF_CREDITS]
    if isinstance(error, RateLimitedError):
        return "The image service is busy right now (rate limited). Please try again in a minute."
    if isinstance(error, ServerError):
        return f"The image service is having trouble (error {error.status}). Please try again shortly."
    if isinstance(error, ApiTimeoutError):
        return "The image service did not answer in time. Please try again shortly."
    if isinstance(error, ApiConnectionError):
        return "I couldn't reach the image service. Please try again shortly."
    if isinstance(error, MalformedResponseError):
        return "The image service sent an answer I couldn't read. Please try again shortly."
    if isinstance(error, DownloadTooLargeError):
        return "The finished image was larger than I'm willing to download."
    if isinstance(error, ImageTooLargeError):
        size = f" ({error.width:,} x {error.height:,} pixels)" if error.width and error.height else ""
        return (
            f"The image service sent back a picture far larger than it ever makes{size}, so I didn't open it. "
            "Please try again."
        )
    if isinstance(error, NotAnImageError):
        return "The image service sent back something that isn't a JPEG, PNG or WebP image, so I didn't post it."
    if isinstance(error, ApiStatusError):
        reason = fit(error.api_message, _QUOTED_MAX) if error.api_message else "no reason given"
        return f"The image service refused the request (error {error.status}): {reason}"
    return "Something went wrong talking to the image service. Please try again."


class AnsweredElsewhere(app_commands.AppCommandError):
    """Another process on the same shards answered this interaction first: it runs the job, this one does nothing."""


class TooLate(app_commands.AppCommandError):
    """Discord's 3 seconds for a first answer ran out before this process got to the interaction (it is overloaded):
    Discord has already told the user it failed, and no answer can reach them now, so nothing is charged or tried."""


FIRST_ANSWER_WITHIN = 3.0  # seconds Discord gives an interaction's first response, from its creation


def too_late(interaction: discord.Interaction) -> bool:
    """Whether the interaction is past Discord's 3 seconds for a first response (its id carries its creation time)."""
    if interaction.response.is_done():
        return False
    age = (discord.utils.utcnow() - discord.utils.snowflake_time(interaction.id)).total_seconds()
    return age > FIRST_ANSWER_WITHIN


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
        text = describe_error(original)
        if text is None and not interaction.client.jobs.accepting:
            # Stopping (a deploy): the HTTP session or the database is already closed under this command. Whatever it
            # reserved is settled as an orphan; a process beside this one may have answered it.
            log.info("interaction %s: cut short by this process stopping (%s)", interaction.id, type(original).__name__)
            return
        if text is None:
            reference = secrets.token_hex(3)
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("unhandled error in /%s (ref %s)", command, reference, exc_info=original)
            text = f"Something went wrong on my side. If it keeps happening, tell the bot's owner: ref `{reference}`."
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
        log.warning("could not send an error message for interaction %s", interaction.id, exc_info=True)
