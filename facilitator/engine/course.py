"""What the live meeting shows of its APV course (forløb): the previous meeting's
bruttoliste (a ``bruttoliste`` phase, "vælg ét ønske") and the forløb's help contacts (a
phase with ``help_contacts = true``).

Both are read through the course's own door (facilitator.course.service.Course), off the
loop (``asyncio.to_thread``), when the engine starts its timers and again on entering a
phase that shows them; the engine keeps them in memory, so no state, redraw or request
reads the database for them. Særskilt spor never reaches here: the course leaves it out
of ``previous_bruttoliste``, and a confidential wish is dropped again on the way in.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, replace
from typing import Any

from facilitator.course.model import ASSESSMENT_STATUSES, Bruttoliste, Wish
from facilitator.engine.core import EngineCore
from facilitator.engine.events import BruttolistePaged, CourseLoaded, Snapshot

log = logging.getLogger(__name__)

NO_FIRST_MEETING = (
    "Forløbet har intet 1. dialogmøde endnu, så der er ingen bruttoliste at vise. "
    "Gå videre til næste fase – eller læg dette møde i forløbet med 1. dialogmøde "
    "(startskærmen: n i det forløb)."
)
NOT_READ = "Bruttolisten kunne ikke hentes ({}) – prøv at gå ud af fasen og ind igen."
LOADING = "Bruttolisten hentes …"


@dataclass(frozen=True)
class CourseData:
    """What the engine holds of its forløb: the previous bruttoliste (None: the forløb
    has no meeting before this one), the help contacts, and a failed read's reason."""

    bruttoliste: Bruttoliste | None
    help_contacts: tuple[str, ...]
    problem: str = ""


def wish_json(wish: Wish) -> dict[str, Any]:
    """One bruttoliste wish as the phones and /api/bruttoliste see it."""
    return {
        "id": wish.id,
        "rank": wish.rank,
        "tied": wish.tied,
        "heading": wish.heading,
        "proposals": [line.text for line in wish.proposals],
        "marks": wish.marks,
        "theme": wish.theme,
        "theme_marks": wish.theme_marks,
        "priority": wish.priority,
        "status": wish.status,
        "status_label": ASSESSMENT_STATUSES.get(wish.status, ""),
        "reason": wish.reason,
    }


def open_only(brutto: Bruttoliste | None) -> Bruttoliste | None:
    """The list without anything in særskilt spor (whatever the course handed over)."""
    if brutto is None:
        return None
    wishes = tuple(w for w in brutto.wishes if not w.confidential)
    strengths = tuple(w for w in brutto.strengths if not w.confidential)
    if wishes == brutto.wishes and strengths == brutto.strengths and not brutto.confidential:
        return brutto
    return replace(brutto, wishes=wishes, strengths=strengths, confidential=())


