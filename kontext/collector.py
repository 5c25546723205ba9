"""When the garbage collector walks the whole heap: between bursts, not in the middle of one.

CPython collects the youngest objects every 700 net allocations and, now and then, every object the process holds
(a full collection). With thousands of jobs in flight that full walk stops the bot for 150-300 ms, dozens of times
in a burst, and each command arriving meanwhile waits for it (bench: the scale run's `gc` figures). Most of what a
job allocates is freed by reference counting alone; a job leaves only a few dozen objects in reference cycles
(discord.py's interaction, the result card's view), which only a collection frees.

`CollectionSchedule` (started with the bot, undone when it stops):
- freezes what start-up made (modules, commands, catalogues) so that no collection walks it again;
- collects the young generations less often (`young` net allocations), so that short-lived objects die by reference
  counting before a collection has to look at them, and keeps the automatic full collection from ever starting;
- runs the full collection itself: when the loop has been calm (`calm_lag`) for `calm_ticks` ticks in a row and
  something is there to collect, and in any case once `force_after` middle-generation collections have piled up
  since the last (every 200,000 net allocations by default), which bounds the garbage a long burst can leave.

Measured (bench, scale run: 10,000 commands over 60 s, some 4,500 jobs in flight): the collector's time fell from
12.2 s to 3.9 s of the bot's CPU, full collections from 29 to 5, pauses over 100 ms from 27 to 9; peak memory rose
from 187 to 274 MB. In the standard burst (1,000 jobs) from about 0.45 s to 0.2 s.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field

# Automatic full collections never start: CollectionSchedule decides them (CPython compares this count of middle
# collections since the last full one against it).
_NEVER = 1 << 30


@dataclass
class GcControls:
    """The interpreter's collector, as the schedule uses it (tests give their own)."""

    get_threshold: Callable[[], tuple[int, int, int]] = gc.get_threshold
    set_threshold: Callable[..., None] = gc.set_threshold
    get_count: Callable[[], tuple[int, int, int]] = gc.get_count
    collect: Callable[[int], int] = gc.collect
    freeze: Callable[[], None] = gc.freeze
    unfreeze: Callable[[], None] = gc.unfreeze


@dataclass
class CollectionSchedule:
    """Full collections between bursts (see the module). `tick(lag)` is called with each loop watch tick."""

    young: int = 20_000  # net allocations between young collections (CPython: 700)
    middle: int = 5  # young collections between middle ones (CPython: 10)
    force_after: int = 2  # middle collections since the last full one that make one due, calm or not
    calm_lag: float = 0.005  # a tick at most this late is calm
    calm_ticks: int = 8  # calm ticks in a row before a full collection (2 s at the loop watch's 4 ticks a second)
    gc: GcControls = field(default_factory=GcControls)
    _calm: int = 0  # calm ticks in a row
    _started: bool = False

    def start(self) -> None:
        """Freeze what start-up made and take the full collections over; a second start changes nothing."""
        global _holders, _original
        if self._started:
            return
        self._started = True
        if _holders == 0:  # the first schedule of the process (tests run several bots in one) tunes the collector
            _original = self.gc.get_threshold()
            self.gc.collect(2)
            self.gc.freeze()
            self.gc.set_threshold(self.young, self.middle, _NEVER)
        _holders += 1

    def stop(self) -> None:
        """Give the collector back as it was (once the last schedule of the process stops)."""
        global _holders, _original
        if not self._started:
            return
        self._started = False
        _holders -= 1
        if _holders == 0 and _original is not None:
            self.gc.set_threshold(*_original)
            self.gc.unfreeze()
            _original = None

    def tick(self, lag: float) -> bool:
        """One loop watch tick `lag` seconds late; whether it ran a full collection."""
        if not self._started:
            return False
        self._calm = self._calm + 1 if lag <= self.calm_lag else 0
        pending = self.gc.get_count()[2]  # middle collections since the last full one
        if pending >= self.force_after or (pending and self._calm >= self.calm_ticks):
            self._calm = 0
            self.gc.collect(2)
            return True
        return False


_holders = 0  # schedules started and not stopped, in this process
_original: tuple[int, int, int] | None = None  # the collector's thresholds before the first of them
