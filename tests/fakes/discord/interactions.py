"""Building interaction data the way Discord's client would: slash options, clicks and modal submissions.

Each builder refuses what the client could never send (unknown or missing options, values outside the synced
choices or lengths, disabled buttons, required modal inputs left empty), so a test cannot pass on an impossible
interaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tests.fakes.discord.guilds import FakeGuild
from tests.fakes.discord.limits import MAX_STRING_OPTION, MAX_TEXT_INPUT_VALUE
from tests.fakes.discord.models import FakeMessage, walk_components

SELECT_TYPES = (3, 5, 6, 7, 8)
_PLAIN_TYPES: dict[int, tuple[type, ...]] = {3: (str,), 4: (int,), 5: (bool,), 10: (int, float)}


def slash_options(
    command_name: str,
    command: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    subcommand: str | None,
    guild: FakeGuild | None,
    bot_id: int,
    resolved: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """data.options of a slash command, checked against the synced definition when there is one.

    subcommand is "sub" or "group sub"; resolved receives attachments, users, members, channels and roles.
    """
    defs: list[dict[str, Any]] | None = (command.get("options") or []) if command is not None else None
    path = subcommand.split() if subcommand else []
    for part in path:
        if defs is not None:
            sub = next((o for o in defs if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise ValueError(f"/{command_name} has no subcommand or group {part!r}")
            defs = sub.get("options") or []
    built = [_option(command_name, key, value, defs, guild, bot_id, resolved) for key, value in values.items()]
    for definition in defs or []:
        if definition.get("required") and definition["name"] not in values:
            raise ValueError(f"/{command_name} requires option {definition['name']!r}")
    for depth, part in reversed(list(enumerate(path))):
        built = [{"name": part, "type": 1 if depth == len(path) - 1 else 2, "options": built}]
    return built


def _option(
    command: str,
    key: str,
    value: Any,
    defs: list[dict[str, Any]] | None,
    guild: FakeGuild | None,
    bot_id: int,
    resolved: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    definition = None
    if defs is not None:
        definition = next((o for o in defs if o["name"] == key), None)
        if definition is None:
            raise ValueError(f"/{command} has no option {key!r}; it has {[o['name'] for o in defs]}")
    kind = int(definition["type"]) if definition else infer_option_type(value)
    if isinstance(value, dict):
        return {"name": key, "type": kind, "value": _resolve(kind, value, guild, bot_id, resolved)}
    expected = _PLAIN_TYPES.get(kind)
    if expected is None or not isinstance(value, expected) or (kind != 5 and isinstance(value, bool)):
        raise ValueError(f"/{command} option {key!r} (type {kind}) cannot take {_short(value)}")
    if definition is not None:
        choices = [c["value"] for c in definition.get("choices") or []]
        if choices and value not in choices:
            raise ValueError(f"/{command} option {key!r} must be one of {choices}, not {_short(value)}")
        if kind == 3:
            low = int(definition.get("min_length") or 0)
            high = min(int(definition.get("max_length") or MAX_STRING_OPTION), MAX_STRING_OPTION)
            if not low <= len(value) <= high:
                raise ValueError(
                    f"Discord's client cannot send {len(value)} characters for /{command} option {key!r}: it takes "
                    f"{low}-{high} (string options are capped at {MAX_STRING_OPTION} characters)"
                )
        elif kind in (4, 10) and not definition.get("min_value", value) <= value <= definition.get("max_value", value):
            raise ValueError(f"Discord's client cannot send {value!r} for /{command} option {key!r}: out of range")
    return {"name": key, "type": kind, "value": value}


def _resolve(
    kind: int, value: dict[str, Any], guild: FakeGuild | None, bot_id: int, resolved: dict[str, dict[str, Any]]
) -> str:
    if kind == 11:
        resolved.setdefault("attachments", {})[value["id"]] = value
    elif kind in (6, 9) and ("user" in value or "username" in value):
        user = value.get("user", value)
        resolved.setdefault("users", {})[user["id"]] = user
        member = guild.members.get(int(user["id"])) if guild is not None else None
        if guild is not None and member is not None:
            partial = {k: v for k, v in member.items() if k != "user"}
            perms = str(guild.base_permissions(int(user["id"])))
            resolved.setdefault("members", {})[user["id"]] = {**partial, "permissions": perms}
        return str(user["id"])
    elif kind == 7:
        perms = str(guild.channel_permissions(bot_id, value)) if guild is not None else "0"
        resolved.setdefault("channels", {})[value["id"]] = {**value, "permissions": perms}
    elif kind in (8, 9):
        resolved.setdefault("roles", {})[value["id"]] = value
    else:
        raise ValueError(f"option type {kind} cannot take a dict")
    return str(value["id"])


def infer_option_type(value: Any) -> int:
    """The option type for a value when the command was never synced."""
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, str):
        return 3
    if isinstance(value, dict):
        if "filename" in value:
            return 11
        if "user" in value or "username" in value:
            return 6
        if "color" in value and "permissions" in value:
            return 8
        if "type" in value:
            return 7
    raise ValueError(f"cannot infer an option type for {value!r}")


def click_data(message: FakeMessage, custom_id: str, values: Sequence[str] | None) -> dict[str, Any]:
    """data of a type 3 interaction: the clicked component must be on the message and enabled."""
    component = next((c for c in walk_components(message.components) if c.get("custom_id") == custom_id), None)
    if component is None or message.deleted:
        present = [c["custom_id"] for c in walk_components(message.components) if c.get("custom_id")]
        raise ValueError(f"no component {custom_id!r} on message {message.id}; custom_ids there: {present}")
    if component.get("disabled"):
        raise ValueError(f"component {custom_id!r} is disabled: a user cannot click it")
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
    if component["type"] in SELECT_TYPES:
        data["values"] = list(values or [])
    return data


def modal_submit_data(modal: Mapping[str, Any], values: Mapping[str, str | Sequence[str]]) -> dict[str, Any]:
    """data of a type 5 interaction mirroring the modal: rows or labels of inputs, values by custom_id or label."""
    remaining = dict(values)
    components = []
    for top in modal.get("components") or []:
        if top.get("type") == 1:
            inner = (top.get("components") or [{}])[0]
            components.append({"type": 1, "components": [_answer(inner, inner.get("label"), remaining)]})
        elif top.get("type") == 18:
            inner = top.get("component") or {}
            answered: dict[str, Any] = {"type": 18, "component": _answer(inner, top.get("label"), remaining)}
            if top.get("id") is not None:
                answered["id"] = top["id"]
            components.append(answered)
    if remaining:
        raise ValueError(f"the modal has no inputs {sorted(remaining)}")
    return {"custom_id": modal["custom_id"], "components": components}


def _answer(component: Mapping[str, Any], label: str | None, remaining: dict[str, Any]) -> dict[str, Any]:
    custom_id = component.get("custom_id")
    key = custom_id if custom_id in remaining else label if label in remaining else None
    value = remaining.pop(key) if key is not None else None
    answered: dict[str, Any] = {"type": component.get("type"), "custom_id": custom_id}
    if component.get("id") is not None:
        answered["id"] = component["id"]
    if component.get("type") == 4:
        text = "" if value is None else str(value)
        if component.get("required", True) and not text:
            raise ValueError(f"modal input {custom_id!r} ({label}) is required")
        low = int(component.get("min_length") or 0)
        high = int(component.get("max_length") or MAX_TEXT_INPUT_VALUE)
        if text and not low <= len(text) <= high:
            raise ValueError(f"modal input {custom_id!r} takes {low}-{high} characters, got {len(text)}")
        answered["value"] = text
    else:
        answered["values"] = [] if value is None else [value] if isinstance(value, str) else list(value)
    return answered


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."
