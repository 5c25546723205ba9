"""The tasks-in-flight cap: a first-come, first-served line that tells each job its place."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable


class SlotQueue:
    """A first-come, first-served gate of fixed capacity that tells each waiter its place in line."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._in_use = 0
        self._waiters: collections.deque[tuple[asyncio.Future[None], Callable[[int], None] | None]] = (
            collections.deque()
        )

    @property
    def free(self) -> bool:
        """Whether acquire() would return at once."""
        return self._in_use < self._capacity and not self._waiters

    @property
    def waiting(self) -> int:
        """Waiters in line."""
        return len(self._waiters)

    async def acquire(self, on_position: Callable[[int], None] | None = None) -> None:
        """Wait for a slot; `on_position(n)` is told the 1-based place in line whenever it changes."""
        if self._in_use < self._capacity and not self._waiters:
            self._in_use += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (future, on_position)
        self._waiters.append(entry)
        if on_position is not None:
            on_position(len(self._waiters))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the slot was handed over just as we were cancelled: pass it on
            else:
                if entry in self._waiters:  # release() drops cancelled waiters it meets on its way
                    self._waiters.remove(entry)
                self._announce_positions()
            raise

    def release(self) -> None:
        """Give the slot to the next waiter, or free it."""
        while self._waiters:
            future, _ = self._waiters.popleft()
            if not future.done():
                future.set_result(None)  # the slot passes straight on: in_use is unchanged
                self._announce_positions()
                return
        self._in_use -= 1

    def _announce_positions(self) -> None:
        for place, (_, on_position) in enumerate(self._waiters, start=1):
            if on_position is not None:
                on_position(place)
