"""The APV course's reads and writes: forløb, vurdering, særskilt spor plans, the
handleplan with its follow-up log, sygefravær, and the archive's rows.

Plain rows (dicts) out, short sessions, one transaction per write; the course's rules
(text cleaning, flags, ranking) live above, in facilitator.course.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session

from storage.base import StoreBase
from storage.models import (
    AbsenceRecord,
    ActionItem,
    Assessment,
    Choice,
    ConfidentialPlan,
    Flipover,
    FollowUp,
    Forloeb,
    Group,
    Meeting,
    PhaseRun,
    Photo,
    Proposal,
    Theme,
    Vote,
    utcnow,
)
from storage.rows import new_token

Row = dict[str, Any]

FORLOEB = Forloeb.__table__
MEETING = Meeting.__table__
FLIP = Flipover.__table__
GROUP = Group.__table__
PROP = Proposal.__table__
VOTE = Vote.__table__
CHOICE = Choice.__table__
THEME = Theme.__table__
PHOTO = Photo.__table__
ASSESS = Assessment.__table__
PLAN = ConfidentialPlan.__table__
ACTION = ActionItem.__table__
FOLLOW = FollowUp.__table__
ABSENCE = AbsenceRecord.__table__

# The meeting's columns the course reads (never its tokens, code, secret or lease).
MEETING_COLUMNS = (
    MEETING.c.id,
    MEETING.c.forloeb_id,
    MEETING.c.title,
    MEETING.c.agenda_name,
    MEETING.c.agenda_toml,
    MEETING.c.created_at,
    MEETING.c.groups,
    MEETING.c.participants,
    MEETING.c.current_phase,
)
PLAN_FIELDS = (
    "problem_kind",
    "gravity",
    "extent",
    "cause",
    "solution",
    "responsible",
    "start",
    "follow_up",
    "status",
    "notes",
)
ACTION_FIELDS = (
    "area",
    "goal",
    "activities",
    "responsible",
    "start",
    "follow_up",
    "status",
    "notes",
    "flipover_id",
)
ABSENCE_FIELDS = ("label", "period_start", "period_end", "absence", "actual", "unit")
FORLOEB_FIELDS = (
    "name",
    "workplace",
    "unit",
    "tovholder",
    "moedeleder",
    "help_contacts",
    "plan",
    "handleplan_date",
)


def _rows(result: Iterable[Any]) -> list[Row]:
    return [dict(r._mapping) for r in result]


class CourseStore(StoreBase):
    def _read(self, fn: Callable[[Any], Any]) -> Any:
        with self._session() as session:
            return fn(session.connection().execute)

    # ------------------------------------------------------------ forløb
    def add_forloeb(self, values: Mapping[str, Any]) -> int:
        fields = {k: values[k] for k in FORLOEB_FIELDS if k in values}

        def work(session: Session) -> int:
            result = session.connection().execute(
                insert(FORLOEB).values(created_at=utcnow(), **fields)
            )
            return int(result.inserted_primary_key[0])

        return self._write(work)

    def update_forloeb_row(self, forloeb_id: int, values: Mapping[str, Any]) -> bool:
        fields = {k: values[k] for k in FORLOEB_FIELDS if k in values}

        def work(session: Session) -> bool:
            run = session.connection().execute
            if not fields:
                return _exists(run, FORLOEB, forloeb_id)
            return (
                run(update(FORLOEB).where(FORLOEB.c.id == forloeb_id).values(**fields)).rowcount > 0
            )

        return self._write(work)

    def forloeb_row(self, forloeb_id: int) -> Row | None:
        rows = self._read(
            lambda run: _rows(run(sa_select(FORLOEB).where(FORLOEB.c.id == forloeb_id)))
        )
        return rows[0] if rows else None

    def forloeb_rows(self) -> list[Row]:
        """Every forløb, newest first."""
        return self._read(lambda run: _rows(run(sa_select(FORLOEB).order_by(FORLOEB.c.id.desc()))))

    def forloeb_meetings(self, forloeb_id: int) -> list[Row]:
        """The forløb's meetings in order (by id), without their secrets."""
        return self._read(
            lambda run: _rows(
                run(
                    sa_select(*MEETING_COLUMNS)
                    .where(MEETING.c.forloeb_id == forloeb_id)
                    .order_by(MEETING.c.id)
                )
            )
        )

    def course_meeting(self, meeting_id: int) -> Row | None:
        rows = self._read(
            lambda run: _rows(run(sa_select(*MEETING_COLUMNS).where(MEETING.c.id == meeting_id)))
        )
        return rows[0] if rows else None

    # ------------------------------------------------ flip-overs, as the course reads them
    def course_flipovers(self, meeting_ids: Sequence[int]) -> list[Row]:
        """Every flip-over of the meetings (særskilt spor too) in entry order, with its
        group, proposals [(text, level)], marks, vurdering and wish.

        ``confidential`` is read, not only stored: a flip-over is in særskilt spor when it
        was moved there (``own_confidential``) or when the wish it was taken from or works
        on (``wish_id``, followed back to its source) is, so that a wish moved to særskilt
        spor after a 2nd meeting copied it does not stay open through the copy."""
        ids = list(meeting_ids)
        if not ids:
            return []

        def read(run: Any) -> list[Row]:
            flips = _rows(
                run(
                    sa_select(
                        FLIP,
                        GROUP.c.number.label("group"),
                        GROUP.c.grouping,
                        ASSESS.c.id.label("assessment_id"),
                        ASSESS.c.status.label("status"),
                        ASSESS.c.reason.label("reason"),
                    )
                    .join(GROUP, GROUP.c.id == FLIP.c.group_id)
                    .outerjoin(ASSESS, ASSESS.c.flipover_id == FLIP.c.id)
                    .where(FLIP.c.meeting_id.in_(ids))
                    .order_by(FLIP.c.id)
                )
            )
            fids = [f["id"] for f in flips]
            proposals: dict[int, list[tuple[str, str]]] = {i: [] for i in fids}
            marks: dict[int, int] = {}
            photos: set[int] = set()
            if fids:
                for fid, text, level in run(
                    sa_select(PROP.c.flipover_id, PROP.c.text, PROP.c.level)
                    .where(PROP.c.flipover_id.in_(fids))
                    .order_by(PROP.c.flipover_id, PROP.c.position, PROP.c.id)
                ):
                    proposals[fid].append((text, level or ""))
                for fid, count in run(
                    sa_select(VOTE.c.flipover_id, func.count(VOTE.c.id))
                    .where(VOTE.c.flipover_id.in_(fids))
                    .group_by(VOTE.c.flipover_id)
                ):
                    marks[fid] = int(count)
                photos = set(
                    run(sa_select(PHOTO.c.flipover_id).where(PHOTO.c.flipover_id.in_(fids)))
                    .scalars()
                    .all()
                )
            hidden = _hidden(run, flips)
            for flip in flips:
                flip["own_confidential"] = bool(flip["confidential"])
                flip["confidential"] = flip["id"] in hidden
                flip["proposals"] = tuple(proposals[flip["id"]])
                flip["marks"] = marks.get(flip["id"], 0)
                flip["status"] = flip["status"] or ""
                flip["reason"] = flip["reason"] or ""
                flip["has_photo"] = flip["id"] in photos
            return flips

        return self._read(read)

    def flipover_meeting(self, flipover_id: int) -> int | None:
        """The meeting a flip-over belongs to (None: no such flip-over)."""
        return self._read(
            lambda run: run(sa_select(FLIP.c.meeting_id).where(FLIP.c.id == flipover_id)).scalar()
        )

    def course_themes(self, meeting_ids: Sequence[int]) -> list[Row]:
        ids = list(meeting_ids)
        if not ids:
            return []
        return self._read(
            lambda run: _rows(
                run(sa_select(THEME).where(THEME.c.meeting_id.in_(ids)).order_by(THEME.c.id))
            )
        )

    def choice_counts(self, meeting_id: int) -> dict[tuple[int, str, int], int]:
        """(phase index, "f"|"t", id) → how many chose it (phones and hands)."""

        def read(run: Any) -> dict[tuple[int, str, int], int]:
            out: dict[tuple[int, str, int], int] = {}
            for phase, fid, tid, count in run(
                sa_select(
                    CHOICE.c.phase_index,
                    CHOICE.c.flipover_id,
                    CHOICE.c.theme_id,
                    func.count(CHOICE.c.id),
                )
                .where(CHOICE.c.meeting_id == meeting_id)
                .group_by(CHOICE.c.phase_index, CHOICE.c.flipover_id, CHOICE.c.theme_id)
            ):
                key = (phase, "f", fid) if fid is not None else (phase, "t", tid)
                out[key] = int(count)
            return out

        return self._read(read)

    def marks_by_phase(self, meeting_id: int) -> dict[tuple[int, int], int]:
        """(flip-over id, phase index) → marks."""

        def read(run: Any) -> dict[tuple[int, int], int]:
            return {
                (fid, phase): int(count)
                for fid, phase, count in run(
                    sa_select(VOTE.c.flipover_id, VOTE.c.phase_index, func.count(VOTE.c.id))
                    .where(VOTE.c.meeting_id == meeting_id)
                    .group_by(VOTE.c.flipover_id, VOTE.c.phase_index)
                )
            }

        return self._read(read)

    def course_groups(self, meeting_id: int) -> list[Row]:
        return self._read(
            lambda run: _rows(
                run(
                    sa_select(GROUP.c.id, GROUP.c.grouping, GROUP.c.number, GROUP.c.label)
                    .where(GROUP.c.meeting_id == meeting_id)
                    .order_by(GROUP.c.grouping, GROUP.c.number)
                )
            )
        )

    def course_photos(self, flipover_ids: Sequence[int]) -> list[Row]:
        ids = list(flipover_ids)
        if not ids:
            return []
        return self._read(
            lambda run: _rows(
                run(
                    sa_select(PHOTO.c.flipover_id, PHOTO.c.content_type, PHOTO.c.data)
                    .where(PHOTO.c.flipover_id.in_(ids))
                    .order_by(PHOTO.c.id)
                )
            )
        )

    # ------------------------------------------------------------ vurdering, særskilt spor
    def set_assessment(self, flipover_id: int, status: str, reason: str, separate: bool) -> bool:
        """Upsert the flip-over's vurdering; ``separate`` also moves it to særskilt spor
        (out of its theme and the priorities); a status that leaves "separate_track"
        brings it back. False when no such flip-over."""

        def work(session: Session) -> bool:
            run = session.connection().execute
            if not _exists(run, FLIP, flipover_id):
                return False
            before = run(
                sa_select(ASSESS.c.status).where(ASSESS.c.flipover_id == flipover_id)
            ).scalar()
            changed = run(
                update(ASSESS)
                .where(ASSESS.c.flipover_id == flipover_id)
                .values(status=status, reason=reason, updated_at=utcnow())
            ).rowcount
            if not changed:
                run(
                    insert(ASSESS).values(
                        flipover_id=flipover_id, status=status, reason=reason, updated_at=utcnow()
                    )
                )
            if separate:
                run(
                    update(FLIP)
                    .where(FLIP.c.id == flipover_id)
                    .values(confidential=True, theme_id=None, priority=None)
                )
            elif before == "separate_track":
                # The vurdering moved it there and now moves it back (out of any theme
                # and the priorities still; the room can put it back in).
                run(update(FLIP).where(FLIP.c.id == flipover_id).values(confidential=False))
            return True

        return self._write(work)

    def confidential_plans(self, flipover_ids: Sequence[int]) -> dict[int, Row]:
        ids = list(flipover_ids)
        if not ids:
            return {}
        rows = self._read(
            lambda run: _rows(run(sa_select(PLAN).where(PLAN.c.flipover_id.in_(ids))))
        )
        return {r["flipover_id"]: r for r in rows}

    def set_confidential_plan_row(self, flipover_id: int, values: Mapping[str, Any]) -> str:
        """Upsert the plan: "ok", "missing" (no such flip-over) or "open" (not in
        særskilt spor)."""
        fields = {k: values[k] for k in PLAN_FIELDS if k in values}

        def work(session: Session) -> str:
            run = session.connection().execute
            flip = run(
                sa_select(FLIP.c.id, FLIP.c.confidential, FLIP.c.wish_id).where(
                    FLIP.c.id == flipover_id
                )
            ).first()
            if flip is None:
                return "missing"
            if not _hidden(run, [dict(flip._mapping)]):  # særskilt spor, itself or by its wish
                return "open"
            changed = run(
                update(PLAN)
                .where(PLAN.c.flipover_id == flipover_id)
                .values(updated_at=utcnow(), **fields)
            ).rowcount
            if not changed:
                run(insert(PLAN).values(flipover_id=flipover_id, updated_at=utcnow(), **fields))
            return "ok"

        return self._write(work)

    # ------------------------------------------------------------ handleplan
    def action_rows(self, forloeb_id: int) -> list[Row]:
        return self._read(
            lambda run: _rows(
                run(
                    sa_select(ACTION)
                    .where(ACTION.c.forloeb_id == forloeb_id)
                    .order_by(ACTION.c.position, ACTION.c.id)
                )
            )
        )

    def action_row(self, row_id: int) -> Row | None:
        rows = self._read(lambda run: _rows(run(sa_select(ACTION).where(ACTION.c.id == row_id))))
        return rows[0] if rows else None

    def follow_up_rows(self, forloeb_id: int) -> list[Row]:
        return self._read(
            lambda run: _rows(
                run(
                    sa_select(FOLLOW)
                    .join(ACTION, ACTION.c.id == FOLLOW.c.action_item_id)
                    .where(ACTION.c.forloeb_id == forloeb_id)
                    .order_by(FOLLOW.c.id)
                )
            )
        )

    def add_action_rows(self, forloeb_id: int, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Rows at the end of the handleplan, in one transaction; their ids."""

        def work(session: Session) -> list[int]:
            run = session.connection().execute
            if not _exists(run, FORLOEB, forloeb_id):
                raise LookupError(forloeb_id)
            last = run(
                sa_select(func.max(ACTION.c.position)).where(ACTION.c.forloeb_id == forloeb_id)
            ).scalar()
            position = int(last or 0)
            ids = []
            for values in rows:
                position += 1
                fields = {k: values[k] for k in ACTION_FIELDS if k in values}
                now = utcnow()
                result = run(
                    insert(ACTION).values(
                        forloeb_id=forloeb_id,
                        position=position,
                        created_at=now,
                        updated_at=now,
                        **fields,
                    )
                )
                ids.append(int(result.inserted_primary_key[0]))
            return ids

        return self._write(work)

    def update_action_row(self, row_id: int, values: Mapping[str, Any]) -> bool:
        fields = {k: values[k] for k in ACTION_FIELDS if k in values}

        def work(session: Session) -> bool:
            run = session.connection().execute
            result = run(
                update(ACTION).where(ACTION.c.id == row_id).values(updated_at=utcnow(), **fields)
            )
            return result.rowcount > 0

        return self._write(work)

    def move_action_row(self, row_id: int, delta: int) -> bool:
        """Move the row ``delta`` places (clamped); positions stay 1..n."""

        def work(session: Session) -> bool:
            run = session.connection().execute
            row = run(sa_select(ACTION.c.forloeb_id).where(ACTION.c.id == row_id)).first()
            if row is None:
                return False
            order = list(
                run(
                    sa_select(ACTION.c.id)
                    .where(ACTION.c.forloeb_id == row[0])
                    .order_by(ACTION.c.position, ACTION.c.id)
                ).scalars()
            )
            here = order.index(row_id)
            there = max(0, min(len(order) - 1, here + delta))
            order.insert(there, order.pop(here))
            _renumber(run, order)
            return True

        return self._write(work)

    def delete_action_row(self, row_id: int) -> bool:
        def work(session: Session) -> bool:
            run = session.connection().execute
            row = run(sa_select(ACTION.c.forloeb_id).where(ACTION.c.id == row_id)).first()
            if row is None:
                return False
            run(delete(FOLLOW).where(FOLLOW.c.action_item_id == row_id))
            run(delete(ACTION).where(ACTION.c.id == row_id))
            order = list(
                run(
                    sa_select(ACTION.c.id)
                    .where(ACTION.c.forloeb_id == row[0])
                    .order_by(ACTION.c.position, ACTION.c.id)
                ).scalars()
            )
            _renumber(run, order)
            return True

        return self._write(work)

    def add_follow_up_row(self, row_id: int, date: str, status: str, note: str) -> int | None:
        """One entry of the row's log; a status also becomes the row's. None: no row."""

        def work(session: Session) -> int | None:
            run = session.connection().execute
            if not _exists(run, ACTION, row_id):
                return None
            result = run(
                insert(FOLLOW).values(
                    action_item_id=row_id, date=date, status=status, note=note, created_at=utcnow()
                )
            )
            if status:
                run(
                    update(ACTION)
                    .where(ACTION.c.id == row_id)
                    .values(status=status, updated_at=utcnow())
                )
            return int(result.inserted_primary_key[0])

        return self._write(work)

    # ------------------------------------------------------------ sygefravær
    def absence_rows(self, forloeb_id: int) -> list[Row]:
        return self._read(
            lambda run: _rows(
                run(
                    sa_select(ABSENCE)
                    .where(ABSENCE.c.forloeb_id == forloeb_id)
                    .order_by(ABSENCE.c.position, ABSENCE.c.id)
                )
            )
        )

    def add_absence_row(self, forloeb_id: int, values: Mapping[str, Any]) -> int | None:
        fields = {k: values[k] for k in ABSENCE_FIELDS if k in values}

        def work(session: Session) -> int | None:
            run = session.connection().execute
            if not _exists(run, FORLOEB, forloeb_id):
                return None
            last = run(
                sa_select(func.max(ABSENCE.c.position)).where(ABSENCE.c.forloeb_id == forloeb_id)
            ).scalar()
            result = run(
                insert(ABSENCE).values(
                    forloeb_id=forloeb_id,
                    position=int(last or 0) + 1,
                    created_at=utcnow(),
                    **fields,
                )
            )
            return int(result.inserted_primary_key[0])

        return self._write(work)

    def absence_row(self, record_id: int) -> Row | None:
        rows = self._read(
            lambda run: _rows(run(sa_select(ABSENCE).where(ABSENCE.c.id == record_id)))
        )
        return rows[0] if rows else None

    def update_absence_row(self, record_id: int, values: Mapping[str, Any]) -> bool:
        fields = {k: values[k] for k in ABSENCE_FIELDS if k in values}

        def work(session: Session) -> bool:
            run = session.connection().execute
            if not fields:
                return _exists(run, ABSENCE, record_id)
            return (
                run(update(ABSENCE).where(ABSENCE.c.id == record_id).values(**fields)).rowcount > 0
            )

        return self._write(work)

    def delete_absence_row(self, record_id: int) -> bool:
        def work(session: Session) -> bool:
            run = session.connection().execute
            row = run(sa_select(ABSENCE.c.forloeb_id).where(ABSENCE.c.id == record_id)).first()
            if row is None:
                return False
            run(delete(ABSENCE).where(ABSENCE.c.id == record_id))
            order = list(
                run(
                    sa_select(ABSENCE.c.id)
                    .where(ABSENCE.c.forloeb_id == row[0])
                    .order_by(ABSENCE.c.position, ABSENCE.c.id)
                ).scalars()
            )
            for position, rid in enumerate(order, 1):
                run(update(ABSENCE).where(ABSENCE.c.id == rid).values(position=position))
            return True

        return self._write(work)

    def count_forloeb(self) -> int:
        return int(self._read(lambda run: run(sa_select(func.count(FORLOEB.c.id))).scalar()))

    # ------------------------------------------------------------ import
    def import_forloeb(self, course: Mapping[str, Any]) -> int:
        """Write a whole course in one transaction; its new forløb id.

        ``course``: {"forloeb": {fields}, "meetings": [{fields, "phase_seconds": [s…],
        "groups_rows": [{grouping, number, label, ref}], "themes": [{name, priority, ref}],
        "flipovers": [{ref, group_ref, theme_ref, wish_ref, kind, heading, confidential,
        priority, phase_index, proposals [(text, level)], assessment {status, reason} |
        None, plan {…} | None, marks [(phase_index, count)], photos [(type, bytes)]}],
        "choices": [(phase_index, "f"|"t", ref, count)]}], "actions": [{fields,
        "wish_ref", "follow_ups": [{date, status, note}]}], "absence": [{fields}]}.
        Refs are archive-local; wish and theme refs resolve across the whole course.
        """

        def work(session: Session) -> int:
            run = session.connection().execute
            now = utcnow()
            forloeb = dict(course["forloeb"])
            forloeb.setdefault("created_at", now)
            fid = int(run(insert(FORLOEB).values(**forloeb)).inserted_primary_key[0])
            flip_ids: dict[Any, int] = {}
            wish_links: list[tuple[int, Any]] = []
            for meeting in course["meetings"]:
                values = {
                    k: meeting[k]
                    for k in (
                        "title",
                        "agenda_name",
                        "agenda_toml",
                        "created_at",
                        "groups",
                        "participants",
                        "current_phase",
                    )
                    if k in meeting
                }
                mid = int(
                    run(
                        insert(MEETING).values(
                            forloeb_id=fid,
                            code=self._new_code(),  # type: ignore[attr-defined]  # MeetingStore's
                            assistant_token=new_token(),
                            control_token=new_token(),
                            device_secret=secrets.token_urlsafe(32),
                            **values,
                        )
                    ).inserted_primary_key[0]
                )
                phase_runs = [
                    {
                        "meeting_id": mid,
                        "phase_index": index,
                        "duration_s": float(seconds),
                        "elapsed_s": 0.0,
                        "started": False,
                        "turn_extra": "",
                        "vote_closed": False,
                        "turn_names": "",
                    }
                    for index, seconds in enumerate(meeting.get("phase_seconds", ()))
                ]
                _many(run, PhaseRun.__table__, phase_runs)
                group_ids: dict[Any, int] = {}
                for group in meeting.get("groups_rows", ()):
                    group_ids[group["ref"]] = int(
                        run(
                            insert(GROUP).values(
                                meeting_id=mid,
                                grouping=group["grouping"],
                                number=group["number"],
                                label=group.get("label", ""),
                            )
                        ).inserted_primary_key[0]
                    )
                theme_ids: dict[Any, int] = {}
                for theme in meeting.get("themes", ()):
                    theme_ids[theme["ref"]] = int(
                        run(
                            insert(THEME).values(
                                meeting_id=mid,
                                name=theme["name"],
                                priority=theme.get("priority"),
                                created_at=now,
                            )
                        ).inserted_primary_key[0]
                    )
                # Rows that need no id back are written in one executemany per table.
                proposals: list[Row] = []
                votes: list[Row] = []
                assessments: list[Row] = []
                plans: list[Row] = []
                photos: list[Row] = []
                for flip in meeting.get("flipovers", ()):
                    new = int(
                        run(
                            insert(FLIP).values(
                                meeting_id=mid,
                                group_id=group_ids[flip["group_ref"]],
                                phase_index=flip["phase_index"],
                                kind=flip["kind"],
                                heading=flip["heading"],
                                confidential=bool(flip.get("confidential")),
                                theme_id=theme_ids.get(flip.get("theme_ref")),
                                priority=flip.get("priority"),
                                created_at=now,
                                updated_at=now,
                            )
                        ).inserted_primary_key[0]
                    )
                    flip_ids[flip["ref"]] = new
                    if flip.get("wish_ref") is not None:
                        wish_links.append((new, flip["wish_ref"]))
                    proposals += [
                        {"flipover_id": new, "position": position, "text": text, "level": level}
                        for position, (text, level) in enumerate(flip.get("proposals", ()))
                    ]
                    assessment = flip.get("assessment")
                    if assessment:
                        assessments.append({"flipover_id": new, "updated_at": now, **assessment})
                    plan = flip.get("plan")
                    if plan:
                        plans.append({"flipover_id": new, "updated_at": now, **plan})
                    for phase_index, count in flip.get("marks", ()):
                        vote = {
                            "meeting_id": mid,
                            "flipover_id": new,
                            "device_id": "",
                            "phase_index": phase_index,
                            "created_at": now,
                        }
                        votes += [vote] * max(count, 0)
                    photos += [
                        {
                            "flipover_id": new,
                            "content_type": content_type,
                            "data": data,
                            "created_at": now,
                        }
                        for content_type, data in flip.get("photos", ())
                    ]
                _many(run, PROP, proposals)
                _many(run, VOTE, votes)
                _many(run, ASSESS, assessments)
                _many(run, PLAN, plans)
                for photo in photos:  # one at a time: each may be megabytes
                    run(insert(PHOTO).values(**photo))
                choices: list[Row] = []
                for phase_index, kind, ref, count in meeting.get("choices", ()):
                    target = (
                        {"flipover_id": flip_ids[ref], "theme_id": None}
                        if kind == "f"
                        else {"flipover_id": None, "theme_id": theme_ids[ref]}
                    )
                    choice = {
                        "meeting_id": mid,
                        "phase_index": phase_index,
                        "device_id": "",
                        "created_at": now,
                        **target,
                    }
                    choices += [choice] * max(count, 0)
                _many(run, CHOICE, choices)
            if wish_links:
                run(
                    update(FLIP)
                    .where(FLIP.c.id == bindparam("flip"))
                    .values(wish_id=bindparam("wish")),
                    [{"flip": new, "wish": flip_ids[ref]} for new, ref in wish_links],
                )
            follow_ups: list[Row] = []
            for position, action in enumerate(course.get("actions", ()), 1):
                fields = {k: action[k] for k in ACTION_FIELDS if k in action and k != "flipover_id"}
                wish = action.get("wish_ref")
                row_id = int(
                    run(
                        insert(ACTION).values(
                            forloeb_id=fid,
                            position=position,
                            flipover_id=None if wish is None else flip_ids[wish],
                            created_at=action.get("created_at", now),
                            updated_at=now,
                            **fields,
                        )
                    ).inserted_primary_key[0]
                )
                follow_ups += [
                    {
                        "action_item_id": row_id,
                        "date": entry["date"],
                        "status": entry["status"],
                        "note": entry["note"],
                        "created_at": now,
                    }
                    for entry in action.get("follow_ups", ())
                ]
            _many(run, FOLLOW, follow_ups)
            for position, record in enumerate(course.get("absence", ()), 1):
                fields = {k: record[k] for k in ABSENCE_FIELDS if k in record}
                run(
                    insert(ABSENCE).values(
                        forloeb_id=fid, position=position, created_at=now, **fields
                    )
                )
            return fid

        return self._write(work)


def _hidden(run: Any, flips: Sequence[Row]) -> set[int]:
    """The ids of the flip-overs that are in særskilt spor themselves or through the wish
    they name (wish_id, followed across meetings)."""
    known: dict[int, tuple[bool, int | None]] = {
        f["id"]: (bool(f["confidential"]), f["wish_id"]) for f in flips
    }
    wanted = {w for _c, w in known.values() if w is not None and w not in known}
    while wanted:
        found = run(
            sa_select(FLIP.c.id, FLIP.c.confidential, FLIP.c.wish_id).where(
                FLIP.c.id.in_(sorted(wanted))
            )
        ).all()
        for fid, confidential, wish in found:
            known[fid] = (bool(confidential), wish)
        for fid in wanted - {row[0] for row in found}:
            known[fid] = (False, None)  # gone
        wanted = {w for _c, w in known.values() if w is not None and w not in known}

    memo: dict[int, bool] = {}

    def hidden(fid: int) -> bool:
        chain: list[int] = []
        result = False
        current: int | None = fid
        while current is not None and current not in memo and current not in chain:
            chain.append(current)
            confidential, current_wish = known.get(current, (False, None))
            if confidential:
                result = True
                break
            current = current_wish
        else:
            result = memo.get(current, False) if current is not None else False
        for link in chain:
            memo[link] = result
        return result

    return {f["id"] for f in flips if hidden(f["id"])}


def _many(run: Any, table: Any, rows: Sequence[Row]) -> None:
    """Rows into the table in one executemany (nothing when there are none)."""
    if rows:
        run(insert(table), list(rows))


def _exists(run: Any, table: Any, row_id: int) -> bool:
    return run(sa_select(table.c.id).where(table.c.id == row_id)).first() is not None


def _renumber(run: Any, order: Sequence[int]) -> None:
    for position, rid in enumerate(order, 1):
        run(update(ACTION).where(ACTION.c.id == rid).values(position=position))
