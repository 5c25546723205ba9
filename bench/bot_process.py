"""The real bot as its own process, pointed at the benchmark's fake Discord instead of discord.com.

The benchmark starts `python -m bench.bot_process` with the bot's settings in the environment and BENCH_DISCORD_URL
(http://127.0.0.1:PORT of the fake Discord). discord.py's REST base and default gateway are pointed there, then the
bot's own start-up code runs unchanged (bot.main()).
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import discord
import yarl


def main() -> None:
    """Point discord.py at the local fake, refusing anything but 127.0.0.1, and run the bot."""
    url = os.environ.get("BENCH_DISCORD_URL", "")
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or not parts.port:
        sys.exit("BENCH_DISCORD_URL must be http://127.0.0.1:PORT (the benchmark's fake Discord)")
    api = urlsplit(os.environ.get("APIXO_BASE_URL", ""))
    if api.hostname != "127.0.0.1":
        sys.exit("APIXO_BASE_URL must point at 127.0.0.1 (the benchmark's fake API)")
    discord.http.Route.BASE = f"{url}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{parts.port}/gateway")

    import bot  # after the redirect, so nothing can reach Discord before it

    profile = os.environ.get("BENCH_PROFILE")  # where to write a cProfile of the whole run (diagnosis only)
    if not profile:
        bot.main()
        return
    import cProfile
    import time

    # The event loop thread's CPU: idle waits are no cost, and worker threads (SQLite, images) are not in it.
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    try:
        bot.main()
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


if __name__ == "__main__":
    main()
