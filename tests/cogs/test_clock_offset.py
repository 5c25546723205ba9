"""Discord's 3 seconds judged against a host clock that may run ahead of Discord's."""

from __future__ import annotations

import pytest

from cogs.utils.errors import ClockOffset


def test_clock_offset_is_the_least_age_of_the_window_and_forgets_older_ones() -> None:
    offset = ClockOffset(window=60.0, buckets=6)  # ten-second buckets
    assert offset.observe(20.3, now=0.0) == pytest.approx(20.3)  # the host's clock 20 s fast: the first sighting
    assert offset.observe(20.1, now=5.0) == pytest.approx(20.1)
    assert offset.observe(26.0, now=30.0) == pytest.approx(20.1), "a late one does not move it"
    assert offset.observe(-0.5, now=31.0) == 0.0, "a clock behind Discord's allows nothing"
    assert offset.observe(24.0, now=95.0) == pytest.approx(24.0), "a minute on, the old sightings are forgotten"
