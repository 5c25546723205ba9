"""Run the real bot.py (its main(), signals and all) as its own process against a local fake Discord.

Tests that need a real OS process (SIGTERM, a kill, how start-up fails) start `python -m tests.bot_process` with
the fake's URLs in FAKE_DISCORD_API and FAKE_DISCORD_GATEWAY and the bot's settings in the environment, as a host
would: start_process() does that. Timings a test may set, in seconds: FAKE_RECONNECT_DELAY fixes discord.py's wait
before each reconnect (to reach the minutes-long waits of a long outage at once), FAKE_GATEWAY_RETRY_DELAY the pause
between the bot's first tries to reach the gateway, FAKE_SHUTDOWN_GRACE what a submit on the wire gets at SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import discord
import yarl

import bot

ROOT = Path(__file__).resolve().parent.parent


class BotProcess:
    """A running bot process whose output (stdout and stderr, merged) is read as it comes, so it never blocks."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._new_line = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._new_line.set()

    @property
    def output(self) -> str:
        """Everything the process printed so far."""
        return "\n".join(self.lines)

    async def wait_for_line(self, text: str, within: float) -> str:
        """The first line containing text, waiting up to `within` seconds for it."""
        async with asyncio.timeout(within):
            while True:
                self._new_line.clear()
                for line in self.lines:
                    if text in line:
                        return line
                if self._reader.done():
                    raise AssertionError(f"the process ended without printing {text!r}:\n{self.output}")
                await self._new_line.wait()

    async def wait(self, within: float) -> int:
        """The exit code, waiting up to `within` seconds; all output is read by then."""
        code = await asyncio.wait_for(self.process.wait(), within)
        await self._reader
        return code

    async def sigterm(self, within: float = 15.0) -> tuple[int, float]:
        """Send SIGTERM as a host stopping it would; its exit code and how many seconds it took to exit."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        self.process.send_signal(signal.SIGTERM)
        code = await self.wait(within)
        return code, loop.time() - began

    async def kill(self) -> None:
        """Kill the process if it still runs (test clean-up)."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._reader


async def start_process(
    env: dict[str, str],
    *,
    api_url: str,
    gateway_url: str,
    reconnect_delay: float | None = None,
    gateway_retry_delay: float | None = None,
    shutdown_grace: float | None = None,
) -> BotProcess:
    """Start the bot process with these settings against Discord at these URLs."""
    process_env = {**os.environ, **env, "FAKE_DISCORD_API": api_url, "FAKE_DISCORD_GATEWAY": gateway_url}
    if reconnect_delay is not None:
        process_env["FAKE_RECONNECT_DELAY"] = str(reconnect_delay)
    if gateway_retry_delay is not None:
        process_env["FAKE_GATEWAY_RETRY_DELAY"] = str(gateway_retry_delay)
    if shutdown_grace is not None:
        process_env["FAKE_SHUTDOWN_GRACE"] = str(shutdown_grace)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bot_process",
        env=process_env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    return BotProcess(process)


def main() -> None:
    discord.http.Route.BASE = os.environ["FAKE_DISCORD_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"])
    delay = os.environ.get("FAKE_RECONNECT_DELAY")
    if delay is not None:
        discord.backoff.ExponentialBackoff.delay = lambda self: float(delay)  # type: ignore[method-assign]
    if "FAKE_GATEWAY_RETRY_DELAY" in os.environ:
        bot.KontextBot.gateway_retry_delay = float(os.environ["FAKE_GATEWAY_RETRY_DELAY"])
    if "FAKE_SHUTDOWN_GRACE" in os.environ:
        bot.SHUTDOWN_GRACE = float(os.environ["FAKE_SHUTDOWN_GRACE"])
    bot.main()


if __name__ == "__main__":
    main()
