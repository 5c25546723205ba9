"""What the fake records for tests to inspect: requests, stored files, messages and interactions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.fakes.discord.basics import FLAG_COMPONENTS_V2, FLAG_EPHEMERAL, FLAG_LOADING, iso_now


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
    mention_roles: list[str] = field(default_factory=list)
    mention_everyone: bool = False
    #: Ids of the users notified: those mentioned when the message was created (an edit notifies nobody), unless it
    #: was sent with SUPPRESS_NOTIFICATIONS.
    pinged: list[int] = field(default_factory=list)
    nonce: str | None = None
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
    #: Uploads a Components V2 message shows in its components: Discord leaves them out of `attachments`.
    component_media: list[dict[str, Any]] = field(default_factory=list)

    @property
    def files(self) -> list[tuple[str, bytes]]:
        """(filename, bytes) of every file the message carries: its attachments and those its components show."""
        carried = self.component_media + self.attachments
        return [(a["filename"], self.blobs[int(a["id"])].data) for a in carried if int(a["id"]) in self.blobs]

    @property
    def components_v2(self) -> bool:
        """Whether the message is laid out with Components V2 (flag 1 << 15): no content or embeds."""
        return bool(self.flags & FLAG_COMPONENTS_V2)

    @property
    def unshown_attachments(self) -> list[dict[str, Any]]:
        """Files a Components V2 message carries but no component points at: Discord does not show them."""
        return list(self.attachments) if self.components_v2 else []

    @property
    def text(self) -> str:
        """Everything a reader sees as text: the content, the embeds, and the text displays of the components."""
        displays = [c.get("content") or "" for c in walk_components(self.components) if c.get("type") == 10]
        return "\n".join([self.content, *(str(embed) for embed in self.embeds), *displays])

    @property
    def media_urls(self) -> list[str]:
        """The URLs of the images a Components V2 message shows in its media galleries, in order."""
        return [
            item["media"]["url"]
            for c in walk_components(self.components)
            if c.get("type") == 12
            for item in c.get("items") or []
        ]

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
            "mention_everyone": self.mention_everyone,
            "mentions": self.mentions,
            "mention_roles": self.mention_roles,
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
        if self.nonce is not None:
            data["nonce"] = self.nonce
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
    #: Follow-up POSTs Discord accepted (the first one after a defer fills in the deferred message).
    followup_posts: int = 0
    #: The data of a type 9 (MODAL) response.
    modal: dict[str, Any] | None = None
    #: The message a component sits on (type 3), or the message a modal was opened from.
    message: FakeMessage | None = None
    #: Choices of a type 8 (autocomplete result) response.
    autocomplete_choices: list[dict[str, Any]] | None = None

    @property
    def install(self) -> Literal["guild", "user"]:
        """Whose installation authorised it: "guild" when a server (or the bot's DM) key is there, else "user"."""
        return "guild" if "0" in self.payload["authorizing_integration_owners"] else "user"

    @property
    def context(self) -> int:
        """0 a server, 1 the bot's DM, 2 a group DM or a DM between other users."""
        return int(self.payload["context"])

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
