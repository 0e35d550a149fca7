"""PhaseClock: pure countdown arithmetic on recorded instants.

Nothing here reads the time or does I/O. Every query takes ``now`` (seconds since the
epoch, as ``time.time()`` gives it). Remaining time is always derived from the recorded
instants, never decremented per tick, so the clock cannot drift however often it is read.

A phase may have turns (the interview ring, a round of speakers, group presentations):
``turn_count`` turns of ``turn_seconds`` each, plus whatever extra a turn was given while
it ran. What the turns leave of the phase's total is open time (the group's summing-up).

A phase may have a wrap-up warning: its last ``warning_s`` seconds, which the projector,
the wall and the phones show in another style with a word ("2 min tilbage").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import ceil
from typing import NamedTuple


class TurnInfo(NamedTuple):
    """The turn running at some instant: 0-based index, count, and seconds left in it."""

    index: int
    count: int
    remaining_s: float


@dataclass(frozen=True)
class PhaseClock:
    """The clock state of one phase.

    duration_s: the phase's total, including every extension.
    elapsed_s: running time accumulated before ``running_since``.
    running_since: the instant the clock last started running, or None when it stands.
    started: whether the phase has ever been started ("Klar" until then).
    turn_seconds, turn_count: the turn plan (0 turns for a phase without turns).
    turn_extra_s: extra seconds given to individual turns (index -> seconds).
    warning_s: the wrap-up warning's length (0: none); the wrap-up is the phase's last
        ``warning_s`` seconds.
    """

    duration_s: float
    elapsed_s: float = 0.0
    running_since: float | None = None
    started: bool = False
    turn_seconds: float = 0.0
    turn_count: int = 0
    turn_extra_s: tuple[float, ...] = field(default=())
    warning_s: float = 0.0

    # ------------------------------------------------------------------ queries
    @property
    def running(self) -> bool:
        return self.running_since is not None

    @property
    def paused(self) -> bool:
        return self.started and self.running_since is None

    def elapsed(self, now: float) -> float:
        """Running time so far. Time before ``running_since`` never counts backwards."""
        if self.running_since is None:
            return self.elapsed_s
        return self.elapsed_s + max(0.0, now - self.running_since)

    def remaining(self, now: float) -> float:
        """Seconds left of the phase; never below zero (see ``overrun``)."""
        return max(0.0, self.duration_s - self.elapsed(now))

    def overrun(self, now: float) -> float:
        """Seconds past the end of the phase; zero until the time is up."""
        return max(0.0, self.elapsed(now) - self.duration_s)

    def is_over(self, now: float) -> bool:
        return self.started and self.elapsed(now) >= self.duration_s

    @property
    def warns(self) -> bool:
        """The phase has a wrap-up: a warning shorter than the phase (as extended)."""
        return 0 < self.warning_s < self.duration_s

    def in_warning(self, now: float) -> bool:
        """In the wrap-up: started, not over, a warning set, and no more than ``warning_s``
        left. A paused clock in its last minutes is in the wrap-up too. A warning as long
        as the phase or longer gives no wrap-up (a two-minute phase is not all warning)."""
        if not self.started or not self.warns or self.is_over(now):
            return False
        return self.remaining(now) <= self.warning_s

    def turn_length(self, index: int) -> float:
        extra = self.turn_extra_s[index] if index < len(self.turn_extra_s) else 0.0
        return self.turn_seconds + extra

    def turn_ends(self) -> list[float]:
        """Elapsed-time offsets at which each turn ends."""
        ends: list[float] = []
        total = 0.0
        for i in range(self.turn_count):
            total += self.turn_length(i)
            ends.append(total)
        return ends

    def turn(self, now: float) -> TurnInfo | None:
        """The turn running at ``now``; None when the phase has no turns or they are over.

        Before the phase starts, the first turn is shown with its full length.
        """
        if self.turn_count <= 0 or self.turn_seconds <= 0:
            return None
        elapsed = self.elapsed(now)
        for i, end in enumerate(self.turn_ends()):
            if elapsed < end:
                return TurnInfo(i, self.turn_count, end - elapsed)
        return None

    def next_boundary(self, now: float) -> float | None:
        """The wall instant of the next turn change, wrap-up warning or phase end, if the
        clock runs.

        Used by the engine to schedule its timer; None when nothing is due (standing
        clock, or the phase is already past its end).
        """
        if self.running_since is None:
            return None
        elapsed = self.elapsed(now)
        offsets = [*self.turn_ends(), self.duration_s]
        if self.warns:
            offsets.append(self.duration_s - self.warning_s)
        due = [end for end in offsets if end > elapsed]
        return now + (min(due) - elapsed) if due else None

    # ----------------------------------------------------------------- commands
    def start(self, now: float) -> PhaseClock:
        """Start (or resume) the clock; a running clock is left as it is."""
        if self.running_since is not None:
            return self
        return replace(self, running_since=now, started=True)

    def pause(self, now: float) -> PhaseClock:
        """Stop the clock, keeping the time it has run; a standing clock is unchanged."""
        if self.running_since is None:
            return self
        return replace(self, elapsed_s=self.elapsed(now), running_since=None)

    def toggle(self, now: float) -> PhaseClock:
        return self.pause(now) if self.running else self.start(now)

    def extend(self, seconds: float, now: float) -> PhaseClock:
        """Give the phase more time. During a turn, that turn gets it too.

        When the phase is already over, the extension counts from the overrun's end,
        i.e. the mødeleder gets ``seconds`` more from *now*, not from the planned end.
        """
        if seconds <= 0:
            return self
        duration = self.duration_s
        overrun = self.overrun(now)
        if overrun > 0:
            duration += overrun
        extras = list(self.turn_extra_s) + [0.0] * max(0, self.turn_count - len(self.turn_extra_s))
        current = self.turn(now)
        if current is not None:
            extras[current.index] += seconds
        return replace(self, duration_s=duration + seconds, turn_extra_s=tuple(extras))

    def reset(self) -> PhaseClock:
        """Back to not started, with the extensions kept."""
        return replace(self, elapsed_s=0.0, running_since=None, started=False)


def format_mmss(seconds: float) -> str:
    """Seconds as mm:ss (rounded up, so a phase shows 00:00 only when it is over).

    An hour or more shows as h:mm:ss.
    """
    total = int(-(-max(0.0, seconds) // 1))  # ceil without importing math
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def warning_text(remaining_s: float) -> str:
    """The wrap-up's word: '2 min tilbage' (whole minutes, rounded up; never 0)."""
    return f"{max(1, ceil(remaining_s / 60))} min tilbage"


def format_overrun(seconds: float) -> str:
    """Overrun as the projector says it: '+02:13 over tid'."""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    body = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
    return f"+{body} over tid"
