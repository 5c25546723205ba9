"""Where the bot's CPU went: a cProfile of one run, its own time summed by area (discord.py, aiohttp, ...)."""

from __future__ import annotations

import pstats
from pathlib import Path
from typing import Any

# (area, what a path or function name holds); the first that matches wins
_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SQLite (storage)", ("sqlite3", "kontext/storage/", "aiosqlite")),
    ("discord.py: gateway events, parsing, state", ("/discord/gateway", "/discord/state", "/discord/message")),
    ("discord.py: REST, webhooks, interactions", ("/discord/http", "/discord/webhook", "/discord/interactions")),
    ("discord.py: the rest", ("/discord/",)),
    ("aiohttp and the HTTP stack", ("/aiohttp/", "/yarl/", "/multidict/", "http_parser", "http_writer")),
    ("JSON", ("json",)),
    ("logging", ("/logging/",)),
    ("the bot: poll planning", ("kontext/polling/",)),
    ("the bot: job flow, delivery, rendering", ("kontext/", "cogs/", "bot.py")),
    ("asyncio event loop, selectors, SSL", ("asyncio", "selectors", "ssl", "socket")),
)


def _area(filename: str, name: str) -> str:
    where = f"{filename}:{name}"
    for area, marks in _AREAS:
        if any(mark in where for mark in marks):
            return area
    return "other (Python runtime, builtins)"


def summarise(path: Path, jobs: int, top: int = 15) -> dict[str, Any]:
    """Own time by area and the functions with the most own time, in ms per job."""
    stats = pstats.Stats(str(path))
    areas: dict[str, float] = {}
    functions: list[tuple[float, str]] = []
    total = 0.0
    for (filename, line, name), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        total += own
        area = _area(filename, name)
        areas[area] = areas.get(area, 0.0) + own
        short = filename.split("site-packages/")[-1].split("/wt/c/")[-1]
        functions.append((own, f"{short}:{line}({name})"))
    functions.sort(reverse=True)
    per_job = 1000 / max(1, jobs)
    return {
        "total_ms_per_job": round(total * per_job, 3),
        "areas_ms_per_job": {
            area: round(seconds * per_job, 3) for area, seconds in sorted(areas.items(), key=lambda item: -item[1])
        },
        "top_functions_ms_per_job": [(name, round(own * per_job, 3)) for own, name in functions[:top]],
    }
