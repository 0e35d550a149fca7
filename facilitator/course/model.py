"""The APV course as plain, frozen data: what the screens draw, the exports write and the
web serves. Built by facilitator.course.service from storage; never a live ORM object.

Dates the people typed are kept as typed (``str``); ``parse_date`` reads them when it
can, and what it cannot read is flagged, never changed or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# ---------------------------------------------------------------- vocabularies
# The vurdering's statuses (seed 000 §1: be ready to argue why something cannot be done).
ASSESSMENT_STATUSES: dict[str, str] = {
    "work_on": "Arbejdes videre med",
    "in_progress": "Allerede i gang",
    "cannot_now": "Kan ikke ændres nu",
    "separate_track": "Særskilt spor",
}
# A handleplan row's (and a særskilt spor plan's) status.
ACTION_STATUSES: dict[str, str] = {
    "not_started": "Ikke startet",
    "in_progress": "I gang",
    "done": "Gennemført",
    "adjusted": "Justeret",
}
# The three levels of "gruppearbejde om handling" (seed 003).
LEVELS: dict[str, str] = {
    "personalegruppe": "Personalegruppen",
    "leder": "Lederen",
    "samarbejdspartnere": "Samarbejdspartnere/kunder",
}
# The course's planned steps, in order (METHOD.md, "The process around the meetings").
PLAN_STEPS: dict[str, str] = {
    "absence_before": "Sygefravær måles (før)",
    "meeting_1": "1. dialogmøde",
    "assessment": "Vurderingsmøde",
    "meeting_2": "2. dialogmøde",
    "handleplan": "Handleplan",
    "follow_up": "Opfølgning",
    "absence_after": "Sygefravær måles (efter)",
}
# The steps' names on the command line (`forloeb new --plan TRIN=DATO`), in Danish.
PLAN_STEP_NAMES: dict[str, str] = {
    "sygefravaer-foer": "absence_before",
    "dialogmoede-1": "meeting_1",
    "vurdering": "assessment",
    "dialogmoede-2": "meeting_2",
    "handleplan": "handleplan",
    "opfoelgning": "follow_up",
    "sygefravaer-efter": "absence_after",
}
HOURS_PER_DAY = 7.4  # one dagsværk
REVISION_YEARS = 3  # the APV is revised at the latest three years after the handleplan
ARCHIVE_KIND = "facilitator-forloeb"
ARCHIVE_VERSION = 1


# ---------------------------------------------------------------- the bruttoliste
@dataclass(frozen=True)
class ProposalLine:
    text: str
    level: str = ""  # "" or a key of LEVELS


@dataclass(frozen=True)
class Wish:
    """One flip-over on a bruttoliste (a wish, or apart an interview strength)."""

    id: int  # the flip-over's id
    rank: int  # by marks, a theme's wishes summed and sharing its rank; ties share it
    tied: bool
    heading: str
    proposals: tuple[ProposalLine, ...]
    group: int  # the group's number within its grouping
    marks: int  # the flip-over's own marks
    theme: str  # "" when in no theme
    theme_marks: int  # the theme's summed marks (== marks when in no theme)
    priority: int | None  # rank among the prioritised wishes; None: not prioritised
    status: str  # the vurdering: "" or a key of ASSESSMENT_STATUSES
    reason: str  # its begrundelse
    phase: str  # the title of the phase it was written in
    confidential: bool = False  # særskilt spor (only ever in a confidential document)


@dataclass(frozen=True)
class ThemeTotal:
    name: str
    marks: int  # summed over its wishes
    rank: int
    priority: int | None
    wishes: tuple[int, ...]  # the member flip-overs' ids


@dataclass(frozen=True)
class ActionResult:
    """A flip-over of "gruppearbejde om handling": what one action group proposes."""

    id: int
    group: int
    heading: str
    proposals: tuple[ProposalLine, ...]


@dataclass(frozen=True)
class ChosenWish:
    """2. dialogmøde: a wish a group chose ("vælg ét ønske"), how many burn for it, and the
    action groups' results under it (never mixed by group number)."""

    id: int  # the flip-over's id (or a theme's members' first)
    heading: str
    proposals: tuple[ProposalLine, ...]
    group: int
    source_id: int | None  # the bruttoliste wish it was taken from, if any
    burning: int  # "brænder for" count
    priority: int | None
    actions: tuple[ActionResult, ...]


@dataclass(frozen=True)
class ConfidentialItem:
    """An item in særskilt spor with its confidential plan (seed 000 §10)."""

    id: int  # the flip-over's id
    meeting_id: int
    meeting_title: str
    heading: str
    proposals: tuple[ProposalLine, ...]
    problem_kind: str = ""
    gravity: str = ""
    extent: str = ""
    cause: str = ""
    solution: str = ""
    responsible: str = ""
    start: str = ""
    follow_up: str = ""
    status: str = "not_started"
    notes: str = ""
    flags: tuple[str, ...] = ()  # as ActionRow.flags


