"""The APV course's door: every read and change of a forløb outside the live meeting.

``Course`` sits beside the live meeting's engine (facilitator.engine), not on it. Its
methods are synchronous and do database work: the TUI calls them in thread workers, the
CLI directly, the engine through its writer thread. Everything typed passes
facilitator.text.clean_text on the way in. Errors for the user are ``CourseError`` (one
Danish line).

CONTRACT (integrator, 2026-12-07): the signatures below are what the screens, the CLI,
the exports and the web code against. Implementations may move into more modules of
this package; the names stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from facilitator.course.model import (
    Bruttoliste,
    ConfidentialItem,
    ForloebInfo,
    Handleplan,
)


class CourseError(Exception):
    """The course cannot do that; the message is one Danish line for the user."""


class ArchiveError(CourseError):
    """An import file that is not ours, is truncated, or comes from a newer version."""


class Course:
    def __init__(self, store: Any, today: date | None = None) -> None:
        """``store``: a storage.repo.Store. ``today``: a fixed date for tests (flags,
        overdue follow-ups, the next step); else the local date when asked."""
        raise NotImplementedError

    # ------------------------------------------------------------ forløb
    def create_forloeb(
        self,
        workplace: str,
        *,
        unit: str = "",
        tovholder: str = "",
        moedeleder: str = "",
        help_contacts: Sequence[str] = (),
        plan: Mapping[str, str] | None = None,
    ) -> int:
        """A new forløb; its id. An empty workplace is refused."""
        raise NotImplementedError

    def update_forloeb(self, forloeb_id: int, **fields: Any) -> ForloebInfo:
        """Change any of workplace, unit, tovholder, moedeleder, help_contacts (sequence
        of lines), plan (mapping step → date text; merged), handleplan_date."""
        raise NotImplementedError

    def forloeb(self, forloeb_id: int) -> ForloebInfo:
        """One forløb with its meetings in order and its next step; CourseError if none."""
        raise NotImplementedError

    def list_forloeb(self) -> list[ForloebInfo]:
        """Every forløb, newest first."""
        raise NotImplementedError

    def forloeb_of_meeting(self, meeting_id: int) -> int:
        raise NotImplementedError

    def help_contacts(self, meeting_id: int) -> tuple[str, ...]:
        """The help contacts of the meeting's forløb (for a phase with help_contacts)."""
        raise NotImplementedError

    def delete_forloeb(self, forloeb_id: int) -> int:
        """Erase the forløb with all its meetings, rows and measurements, vacuumed as
        `delete` erases a meeting; how many meetings went with it."""
        raise NotImplementedError

    # ------------------------------------------------------------ bruttoliste
    def bruttoliste(self, meeting_id: int, *, include_confidential: bool = False) -> Bruttoliste:
        """The meeting's bruttoliste: its open wishes ranked by marks (themes summed, ties
        shared) with theme, priority and vurdering; apart the strengths; for a 2nd
        meeting the chosen wishes with "brænder for" counts and action results under
        them. Særskilt spor only in ``confidential`` and only when asked."""
        raise NotImplementedError

    def previous_bruttoliste(self, meeting_id: int) -> Bruttoliste | None:
        """The bruttoliste of the forløb's meeting before this one (None when it has
        none): what a 2nd meeting's ``bruttoliste`` phase shows. Never confidential."""
        raise NotImplementedError

    def latest_meeting(self, forloeb_id: int) -> int | None:
        raise NotImplementedError

    # ------------------------------------------------------------ vurdering
    def assess(self, flipover_id: int, status: str, reason: str) -> None:
        """Set a wish's vurdering. ``status`` "" or a key of ASSESSMENT_STATUSES;
        "separate_track" also moves the flip-over to særskilt spor."""
        raise NotImplementedError

    # ------------------------------------------------------------ særskilt spor
    def confidential_items(self, forloeb_id: int) -> list[ConfidentialItem]:
        raise NotImplementedError

    def set_confidential_plan(self, flipover_id: int, **fields: str) -> ConfidentialItem:
        """Fields of ConfidentialPlan (problem_kind, gravity, extent, cause, solution,
        responsible, start, follow_up, status, notes)."""
        raise NotImplementedError

    # ------------------------------------------------------------ handleplan
    def handleplan(self, forloeb_id: int, *, include_confidential: bool = False) -> Handleplan:
        raise NotImplementedError

    def seed_handleplan(self, forloeb_id: int) -> int:
        """Rows from the latest 2nd meeting's prioritised wishes (their proposals and the
        action groups' flip-overs as activities), for wishes that have no row yet; how
        many rows were added."""
        raise NotImplementedError

    def add_action(self, forloeb_id: int, **fields: Any) -> int:
        """A new row at the end; fields as update_action's; its id."""
        raise NotImplementedError

    def update_action(self, row_id: int, **fields: Any) -> None:
        """area, goal, activities (sequence of lines), responsible, start, follow_up,
        status, notes. Missing ansvarlig or dates are flagged on read, not refused."""
        raise NotImplementedError

    def move_action(self, row_id: int, delta: int) -> None:
        """Move a row up (-1) or down (+1) in the order."""
        raise NotImplementedError

    def delete_action(self, row_id: int) -> None:
        raise NotImplementedError

    def add_follow_up(self, row_id: int, date_text: str, status: str, note: str) -> int:
        """One entry of the row's follow-up log; a status also becomes the row's."""
        raise NotImplementedError

    # ------------------------------------------------------------ sygefravær
    def add_absence(self, forloeb_id: int, **fields: Any) -> int:
        """label, period_start, period_end, absence, actual, unit ("days"|"hours")."""
        raise NotImplementedError

    def update_absence(self, record_id: int, **fields: Any) -> None:
        raise NotImplementedError

    def delete_absence(self, record_id: int) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ archive
    def archive(self, forloeb_id: int, *, include_confidential: bool = False) -> dict:
        """The whole course as a JSON-ready dict: {"kind": ARCHIVE_KIND, "version":
        ARCHIVE_VERSION, ...}. No tokens, device ids, device secret or lease; særskilt
        spor only when asked."""
        raise NotImplementedError

    def import_archive(self, document: Any) -> int:
        """Restore an archive as a new forløb in one transaction; its id. ArchiveError
        (nothing written) for a document that is not ours, truncated, or newer."""
        raise NotImplementedError
