"""Words in the user's language: one Fluent catalogue per language (cogs/locales/<locale>.ftl) and `t()` to use them.

Discord tells the bot each user's language (`Interaction.locale`); replies, progress, cards and errors are written in
it, and a language without a catalogue gets English. Command names, descriptions and choices reach Discord through
`CommandTranslator`, which discord.py asks for every locale when it syncs.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

from discord import app_commands
from fluent.runtime import FluentBundle, FluentResource

log = logging.getLogger(__name__)

CATALOGUES = Path(__file__).resolve().parent.parent / "locales"
ENGLISH = "en-US"
#: Discord's locale codes of the languages with a catalogue; English is the default and the fallback.
LANGUAGES: tuple[str, ...] = (ENGLISH, "fr", "de", "es-ES", "pt-BR", "ja")
# Discord's other variants of a language we have: British English, Latin American Spanish.
_SAME_LANGUAGE = {"en-GB": ENGLISH, "es-419": "es-ES"}
_FLUENT_MAX = 900


@cache
def bundle(language: str) -> FluentBundle:
    """The catalogue of one of LANGUAGES, parsed once."""
    # No Unicode isolation marks around placeholders: Discord shows them as they are, and they break mentions.
    found = FluentBundle([language], use_isolating=False)
    found.add_resource(FluentResource((CATALOGUES / f"{language}.ftl").read_text(encoding="utf-8")))
    return found


def language(locale: object) -> str:
    """The catalogue for a Discord locale (a `discord.Locale`, its code, or None): English when there is none."""
    code = str(getattr(locale, "value", locale) or "")
    code = _SAME_LANGUAGE.get(code, code)
    return code if code in LANGUAGES else ENGLISH


def lookup(locale: object, key: str, **args: Any) -> str | None:
    """The message `key` in exactly this locale's catalogue, or None when it has none (no fallback)."""
    code = str(getattr(locale, "value", locale) or "")
    if code not in LANGUAGES:
        return None
    found = bundle(code)
    if not found.has_message(key):
        return None
    message = found.get_message(key)
    if message.value is None:
        return None
    # Fluent refuses a placeable over 1,000 characters (a long link, a quoted reason): those go in after formatting.
    long = {name: value for name, value in args.items() if isinstance(value, str) and len(value) > _FLUENT_MAX}
    marked = {**args, **{name: f"\x00{name}\x00" for name in long}}
    text, errors = found.format_pattern(message.value, marked)
    if errors:
        log.warning("message %s in %s: %s", key, code, errors[0])
        return None
    for name, value in long.items():
        text = text.replace(f"\x00{name}\x00", value)
    return text


def t(locale: object, key: str, **args: Any) -> str:
    """The message `key` in the user's language, English when that language lacks it; placeholders by name."""
    for code in dict.fromkeys((language(locale), ENGLISH)):
        text = lookup(code, key, **args)
        if text is not None:
            return text
    log.error("no message %s in the catalogues", key)
    return key


def locale_of(source: object) -> str:
    """The language code to keep with a job: an interaction's user locale, or a guild's preferred one."""
    return language(getattr(source, "locale", None) or getattr(source, "preferred_locale", None))


class CommandTranslator(app_commands.Translator):
    """Command and option names, descriptions and choices from the catalogues, keyed by where they appear.

    Keys: `cmd-<command>` (groups and subcommands joined with "-"), `cmd-<command>-desc`, `opt-<command>-<option>`,
    `opt-<command>-<option>-desc`, `choice-<value>`, and `menu-<name>` for context menus. English is the default
    text Discord shows to every other locale; a catalogue without a key leaves that locale on the default.
    """

    async def translate(
        self, string: app_commands.locale_str, locale: object, context: app_commands.TranslationContextTypes
    ) -> str | None:
        code = language(locale)  # es-419 gets the Spanish names, en-GB and unknown locales the English default
        if code == ENGLISH:
            return None
        key = string.extras.get("key") or command_key(context)
        return lookup(code, key) if key else None


def _slug(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def command_key(context: app_commands.TranslationContextTypes) -> str | None:
    """The catalogue key of a name, description or choice discord.py asks to translate."""
    where, data = context.location, context.data
    kinds = app_commands.TranslationContextLocation
    if where in (kinds.command_name, kinds.group_name, kinds.command_description, kinds.group_description):
        if isinstance(data, app_commands.ContextMenu):
            return f"menu-{_slug(data.name)}"
        key = f"cmd-{_slug(data.qualified_name)}"
        return key if where in (kinds.command_name, kinds.group_name) else f"{key}-desc"
    if where in (kinds.parameter_name, kinds.parameter_description):
        key = f"opt-{_slug(data.command.qualified_name)}-{_slug(data.name)}"
        return key if where is kinds.parameter_name else f"{key}-desc"
    if where is kinds.choice_name:
        return f"choice-{_slug(data.value)}"
    return None
