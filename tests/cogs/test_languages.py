"""The user's language through the real bot: localised commands as Discord received them, and replies in the locale."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cogs.utils.delivery import pointed_at
from cogs.utils.i18n import ENGLISH, LANGUAGES, lookup
from kontext.models import ACTIVE_STATES
from tests.cogs.test_edit import reply_result
from tests.fakes.discord.models import walk_components
from tests.harness import World, world_for
from tests.storage.support import job_by_message

EPHEMERAL = 64
TRANSLATED = [*(code for code in LANGUAGES if code != ENGLISH), "es-419"]  # Latin American Spanish gets Spanish
ONE_A_DAY = {"DEFAULT_DAILY_USER_LIMIT": "1"}


def _registered(world: World) -> list[dict]:
    return world.discord.guild_commands[world.guild.id]


def _progress(interaction) -> list[str]:
    """What the placeholder said: the answer (the job's first progress), then each edit."""
    shown = [(response.get("data") or {}).get("content") or "" for response in interaction.responses]
    return [text for text in shown + [edit.get("content") or "" for edit in interaction.original.edits] if text]


def _labels(message) -> list[str]:
    return [c["label"] for c in walk_components(message.components) if c.get("type") == 2]


async def _refusal(world: World, interaction) -> str:
    await world.discord.wait_for(lambda: bool(interaction.responses))
    response = interaction.responses[0]
    assert response["data"]["flags"] & EPHEMERAL, response
    return response["data"]["content"]


async def test_registered_commands_carry_localisations_for_six_languages(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        commands = {(c["name"], c["type"]): c for c in _registered(world)}
        # The fake refuses what Discord refuses (unknown locales, bad names, long descriptions): this sync passed.
        imagine = commands[("imagine", 1)]
        assert imagine["description"] == "Turn a prompt into an image with FLUX Kontext."  # English is the default
        assert imagine["name_localizations"] == {
            "fr": "imaginer",
            "de": "generieren",
            "es-ES": "imaginar",
            "pt-BR": "imaginar",
            "ja": "画像生成",
            "es-419": "imaginar",
        }
        for (name, kind), command in commands.items():
            assert set(command.get("name_localizations") or {}) == set(TRANSLATED), name
            if kind == 1:
                assert set(command["description_localizations"]) == set(TRANSLATED), name
                for option in command.get("options") or []:
                    assert set(option["name_localizations"]) == set(TRANSLATED), f"{name} {option['name']}"
                    assert set(option["description_localizations"]) == set(TRANSLATED), f"{name} {option['name']}"
        safety = next(option for option in imagine["options"] if option["name"] == "safety")
        assert [choice["name_localizations"]["fr"] for choice in safety["choices"]] == [
            "0 · stricte",
            "1 · modérée",
            "2 · équilibrée",
        ]
        assert commands[("Edit image", 3)]["name_localizations"]["de"] == "Bild bearbeiten"
        settings = commands[("settings", 1)]
        daily = next(sub for sub in settings["options"] if sub["name"] == "daily-limit")
        assert daily["name_localizations"]["es-ES"] == "límite-diario"


def _english_keys(command: dict, qualified: str) -> list[tuple[str, str]]:
    """(catalogue key, what the bot registered in English) for a command, its subcommands and options."""
    slug = qualified.replace(" ", "-").replace("_", "-")
    pairs = [(f"cmd-{slug}", command["name"]), (f"cmd-{slug}-desc", command["description"])]
    for option in command.get("options") or []:
        if option["type"] in (1, 2):
            pairs += _english_keys(option, f"{qualified} {option['name']}")
        else:
            key = f"opt-{slug}-{option['name'].replace('_', '-')}"
            pairs += [(key, option["name"]), (f"{key}-desc", option["description"])]
    return pairs


async def test_the_english_catalogue_is_what_the_commands_declare(tmp_path: Path) -> None:
    # Every command, option and description the bot registers has its key, so no language silently lacks one.
    async with world_for(tmp_path) as world:
        for command in _registered(world):
            if command["type"] != 1:
                assert lookup(ENGLISH, "menu-" + command["name"].lower().replace(" ", "-")) == command["name"]
                continue
            for key, registered in _english_keys(command, command["name"]):
                assert lookup(ENGLISH, key) == registered, key


async def test_a_french_user_gets_french_progress_card_and_refusals(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=ONE_A_DAY) as world:
        interaction = await world.slash("imagine", {"prompt": "un renard roux dans la neige"}, locale="fr")
        message = await world.finished(interaction)

        progress = _progress(interaction)  # the placeholder; the result came as a new, pinging message
        assert any(text.startswith("**Création** · pro · 16:9") for text in progress), progress
        assert any("🕒 En attente du modèle · prête <t:" in text for text in progress), progress
        text = message.text
        assert "un renard roux dans la neige" in text  # prompts are sent and shown as typed, never translated
        assert "enrichissement désactivé · sécurité 2 (équilibrée) · traduction activée" in text
        assert "sans filigrane" in text and f"demandée par <@{world.user['id']}>" in text
        assert "Tâche " in text and "Job " not in text
        assert _labels(message) == ["Relancer", "Modifier", "Supprimer"]
        assert world.api.submits[0]["input"]["prompt"] == "un renard roux dans la neige"

        refused = await _refusal(world, await world.slash("imagine", {"prompt": "encore"}, locale="fr"))
        assert refused.startswith("Vous avez utilisé votre image du jour sur ce serveur."), refused
        assert "Rien n'a été facturé." in refused


async def test_a_french_user_gets_a_french_failure(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        world.api.outcome(lambda body: ("failed", "MODEL_UNAVAILABLE", "down"))
        failed = await world.finished(await world.slash("imagine", {"prompt": "un chat"}, locale="fr"))
        [embed] = failed.embeds
        assert embed["title"] == "Impossible de créer cette image"
        assert embed["description"].startswith("Le modèle est indisponible pour le moment.")
        assert "**Rien ne vous a été facturé**" in embed["description"]
        assert _labels(failed) == ["Réessayer", "Masquer"]


async def test_an_unknown_locale_gets_english(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=ONE_A_DAY) as world:
        interaction = await world.slash("imagine", {"prompt": "a fox"}, locale="ko")
        message = await world.finished(interaction)
        assert any(text.startswith("**Imagining** · pro · 16:9") for text in _progress(interaction))
        assert "upsampling off · safety 2 (balanced) · translation on" in message.text
        assert _labels(message) == ["Re-roll", "Edit", "Delete"]
        refused = await _refusal(world, await world.slash("imagine", {"prompt": "again"}, locale="ko"))
        assert refused.startswith("You've used your one image for today in this server."), refused


async def test_a_resumed_job_keeps_its_requesters_language(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.3}) as world:
        interaction = await world.slash("imagine", {"prompt": "ein Leuchtturm"}, locale="de")
        # The job is recorded with its placeholder and its task (a kill mid-submit fails it, as it must: resending
        # could bill twice), then this process dies under it.
        for _ in range(500):
            jobs = await world.bot.storage.jobs_in_states(ACTIVE_STATES)
            if jobs and jobs[0].message_id is not None and jobs[0].task_id is not None:
                break
            await asyncio.sleep(0.01)
        await world.kill()
        await world.start_again()
        message = await world.finished(interaction)
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and job.locale == "de"
        assert "angefordert von" in message.text and _labels(message) == ["Neu würfeln", "Bearbeiten", "Löschen"]
        assert interaction.original.content.startswith("✅ Fertig: https://discord.com/channels/"), (
            "collapsed in German"
        )


async def test_replies_to_mentions_use_the_servers_preferred_locale(tmp_path: Path) -> None:
    def japanese(discord, guild) -> None:
        guild.preferred_locale = "ja"

    async with world_for(tmp_path, prepare=japanese) as world:
        request = await world.discord.post_message(world.channel, world.user, "", mention_bot=True)
        answer = await reply_result(world, request)
        assert answer.content.startswith("メンションのあとに、してほしいことを書いてください。"), answer.content
        request = await world.discord.post_message(world.channel, world.user, "夕暮れの灯台", mention_bot=True)
        result = await reply_result(world, request)
        assert _labels(result) == ["再生成", "編集", "削除"] and "リクエスト:" in result.text
        assert world.api.submits[0]["input"]["prompt"] == "夕暮れの灯台"


async def test_the_welcome_is_in_the_servers_preferred_locale(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        joined = world.discord.add_guild(name="Serveur", system_channel=True, preferred_locale="fr")
        channel = joined.channels[0]
        await world.discord.wait_for(lambda: bool(world.discord.channel_messages(channel)))
        (welcome,) = world.discord.channel_messages(channel)
        text = welcome.text
        assert "Merci de m'avoir ajouté !" in text and "25 images par jour" in text and "/imaginer" in text


async def test_a_french_batch_card_progress_and_buttons(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"DEFAULT_DAILY_USER_LIMIT": "100"}) as world:
        interaction = await world.slash("imagine", {"prompt": "un phare", "count": 2}, locale="fr")
        message = await world.finished(interaction)
        progress = _progress(interaction)
        assert any(text.startswith("**Création de 2 images** · pro") for text in progress), progress
        assert any(" sur 2 terminées" in text for text in progress), progress
        text = message.text
        assert "🖼️ 2 images sur 2" in text and f"demandées par <@{world.user['id']}>" in text, text
        assert "sécurité 2 (équilibrée)" in text and "Tâche " in text
        assert _labels(message) == [
            "Modifier 1",
            "Modifier 2",
            "Relancer 1",
            "Relancer 2",
            "Tout relancer",
            "Supprimer",
        ]
        gallery = [c for c in walk_components(message.components) if c.get("type") == 12]
        assert [item["description"].split(" : ")[0] for item in gallery[0]["items"]] == ["Image 1", "Image 2"]


async def test_a_french_ping_result_and_its_collapsed_placeholder(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        interaction = await world.slash("imagine", {"prompt": "un renard"}, locale="fr")
        message = await world.finished(interaction)
        placeholder = interaction.original
        assert message is not placeholder, "the result came as a new message pinging its requester"
        assert placeholder.content.startswith("✅ Prête : https://discord.com/channels/"), placeholder.content
        assert placeholder.content.endswith("· un renard")
        assert f"demandée par <@{world.user['id']}>" in message.text  # the card, in French
        # The collapsed French line still names its result: a process taking the job over finds it.
        assert pointed_at(placeholder.content, placeholder.channel_id) == message.id


async def test_a_french_personal_limit_refusal_and_a_batch_refusal(tmp_path: Path) -> None:
    env = {"DEV_GUILD_ID": "", "PERSONAL_DAILY_LIMIT": "1", "DEFAULT_DAILY_USER_LIMIT": "100"}
    async with world_for(tmp_path, env=env) as world:
        fake = world.discord
        dm = fake.dm_channel(world.user)
        first = await fake.send_slash("imagine", {"prompt": "un chat"}, user=world.user, channel=dm, locale="fr")
        await world.finished(first)
        second = await fake.send_slash("imagine", {"prompt": "encore"}, user=world.user, channel=dm, locale="fr")
        await fake.wait_for(lambda: second.original is not None and not second.original.loading)
        refusal = second.original.text
        assert refusal.startswith("Vous avez utilisé votre image personnelle du jour (en dehors des serveurs"), refusal
        assert "Rien n'a été facturé." in refusal

        await world.bot.quotas.update_settings(world.guild.id, max_batch=2)
        refused = await _refusal(world, await world.slash("imagine", {"prompt": "x", "count": 3}, locale="fr"))
        assert refused.startswith("Ce serveur permet jusqu'à 2 images par demande ; vous en avez demandé 3."), refused


async def test_a_french_personal_job_resumed_after_a_restart_comes_by_dm_in_french(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"DEV_GUILD_ID": ""}, api_options={"generation_time": 0.5}) as world:
        fake = world.discord
        group = fake.add_group_dm(world.user, fake.add_user("bob"))
        await fake.send_slash("imagine", {"prompt": "un renard"}, user=world.user, channel=group, locale="fr")
        for _ in range(500):  # recorded with its task, then this process dies under it
            jobs = await world.bot.storage.jobs_in_states(ACTIVE_STATES)
            if jobs and jobs[0].task_id:
                break
            await asyncio.sleep(0.01)
        await world.kill()
        await world.start_again()  # the interaction's token died with the process: the result comes by DM
        dm = fake.dm_channel(world.user)
        await fake.wait_for(lambda: any(m.files for m in fake.channel_messages(dm)), 10)
        note, card = fake.channel_messages(dm)
        assert note.content.startswith("Votre image (tâche `"), note.content
        assert "la voici donc en message privé" in note.content
        assert f"demandée par <@{world.user['id']}>" in card.text and _labels(card) == [
            "Relancer",
            "Modifier",
            "Supprimer",
        ]
