"""PhaseClock: the countdown the mødeleder reads off the wall must never drift.

Times are whole seconds on a fixed epoch, so float arithmetic is exact and the properties
can be asserted with ``==``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.clock import PhaseClock, format_mmss, format_overrun

T0 = 1_800_000_000.0
PROPS = settings(max_examples=150, deadline=None)

# ------------------------------------------------------------------ a reference model

operation = st.one_of(
    st.tuples(st.just("start")),
    st.tuples(st.just("pause")),
    st.tuples(st.just("extend"), st.sampled_from([60, 300, 1, 17])),
    st.tuples(st.just("advance"), st.integers(min_value=0, max_value=2_000)),
    st.tuples(st.just("read")),
)


@dataclass
class Model:
    """What the mødeleder expects, computed the slow and obvious way."""

    duration: float
    now: float = T0
    closed: float = 0.0  # sum of finished running intervals
    open_since: float | None = None
    started: bool = False

    def elapsed(self) -> float:
        running = 0.0 if self.open_since is None else self.now - self.open_since
        return self.closed + running


def apply(clock: PhaseClock, model: Model, op: tuple) -> PhaseClock:
    name = op[0]
    if name == "start":
        clock = clock.start(model.now)
        if model.open_since is None:
            model.open_since = model.now
        model.started = True
    elif name == "pause":
        clock = clock.pause(model.now)
        if model.open_since is not None:
            model.closed += model.now - model.open_since
            model.open_since = None
    elif name == "extend":
        seconds = op[1]
        elapsed = model.elapsed()
        if elapsed > model.duration:  # over: that many seconds from now
            model.duration = elapsed + seconds
        else:
            model.duration += seconds
        clock = clock.extend(seconds, model.now)
    elif name == "advance":
        model.now += op[1]
    elif name == "read":
        for _ in range(50):  # a UI ticking at 10 Hz reads it over and over
            clock.remaining(model.now)
            clock.overrun(model.now)
            clock.turn(model.now)
            clock.next_boundary(model.now)
    return clock


def check(clock: PhaseClock, model: Model) -> None:
    now = model.now
    elapsed = clock.elapsed(now)
    assert elapsed == model.elapsed()
    assert clock.duration_s == model.duration
    assert clock.running == (model.open_since is not None)
    assert clock.started == model.started
    assert clock.paused == (model.started and model.open_since is None)
    if elapsed <= clock.duration_s:
        assert clock.remaining(now) + elapsed == clock.duration_s
        assert clock.overrun(now) == 0
    else:
        assert clock.overrun(now) == elapsed - clock.duration_s
        assert clock.remaining(now) == 0
    assert clock.is_over(now) == (model.started and elapsed >= model.duration)


@PROPS
@given(
    minutes=st.integers(min_value=1, max_value=60),
    ops=st.lists(operation, max_size=40),
)
def test_any_sequence_of_commands_never_drifts(minutes, ops):
    model = Model(duration=minutes * 60.0)
    clock = PhaseClock(duration_s=minutes * 60.0)
    check(clock, model)
    for op in ops:
        clock = apply(clock, model, op)
        check(clock, model)


@PROPS
@given(ops=st.lists(operation, max_size=30))
def test_reading_the_clock_changes_nothing(ops):
    """The same commands with and without a UI reading it in between end identically."""
    plain_ops = [op for op in ops if op[0] != "read"]
    read_model, plain_model = Model(duration=900.0), Model(duration=900.0)
    read_clock = plain_clock = PhaseClock(duration_s=900.0)
    for op in ops:
        read_clock = apply(read_clock, read_model, op)
        read_clock = apply(read_clock, read_model, ("read",))
    for op in plain_ops:
        plain_clock = apply(plain_clock, plain_model, op)
    assert read_clock == plain_clock
    now = read_model.now
    first = (read_clock.remaining(now), read_clock.overrun(now), read_clock.turn(now))
    for _ in range(1_000):
        assert (read_clock.remaining(now), read_clock.overrun(now), read_clock.turn(now)) == first


@PROPS
@given(
    ops=st.lists(operation, max_size=30),
    away=st.integers(min_value=0, max_value=10_000),
    after=st.integers(min_value=0, max_value=500),
)
def test_pause_and_resume_keeps_the_time_left(ops, away, after):
    model = Model(duration=1500.0)
    clock = PhaseClock(duration_s=1500.0)
    for op in ops:
        clock = apply(clock, model, op)
    clock = clock.start(model.now)
    clock = clock.pause(model.now)
    left, over = clock.remaining(model.now), clock.overrun(model.now)
    later = model.now + away
    assert clock.paused
    assert clock.remaining(later) == left
    assert clock.overrun(later) == over
    assert clock.next_boundary(later) is None  # nothing is due while it stands
    resumed = clock.start(later)
    assert resumed.remaining(later) == left
    assert resumed.elapsed(later + after) == clock.elapsed(later) + after


def test_pause_twice_and_start_twice_are_harmless():
    clock = PhaseClock(duration_s=600.0).start(T0)
    assert clock.start(T0 + 100) == clock  # a second start does not restart the clock
    paused = clock.pause(T0 + 100)
    assert paused.pause(T0 + 500) == paused
    assert paused.remaining(T0 + 500) == 500


# ------------------------------------------------------------------ turns


def ring() -> PhaseClock:
    """The interview: 3 turns of 5 minutes in a 25-minute phase."""
    return PhaseClock(duration_s=1500.0, turn_seconds=300.0, turn_count=3)


def test_interview_ring_turns_then_open_time():
    clock = ring()
    assert clock.turn(T0) == (0, 3, 300.0)  # "Klar": the first turn with its full time
    clock = clock.start(T0)
    assert clock.turn(T0 + 0) == (0, 3, 300.0)
    assert clock.turn(T0 + 299) == (0, 3, 1.0)
    assert clock.turn(T0 + 300) == (1, 3, 300.0)
    assert clock.turn(T0 + 599) == (1, 3, 1.0)
    assert clock.turn(T0 + 600) == (2, 3, 300.0)
    assert clock.turn(T0 + 899) == (2, 3, 1.0)
    assert clock.turn(T0 + 900) is None  # the group sums up: open time
    assert clock.remaining(T0 + 900) == 600
    assert clock.turn(T0 + 1499) is None
    assert clock.turn(T0 + 2000) is None
    assert clock.overrun(T0 + 2000) == 500


def test_a_paused_turn_keeps_its_time():
    clock = ring().start(T0).pause(T0 + 400)
    assert clock.turn(T0 + 5_000) == (1, 3, 200.0)
    assert clock.start(T0 + 5_000).turn(T0 + 5_050) == (1, 3, 150.0)


def test_a_phase_without_turns_has_none():
    clock = PhaseClock(duration_s=900.0).start(T0)
    assert clock.turn(T0 + 10) is None


def test_next_boundary_is_the_next_turn_change_then_phase_end():
    clock = ring()
    assert clock.next_boundary(T0) is None  # not started: nothing is scheduled
    clock = clock.start(T0)
    assert clock.next_boundary(T0) == T0 + 300
    assert clock.next_boundary(T0 + 10) == T0 + 300
    assert clock.next_boundary(T0 + 300) == T0 + 600
    assert clock.next_boundary(T0 + 650) == T0 + 900
    assert clock.next_boundary(T0 + 900) == T0 + 1500  # open time ends with the phase
    assert clock.next_boundary(T0 + 1500) is None
    assert clock.next_boundary(T0 + 1700) is None
    paused = clock.pause(T0 + 100)
    assert paused.next_boundary(T0 + 100) is None
    assert paused.start(T0 + 1000).next_boundary(T0 + 1000) == T0 + 1200


@PROPS
@given(
    ops=st.lists(operation, max_size=30),
    seconds=st.sampled_from([60, 300]),
)
def test_extend_during_a_turn_lengthens_that_turn_and_the_phase_equally(ops, seconds):
    model = Model(duration=1500.0)
    clock = ring()
    for op in ops:
        if op[0] == "extend":
            continue  # keep the turn plan as planned; extensions are what we test
        clock = apply(clock, model, op)
    now = model.now
    before_turn, before_left = clock.turn(now), clock.remaining(now)
    before_over = clock.overrun(now)
    extended = clock.extend(seconds, now)
    after_turn = extended.turn(now)
    if before_turn is not None:
        assert after_turn is not None
        assert after_turn.index == before_turn.index
        assert after_turn.remaining_s == before_turn.remaining_s + seconds
        assert extended.remaining(now) == before_left + seconds
        # the other turns keep their length: the next change comes exactly `seconds` later
        ends, new_ends = clock.turn_ends(), extended.turn_ends()
        for i in range(3):
            shift = seconds if i >= before_turn.index else 0
            assert new_ends[i] == ends[i] + shift
    elif before_over > 0:
        assert extended.remaining(now) == seconds
        assert extended.turn_ends() == clock.turn_ends()
    else:  # open time: the phase gets longer, no turn does
        assert after_turn is None
        assert extended.remaining(now) == before_left + seconds
        assert extended.turn_ends() == clock.turn_ends()


def test_plus_one_minute_in_the_second_interview():
    clock = ring().start(T0)
    clock = clock.extend(60, T0 + 400)
    assert clock.turn(T0 + 400) == (1, 3, 260.0)
    assert clock.turn(T0 + 659) == (1, 3, 1.0)
    assert clock.turn(T0 + 660) == (2, 3, 300.0)
    assert clock.turn(T0 + 960) is None
    assert clock.remaining(T0 + 960) == 600  # the open time is untouched
    assert clock.duration_s == 1560


# ------------------------------------------------------------------ overrun


def test_overrun_counts_up_past_zero():
    clock = PhaseClock(duration_s=600.0).start(T0)
    assert clock.remaining(T0 + 599) == 1
    assert not clock.is_over(T0 + 599)
    assert clock.is_over(T0 + 600)
    assert clock.remaining(T0 + 733) == 0
    assert clock.overrun(T0 + 733) == 133


@pytest.mark.parametrize("seconds", [60, 300])
def test_extend_when_over_gives_exactly_that_much_from_now(seconds):
    clock = PhaseClock(duration_s=600.0).start(T0)
    now = T0 + 733  # 2:13 over
    extended = clock.extend(seconds, now)
    assert extended.overrun(now) == 0
    assert extended.remaining(now) == seconds
    assert not extended.is_over(now)
    assert extended.next_boundary(now) == now + seconds


def test_a_phase_not_started_is_never_over():
    clock = PhaseClock(duration_s=60.0)
    assert not clock.is_over(T0 + 10_000)
    assert clock.remaining(T0 + 10_000) == 60
    assert not clock.paused and not clock.running


def test_extend_by_nothing_changes_nothing():
    clock = ring().start(T0)
    assert clock.extend(0, T0 + 10) == clock
    assert clock.extend(-60, T0 + 10) == clock


# ------------------------------------------------------------------ formatting


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1500, "25:00"),
        (133, "02:13"),
        (59.2, "01:00"),  # rounded up: 00:00 shows only when the time is up
        (0.4, "00:01"),
        (0, "00:00"),
        (-5, "00:00"),
        (3600, "1:00:00"),
        (3725, "1:02:05"),
    ],
)
def test_format_mmss(seconds, text):
    assert format_mmss(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (133, "+02:13 over tid"),
        (133.9, "+02:13 over tid"),
        (0.5, "+00:00 over tid"),
        (3725, "+1:02:05 over tid"),
    ],
)
def test_format_overrun(seconds, text):
    assert format_overrun(seconds) == text


@PROPS
@given(seconds=st.floats(min_value=0, max_value=36_000, allow_nan=False))
def test_format_mmss_shows_whole_seconds_up(seconds):
    text = format_mmss(seconds)
    parts = [int(p) for p in text.split(":")]
    total = parts[-1] + 60 * parts[-2] + (3600 * parts[0] if len(parts) == 3 else 0)
    assert total - 1 < seconds <= total or seconds == total == 0
    assert 0 <= parts[-1] < 60 and 0 <= parts[-2] < 60
