"""Run the real bot.py (its main(), signals and all) as its own process against a local fake Discord.

Tests that need a real OS process (SIGTERM, a kill) start `python -m tests.bot_process` with the fake's URLs in
FAKE_DISCORD_API and FAKE_DISCORD_GATEWAY and the bot's settings in the environment, as a host would.
"""

from __future__ import annotations

import os

import discord
import yarl

import bot


def main() -> None:
    discord.http.Route.BASE = os.environ["FAKE_DISCORD_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"])
    bot.main()


if __name__ == "__main__":
    main()
