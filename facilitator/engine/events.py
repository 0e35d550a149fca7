"""What happened in a live meeting: one frozen dataclass per kind, all defined here.

Every command that changes the meeting publishes exactly one event after its write has
committed. An event carries what changed (ids, indexes, labels), never the state itself;
the state as of the event travels beside it in a :class:`Snapshot`.

Kinds, and who cares:

========================  ============================================================
``opened``                the engine was opened (the first snapshot)
``clock``                 a phase clock started, paused or was extended (``action``)
``phase``                 the room moved to another phase (``index``, ``previous``)
``turn``                  the next turn of a phase began (``index``, ``count``, ``label``)
``phase_end``             a phase's time ran out (``vote_closed`` if a vote closed with it)
``warning``               a running phase entered its wrap-up (``index``; ``seconds``: the
                          warning's length)
``display``               the board screen open on the TUI changed (``view``: "galleri",
                          "prioritering", "choose" or None)
``phones``                the number of connected phones changed (for the TUI only)
``flipover_added``        a flip-over was recorded (``id``, ``group``)
``flipover_edited``       a flip-over was changed (``id``, ``group``)
``flipover_deleted``      a flip-over was deleted (``id``)
``vote``                  marks changed on a card (``id``; ``hand`` for hand-counted)
``vote_closed``           the vote's phone marks closed early (the result is revealed)
``vote_opened``           a closed vote was opened again
``priority``              the prioritised wishes changed (``keys``)
``theme``                 a theme was made, renamed or split (``id``, ``action``)
``choice``                a "brænder for" choice changed (``key``; ``hand`` if by hand)
``photo``                 a flip-over got a photo (``id``)
``confidential``          a flip-over moved to or from særskilt spor (``id``)
``course``                the forløb's previous bruttoliste and help contacts were read
                          (``wishes``: how many open wishes the list has)
``bruttoliste_page``      the bruttoliste phase turned a page (``page``, ``pages``; 1-based)
========================  ============================================================

``BOARD_KINDS`` are the kinds after which the phones refetch the flip-overs; the web
coalesces them. ``PHONES`` events are not sent to the phones.

``turn``, ``phase_end`` and ``warning`` are the room's signals (``SIGNAL_KINDS``): each
also sets the state's ``signal`` ({seq, kind, text}) the pages flash and vibrate on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    """The base of every event: its ``kind`` (a class constant), the meeting's version
    number after it, and the engine clock's instant."""

    kind: ClassVar[str] = "event"
    version: int
    at: float

    @property
    def data(self) -> dict[str, Any]:
        """The kind's own fields as a dict (for logs and tests)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in BASE}


BASE = frozenset({"version", "at"})


@dataclass(frozen=True)
class Opened(Event):
    kind: ClassVar[str] = "opened"


@dataclass(frozen=True)
class ClockChanged(Event):
    kind: ClassVar[str] = "clock"
    action: str = "start"  # start, pause, extend
    minutes: float | None = None


@dataclass(frozen=True)
class PhaseChanged(Event):
    kind: ClassVar[str] = "phase"
    index: int = 0
    previous: int = 0


@dataclass(frozen=True)
class TurnChanged(Event):
    kind: ClassVar[str] = "turn"
    index: int | None = None
    count: int = 0
    label: str = ""


@dataclass(frozen=True)
class PhaseEnded(Event):
    kind: ClassVar[str] = "phase_end"
    index: int = 0
    vote_closed: bool = False


@dataclass(frozen=True)
class WarningStarted(Event):
    kind: ClassVar[str] = "warning"
    index: int = 0
    seconds: int = 0


@dataclass(frozen=True)
class DisplayChanged(Event):
    kind: ClassVar[str] = "display"
    view: str | None = None


@dataclass(frozen=True)
class PhonesChanged(Event):
    kind: ClassVar[str] = "phones"
    phones: int = 0


@dataclass(frozen=True)
class FlipoverAdded(Event):
    kind: ClassVar[str] = "flipover_added"
    id: int = 0
    group: int = 0


@dataclass(frozen=True)
class FlipoverEdited(Event):
    kind: ClassVar[str] = "flipover_edited"
    id: int = 0
    group: int = 0


@dataclass(frozen=True)
class FlipoverDeleted(Event):
    kind: ClassVar[str] = "flipover_deleted"
    id: int = 0


@dataclass(frozen=True)
class MarksChanged(Event):
    kind: ClassVar[str] = "vote"
    id: int = 0
    hand: int | None = None  # the change in hand-counted marks, when they changed


@dataclass(frozen=True)
class VoteClosed(Event):
    kind: ClassVar[str] = "vote_closed"
    index: int = 0
    action: str = "reveal"


@dataclass(frozen=True)
class VoteOpened(Event):
    kind: ClassVar[str] = "vote_opened"
    index: int = 0
    extended: bool = False


@dataclass(frozen=True)
class PrioritiesChanged(Event):
    kind: ClassVar[str] = "priority"
    keys: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ThemeChanged(Event):
    kind: ClassVar[str] = "theme"
    id: int = 0
    action: str = "create"  # create, rename, split


@dataclass(frozen=True)
class ChoiceChanged(Event):
    kind: ClassVar[str] = "choice"
    key: str | None = None
    hand: int | None = None


@dataclass(frozen=True)
class PhotoAdded(Event):
    kind: ClassVar[str] = "photo"
    id: int = 0


@dataclass(frozen=True)
class ConfidentialChanged(Event):
    kind: ClassVar[str] = "confidential"
    id: int = 0
    confidential: bool = True


@dataclass(frozen=True)
class CourseLoaded(Event):
    kind: ClassVar[str] = "course"
    wishes: int = 0


@dataclass(frozen=True)
class BruttolistePaged(Event):
    kind: ClassVar[str] = "bruttoliste_page"
    page: int = 1
    pages: int = 1


# The room's signals: each sets state["signal"].
SIGNAL_KINDS = frozenset(cls.kind for cls in (TurnChanged, PhaseEnded, WarningStarted))

# After these the phones refetch the flip-overs (state["board"]["version"] moves).
BOARD_KINDS = frozenset(
    cls.kind
    for cls in (
        FlipoverAdded,
        FlipoverEdited,
        FlipoverDeleted,
        MarksChanged,
        PrioritiesChanged,
        ThemeChanged,
        ChoiceChanged,
        PhotoAdded,
        ConfidentialChanged,
    )
)
# These may change the groups the room formed in "brænder for", and so a fremlæggelse's
# turns while they are not fixed yet.
REPLAN_KINDS = BOARD_KINDS - {PhotoAdded.kind}


@dataclass(frozen=True)
class Snapshot:
    """An event with the meeting's state as of that event, serialised once, and the
    board (flip-overs, marks, themes, ranking) as a frozen view to draw from."""

    event: Event
    state: dict[str, Any]
    json: str
    view: Any = None  # facilitator.engine.model.BoardView
