"""MeetingEngine: the one place where meeting state changes.

Commands come in (start, pause, extend, next, add a flip-over, ...). Each one validates,
writes to storage in one transaction, then publishes one immutable event. The TUI and
every SSE client subscribe to the same fan-out. Each subscriber holds a "latest" slot, so
a slow one gets the newest state when it is ready and never stalls the others; the state
is serialised once per change.

The engine owns time: it schedules the phase-end and turn-change events itself on the
asyncio loop, with an injected clock, so ``serve`` without a TUI and every phone see them.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from facilitator.agenda import Agenda, AgendaError, Phase, parse_agenda
from facilitator.clock import PhaseClock, TurnInfo
from facilitator.meeting_size import (  # noqa: F401 - re-exported for the CLI and screens
    GROUPS_MAX,
    MEETING_LIMITS,
    PARTICIPANTS_MAX,
    group_plan,
    meeting_size_problem,
)
from facilitator.text import BadText, clean_text
from storage.db import StorageError
from storage.models import Meeting
from storage.repo import FlipoverRow, LeaseHeld, Store, ThemeRow

MAX_HEADING = 200
MAX_TITLE = 200
MAX_PROPOSAL = 500
MAX_PROPOSALS = 10
MAX_GROUP = 200
HEARTBEAT_S = 30.0
REOPEN_S = 120.0  # a vote reopened after its time was up gets two more minutes
LEASE_WAIT_S = 5.0  # how long `run`/`serve` waits for the previous run on this machine to close
LEASE_POLL_S = 0.2
TOKEN_REFRESH_S = 1.0  # how often the staff tokens are re-read (see `links --rotate`)
MAX_PHOTO = 2 * 1024 * 1024
# Events after which the phones refetch the flip-overs (state["board"]["version"] moves).
BOARD_EVENTS = frozenset(
    {
        "flipover_added",
        "flipover_edited",
        "flipover_deleted",
        "vote",
        "priority",
        "theme",
        "choice",
        "photo",
        "confidential",
    }
)
# Events that may change the groups the room formed in "brænder for" (their number,
# order or names), and so a fremlæggelse's turns while they are not fixed yet.
REPLAN_EVENTS = BOARD_EVENTS - {"photo"}


class EngineError(Exception):
    """A command was refused; the message is Danish and meant for the user."""


class MeetingNotFound(EngineError):
    pass


class MeetingBusy(EngineError):
    """Another live process holds the meeting (the lease)."""


class TextRefused(EngineError):
    """A typed text that cannot be stored (a lone surrogate); the web answers 400."""


def typed(value: object, *, multiline: bool = False) -> str:
    """Text a person typed, as it is stored: the one cleaning at the engine's door
    (facilitator.text.clean_text); a text that cannot be stored raises TextRefused."""
    try:
        return clean_text(value, multiline=multiline)
    except BadText as exc:
        raise TextRefused(str(exc)) from None


class VoteRefused(EngineError):
    """A phone's mark or choice was refused; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Event:
    """What happened. ``kind`` is one of: opened, clock, phase, turn, phase_end,
    flipover_added, flipover_edited, flipover_deleted, phones."""

    kind: str
    version: int
    at: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """An event with the meeting's state as of that event, serialised once."""

    event: Event
    state: dict[str, Any]
    json: str


class Subscription:
    """A subscriber's latest-state slot. ``await get()`` returns the newest snapshot."""

    def __init__(self, engine: MeetingEngine):
        self._engine = engine
        self._latest: Snapshot | None = None
        self._ready = asyncio.Event()
        self.closed = False

    def offer(self, snapshot: Snapshot) -> None:
        self._latest = snapshot
        self._ready.set()

    def take(self) -> Snapshot | None:
        """The newest snapshot not yet taken, without waiting."""
        snapshot, self._latest = self._latest, None
        self._ready.clear()
        return snapshot

    async def get(self) -> Snapshot | None:
        """Wait for the next snapshot; None once the subscription is closed."""
        while True:
            await self._ready.wait()
            if self.closed:
                return None
            snapshot = self.take()
            if snapshot is not None:
                return snapshot

    def close(self) -> None:
        self.closed = True
        self._engine.unsubscribe(self)
        self._ready.set()


def grouping_for(phase: Phase) -> str:
    """The interview is done in threes; everything after in groups of four (or per wish)."""
    return "interview" if phase.kind == "interview" else "fours"


def default_flipover_kind(phase: Phase) -> str:
    if phase.kind == "interview":
        return "strength"
    if phase.kind == "flipover":
        return phase.flipover_kind
    return "wish"


