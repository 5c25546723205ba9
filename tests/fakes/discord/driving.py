"""Driving the bot through the fake as users would: slash commands, context menus, clicks, modals and messages."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from tests.fakes.discord.basics import (
    ATTACH_FILES,
    EMBED_LINKS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    new_snowflake,
)
from tests.fakes.discord.guilds import FakeGuild
from tests.fakes.discord.interactions import click_data, modal_submit_data, slash_options
from tests.fakes.discord.models import FakeInteraction, FakeMessage
from tests.fakes.discord.server import FakeDiscordServer


class DrivingMixin(FakeDiscordServer):
    """FakeDiscord's methods that make something happen in front of the bot, each as Discord would deliver it."""

    async def send_slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: FakeGuild | None = None,
        user: dict[str, Any],
        channel: dict[str, Any] | None = None,
        attachments: Mapping[str, dict[str, Any]] | None = None,
        subcommand: str | None = None,
        app_permissions: int | None = None,
        locale: str = "en-US",
        install: Install | None = None,
    ) -> FakeInteraction:
        """Dispatch a slash command (type 2, data.type 1), checked against the synced definition if there is one.

        subcommand is "sub" or "group sub". Option values: str, int, bool, float, or attachment / member / user /
        channel / role dicts from this fake. Without a guild, channel is a DM or group DM (context 1 or 2). install
        is whose installation authorises the command: "guild" (the default where the bot is a member) or "user".
        """
        channel = channel or _first_channel(guild)
        install = install or self._default_install(guild)
        command, scoped = self._find_command(name, 1, guild, channel, install)
        resolved: dict[str, dict[str, Any]] = {}
        values = {**(options or {}), **(attachments or {})}
        built = slash_options(name, command, values, subcommand, guild, self.application_id, resolved)
        data: dict[str, Any] = {"id": self._command_id(command), "name": name, "type": 1, "options": built}
        if scoped and guild is not None:
            data["guild_id"] = str(guild.id)
        if resolved:
            data["resolved"] = resolved
        return await self._interact(
            2, data, guild, user, channel, app_permissions=app_permissions, locale=locale, install=install
        )

    async def send_autocomplete(
        self,
        name: str,
        option: str,
        typed: str,
        *,
        guild: FakeGuild,
        user: dict[str, Any],
        channel: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        """Dispatch an autocomplete (type 4) while the user types `typed` into an option declared with autocomplete.

        Discord sends the option as focused, its value the partial text; the bot answers with choices (type 8).
        """
        install = self._default_install(guild)
        command, scoped = self._find_command(name, 1, guild, channel or guild.channels[0], install)
        definition = next((o for o in (command or {}).get("options") or [] if o["name"] == option), None)
        if command is not None and (definition is None or not definition.get("autocomplete")):
            raise ValueError(f"/{name} option {option!r} does not autocomplete: Discord's client would not ask")
        data: dict[str, Any] = {
            "id": self._command_id(command),
            "name": name,
            "type": 1,
            "options": [{"name": option, "type": 3, "value": typed, "focused": True}],
        }
        if scoped:
            data["guild_id"] = str(guild.id)
        return await self._interact(4, data, guild, user, channel or guild.channels[0])

    async def send_message_command(
        self,
        name: str,
        target: FakeMessage,
        *,
        guild: FakeGuild | None = None,
        user: dict[str, Any],
        channel: dict[str, Any] | None = None,
        install: Install | None = None,
    ) -> FakeInteraction:
        """Dispatch a message context menu command (data.type 3) on target; content is always resolved."""
        channel = channel or self.channels[target.channel_id]
        install = install or self._default_install(guild)
        command, scoped = self._find_command(name, 3, guild, channel, install)
        data: dict[str, Any] = {
            "id": self._command_id(command),
            "name": name,
            "type": 3,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): target.to_dict()}},
        }
        if scoped and guild is not None:
            data["guild_id"] = str(guild.id)
        return await self._interact(2, data, guild, user, channel, install=install)

    async def click(
        self,
        message: FakeMessage,
        custom_id: str,
        *,
        user: dict[str, Any],
        guild: FakeGuild | None = None,
        values: Sequence[str] | None = None,
    ) -> FakeInteraction:
        """Click a button (or choose select values) on a message: a type 3 interaction carrying the message."""
        data = click_data(message, custom_id, values)
        guild = guild or self.guilds.get(int(message.guild_id or 0))
        source = self.interactions.get(message.interaction_id or 0)
        install = source.install if source is not None else None
        channel = self.channels[message.channel_id]
        return await self._interact(3, data, guild, user, channel, message=message, install=install)

    async def submit_modal(
        self,
        interaction: FakeInteraction,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        """Submit the modal the bot answered interaction with; values by custom_id or by label."""
        modal = interaction.modal
        if modal is None:
            raise ValueError(f"interaction {interaction.id} was not answered with a modal")
        data = modal_submit_data(modal, values)
        guild = self.guilds.get(int(interaction.guild_id or 0))
        channel = self.channels[interaction.channel_id]
        source = interaction.message if interaction.type == 3 else None
        who = user or interaction.user
        return await self._interact(5, data, guild, who, channel, message=source, install=interaction.install)

    async def post_message(
        self,
        channel: dict[str, Any],
        author: dict[str, Any],
        content: str = "",
        *,
        attachments: Sequence[dict[str, Any]] = (),
        embeds: Sequence[dict[str, Any]] = (),
        reference: FakeMessage | None = None,
        mention_bot: bool = False,
        guild: FakeGuild | None = None,
        ping_reply: bool = True,
    ) -> FakeMessage:
        """A user posts a message; MESSAGE_CREATE reaches the bot (content hidden without the intent unless mentioned).

        A reply (reference=...) pings the replied author unless ping_reply=False, as Discord's client does.
        """
        user = author.get("user", author)
        bot_id = self.bot_user["id"]
        if mention_bot and f"<@{bot_id}>" not in content and f"<@!{bot_id}>" not in content:
            content = f"<@{bot_id}> {content}".rstrip()
        if guild is None and "guild_id" in channel:
            guild = self.guilds[int(channel["guild_id"])]
        msg = FakeMessage(
            id=new_snowflake(),
            channel_id=int(channel["id"]),
            guild_id=guild.id if guild else None,
            author=user,
            content=content,
            embeds=[{"type": "rich", **e} for e in embeds],
            attachments=list(attachments),
            type=19 if reference else 0,
            created=self.clock(),
            blobs=self.files,
        )
        if reference is not None:
            msg.referenced = reference
            msg.message_reference = {
                "type": 0,
                "message_id": str(reference.id),
                "channel_id": str(reference.channel_id),
            }
            if reference.guild_id:
                msg.message_reference["guild_id"] = str(reference.guild_id)
        msg.mentions = self._mentions(content, None, None)
        if reference is not None and ping_reply and reference.author not in msg.mentions:
            msg.mentions.append(reference.author)
        event = msg.to_dict()
        if guild is not None:
            member = guild.members.get(int(user["id"]))
            if member is None:
                raise ValueError(f"{user['username']} is not a member of {guild.name}: add_member() first")
            msg.member = {k: v for k, v in member.items() if k != "user"}
            event["member"] = msg.member
        self.messages[msg.id] = msg
        intent = INTENT_GUILD_MESSAGES if guild else INTENT_DIRECT_MESSAGES
        if self.bot_sees(channel):  # a group DM or a server without the bot: the bot hears nothing of it
            await self.gateway.dispatch("MESSAGE_CREATE", event, guild_id=msg.guild_id, intent=intent, redact=True)
        self._changed()
        return msg

    async def reconnect_gateway(self) -> None:
        """Send op 7 RECONNECT on every connection: the bot reconnects and RESUMEs."""
        await self.gateway.send_op(7)

    def _default_install(self, guild: FakeGuild | None) -> Install:
        return "guild" if guild is not None and self.bot_in(guild) else "user"

    def _find_command(
        self, name: str, kind: int, guild: FakeGuild | None, channel: Mapping[str, Any], install: Install
    ) -> tuple[dict[str, Any] | None, bool]:
        """The synced command Discord's client offers here; ValueError where the client would not offer it.

        Guild commands exist only in servers that installed the bot. A global command is offered where its
        `contexts` include this one and its `integration_types` the installation used.
        """
        scopes: list[tuple[bool, list[dict[str, Any]]]] = [(False, self.commands)]
        if guild is not None and self.bot_in(guild):
            scopes.insert(0, (True, self.guild_commands.get(guild.id, [])))
        context = interaction_context(guild, channel)
        for scoped, commands in scopes:
            for command in commands:
                if command["name"] != name or int(command.get("type", 1)) != kind:
                    continue
                if not scoped:
                    contexts = command.get("contexts")
                    contexts = [0, 1, 2] if contexts is None else contexts
                    types = command.get("integration_types") or [0]
                    if context not in contexts or INSTALL_TYPES[install] not in types:
                        raise ValueError(
                            f"Discord's client does not offer /{name} here: context {context} with a {install} "
                            f"install, and the command has contexts {contexts}, integration_types {types}"
                        )
                return command, scoped
        synced = self.commands or any(self.guild_commands.values())
        if synced and (guild is None or not self.bot_in(guild)):
            raise ValueError(f"/{name} is not a global command: Discord's client does not offer it here")
        return None, False

    @staticmethod
    def _command_id(command: Mapping[str, Any] | None) -> str:
        return str(command["id"]) if command is not None else str(new_snowflake())

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        guild: FakeGuild | None,
        user: dict[str, Any],
        channel: dict[str, Any],
        *,
        app_permissions: int | None = None,
        locale: str = "en-US",
        message: FakeMessage | None = None,
        install: Install | None = None,
    ) -> FakeInteraction:
        plain_user = user.get("user", user)
        uid = int(plain_user["id"])
        install = install or self._default_install(guild)
        if install == "guild" and guild is not None and not self.bot_in(guild):
            raise ValueError(f"{guild.name} did not install the bot: only a user install reaches it")
        interaction_id = new_snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "channel_id": channel["id"],
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "authorizing_integration_owners": _owners(install, guild, uid),
            "context": interaction_context(guild, channel),
            "attachment_size_limit": self.attachment_size_limit,
        }
        member = None
        if guild is not None:
            member = guild.members.get(uid)
            if member is None:
                raise ValueError(f"{plain_user['username']} is not a member of {guild.name}: add_member() first")
            perms = guild.channel_permissions(uid, channel)
            # Where the bot is no member Discord reports what @everyone may do there, as the app's permissions.
            bot_perms = guild.channel_permissions(self.application_id, channel)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                channel={**channel, "permissions": str(perms)},
                member={**member, "permissions": str(perms)},
                app_permissions=str(bot_perms if app_permissions is None else app_permissions),
                guild_locale="en-US",
            )
        else:
            if channel.get("type") not in (1, 3):
                raise ValueError("without a guild, the channel must be a DM (dm_channel) or a group DM (add_group_dm)")
            if uid not in {int(u["id"]) for u in channel.get("recipients") or []}:
                raise ValueError(f"{plain_user['username']} is not in that DM")
            # In DMs Discord sends `user`, not `member`, no guild_id, and a partial channel.
            partial = {k: channel[k] for k in ("id", "type", "name", "recipients", "owner_id", "flags") if k in channel}
            payload.update(user=plain_user, channel=partial, app_permissions=str(app_permissions or DM_APP_PERMISSIONS))
        if message is not None:
            payload["message"] = message.to_dict()
        inter = FakeInteraction(
            id=interaction_id,
            token=token,
            type=kind,
            data=data,
            user=plain_user,
            member=member,
            channel_id=int(channel["id"]),
            guild_id=guild.id if guild is not None else None,
            created=self.clock(),
            payload=payload,
            message=message,
        )
        self.interactions[interaction_id] = inter
        self._interactions_by_token[token] = inter
        await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=inter.guild_id, required=True)
        self._changed()
        return inter


Install = Literal["guild", "user"]
INSTALL_TYPES: dict[str, int] = {"guild": 0, "user": 1}  # Discord's integration_types
#: What a user-installed app may do in a DM or group DM (Discord reports the app's permissions there).
DM_APP_PERMISSIONS = SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | VIEW_CHANNEL


def interaction_context(guild: FakeGuild | None, channel: Mapping[str, Any]) -> int:
    """Discord's interaction context: 0 a server, 1 the bot's DM, 2 a group DM or a DM between other users."""
    if guild is not None:
        return 0
    return 1 if channel.get("type") == 1 else 2


def _owners(install: Install, guild: FakeGuild | None, user_id: int) -> dict[str, str]:
    """authorizing_integration_owners: "0" the server that installed the app ("0" in the bot's DM), "1" the user."""
    if install == "user":
        return {"1": str(user_id)}
    return {"0": str(guild.id) if guild is not None else "0"}


def _first_channel(guild: FakeGuild | None) -> dict[str, Any]:
    if guild is None:
        raise ValueError("without a guild, pass the DM or group DM channel")
    return guild.channels[0]
