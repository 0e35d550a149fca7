"""Meetings, their tokens and idempotency keys, and the clock state of their phases."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from storage.base import StoreBase, reason
from storage.db import StorageError
from storage.models import Forloeb, IdempotencyKey, Meeting, PhaseRun
from storage.rows import new_code, new_token


class MeetingStore(StoreBase):
    def _new_code(self) -> str:
        """A meeting's short code (storage.repo.Store draws it from storage.repo.new_code)."""
        return new_code()

    def create_meeting(
        self,
        *,
        title: str,
        agenda_name: str,
        agenda_toml: str,
        phase_seconds: Sequence[tuple[float, int]],
        groups: int = 0,
        participants: int = 0,
        forloeb_id: int | None = None,
    ) -> Meeting:
        """A new meeting with one not-started PhaseRun per phase (duration, turn count)."""

        def work(session: Session) -> Meeting:
            fid = forloeb_id
            if fid is None:
                forloeb = Forloeb(name=title)
                session.add(forloeb)
                session.flush()
                fid = forloeb.id
            meeting = Meeting(
                forloeb_id=fid,
                title=title,
                agenda_name=agenda_name,
                agenda_toml=agenda_toml,
                groups=groups,
                participants=participants,
                code=self._new_code(),
                assistant_token=new_token(),
                control_token=new_token(),
                device_secret=secrets.token_urlsafe(32),
            )
            session.add(meeting)
            session.flush()
            for index, (seconds, _turns) in enumerate(phase_seconds):
                session.add(PhaseRun(meeting_id=meeting.id, phase_index=index, duration_s=seconds))
            return meeting

        return self._write(work)

    def idempotent(self, meeting_id: int, key: str) -> tuple[str, str] | None:
        """(scope, result) of the write that was stored with this key, if one was."""
        with self._session() as session:
            row = session.exec(
                select(IdempotencyKey).where(
                    IdempotencyKey.meeting_id == meeting_id, IdempotencyKey.key == key
                )
            ).first()
            return None if row is None else (row.scope, row.result)

    def get_meeting(self, meeting_id: int) -> Meeting | None:
        with self._session() as session:
            return session.get(Meeting, meeting_id)

    def list_meetings(self) -> list[Meeting]:
        with self._session() as session:
            return list(session.exec(select(Meeting).order_by(Meeting.id.desc())))

    def set_current_phase(self, meeting_id: int, index: int) -> None:
        def work(session: Session) -> None:
            meeting = session.get(Meeting, meeting_id)
            meeting.current_phase = index
            session.add(meeting)

        self._write(work)

    def rotate_tokens(self, meeting_id: int) -> tuple[str, str] | None:
        """New assistant and control tokens (the old links stop working); None if no
        such meeting."""

        def work(session: Session) -> tuple[str, str] | None:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None:
                return None
            meeting.assistant_token = new_token()
            meeting.control_token = new_token()
            session.add(meeting)
            return meeting.assistant_token, meeting.control_token

        return self._write(work)

    def meeting_tokens(self, meeting_id: int) -> tuple[str, str] | None:
        """(assistant token, control token) as stored now. Raises StorageError."""
        try:
            with self._session() as session:
                row = session.exec(
                    select(Meeting.assistant_token, Meeting.control_token).where(
                        Meeting.id == meeting_id
                    )
                ).first()
        except SQLAlchemyError as exc:
            raise StorageError(f"kunne ikke læse: {reason(exc)}") from None
        return None if row is None else (row[0], row[1])

    # ------------------------------------------------------------ phase clocks
    def phase_runs(self, meeting_id: int) -> list[PhaseRun]:
        with self._session() as session:
            query = (
                select(PhaseRun)
                .where(PhaseRun.meeting_id == meeting_id)
                .order_by(PhaseRun.phase_index)
            )
            return list(session.exec(query))

    def set_turn_names(self, meeting_id: int, phase_index: int, names: Sequence[str]) -> bool:
        """Fix a phase's turns by name (fremlæggelse: one per group the room formed);
        stored as a JSON list, so a restarted app keeps them. [] fixes the turns the
        group setting gives. False when the meeting has no such phase."""
        text = json.dumps(list(names), ensure_ascii=False)
        return self._set_phase_run(meeting_id, phase_index, turn_names=text)

    def _set_phase_run(self, meeting_id: int, phase_index: int, **values: object) -> bool:
        """Set fields of one phase's run; False when the meeting has no such phase."""

        def work(session: Session) -> bool:
            run = _phase_run(session, meeting_id, phase_index)
            if run is None:
                return False
            for name, value in values.items():
                setattr(run, name, value)
            session.add(run)
            return True

        return self._write(work)

    def save_clock(
        self,
        meeting_id: int,
        phase_index: int,
        *,
        duration_s: float,
        elapsed_s: float,
        running_since: float | None,
        started: bool,
        turn_extra: Iterable[float],
        current_phase: int | None = None,
    ) -> None:
        """Persist one phase's clock (and, if given, the meeting's current phase) at once."""

        def work(session: Session) -> None:
            run = _phase_run(session, meeting_id, phase_index)
            if run is None:
                run = PhaseRun(meeting_id=meeting_id, phase_index=phase_index, duration_s=0)
            run.duration_s = duration_s
            run.elapsed_s = elapsed_s
            run.running_since = running_since
            run.started = started
            run.turn_extra = ",".join(f"{x:g}" for x in turn_extra)
            session.add(run)
            if current_phase is not None:
                meeting = session.get(Meeting, meeting_id)
                meeting.current_phase = current_phase
                session.add(meeting)

        self._write(work)

    def set_vote_closed(self, meeting_id: int, phase_index: int, closed: bool) -> bool:
        """Close (or reopen) a vote phase's marks from phones; stored, so it survives a
        restart. False when the meeting has no such phase."""
        return self._set_phase_run(meeting_id, phase_index, vote_closed=closed)


def _phase_run(session: Session, meeting_id: int, phase_index: int) -> PhaseRun | None:
    return session.exec(
        select(PhaseRun).where(
            PhaseRun.meeting_id == meeting_id, PhaseRun.phase_index == phase_index
        )
    ).first()
