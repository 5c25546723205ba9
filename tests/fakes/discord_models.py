"""What the fake Discord holds: snowflakes, recorded requests, guilds, messages, interactions and errors."""

from __future__ import annotations

import datetime
import io
import mimetypes
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord
from PIL import Image, UnidentifiedImageError

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

#: How long a signed CDN URL stays valid, measured with the fake's clock.
ATTACHMENT_URL_LIFETIME = 24 * 3600.0


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


def make_user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A Discord user object."""
    user: dict[str, Any] = {
        "id": str(user_id),
        "username": name,
        "global_name": None if bot else name,
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
    }
    if bot:
        user["bot"] = True
    return user


def make_member(user: dict[str, Any], roles: Sequence[int] = ()) -> dict[str, Any]:
    """A guild member object (with "user"), as GUILD_CREATE and REST carry it."""
    return {
        "user": user,
        "nick": None,
        "avatar": None,
        "roles": [str(r) for r in roles],
        "joined_at": iso_now(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def make_role(role_id: int, name: str, permissions: int, *, position: int) -> dict[str, Any]:
    """A role object."""
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def make_text_channel(guild: FakeGuild, name: str, *, bot_id: int, bot_denied: int = 0) -> dict[str, Any]:
    """A guild text channel; bot_denied becomes a member overwrite denying those permissions to the bot."""
    overwrites = []
    if bot_denied:
        overwrites.append({"id": str(bot_id), "type": 1, "allow": "0", "deny": str(bot_denied)})
    return {
        "id": str(new_snowflake()),
        "type": 0,
        "guild_id": str(guild.id),
        "name": name,
        "position": len(guild.channels),
        "permission_overwrites": overwrites,
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


class DiscordError(Exception):
    """An error answered the way Discord does: an HTTP status and a JSON body with a numeric code."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would send."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def unknown(what: str, code: int) -> DiscordError:
    """A 404 "Unknown <what>" error."""
    return DiscordError(404, code, f"Unknown {what}")


@dataclass
class Recorded:
    """One REST request the bot made, and what the fake answered."""

    method: str
    path: str  # after /api/v10, e.g. "/channels/123/messages"
    query: dict[str, str]
    json: Any  # the JSON body, or the parsed payload_json of a multipart body
    files: list[tuple[str, bytes, str]]  # (filename, bytes, content_type) per uploaded files[n]
    time: float  # the fake's clock when the request arrived
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    status: int = 0
    response: Any = field(default=None, repr=False)


@dataclass
class StoredFile:
    """Bytes served by the fake CDN."""

    id: int
    filename: str
    original_filename: str
    data: bytes
    content_type: str
    created: float


def sniff_media(data: bytes, filename: str) -> tuple[str, int | None, int | None]:
    """Content type, width and height of a file, as Discord's media pipeline would report them."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            mime = Image.MIME.get(image.format or "", None)
            if mime:
                return mime, image.width, image.height
    except (UnidentifiedImageError, OSError, ValueError):
        pass
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream", None, None


def sanitize_filename(filename: str) -> str:
    """Discord drops directories and turns whitespace and odd characters into underscores."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^\w.\-]", "_", name) or "unknown"


