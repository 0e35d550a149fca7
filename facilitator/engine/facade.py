"""MeetingEngine: the one door every change to a live meeting passes through.

The engine is assembled from one class per concern, each in its own module:

- ``timeline``: phases, clocks, turns, and the timers (injected scheduler)
- ``flipovers``: the groups' flip-overs
- ``marks``: the phones' budget and cap, the vote's visibility and closing, hand marks
- ``themes``: themes and priorities (the order itself: ``ranking``, a pure function)
- ``choices``: "brænder for"
- ``photos``: photos and særskilt spor
- ``lease``: one live process per meeting
- ``course``: the forløb's previous bruttoliste and help contacts, read off the loop
- ``state``: the /api/state document
- ``core``: what they share: the read model (``model``), the writer thread (``writer``),
  the fan-out (``fanout``) and the events (``events``)

Commands are coroutines: each validates against the read model, hands its write to the
writer thread, and answers once the write has committed; then the read model changes and
one event is published. Reads (state, flip-overs, ranking, counts) come from memory.
"""

from __future__ import annotations

from facilitator.agenda import Agenda
from facilitator.engine.choices import Choices
from facilitator.engine.course import CourseView
from facilitator.engine.errors import EngineError, typed
from facilitator.engine.events import DisplayChanged, PhonesChanged
from facilitator.engine.flipovers import Flipovers
from facilitator.engine.lease import Lease
from facilitator.engine.marks import Marks
from facilitator.engine.photos import Photos
from facilitator.engine.state import State
from facilitator.engine.themes import Themes
from facilitator.engine.timeline import Timeline
from facilitator.meeting_size import meeting_size_problem
from storage.repo import Store

MAX_TITLE = 200
# The board screens the TUI may tell the wall about (state["display"]); None: none open.
# The board screens, and the blank and join screens: what the wall page shows as well.
DISPLAY_VIEWS = (None, "galleri", "prioritering", "choose", "blank", "join")


class MeetingEngine(Timeline, Flipovers, Marks, Themes, Choices, Photos, Lease, CourseView, State):
    """A live meeting. See the module's docstring for where each command lives."""

    def set_phones(self, count: int) -> None:
        """The number of phones connected (the TUI shows it; the phones are not told)."""
        if count != self.phones:
            self.phones = count
            self._publish(PhonesChanged, phones=count)

    def set_display(self, view: str | None) -> None:
        """The board screen open on the TUI now (the wall shows it too); publishes a
        ``display`` event only when it changes. ValueError for an unknown view."""
        if view not in DISPLAY_VIEWS:
            raise ValueError(f"unknown display view {view!r}; one of {DISPLAY_VIEWS}")
        if view != self._display:
            self._display = view
            self._publish(DisplayChanged, view=view)


def create_meeting(
    store: Store,
    agenda: Agenda,
    agenda_name: str,
    title: str,
    *,
    groups: int | None = 0,
    participants: int | None = 0,
    forloeb_id: int | None = None,
) -> int:
    """Make a meeting from an agenda (snapshotting the agenda's TOML); returns its id.
    ``forloeb_id``: the APV course it belongs to (None: a forløb of its own).

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
        forloeb_id=forloeb_id,
    )
    return meeting.id