class MeetingEngine:
    def __init__(
        self,
        store: Store,
        meeting_id: int,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.now = clock
        self._monotonic = monotonic
        meeting = store.get_meeting(meeting_id)
        if meeting is None:
            raise MeetingNotFound(f"mødet {meeting_id} findes ikke")
        self._meeting: Meeting = meeting
        try:
            self.agenda: Agenda = parse_agenda(meeting.agenda_toml, meeting.agenda_name)
        except AgendaError as exc:
            raise EngineError(f"mødets dagsorden kan ikke læses: {exc.problems[0]}") from None
        runs = {run.phase_index: run for run in store.phase_runs(meeting_id)}
        # Vote phases whose phone marks have closed (issue 7): stored in PhaseRun.vote_closed.
        self._closed_votes: set[int] = {i for i, run in runs.items() if run.vote_closed}
        # Fremlæggelse's turns, fixed by name when the phase started (PhaseRun.turn_names).
        self._turn_names: dict[int, list[str]] = {}
        for i, run in runs.items():
            names = _stored_names(run.turn_names)
            if names is not None:
                self._turn_names[i] = names
        self._planned_names: dict[int, list[str] | None] = {}
        self.clocks: list[PhaseClock] = []
        for index, phase in enumerate(self.agenda.phases):
            turns = phase.turn_count(meeting.groups)
            run = runs.get(index)
            if run is None:
                self.clocks.append(self._fresh_clock(phase))
                continue
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
                )
            )
        self.index = min(max(0, meeting.current_phase), len(self.agenda.phases) - 1)
        self.phones = 0
        self._version = 0
        self._subscribers: list[Subscription] = []
        self._listeners: list[Callable[[Snapshot], None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._heartbeat: asyncio.TimerHandle | None = None
        self._lease_pid: int | None = None
        self._flip_cache: list[FlipoverRow] | None = None
        self._theme_cache: list[ThemeRow] | None = None
        self._board_version = 0
        self._replan(loading=True)  # the fremlæggelse's turns, before any turn is read
        self._announced = self._timing_marker(self.now())
        self._latest = self._snapshot(Event("opened", 0, self.now()))
        self._tokens = (meeting.assistant_token, meeting.control_token)
        self._tokens_read = monotonic()

    # ------------------------------------------------------------------ identity
    @property
    def meeting_id(self) -> int:
        return self._meeting.id

    @property
    def title(self) -> str:
        return self._meeting.title

    @property
    def code(self) -> str:
        return self._meeting.code

    @property
    def assistant_token(self) -> str:
        return self._current_tokens()[0]

    @property
    def control_token(self) -> str:
        return self._current_tokens()[1]

    def _current_tokens(self) -> tuple[str, str]:
        """The tokens as stored, re-read at most once a second, so `links --rotate` from
        another process shuts the old links out of a running server within two seconds.
        A storage fault keeps the last tokens known."""
        now = self._monotonic()
        if now - self._tokens_read >= TOKEN_REFRESH_S or now < self._tokens_read:
            self._tokens_read = now
            try:
                tokens = self.store.meeting_tokens(self.meeting_id)
            except StorageError:
                tokens = None
            if tokens is not None:
                self._tokens = tokens
        return self._tokens

    @property
    def device_secret(self) -> str:
        """The key the web signs this meeting's anonymous device ids with."""
        return self._meeting.device_secret

    @property
    def groups(self) -> int:
        return self._meeting.groups

    @property
    def participants(self) -> int:
        return self._meeting.participants

    @property
    def created_at(self) -> datetime:
        return self._meeting.created_at

    @property
    def phase(self) -> Phase:
        return self.agenda.phases[self.index]

    @property
    def clock(self) -> PhaseClock:
        return self.clocks[self.index]

    @property
    def phase_count(self) -> int:
        return len(self.agenda.phases)

    def _fresh_clock(self, phase: Phase) -> PhaseClock:
        turns = phase.turn_count(self._meeting.groups)
        return PhaseClock(
            duration_s=float(phase.seconds),
            turn_seconds=phase.turn_seconds if turns else 0,
            turn_count=turns,
        )

    # ------------------------------------------------------------------ lease
    def acquire(
        self,
        where: str = "",
        *,
        wait: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Take the meeting for this process (raises MeetingBusy) and keep it alive.

        When a live process on this machine holds it (the previous run, still closing
        after its terminal was shut), poll the lease for up to ``wait`` seconds before
        giving up; ``on_wait(where)`` is called once when the waiting begins. A holder on
        another machine is not waited for. This blocks: call it before the loop runs.
        """
        pid = os.getpid()
        label = where or f"pid {pid} på {socket.gethostname()}"
        deadline: float | None = None
        while True:
            try:
                self.store.acquire_lease(self.meeting_id, pid, label, self.now())
                break
            except LeaseHeld as exc:
                busy = MeetingBusy(f"mødet {self.meeting_id} kører allerede ({exc.where})")
                if wait <= 0 or not exc.local:
                    raise busy from None
                now = monotonic()
                if deadline is None:
                    deadline = now + wait
                    if on_wait is not None:
                        on_wait(exc.where)
                elif now >= deadline:
                    raise busy from None
                sleep(max(0.0, min(LEASE_POLL_S, deadline - now)))
        self._lease_pid = pid
        self._schedule_heartbeat()

    def release(self) -> None:
        """Give the meeting up and stop every timer. Safe to call twice."""
        self.stop_timers()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        if self._lease_pid is not None:
            try:
                self.store.release_lease(self.meeting_id, self._lease_pid)
            except StorageError:
                pass  # the lease goes stale on its own
            self._lease_pid = None
        for sub in list(self._subscribers):
            sub.close()

    def _schedule_heartbeat(self) -> None:
        loop = _running_loop()
        if loop is None or self._lease_pid is None:
            return

        def beat() -> None:
            try:
                self.store.heartbeat(self.meeting_id, self._lease_pid, self.now())
            except StorageError:
                pass
            self._schedule_heartbeat()

        self._heartbeat = loop.call_later(HEARTBEAT_S, beat)

    # ------------------------------------------------------------------ fan-out
    def subscribe(self) -> Subscription:
        """A new subscriber; it gets the current state at once."""
        sub = Subscription(self)
        self._subscribers.append(sub)
        sub.offer(self._latest)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    def add_listener(self, callback: Callable[[Snapshot], None]) -> None:
        """A synchronous listener (the TUI posts a message from it)."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[Snapshot], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    @property
    def latest(self) -> Snapshot:
        return self._latest

    def _publish(self, kind: str, **data: Any) -> Snapshot:
        if kind in REPLAN_EVENTS:
            self._replan()
        self._version += 1
        if kind in BOARD_EVENTS:
            self._board_version += 1
        snapshot = self._snapshot(Event(kind, self._version, self.now(), data))
        self._latest = snapshot
        for sub in list(self._subscribers):
            sub.offer(snapshot)
        for listener in list(self._listeners):
            listener(snapshot)
        return snapshot

    def _snapshot(self, event: Event) -> Snapshot:
        state = self.state(event.at)
        return Snapshot(event, state, json.dumps(state, ensure_ascii=False))

    # ------------------------------------------------------------------ state
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
        left = sum(c.remaining(now) for c in self.clocks[self.index :])
        return now + left

    def state(self, now: float | None = None) -> dict[str, Any]:
        """The /api/state document."""
        now = self.now() if now is None else now
        clock = self.clock
        phase = self.phase
        turn = clock.turn(now)
        return {
            "meeting": {
                "id": str(self.meeting_id),
                "title": self.title,
                "code": self.code,
                "elapsed_s": round(self.meeting_elapsed(now), 1),
                "planned_s": round(self.meeting_planned(), 1),
                "phones": self.phones,
            },
            "phase": {
                "index": self.index,
                "count": self.phase_count,
                "kind": phase.kind,
                "title": phase.title,
                "text": phase.text,
                "questions": list(phase.questions),
                "started": clock.started,
                "paused": clock.paused,
                "remaining_s": round(clock.remaining(now), 1),
                "overrun_s": round(clock.overrun(now), 1),
                "duration_s": round(clock.duration_s, 1),
            },
            "turn": None
            if turn is None
            else {
                "index": turn.index,
                "count": turn.count,
                "remaining_s": round(turn.remaining_s, 1),
                "label": self.turn_label(turn),
            },
            "board": self._board_state(now),
        }

    def _board_state(self, now: float) -> dict[str, Any]:
        """What the phones need to know about the flip-overs: a version to refetch on,
        and the vote or choose phase's rules and progress."""
        board: dict[str, Any] = {"version": self._board_version, "vote": None, "choose": None}
        phase = self.phase
        if phase.kind == "vote":
            cast, devices = self.vote_progress()
            board["vote"] = {
                "marks": phase.marks,
                "cap": phase.cap_per_card,
                "reveal": phase.reveal,
                "visible": self.marks_visible(now),
                "closed": self.vote_closed(now=now),
                "cast": cast,
                "voters": devices,
            }
        elif phase.kind == "choose":
            board["choose"] = {
                "options": [
                    {"key": item.key, "title": item.title, "count": count}
                    for item, count in self.choice_counts()
                ]
            }
        return board

    # ------------------------------------------------------------------ clock commands
    def _save_clock(self, index: int, *, current: bool = False) -> None:
        clock = self.clocks[index]
        self.store.save_clock(
            self.meeting_id,
            index,
            duration_s=clock.duration_s,
            elapsed_s=clock.elapsed_s,
            running_since=clock.running_since,
            started=clock.started,
            turn_extra=clock.turn_extra_s,
            current_phase=self.index if current else None,
        )

    def _set_clock(self, new: PhaseClock, kind: str, **data: Any) -> Snapshot:
        old = self.clocks[self.index]
        self.clocks[self.index] = new
        try:
            self._save_clock(self.index)
        except StorageError:
            self.clocks[self.index] = old
            raise
        self._announced = self._timing_marker(self.now())
        self._reschedule()
        return self._publish(kind, **data)

    def start(self) -> Snapshot:
        """Start or resume the current phase's clock. A fremlæggelse's first start fixes
        its turns (one per group the room formed) and stores them."""
        self._fix_turns()
        return self._set_clock(self.clock.start(self.now()), "clock", action="start")

    def pause(self) -> Snapshot:
        return self._set_clock(self.clock.pause(self.now()), "clock", action="pause")

    def toggle(self) -> Snapshot:
        return self.pause() if self.clock.running else self.start()

    def extend(self, minutes: float) -> Snapshot:
        if not 0 < minutes <= 120:
            raise EngineError("forlæng med mellem 1 og 120 minutter")
        self._settle_vote(self.now())  # a vote whose time is up stays closed when extended
        new = self.clock.extend(minutes * 60, self.now())
        return self._set_clock(new, "clock", action="extend", minutes=minutes)

    def goto(self, index: int) -> Snapshot:
        """Leave the current phase (paused, with its time kept) and show phase ``index``.

        The phase entered is shown as it was left: not started with its full time, or
        paused with the time it had left. Nothing starts by itself.
        """
        if not 0 <= index < self.phase_count:
            raise EngineError(f"fase {index + 1} findes ikke (1–{self.phase_count})")
        if index == self.index:
            return self._latest
        self._close_vote_on_leaving(index)  # issue 7: the room moves on, the marks close
        now = self.now()
        old_index, old_clock = self.index, self.clock
        self.clocks[old_index] = old_clock.pause(now)
        self.index = index
        try:
            self._save_clock(old_index, current=True)
        except StorageError:
            self.index = old_index
            self.clocks[old_index] = old_clock
            raise
        self._announced = self._timing_marker(now)
        self._reschedule()
        return self._publish("phase", index=index, previous=old_index)

    def next_phase(self) -> Snapshot:
        if self.index + 1 >= self.phase_count:
            raise EngineError("det er sidste fase")
        return self.goto(self.index + 1)

    def previous_phase(self) -> Snapshot:
        if self.index == 0:
            raise EngineError("det er første fase")
        return self.goto(self.index - 1)

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
        groups are now. None: the turns come from the group setting (no "brænder for"
        before it, nobody chose anything, or it was started before turns had names)."""
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
        minutes grows to hold them (extensions kept), so the expected end follows."""
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
            if new == clock:
                continue
            self.clocks[index] = new
            if not loading:
                try:
                    self._save_clock(index)
                except StorageError:
                    pass  # the plan is redone from the choices on the next start

    def _fix_turns(self) -> None:
        """On a fremlæggelse's first start: fix its turns as planned now, and store them."""
        index = self.index
        if (
            self.phase.kind != "present"
            or self.clock.started
            or index in self._turn_names
            or self._choose_before(index) is None
        ):
            return
        self._replan()
        names = self._planned_names.get(index) or []
        self.store.set_turn_names(self.meeting_id, index, names)
        self._turn_names[index] = names

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
    def _timing_marker(self, now: float) -> tuple[int, int | None, bool]:
        clock = self.clock
        turn = clock.turn(now) if clock.started else None
        return (self.index, None if turn is None else turn.index, clock.is_over(now))

    def check_timers(self) -> Snapshot | None:
        """Publish a turn change or phase end that is due. The loop's timer calls this;
        tests call it after moving their fake clock."""
        now = self.now()
        marker = self._timing_marker(now)
        previous = self._announced
        self._announced = marker
        result = None
        if marker[0] == previous[0] and self.clock.started:
            if marker[2] and not previous[2]:
                closed = self._settle_vote(now)  # a vote's marks close with its time
                extra = {"vote_closed": True} if closed else {}
                result = self._publish("phase_end", index=self.index, **extra)
            elif marker[1] != previous[1]:
                turn = self.clock.turn(now)
                label = self.turn_label(turn) if turn else "Tid til opsamling"
                result = self._publish(
                    "turn", index=marker[1], count=self.clock.turn_count, label=label
                )
        self._reschedule()
        return result

    def _reschedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        loop = _running_loop()
        if loop is None:
            return
        boundary = self.clock.next_boundary(self.now())
        if boundary is None:
            return
        delay = max(0.0, boundary - self.now()) + 0.01
        self._timer = loop.call_later(delay, self.check_timers)

    def start_timers(self) -> None:
        """Call once the loop runs (the app's on_mount, or serve): the phase and turn
        timers, and the lease's heartbeat if the lease was taken before the loop ran."""
        self._reschedule()
        if self._heartbeat is None:
            self._schedule_heartbeat()

    def stop_timers(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ------------------------------------------------------------------ phones
    def set_phones(self, count: int) -> None:
        if count != self.phones:
            self.phones = count
            self._publish("phones", phones=count)

    # ------------------------------------------------------------------ flip-overs
    def current_grouping(self) -> str:
        """The grouping the room is in now: threes for the interview, one group per
        chosen wish after a "brænder for" phase, else groups of four."""
        if self.phase.kind == "interview":
            return "interview"
        if any(p.kind == "choose" for p in self.agenda.phases[: self.index]):
            return "wishes"
        return "fours"

    def group_count(self, grouping: str | None = None) -> int:
        """How many groups the room has in a grouping (at least 1)."""
        grouping = grouping or self.current_grouping()
        groups, people = self._meeting.groups, self._meeting.participants
        if grouping == "wishes":
            return max(1, len(self.group_labels(grouping) or ()))
        if grouping == "interview":
            if people:
                return max(1, math.ceil(people / 3))
            return max(1, groups)
        if groups:
            return groups
        return max(1, math.ceil(people / 4)) if people else 1

    def flipovers(self, include_confidential: bool = False) -> list[FlipoverRow]:
        if include_confidential:
            return self.store.flipovers(self.meeting_id, include_confidential=True)
        if self._flip_cache is None:
            self._flip_cache = self.store.flipovers(self.meeting_id)
        return self._flip_cache

    def flipover_counts(self, grouping: str | None = None) -> dict[int, int]:
        """Group number → flip-overs that group has in the grouping (default: the phase's)."""
        grouping = grouping or self.current_grouping()
        counts = {n: 0 for n in range(1, self.group_count(grouping) + 1)}
        for flip in self.flipovers():
            if flip.grouping == grouping:
                counts[flip.group] = counts.get(flip.group, 0) + 1
        return counts

    def _clean_flipover(
        self, group: int, heading: str, proposals: Sequence[str], kind: str | None
    ) -> tuple[str, list[str], str]:
        heading = typed(heading)
        if not heading:
            raise EngineError("Overskriften mangler – skriv den, før du gemmer.")
        if len(heading) > MAX_HEADING:
            raise EngineError(f"Overskriften er for lang (højst {MAX_HEADING} tegn).")
        if not isinstance(group, int) or not 1 <= group <= MAX_GROUP:
            raise EngineError(f"Gruppen skal være et nummer fra 1 til {MAX_GROUP}.")
        lines = [typed(p) for p in proposals]
        lines = [p for p in lines if p]
        limit = max(self.phase.max_proposals, 1) if self.phase.kind == "flipover" else MAX_PROPOSALS
        if len(lines) > limit:
            raise EngineError(f"Højst {limit} forslag under en overskrift i denne fase.")
        if any(len(p) > MAX_PROPOSAL for p in lines):
            raise EngineError(f"Et forslag er for langt (højst {MAX_PROPOSAL} tegn).")
        kind = kind or default_flipover_kind(self.phase)
        if kind not in ("wish", "strength"):
            raise EngineError("Ukendt slags flip-over.")
        return heading, lines, kind

    def add_flipover(
        self,
        group: int,
        heading: str,
        proposals: Sequence[str] = (),
        *,
        kind: str | None = None,
        key: str | None = None,
    ) -> FlipoverRow:
        """Record a group's flip-over; it is committed before this returns.

        ``key``: the submission's idempotency key, stored in the same transaction."""
        heading, lines, kind = self._clean_flipover(group, heading, proposals, kind)
        grouping = "interview" if kind == "strength" else self.current_grouping()
        flip_id = self.store.add_flipover(
            self.meeting_id,
            phase_index=self.index,
            grouping=grouping,
            group=group,
            kind=kind,
            heading=heading,
            proposals=lines,
            idem=(key, "flipover_add") if key else None,
        )
        self._flip_cache = None
        row = FlipoverRow(
            flip_id, self.index, group, grouping, kind, heading, tuple(lines), False, 0
        )
        self._publish("flipover_added", id=flip_id, group=group)
        return row

    def edit_flipover(
        self,
        flipover_id: int,
        group: int,
        heading: str,
        proposals: Sequence[str] = (),
        *,
        kind: str | None = None,
        key: str | None = None,
    ) -> FlipoverRow:
        current = self._find_flipover(flipover_id)
        heading, lines, kind = self._clean_flipover(group, heading, proposals, kind or current.kind)
        grouping = "interview" if kind == "strength" else current.grouping
        if grouping == "interview" and kind == "wish":
            grouping = "fours"
        self.store.edit_flipover(
            self.meeting_id,
            flipover_id,
            grouping=grouping,
            group=group,
            kind=kind,
            heading=heading,
            proposals=lines,
            idem=(key, "flipover_edit") if key else None,
        )
        self._flip_cache = None
        self._publish("flipover_edited", id=flipover_id, group=group)
        return self._find_flipover(flipover_id)

    def delete_flipover(self, flipover_id: int) -> None:
        self._find_flipover(flipover_id)
        self.store.delete_flipover(self.meeting_id, flipover_id)
        self._flip_cache = None
        self._publish("flipover_deleted", id=flipover_id)

    def _find_flipover(self, flipover_id: int) -> FlipoverRow:
        for flip in self.flipovers(include_confidential=True):
            if flip.id == flipover_id:
                return flip
        raise EngineError(f"flip-over {flipover_id} findes ikke")

    # ------------------------------------------------------------------ marks
    @property
    def voting(self) -> bool:
        """Phones may spend marks while the current phase is a vote phase not yet closed."""
        return self.phase.kind == "vote" and not self.vote_closed()

    def marks_visible(self, now: float | None = None) -> bool:
        """Totals are hidden during a vote with reveal = "end" until the vote has closed."""
        if self.phase.kind != "vote" or self.phase.reveal == "live":
            return True
        if any(c.started for c in self.clocks[self.index + 1 :]):
            return True  # the room has moved on: the vote is over, even if we look back
        return self.vote_closed(now=now)

    # Issue 7: a vote ends, and then nothing moves. A vote phase's phone marks close when
    # its time is up, when the mødeleder reveals the result, or when the room moves on to
    # a later phase; the closed state is stored (PhaseRun.vote_closed). Hand marks stay
    # allowed. Only reopen_vote() opens a closed vote again.
    def vote_closed(self, index: int | None = None, *, now: float | None = None) -> bool:
        """Whether the vote phase ``index`` (default: the current phase) has closed."""
        index = self.index if index is None else index
        if not 0 <= index < self.phase_count or self.agenda.phases[index].kind != "vote":
            return False
        if index in self._closed_votes:
            return True
        # Time up closes it even before the phase-end timer has fired (or after a restart).
        return self.clocks[index].is_over(self.now() if now is None else now)

    def _store_vote_closed(self, index: int, closed: bool) -> None:
        self.store.set_vote_closed(self.meeting_id, index, closed)
        if closed:
            self._closed_votes.add(index)
        else:
            self._closed_votes.discard(index)

    def _settle_vote(self, now: float) -> bool:
        """Store the current vote phase as closed when its time is up; True if it was
        closed just now."""
        index = self.index
        if self.phase.kind != "vote" or index in self._closed_votes:
            return False
        if not self.clock.is_over(now):
            return False
        self._store_vote_closed(index, True)
        return True

    def _close_vote_on_leaving(self, index: int) -> None:
        """Going on to a later phase closes the vote being left, if it was held (started
        or marked in); stepping back (to the galleri, say) does not."""
        old = self.index
        if index <= old or self.phase.kind != "vote" or old in self._closed_votes:
            return
        if self.clock.started or self.vote_progress()[0] > 0:
            self._store_vote_closed(old, True)

    def reveal_now(self) -> None:
        """The mødeleder ends the current vote now: phones' marks close and the totals show.
        The phase's clock goes on. Harmless on a vote already closed."""
        if self.phase.kind != "vote":
            raise EngineError("Der er ingen afstemning i denne fase.")
        if self.index in self._closed_votes:
            return
        self._store_vote_closed(self.index, True)
        self._flip_cache = None
        self._publish("vote_closed", index=self.index, action="reveal")

    def reopen_vote(self) -> None:
        """Open a closed vote again (a deliberate act: the TUI asks first). When its time
        is up, it gets REOPEN_S more, so it is actually open."""
        if self.phase.kind != "vote":
            raise EngineError("Der er ingen afstemning i denne fase.")
        now = self.now()
        if not self.vote_closed(now=now):
            raise EngineError("Afstemningen er ikke slut – den er åben.")
        self._store_vote_closed(self.index, False)
        self._flip_cache = None
        if self.clock.is_over(now):
            self._set_clock(
                self.clock.extend(REOPEN_S, now), "vote_opened", index=self.index, extended=True
            )
            return
        self._publish("vote_opened", index=self.index)

    def _votable(self, flipover_id: int) -> FlipoverRow:
        for flip in self.flipovers():
            if flip.id == flipover_id:
                if flip.kind != "wish":
                    raise VoteRefused("Der stemmes kun på ønsker.", 409)
                return flip
        raise VoteRefused("Den flip-over findes ikke (længere).", 404)

    def device_marks(self, device_id: str) -> tuple[dict[int, int], int]:
        """(flip-over id → this device's marks in the vote phase, marks it has left).

        A closed vote still shows the phone its own marks."""
        if self.phase.kind != "vote":
            return {}, 0
        mine = self.store.device_votes(self.meeting_id, device_id, self.index)
        return mine, max(0, self.phase.marks - sum(mine.values()))

    def idempotent(self, key: str) -> tuple[str, str] | None:
        """(scope, result) of the write stored with this idempotency key, if any."""
        return self.store.idempotent(self.meeting_id, key)

    def _refuse_unless_voting(self) -> None:
        if self.phase.kind != "vote":
            raise VoteRefused("Der stemmes ikke lige nu.", 409)
        if self.vote_closed():
            raise VoteRefused("Afstemningen er slut.", 409)

    def vote(
        self, device_id: str, flipover_id: int, *, key: str | None = None
    ) -> tuple[dict[int, int], int]:
        """One mark from a phone. The budget and the per-card cap are enforced here."""
        if not device_id:
            raise VoteRefused("Telefonen mangler sin anonyme nøgle – genindlæs siden.", 400)
        self._refuse_unless_voting()
        self._votable(flipover_id)
        refused = self.store.add_vote(
            self.meeting_id,
            flipover_id,
            device_id,
            self.index,
            budget=self.phase.marks,
            cap=self.phase.cap_per_card,
            idem=(key, "vote") if key else None,
        )
        if refused == "spent":
            raise VoteRefused(f"Du har brugt alle dine {self.phase.marks} markeringer.", 409)
        if refused == "cap":
            raise VoteRefused(f"Højst {self.phase.cap_per_card} markeringer på samme ønske.", 409)
        self._flip_cache = None
        self._publish("vote", id=flipover_id)
        return self.device_marks(device_id)

    def unvote(
        self, device_id: str, flipover_id: int, *, key: str | None = None
    ) -> tuple[dict[int, int], int]:
        self._refuse_unless_voting()
        idem = (key, "unvote") if key else None
        if not self.store.remove_vote(self.meeting_id, flipover_id, device_id, self.index, idem):
            raise VoteRefused("Du har ingen markering på det ønske.", 409)
        self._flip_cache = None
        self._publish("vote", id=flipover_id)
        return self.device_marks(device_id)

    def hand_mark(self, flipover_id: int, delta: int = 1) -> FlipoverRow:
        """Marks counted by hand (paper dots): +1 or -1 on a card, in any phase."""
        self._votable(flipover_id)
        if delta > 0:
            self.store.add_vote(self.meeting_id, flipover_id, "", self.index)
        elif not self.store.remove_vote(self.meeting_id, flipover_id, ""):
            raise EngineError("Der er ingen håndtalte markeringer at fjerne på den.")
        self._flip_cache = None
        self._publish("vote", id=flipover_id, hand=delta)
        return self._find_flipover(flipover_id)

    def hand_marks(self, flipover_id: int) -> int:
        """The card's hand-counted marks (device ""), over every phase."""
        return sum(
            self.store.device_votes(self.meeting_id, "", index).get(flipover_id, 0)
            for index in range(self.phase_count)
        )

    def set_hand_marks(self, flipover_id: int, count: int) -> FlipoverRow:
        """A paper tally typed as a number: the card's hand-counted marks become ``count``
        (the difference is added or taken back), told as one event."""
        self._votable(flipover_id)
        if not isinstance(count, int) or not 0 <= count <= 999:
            raise EngineError("Antallet skal være et tal fra 0 til 999.")
        delta = count - self.hand_marks(flipover_id)
        for _ in range(delta):
            self.store.add_vote(self.meeting_id, flipover_id, "", self.index)
        for _ in range(-delta):
            if not self.store.remove_vote(self.meeting_id, flipover_id, ""):
                break
        if delta:
            self._flip_cache = None
            self._publish("vote", id=flipover_id, hand=delta)
        return self._find_flipover(flipover_id)

    def vote_progress(self) -> tuple[int, int]:
        """(marks cast from phones in this vote phase, phones that voted)."""
        return self.store.vote_totals(self.meeting_id, self.index)

    # ------------------------------------------------------------------ ranking, themes
    def themes(self) -> list[ThemeRow]:
        if self._theme_cache is None:
            self._theme_cache = self.store.themes(self.meeting_id)
        return self._theme_cache

    def ranking(self) -> list[RankItem]:
        """The open wishes by marks, a theme counting as one with its marks summed.

        Ties share a rank and are flagged, so the projector can say "delt 2. plads".
        """
        themes = {t.id: t for t in self.themes()}
        members: dict[int, list[FlipoverRow]] = {}
        items: list[RankItem] = []
        for flip in self.flipovers():
            if flip.kind != "wish":
                continue
            if flip.theme_id in themes:
                members.setdefault(flip.theme_id, []).append(flip)
                continue
            items.append(
                RankItem(f"f{flip.id}", flip.heading, flip.marks, 0, False, (flip,), flip.priority)
            )
        for theme_id, flips in members.items():
            theme = themes[theme_id]
            marks = sum(f.marks for f in flips)
            items.append(
                RankItem(f"t{theme_id}", theme.name, marks, 0, False, tuple(flips), theme.priority)
            )
        items.sort(key=lambda i: (-i.marks, min(f.id for f in i.flipovers)))
        ranked: list[RankItem] = []
        for item in items:
            rank = next((r.rank for r in ranked if r.marks == item.marks), len(ranked) + 1)
            tied = sum(1 for other in items if other.marks == item.marks) > 1
            ranked.append(replace(item, rank=rank, tied=tied))
        return ranked

    def prioritised(self) -> list[RankItem]:
        return sorted((i for i in self.ranking() if i.priority), key=lambda i: i.priority)

    def set_priorities(self, keys: Sequence[str]) -> None:
        """The prioritised wishes, in order (keys from ranking(): "f12", "t3")."""
        known = {i.key for i in self.ranking()}
        options = []
        for key in keys:
            if key not in known:
                raise EngineError("Det ønske findes ikke (længere).")
            options.append((key[0], int(key[1:])))
        self.store.set_priorities(self.meeting_id, options)
        self._invalidate()
        self._publish("priority", keys=list(keys))

    def toggle_priority(self, key: str) -> bool:
        """Mark or unmark one wish as prioritised; returns whether it now is."""
        current = [i.key for i in self.prioritised()]
        if key in current:
            current.remove(key)
            self.set_priorities(current)
            return False
        self.set_priorities([*current, key])
        return True

    def create_theme(self, name: str, flipover_ids: Sequence[int]) -> int:
        name = typed(name)
        if not name:
            raise EngineError("Temaet skal have et navn.")
        if len(name) > MAX_HEADING:
            raise EngineError(f"Navnet er for langt (højst {MAX_HEADING} tegn).")
        wishes = {f.id for f in self.flipovers() if f.kind == "wish"}
        ids = list(dict.fromkeys(flipover_ids))
        if len(ids) < 2 or not set(ids) <= wishes:
            raise EngineError("Vælg mindst to ønsker til temaet.")
        theme_id = self.store.create_theme(self.meeting_id, name, ids)
        self._invalidate()
        self._publish("theme", id=theme_id, action="create")
        return theme_id

    def rename_theme(self, theme_id: int, name: str) -> None:
        name = typed(name)
        if not name:
            raise EngineError("Temaet skal have et navn.")
        if len(name) > MAX_HEADING:
            raise EngineError(f"Navnet er for langt (højst {MAX_HEADING} tegn).")
        if not self.store.rename_theme(self.meeting_id, theme_id, name):
            raise EngineError("Det tema findes ikke.")
        self._invalidate()
        self._publish("theme", id=theme_id, action="rename")

    def split_theme(self, theme_id: int) -> None:
        if not self.store.split_theme(self.meeting_id, theme_id):
            raise EngineError("Det tema findes ikke.")
        self._invalidate()
        self._publish("theme", id=theme_id, action="split")

    def _invalidate(self) -> None:
        self._flip_cache = None
        self._theme_cache = None

    # ------------------------------------------------------------------ brænder for
    def choice_options(self, choose_at: int | None = None) -> list[RankItem]:
        """What the room chooses between: the prioritised wishes; if none were marked,
        the wishes written in the last flip-over phase before here (2. dialogmøde: each
        group's one chosen wish). ``choose_at``: that choose phase (default: the one that
        counts now)."""
        chosen = self.prioritised()
        if chosen:
            return chosen
        if choose_at is None:
            choose_at = self._choose_phase()  # the options are those the choose phase had
        flip_phases = [
            i for i, p in enumerate(self.agenda.phases[:choose_at]) if p.kind == "flipover"
        ]
        if not flip_phases:
            return []
        last = flip_phases[-1]
        return [i for i in self.ranking() if any(f.phase_index == last for f in i.flipovers)]

    def _choose_phase(self) -> int:
        """The choose phase that counts: the current one, else the latest before it."""
        for index in range(self.index, -1, -1):
            if self.agenda.phases[index].kind == "choose":
                return index
        return self.index

    def choose(self, device_id: str, key: str | None, *, idem_key: str | None = None) -> None:
        """A phone's one "brænder for" pick (a new pick replaces the old; None clears)."""
        if not device_id:
            raise VoteRefused("Telefonen mangler sin anonyme nøgle – genindlæs siden.", 400)
        if self.phase.kind != "choose":
            raise VoteRefused("Der vælges ikke lige nu.", 409)
        option = None
        if key is not None:
            if key not in {o.key for o in self.choice_options()}:
                raise VoteRefused("Det ønske kan ikke vælges.", 404)
            option = (key[0], int(key[1:]))
        idem = (idem_key, "choice") if idem_key else None
        self.store.set_choice(self.meeting_id, self.index, device_id, option, idem)
        self._publish("choice", key=key)

    def hand_choice(self, key: str, delta: int = 1) -> None:
        """Choices entered by hand by the mødeleder (hands in the air)."""
        if key not in {o.key for o in self.choice_options()}:
            raise EngineError("Det ønske kan ikke vælges.")
        option = (key[0], int(key[1:]))
        phase = self._choose_phase()
        if delta > 0:
            self.store.add_hand_choice(self.meeting_id, phase, option)
        elif not self.store.remove_hand_choice(self.meeting_id, phase, option):
            raise EngineError("Der er ingen håndtalte valg at fjerne.")
        self._publish("choice", key=key, hand=delta)

    def choice_counts(self, choose_at: int | None = None) -> list[tuple[RankItem, int]]:
        """Each option with how many chose it: the new groups and their sizes."""
        if choose_at is None:
            choose_at = self._choose_phase()
        counts: dict[str, int] = {}
        for _device, (kind, oid) in self.store.choices(self.meeting_id, choose_at):
            counts[f"{kind}{oid}"] = counts.get(f"{kind}{oid}", 0) + 1
        return [(o, counts.get(o.key, 0)) for o in self.choice_options(choose_at)]

    def device_choice(self, device_id: str) -> str | None:
        for device, (kind, oid) in self.store.choices(self.meeting_id, self._choose_phase()):
            if device == device_id:
                return f"{kind}{oid}"
        return None

    # ------------------------------------------------------------------ photo, særskilt spor
    def set_photo(self, flipover_id: int, content_type: str, data: bytes) -> None:
        if content_type not in ("image/jpeg", "image/png", "image/webp"):
            raise EngineError("Billedet skal være JPEG, PNG eller WebP.")
        if not data or len(data) > MAX_PHOTO:
            raise EngineError(f"Billedet er for stort (højst {MAX_PHOTO // 1024} kB).")
        if not self.store.set_photo(self.meeting_id, flipover_id, content_type, data):
            raise EngineError(f"flip-over {flipover_id} findes ikke")
        self._flip_cache = None
        self._publish("photo", id=flipover_id)

    def photo(self, flipover_id: int) -> tuple[str, bytes] | None:
        return self.store.photo(self.meeting_id, flipover_id)

    def set_confidential(self, flipover_id: int, confidential: bool = True) -> None:
        """Særskilt spor: the flip-over leaves the open lists, the projector and the phones."""
        self._find_flipover(flipover_id)
        self.store.set_confidential(self.meeting_id, flipover_id, confidential)
        self._invalidate()
        self._publish("confidential", id=flipover_id, confidential=confidential)


@dataclass(frozen=True)
class RankItem:
    """One line of the prioritering: a lone wish ("f12") or a theme ("t3")."""

    key: str
    title: str
    marks: int
    rank: int
    tied: bool
    flipovers: tuple[FlipoverRow, ...]
    priority: int | None

    @property
    def groups(self) -> tuple[int, ...]:
        return tuple(sorted({f.group for f in self.flipovers}))

    @property
    def is_theme(self) -> bool:
        return self.key.startswith("t")


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


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def create_meeting(
    store: Store,
    agenda: Agenda,
    agenda_name: str,
    title: str,
    *,
    groups: int | None = 0,
    participants: int | None = 0,
) -> int:
    """Make a meeting from an agenda (snapshotting the agenda's TOML); returns its id.

    ``groups`` and ``participants`` of 0 or None mean "not given" (the groups are then
    worked out from the participants); given, they must lie within MEETING_LIMITS."""
    title = typed(title)
    if not title:
        raise EngineError("mødet skal have en titel")
    if len(title) > MAX_TITLE:
        raise EngineError(f"titlen er for lang (højst {MAX_TITLE} tegn)")
    problem = meeting_size_problem(groups or None, participants or None)
    if problem:
        raise EngineError(problem)
    groups, participants = groups or 0, participants or 0
    seconds = [(float(p.seconds), p.turn_count(groups)) for p in agenda.phases]
    meeting = store.create_meeting(
        title=title,
        agenda_name=agenda_name,
        agenda_toml=agenda.source,
        phase_seconds=seconds,
        groups=groups,
        participants=participants,
    )
    return meeting.id
