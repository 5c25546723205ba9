"""TaskStatus parsing: what the status endpoint and callbacks say about a task, and what is refused as malformed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kontext.api.errors import MalformedResponseError
from kontext.api.status import TaskStatus


def test_task_status_parses_success_with_result_json_string() -> None:
    status = TaskStatus.from_data(
        {
            "taskId": "task_1",
            "state": "success",
            "resultJson": json.dumps({"resultUrls": ["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"]}),
            "costTime": 12000,
            "createTime": 1698765400000,
            "completeTime": 1698765412000,
        }
    )
    assert status == TaskStatus(
        task_id="task_1",
        state="success",
        result_urls=("https://cdn.example/a.jpg", "https://cdn.example/b.jpg"),
        cost_time_ms=12000,
    )
    assert status.done and status.state == "success"


def test_task_status_parses_failure() -> None:
    status = TaskStatus.from_data(
        {"taskId": "task_1", "state": "failed", "failCode": "CONTENT_VIOLATION", "failMsg": "Content does not meet"}
    )
    assert (status.state, status.fail_code, status.fail_msg, status.result_urls) == (
        "failed",
        "CONTENT_VIOLATION",
        "Content does not meet",
        (),
    )
    assert status.done and status.state != "success"


@pytest.mark.parametrize("state", ["pending", "processing", "PROCESSING"])
def test_task_status_parses_unfinished_states(state: str) -> None:
    status = TaskStatus.from_data({"taskId": "task_1", "state": state, "createTime": 1})
    assert status.state == state.lower() and not status.done


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"state": "success"},
        {"taskId": "", "state": "pending"},
        {"taskId": "task_1", "state": "queued"},
        {"taskId": "task_1"},
        {"taskId": "task_1", "state": "success"},
        {"taskId": "task_1", "state": "success", "resultJson": "{not json"},
        {"taskId": "task_1", "state": "success", "resultJson": "{}"},
        {"taskId": "task_1", "state": "success", "resultJson": '{"resultUrls": []}'},
        {"taskId": "task_1", "state": "success", "resultJson": '{"resultUrls": ["file:///etc/passwd"]}'},
    ],
)
def test_task_status_rejects_garbage(data: Any) -> None:
    with pytest.raises(MalformedResponseError):
        TaskStatus.from_data(data)
