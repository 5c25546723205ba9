"""Foreground first: when the event loop falls behind, the answers users wait for go before background work.

Discord gives an interaction 3 seconds for its first answer, and fails it in the user's face after that. A job's
background steps (its status polls, its submit, its download and upload) can wait a moment without anyone noticing.
When more arrives than one core serves, asyncio runs everything that is ready in turn, so a new command's answer
queues behind thousands of polls: the users whose commands come in the busiest second see "The application did not
respond", although every job already running would gladly have waited.

`Foreground` keeps the urgent items (the interactions not yet answered, each with a `done` check) in the order they
arrived. While none has waited `behind` seconds, a background step's `wait_turn()` returns at once, without
suspending. Once the oldest has, the loop is falling behind: each background step about to start parks instead,
first come first served, until the urgent items are answered; then the parked steps go again, at most `batch` at a
time between which the loop serves whatever arrived meanwhile. Nothing is dropped or reordered within the background:
a parked step waits about `patience` seconds at most (while the loop stays behind, those past it go on one a `tick`,
never as a flood that would bury the answers again), and an urgent item nobody answers (another process took it, or
its handler failed) is forgotten after `expiry` seconds (Discord's own limit), so the background never stops for long.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Hashable


def _never() -> bool:
    return False


class Foreground:
    """Urgent items first; background steps yield to them only while the oldest has waited `behind` seconds."""

    def __init__(
        self,
        *,
        behind: float = 0.025,
        patience: float = 5.0,
        expiry: float = 3.0,
        tick: float = 0.01,
        batch: int = 8,
        clock: Callable[[], float] = time.monotonic,
        on_hold: Callable[[], None] | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.behind = behind  # how long the oldest urgent item may wait before the background yields to it
        self.patience = patience  # the longest a background step is held back
        self.expiry = expiry  # an urgent item still unanswered after this is forgotten
        self.tick = tick  # how often a held-back background looks again at the urgent items
        self.batch = batch  # background steps let go at once, between which the loop serves what arrived
        self._clock = clock
        self._urgent: dict[Hashable, tuple[float, Callable[[], bool]]] = {}  # in order of arrival
        self._parked: collections.deque[tuple[float, asyncio.Future[None]]] = collections.deque()
        self._next: asyncio.TimerHandle | asyncio.Handle | None = None
        self.held = 0  # background steps that had to wait, in all
        self._on_hold = on_hold  # told of each (the metrics)

    @property
    def urgent(self) -> int:
        """Urgent items not yet answered nor forgotten (some may be answered and not yet looked at)."""
        return len(self._urgent)

    @property
    def parked(self) -> int:
        """Background steps waiting for their turn now."""
        return sum(1 for _, future in self._parked if not future.done())

    def begin(self, key: Hashable, done: Callable[[], bool] = _never) -> None:
        """An urgent item arrived: it counts until `end(key)`, until `done()` says so, or for `expiry` seconds."""
        self.falling_behind()  # drops the settled ones in front: an idle bot keeps no answered interaction alive
        self._urgent[key] = (self._clock(), done)

    def end(self, key: Hashable) -> None:
        """The urgent item is answered: a background held back for it may go on at once."""
        if self._urgent.pop(key, None) is not None and self._parked:
            self._schedule(soon=True)

    def falling_behind(self) -> bool:
        """Whether the oldest urgent item still waiting has waited `behind` seconds (answered ones are dropped)."""
        urgent = self._urgent
        if not urgent:
            return False
        now = self._clock()
        settled = []
        late = False
        for key, (since, done) in urgent.items():
            waited = now - since
            if waited >= self.expiry or done():
                settled.append(key)
                continue
            late = waited >= self.behind
            break
        for key in settled:
            del urgent[key]
        return late

    async def wait_turn(self) -> None:
        """Before a background step: at once, unless the loop is falling behind on urgent items (or others wait)."""
        if not self._parked and not self.falling_behind():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._parked.append((self._clock(), future))
        self.held += 1
        if self._on_hold is not None:
            self._on_hold()
        if self._next is None:
            self._schedule(soon=not self.falling_behind())
        await future  # a cancelled waiter's future is done: the release skips it

    def _schedule(self, *, soon: bool) -> None:
        if self._next is not None:
            self._next.cancel()
        loop = asyncio.get_running_loop()
        self._next = loop.call_soon(self._release) if soon else loop.call_later(self.tick, self._release)

    def _release(self) -> None:
        """Let go of parked steps: up to `batch` when the loop is not behind, else one past its patience a tick."""
        self._next = None
        parked = self._parked
        behind = self.falling_behind()
        now = self._clock()
        room = 1 if behind else self.batch  # behind: the overdue trickle out, never a flood that buries the answers
        while parked and room:
            since, future = parked[0]
            if future.done():  # cancelled while it waited
                parked.popleft()
                continue
            if behind and now - since < self.patience:
                break
            parked.popleft()
            future.set_result(None)
            room -= 1
        while parked and parked[0][1].done():
            parked.popleft()
        if parked:
            # Not behind: the next batch after the loop has had a turn. Behind: look again in a tick.
            self._schedule(soon=not behind)
