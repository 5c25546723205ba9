"""Discord's documented limits, refused the way Discord refuses them: 50035 Invalid Form Body with per-field errors."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import Any

from tests.fakes.discord.basics import FLAG_COMPONENTS_V2
from tests.fakes.discord.errors import DiscordError
from tests.fakes.discord.models import walk_components

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_FILES = 10
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER_TEXT = 2048
MAX_AUTHOR_NAME = 256
MAX_EMBED_TOTAL = 6000
MAX_CUSTOM_ID = 100
MAX_ACTION_ROWS = 5
MAX_ROW_WIDTH = 5
MAX_BUTTON_LABEL = 80
MAX_SELECT_OPTIONS = 25
MAX_SELECT_OPTION_TEXT = 100  # an option's label, value and description
MAX_V2_TEXT = 4000  # the text of every component of a Components V2 message together
MAX_V2_COMPONENTS = 40
MAX_GALLERY_ITEMS = 10
#: What a Components V2 message cannot carry: everything is a component.
V2_LEGACY_FIELDS = ("content", "embeds", "sticker_ids", "poll")
MAX_SELECT_PLACEHOLDER = 150
MAX_MODAL_TITLE = 45
MAX_MODAL_COMPONENTS = 5
MAX_TEXT_INPUT_LABEL = 45
MAX_TEXT_INPUT_VALUE = 4000
MAX_TEXT_INPUT_PLACEHOLDER = 100
MAX_LABEL_DESCRIPTION = 100
MAX_COMMAND_NAME = 32
MAX_COMMAND_DESCRIPTION = 100
MAX_COMMAND_OPTIONS = 25
MAX_CHOICES = 25
MAX_SLASH_COMMANDS = 100
MAX_CONTEXT_MENUS = 5
MAX_COMMAND_TOTAL_TEXT = 8000
MAX_STRING_OPTION = 6000
MAX_AUTOCOMPLETE_CHOICES = 25

_SLASH_NAME = re.compile(r"^[-_'\w]{1,32}$")
#: The locales Discord accepts as keys of name_localizations and description_localizations (Reference → Locales).
LOCALES = frozenset(
    "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el bg ru uk hi th zh-CN "
    "ja zh-TW ko".split()
)
_MEDIA_SCHEMES = ("http://", "https://", "attachment://")
_LINK_SCHEMES = ("http://", "https://")


class FormErrors:
    """Collects field errors and raises them together, nested by path as Discord reports them."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: str, code: str, message: str) -> None:
        """Record one error at a dotted path such as "data.embeds.0.title"."""
        node = self.errors
        for key in path.split("."):
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def length(self, path: str, value: Any, maximum: int, minimum: int = 0) -> None:
        """Check a string's length."""
        if value is None:
            if minimum:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            return
        if not isinstance(value, str):
            self.add(path, "BASE_TYPE_STRING", "Must be a string.")
        elif len(value) > maximum:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {maximum} or fewer in length.")
        elif len(value) < minimum:
            self.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {minimum} or more in length.")

    def count(self, path: str, items: Sequence[Any], maximum: int, minimum: int = 0) -> None:
        """Check a list's length."""
        if len(items) > maximum:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {maximum} or fewer in length.")
        elif len(items) < minimum:
            self.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {minimum} or more in length.")

    def raise_if_any(self) -> None:
        """Raise 400 / 50035 if anything was recorded."""
        if self.errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors=self.errors)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def check_message(payload: Mapping[str, Any], errs: FormErrors, *, prefix: str = "", v2: bool | None = None) -> None:
    """Content, embeds and components of a message payload (create or edit).

    v2 says whether the message is (or becomes) a Components V2 one; None: as the payload's own flags say.
    """
    errs.length(_join(prefix, "content"), payload.get("content"), MAX_CONTENT)
    embeds = payload.get("embeds") or []
    check_embeds(embeds, errs, _join(prefix, "embeds"))
    if v2 is None:
        v2 = bool(int(payload.get("flags") or 0) & FLAG_COMPONENTS_V2)
    components = payload.get("components") or []
    check_components(components, errs, _join(prefix, "components"), v2=v2)
    if v2:
        # Discord: with IS_COMPONENTS_V2 a message can only contain components (and files they show).
        for key in V2_LEGACY_FIELDS:
            if payload.get(key):
                errs.add(
                    _join(prefix, key),
                    "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                    f"The '{key}' field cannot be used when using the IS_COMPONENTS_V2 flag",
                )
    attachments = payload.get("attachments")
    if attachments is not None:
        errs.count(_join(prefix, "attachments"), attachments, MAX_FILES)
    check_allowed_mentions(payload.get("allowed_mentions"), errs, _join(prefix, "allowed_mentions"))


