"""Full garbage collections between bursts: calm ticks, a bound on what a burst leaves, the collector given back."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from kontext.collector import CollectionSchedule, GcControls


@dataclass
class FakeGc:
    """The interpreter's collector as the schedule sees it: thresholds, counts, and what was asked of it."""

    threshold: tuple[int, int, int] = (700, 10, 10)
    count: tuple[int, int, int] = (0, 0, 0)
    collected: list[int] = field(default_factory=list)
    frozen: bool = False

    def controls(self) -> GcControls:
        return GcControls(
            get_threshold=lambda: self.threshold,
            set_threshold=self.set_threshold,
            get_count=lambda: self.count,
            collect=self.collect,
            freeze=lambda: setattr(self, "frozen", True),
            unfreeze=lambda: setattr(self, "frozen", False),
        )

    def set_threshold(self, *values: int) -> None:
        self.threshold = (values[0], values[1], values[2])

    def collect(self, generation: int) -> int:
        self.collected.append(generation)
        if generation == 2:
            self.count = (0, 0, 0)
        return 0


def schedule_on(fake: FakeGc, **options: int | float) -> CollectionSchedule:
    schedule = CollectionSchedule(gc=fake.controls(), **options)  # type: ignore[arg-type]
    schedule.start()
    fake.collected.clear()  # the start's own collection, before freezing
    return schedule


def test_start_freezes_start_up_and_takes_full_collections_over_and_stop_gives_the_collector_back() -> None:
    fake = FakeGc()
    schedule = CollectionSchedule(young=50_000, middle=5, gc=fake.controls())
    schedule.start()
    assert fake.collected == [2] and fake.frozen, "start-up's garbage collected, then the rest frozen"
    assert fake.threshold[:2] == (50_000, 5) and fake.threshold[2] >= 1 << 30, "no automatic full collection"
    schedule.stop()
    assert fake.threshold == (700, 10, 10) and not fake.frozen
    assert schedule.tick(0.0) is False, "a stopped schedule collects nothing"


def test_a_full_collection_waits_for_a_calm_loop_and_for_something_to_collect(calm_ticks: int = 4) -> None:
    fake = FakeGc()
    schedule = schedule_on(fake, calm_ticks=calm_ticks, force_after=3)
    try:
        for _ in range(calm_ticks * 3):
            assert not schedule.tick(0.0), "nothing to collect: no middle collection since the last full one"
        assert not schedule.tick(0.05), "a late tick: the loop is busy, the count of calm ticks starts again"
        fake.count = (10, 2, 1)
        for _ in range(calm_ticks - 1):
            assert not schedule.tick(0.001)
        assert not schedule.tick(0.2), "busy again just before: no pause in the middle of a burst"
        for _ in range(calm_ticks - 1):
            assert not schedule.tick(0.0)
        assert schedule.tick(0.0) and fake.collected == [2], "calm for `calm_ticks` ticks in a row"
    finally:
        schedule.stop()


def test_a_long_burst_gets_its_full_collection_anyway_once_enough_has_piled_up(force_after: int = 2) -> None:
    fake = FakeGc()
    schedule = schedule_on(fake, force_after=force_after)
    try:
        fake.count = (0, 0, force_after - 1)
        assert not schedule.tick(0.3)
        fake.count = (0, 0, force_after)
        assert schedule.tick(0.3) and fake.collected == [2], "busy, but the garbage it may leave is bounded"
    finally:
        schedule.stop()


def test_several_bots_in_one_process_tune_the_collector_once_and_the_last_to_stop_restores_it() -> None:
    fake = FakeGc()
    first, second = CollectionSchedule(gc=fake.controls()), CollectionSchedule(gc=fake.controls())
    first.start()
    second.start()
    first.start()  # a second start changes nothing
    assert fake.collected == [2]
    first.stop()
    assert fake.threshold != (700, 10, 10) and fake.frozen, "the other bot still runs"
    second.stop()
    second.stop()
    assert fake.threshold == (700, 10, 10) and not fake.frozen


def test_the_real_collector_is_given_back_as_it_was() -> None:
    before = gc.get_threshold()
    schedule = CollectionSchedule()
    schedule.start()
    try:
        assert gc.get_threshold()[0] == schedule.young and gc.get_freeze_count() > 0
    finally:
        schedule.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