@dataclass(frozen=True)
class Bruttoliste:
    meeting_id: int
    title: str
    agenda_title: str
    agenda_name: str
    created_at: datetime
    forloeb_id: int
    workplace: str
    wishes: tuple[Wish, ...]  # open wishes, ranked
    themes: tuple[ThemeTotal, ...]  # ranked
    strengths: tuple[Wish, ...]  # the interview's strengths (empty without an interview)
    has_interview: bool  # False: no strengths section at all
    chosen: tuple[ChosenWish, ...]  # 2. dialogmøde (empty otherwise)
    confidential: tuple[ConfidentialItem, ...] = ()  # only when asked for
    # 2. dialogmøde: action results that name no chosen wish and whose group number matches
    # no chosen wish (added by H1; kept apart rather than mixed into the wishes).
    unassigned_actions: tuple[ActionResult, ...] = ()

    @property
    def prioritised(self) -> tuple[Wish, ...]:
        return tuple(sorted((w for w in self.wishes if w.priority), key=lambda w: w.priority))


# ---------------------------------------------------------------- the handleplan
@dataclass(frozen=True)
class FollowUpEntry:
    id: int
    date: str
    status: str  # "" or a key of ACTION_STATUSES
    note: str


@dataclass(frozen=True)
class ActionRow:
    id: int
    position: int  # 1-based place in the order
    area: str  # indsatsområde
    goal: str  # mål
    activities: tuple[str, ...]
    responsible: str
    start: str
    follow_up: str
    status: str  # a key of ACTION_STATUSES
    notes: str
    source_id: int | None  # the prioritised wish it started from
    log: tuple[FollowUpEntry, ...]
    flags: tuple[str, ...]  # Danish, e.g. "Ansvarlig mangler", "Opfølgning overskredet"


@dataclass(frozen=True)
class AbsenceRow:
    id: int
    position: int
    label: str
    period_start: str
    period_end: str
    absence: float
    actual: float
    unit: str  # "days" or "hours"
    flags: tuple[str, ...] = ()

    @property
    def percent(self) -> float | None:
        """Fraværsprocent = fravær ÷ (faktiske + fravær) × 100 (the unit cancels)."""
        total = self.actual + self.absence
        return None if total <= 0 else self.absence / total * 100

    @property
    def absence_days(self) -> float:
        return self.absence / HOURS_PER_DAY if self.unit == "hours" else self.absence

    @property
    def actual_days(self) -> float:
        return self.actual / HOURS_PER_DAY if self.unit == "hours" else self.actual


# ---------------------------------------------------------------- the forløb
@dataclass(frozen=True)
class MeetingInfo:
    id: int
    title: str
    agenda_name: str  # "dialogmoede-1", "dialogmoede-2", a file's name …
    agenda_title: str
    created_at: datetime
    wishes: int  # open wishes
    assessed: int  # of which the vurdering has a status


@dataclass(frozen=True)
class PlannedStep:
    step: str  # a key of PLAN_STEPS
    label: str
    date: str  # as typed; "" when not planned


@dataclass(frozen=True)
class ForloebInfo:
    id: int
    name: str
    workplace: str
    unit: str
    tovholder: str
    moedeleder: str
    help_contacts: tuple[str, ...]
    plan: tuple[PlannedStep, ...]  # every step of PLAN_STEPS, in order
    handleplan_date: str
    created_at: datetime
    meetings: tuple[MeetingInfo, ...]  # in order
    next_step: str  # Danish, one line: "Vurdering mangler", "2. dialogmøde 14. jan." …
    overdue: int  # follow-up dates passed on rows not done
    revision_due: date | None  # at the latest three years after the handleplan
    flags: tuple[str, ...] = ()  # dates in the wrong order, long past, unreadable
    # (added by H1) the handleplan rows whose follow-up date has passed, not done:
    # (position, indsatsområde, the follow-up date as typed), in the plan's order.
    overdue_rows: tuple[tuple[int, str, str], ...] = ()


@dataclass(frozen=True)
class Handleplan:
    forloeb: ForloebInfo
    rows: tuple[ActionRow, ...]
    absence: tuple[AbsenceRow, ...]
    confidential: tuple[ConfidentialItem, ...] = ()  # only when asked for
    made_at: datetime = field(default_factory=datetime.now)
    # (added by H1b) rows whose wish went to særskilt spor after the plan was seeded (or
    # whose wish was taken from one that did): never in ``rows``; here only when asked
    # for, like ``confidential``.
    confidential_rows: tuple[ActionRow, ...] = ()
