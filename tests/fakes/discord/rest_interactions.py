"""REST routes of interactions: the first-response callback and the webhook routes for @original and followups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.discord import limits as limits
from tests.fakes.discord.basics import FLAG_EPHEMERAL, FLAG_LOADING
from tests.fakes.discord.errors import DiscordError, unknown
from tests.fakes.discord.messages import CREATE_FLAGS, Upload
from tests.fakes.discord.models import FakeInteraction, FakeMessage, Recorded
from tests.fakes.discord.rest_base import Params, Reply, RestResource, RouteSpec

MAX_USER_INSTALL_FOLLOWUPS = 5  # per interaction, when only a user's installation authorised it


class InteractionRoutes(RestResource):
    """Answers to interactions, with Discord's 3-second deadline, single first response and 15-minute token."""

    def routes(self) -> list[RouteSpec]:
        """POST .../callback, and GET/PATCH/DELETE of webhook messages plus POST of followups."""
        token = r"[^/]+"
        wh = rf"/webhooks/(?P<app>\d+)/(?P<token>{token})"
        return [
            ("POST", rf"/interactions/(?P<id>\d+)/(?P<token>{token})/callback", self._callback, False),
            ("GET", rf"{wh}/messages/(?P<message>@original|\d+)", self._get_webhook_message, False),
            ("PATCH", rf"{wh}/messages/(?P<message>@original|\d+)", self._edit_webhook_message, False),
            ("DELETE", rf"{wh}/messages/(?P<message>@original|\d+)", self._delete_webhook_message, False),
            ("POST", wh, self._followup, False),
        ]

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
            flags = int(data.get("flags") or 0) & CREATE_FLAGS
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
        if inter.install == "user" and inter.followup_posts >= MAX_USER_INSTALL_FOLLOWUPS:
            # Discord: an app not installed where it was used may create 5 follow-ups per interaction.
            raise DiscordError(400, 40094, "This interaction has hit the maximum number of follow up messages")
        inter.followup_posts += 1
        payload = rec.json if isinstance(rec.json, dict) else {}
        original = inter.original
        if original is not None and original.loading and not original.deleted and not inter.followups:
            # The first followup after a "thinking" defer fills in the deferred message, keeping its ephemerality.
            await self._messages.edit(original, payload, uploads, rec.time)
            msg = original
        else:
            flags = int(payload.get("flags") or 0) & CREATE_FLAGS
            msg = await self._messages.create(inter.channel_id, inter.guild_id, payload, uploads, flags, inter)
        inter.followups.append(msg)
        if rec.query.get("wait", "").lower() in ("1", "true"):
            return 200, msg.to_dict()
        return 204, None
