"""SQLModel tables. No participant names are stored anywhere; votes carry a random device id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint


def utcnow() -> datetime:
    return datetime.now(UTC)


class Forloeb(SQLModel, table=True):
    """One APV course at one workplace; a meeting made without one gets its own."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    workplace: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    forloeb_id: int = Field(foreign_key="forloeb.id", index=True)
    title: str
    agenda_name: str
    agenda_toml: str  # the agenda as it was when the meeting was made (snapshot)
    created_at: datetime = Field(default_factory=utcnow)
    groups: int = 0  # groups of 4 (0: not given)
    participants: int = 0  # 0: not given
    current_phase: int = 0
    code: str = Field(index=True)  # short code shown on the join screen
    assistant_token: str
    control_token: str
    # Signs the anonymous device ids the server issues to phones (HMAC); per meeting, so
    # an id from another meeting is simply not counted.
    device_secret: str = ""
    # The lease: one live process per meeting.
    lease_pid: int | None = None
    lease_host: str | None = None
    lease_where: str | None = None  # where it runs, for the message to a second process
    lease_heartbeat: float | None = None


class PhaseRun(SQLModel, table=True):
    """Clock state of one phase of one meeting (see facilitator.clock.PhaseClock)."""

    __table_args__ = (UniqueConstraint("meeting_id", "phase_index"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    phase_index: int
    duration_s: float
    elapsed_s: float = 0.0
    running_since: float | None = None  # epoch seconds
    started: bool = False
    turn_extra: str = ""  # comma-separated extra seconds per turn
    # A vote phase whose marks have closed (time up, revealed, or the room moved on):
    # phones may no longer mark or take back; reopening is a deliberate act.
    vote_closed: bool = False
    # A phase whose turns were fixed when it started (fremlæggelse: one turn per group the
    # room formed), as a JSON list of the turns' names; "" while not fixed.
    turn_names: str = ""


class Group(SQLModel, table=True):
    """A group within a grouping; numbered from 1 because the room regroups."""

    __table_args__ = (UniqueConstraint("meeting_id", "grouping", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    grouping: str  # "interview" (threes), "fours", ...
    number: int
    label: str = ""


class Theme(SQLModel, table=True):
    """Several flip-overs joined under one name (seed 003: present "i temaer")."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    name: str
    priority: int | None = None  # rank among the prioritised wishes; None: not prioritised
    created_at: datetime = Field(default_factory=utcnow)


class Flipover(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    group_id: int = Field(foreign_key="group.id", index=True)
    phase_index: int
    kind: str = "wish"  # "wish" or "strength"
    heading: str
    confidential: bool = False  # særskilt spor: never projected, not exported by default
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    priority: int | None = None  # rank among the prioritised wishes; None: not prioritised
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Proposal(SQLModel, table=True):
    """One line under a flip-over's heading, in order."""

    id: int | None = Field(default=None, primary_key=True)
    flipover_id: int = Field(foreign_key="flipover.id", index=True, ondelete="CASCADE")
    position: int
    text: str


class Vote(SQLModel, table=True):
    """One mark on one flip-over, from an anonymous device (or counted by hand)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    flipover_id: int = Field(foreign_key="flipover.id", index=True, ondelete="CASCADE")
    device_id: str = ""  # random cookie value; "" for marks counted by hand
    phase_index: int = 0  # the vote phase it was cast in (a device's budget is per phase)
    created_at: datetime = Field(default_factory=utcnow)


class Choice(SQLModel, table=True):
    """ "Brænder for": one device's pick of a prioritised wish (or a hand-counted one).

    The option is a lone flip-over or a theme: exactly one of the two ids is set.
    """

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    phase_index: int
    flipover_id: int | None = Field(default=None, foreign_key="flipover.id", ondelete="CASCADE")
    theme_id: int | None = Field(default=None, foreign_key="theme.id", ondelete="CASCADE")
    device_id: str = ""  # "" for a choice entered by hand
    created_at: datetime = Field(default_factory=utcnow)


class Photo(SQLModel, table=True):
    """A photo of the paper flip-over, taken by the assistant's phone (scaled down there)."""

    id: int | None = Field(default=None, primary_key=True)
    flipover_id: int = Field(foreign_key="flipover.id", index=True, ondelete="CASCADE")
    content_type: str
    data: bytes
    created_at: datetime = Field(default_factory=utcnow)


class IdempotencyKey(SQLModel, table=True):
    """A submission's idempotency key, stored in the same transaction as its write, so a
    retry after a lost answer (or a SIGKILL) gets the first answer instead of a double."""

    __table_args__ = (UniqueConstraint("meeting_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    key: str
    scope: str  # what was done: "flipover_add", "flipover_edit", "vote", "unvote", "choice"
    result: str = ""  # what the answer is rebuilt from (a flip-over id, a choice key)
    created_at: datetime = Field(default_factory=utcnow)