MENTION_TYPES = ("roles", "users", "everyone")
MAX_ALLOWED_IDS = 100


def check_allowed_mentions(allowed: Any, errs: FormErrors, path: str) -> None:
    """Discord's allowed mentions object: known parse types, at most 100 ids, a type parsed or listed, not both."""
    if allowed is None:
        return
    if not isinstance(allowed, Mapping):
        errs.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        return
    parse = allowed.get("parse") or []
    for n, kind in enumerate(parse):
        if kind not in MENTION_TYPES:
            errs.add(f"{path}.parse.{n}", "ENUM_TYPE_COERCE", f'Value "{kind}" is not a valid enum value.')
    for kind in ("users", "roles"):
        ids = allowed.get(kind) or []
        errs.count(f"{path}.{kind}", ids, MAX_ALLOWED_IDS)
        if ids and kind in parse:
            # Discord: "parse: ['users']" and "users: [ids]" are mutually exclusive.
            errs.add(path, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", f'parse:["{kind}"] and {kind}: [ids] conflict')


def _check_url(errs: FormErrors, path: str, url: Any, schemes: tuple[str, ...]) -> None:
    if url is None:
        return
    if not isinstance(url, str) or not url.startswith(schemes):
        allowed = ", ".join(repr(s.split(":")[0]) for s in schemes)
        errs.add(path, "URL_TYPE_INVALID_PROTOCOL", f"Scheme must be one of ({allowed}).")


def check_embeds(embeds: Sequence[Mapping[str, Any]], errs: FormErrors, path: str) -> None:
    """Per-embed limits and the 6000-character total across all embeds of a message."""
    errs.count(path, embeds, MAX_EMBEDS)
    total = 0
    for i, embed in enumerate(embeds):
        at = f"{path}.{i}"
        title = embed.get("title") or ""
        description = embed.get("description") or ""
        errs.length(f"{at}.title", title, MAX_EMBED_TITLE)
        errs.length(f"{at}.description", description, MAX_EMBED_DESCRIPTION)
        total += len(title) + len(description)
        color = embed.get("color")
        if color is not None and not 0 <= int(color) <= 0xFFFFFF:
            errs.add(f"{at}.color", "NUMBER_TYPE_MAX", "int value should be <= 16777215.")
        _check_url(errs, f"{at}.url", embed.get("url"), _LINK_SCHEMES)
        for media in ("image", "thumbnail"):
            if embed.get(media):
                _check_url(errs, f"{at}.{media}.url", embed[media].get("url"), _MEDIA_SCHEMES)
        fields = embed.get("fields") or []
        errs.count(f"{at}.fields", fields, MAX_EMBED_FIELDS)
        for j, item in enumerate(fields):
            errs.length(f"{at}.fields.{j}.name", item.get("name"), MAX_FIELD_NAME, 1)
            errs.length(f"{at}.fields.{j}.value", item.get("value"), MAX_FIELD_VALUE, 1)
            total += len(item.get("name") or "") + len(item.get("value") or "")
        footer = embed.get("footer") or {}
        errs.length(f"{at}.footer.text", footer.get("text"), MAX_FOOTER_TEXT)
        author = embed.get("author") or {}
        errs.length(f"{at}.author.name", author.get("name"), MAX_AUTHOR_NAME)
        total += len(footer.get("text") or "") + len(author.get("name") or "")
    if total > MAX_EMBED_TOTAL:
        errs.add(path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}")


def check_components(components: Sequence[Mapping[str, Any]], errs: FormErrors, path: str, *, v2: bool) -> None:
    """Action rows, buttons and selects of a message; custom_id length and uniqueness for every layout."""
    seen: set[str] = set()
    for component in walk_components(components):
        custom_id = component.get("custom_id")
        if custom_id is None:
            continue
        errs.length(f"{path}.custom_id", custom_id, MAX_CUSTOM_ID, 1)
        if custom_id in seen:
            errs.add(path, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
        seen.add(custom_id)
    if v2:
        everything = list(walk_components(components))
        errs.count(path, everything, MAX_V2_COMPONENTS)
        if sum(len(c.get("content") or "") for c in everything if c.get("type") == 10) > MAX_V2_TEXT:
            errs.add(
                path, "BASE_TYPE_MAX_LENGTH", f"The text of all components must be {MAX_V2_TEXT} or fewer in length."
            )
        for component in everything:
            kind = component.get("type")
            if kind == 1:
                # Discord: an action row holds 1 to 5 buttons (or one select), in a layout as at the top level.
                errs.count(f"{path}.components", component.get("components") or [], MAX_ROW_WIDTH, 1)
            elif kind == 2:
                errs.length(f"{path}.label", component.get("label"), MAX_BUTTON_LABEL)
            elif kind == 12:
                items = component.get("items") or []
                errs.count(f"{path}.items", items, MAX_GALLERY_ITEMS, 1)
                for item in items:
                    _check_url(errs, f"{path}.items.media.url", (item.get("media") or {}).get("url"), _MEDIA_SCHEMES)
            elif kind == 11:
                _check_url(errs, f"{path}.media.url", (component.get("media") or {}).get("url"), _MEDIA_SCHEMES)
            elif kind == 13:
                _check_url(errs, f"{path}.file.url", (component.get("file") or {}).get("url"), ("attachment://",))
        return
    errs.count(path, components, MAX_ACTION_ROWS)
    for i, row in enumerate(components):
        at = f"{path}.{i}"
        if row.get("type") != 1:
            errs.add(f"{at}.type", "UNION_TYPE_CHOICES", "Top-level components must be action rows (type 1).")
            continue
        children = row.get("components") or []
        errs.count(f"{at}.components", children, MAX_ROW_WIDTH, 1)
        for j, child in enumerate(children):
            _check_row_child(child, errs, f"{at}.components.{j}", len(children))


def _check_row_child(child: Mapping[str, Any], errs: FormErrors, at: str, row_size: int) -> None:
    kind = child.get("type")
    if kind == 2:
        errs.length(f"{at}.label", child.get("label"), MAX_BUTTON_LABEL)
        if child.get("style") == 5:
            _check_url(errs, f"{at}.url", child.get("url"), (*_LINK_SCHEMES, "discord://"))
            if child.get("custom_id") is not None:
                errs.add(
                    f"{at}.custom_id", "BUTTON_COMPONENT_CUSTOM_ID_INVALID", "Link buttons cannot have a custom_id"
                )
        elif child.get("style") != 6 and not child.get("custom_id"):
            errs.add(f"{at}.custom_id", "BASE_TYPE_REQUIRED", "This field is required")
        if not child.get("label") and not child.get("emoji"):
            errs.add(at, "BUTTON_COMPONENT_INVALID", "A button needs a label or an emoji")
    elif kind in (3, 5, 6, 7, 8):
        if row_size != 1:
            errs.add(at, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
        errs.length(f"{at}.placeholder", child.get("placeholder"), MAX_SELECT_PLACEHOLDER)
        if kind == 3:
            _check_select_options(child, errs, at)
    else:
        errs.add(f"{at}.type", "UNION_TYPE_CHOICES", f"Component type {kind} is not allowed in an action row")


def _check_select_options(select: Mapping[str, Any], errs: FormErrors, at: str) -> None:
    options = select.get("options") or []
    errs.count(f"{at}.options", options, MAX_SELECT_OPTIONS, 1)
    for k, option in enumerate(options):
        errs.length(f"{at}.options.{k}.label", option.get("label"), MAX_SELECT_OPTION_TEXT, 1)
        errs.length(f"{at}.options.{k}.value", option.get("value"), MAX_SELECT_OPTION_TEXT, 1)
        errs.length(f"{at}.options.{k}.description", option.get("description"), MAX_SELECT_OPTION_TEXT)


def check_modal(data: Mapping[str, Any]) -> None:
    """A type 9 (MODAL) response: title, custom_ids, 1-5 rows or labels of text inputs and selects."""
    errs = FormErrors()
    errs.length("data.title", data.get("title"), MAX_MODAL_TITLE, 1)
    errs.length("data.custom_id", data.get("custom_id"), MAX_CUSTOM_ID, 1)
    components = data.get("components") or []
    errs.count("data.components", components, MAX_MODAL_COMPONENTS, 1)
    for i, top in enumerate(components):
        at = f"data.components.{i}"
        if top.get("type") == 1:
            inner = top.get("components") or []
            errs.count(f"{at}.components", inner, 1, 1)
            for j, child in enumerate(inner):
                _check_modal_input(child, errs, f"{at}.components.{j}", label_required=True)
        elif top.get("type") == 18:
            errs.length(f"{at}.label", top.get("label"), MAX_TEXT_INPUT_LABEL, 1)
            errs.length(f"{at}.description", top.get("description"), MAX_LABEL_DESCRIPTION)
            _check_modal_input(top.get("component") or {}, errs, f"{at}.component", label_required=False)
        elif top.get("type") != 10:  # text displays are allowed as they are
            errs.add(f"{at}.type", "UNION_TYPE_CHOICES", f"Component type {top.get('type')} is not allowed in a modal")
    errs.raise_if_any()


def _check_modal_input(child: Mapping[str, Any], errs: FormErrors, at: str, *, label_required: bool) -> None:
    errs.length(f"{at}.custom_id", child.get("custom_id"), MAX_CUSTOM_ID, 1)
    if child.get("type") == 4:
        errs.length(f"{at}.label", child.get("label"), MAX_TEXT_INPUT_LABEL, 1 if label_required else 0)
        errs.length(f"{at}.value", child.get("value"), MAX_TEXT_INPUT_VALUE)
        errs.length(f"{at}.placeholder", child.get("placeholder"), MAX_TEXT_INPUT_PLACEHOLDER)
        for key in ("min_length", "max_length"):
            value = child.get(key)
            if value is not None and not 0 <= int(value) <= MAX_TEXT_INPUT_VALUE:
                errs.add(f"{at}.{key}", "NUMBER_TYPE_MAX", f"int value should be <= {MAX_TEXT_INPUT_VALUE}.")
    elif child.get("type") in (3, 5, 6, 7, 8):
        errs.length(f"{at}.placeholder", child.get("placeholder"), MAX_SELECT_PLACEHOLDER)
        if child.get("type") == 3:
            _check_select_options(child, errs, at)
    else:
        errs.add(f"{at}.type", "UNION_TYPE_CHOICES", f"Component type {child.get('type')} is not allowed here")


def check_commands(commands: Sequence[Mapping[str, Any]]) -> None:
    """A bulk overwrite of application commands: names, descriptions, options, choices and counts."""
    errs = FormErrors()
    by_type: dict[int, set[str]] = {}
    for i, command in enumerate(commands):
        kind = int(command.get("type", 1))
        name = command.get("name") or ""
        names = by_type.setdefault(kind, set())
        if name in names:
            errs.add(
                f"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Application command names must be unique ({name})"
            )
        names.add(name)
        _check_installs(command, errs, str(i))
        if kind == 1:
            _check_option_like(command, errs, str(i))
            options = command.get("options") or []
            _check_options(options, errs, f"{i}.options")
            if _command_text_size(command) > MAX_COMMAND_TOTAL_TEXT:
                errs.add(
                    str(i), "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({MAX_COMMAND_TOTAL_TEXT})"
                )
        else:
            errs.length(f"{i}.name", name, MAX_COMMAND_NAME, 1)
            _check_localizations(command.get("name_localizations"), errs, f"{i}.name_localizations", _menu_name)
            if command.get("description"):
                errs.add(f"{i}.description", "BASE_TYPE_BAD_LENGTH", "Context menu commands cannot have a description")
    if len(by_type.get(1, ())) > MAX_SLASH_COMMANDS:
        errs.add("_", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_SLASH_COMMANDS} or fewer slash commands.")
    for kind in (2, 3):
        if len(by_type.get(kind, ())) > MAX_CONTEXT_MENUS:
            errs.add("_", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTEXT_MENUS} or fewer context menus of type {kind}.")
    errs.raise_if_any()


INTEGRATION_TYPES = frozenset({0, 1})  # 0 guild install, 1 user install
INTERACTION_CONTEXTS = frozenset({0, 1, 2})  # 0 a server, 1 the bot's DM, 2 group DMs and other DMs


def _check_installs(command: Mapping[str, Any], errs: FormErrors, at: str) -> None:
    """integration_types and contexts: null, or non-empty arrays of distinct known values."""
    for key, allowed in (("integration_types", INTEGRATION_TYPES), ("contexts", INTERACTION_CONTEXTS)):
        values = command.get(key)
        if values is None:
            continue
        if not isinstance(values, list) or not values:
            errs.add(f"{at}.{key}", "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
            continue
        for j, value in enumerate(values):
            if isinstance(value, bool) or value not in allowed:
                errs.add(f"{at}.{key}.{j}", "BASE_TYPE_CHOICES", f"Value must be one of {sorted(allowed)}.")
        if len(set(values)) != len(values):
            errs.add(f"{at}.{key}", "SET_TYPE_ALREADY_CONTAINS_VALUE", "The set already contains this value.")


def _check_option_like(item: Mapping[str, Any], errs: FormErrors, at: str) -> None:
    name = item.get("name") or ""
    if not _SLASH_NAME.match(name) or name != name.lower():
        errs.add(f"{at}.name", "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")
    errs.length(f"{at}.description", item.get("description"), MAX_COMMAND_DESCRIPTION, 1)
    _check_localizations(item.get("name_localizations"), errs, f"{at}.name_localizations", _slash_name)
    _check_localizations(
        item.get("description_localizations"), errs, f"{at}.description_localizations", _command_description
    )


def _slash_name(errs: FormErrors, at: str, name: Any) -> None:
    if not isinstance(name, str) or not _SLASH_NAME.match(name) or name != name.lower():
        errs.add(at, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _menu_name(errs: FormErrors, at: str, name: Any) -> None:
    errs.length(at, name, MAX_COMMAND_NAME, 1)


def _command_description(errs: FormErrors, at: str, text: Any) -> None:
    errs.length(at, text, MAX_COMMAND_DESCRIPTION, 1)


def _choice_name(errs: FormErrors, at: str, text: Any) -> None:
    errs.length(at, text, 100, 1)


def _check_localizations(localizations: Any, errs: FormErrors, at: str, check: Any) -> None:
    """A localizations map: keys from Discord's locale list, each value held to the rule of the field it localises."""
    if localizations is None:
        return
    if not isinstance(localizations, Mapping):
        errs.add(at, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    for locale, value in localizations.items():
        if locale not in LOCALES:
            errs.add(f"{at}.{locale}", "ENUM_TYPE_COERCE", f'Value "{locale}" is not a valid enum value.')
        elif value is not None:
            check(errs, f"{at}.{locale}", value)


def _check_options(options: Sequence[Mapping[str, Any]], errs: FormErrors, at: str) -> None:
    errs.count(at, options, MAX_COMMAND_OPTIONS)
    seen_optional = False
    for i, option in enumerate(options):
        here = f"{at}.{i}"
        _check_option_like(option, errs, here)
        kind = option.get("type")
        if kind in (1, 2):
            _check_options(option.get("options") or [], errs, f"{here}.options")
            continue
        if option.get("required"):
            if seen_optional:
                errs.add(here, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must come first")
        else:
            seen_optional = True
        choices = option.get("choices") or []
        errs.count(f"{here}.choices", choices, MAX_CHOICES)
        for j, choice in enumerate(choices):
            errs.length(f"{here}.choices.{j}.name", choice.get("name"), 100, 1)
            _check_localizations(
                choice.get("name_localizations"), errs, f"{here}.choices.{j}.name_localizations", _choice_name
            )
            if isinstance(choice.get("value"), str):
                errs.length(f"{here}.choices.{j}.value", choice["value"], 100, 1)
        if option.get("max_length") is not None and not 1 <= int(option["max_length"]) <= MAX_STRING_OPTION:
            errs.add(f"{here}.max_length", "NUMBER_TYPE_MAX", f"int value should be <= {MAX_STRING_OPTION}.")


def _longest(item: Mapping[str, Any], key: str) -> int:
    """A field's size as Discord counts it toward a command's total: its longest localisation."""
    values = [item.get(key) or "", *((item.get(f"{key}_localizations") or {}).values())]
    return max(len(value or "") for value in values)


def _command_text_size(item: Mapping[str, Any]) -> int:
    size = _longest(item, "name") + _longest(item, "description")
    for choice in item.get("choices") or []:
        size += _longest(choice, "name") + len(str(choice.get("value") or ""))
    return size + sum(_command_text_size(option) for option in item.get("options") or [])


def check_autocomplete(data: Mapping[str, Any]) -> None:
    """A type 8 (autocomplete result) response: at most 25 choices."""
    errs = FormErrors()
    errs.count("data.choices", data.get("choices") or [], MAX_AUTOCOMPLETE_CHOICES)
    errs.raise_if_any()


def media_references(components: Sequence[Mapping[str, Any]]) -> Iterator[MutableMapping[str, Any]]:
    """Every unfurled media item of a Components V2 layout (gallery items, thumbnails, files), depth first."""
    for component in walk_components(components):
        kind = component.get("type")
        if kind == 12:
            for item in component.get("items") or []:
                if isinstance(item.get("media"), MutableMapping):
                    yield item["media"]
        elif kind == 11 and isinstance(component.get("media"), MutableMapping):
            yield component["media"]
        elif kind == 13 and isinstance(component.get("file"), MutableMapping):
            yield component["file"]


def text_of(components: Sequence[Mapping[str, Any]]) -> str:
    """The text of every Text Display of a layout, one per line."""
    return "\n".join(c.get("content") or "" for c in walk_components(components) if c.get("type") == 10)
