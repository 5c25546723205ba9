"""The benchmark's floor: a bare client makes each job's exchanges, as many of each kind as the bot made."""

from __future__ import annotations

import pytest

from bench.fake_api import BenchApi
from bench.floor import WARM_UP, FloorServer, measure_floor, run_jobs, spread
from bench.report import floor_paragraph

IMAGE = BenchApi.result_image()


@pytest.mark.parametrize("per_job", [0.0, 0.3, 2.3, 5.22, 4.0])
def test_counts_per_job_add_up_to_the_average_and_differ_by_at_most_one(per_job: float) -> None:
    counts = spread(1000, per_job)
    assert sum(counts) == int(1000 * per_job)
    assert max(counts) - min(counts) <= 1


async def test_every_job_makes_the_bots_exchanges_and_uploads_the_checked_image() -> None:
    server = FloorServer(IMAGE)
    await server.start()
    try:
        await run_jobs(server.base_url, spread(10, 5.2), spread(10, 0.3), concurrency=4)
    finally:
        await server.close()

    assert server.counts == {"answer": 10, "submit": 10, "status": 52, "download": 10, "edit": 3, "upload": 10}
    assert server.uploaded == [IMAGE] * 10  # the downloaded bytes, whole, in each upload


async def test_the_floor_is_measured_in_a_process_of_its_own() -> None:
    floor = await measure_floor(IMAGE, jobs=20, polls=3.5, discord_requests=2.5, latency=0.0)

    assert floor["jobs"] == 20 and floor["cpu_ms_per_job"] > 0
    assert floor["edits_per_job"] == 0.5  # the answer and the upload are two of the bot's Discord requests
    jobs = 20 + WARM_UP  # the warm-up's exchanges reach the server too, before the clock starts
    assert floor["requests"]["answer"] == floor["requests"]["upload"] == jobs
    assert floor["requests"]["status"] == int(20 * 3.5) + int(WARM_UP * 3.5)


def test_the_report_sets_the_bots_cpu_against_the_floor() -> None:
    results = {"floor": {"cpu_ms_per_job": 4.0, "polls_per_job": 5.2, "edits_per_job": 0.3, "jobs": 1000}}

    text = floor_paragraph(results, {"bot_cpu_ms_per_job": 10.0})

    assert "4.00 ms per job" in text and "**2.5x**" in text
    assert "1.2x this run's floor" in text  # the 5 ms target
    assert floor_paragraph({}, {"bot_cpu_ms_per_job": 10.0}) == ""
