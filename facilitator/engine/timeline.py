"""The timeline: phases, their clocks, turns, and the timers that announce a turn change,
a phase's wrap-up warning or its end (the room's signals, see ``EngineCore.signal``).

Every clock command changes the clock in memory only after the write has committed. The
timers run on an injected scheduler (the loop's ``call_later`` by default), so tests move
a fake clock and call :meth:`check_timers` instead of waiting.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from facilitator.agenda import Phase
from facilitator.clock import PhaseClock, TurnInfo, warning_text
from facilitator.engine.core import EngineCore, running_loop
from facilitator.engine.errors import EngineError
from facilitator.engine.events import (
    ClockChanged,
    Event,
    PhaseChanged,
    PhaseEnded,
    Snapshot,
    TurnChanged,
    WarningStarted,
)

PHASE_END_TEXT = "Tiden er gået"
OPEN_TIME_LABEL = "Tid til opsamling"  # the turn "label" once the turns are done

TIMER_SLACK_S = 0.01


class Timeline(EngineCore):
    # ------------------------------------------------------------------ loading
    def _load_timeline(self, runs: list) -> None:
        by_index = {run.phase_index: run for run in runs}
        meeting = self._meeting
        # Vote phases whose phone marks have closed (stored in PhaseRun.vote_closed).
        self._closed_votes: set[int] = {i for i, run in by_index.items() if run.vote_closed}
        # Fremlæggelse's turns, fixed by name when the phase started (PhaseRun.turn_names).
        self._turn_names: dict[int, list[str]] = {}
        for i, run in by_index.items():
            names = _stored_names(run.turn_names)
            if names is not None:
                self._turn_names[i] = names
        self._planned_names: dict[int, list[str] | None] = {}
        self.clocks: list[PhaseClock] = []
        for index, phase in enumerate(self.agenda.phases):
            run = by_index.get(index)
            if run is None:
                self.clocks.append(self._fresh_clock(phase))
                continue
            turns = phase.turn_count(meeting.groups)
            extra = tuple(float(x) for x in run.turn_extra.split(",") if x)
            self.clocks.append(
                PhaseClock(
                    duration_s=run.duration_s,
                    elapsed_s=run.elapsed_s,
                    running_since=run.running_since,
                    started=run.started,
                    turn_seconds=phase.turn_seconds if turns else 0,
                    turn_count=turns,
                    turn_extra_s=extra,
                    warning_s=float(phase.warning_seconds),
                )
            )
        self.index = min(max(0, meeting.current_phase), len(self.agenda.phases) - 1)
        self._timer: Any = None
        self._replan(loading=True)  # the fremlæggelse's turns, before any turn is read
        self._announced = self._timing_marker(self.now())

    def _fresh_clock(self, phase: Phase) -> PhaseClock:
        turns = phase.turn_count(self._meeting.groups)
        return PhaseClock(
            duration_s=float(phase.seconds),
            turn_seconds=phase.turn_seconds if turns else 0,
            turn_count=turns,
            warning_s=float(phase.warning_seconds),
        )

    @property
    def clock(self) -> PhaseClock:
        return self.clocks[self.index]

    # ------------------------------------------------------------------ reading
    def turn(self, now: float | None = None) -> TurnInfo | None:
        return self.clock.turn(self.now() if now is None else now)

    def turn_label(self, turn: TurnInfo) -> str:
        """The turn's name: "Gruppe 2: Stabil bemanding" in a fremlæggelse after "brænder
        for"; else the agenda's label ("Gruppe 1 af 4", "Person 2 af 4", "1 interviewer 2")."""
        name = self.turn_name(turn)
        if name is not None:
            return f"Gruppe {turn.index + 1}: {name}"
        return self.phase.turn_label(turn.index, turn.count)

    def turn_name(self, turn: TurnInfo) -> str | None:
        """The wish of the group whose turn it is, in a fremlæggelse after "brænder for"."""
        names = self._planned_names.get(self.index)
        return names[turn.index] if names and turn.index < len(names) else None

    def meeting_elapsed(self, now: float) -> float:
        return sum(c.elapsed(now) for c in self.clocks)

    def meeting_planned(self) -> float:
        return sum(c.duration_s for c in self.clocks)

    def expected_end(self, now: float) -> float:
        """Wall instant the meeting ends if every phase from here keeps its time."""
        return now + sum(c.remaining(now) for c in self.clocks[self.index :])

    # ------------------------------------------------------------------ commands
    def _clock_work(self, index: int, clock: PhaseClock, current: int | None = None):  # noqa: ANN202
        """The write that stores one phase's clock (and the meeting's current phase)."""
        store, meeting_id = self.store, self.meeting_id

        def work() -> None:
            store.save_clock(
                meeting_id,
                index,
                duration_s=clock.duration_s,
                elapsed_s=clock.elapsed_s,
                running_since=clock.running_since,
                started=clock.started,
                turn_extra=clock.turn_extra_s,
                current_phase=current,
            )

        return work

    async def _set_clock(
        self,
        make: Any,
        event: type[Event],
        *,
        before: Any = None,
        after: Any = None,
        **data: Any,
    ) -> Snapshot:
        """Store the clock ``make(now)`` gives the current phase (after the write
        ``before``, in the same transaction), then show it (after ``after()``)."""
        index = self.index
        new = make(self.now())
        save = self._clock_work(index, new)

        def work() -> None:
            if before is not None:
                before()
            save()

        def apply(_: None) -> Snapshot:
            if after is not None:
                after()
            self.clocks[index] = new
            self._announced = self._timing_marker(self.now())
            self._reschedule()
            return self._publish(event, **data)

        return await self._commit(work, apply)

    async def start(self) -> Snapshot:
        """Start or resume the current phase's clock. A fremlæggelse's first start fixes
        its turns (one per group the room formed) and stores them."""
        async with self.control:
            before = after = None
            fix = self._turn_fix()
            if fix is not None:
                store, meeting_id, (index, names) = self.store, self.meeting_id, fix

                def before() -> None:
                    store.set_turn_names(meeting_id, index, names)

                def after() -> None:
                    self._turn_names[index] = names

            return await self._set_clock(
                lambda now: self.clock.start(now),
                ClockChanged,
                before=before,
                after=after,
                action="start",
            )

    async def pause(self) -> Snapshot:
        async with self.control:
            return await self._set_clock(
                lambda now: self.clock.pause(now), ClockChanged, action="pause"
            )

    async def toggle(self) -> Snapshot:
        return await (self.pause() if self.clock.running else self.start())

    async def extend(self, minutes: float) -> Snapshot:
        if not 0 < minutes <= 120:
            raise EngineError("forlæng med mellem 1 og 120 minutter")
        async with self.control:
            index = self.index
            settle = self._settle_vote_work(self.now())  # a vote whose time is up stays closed
            return await self._set_clock(
                lambda now: self.clock.extend(minutes * 60, now),
                ClockChanged,
                before=settle,
                after=None if settle is None else lambda: self._closed_votes.add(index),
                action="extend",
                minutes=minutes,
            )

    async def goto(self, index: int) -> Snapshot:
        """Leave the current phase (paused, with its time kept) and show phase ``index``.

        The phase entered is shown as it was left: not started with its full time, or
        paused with the time it had left. Nothing starts by itself.
        """
        async with self.control:
            return await self._goto(index)

    async def _goto(self, index: int) -> Snapshot:
        if not 0 <= index < self.phase_count:
            raise EngineError(f"fase {index + 1} findes ikke (1–{self.phase_count})")
        old = self.index
        if index == old:
            return self.latest
        close = self._close_vote_on_leaving_work(index)  # the room moves on, the marks close
        left = self.clock.pause(self.now())
        save = self._clock_work(old, left, current=index)

        def work() -> None:
            if close is not None:
                close()
            save()

        def apply(_: None) -> Snapshot:
            if close is not None:
                self._closed_votes.add(old)
            self.clocks[old] = left
            self.index = index
            self._entering(index)
            self._announced = self._timing_marker(self.now())
            self._reschedule()
            return self._publish(PhaseChanged, index=index, previous=old)

        return await self._commit(work, apply)

    async def next_phase(self) -> Snapshot:
        async with self.control:
            if self.index + 1 >= self.phase_count:
                raise EngineError("det er sidste fase")
            return await self._goto(self.index + 1)

    async def previous_phase(self) -> Snapshot:
        async with self.control:
            if self.index == 0:
                raise EngineError("det er første fase")
            return await self._goto(self.index - 1)

    # ------------------------------------------------------------------ fremlæggelse
    def _choose_before(self, index: int) -> int | None:
        """The last "brænder for" phase before phase ``index``, if any."""
        for i in range(index - 1, -1, -1):
            if self.agenda.phases[i].kind == "choose":
                return i
        return None

    def _formed_groups(self, choose_at: int) -> list[str]:
        """The groups the room formed in that choose phase: the wishes chosen by at least
        one person (phones and hands), in the options' order, named by the wish."""
        return [item.title for item, count in self.choice_counts(choose_at) if count > 0]

    def _turn_plan(self, index: int) -> list[str] | None:
        """The names of a fremlæggelse's turns: fixed when it started, else as the room's
        groups are now. None: the turns come from the group setting."""
        if self.agenda.phases[index].kind != "present":
            return None
        if index in self._turn_names:
            return self._turn_names[index] or None
        choose_at = self._choose_before(index)
        if choose_at is None or self.clocks[index].started:
            return None
        return self._formed_groups(choose_at) or None

    def _replan(self, *, loading: bool = False) -> None:
        """Fit every fremlæggelse not yet started to the groups the room formed: one turn
        per group at the agenda's turn length; a phase whose turns need more than its
        minutes grows to hold them (extensions kept), so the expected end follows. The
        grown duration is stored with the phase's next clock write."""
        for index, phase in enumerate(self.agenda.phases):
            if phase.kind != "present":
                continue
            names = self._turn_plan(index)
            self._planned_names[index] = names
            clock = self.clocks[index]
            count = len(names) if names else phase.turn_count(self._meeting.groups)
            if index in self._turn_names or clock.started:
                if clock.turn_count != count:  # fixed: only the count, as it was stored
                    self.clocks[index] = replace(clock, turn_count=count)
                continue

            def base(turns: int, phase: Phase = phase) -> float:
                return max(float(phase.seconds), float(turns * phase.turn_seconds))

            # A restarted engine reads a duration saved with this same plan.
            before = count if loading else clock.turn_count
            extension = max(0.0, clock.duration_s - base(before))
            new = replace(clock, turn_count=count, duration_s=base(count) + extension)
            if new != clock:
                self.clocks[index] = new

    def _turn_fix(self) -> tuple[int, list[str]] | None:
        """On a fremlæggelse's first start: its turns as planned now, to be fixed and
        stored (None when there is nothing to fix)."""
        index = self.index
        if (
            self.phase.kind != "present"
            or self.clock.started
            or index in self._turn_names
            or self._choose_before(index) is None
        ):
            return None
        self._replan()
        return index, list(self._planned_names.get(index) or [])

    def group_labels(self, grouping: str | None = None) -> list[str] | None:
        """The names of the room's groups, in their order, when they have names: after
        "brænder for" each group is named by its wish ("Gruppe 2: Stabil bemanding").
        None for the numbered groups (interview, fours)."""
        grouping = grouping or self.current_grouping()
        if grouping != "wishes":
            return None
        if self.phase.kind == "present" and self._turn_names.get(self.index):
            return list(self._turn_names[self.index])
        counts = self.choice_counts()
        chosen = [item.title for item, count in counts if count > 0]
        return chosen or [item.title for item, _count in counts]

    # ------------------------------------------------------------------ timers
    def _timing_marker(self, now: float) -> tuple[int, int | None, bool, bool]:
        """What the timers compare: (phase, turn, over, in the wrap-up). A command that
        moves the clock or the phase takes a new marker, so only time running past a
        boundary is announced, never a jump the mødeleder made."""
        clock = self.clock
        turn = clock.turn(now) if clock.started else None
        return (
            self.index,
            None if turn is None else turn.index,
            clock.is_over(now),
            clock.in_warning(now),
        )

    async def check_timers(self) -> Snapshot | None:
        """Publish a turn change, wrap-up warning or phase end that is due. The scheduled
        timer calls this; tests call it after moving their fake clock. Returns the last
        event published (a turn change and the warning may fall due at once: both are
        published, the warning first), None when nothing was due."""
        async with self.control:
            now = self.now()
            marker = self._timing_marker(now)
            previous = self._announced
            self._announced = marker
            result = None
            if marker[0] == previous[0] and self.clock.started:
                if marker[2] and not previous[2]:
                    settle = self._settle_vote_work(now)  # a vote's marks close with its time
                    index = self.index

                    def apply(_: None) -> Snapshot:
                        if settle is not None:
                            self._closed_votes.add(index)
                        self._set_signal(PhaseEnded.kind, PHASE_END_TEXT)
                        return self._publish(PhaseEnded, index=index, vote_closed=bool(settle))

                    if settle is None:
                        result = apply(None)
                    else:
                        result = await self._commit(settle, apply)
                else:
                    # The warning before the turn when both are due (a turn that ends as
                    # the wrap-up begins, or a late timer): the signal left in the state,
                    # all a page may see, is then the turn change, which the room must
                    # act on, and its text says the wrap-up too.
                    warned = ""
                    if marker[3] and not previous[3] and self.clock.running:
                        clock = self.clock
                        warned = warning_text(clock.remaining(now))
                        self._set_signal(WarningStarted.kind, warned)
                        result = self._publish(
                            WarningStarted, index=self.index, seconds=int(clock.warning_s)
                        )
                    if marker[1] != previous[1]:
                        turn = self.clock.turn(now)
                        label = self.turn_label(turn) if turn else OPEN_TIME_LABEL
                        text = f"Skift: {label}" + (f" · {warned}" if warned else "")
                        self._set_signal(TurnChanged.kind, text)
                        result = self._publish(
                            TurnChanged, index=marker[1], count=self.clock.turn_count, label=label
                        )
            self._reschedule()
            return result

    def _reschedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        boundary = self.clock.next_boundary(self.now())
        if boundary is None:
            return
        delay = max(0.0, boundary - self.now()) + TIMER_SLACK_S
        self._timer = self._schedule(delay, lambda: self._spawn(self.check_timers()))

    def _schedule(self, delay: float, callback: Any) -> Any:
        if self._scheduler is not None:
            return self._scheduler(delay, callback)
        loop = running_loop()
        return None if loop is None else loop.call_later(delay, callback)

    def start_timers(self) -> None:
        """Call once the loop runs (the app's on_mount, or serve): the phase and turn
        timers, and the lease's heartbeat if the lease was taken before the loop ran."""
        self._reschedule()
        self._schedule_heartbeat()
        self._spawn(self.load_course())  # the forløb's bruttoliste and help contacts

    def stop_timers(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _stored_names(text: str) -> list[str] | None:
    """A phase's stored turn names (a JSON list of texts); None when not fixed."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return value
    return None
