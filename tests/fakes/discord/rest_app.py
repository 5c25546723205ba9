"""REST routes about the bot itself: users and DMs, the application, the gateway URL and application commands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.discord import limits as limits
from tests.fakes.discord.basics import new_snowflake
from tests.fakes.discord.errors import DiscordError, unknown
from tests.fakes.discord.messages import Upload
from tests.fakes.discord.models import Recorded
from tests.fakes.discord.rest_base import Params, Reply, RestResource, RouteSpec


class AppRoutes(RestResource):
    """Login, application info, gateway discovery, DM channels and command sync."""

    def routes(self) -> list[RouteSpec]:
        """GET /users/@me and friends, /gateway(/bot), and PUT/GET of global and guild commands."""
        commands = r"/applications/(?P<app>\d+)(?:/guilds/(?P<guild>\d+))?/commands"
        return [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/users/(?P<user>\d+)", self._get_user, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway, True),
            ("PUT", commands, self._put_commands, True),
            ("GET", commands, self._get_commands, True),
        ]

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
