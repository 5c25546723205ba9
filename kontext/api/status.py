"""A task's state as the API reports it, from the status endpoint or a callback: TaskStatus and its parsing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kontext.api.errors import MalformedResponseError

TASK_STATES: tuple[str, ...] = ("pending", "processing", "success", "failed")


def int_or_none(value: Any) -> int | None:
    """An API number field as an int, or None when it is missing, a bool or not a number."""
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """One answer about a task, from the status endpoint or a callback."""

    task_id: str
    state: str  # pending | processing | success | failed
    result_urls: tuple[str, ...] = ()
    cost_time_ms: int | None = None
    fail_code: str | None = None
    fail_msg: str | None = None

    @property
    def done(self) -> bool:
        """True once the task succeeded or failed."""
        return self.state in ("success", "failed")

    @classmethod
    def from_data(cls, data: Any) -> TaskStatus:
        """Parse the envelope's `data` (resultJson is a JSON string); MalformedResponseError on anything off."""
        if not isinstance(data, dict):
            raise MalformedResponseError(f"task status is {type(data).__name__}, not an object")
        task_id = data.get("taskId")
        if not isinstance(task_id, str) or not task_id:
            raise MalformedResponseError("task status has no taskId")
        state = data.get("state")
        state = state.lower() if isinstance(state, str) else state
        if state not in TASK_STATES:
            raise MalformedResponseError(f"task {task_id} has an unknown state {str(state)[:40]!r}")
        urls: tuple[str, ...] = ()
        if state == "success":
            urls = _result_urls(task_id, data.get("resultJson"))
        return cls(
            task_id=task_id,
            state=state,
            result_urls=urls,
            cost_time_ms=int_or_none(data.get("costTime")),
            fail_code=_str_or_none(data.get("failCode")),
            fail_msg=_str_or_none(data.get("failMsg")),
        )


def _result_urls(task_id: str, raw: Any) -> tuple[str, ...]:
    try:
        result = (
            json.loads(raw) if isinstance(raw, str | bytes) else raw
        )  # a string per the reference; tolerate objects
    except ValueError:
        raise MalformedResponseError(f"task {task_id} has a resultJson that is not JSON") from None
    urls = result.get("resultUrls") if isinstance(result, dict) else None
    if not isinstance(urls, list) or not urls:
        raise MalformedResponseError(f"task {task_id} succeeded without result URLs")
    if not all(isinstance(url, str) and url.startswith(("https://", "http://")) for url in urls):
        raise MalformedResponseError(f"task {task_id} has a result URL that is not http(s)")
    return tuple(urls)
