"""The APV course's door: every read and change of a forløb outside the live meeting.

``Course`` sits beside the live meeting's engine (facilitator.engine), not on it. Its
methods are synchronous and do database work: the TUI calls them in thread workers, the
CLI directly, the engine through its writer thread. Everything typed passes
facilitator.text.clean_text on the way in. Errors for the user are ``CourseError`` (one
Danish line).

CONTRACT (integrator, 2026-12-07): the signatures below are what the screens, the CLI,
the exports and the web code against. Implementations may move into more modules of
this package; the names stay.

Dates are kept as typed; the flags read them with facilitator.course.dates.parse_date
without a ``today``, so a date typed without its year is flagged as unreadable (the
year it meant would change as time passes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from facilitator.course import archive as archive_module
from facilitator.course import bruttoliste as bl
from facilitator.course.dates import (
    LONG_PAST_DAYS,
    add_years,
    date_problem,
    is_overdue,
    parse_date,
    row_flags,
    short_date_da,
    unreadable,
)
from facilitator.course.errors import ArchiveError, CourseError
from facilitator.course.model import (
    ACTION_STATUSES,
    ASSESSMENT_STATUSES,
    LEVELS,
    PLAN_STEPS,
    REVISION_YEARS,
    AbsenceRow,
    ActionRow,
    Bruttoliste,
    ConfidentialItem,
    FollowUpEntry,
    ForloebInfo,
    Handleplan,
    MeetingInfo,
    PlannedStep,
)
from facilitator.text import BadText, clean_text
from storage.db import StorageError
from storage.rows import LeaseHeld

__all__ = ["ArchiveError", "Course", "CourseError"]

# What storage.base.reason says in Danish about the faults a room meets.
_STORAGE_DA = (
    "disken er fuld",
    "databasen er skrivebeskyttet",
    "databasen er låst af et andet program",
    "disken svarer ikke (I/O-fejl)",
    "databasefilen kan ikke åbnes",
)

MAX_TEXT = 2000  # one field of the course (a begrundelse, a note)
MAX_AMOUNT = 10_000_000  # fravær or faktiske arbejdsdagsværk (days or hours) of one period
FORLOEB_TEXT = ("workplace", "unit", "tovholder", "moedeleder", "handleplan_date")
ACTION_TEXT = ("area", "goal", "responsible", "start", "follow_up")
PLAN_FIELDS = bl.PLAN_TEXT_FIELDS
ABSENCE_TEXT = ("label", "period_start", "period_end")


LABELS_DA = {
    "workplace": "Arbejdspladsen",
    "unit": "Enheden",
    "tovholder": "Tovholderen",
    "moedeleder": "Mødelederen",
    "handleplan_date": "Handleplanens dato",
    "area": "Indsatsområdet",
    "goal": "Målet",
    "responsible": "Ansvarlig",
    "start": "Startdatoen",
    "follow_up": "Opfølgningsdatoen",
    "notes": "Noterne",
    "problem_kind": "Problemets art",
    "gravity": "Alvoren",
    "extent": "Omfanget",
    "cause": "Årsagen",
    "solution": "Løsningen",
    "label": "Betegnelsen",
    "period_start": "Periodens start",
    "period_end": "Periodens slutning",
}


def _guarded(value: Any, *, multiline: bool = False) -> str:
    """clean_text, its refusal (BadText) a CourseError: every typed value passes here."""
    try:
        return clean_text(value, multiline=multiline)
    except BadText as exc:
        raise CourseError(str(exc)) from None


def _shown(value: Any) -> str:
    """A refused value as a message may show it: cleaned, an invalid character replaced."""
    text = value if isinstance(value, str) else str(value)
    return clean_text(text.encode("utf-8", "replace").decode("utf-8"))[:100]


def _clean(value: Any, *, multiline: bool = False, name: str = "") -> str:
    name = LABELS_DA.get(name, name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
        raise CourseError(f"{name or 'Feltet'} skal være tekst.")
    text = _guarded(value, multiline=multiline)
    if len(text) > MAX_TEXT:
        raise CourseError(f"Teksten er for lang (højst {MAX_TEXT} tegn).")
    return text


def _known(value: Any, allowed: Any) -> bool:
    return isinstance(value, str) and value in allowed


def _lines(values: Any, name: str) -> list[str]:
    """A sequence of lines (or one text of lines), each cleaned, empty ones dropped."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split("\n")
    if not isinstance(values, Sequence):
        raise CourseError(f"{name} skal være en liste af linjer.")
    out = [_clean(v, name=name) for v in values]
    return [line for line in out if line]


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise CourseError(f"{name} skal være et tal.")
    if isinstance(value, str):
        text = _guarded(value).replace(" ", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise CourseError(f"{name} skal være et tal: {_shown(value)}") from None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise CourseError(f"{name} skal være et tal.")
    if number != number or number in (float("inf"), float("-inf")):
        raise CourseError(f"{name} skal være et tal.")
    if number < 0:
        raise CourseError(f"{name} kan ikke være negativ.")
    if number > MAX_AMOUNT:
        raise CourseError(f"{name} er for stort (højst {MAX_AMOUNT:,}).".replace(",", "."))
    return number


def _storage(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except StorageError as exc:
        raise CourseError(str(exc)) from None


class Course:
    def __init__(self, store: Any, today: date | None = None) -> None:
        """``store``: a storage.repo.Store. ``today``: a fixed date for tests (flags,
        overdue follow-ups, the next step); else the local date when asked."""
        self.store = store
        self._today = today
        self.erased_clean = True  # after delete_forloeb: nothing deleted is left in the file

    @property
    def today(self) -> date:
        return self._today or date.today()

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
        values = self._forloeb_values(
            {
                "workplace": workplace,
                "unit": unit,
                "tovholder": tovholder,
                "moedeleder": moedeleder,
                "help_contacts": help_contacts,
                "plan": plan or {},
            },
            {},
        )
        return _storage(self.store.add_forloeb, values)

    def _forloeb_values(self, fields: Mapping[str, Any], old_plan: dict[str, str]) -> dict:
        values: dict[str, Any] = {}
        for name, value in fields.items():
            if name in FORLOEB_TEXT:
                values[name] = _clean(value, name=name)
            elif name == "help_contacts":
                values[name] = "\n".join(_lines(value, "Hjælpekontakter"))
            elif name == "plan":
                if not isinstance(value, Mapping):
                    raise CourseError("Planen skal være trin og datoer.")
                plan = dict(old_plan)
                for step, text in value.items():
                    if not _known(step, PLAN_STEPS):
                        raise CourseError(f"Ukendt trin i planen: {_shown(step)}")
                    plan[step] = _clean(text, name=PLAN_STEPS[step])
                plan = {k: plan[k] for k in PLAN_STEPS if plan.get(k)}
                values[name] = json.dumps(plan, ensure_ascii=False, sort_keys=True)
            else:
                raise CourseError(f"Ukendt felt: {_shown(name)}")
        if "workplace" in values:
            if not values["workplace"]:
                raise CourseError("Arbejdspladsen mangler – skriv den først.")
            unit = values.get("unit", "")
            values["name"] = f"{values['workplace']} – {unit}" if unit else values["workplace"]
        return values

    def update_forloeb(self, forloeb_id: int, **fields: Any) -> ForloebInfo:
        """Change any of workplace, unit, tovholder, moedeleder, help_contacts (sequence
        of lines), plan (mapping step → date text; merged), handleplan_date."""
        row = self._forloeb_row(forloeb_id)
        values = self._forloeb_values(fields, _plan(row))
        if "workplace" in values and "unit" not in values and row["unit"]:
            values["name"] = f"{values['workplace']} – {row['unit']}"
        elif "unit" in values and "workplace" not in values and row["workplace"]:
            unit = values["unit"]
            values["name"] = f"{row['workplace']} – {unit}" if unit else row["workplace"]
        _storage(self.store.update_forloeb_row, forloeb_id, values)
        return self.forloeb(forloeb_id)

    def _forloeb_row(self, forloeb_id: int) -> dict:
        row = _storage(self.store.forloeb_row, forloeb_id)
        if row is None:
            raise CourseError(f"Forløb {forloeb_id} findes ikke.")
        return row

    def forloeb(self, forloeb_id: int) -> ForloebInfo:
        """One forløb with its meetings in order and its next step; CourseError if none."""
        return self._info(self._forloeb_row(forloeb_id))

    def list_forloeb(self) -> list[ForloebInfo]:
        """Every forløb, newest first."""
        return [self._info(row) for row in _storage(self.store.forloeb_rows)]

    def forloeb_of_meeting(self, meeting_id: int) -> int:
        return self._meeting(meeting_id)["forloeb_id"]

    def _meeting(self, meeting_id: int) -> dict:
        meeting = _storage(self.store.course_meeting, meeting_id)
        if meeting is None:
            raise CourseError(f"Møde {meeting_id} findes ikke.")
        return meeting

    def help_contacts(self, meeting_id: int) -> tuple[str, ...]:
        """The help contacts of the meeting's forløb (for a phase with help_contacts)."""
        row = self._forloeb_row(self.forloeb_of_meeting(meeting_id))
        return tuple(line for line in (row["help_contacts"] or "").split("\n") if line)

    def delete_forloeb(self, forloeb_id: int) -> int:
        """Erase the forløb with all its meetings, rows and measurements, vacuumed as
        `delete` erases a meeting; how many meetings went with it."""
        try:
            gone = _storage(self.store.delete_forloeb_rows, forloeb_id)
        except LeaseHeld as exc:
            raise CourseError(
                f"Et møde i forløbet kører lige nu ({exc.where}) – afslut det først."
            ) from None
        if gone is None:
            raise CourseError(f"Forløb {forloeb_id} findes ikke.")
        # False: another program kept the SQLite WAL from being emptied (say so, as
        # `delete` does for a meeting).
        self.erased_clean = bool(_storage(self.store.erase_free_space))
        return gone

    def _info(self, row: dict, hidden_out: set[int] | None = None) -> ForloebInfo:
        """The forløb as ForloebInfo; ``hidden_out`` gets the ids of its flip-overs in
        særskilt spor (moved there, or through the wish they were taken from)."""
        today = self.today
        plan = _plan(row)
        meetings = _storage(self.store.forloeb_meetings, row["id"])
        flips = _storage(self.store.course_flipovers, [m["id"] for m in meetings])
        hidden = {f["id"] for f in flips if f["confidential"]}
        if hidden_out is not None:
            hidden_out |= hidden
        held = {f["meeting_id"] for f in flips}  # a meeting with no flip-over is not held
        infos = []
        second: list[dict] = []
        for meeting in meetings:
            title, phases = bl.agenda_of(meeting)
            choose_at = bl.choose_index(phases)
            mine = [f for f in flips if f["meeting_id"] == meeting["id"]]
            wishes = bl.open_wishes(mine, choose_at)
            if choose_at is not None:
                second.append(meeting)
            infos.append(
                MeetingInfo(
                    id=meeting["id"],
                    title=meeting["title"],
                    agenda_name=meeting["agenda_name"],
                    agenda_title=title,
                    created_at=meeting["created_at"],
                    wishes=len(wishes),
                    assessed=sum(1 for w in wishes if w["status"]),
                )
            )
        # A row whose wish is in særskilt spor is not part of the open plan: its heading
        # and activities would name it (Course.handleplan keeps it apart).
        actions = [
            a for a in _storage(self.store.action_rows, row["id"]) if a["flipover_id"] not in hidden
        ]
        late = tuple(
            (a["position"], a["area"], a["follow_up"])
            for a in actions
            if is_overdue(a["follow_up"], a["status"], today)
        )
        overdue = len(late)
        revision = _revision_due(row["handleplan_date"], actions, plan.get("handleplan", ""))
        next_step = _next_step(infos, second, held, plan, actions, overdue, revision, today)
        second_ids = {m["id"] for m in second}
        firsts = [m for m in infos if m.id not in second_ids]
        happened = set()
        if firsts:
            happened.add("meeting_1")
        if second_ids or (
            any(m.id in held for m in firsts)
            and all(m.assessed >= m.wishes for m in firsts if m.id in held)
        ):
            happened.add("assessment")
        if second_ids:
            happened.add("meeting_2")
        if actions or parse_date(row["handleplan_date"] or "") is not None:
            happened.add("handleplan")
        if any(a["status"] != "not_started" for a in actions):
            happened.add("follow_up")
        measured = len(_storage(self.store.absence_rows, row["id"]))
        if measured >= 1:
            happened.add("absence_before")
        if measured >= 2:
            happened.add("absence_after")
        return ForloebInfo(
            id=row["id"],
            name=row["name"],
            workplace=row["workplace"],
            unit=row["unit"],
            tovholder=row["tovholder"],
            moedeleder=row["moedeleder"],
            help_contacts=tuple(x for x in (row["help_contacts"] or "").split("\n") if x),
            plan=tuple(PlannedStep(k, label, plan.get(k, "")) for k, label in PLAN_STEPS.items()),
            handleplan_date=row["handleplan_date"],
            created_at=row["created_at"],
            meetings=tuple(infos),
            next_step=next_step,
            overdue=overdue,
            revision_due=revision,
            flags=_plan_flags(plan, row["handleplan_date"], today, happened),
            overdue_rows=late,
        )

    # ------------------------------------------------------------ bruttoliste
    def bruttoliste(self, meeting_id: int, *, include_confidential: bool = False) -> Bruttoliste:
        """The meeting's bruttoliste: its open wishes ranked by marks (themes summed, ties
        shared) with theme, priority and vurdering; apart the strengths; for a 2nd
        meeting the chosen wishes with "brænder for" counts and action results under
        them. Særskilt spor only in ``confidential`` and only when asked."""
        meeting = self._meeting(meeting_id)
        forloeb = self._forloeb_row(meeting["forloeb_id"])
        flips = _storage(self.store.course_flipovers, [meeting_id])
        themes = _storage(self.store.course_themes, [meeting_id])
        choices = _storage(self.store.choice_counts, meeting_id)
        plans = None
        if include_confidential:
            plans = _storage(
                self.store.confidential_plans, [f["id"] for f in flips if f["confidential"]]
            )
        return bl.build(meeting, forloeb["workplace"], flips, themes, choices, plans, self.today)

    def previous_bruttoliste(self, meeting_id: int) -> Bruttoliste | None:
        """The bruttoliste of the forløb's meeting before this one (None when it has
        none): what a 2nd meeting's ``bruttoliste`` phase shows. Never confidential."""
        forloeb_id = self.forloeb_of_meeting(meeting_id)
        earlier = [
            m["id"]
            for m in _storage(self.store.forloeb_meetings, forloeb_id)
            if m["id"] < meeting_id
        ]
        return self.bruttoliste(earlier[-1]) if earlier else None

    def latest_meeting(self, forloeb_id: int) -> int | None:
        self._forloeb_row(forloeb_id)
        meetings = _storage(self.store.forloeb_meetings, forloeb_id)
        return meetings[-1]["id"] if meetings else None

    # ------------------------------------------------------------ vurdering
    def assess(self, flipover_id: int, status: str, reason: str) -> None:
        """Set a wish's vurdering. ``status`` "" or a key of ASSESSMENT_STATUSES;
        "separate_track" also moves the flip-over to særskilt spor (out of its theme and
        the priorities). Moving is clean at any time: a handleplan row already made from
        the wish is kept but read as confidential (Handleplan.confidential_rows, never in
        ``rows`` or a default archive), and so is a later meeting's flip-over taken from
        it or working on it (its ``wish_id``). Another status brings a wish the vurdering
        had moved there back (not one moved in the meeting)."""
        status = status or ""
        if status and not _known(status, ASSESSMENT_STATUSES):
            raise CourseError(f"Ukendt vurdering: {_shown(status)}")
        text = _clean(reason, multiline=True, name="Begrundelsen")
        found = _storage(
            self.store.set_assessment, flipover_id, status, text, status == "separate_track"
        )
        if not found:
            raise CourseError(f"Ønske {flipover_id} findes ikke.")

    # ------------------------------------------------------------ særskilt spor
    def confidential_items(self, forloeb_id: int) -> list[ConfidentialItem]:
        self._forloeb_row(forloeb_id)
        meetings = _storage(self.store.forloeb_meetings, forloeb_id)
        by_id = {m["id"]: m for m in meetings}
        flips = [f for f in _storage(self.store.course_flipovers, list(by_id)) if f["confidential"]]
        plans = _storage(self.store.confidential_plans, [f["id"] for f in flips])
        return [
            bl.confidential_item(f, by_id[f["meeting_id"]], plans.get(f["id"]), self.today)
            for f in flips
        ]

    def set_confidential_plan(self, flipover_id: int, **fields: str) -> ConfidentialItem:
        """Fields of ConfidentialPlan (problem_kind, gravity, extent, cause, solution,
        responsible, start, follow_up, status, notes)."""
        values: dict[str, str] = {}
        for name, value in fields.items():
            if name not in PLAN_FIELDS:
                raise CourseError(f"Ukendt felt: {_shown(name)}")
            if name == "status":
                if not _known(value, ACTION_STATUSES):
                    raise CourseError(f"Ukendt status: {_shown(value)}")
                values[name] = value
            else:
                values[name] = _clean(value, multiline=name == "notes", name=name)
        result = _storage(self.store.set_confidential_plan_row, flipover_id, values)
        if result == "missing":
            raise CourseError(f"Ønske {flipover_id} findes ikke.")
        if result == "open":
            raise CourseError("Ønsket er ikke i særskilt spor.")
        meeting = self._meeting(_storage(self.store.flipover_meeting, flipover_id))
        flip = next(
            f
            for f in _storage(self.store.course_flipovers, [meeting["id"]])
            if f["id"] == flipover_id
        )
        plan = _storage(self.store.confidential_plans, [flipover_id]).get(flipover_id)
        return bl.confidential_item(flip, meeting, plan, self.today)

    # ------------------------------------------------------------ handleplan
    def handleplan(self, forloeb_id: int, *, include_confidential: bool = False) -> Handleplan:
        """The rows in order, the sygefravær. A row whose wish is in særskilt spor (moved
        there after the plan was seeded, by the vurdering or in the meeting, or taken from
        a wish that was) is never in ``rows``: it is in ``confidential_rows``, and only
        when asked for."""
        hidden: set[int] = set()
        info = self._info(self._forloeb_row(forloeb_id), hidden)
        today = self.today
        logs: dict[int, list[FollowUpEntry]] = {}
        for entry in _storage(self.store.follow_up_rows, forloeb_id):
            logs.setdefault(entry["action_item_id"], []).append(
                FollowUpEntry(entry["id"], entry["date"], entry["status"], entry["note"])
            )
        every = tuple(
            ActionRow(
                id=a["id"],
                position=a["position"],
                area=a["area"],
                goal=a["goal"],
                activities=tuple(x for x in (a["activities"] or "").split("\n") if x),
                responsible=a["responsible"],
                start=a["start"],
                follow_up=a["follow_up"],
                status=a["status"],
                notes=a["notes"],
                source_id=a["flipover_id"],
                log=tuple(logs.get(a["id"], ())),
                flags=row_flags(
                    responsible=a["responsible"],
                    start=a["start"],
                    follow_up=a["follow_up"],
                    status=a["status"],
                    today=today,
                ),
            )
            for a in _storage(self.store.action_rows, forloeb_id)
        )
        rows = tuple(r for r in every if r.source_id not in hidden)
        secret = tuple(r for r in every if r.source_id in hidden) if include_confidential else ()
        absence = tuple(_absence_row(r) for r in _storage(self.store.absence_rows, forloeb_id))
        confidential = tuple(self.confidential_items(forloeb_id)) if include_confidential else ()
        return Handleplan(
            forloeb=info,
            rows=rows,
            absence=absence,
            confidential=confidential,
            confidential_rows=secret,
        )

    def seed_handleplan(self, forloeb_id: int) -> int:
        """Rows from the latest 2nd meeting's prioritised wishes (their proposals and the
        action groups' flip-overs as activities), for wishes that have no row yet; how
        many rows were added."""
        self._forloeb_row(forloeb_id)
        meetings = _storage(self.store.forloeb_meetings, forloeb_id)
        second = [m for m in meetings if bl.choose_index(bl.agenda_of(m)[1]) is not None]
        if not second:
            raise CourseError("Forløbet har endnu intet 2. dialogmøde at lave handleplanen ud fra.")
        brutto = self.bruttoliste(second[-1]["id"])
        entries: list[tuple[int, str, list[str], set[int]]] = []  # (flip id, heading, lines, ids)
        seen: set[int] = set()
        for wish in brutto.prioritised:
            if wish.id in seen:
                continue
            if wish.theme:
                total = next((t for t in brutto.themes if wish.id in t.wishes), None)
                members = [w for w in brutto.wishes if total and w.id in total.wishes]
                heading = wish.theme
            else:
                members = [wish]
                heading = wish.heading
            ids = {w.id for w in members}
            seen |= ids
            lines = [_level_line(p.text, p.level) for w in members for p in w.proposals]
            entries.append((min(ids), heading, lines, ids))
        chosen = list(brutto.chosen)
        if not entries:
            burning = [c for c in chosen if c.burning > 0]
            if not burning:
                raise CourseError("Ingen ønsker er prioriteret eller valgt endnu på 2. dialogmøde")
            for c in sorted(burning, key=lambda c: -c.burning):
                lines = [_level_line(p.text, p.level) for p in c.proposals]
                entries.append((c.id, c.heading, lines, {c.id}))
        have = {a["flipover_id"] for a in _storage(self.store.action_rows, forloeb_id)}
        new_rows = []
        for flip_id, heading, lines, ids in entries:
            if ids & have:
                continue
            for c in chosen:
                if c.id in ids:
                    for action in c.actions:
                        lines += [_level_line(p.text, p.level) for p in action.proposals]
            activities = list(dict.fromkeys(line for line in lines if line))
            new_rows.append(
                {
                    "area": heading,
                    "goal": "",
                    "activities": "\n".join(activities),
                    "flipover_id": flip_id,
                }
            )
        if new_rows:
            _storage(self.store.add_action_rows, forloeb_id, new_rows)
        return len(new_rows)

    def _action_values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, value in fields.items():
            if name in ACTION_TEXT:
                values[name] = _clean(value, name=name)
            elif name == "notes":
                values[name] = _clean(value, multiline=True, name="Noter")
            elif name == "activities":
                values[name] = "\n".join(_lines(value, "Aktiviteter"))
            elif name == "status":
                if not _known(value, ACTION_STATUSES):
                    raise CourseError(f"Ukendt status: {_shown(value)}")
                values[name] = value
            else:
                raise CourseError(f"Ukendt felt: {_shown(name)}")
        return values

    def add_action(self, forloeb_id: int, **fields: Any) -> int:
        """A new row at the end; fields as update_action's; its id."""
        values = self._action_values(fields)
        self._forloeb_row(forloeb_id)
        try:
            return _storage(self.store.add_action_rows, forloeb_id, [values])[0]
        except LookupError:
            raise CourseError(f"Forløb {forloeb_id} findes ikke.") from None

    def update_action(self, row_id: int, **fields: Any) -> None:
        """area, goal, activities (sequence of lines), responsible, start, follow_up,
        status, notes. Missing ansvarlig or dates are flagged on read, not refused."""
        values = self._action_values(fields)
        if not _storage(self.store.update_action_row, row_id, values):
            raise CourseError(f"Rækken {row_id} findes ikke i handleplanen.")

    def move_action(self, row_id: int, delta: int) -> None:
        """Move a row up (-1) or down (+1) in the order."""
        if isinstance(delta, bool) or not isinstance(delta, int):
            raise CourseError("Rækken kan kun flyttes op eller ned.")
        if not _storage(self.store.move_action_row, row_id, delta):
            raise CourseError(f"Rækken {row_id} findes ikke i handleplanen.")

    def delete_action(self, row_id: int) -> None:
        if not _storage(self.store.delete_action_row, row_id):
            raise CourseError(f"Rækken {row_id} findes ikke i handleplanen.")

    def add_follow_up(self, row_id: int, date_text: str, status: str, note: str) -> int:
        """One entry of the row's follow-up log; a status also becomes the row's."""
        status = status or ""
        if status and not _known(status, ACTION_STATUSES):
            raise CourseError(f"Ukendt status: {_shown(status)}")
        entry = _storage(
            self.store.add_follow_up_row,
            row_id,
            _clean(date_text, name="Datoen"),
            status,
            _clean(note, multiline=True, name="Noten"),
        )
        if entry is None:
            raise CourseError(f"Rækken {row_id} findes ikke i handleplanen.")
        return entry

    # ------------------------------------------------------------ sygefravær
    def _absence_values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, value in fields.items():
            if name in ABSENCE_TEXT:
                values[name] = _clean(value, name=name)
            elif name == "absence":
                values[name] = _number(value, "Fraværet")
            elif name == "actual":
                values[name] = _number(value, "De faktiske arbejdsdagsværk")
            elif name == "unit":
                if not _known(value, ("days", "hours")):
                    raise CourseError("Enheden skal være dage eller timer.")
                values[name] = value
            else:
                raise CourseError(f"Ukendt felt: {_shown(name)}")
        return values

    def add_absence(self, forloeb_id: int, **fields: Any) -> int:
        """label, period_start, period_end, absence, actual, unit ("days"|"hours")."""
        values = self._absence_values(fields)
        record = _storage(self.store.add_absence_row, forloeb_id, values)
        if record is None:
            raise CourseError(f"Forløb {forloeb_id} findes ikke.")
        return record

    def update_absence(self, record_id: int, **fields: Any) -> None:
        values = self._absence_values(fields)
        if not _storage(self.store.update_absence_row, record_id, values):
            raise CourseError(f"Målingen {record_id} findes ikke.")

    def delete_absence(self, record_id: int) -> None:
        if not _storage(self.store.delete_absence_row, record_id):
            raise CourseError(f"Målingen {record_id} findes ikke.")

    # ------------------------------------------------------------ archive
    def archive(self, forloeb_id: int, *, include_confidential: bool = False) -> dict:
        """The whole course as a JSON-ready dict: {"kind": ARCHIVE_KIND, "version":
        ARCHIVE_VERSION, ...}. No tokens, device ids, device secret or lease; særskilt
        spor only when asked."""
        row = self._forloeb_row(forloeb_id)
        try:
            return archive_module.export(self.store, row, include_confidential)
        except StorageError as exc:
            raise CourseError(str(exc)) from None

    def import_archive(self, document: Any) -> int:
        """Restore an archive as a new forløb in one transaction; its id. ArchiveError
        (nothing written) for a document that is not ours, truncated, or newer."""
        course = archive_module.read(document)
        try:
            return self.store.import_forloeb(course)
        except StorageError as exc:
            # Danish only: the faults a room meets are named in Danish by storage; any
            # other (a driver's own words) is not shown.
            known = next((da for da in _STORAGE_DA if da in str(exc)), None)
            why = known or "databasen tog ikke imod det"
            raise ArchiveError(f"Forløbet kunne ikke indlæses ({why}); intet er gemt.") from None


# ---------------------------------------------------------------- helpers
def _plan(row: Mapping[str, Any]) -> dict[str, str]:
    try:
        plan = json.loads(row["plan"] or "{}")
    except ValueError:
        return {}
    return {k: str(v) for k, v in plan.items() if k in PLAN_STEPS} if isinstance(plan, dict) else {}


def _level_line(text: str, level: str) -> str:
    return f"{LEVELS[level]}: {text}" if level in LEVELS else text


def _absence_row(r: Mapping[str, Any]) -> AbsenceRow:
    flags: list[str] = []
    begin, end = parse_date(r["period_start"]), parse_date(r["period_end"])
    for text in (r["period_start"], r["period_end"]):
        problem = date_problem(text or "")
        if problem:
            flags.append(problem)
    if begin and end and end < begin:
        flags.append("Perioden slutter før den begynder")
    if r["actual"] + r["absence"] <= 0:
        flags.append("Fravær og faktiske arbejdsdagsværk mangler")
    elif r["actual"] <= 0:
        flags.append("Faktiske arbejdsdagsværk mangler")
    return AbsenceRow(
        id=r["id"],
        position=r["position"],
        label=r["label"],
        period_start=r["period_start"],
        period_end=r["period_end"],
        absence=float(r["absence"]),
        actual=float(r["actual"]),
        unit=r["unit"],
        flags=tuple(flags),
    )


CHAINED_STEPS = tuple(k for k in PLAN_STEPS if k not in ("absence_before", "absence_after"))


def _plan_flags(
    plan: Mapping[str, str],
    handleplan_date: str,
    today: date,
    happened: set[str] | frozenset = frozenset(),
) -> tuple[str, ...]:
    """Each dated step against the latest dated step before it (the sygefravær's
    measurements are out of that chain); a step that has not happened yet and was planned
    more than a year ago; dates that cannot be read or lack their year."""
    flags: list[str] = []
    latest: tuple[str, date] | None = None
    long_ago = today - timedelta(days=LONG_PAST_DAYS)
    for step, label in PLAN_STEPS.items():
        text = plan.get(step, "")
        if not text:
            continue
        when = parse_date(text)
        if when is None:
            flags.append(f"{label}: {date_problem(text) or unreadable(text)}")
            continue
        if step in CHAINED_STEPS:
            if latest is not None and when < latest[1]:
                flags.append(f"{label} ligger før {latest[0]}")
            if latest is None or when > latest[1]:
                latest = (label, when)
        if step not in happened and when < long_ago:
            flags.append(f"{label} ligger over et år tilbage")
    if handleplan_date and parse_date(handleplan_date) is None:
        problem = date_problem(handleplan_date) or unreadable(handleplan_date)
        flags.append(f"Handleplanens dato: {problem}")
    return tuple(flags)


def _revision_due(
    handleplan_date: str, actions: Sequence[Mapping[str, Any]], planned: str = ""
) -> date | None:
    """Three years after the handleplan's date; without one, after its planned date (with
    a handleplan made), else after the earliest start date of a row that reads; else
    None (a draft row alone starts no clock)."""
    adopted = parse_date(handleplan_date or "")
    if adopted is None and actions:
        adopted = parse_date(planned or "")
    if adopted is None:
        starts = [d for a in actions if (d := parse_date(a["start"] or "")) is not None]
        adopted = min(starts) if starts else None
    return None if adopted is None else add_years(adopted, REVISION_YEARS)


def _next_step(
    meetings: Sequence[MeetingInfo],
    second: Sequence[Mapping[str, Any]],
    held: set[int],
    plan: Mapping[str, str],
    actions: Sequence[Mapping[str, Any]],
    overdue: int,
    revision: date | None,
    today: date,
) -> str:
    def planned(step: str, label: str, missing: str) -> str:
        text = plan.get(step, "")
        when = parse_date(text)
        if when is not None:
            return f"{label} {short_date_da(when, today)}"
        return f"{label} {text}" if text else f"{label} {missing}"

    if actions:  # a handleplan, whatever meetings the forløb holds
        if overdue:
            return f"{overdue} opfølgning{'er' if overdue > 1 else ''} overskredet"
        lacking = sum(
            1
            for a in actions
            if not a["responsible"].strip() or not a["start"].strip() or not a["follow_up"].strip()
        )
        if lacking:
            rows = "række" if lacking == 1 else "rækker"
            return f"Handleplan mangler ansvarlig eller datoer ({lacking} {rows})"
        upcoming = sorted(
            d
            for a in actions
            if a["status"] != "done"
            and (d := parse_date(a["follow_up"])) is not None
            and d >= today
        )
        if upcoming:
            return f"Næste opfølgning {short_date_da(upcoming[0], today)}"
        if revision is not None:
            return f"APV revideres senest {short_date_da(revision, today)}"
        return "Handleplan følges op"
    second_ids = {m["id"] for m in second}
    if second_ids and (
        any(i in held for i in second_ids) or any(m.id not in second_ids for m in meetings)
    ):
        return "Handleplan mangler"
    firsts = [m for m in meetings if m.id not in second_ids and m.id in held]
    if not firsts:  # none yet, or made in advance and not held
        return planned("meeting_1", "1. dialogmøde", "mangler")
    wishes = sum(m.wishes for m in firsts)
    assessed = sum(m.assessed for m in firsts)
    if wishes > assessed:
        return f"Vurdering mangler ({wishes - assessed} af {wishes} ønsker)"
    return planned("meeting_2", "2. dialogmøde", "skal planlægges")
