"""REST routes of the fake Discord under /api/v10 and its CDN, answering as Discord does, limits included."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes import discord_limits as limits
from tests.fakes.discord_messages import MessageWriter, Upload
from tests.fakes.discord_models import (
    ADD_REACTIONS,
    ATTACH_FILES,
    ATTACHMENT_URL_LIFETIME,
    FLAG_COMPONENTS_V2,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    INTENT_MESSAGE_CONTENT,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    DiscordError,
    FakeInteraction,
    FakeMessage,
    Recorded,
    new_snowflake,
    redact_message,
    unknown,
)

if TYPE_CHECKING:
    from tests.fakes.discord import FakeDiscord

_CREATE_FLAGS = FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2
_FILE_FIELD = re.compile(r"files\[(\d+)\]|file(\d*)")


Params = Mapping[str, str]
Reply = tuple[int, Any]
Handler = Callable[[Recorded, list[Upload], Params], Awaitable[Reply]]


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    """A response whose Content-Type is exactly application/json: discord.py parses nothing else."""
    if body is None:
        return web.Response(status=status, headers=headers)
    return web.Response(
        status=status, body=json.dumps(body).encode(), headers={**(headers or {}), "Content-Type": "application/json"}
    )


class FakeRest:
    """Routes REST requests, records them on the fake, and applies Discord's rules."""

    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self._messages = MessageWriter(fake)
        snowflake = r"\d+"
        token = r"[^/]+"
        wh = rf"/webhooks/(?P<app>{snowflake})/(?P<token>{token})"
        msg = rf"/channels/(?P<channel>{snowflake})/messages/(?P<message>{snowflake})"
        table: list[tuple[str, str, Handler, bool]] = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/users/(?P<user>\d+)", self._get_user, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway, True),
            ("PUT", r"/applications/(?P<app>\d+)(?:/guilds/(?P<guild>\d+))?/commands", self._put_commands, True),
            ("GET", r"/applications/(?P<app>\d+)(?:/guilds/(?P<guild>\d+))?/commands", self._get_commands, True),
            ("POST", rf"/interactions/(?P<id>\d+)/(?P<token>{token})/callback", self._callback, False),
            ("GET", rf"{wh}/messages/(?P<message>@original|\d+)", self._get_webhook_message, False),
            ("PATCH", rf"{wh}/messages/(?P<message>@original|\d+)", self._edit_webhook_message, False),
            ("DELETE", rf"{wh}/messages/(?P<message>@original|\d+)", self._delete_webhook_message, False),
            ("POST", wh, self._followup, False),
            ("GET", r"/channels/(?P<channel>\d+)", self._get_channel, True),
            ("GET", r"/channels/(?P<channel>\d+)/messages", self._history, True),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._create_channel_message, True),
            ("GET", msg, self._get_channel_message, True),
            ("PATCH", msg, self._edit_channel_message, True),
            ("DELETE", msg, self._delete_channel_message, True),
            ("PUT", rf"{msg}/reactions/(?P<emoji>[^/]+)/@me", self._add_reaction, True),
            ("DELETE", rf"{msg}/reactions/(?P<emoji>[^/]+)/@me", self._remove_reaction, True),
            ("POST", r"/channels/(?P<channel>\d+)/typing", self._typing, True),
            ("GET", r"/guilds/(?P<guild>\d+)", self._get_guild, True),
            ("GET", r"/guilds/(?P<guild>\d+)/channels", self._get_guild_channels, True),
            ("GET", r"/guilds/(?P<guild>\d+)/roles", self._get_guild_roles, True),
            ("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)", self._get_member, True),
        ]
        self._routes = [(method, re.compile(pattern), handler, auth) for method, pattern, handler, auth in table]

    # ---- entry points ----------------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """aiohttp handler for everything under /api/v10."""
        fake = self._fake
        path = "/" + request.match_info["tail"]
        rec = Recorded(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=None,
            files=[],
            time=fake.clock(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
        )
        headers: Mapping[str, str] = {}
        limited = fake.rate_limits.check(rec.method, path) if fake.rate_limits is not None else None
        try:
            uploads = await self._read_body(request, rec)
            fault = fake._take_fault(rec.method, path) if limited is None or limited.refused is None else None
            if limited is not None and limited.refused is not None:
                status, body = 429, limited.refused
            elif fault is not None:
                status, body, headers = fault
            else:
                self._check_uploads(uploads)
                status, body = await self._route(request, rec, uploads)
        except DiscordError as exc:
            status, body, headers = exc.status, exc.body(), exc.headers
        if limited is not None:
            headers = {**limited.headers, **headers}
        rec.status = status
        rec.response = body
        fake.requests.append(rec)
        fake._changed()
        return json_response(status, body, headers)

    async def cdn(self, request: web.Request) -> web.Response:
        """GET /cdn/attachments/{id}/{filename} (and /media/...): the stored bytes with their real Content-Type."""
        fake = self._fake
        now = fake.clock()
        rec = Recorded("GET", request.path, dict(request.query), None, [], now)
        stored = fake.files.get(int(request.match_info["id"]))
        if stored is None or stored.filename != request.match_info["filename"]:
            response = web.Response(status=404, text="Not Found")
        elif now - stored.created > ATTACHMENT_URL_LIFETIME:
            response = web.Response(status=404, text="This content is no longer available.")
        else:
            response = web.Response(body=stored.data, headers={"Content-Type": stored.content_type})
        rec.status = response.status
        fake.cdn_requests.append(rec)
        fake._changed()
        return response

    async def _read_body(self, request: web.Request, rec: Recorded) -> list[Upload]:
        uploads: list[Upload] = []
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                name = getattr(part, "name", None) or ""
                if name == "payload_json":
                    rec.json = json.loads(await part.text())  # type: ignore[union-attr]
                    continue
                match = _FILE_FIELD.fullmatch(name)
                if match is None:
                    continue
                data = await part.read(decode=False)  # type: ignore[union-attr]
                index = int(match.group(1) or match.group(2) or len(uploads))
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                uploads.append(Upload(index, getattr(part, "filename", None) or name, bytes(data), content_type))
            rec.files = [(u.filename, u.data, u.content_type) for u in uploads]
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    rec.json = json.loads(raw)
                except ValueError as exc:
                    raise DiscordError(400, 50109, "The request body contains invalid JSON.") from exc
        return uploads

    def _check_uploads(self, uploads: list[Upload]) -> None:
        if len(uploads) > limits.MAX_FILES:
            errs = limits.FormErrors()
            errs.add("files", "BASE_TYPE_MAX_LENGTH", f"Must be {limits.MAX_FILES} or fewer in length.")
            errs.raise_if_any()
        if any(len(u.data) > self._fake.attachment_size_limit for u in uploads):
            raise DiscordError(413, 40005, "Request entity too large")

    async def _route(self, request: web.Request, rec: Recorded, uploads: list[Upload]) -> tuple[int, Any]:
        path_known = False
        for method, pattern, handler, auth in self._routes:
            match = pattern.fullmatch(rec.path)
            if match is None:
                continue
            path_known = True
            if method != rec.method:
                continue
            if auth:
                self._check_auth(request)
            return await handler(rec, uploads, {k: v for k, v in match.groupdict().items() if v is not None})
        if path_known:
            raise DiscordError(405, 0, "405: Method Not Allowed")
        raise DiscordError(404, 0, "404: Not Found")

    def _check_auth(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        expected = self._fake.bot_token
        if not header.startswith("Bot ") or (expected is not None and header != f"Bot {expected}"):
            raise DiscordError(401, 0, "401: Unauthorized")

    # ---- identity, gateway, commands --------------------------------------------------------------------------

    async def _get_me(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        return 200, {**self._fake.bot_user, "verified": True, "mfa_enabled": False, "locale": "en-US", "email": None}

    async def _get_user(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        user = self._fake.users.get(int(m["user"]))
        if user is None:
            raise unknown("User", 10013)
        return 200, user

    async def _create_dm(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        recipient = (rec.json or {}).get("recipient_id")
        user = self._fake.users.get(int(recipient or 0))
        if user is None:
            raise DiscordError(400, 50035, "Invalid Form Body", errors={"recipient_id": {"_errors": []}})
        return 200, self._fake._dm_channel(user)

    async def _get_application(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        fake = self._fake
        return 200, {
            "id": str(fake.application_id),
            "name": fake.bot_user["username"],
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": fake.owner_user,
            "team": None,
            "flags": 0,
            "bot": fake.bot_user,
            "rpc_origins": [],
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(fake.guilds),
        }

    async def _get_gateway(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        fake = self._fake
        body: dict[str, Any] = {"url": fake.gateway_url}
        if rec.path.endswith("/bot"):
            body["shards"] = fake.recommended_shards
            body["session_start_limit"] = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return 200, body

    def _command_scope(self, m: Mapping[str, str]) -> int | None:
        fake = self._fake
        if int(m["app"]) != fake.application_id:
            raise unknown("Application", 10002)
        guild_id = int(m["guild"]) if "guild" in m else None
        if guild_id is not None and guild_id not in fake.guilds:
            raise DiscordError(403, 50001, "Missing Access")
        return guild_id

    async def _put_commands(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        fake = self._fake
        guild_id = self._command_scope(m)
        body = rec.json
        if not isinstance(body, list):
            raise DiscordError(400, 50035, "Invalid Form Body", errors={"_errors": [{"code": "BASE_TYPE_ARRAY"}]})
        limits.check_commands(body)
        current = fake.guild_commands.get(guild_id, []) if guild_id is not None else fake.commands
        ids = {(c["name"], int(c.get("type", 1))): c["id"] for c in current}
        stored = []
        for command in body:
            kind = int(command.get("type", 1))
            item: dict[str, Any] = {
                "type": kind,
                "description": "",
                "default_member_permissions": None,
                "nsfw": False,
                **command,
                "id": ids.get((command["name"], kind)) or str(new_snowflake()),
                "application_id": str(fake.application_id),
                "version": str(new_snowflake()),
            }
            if guild_id is not None:
                item["guild_id"] = str(guild_id)
            stored.append(item)
        if guild_id is None:
            fake.commands = stored
        else:
            fake.guild_commands[guild_id] = stored
        return 200, stored

    async def _get_commands(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        guild_id = self._command_scope(m)
        fake = self._fake
        return 200, fake.commands if guild_id is None else fake.guild_commands.get(guild_id, [])

    # ---- interactions ------------------------------------------------------------------------------------------

    async def _callback(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        fake = self._fake
        inter = fake.interactions.get(int(m["id"]))
        if inter is None or inter.token != m["token"]:
            raise unknown("interaction", 10062)
        if inter.responses:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        # Discord forgets an interaction not answered within 3 seconds.
        if rec.time - inter.created > fake.ack_deadline:
            raise unknown("interaction", 10062)
        body = rec.json if isinstance(rec.json, dict) else {}
        kind = body.get("type")
        data = body.get("data") or {}
        info: dict[str, Any] = {"id": str(inter.id), "type": inter.type}
        resource: dict[str, Any] = {"type": kind}
        component_like = inter.type == 3 or (inter.type == 5 and inter.message is not None)
        if kind == 1 and inter.type == 1:
            pass
        elif kind == 4 and inter.type in (2, 3, 5):
            flags = int(data.get("flags") or 0) & _CREATE_FLAGS
            msg = await self._messages.create(
                inter.channel_id, inter.guild_id, data, uploads, flags, inter, prefix="data"
            )
            inter.original = msg
            resource["message"] = msg.to_dict()
        elif kind == 5 and inter.type in (2, 3, 5):
            flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
            msg = self._messages.new_message(inter.channel_id, inter.guild_id, flags, inter)
            fake.messages[msg.id] = msg
            await self._messages.announce("MESSAGE_CREATE", msg)
            inter.original = msg
            resource["message"] = msg.to_dict()
        elif kind in (6, 7) and component_like and inter.message is not None:
            inter.original = inter.message
            if kind == 7:
                await self._messages.edit(inter.message, data, uploads, rec.time, prefix="data")
                resource["message"] = inter.message.to_dict()
        elif kind == 8 and inter.type == 4:
            limits.check_autocomplete(data)
            inter.autocomplete_choices = list(data.get("choices") or [])
        elif kind == 9 and inter.type in (2, 3):
            limits.check_modal(data)
            inter.modal = data
        else:
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                errors={"type": {"_errors": [{"code": "INTERACTION_CALLBACK_TYPE_INVALID", "message": f"{kind}"}]}},
            )
        if inter.original is not None and kind in (4, 5, 7):
            info["response_message_id"] = str(inter.original.id)
            info["response_message_loading"] = inter.original.loading
            info["response_message_ephemeral"] = inter.original.ephemeral
        inter.responses.append({"type": kind, "data": body.get("data"), "time": rec.time})
        return 200, {"interaction": info, "resource": resource}

    def _webhook_interaction(self, rec: Recorded, m: Mapping[str, str]) -> FakeInteraction:
        fake = self._fake
        if int(m["app"]) != fake.application_id:
            raise unknown("Webhook", 10015)
        inter = fake._interactions_by_token.get(m["token"])
        # Interaction tokens live 15 minutes; after that every webhook call is refused.
        if inter is None or rec.time - inter.created > fake.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return inter

    def _webhook_message(self, inter: FakeInteraction, ref: str) -> FakeMessage:
        if ref == "@original":
            msg = inter.original
        else:
            msg = self._fake.messages.get(int(ref))
            if msg is not inter.original and msg not in inter.followups:
                msg = None
        if msg is None or msg.deleted:
            raise unknown("Message", 10008)
        return msg

    async def _get_webhook_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        inter = self._webhook_interaction(rec, m)
        return 200, self._webhook_message(inter, m["message"]).to_dict()

    async def _edit_webhook_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        inter = self._webhook_interaction(rec, m)
        msg = self._webhook_message(inter, m["message"])
        await self._messages.edit(msg, rec.json or {}, uploads, rec.time)
        return 200, msg.to_dict()

    async def _delete_webhook_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        inter = self._webhook_interaction(rec, m)
        await self._messages.delete(self._webhook_message(inter, m["message"]))
        return 204, None

    async def _followup(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        inter = self._webhook_interaction(rec, m)
        if not inter.responses or (inter.modal is not None and inter.original is None):
            raise unknown("Webhook", 10015)
        payload = rec.json if isinstance(rec.json, dict) else {}
        original = inter.original
        if original is not None and original.loading and not original.deleted and not inter.followups:
            # The first followup after a "thinking" defer fills in the deferred message, keeping its ephemerality.
            await self._messages.edit(original, payload, uploads, rec.time)
            msg = original
        else:
            flags = int(payload.get("flags") or 0) & _CREATE_FLAGS
            msg = await self._messages.create(inter.channel_id, inter.guild_id, payload, uploads, flags, inter)
        inter.followups.append(msg)
        if rec.query.get("wait", "").lower() in ("1", "true"):
            return 200, msg.to_dict()
        return 204, None

    # ---- channels -----------------------------------------------------------------------------------------------

    def _channel(self, m: Mapping[str, str], needed: int = VIEW_CHANNEL) -> dict[str, Any]:
        fake = self._fake
        channel = fake.channels.get(int(m["channel"]))
        if channel is None:
            raise unknown("Channel", 10003)
        guild = fake.guilds.get(int(channel["guild_id"])) if "guild_id" in channel else None
        if guild is not None:
            have = guild.channel_permissions(fake.application_id, channel)
            if not have & VIEW_CHANNEL:
                raise DiscordError(403, 50001, "Missing Access")
            if have & needed != needed:
                raise DiscordError(403, 50013, "Missing Permissions")
        return channel

    def _channel_message(self, channel: Mapping[str, Any], m: Mapping[str, str]) -> FakeMessage:
        msg = self._fake.messages.get(int(m["message"]))
        if msg is None or msg.deleted or msg.ephemeral or msg.channel_id != int(channel["id"]):
            raise unknown("Message", 10008)
        return msg

    async def _get_channel(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        return 200, self._channel(m)

    async def _history(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        channel = self._channel(m, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        limit = max(1, min(100, int(rec.query.get("limit", 50))))
        found = sorted(
            (
                msg
                for msg in self._fake.messages.values()
                if msg.channel_id == int(channel["id"]) and not msg.deleted and not msg.ephemeral
            ),
            key=lambda msg: msg.id,
            reverse=True,
        )
        if "before" in rec.query:
            found = [msg for msg in found if msg.id < int(rec.query["before"])][:limit]
        elif "after" in rec.query:
            found = [msg for msg in found if msg.id > int(rec.query["after"])][-limit:]
        elif "around" in rec.query:
            pivot = int(rec.query["around"])
            newer = [msg for msg in found if msg.id >= pivot][-(limit // 2 + limit % 2) :]
            found = newer + [msg for msg in found if msg.id < pivot][: limit // 2]
        else:
            found = found[:limit]
        return 200, [msg.to_dict() for msg in found]

    async def _create_channel_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        fake = self._fake
        channel = self._channel(m, VIEW_CHANNEL | SEND_MESSAGES | (ATTACH_FILES if uploads else 0))
        if channel.get("type") == 1:
            recipient = int(channel["recipients"][0]["id"])
            if recipient in fake.closed_dms:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        payload = rec.json if isinstance(rec.json, dict) else {}
        reference = self._reference(payload, channel)
        flags = int(payload.get("flags") or 0) & (_CREATE_FLAGS & ~FLAG_EPHEMERAL)
        guild_id = int(channel["guild_id"]) if "guild_id" in channel else None
        msg = await self._messages.create(
            int(channel["id"]), guild_id, payload, uploads, flags, None, reference=reference
        )
        return 200, msg.to_dict()

    def _reference(self, payload: Mapping[str, Any], channel: Mapping[str, Any]) -> FakeMessage | None:
        ref = payload.get("message_reference")
        if not ref:
            return None
        target = self._fake.messages.get(int(ref.get("message_id") or 0))
        if target is None or target.deleted or target.ephemeral:
            if ref.get("fail_if_not_exists", True):
                errs = limits.FormErrors()
                errs.add("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
                errs.raise_if_any()
            return None
        return target

    async def _get_channel_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        channel = self._channel(m, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        data = self._channel_message(channel, m).to_dict()
        # Without MESSAGE_CONTENT, REST blanks message content just as the gateway does.
        sessions = self._fake.gateway.sessions.values()
        if not any(session.intents & INTENT_MESSAGE_CONTENT for session in sessions):
            data = redact_message(data, self._fake.bot_user["id"])
        return 200, data

    async def _edit_channel_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        channel = self._channel(m)
        msg = self._channel_message(channel, m)
        if msg.author["id"] != self._fake.bot_user["id"]:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        await self._messages.edit(msg, rec.json or {}, uploads, rec.time)
        return 200, msg.to_dict()

    async def _delete_channel_message(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        own = self._fake.messages.get(int(m["message"]))
        mine = own is not None and own.author["id"] == self._fake.bot_user["id"]
        channel = self._channel(m, VIEW_CHANNEL if mine else VIEW_CHANNEL | MANAGE_MESSAGES)
        await self._messages.delete(self._channel_message(channel, m))
        return 204, None

    async def _add_reaction(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        msg = self._channel_message(self._channel(m, VIEW_CHANNEL | READ_MESSAGE_HISTORY | ADD_REACTIONS), m)
        if m["emoji"] not in msg.reactions:
            msg.reactions.append(m["emoji"])
        return 204, None

    async def _remove_reaction(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        msg = self._channel_message(self._channel(m), m)
        if m["emoji"] in msg.reactions:
            msg.reactions.remove(m["emoji"])
        return 204, None

    async def _typing(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        self._channel(m, VIEW_CHANNEL | SEND_MESSAGES)
        return 204, None

    # ---- guilds -------------------------------------------------------------------------------------------------

    def _guild(self, m: Mapping[str, str]) -> Any:
        guild = self._fake.guilds.get(int(m["guild"]))
        if guild is None:
            raise unknown("Guild", 10004)
        return guild

    async def _get_guild(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        guild = self._guild(m)
        return 200, {**guild.to_guild_object(), "approximate_member_count": len(guild.members)}

    async def _get_guild_channels(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        return 200, self._guild(m).channels

    async def _get_guild_roles(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        return 200, self._guild(m).roles

    async def _get_member(self, rec: Recorded, uploads: list[Upload], m: Params) -> Reply:
        member = self._guild(m).members.get(int(m["user"]))
        if member is None:
            raise unknown("Member", 10007)
        return 200, member
