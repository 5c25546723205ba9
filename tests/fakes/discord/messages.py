"""Bot-authored messages: Discord's create and edit semantics, limits, attachments and gateway echoes."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.fakes.discord import limits as limits
from tests.fakes.discord.basics import (
    FLAG_COMPONENTS_V2,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    iso_now,
    new_snowflake,
)
from tests.fakes.discord.cdn import sanitize_filename
from tests.fakes.discord.errors import DiscordError
from tests.fakes.discord.models import FakeInteraction, FakeMessage

if TYPE_CHECKING:
    from tests.fakes.discord.server import FakeDiscordServer

#: Flags a new message may set (a channel message may not be ephemeral); an edit may change only _EDIT_FLAGS.
CREATE_FLAGS = FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2
_EDIT_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_COMPONENTS_V2
_EMBED_CONTENT = frozenset({"title", "description", "fields", "image", "thumbnail", "author", "footer", "video"})


@dataclass
class Upload:
    """One files[n] part of a multipart request."""

    index: int
    filename: str
    data: bytes
    content_type: str


class MessageWriter:
    """Creates, edits and deletes the bot's messages as Discord would, and echoes them on the gateway."""

    def __init__(self, fake: FakeDiscordServer) -> None:
        self._fake = fake

    def new_message(
        self, channel_id: int, guild_id: int | None, flags: int, inter: FakeInteraction | None
    ) -> FakeMessage:
        """A bot-authored message, not yet stored; interaction responses get webhook and interaction metadata."""
        fake = self._fake
        msg = FakeMessage(
            id=new_snowflake(),
            channel_id=channel_id,
            guild_id=guild_id,
            author=fake.bot_user,
            flags=flags,
            created=fake.clock(),
            blobs=fake.files,
        )
        if inter is not None:
            msg.interaction_id = inter.id
            msg.webhook_id = msg.application_id = fake.application_id
            command_type = int(inter.data.get("type", 1)) if inter.type == 2 else None
            msg.type = {1: 20, 2: 23, 3: 23}.get(command_type or 0, 0) if inter.original is None else 0
            metadata: dict[str, Any] = {
                "id": str(inter.id),
                "type": inter.type,
                "user": inter.user,
                "authorizing_integration_owners": inter.payload["authorizing_integration_owners"],
            }
            if command_type is not None:
                metadata["name"] = inter.data.get("name")
                metadata["command_type"] = command_type
            if inter.original is not None:
                metadata["original_response_message_id"] = str(inter.original.id)
            if inter.message is not None:
                metadata["interacted_message_id"] = str(inter.message.id)
            msg.interaction_metadata = metadata
        return msg

    async def create(
        self,
        channel_id: int,
        guild_id: int | None,
        payload: Mapping[str, Any],
        uploads: list[Upload],
        flags: int,
        inter: FakeInteraction | None,
        *,
        prefix: str = "",
        reference: FakeMessage | None = None,
    ) -> FakeMessage:
        """Validate and store a new bot message (a reply when reference is given) and announce it."""
        msg = self.new_message(channel_id, guild_id, flags, inter)
        if reference is not None:
            msg.type = 19
            msg.referenced = reference
            msg.message_reference = {
                "type": 0,
                "message_id": str(reference.id),
                "channel_id": str(reference.channel_id),
                **({"guild_id": str(reference.guild_id)} if reference.guild_id else {}),
            }
        self._apply(msg, payload, uploads, creating=True, prefix=prefix)
        if payload.get("nonce") is not None:
            msg.nonce = str(payload["nonce"])
        self._fake.messages[msg.id] = msg
        await self.announce("MESSAGE_CREATE", msg)
        return msg

    async def edit(
        self, msg: FakeMessage, payload: Mapping[str, Any], uploads: list[Upload], now: float, *, prefix: str = ""
    ) -> None:
        """Validate and apply an edit (PATCH, type 7 or a first followup), recording it in msg.edits."""
        was_loading = msg.loading
        self._apply(msg, payload, uploads, creating=False, prefix=prefix)
        msg.flags &= ~FLAG_LOADING
        if not was_loading:
            msg.edited_timestamp = iso_now()
        msg.edits.append({**payload, "time": now})
        await self.announce("MESSAGE_UPDATE", msg)

    async def delete(self, msg: FakeMessage) -> None:
        """Mark a message deleted and send MESSAGE_DELETE for visible ones."""
        msg.deleted = True
        if not msg.ephemeral:
            data = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id is not None:
                data["guild_id"] = str(msg.guild_id)
            await self._fake.gateway.dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id, intent=_intent(msg))
        self._fake._changed()

    async def announce(self, event: str, msg: FakeMessage) -> None:
        """Tell the bot's gateway about its own non-ephemeral messages, as Discord does."""
        self._fake._changed()
        channel = self._fake.channels.get(msg.channel_id)
        if msg.ephemeral or (channel is not None and not self._fake.bot_sees(channel)):
            return  # the bot hears nothing of a channel it is not in, its own interaction answers included
        data = msg.to_dict()
        fake = self._fake
        guild = fake.guilds.get(msg.guild_id) if msg.guild_id is not None else None
        if guild is not None and fake.application_id in guild.members:
            data["member"] = {k: v for k, v in guild.members[fake.application_id].items() if k != "user"}
        await fake.gateway.dispatch(event, data, guild_id=msg.guild_id, intent=_intent(msg), redact=True)

    def _apply(
        self, msg: FakeMessage, payload: Mapping[str, Any], uploads: list[Upload], *, creating: bool, prefix: str = ""
    ) -> None:
        """Validate a create/edit payload against Discord's limits, then apply it to the message."""
        errs = limits.FormErrors()
        flags = msg.flags
        if not creating and "flags" in payload:
            asked = int(payload["flags"] or 0)
            if flags & FLAG_COMPONENTS_V2 and not asked & FLAG_COMPONENTS_V2:
                errs.add(
                    _at(prefix, "flags"),
                    "MESSAGE_CANNOT_REMOVE_COMPONENTS_V2_FLAG",
                    "The IS_COMPONENTS_V2 flag cannot be removed from a message",
                )
            flags = (flags & ~_EDIT_FLAGS) | (asked & _EDIT_FLAGS) | (flags & FLAG_COMPONENTS_V2)
        v2 = bool(flags & FLAG_COMPONENTS_V2)
        limits.check_message(payload, errs, prefix=prefix, v2=v2)
        plan = self._plan_attachments(msg, payload, uploads, creating, errs, prefix)
        content = (payload.get("content") or "") if "content" in payload else msg.content
        embeds = list(payload.get("embeds") or []) if "embeds" in payload else msg.embeds
        components = copy.deepcopy(list(payload.get("components") or [])) if "components" in payload else msg.components
        if v2 and not creating and (content or embeds):
            # Setting the flag by an edit: whatever content and embeds the message had must be cleared with it.
            errs.add(
                _at(prefix, "content" if content else "embeds"),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields must be cleared when setting the IS_COMPONENTS_V2 flag",
            )
        referenced = _referenced_names(components) if v2 else set()
        named = {_plan_name(item) for item in plan} | {_plan_original(item) for item in plan}
        for name in sorted(referenced - named):
            errs.add(_at(prefix, "components"), "UNFURLED_MEDIA_ITEM_ATTACHMENT_NOT_FOUND", f"attachment://{name}")
        errs.raise_if_any()
        has_embed = any(_EMBED_CONTENT.intersection(k for k, v in e.items() if v) for e in embeds)
        if not (content or has_embed or plan or components or payload.get("sticker_ids") or payload.get("poll")):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        fake = self._fake
        attachments = [
            item if isinstance(item, dict) else fake._cdn.store(item[0].data, item[1], item[2]) for item in plan
        ]
        if "embeds" in payload:
            embeds = [_resolve_embed_media(dict(e), attachments, fake) for e in embeds]
        shown: list[dict[str, Any]] = []
        if v2:
            # Discord shows an upload only where a component points at it, and then leaves it out of `attachments`.
            shown = _resolve_component_media(components, attachments, fake)
            attachments = [a for a in attachments if a not in shown]
        msg.content, msg.embeds, msg.components, msg.attachments, msg.flags = (
            content,
            embeds,
            components,
            attachments,
            flags,
        )
        msg.component_media = shown
        if "allowed_mentions" in payload:
            msg.allowed_mentions = payload["allowed_mentions"]
        mentionable = msg.content + ("\n" + limits.text_of(components) if v2 else "")
        msg.mentions = fake._mentions(mentionable, msg.allowed_mentions, msg.referenced)
        msg.mention_roles, msg.mention_everyone = fake._role_mentions(mentionable, msg.allowed_mentions)
        if creating and not flags & FLAG_SUPPRESS_NOTIFICATIONS:
            msg.pinged = [int(user["id"]) for user in msg.mentions]

    def _plan_attachments(
        self,
        msg: FakeMessage,
        payload: Mapping[str, Any],
        uploads: list[Upload],
        creating: bool,
        errs: limits.FormErrors,
        prefix: str,
    ) -> list[dict[str, Any] | tuple[Upload, str, str | None]]:
        """Discord's attachment semantics: listed ids are kept, omitted ones dropped, new uploads added."""
        by_index = {u.index: u for u in uploads}
        spec = payload.get("attachments")
        plan: list[dict[str, Any] | tuple[Upload, str, str | None]] = []
        used: set[int] = set()
        if spec is None:
            plan.extend([] if creating else msg.component_media + msg.attachments)
        else:
            current = {str(a["id"]): a for a in msg.component_media + msg.attachments}
            for i, entry in enumerate(spec):
                key = str(entry.get("id"))
                if key in current and not creating:
                    plan.append(current[key])
                elif key.isdigit() and int(key) in by_index and int(key) not in used:
                    upload = by_index[int(key)]
                    used.add(upload.index)
                    plan.append((upload, entry.get("filename") or upload.filename, entry.get("description")))
                else:
                    errs.add(f"{prefix + '.' if prefix else ''}attachments.{i}.id", "ATTACHMENT_NOT_FOUND", key)
        plan.extend((u, u.filename, None) for u in uploads if u.index not in used)
        if len(plan) > limits.MAX_FILES:
            errs.add(f"{prefix + '.' if prefix else ''}attachments", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer.")
        return plan


def _at(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _plan_name(item: dict[str, Any] | tuple[Upload, str, str | None]) -> str:
    return str(item["filename"]) if isinstance(item, dict) else sanitize_filename(item[1])


def _plan_original(item: dict[str, Any] | tuple[Upload, str, str | None]) -> str:
    return str(item["filename"]) if isinstance(item, dict) else item[1]


def _referenced_names(components: list[dict[str, Any]]) -> set[str]:
    """The file names a layout points at with attachment://NAME."""
    urls = (media.get("url") for media in limits.media_references(components))
    return {
        url.removeprefix("attachment://") for url in urls if isinstance(url, str) and url.startswith("attachment://")
    }


def _resolve_component_media(
    components: list[dict[str, Any]], attachments: list[dict[str, Any]], fake: FakeDiscordServer
) -> list[dict[str, Any]]:
    """Discord unfurls attachment://NAME in a layout into the upload's CDN URL; returns the uploads so shown."""
    shown: list[dict[str, Any]] = []
    for media in limits.media_references(components):
        url = media.get("url")
        if isinstance(url, str) and url.startswith("attachment://"):
            attachment = _find_upload(url.removeprefix("attachment://"), attachments, fake)
        else:  # unfurled already (an edit that kept the layout): it still points at its upload
            attachment = next((a for a in attachments if a["id"] == media.get("attachment_id")), None)
        if attachment is None:
            continue
        media.clear()
        media.update(
            url=attachment["url"],
            proxy_url=attachment["proxy_url"],
            width=attachment.get("width"),
            height=attachment.get("height"),
            content_type=attachment.get("content_type"),
            attachment_id=attachment["id"],
            flags=0,
        )
        if attachment not in shown:
            shown.append(attachment)
    return shown


def _find_upload(name: str, attachments: list[dict[str, Any]], fake: FakeDiscordServer) -> dict[str, Any] | None:
    for attachment in attachments:
        stored = fake.files.get(int(attachment["id"]))
        if attachment["filename"] == name or (stored is not None and stored.original_filename == name):
            return attachment
    return None


def _intent(msg: FakeMessage) -> int:
    return INTENT_GUILD_MESSAGES if msg.guild_id is not None else INTENT_DIRECT_MESSAGES


def _resolve_embed_media(
    embed: dict[str, Any], attachments: list[dict[str, Any]], fake: FakeDiscordServer
) -> dict[str, Any]:
    """Discord turns attachment://name in embed images into the uploaded attachment's CDN URL."""
    embed.setdefault("type", "rich")
    for key in ("image", "thumbnail"):
        media = embed.get(key)
        url = media.get("url") if isinstance(media, dict) else None
        if not isinstance(url, str) or not url.startswith("attachment://"):
            continue
        name = url.removeprefix("attachment://")
        for attachment in attachments:
            stored = fake.files.get(int(attachment["id"]))
            if attachment["filename"] == name or (stored is not None and stored.original_filename == name):
                embed[key] = {
                    "url": attachment["url"],
                    "proxy_url": attachment["proxy_url"],
                    "width": attachment.get("width"),
                    "height": attachment.get("height"),
                    "content_type": attachment.get("content_type"),
                    "flags": 0,
                }
                break
    return embed
