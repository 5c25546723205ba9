"""Breaks a live storage object on demand, as a lost database would: every operation refused, or answers lost."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections import Counter
from collections.abc import Callable
from typing import Any

from kontext.storage.base import Storage

Rule = Callable[[str, tuple[Any, ...], dict[str, Any]], bool]
_KEPT = frozenset({"open", "close", "ping"})


class StorageFaults:
    """Wraps every data operation of `storage` in place (the bot keeps its own reference to the same object)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.down = False
        self.refused: Counter[str] = Counter()
        self.lost: Counter[str] = Counter()
        self._lose: Rule = lambda name, args, kwargs: False
        self._outage_on: tuple[Rule, float] | None = None
        for name, method in inspect.getmembers(storage, inspect.iscoroutinefunction):
            if not name.startswith("_") and name not in _KEPT:
                setattr(storage, name, self._wrap(name, method))

    def lose_answers(self, rule: Rule) -> None:
        """Carry out matching operations but raise as if the connection died on the way back (the write committed)."""
        self._lose = rule

    def outage_on(self, rule: Rule, seconds: float) -> None:
        """The first operation matching `rule` finds the database gone, for `seconds` from then."""
        self._outage_on = (rule, seconds)

    async def outage(self, seconds: float) -> None:
        """The database is out of reach for `seconds`."""
        self.down = True
        try:
            await asyncio.sleep(seconds)
        finally:
            self.down = False

    def _wrap(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self._outage_on is not None and self._outage_on[0](name, args, kwargs):
                seconds = self._outage_on[1]
                self._outage_on = None
                self.down = True
                asyncio.get_running_loop().call_later(seconds, setattr, self, "down", False)
            if self.down:
                self.refused[name] += 1
                raise ConnectionRefusedError(f"the database is out of reach (test): {name}")
            result = await method(*args, **kwargs)
            if self._lose(name, args, kwargs):
                self.lost[name] += 1
                raise ConnectionResetError(f"the connection died after the statement (test): {name}")
            return result

        return wrapper
