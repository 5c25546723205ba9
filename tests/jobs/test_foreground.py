"""The foreground: background steps yield to the interactions Discord waits for, only while the loop falls behind."""

from __future__ import annotations

import asyncio

import pytest

from kontext.jobs.foreground import Foreground


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def returns_at_once(foreground: Foreground) -> bool:
    """Whether wait_turn() finishes without ever suspending (no loop turn spent); a step that would wait gives up."""
    step = foreground.wait_turn()
    try:
        waits_on = step.send(None)
    except StopIteration:
        return True
    waits_on.cancel()  # the step leaves the line, as a cancelled one does
    step.close()
    return False


async def turns(n: int = 3) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def park(foreground: Foreground, count: int) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(foreground.wait_turn()) for _ in range(count)]


async def test_nothing_urgent_or_nothing_late_costs_a_background_step_nothing() -> None:
    clock = Clock()
    foreground = Foreground(behind=0.025, clock=clock)
    assert returns_at_once(foreground)
    foreground.begin("a")
    clock.now += 0.024  # waiting, but not yet for long: the loop keeps up
    assert returns_at_once(foreground)
    assert foreground.held == 0


async def test_a_late_interaction_holds_the_background_until_it_is_answered() -> None:
    clock = Clock()
    foreground = Foreground(behind=0.025, tick=0.001, clock=clock)
    foreground.begin("a")
    clock.now += 0.03
    assert not returns_at_once(foreground)
    steps = park(foreground, 3)
    await asyncio.sleep(0.01)  # ticks go by: still behind, nobody goes
    assert not any(step.done() for step in steps)
    assert foreground.parked == 3
    foreground.end("a")
    await turns()
    assert all(step.done() for step in steps)
    assert foreground.held == 4 and foreground.parked == 0  # the three, and the one that gave up


async def test_an_answer_seen_by_its_done_check_lets_the_background_go() -> None:
    clock = Clock()
    answered = False
    foreground = Foreground(behind=0.0, tick=0.001, clock=clock)
    foreground.begin("a", lambda: answered)
    (step,) = park(foreground, 1)
    await asyncio.sleep(0.005)
    assert not step.done()
    answered = True  # discord.py's response.is_done(): nobody called end()
    await asyncio.wait_for(step, 1)
    assert foreground.urgent == 0


async def test_only_the_oldest_unanswered_interaction_counts() -> None:
    clock = Clock()
    foreground = Foreground(behind=0.025, clock=clock)
    foreground.begin("old")
    clock.now += 0.1
    foreground.begin("new")
    assert foreground.falling_behind()
    foreground.end("old")
    assert not foreground.falling_behind(), "the one left has waited no time"
    assert returns_at_once(foreground)


async def test_background_steps_go_on_in_the_order_they_stopped_a_batch_per_loop_turn() -> None:
    clock = Clock()
    foreground = Foreground(behind=0.0, batch=2, tick=0.001, clock=clock)
    foreground.begin("a")
    order: list[int] = []

    async def step(n: int) -> None:
        await foreground.wait_turn()
        order.append(n)

    steps = [asyncio.create_task(step(n)) for n in range(5)]
    await turns()
    foreground.end("a")
    # A newcomer while others are held queues behind them, although nothing is late any more.
    assert not returns_at_once(foreground)
    steps.append(asyncio.create_task(step(5)))
    await asyncio.sleep(0)  # the release runs
    await asyncio.sleep(0)  # the first two resume
    assert order == [0, 1], "at most a batch per loop turn: the loop serves what arrived in between"
    await asyncio.gather(*steps)
    assert order == [0, 1, 2, 3, 4, 5]


async def test_a_held_step_waits_no_longer_than_its_patience() -> None:
    clock = Clock()
    foreground = Foreground(behind=0.0, patience=2.0, expiry=60.0, tick=0.001, clock=clock)
    foreground.begin("never answered")
    early, late = park(foreground, 1), None
    await turns()
    clock.now += 1.5
    late = park(foreground, 1)
    await asyncio.sleep(0.005)
    assert not early[0].done()
    clock.now += 0.6  # the first has waited 2.1 s, the second 0.6 s
    await asyncio.wait_for(early[0], 1)
    assert not late[0].done()
    clock.now += 2.0
    await asyncio.wait_for(late[0], 1)
    assert foreground.urgent == 1, "still unanswered; the background only stopped waiting for it"


async def test_an_interaction_nobody_answers_is_forgotten_after_discords_three_seconds() -> None:
    clock = Clock()
    foreground = Foreground(behind=0.025, expiry=3.0, patience=60.0, tick=0.001, clock=clock)
    foreground.begin("taken by another process")
    clock.now += 1.0
    (step,) = park(foreground, 1)
    await asyncio.sleep(0.005)
    assert not step.done()
    clock.now += 2.0
    await asyncio.wait_for(step, 1)
    assert foreground.urgent == 0


async def test_answered_interactions_are_let_go_without_any_background_step() -> None:
    clock = Clock()
    foreground = Foreground(clock=clock)
    answered: set[int] = set()
    for n in range(1000):  # an idle bot answering /help all day: no job step ever asks
        foreground.begin(n, lambda n=n: n in answered)
        answered.add(n)
    assert foreground.urgent == 1, "only the newest, not yet looked at"
    foreground.begin("unanswered")
    clock.now += 3.0
    foreground.begin("later")
    assert foreground.urgent == 1, "past Discord's 3 seconds an unanswered one is let go too"


async def test_a_held_step_cancelled_leaves_the_others_in_line() -> None:
    clock = Clock()
    foreground = Foreground(behind=0.0, batch=1, tick=0.001, clock=clock)
    foreground.begin("a")
    first, second, third = park(foreground, 3)
    await turns()
    second.cancel()
    foreground.end("a")
    await asyncio.wait_for(asyncio.gather(first, third), 1)
    with pytest.raises(asyncio.CancelledError):
        await second
    assert foreground.parked == 0


async def test_while_the_loop_stays_behind_those_past_their_patience_go_one_a_tick() -> None:
    clock = Clock()
    foreground = Foreground(behind=0.0, patience=1.0, expiry=60.0, tick=60.0, batch=8, clock=clock)
    foreground.begin("never answered")
    steps = park(foreground, 4)
    await turns()
    clock.now += 1.5  # all four past their patience, and the loop still behind
    foreground._release()  # a tick
    await turns()
    assert sum(step.done() for step in steps) == 1, "a flood of held-back steps would bury the answers again"
    foreground._release()
    await turns()
    assert sum(step.done() for step in steps) == 2
    foreground.end("never answered")  # caught up: the rest go in a batch
    await turns()
    assert all(step.done() for step in steps)


def test_a_batch_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="batch"):
        Foreground(batch=0)
