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
    workplace: str = ""  # arbejdsplads
    created_at: datetime = Field(default_factory=utcnow)
    # The people who carry the course (never a participant): names as typed.
    unit: str = ""  # enhed
    tovholder: str = ""
    moedeleder: str = ""
    help_contacts: str = ""  # "hvor kan du få hjælp": one contact per line
    plan: str = ""  # planned dates, JSON {step: date as typed} (facilitator.course.PLAN_STEPS)
    handleplan_date: str = ""  # when the handleplan was adopted, as typed (revision: +3 years)


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
    # The wish this flip-over works on (2. dialogmøde): a bruttoliste wish of the forløb's
    # previous meeting ("vælg ét ønske") or a chosen wish (gruppearbejde om handling).
    wish_id: int | None = Field(
        default=None, foreign_key="flipover.id", index=True, ondelete="SET NULL"
    )


class Proposal(SQLModel, table=True):
    """One line under a flip-over's heading, in order."""

    id: int | None = Field(default=None, primary_key=True)
    flipover_id: int = Field(foreign_key="flipover.id", index=True, ondelete="CASCADE")
    position: int
    text: str
    level: str = ""  # "", "personalegruppe", "leder" or "samarbejdspartnere" (seed 003)


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


class Assessment(SQLModel, table=True):
    """The arbejdsmiljøgruppe's vurdering of one wish: a status and its begrundelse."""

    id: int | None = Field(default=None, primary_key=True)
    flipover_id: int = Field(foreign_key="flipover.id", unique=True, index=True, ondelete="CASCADE")
    status: str = ""  # "", "work_on", "in_progress", "cannot_now", "separate_track"
    reason: str = ""  # begrundelse
    updated_at: datetime = Field(default_factory=utcnow)


class ConfidentialPlan(SQLModel, table=True):
    """Særskilt spor: the confidential plan for one item, the traditional way (seed 000 §10).
    Never projected, never on a phone, never in a default export."""

    id: int | None = Field(default=None, primary_key=True)
    flipover_id: int = Field(foreign_key="flipover.id", unique=True, index=True, ondelete="CASCADE")
    problem_kind: str = ""  # art
    gravity: str = ""  # alvor
    extent: str = ""  # omfang
    cause: str = ""  # årsag
    solution: str = ""  # løsning
    responsible: str = ""  # ansvarlig (one person)
    start: str = ""  # date as typed
    follow_up: str = ""  # date as typed
    status: str = "not_started"
    notes: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class ActionItem(SQLModel, table=True):
    """One row of the forløb's handleplan (seed 003): in its place in the order."""

    id: int | None = Field(default=None, primary_key=True)
    forloeb_id: int = Field(foreign_key="forloeb.id", index=True, ondelete="CASCADE")
    position: int = 0  # the order ("i hvilken rækkefølge")
    area: str = ""  # indsatsområde
    goal: str = ""  # mål
    activities: str = ""  # one activity per line
    responsible: str = ""  # ansvarlig (one person)
    start: str = ""  # date as typed
    follow_up: str = ""  # date as typed
    status: str = "not_started"  # "not_started", "in_progress", "done", "adjusted"
    notes: str = ""
    # The prioritised wish (a flip-over of the 2nd meeting) the row started from.
    flipover_id: int | None = Field(
        default=None, foreign_key="flipover.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FollowUp(SQLModel, table=True):
    """One entry of a handleplan row's follow-up log (seed 001: status, adjust, celebrate)."""

    id: int | None = Field(default=None, primary_key=True)
    action_item_id: int = Field(foreign_key="actionitem.id", index=True, ondelete="CASCADE")
    date: str = ""  # as typed
    status: str = ""
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class AbsenceRecord(SQLModel, table=True):
    """A sygefravær measurement (seeds 000 §6, 002): before, and once or twice after."""

    id: int | None = Field(default=None, primary_key=True)
    forloeb_id: int = Field(foreign_key="forloeb.id", index=True, ondelete="CASCADE")
    position: int = 0
    label: str = ""  # "Før", "Efter 1", …
    period_start: str = ""  # as typed
    period_end: str = ""  # as typed
    absence: float = 0.0  # fraværsdagsværk (or hours)
    actual: float = 0.0  # faktiske arbejdsdagsværk (or hours)
    unit: str = "days"  # "days" (dagsværk) or "hours" (one dagsværk = 7.4 hours)
    created_at: datetime = Field(default_factory=utcnow)
