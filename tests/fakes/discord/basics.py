"""Discord's basic values for the fake: gateway intents, message flags, permission bits, snowflakes and timestamps."""

from __future__ import annotations

import datetime
import time

import discord

DISCORD_EPOCH_MS = 1_420_070_400_000

# Gateway intents the fake looks at.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Message flags.
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_COMPONENTS_V2 = 1 << 15

ALL_PERMISSIONS = discord.Permissions.all().value
ADMINISTRATOR = discord.Permissions(administrator=True).value
VIEW_CHANNEL = discord.Permissions(view_channel=True).value
SEND_MESSAGES = discord.Permissions(send_messages=True).value
SEND_IN_THREADS = discord.Permissions(send_messages_in_threads=True).value
ATTACH_FILES = discord.Permissions(attach_files=True).value
EMBED_LINKS = discord.Permissions(embed_links=True).value
MANAGE_MESSAGES = discord.Permissions(manage_messages=True).value
READ_MESSAGE_HISTORY = discord.Permissions(read_message_history=True).value
ADD_REACTIONS = discord.Permissions(add_reactions=True).value

#: What @everyone gets in a new server, and so what a freshly invited bot can do in a channel.
DEFAULT_EVERYONE_PERMISSIONS = discord.Permissions(
    create_instant_invite=True,
    change_nickname=True,
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    use_external_stickers=True,
    read_message_history=True,
    use_application_commands=True,
    connect=True,
    speak=True,
    stream=True,
    use_voice_activation=True,
).value


class _Snowflakes:
    """Strictly increasing snowflakes whose timestamps are the wall clock, so snowflake_time() is sane."""

    def __init__(self) -> None:
        self._last = 0

    def __call__(self, *, new_millisecond: bool = False) -> int:
        now = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        floor = (((self._last >> 22) + 1) << 22) if new_millisecond else self._last + 1
        self._last = max(now, floor)
        return self._last


#: One process-wide factory: ids stay unique across several fakes in one test session.
new_snowflake = _Snowflakes()


def iso_now() -> str:
    """The current UTC time the way Discord writes timestamps."""
    return datetime.datetime.now(datetime.UTC).isoformat()