class CourseView(EngineCore):
    _course: CourseData | None
    _brutto_page: int

    # ------------------------------------------------------------------ reading
    @property
    def course_loaded(self) -> bool:
        """Whether the forløb's bruttoliste and help contacts have been read."""
        return self._course is not None

    def bruttoliste(self) -> Bruttoliste | None:
        """The forløb's previous meeting's bruttoliste (open wishes, ranked); None when
        the forløb has no meeting before this one, or it is not read (yet)."""
        return None if self._course is None else self._course.bruttoliste

    def bruttoliste_missing(self) -> str | None:
        """Why there is no list to show, in one Danish sentence for the mødeleder (no 1st
        meeting, still being read, could not be read); None when there is a list."""
        course = self._course
        if course is None:
            return LOADING
        if course.problem:
            return course.problem
        if course.bruttoliste is None:
            return NO_FIRST_MEETING
        return None

    def help_contacts(self) -> tuple[str, ...]:
        """The forløb's "hvor kan du få hjælp" contacts, one per line (() until read)."""
        return () if self._course is None else self._course.help_contacts

    def bruttoliste_paging(self) -> tuple[int, int]:
        """(page, pages) of the current bruttoliste phase, 1-based; (1, 1) for no list."""
        brutto = self.bruttoliste()
        size = max(1, self.phase.page_size)
        pages = max(1, math.ceil(len(brutto.wishes) / size)) if brutto is not None else 1
        return min(max(1, self._brutto_page), pages), pages

    def bruttoliste_page_wishes(self) -> tuple[Wish, ...]:
        """The wishes on the page the room sees now."""
        brutto = self.bruttoliste()
        if brutto is None:
            return ()
        page, _pages = self.bruttoliste_paging()
        size = max(1, self.phase.page_size)
        return brutto.wishes[(page - 1) * size : page * size]

    def bruttoliste_wish(self, wish_id: int) -> Wish | None:
        brutto = self.bruttoliste()
        if brutto is None:
            return None
        return next((w for w in brutto.wishes if w.id == wish_id), None)

    def _course_state(self) -> dict[str, Any]:
        """The phase's part of /api/state: its bruttoliste page and help contacts."""
        phase = self.phase
        extra: dict[str, Any] = {}
        if phase.kind == "bruttoliste":
            missing = self.bruttoliste_missing()
            if missing is not None:
                extra["bruttoliste"] = {"missing": missing, "loading": self._course is None}
            else:
                page, pages = self.bruttoliste_paging()
                brutto = self.bruttoliste()
                extra["bruttoliste"] = {
                    "wishes": [wish_json(w) for w in self.bruttoliste_page_wishes()],
                    "page": page,
                    "pages": pages,
                    "total": len(brutto.wishes) if brutto is not None else 0,
                    "page_size": phase.page_size,
                    "meeting": brutto.title if brutto is not None else "",
                }
        if phase.help_contacts:
            extra["help_contacts"] = list(self.help_contacts())
        return extra

    # ------------------------------------------------------------------ commands
    async def load_course(self) -> Snapshot:
        """Read the forløb's previous bruttoliste and help contacts off the loop, keep
        them, and tell everyone. A failed read is logged and said in the phase."""
        store, meeting_id = self.store, self.meeting_id

        def read() -> CourseData:
            from facilitator.course.service import Course

            course = Course(store)
            return CourseData(
                open_only(course.previous_bruttoliste(meeting_id)),
                tuple(course.help_contacts(meeting_id)),
            )

        try:
            data = await asyncio.to_thread(read)
        except Exception as exc:  # noqa: BLE001 - the meeting goes on without the list
            log.warning("the forløb could not be read: %r", exc)
            old = self._course
            reason = str(exc) or type(exc).__name__
            data = CourseData(
                old.bruttoliste if old is not None else None,
                old.help_contacts if old is not None else (),
                problem="" if old is not None and old.bruttoliste else NOT_READ.format(reason),
            )
        if data == self._course:
            return self.latest
        self._course = data
        wishes = len(data.bruttoliste.wishes) if data.bruttoliste is not None else 0
        return self._publish(CourseLoaded, wishes=wishes)

    async def bruttoliste_page(self, delta: int) -> Snapshot:
        """Page the bruttoliste on the projector and the phones (-1 back, +1 on); the
        page stays within the list. Only in a bruttoliste phase."""
        if self.phase.kind != "bruttoliste":
            return self.latest
        page, pages = self.bruttoliste_paging()
        new = min(max(1, page + int(delta)), pages)
        if new == page:
            return self.latest
        self._brutto_page = new
        return self._publish(BruttolistePaged, page=new, pages=pages)

    def _entering(self, index: int) -> None:
        """On entering phase ``index``: a bruttoliste starts on its first page and is read
        again (the vurdering may have moved on); help contacts are read if not yet."""
        phase = self.agenda.phases[index]
        if phase.kind == "bruttoliste":
            self._brutto_page = 1
        if phase.kind == "bruttoliste" or (phase.help_contacts and self._course is None):
            self._spawn(self.load_course())
