"""Through the real bot: a command waiting for its first answer holds back the running jobs' polls, then lets go."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.harness import idle, world_for


async def test_a_command_waiting_for_its_answer_holds_back_the_running_jobs_polls(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.6}) as world:

        def polls() -> int:
            return sum(route == "status" for route, _ in world.api.requests)

        running = await world.slash("imagine", {"prompt": "a lighthouse at dusk"})
        await world.discord.wait_for(lambda: polls() >= 3)  # polled every 10 ms (tests.harness.bot_env)
        foreground = world.bot.jobs.foreground
        foreground.behind = 0.0  # a loop "behind" as soon as a command waits: as in a burst larger than a core
        # Discord takes the next command's answer but only says so when released: the command stays unanswered.
        held = world.discord.hold_next("POST", r"/interactions/\d+/[^/]+/callback$")
        waiting = await world.slash("imagine", {"prompt": "a second lighthouse"})
        await asyncio.wait_for(held.reached.wait(), 5)
        before = polls()
        await asyncio.sleep(0.2)  # twenty poll intervals
        assert polls() - before <= 1, "at most the poll already on its way when the command came"
        assert foreground.parked >= 1 and foreground.urgent == 1
        held.release()
        await world.finished(running)
        await world.finished(waiting)
        await idle(world.bot.jobs)
        assert polls() > before + 1, "the polls went on once the command was answered"
        assert foreground.urgent == 0 and foreground.parked == 0
        held = world.bot.metrics.registry.get_sample_value("kontext_background_held_total")
        assert held == foreground.held >= 1, "/metrics shows how often the loop ran behind"


async def test_a_job_held_back_for_a_command_waits_without_an_api_slot(tmp_path: Path) -> None:
    env = {"API_CONCURRENCY": "1", "MAX_TASKS_IN_FLIGHT": "1"}
    async with world_for(tmp_path, env=env, api_options={"generation_time": 0.05}) as world:

        def submits() -> int:
            return sum(route == "submit" for route, _ in world.api.requests)

        world.bot.jobs.foreground.behind = 0.0
        held = world.discord.hold_next("POST", r"/interactions/\d+/[^/]+/callback$")
        waiting = await world.slash("imagine", {"prompt": "answered last"})
        await asyncio.wait_for(held.reached.wait(), 5)
        started = await world.slash("imagine", {"prompt": "answered first"})
        await world.discord.wait_for(lambda: bool(started.responses))
        await asyncio.sleep(0.1)
        assert submits() == 0, "its submit waits for the unanswered command"
        # The API's one slot stays free meanwhile: another process sharing the budget could use it.
        assert world.bot.jobs._slots.free
        held.release()
        await world.finished(started)
        await world.finished(waiting)
        assert submits() == 2
