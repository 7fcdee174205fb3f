"""The hybrid logical clock: stamps always increase and always sort, drift is refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.core.clock import (
    COUNTER_LIMIT, MAX_DRIFT_MS, ClockDriftError, HybridLogicalClock, Stamp)

DEVICE = "00000000-0000-4000-8000-000000000001"
OTHER = "00000000-0000-4000-8000-000000000002"


def frozen(ms: int):
    return lambda: ms / 1000


def test_frozen_wall_clock_still_gives_increasing_stamps_past_the_counter():
    clock = HybridLogicalClock(DEVICE, wall=frozen(1_700_000_000_000))
    stamps = [clock.tick() for _ in range(COUNTER_LIMIT * 2 + 5)]
    assert stamps == sorted(stamps)  # as text
    parsed = [Stamp.parse(s) for s in stamps]
    assert parsed == sorted(parsed) and len(set(parsed)) == len(parsed)
    assert parsed[-1].wall_ms == 1_700_000_000_002  # the counter carried into the wall part


def test_observing_a_stamp_ahead_keeps_stamps_increasing():
    clock = HybridLogicalClock(DEVICE, wall=frozen(1_700_000_000_000))
    ahead = Stamp(1_700_000_000_000 + MAX_DRIFT_MS - 1, COUNTER_LIMIT - 1, OTHER)
    clock.observe(ahead)
    after = [Stamp.parse(clock.tick()) for _ in range(3 * COUNTER_LIMIT)]
    assert after[0] > ahead and after == sorted(after)


def test_a_stamp_far_in_the_future_is_refused_and_not_adopted():
    clock = HybridLogicalClock(DEVICE, wall=frozen(1_700_000_000_000))
    before = clock.last
    with pytest.raises(ClockDriftError):
        clock.observe(Stamp(1_700_000_000_000 + MAX_DRIFT_MS + 1, 0, OTHER))
    assert clock.last == before
    assert Stamp.parse(clock.tick()).wall_ms == 1_700_000_000_000


def test_counter_width_is_enforced():
    with pytest.raises(ValueError):
        Stamp(1, COUNTER_LIMIT, DEVICE)
    with pytest.raises(ValueError):
        Stamp.parse("1700000000000-10000-" + DEVICE)
    with pytest.raises(ValueError):
        Stamp.parse("not a stamp")


def test_absorb_continues_from_a_persisted_stamp():
    clock = HybridLogicalClock(DEVICE, wall=frozen(5))
    clock.absorb("1700000000000-0042-" + DEVICE)
    assert clock.tick() == "1700000000000-0043-" + DEVICE


@given(st.lists(st.one_of(
    st.tuples(st.just("tick"), st.integers(0, 3)),
    st.tuples(st.just("wall"), st.integers(-5_000, 5_000)),
    st.tuples(st.just("observe"), st.integers(-10_000, MAX_DRIFT_MS))), max_size=200))
def test_stamps_strictly_increase_whatever_happens(steps):
    now = [1_700_000_000_000]
    clock = HybridLogicalClock(DEVICE, wall=lambda: now[0] / 1000)
    last = None
    for kind, value in steps:
        if kind == "wall":
            now[0] = max(0, now[0] + value)
        elif kind == "observe":
            clock.observe(Stamp(max(0, now[0] + value), value % COUNTER_LIMIT, OTHER))
        for _ in range(value if kind == "tick" else 1):
            stamp = Stamp.parse(clock.tick())
            assert last is None or stamp > last
            assert str(stamp) > str(last) if last else True
            last = stamp


@given(st.integers(min_value=0, max_value=10 ** 13 - 1))
def test_iso_from_ms_is_the_datetime_text(wall_ms):
    from datetime import datetime, timedelta, timezone

    from fieldapp.core.clock import iso_from_ms

    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert iso_from_ms(wall_ms) == (epoch + timedelta(milliseconds=wall_ms)).isoformat(
        timespec="milliseconds")