@dataclass(eq=False)
class FakeGuild:
    """A guild: channels, roles (roles[0] is @everyone, id == guild id) and members by user id."""

    id: int
    name: str
    owner_id: int
    channels: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Permissions forced by add_member(permissions=...), instead of computing them from roles.
    member_permissions: dict[int, int] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)

    def role(self, role_id: int) -> dict[str, Any] | None:
        """A role by id."""
        return next((r for r in self.roles if int(r["id"]) == role_id), None)

    def base_permissions(self, user_id: int) -> int:
        """Guild-wide permissions of a member: owner and administrators get everything."""
        if user_id in self.member_permissions:
            return self.member_permissions[user_id]
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        value = int(self.roles[0]["permissions"])
        for role_id in member["roles"] if member else ():
            role = self.role(int(role_id))
            if role is not None:
                value |= int(role["permissions"])
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def channel_permissions(self, user_id: int, channel: Mapping[str, Any]) -> int:
        """A member's permissions in a channel, with overwrites applied in Discord's order."""
        value = self.base_permissions(user_id)
        if value & ADMINISTRATOR or user_id == self.owner_id:
            return ALL_PERMISSIONS
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        everyone = overwrites.get(self.id)
        if everyone:
            value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
        member = self.members.get(user_id)
        allow = deny = 0
        for role_id in member["roles"] if member else ():
            overwrite = overwrites.get(int(role_id))
            if overwrite and overwrite["type"] == 0:
                allow |= int(overwrite["allow"])
                deny |= int(overwrite["deny"])
        value = (value & ~deny) | allow
        own = overwrites.get(user_id)
        if own and own["type"] == 1:
            value = (value & ~int(own["deny"])) | int(own["allow"])
        return value

    def to_create_payload(self, *, include_members: bool = True, bot_id: int | None = None) -> dict[str, Any]:
        """The GUILD_CREATE payload. Without the members intent Discord only sends the bot's own member."""
        members = list(self.members.values())
        if not include_members:
            members = [m for m in members if int(m["user"]["id"]) == bot_id]
        return {
            **self.to_guild_object(),
            "joined_at": self.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": members,
            "channels": [{k: v for k, v in c.items() if k != "guild_id"} for c in self.channels],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def to_guild_object(self) -> dict[str, Any]:
        """The guild object REST returns (GET /guilds/{id})."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": self.roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }


@dataclass(eq=False)
class FakeMessage:
    """A message in a channel, sent by a user (post_message) or by the bot (REST or interaction responses)."""

    id: int
    channel_id: int
    guild_id: int | None
    author: dict[str, Any]
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    message_reference: dict[str, Any] | None = None
    allowed_mentions: dict[str, Any] | None = None
    mentions: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    #: Every edit received, oldest first: the PATCH (or type 7 / followup) payload plus "time" (the fake's clock).
    edits: list[dict[str, Any]] = field(default_factory=list)
    interaction_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    member: dict[str, Any] | None = None
    reactions: list[str] = field(default_factory=list)
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    created: float = 0.0
    referenced: FakeMessage | None = field(default=None, repr=False)
    blobs: Mapping[int, StoredFile] = field(default_factory=dict, repr=False)

    @property
    def files(self) -> list[tuple[str, bytes]]:
        """(filename, bytes) of the current attachments."""
        return [(a["filename"], self.blobs[int(a["id"])].data) for a in self.attachments if int(a["id"]) in self.blobs]

    @property
    def custom_ids(self) -> list[str]:
        """custom_ids of every component on the message, depth first (for views with random ids)."""
        return [c["custom_id"] for c in walk_components(self.components) if c.get("custom_id")]

    def component(self, label: str) -> dict[str, Any]:
        """The first component whose label (or placeholder) is label; ValueError listing the labels if none."""
        for item in walk_components(self.components):
            if label in (item.get("label"), item.get("placeholder")):
                return dict(item)
        interactive = [c for c in walk_components(self.components) if c.get("custom_id")]
        labels = [c.get("label") or c.get("placeholder") for c in interactive]
        raise ValueError(f"no component labelled {label!r} on message {self.id}; labels there: {labels}")

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user sees this message."""
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Whether this is a deferred "thinking" message not yet filled in."""
        return bool(self.flags & FLAG_LOADING)

    def to_dict(self, *, nested: bool = True) -> dict[str, Any]:
        """The full Discord message object, as REST returns it."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author,
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": self.mentions,
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "reactions": [{"emoji": {"id": None, "name": r}, "count": 1, "me": True} for r in self.reactions],
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
            if nested:
                ref = self.referenced
                data["referenced_message"] = None if ref is None or ref.deleted else ref.to_dict(nested=False)
        return data


@dataclass(eq=False)
class FakeInteraction:
    """An interaction the fake dispatched, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    data: dict[str, Any]
    user: dict[str, Any]
    member: dict[str, Any] | None
    channel_id: int
    guild_id: int | None
    created: float
    payload: dict[str, Any] = field(repr=False)
    #: Each accepted first-response callback: {"type": int, "data": dict | None, "time": float}.
    responses: list[dict[str, Any]] = field(default_factory=list)
    #: The @original message once it exists (a loading message after a defer).
    original: FakeMessage | None = None
    followups: list[FakeMessage] = field(default_factory=list)
    #: The data of a type 9 (MODAL) response.
    modal: dict[str, Any] | None = None
    #: The message a component sits on (type 3), or the message a modal was opened from.
    message: FakeMessage | None = None
    #: Choices of a type 8 (autocomplete result) response.
    autocomplete_choices: list[dict[str, Any]] | None = None

    @property
    def responded(self) -> bool:
        """Whether the first response arrived."""
        return bool(self.responses)

    @property
    def ephemeral(self) -> bool:
        """Whether the first response was ephemeral (flags & 64)."""
        if not self.responses:
            return False
        data = self.responses[0]["data"] or {}
        return bool(int(data.get("flags") or 0) & FLAG_EPHEMERAL)

    @property
    def deferred(self) -> bool:
        """Whether the first response was a defer (type 5 or 6)."""
        return bool(self.responses) and self.responses[0]["type"] in (5, 6)


def walk_components(components: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every component, depth first (action rows, containers, sections, labels and their children)."""
    for component in components:
        yield component
        yield from walk_components(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), Mapping):
                yield from walk_components([component[key]])


def redact_message(message: dict[str, Any], bot_id: str) -> dict[str, Any]:
    """What a bot without the MESSAGE_CONTENT intent sees of a message in a gateway event.

    Content, embeds, attachments and components stay visible in DMs, in the bot's own messages and in
    messages that mention the bot.
    """
    visible = (
        "guild_id" not in message
        or message["author"]["id"] == bot_id
        or any(m["id"] == bot_id for m in message.get("mentions", []))
    )
    data = dict(message)
    if not visible:
        data.update(content="", embeds=[], attachments=[], components=[])
        data.pop("poll", None)
    if data.get("referenced_message"):
        data["referenced_message"] = redact_message(data["referenced_message"], bot_id)
    return data
