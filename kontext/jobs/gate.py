"""The status gate: a cap on status requests in flight, served most promising first, with every wait bounded.

When polls arrive faster than the API answers them, they queue. First come, first served makes every poll wait the
same; this gate lets the polls most likely to find their job done go first (the plan's chance, `PollPlan.urgency`),
and bounds what that costs the others: a poll that has waited `max_wait` seconds (or its own, shorter, `patience`:
a floor poll keeping the fixed schedule's guarantee) goes before any poll ranked by chance, the overdue ones in the
order they became due. Polls of equal chance (all of the fixed schedule's) are served first come, first served.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class PriorityLine(Generic[T]):
    """The order of the queue, with no clock or I/O of its own (the bot's gate and bench.replay share it).

    `push(item, priority, due)`: a higher priority goes first, unless some waiter's `due` time has come: then the
    waiter that became due first goes. `pop(now)` takes the next waiter; `discard` drops one that gave up.
    """

    def __init__(self) -> None:
        self._ranked: list[tuple[float, int, T]] = []  # (-priority, arrival)
        self._timed: list[tuple[float, int, T]] = []  # (due, arrival)
        self._live: set[int] = set()
        self._arrivals = itertools.count()

    def __len__(self) -> int:
        return len(self._live)

    def push(self, item: T, priority: float, due: float) -> int:
        """Queue `item`; the ticket it returns is what `discard` takes."""
        ticket = next(self._arrivals)
        heapq.heappush(self._ranked, (-priority, ticket, item))
        heapq.heappush(self._timed, (due, ticket, item))
        self._live.add(ticket)
        return ticket

    def discard(self, ticket: int) -> None:
        """Forget a waiter (its entries are dropped from the heaps when they come up)."""
        self._live.discard(ticket)

    def pop(self, now: float) -> T | None:
        """The next waiter to serve at `now`: the earliest overdue one, else the highest priority; None when empty."""
        self._prune(self._timed)
        if self._timed and self._timed[0][0] <= now:
            _, ticket, item = heapq.heappop(self._timed)
        else:
            self._prune(self._ranked)
            if not self._ranked:
                return None
            _, ticket, item = heapq.heappop(self._ranked)
        self._live.discard(ticket)
        return item

    def _prune(self, heap: list[tuple[float, int, T]]) -> None:
        while heap and heap[0][1] not in self._live:
            heapq.heappop(heap)


class StatusGate:
    """At most `limit` status requests at once; waiters are served by `PriorityLine`, none waits past `max_wait`.

    A waiter cancelled while it waits leaves the line; one cancelled just as its slot was handed over passes the slot
    on, so the count of requests in flight never leaks nor exceeds the limit.
    """

    def __init__(self, limit: int, max_wait: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.max_wait = max_wait
        self._clock = clock
        self._in_flight = 0
        self._line: PriorityLine[asyncio.Future[None]] = PriorityLine()

    @property
    def in_flight(self) -> int:
        """Requests holding a slot now."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Waiters in line."""
        return len(self._line)

    @asynccontextmanager
    async def slot(self, priority: float = 0.0, patience: float | None = None) -> AsyncIterator[None]:
        """Hold one slot for the block. `priority`: higher goes first; `patience`: seconds this waiter may be held
        back by higher priorities (at most, and by default, `max_wait`)."""
        await self.acquire(priority, patience)
        try:
            yield
        finally:
            self.release()

    async def acquire(self, priority: float = 0.0, patience: float | None = None) -> None:
        """Wait for a slot (see `slot`)."""
        if self._in_flight < self.limit and not self._line:
            self._in_flight += 1
            return
        wait = self.max_wait if patience is None else min(self.max_wait, max(0.0, patience))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        ticket = self._line.push(future, priority, self._clock() + wait)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the slot was handed over just as this waiter was cancelled: pass it on
            else:
                self._line.discard(ticket)
            raise

    def release(self) -> None:
        """Give the slot to the next waiter, or free it."""
        now = self._clock()
        while (future := self._line.pop(now)) is not None:
            if not future.done():
                future.set_result(None)  # the slot passes straight on: in flight is unchanged
                return
        self._in_flight -= 1
