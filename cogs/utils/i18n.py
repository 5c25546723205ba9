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
from fluent.syntax import ast

log = logging.getLogger(__name__)

CATALOGUES = Path(__file__).resolve().parent.parent / "locales"
ENGLISH = "en-US"
#: Discord's locale codes of the languages with a catalogue; English is the default and the fallback.
LANGUAGES: tuple[str, ...] = (ENGLISH, "fr", "de", "es-ES", "pt-BR", "ja")
# Discord's other variants of a language we have: British English, Latin American Spanish.
_SAME_LANGUAGE = {"en-GB": ENGLISH, "es-419": "es-ES"}
_FLUENT_MAX = 900


@cache
def _resource(language: str) -> FluentResource:
    return FluentResource((CATALOGUES / f"{language}.ftl").read_text(encoding="utf-8"))


@cache
def bundle(language: str) -> FluentBundle:
    """The catalogue of one of LANGUAGES, parsed once."""
    # No Unicode isolation marks around placeholders: Discord shows them as they are, and they break mentions.
    found = FluentBundle([language], use_isolating=False)
    found.add_resource(_resource(language))
    return found


# A message of plain text and string variables, compiled once: a str.format pattern and its variables in order.
_Plain = tuple[str, tuple[str, ...]]


@cache
def _plain(language: str) -> dict[str, _Plain]:
    """The messages of a catalogue that need no Fluent logic (no selectors, numbers, references), compiled.

    Progress, cards and errors use `t()` several times per job, and Fluent's resolver builds an environment and walks
    the pattern every time: for text with string variables the result is the text with the strings put in, which a
    format string makes in one call. Everything else (plurals, numbers, references, literals) stays with Fluent.
    """
    plain: dict[str, _Plain] = {}
    seen: set[str] = set()
    for entry in _resource(language).body:
        if not isinstance(entry, ast.Message) or entry.id.name in seen:
            continue
        seen.add(entry.id.name)  # the bundle keeps a message's first definition: so does this
        compiled = _compile(entry.value) if entry.value is not None else None
        if compiled is not None:
            plain[entry.id.name] = compiled
    return plain


def _compile(pattern: ast.Pattern) -> _Plain | None:
    if not all(isinstance(element, ast.TextElement) or _variable(element) for element in pattern.elements):
        return None
    names: list[str] = []
    parts: list[str] = []
    for element in pattern.elements:
        if isinstance(element, ast.TextElement):
            parts.append(element.value.replace("{", "{{").replace("}", "}}"))
        else:
            parts.append(f"{{{len(names)}}}")
            names.append(element.expression.id.name)  # type: ignore[union-attr]
    if not names:
        return "".join(element.value for element in pattern.elements), ()  # type: ignore[union-attr]
    return "".join(parts), tuple(names)


def _variable(element: ast.PatternElement) -> bool:
    return isinstance(element, ast.Placeable) and isinstance(element.expression, ast.VariableReference)


def load() -> None:
    """Parse every catalogue now (a few tens of ms), rather than while the first users wait for their answers."""
    for code in LANGUAGES:
        bundle(code)  # its language's plural rules too
        _plain(code)


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
    plain = _plain(code).get(key)
    if plain is not None:
        pattern, names = plain
        if not names:
            return pattern
        values = [args.get(name) for name in names]
        if all(type(value) is str for value in values):  # what Fluent would put in as it is
            return pattern.format(*values)
    return _by_fluent(code, key, args)


def _by_fluent(code: str, key: str, args: dict[str, Any]) -> str | None:
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
    code = language(locale)
    text = lookup(code, key, **args)
    if text is None and code != ENGLISH:
        text = lookup(ENGLISH, key, **args)
    if text is None:
        log.error("no message %s in the catalogues", key)
        return key
    return text


def locale_of(source: object) -> str:
    """The language code to keep with a job: an interaction's user locale, or a guild's preferred one."""
    return language(getattr(source, "locale", None) or getattr(source, "preferred_locale", None))


class CommandTranslator(app_commands.Translator):
    """Command and option names, descriptions and choices from the catalogues, keyed by where they appear.

    Keys: `cmd-<command>` (groups and subcommands joined with "-"), `cmd-<command>-desc`, `opt-<command>-<option>`,
    `opt-<command>-<option>-desc`, `choice-<value>`, and `menu-<name>` for context menus. English is the default
    text Discord shows to every other locale; a catalogue without a key leaves that locale on the default.
    """

    async def load(self) -> None:
        """discord.py calls this when the translator is set (setup_hook): the catalogues are parsed there."""
        load()

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
