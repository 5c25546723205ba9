"""The catalogues: every message in every language with the same placeholders, within Discord's rules; the fallback."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fluent.syntax import ast, parse

from cogs.quota import _refused
from cogs.utils import i18n
from cogs.utils.errors import describe_error
from cogs.utils.guide import help_embed, welcome_embed
from cogs.utils.i18n import ENGLISH, LANGUAGES, t
from kontext.images.sources import ImageSource, check_source
from kontext.models import GenerationRequest, InvalidRequestError
from kontext.quotas.models import SettingRefused, check_settings
from tests.fakes.discord import limits

ROOT = Path(__file__).resolve().parents[2]
# Discord's rule for slash command and option names, in every locale (API reference, Application Commands).
SLASH_NAME = re.compile(r"^[-_\w]{1,32}$")
LONG = "W" * 5000  # a value far longer than any field, to see every message still fits where it goes


def _resource(language: str) -> ast.Resource:
    return parse((i18n.CATALOGUES / f"{language}.ftl").read_text(encoding="utf-8"))


def _placeholders(node: ast.BaseNode) -> set[str]:
    """The variables ($name) a message uses, through the messages it references."""
    found: set[str] = set()

    def visit(value: object) -> None:
        if isinstance(value, ast.VariableReference):
            found.add(value.id.name)
        if isinstance(value, ast.BaseNode):
            for child in vars(value).values():
                visit(child)
        elif isinstance(value, list):
            for child in value:
                visit(child)

    visit(node)
    return found


def _messages(language: str) -> dict[str, ast.Message]:
    return {entry.id.name: entry for entry in _resource(language).body if isinstance(entry, ast.Message)}


def test_i18n_every_catalogue_parses_whole() -> None:
    for language in LANGUAGES:
        junk = [entry.content[:80] for entry in _resource(language).body if isinstance(entry, ast.Junk)]
        assert junk == [], f"{language}: Fluent could not parse {junk}"


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != ENGLISH])
def test_i18n_every_message_exists_in_every_language_with_the_same_placeholders(language: str) -> None:
    english, other = _messages(ENGLISH), _messages(language)
    assert sorted(set(english) - set(other)) == [], f"missing in {language}"
    assert sorted(set(other) - set(english)) == [], f"{language} has messages English lacks"
    for key, message in english.items():
        assert _placeholders(other[key]) == _placeholders(message), f"{language} {key}: other placeholders"


@pytest.mark.parametrize("language", LANGUAGES)
def test_i18n_command_names_descriptions_and_choices_follow_discords_rules(language: str) -> None:
    for key in _messages(language):
        if not key.startswith(("cmd-", "opt-", "menu-", "choice-")):
            continue
        text = i18n.lookup(language, key)
        assert text, f"{language} {key} is empty"
        if key.startswith(("cmd-", "opt-")) and not key.endswith("-desc"):
            assert SLASH_NAME.match(text) and text == text.lower(), f"{language} {key}: {text!r} is no valid name"
        elif key.startswith(("cmd-", "opt-")):
            assert len(text) <= limits.MAX_COMMAND_DESCRIPTION, f"{language} {key} is {len(text)} characters"
        elif key.startswith("menu-"):
            assert len(text) <= limits.MAX_COMMAND_NAME, f"{language} {key} is {len(text)} characters"
        elif key.startswith("choice-"):
            assert len(text) <= 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_i18n_every_message_renders_with_long_values_and_plurals(language: str) -> None:
    english = _messages(ENGLISH)
    for key in _messages(language):
        for value in (0, 1, 2, 5, 21, LONG):
            values = dict.fromkeys(_placeholders(english[key]), value)
            text = i18n.lookup(language, key, **values)
            assert text is not None, f"{language} {key} did not render with {str(value)[:9]}"
            assert "{" not in text.replace(LONG, ""), f"{language} {key}: a placeholder was left unfilled"
            # What a message adds to its values stays small: the callers cut each value to its field first.
            assert len(text.replace(LONG, "")) <= 1500, f"{language} {key} is long"


@pytest.mark.parametrize("language", LANGUAGES)
def test_i18n_compiled_messages_say_exactly_what_fluent_says(language: str) -> None:
    found = i18n.bundle(language)
    english = _messages(ENGLISH)
    samples = ("x", "", "a {brace} }{ {0} %s \\ back", "🦊 <@1> **bold** `code`", "y" * 900)
    for key in _messages(language):
        names = _placeholders(english[key])
        for sample in (*samples, 2, 1234567, 2.5):
            values = {name: sample if isinstance(sample, int | float) else f"{sample}:{name}" for name in names}
            fluent, errors = found.format_pattern(found.get_message(key).value, values)
            if errors:
                continue  # a string where the message selects on a number: not how the code calls it
            assert i18n.lookup(language, key, **values) == fluent, f"{language} {key} with {str(sample)[:20]}"
    compiled = i18n._plain(language)
    assert len(compiled) > len(_messages(language)) // 2, "most messages should need no Fluent logic"
    assert "progress-ready" in compiled
    if language == ENGLISH:
        assert "quota-concurrency" not in compiled  # a plural stays with Fluent


def test_i18n_labels_fit_their_discord_fields() -> None:
    labels = ("reroll", "edit", "delete", "retry", "dismiss", "newer", "older", "reroll-all", "edit-n", "reroll-n")
    fields = {f"button-{label}": limits.MAX_BUTTON_LABEL for label in labels}
    fields |= dict.fromkeys(("modal-edit-title", "modal-menu-title"), limits.MAX_MODAL_TITLE)
    fields |= dict.fromkeys(("modal-what-changes", "modal-which-image"), limits.MAX_TEXT_INPUT_LABEL)
    fields |= dict.fromkeys(("modal-edit-placeholder", "modal-menu-placeholder"), limits.MAX_TEXT_INPUT_PLACEHOLDER)
    for language in LANGUAGES:
        for key, limit in fields.items():
            assert len(t(language, key, number=4)) <= limit, f"{language} {key}"


def test_i18n_every_key_the_code_uses_is_in_the_catalogue() -> None:
    english = _messages(ENGLISH)
    literal = re.compile(r"""(?:\bt\([^,()]+, |UserError\(|label, emoji, style, action = |refusal = )"([a-z0-9-]+)\"""")
    used: set[str] = set()
    for file in [*(ROOT / "cogs").rglob("*.py")]:
        used |= set(literal.findall(file.read_text(encoding="utf-8")))
    assert used, "the scan found no keys"
    assert sorted(used - set(english)) == []


def test_i18n_unknown_locales_get_english_and_variants_their_language() -> None:
    assert t("ko", "fail-title") == t(None, "fail-title") == t("xx-YY", "fail-title") == "Couldn't make this image"
    assert t("fr", "fail-title") == "Impossible de créer cette image"
    assert t("es-419", "button-retry") == t("es-ES", "button-retry") == "Reintentar"
    assert t("en-GB", "button-retry") == "Retry"
    assert i18n.lookup("ko", "fail-title") is None  # the translator leaves Korean on the English default


def test_i18n_plurals_follow_each_language() -> None:
    assert t(ENGLISH, "quota-concurrency", used=1, limit=2).startswith("You already have 1 image in progress")
    assert t(ENGLISH, "quota-concurrency", used=3, limit=4).startswith("You already have 3 images in progress")
    # French counts 0 and 1 as singular.
    assert t("fr", "help-quota-unlimited", used=0).startswith("0 image aujourd'hui")
    assert t("de", "help-quota-unlimited", used=2).startswith("2 Bilder heute")


@pytest.mark.parametrize("language", LANGUAGES)
def test_i18n_help_and_welcome_fit_an_embed_in_every_language(language: str) -> None:
    bot = SimpleNamespace(
        user=SimpleNamespace(display_name="K" * 32), settings=SimpleNamespace(price_micros=lambda mode: 123_456_789)
    )
    caps = {"daily_cap_micros": 10**12, "monthly_cap_micros": 10**13}
    server = SimpleNamespace(allow_max=False, base_user_limit=100_000, concurrent_limit=50, **caps)
    usage = SimpleNamespace(limit=100_000, images_today=99_999, remaining=1, day_resets_at=2e9)
    for embed in (
        help_embed(bot, usage=usage, server=server, locale=language),  # type: ignore[arg-type]
        welcome_embed(bot, server, language),  # type: ignore[arg-type]
    ):
        errs = limits.FormErrors()
        limits.check_message({"embeds": [embed.to_dict()]}, errs)
        assert errs.errors == {}, language


def test_i18n_the_domains_refusals_are_said_from_their_codes() -> None:
    with pytest.raises(InvalidRequestError) as empty:
        GenerationRequest(prompt=" ").validate()
    assert describe_error(empty.value, "fr") == "Le prompt est vide : décrivez l'image que vous voulez."
    assert describe_error(empty.value, "ko") == str(empty.value)  # English, the domain's own words
    with pytest.raises(InvalidRequestError) as typed:
        check_source(ImageSource(url="https://cdn.example/a.gif", filename="a.gif", content_type="image/gif", size=9))
    assert describe_error(typed.value, "de") == (
        "`a.gif` ist `image/gif`; ich kann nur JPEG-, PNG- und WebP-Bilder bearbeiten."
    )
    with pytest.raises(SettingRefused) as many:
        check_settings({"allowed_channel_ids": frozenset(range(1, 200))})
    assert describe_error(_refused(many.value), "ja") == (
        "許可できるチャンネルは最大 100 個です。すべて許可するにはリストを空にしてください。"
    )
