"""What every concern of the live meeting shares: the meeting's identity, the agenda, the
read model, the writer, the fan-out, and the one way a change is published."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar

from facilitator.agenda import Agenda, AgendaError, Phase, parse_agenda
from facilitator.engine.errors import EngineError, MeetingNotFound
from facilitator.engine.events import BOARD_KINDS, REPLAN_KINDS, Event, Opened, Snapshot
from facilitator.engine.fanout import FanOut, Listener, Subscription
from facilitator.engine.model import ReadModel
from facilitator.engine.writer import Writer
from storage.db import StorageError
from storage.live import load_live
from storage.models import Meeting
from storage.repo import Store

T = TypeVar("T")
TOKEN_REFRESH_S = 1.0  # how often the staff tokens are re-read (see `links --rotate`)
log = logging.getLogger(__name__)

# A scheduler runs a callback after a delay and returns something with cancel(): the
# loop's call_later by default; tests inject their own, so no test waits real seconds.
Scheduler = Callable[[float, Callable[[], None]], Any]


class EngineCore:
    """The state and plumbing the concern mixins (timeline, flip-overs, marks, …) share."""

    def __init__(
        self,
        store: Store,
        meeting_id: int,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.store = store
        self.now = clock
        self._monotonic = monotonic
        self._scheduler = scheduler
        meeting = store.get_meeting(meeting_id)
        if meeting is None:
            raise MeetingNotFound(f"mødet {meeting_id} findes ikke")
        self._meeting: Meeting = meeting
        try:
            self.agenda: Agenda = parse_agenda(meeting.agenda_toml, meeting.agenda_name)
        except AgendaError as exc:
            raise EngineError(f"mødets dagsorden kan ikke læses: {exc.problems[0]}") from None
        choose = [i for i, p in enumerate(self.agenda.phases) if p.kind == "choose"]
        self.model = ReadModel(load_live(store, meeting_id), choose[0] if choose else None)
        self.writer = Writer(store)
        self.phones = 0
        self._version = 0
        self._board_version = 0
        self._tasks: set[asyncio.Task] = set()
        self._control: asyncio.Lock | None = None
        self._tokens = (meeting.assistant_token, meeting.control_token)
        self._tokens_read = monotonic()
        self._course: Any = None  # facilitator.engine.course.CourseData, once read
        self._brutto_page = 1
        self._signal: dict[str, Any] | None = None  # the room's latest signal (state["signal"])
        self._display: str | None = None  # the board screen open on the TUI
        self._load_timeline(store.phase_runs(meeting_id))
        self._fanout = FanOut(self._snapshot(Opened(0, self.now())))

    def _load_timeline(self, runs: list) -> None:  # the timeline mixin's
        raise NotImplementedError

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
    def phase_count(self) -> int:
        return len(self.agenda.phases)

    # ------------------------------------------------------------------ signals
    @property
    def signal(self) -> dict[str, Any] | None:
        """The latest signal of this engine's life, as state["signal"]: {seq, kind, text,
        phase} (seq 1, 2, … per signal; phase: the index of the phase it belongs to, so a
        page that wakes up in a later phase does not replay it), or None before the
        first. A restarted engine starts with None: a signal is a moment, not something
        to replay."""
        return None if self._signal is None else dict(self._signal)

    def _set_signal(self, kind: str, text: str) -> None:
        """Record a turn change, phase end or wrap-up warning (just before its event)."""
        seq = 1 if self._signal is None else self._signal["seq"] + 1
        self._signal = {"seq": seq, "kind": kind, "text": text, "phase": self.index}

    @property
    def display(self) -> str | None:
        """The board screen open on the TUI ("galleri", "prioritering", "choose") or None."""
        return self._display

    # ------------------------------------------------------------------ fan-out
    def subscribe(self) -> Subscription:
        """A new subscriber; it gets the current state at once."""
        return self._fanout.subscribe()

    def unsubscribe(self, sub: Subscription) -> None:
        self._fanout.unsubscribe(sub)

    def add_listener(self, callback: Listener) -> None:
        """A synchronous listener (the TUI posts a message from it)."""
        self._fanout.add_listener(callback)

    def remove_listener(self, callback: Listener) -> None:
        self._fanout.remove_listener(callback)

    @property
    def latest(self) -> Snapshot:
        return self._fanout.latest

    def _publish(self, event_type: type[Event], **data: Any) -> Snapshot:
        """Tell everyone: one event, the state as of it, serialised once."""
        kind = event_type.kind
        if kind in REPLAN_KINDS:
            self._replan()
        self._version += 1
        if kind in BOARD_KINDS:
            self._board_version += 1
        snapshot = self._snapshot(event_type(self._version, self.now(), **data))
        self._fanout.publish(snapshot)
        return snapshot

    def _snapshot(self, event: Event) -> Snapshot:
        state = self.state(event.at)
        return Snapshot(event, state, json.dumps(state, ensure_ascii=False), self.model.view())

    def state(self, now: float | None = None) -> dict[str, Any]:
        raise NotImplementedError  # facilitator.engine.state

    def _replan(self, *, loading: bool = False) -> None:
        raise NotImplementedError  # the timeline's

    # ------------------------------------------------------------------ the forløb's
    def _entering(self, index: int) -> None:
        raise NotImplementedError  # facilitator.engine.course

    def _course_state(self) -> dict[str, Any]:
        raise NotImplementedError  # facilitator.engine.course

    async def load_course(self) -> Snapshot:
        raise NotImplementedError  # facilitator.engine.course

    # ------------------------------------------------------------------ writes
    async def _commit(
        self,
        work: Callable[[], T],
        apply: Callable[[T], Any] | None = None,
        *,
        urgent: bool = True,
    ) -> Any:
        """Run ``work`` on the writer thread; ``apply`` its result on the loop once it has
        committed (even if the caller is cancelled). Returns ``apply``'s value. The room's
        marks and picks are not ``urgent``: the mødeleder's commands go before them."""
        return await self.writer.submit(work, apply, urgent=urgent)

    @property
    def control(self) -> asyncio.Lock:
        """Serialises the commands that read the meeting's state to decide a write (the
        timeline, hand counts, themes): the second of two quick key presses decides on
        what the first one did. Phones' marks and picks do not wait for it."""
        if self._control is None:
            self._control = asyncio.Lock()
        return self._control

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a command from a timer callback; a refusal or a storage fault is logged
        (the next timer or key press tries again), never raised into the loop."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(task: asyncio.Task) -> None:
            self._tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                log.warning("timer command failed: %s", task.exception())

        task.add_done_callback(done)


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
