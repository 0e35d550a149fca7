"""Queries: every read and write the app makes, in short sessions, returning plain rows.

Each write function is one transaction; when it returns, the data is committed (and with
SQLite's synchronous=FULL, on disk).
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from storage.db import StorageError, open_engine
from storage.models import Flipover, Forloeb, Group, Meeting, PhaseRun, Proposal, Vote, utcnow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@dataclass(frozen=True)
class FlipoverRow:
    """A flip-over as plain data: what the engine and the UI work with."""

    id: int
    phase_index: int
    group: int  # the group's number within its grouping
    grouping: str
    kind: str
    heading: str
    proposals: tuple[str, ...]
    confidential: bool
    marks: int


@dataclass(frozen=True)
class Lease:
    pid: int | None
    host: str | None
    where: str | None
    heartbeat: float | None


class LeaseHeld(Exception):
    """Another live process holds the meeting."""

    def __init__(self, where: str):
        self.where = where
        super().__init__(where)


def new_token() -> str:
    """128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


class Store:
    """The database of one process. One engine, short sessions."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = open_engine(url)

    def close(self) -> None:
        self.engine.dispose()

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _write(self, fn):  # noqa: ANN001, ANN202 - small internal helper
        try:
            with self._session() as session:
                result = fn(session)
                session.commit()
                return result
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise StorageError(f"kunne ikke gemme: {reason}") from None

    # ------------------------------------------------------------ meetings
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
                code=new_code(),
                assistant_token=new_token(),
                control_token=new_token(),
            )
            session.add(meeting)
            session.flush()
            for index, (seconds, _turns) in enumerate(phase_seconds):
                session.add(PhaseRun(meeting_id=meeting.id, phase_index=index, duration_s=seconds))
            return meeting

        return self._write(work)

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

    def delete_meeting(self, meeting_id: int) -> None:
        def work(session: Session) -> None:
            for model in (Vote, PhaseRun):
                for row in session.exec(select(model).where(model.meeting_id == meeting_id)):
                    session.delete(row)
            for flip in session.exec(select(Flipover).where(Flipover.meeting_id == meeting_id)):
                for prop in session.exec(select(Proposal).where(Proposal.flipover_id == flip.id)):
                    session.delete(prop)
                session.flush()  # proposals first: else the FK cascade empties them under us
                session.delete(flip)
            session.flush()
            for group in session.exec(select(Group).where(Group.meeting_id == meeting_id)):
                session.delete(group)
            meeting = session.get(Meeting, meeting_id)
            if meeting is not None:
                session.delete(meeting)

        self._write(work)

    # ------------------------------------------------------------ lease
    def acquire_lease(
        self, meeting_id: int, pid: int, where: str, now: float, stale_after: float = 90.0
    ) -> None:
        """Take the meeting for this process. Raises LeaseHeld if a live process has it.

        A lease is stale when its process is gone (same host) or its heartbeat is older
        than ``stale_after`` seconds (another host); a stale lease is taken over at once.
        """
        host = socket.gethostname()

        def work(session: Session) -> None:
            meeting = session.get(Meeting, meeting_id)
            if meeting.lease_pid is not None and meeting.lease_pid != pid:
                if meeting.lease_host == host:
                    alive = _pid_alive(meeting.lease_pid)
                else:
                    alive = (now - (meeting.lease_heartbeat or 0)) < stale_after
                if alive:
                    raise LeaseHeld(meeting.lease_where or f"pid {meeting.lease_pid}")
            meeting.lease_pid = pid
            meeting.lease_host = host
            meeting.lease_where = where
            meeting.lease_heartbeat = now
            session.add(meeting)

        self._write(work)

    def heartbeat(self, meeting_id: int, pid: int, now: float) -> None:
        def work(session: Session) -> None:
            meeting = session.get(Meeting, meeting_id)
            if meeting is not None and meeting.lease_pid == pid:
                meeting.lease_heartbeat = now
                session.add(meeting)

        self._write(work)

    def release_lease(self, meeting_id: int, pid: int) -> None:
        def work(session: Session) -> None:
            meeting = session.get(Meeting, meeting_id)
            if meeting is not None and meeting.lease_pid == pid:
                meeting.lease_pid = None
                meeting.lease_host = None
                meeting.lease_where = None
                meeting.lease_heartbeat = None
                session.add(meeting)

        self._write(work)

    # ------------------------------------------------------------ phase clocks
    def phase_runs(self, meeting_id: int) -> list[PhaseRun]:
        with self._session() as session:
            query = (
                select(PhaseRun)
                .where(PhaseRun.meeting_id == meeting_id)
                .order_by(PhaseRun.phase_index)
            )
            return list(session.exec(query))

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
            run = session.exec(
                select(PhaseRun).where(
                    PhaseRun.meeting_id == meeting_id, PhaseRun.phase_index == phase_index
                )
            ).first()
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

    # ------------------------------------------------------------ groups and flip-overs
    def _group_id(self, session: Session, meeting_id: int, grouping: str, number: int) -> int:
        group = session.exec(
            select(Group).where(
                Group.meeting_id == meeting_id, Group.grouping == grouping, Group.number == number
            )
        ).first()
        if group is None:
            group = Group(meeting_id=meeting_id, grouping=grouping, number=number)
            session.add(group)
            session.flush()
        return group.id

    def add_flipover(
        self,
        meeting_id: int,
        *,
        phase_index: int,
        grouping: str,
        group: int,
        kind: str,
        heading: str,
        proposals: Sequence[str],
    ) -> int:
        def work(session: Session) -> int:
            flip = Flipover(
                meeting_id=meeting_id,
                group_id=self._group_id(session, meeting_id, grouping, group),
                phase_index=phase_index,
                kind=kind,
                heading=heading,
            )
            session.add(flip)
            session.flush()
            for position, text in enumerate(proposals):
                session.add(Proposal(flipover_id=flip.id, position=position, text=text))
            return flip.id

        return self._write(work)

    def edit_flipover(
        self,
        meeting_id: int,
        flipover_id: int,
        *,
        grouping: str,
        group: int,
        kind: str,
        heading: str,
        proposals: Sequence[str],
    ) -> bool:
        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            flip.group_id = self._group_id(session, meeting_id, grouping, group)
            flip.kind = kind
            flip.heading = heading
            flip.updated_at = utcnow()
            session.add(flip)
            for old in session.exec(select(Proposal).where(Proposal.flipover_id == flipover_id)):
                session.delete(old)
            session.flush()
            for position, text in enumerate(proposals):
                session.add(Proposal(flipover_id=flipover_id, position=position, text=text))
            return True

        return self._write(work)

    def delete_flipover(self, meeting_id: int, flipover_id: int) -> bool:
        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            for model in (Proposal, Vote):
                for row in session.exec(select(model).where(model.flipover_id == flipover_id)):
                    session.delete(row)
            session.delete(flip)
            return True

        return self._write(work)

    def flipovers(self, meeting_id: int, include_confidential: bool = False) -> list[FlipoverRow]:
        """Every flip-over of the meeting, by grouping, group number and entry order."""
        with self._session() as session:
            query = (
                select(Flipover, Group)
                .join(Group, Group.id == Flipover.group_id)
                .where(Flipover.meeting_id == meeting_id)
                .order_by(Group.grouping, Group.number, Flipover.id)
            )
            rows = list(session.exec(query))
            ids = [flip.id for flip, _ in rows]
            proposals: dict[int, list[str]] = {i: [] for i in ids}
            marks: dict[int, int] = {}
            if ids:
                for prop in session.exec(
                    select(Proposal)
                    .where(Proposal.flipover_id.in_(ids))
                    .order_by(Proposal.flipover_id, Proposal.position)
                ):
                    proposals[prop.flipover_id].append(prop.text)
                for fid, count in session.exec(
                    select(Vote.flipover_id, func.count(Vote.id))
                    .where(Vote.meeting_id == meeting_id)
                    .group_by(Vote.flipover_id)
                ):
                    marks[fid] = count
        return [
            FlipoverRow(
                id=flip.id,
                phase_index=flip.phase_index,
                group=group.number,
                grouping=group.grouping,
                kind=flip.kind,
                heading=flip.heading,
                proposals=tuple(proposals[flip.id]),
                confidential=flip.confidential,
                marks=marks.get(flip.id, 0),
            )
            for flip, group in rows
            if include_confidential or not flip.confidential
        ]


def _pid_alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["FlipoverRow", "Lease", "LeaseHeld", "Store", "StorageError", "new_token"]
