"""Queries: every read and write the app makes, in short sessions, returning plain rows.

Each write function is one transaction; when it returns, the data is committed (and with
SQLite's synchronous=FULL, on disk).
"""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import MetaData, delete, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from storage.db import StorageError, open_engine
from storage.models import (
    Choice,
    Flipover,
    Forloeb,
    Group,
    IdempotencyKey,
    Meeting,
    PhaseRun,
    Photo,
    Proposal,
    Theme,
    Vote,
    utcnow,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I

# An idempotency key and what it does ("flipover_add", "vote", ...): stored in the same
# transaction as the write it belongs to.
Idem = tuple[str, str] | None


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
    theme_id: int | None = None
    priority: int | None = None
    has_photo: bool = False


@dataclass(frozen=True)
class ThemeRow:
    id: int
    name: str
    priority: int | None


class LeaseHeld(Exception):
    """Another live process holds the meeting. ``local``: that process runs on this
    machine (so it can be waited for while it closes)."""

    def __init__(self, where: str, local: bool = False):
        self.where = where
        self.local = local
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
            raise StorageError(f"kunne ikke gemme: {_reason(exc)}") from None

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

    def delete_meeting(
        self, meeting_id: int, *, now: float | None = None, stale_after: float = 90.0
    ) -> bool:
        """Erase the meeting and every row of it, in one transaction. False if not found.

        Every table that has a ``meeting_id`` column, or hangs off a row that does (the
        flip-overs' proposals, votes and photos), is found by walking the database's own
        schema, so a table added later is not forgotten. The meeting's forløb goes too
        when no other meeting uses it. Raises LeaseHeld while a live process holds the
        meeting. On SQLite the deleted text is still in the file's free pages and the
        WAL: call ``erase_free_space()`` afterwards.
        """
        import time

        host = socket.gethostname()
        when = time.time() if now is None else now

        def work(session: Session) -> bool:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None:
                return False
            if meeting.lease_pid is not None and _lease_live(meeting, host, when, stale_after):
                raise LeaseHeld(meeting.lease_where or f"pid {meeting.lease_pid}")
            forloeb_id = meeting.forloeb_id
            connection = session.connection()
            schema = MetaData()
            schema.reflect(bind=connection)
            _delete_owned(connection, schema, "meeting", meeting_id)
            meetings = schema.tables["meeting"]
            others = connection.execute(
                sa_select(func.count())
                .select_from(meetings)
                .where(meetings.c.forloeb_id == forloeb_id)
            ).scalar()
            if not others and "forloeb" in schema.tables:
                _delete_owned(connection, schema, "forloeb", forloeb_id)
            session.expunge_all()
            return True

        return self._write(work)

    def erase_free_space(self) -> bool:
        """SQLite: move the WAL into the file, truncate it, and VACUUM, so nothing deleted
        is left in the .db or -wal file. False if another connection kept the WAL from
        being emptied. Other databases: nothing to do (True)."""
        if self.engine.dialect.name != "sqlite":
            return True
        try:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.exec_driver_sql("VACUUM")
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
        except SQLAlchemyError as exc:
            raise StorageError(f"kunne ikke rydde databasefilen: {_reason(exc)}") from None
        return not busy or busy[0] == 0

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
            raise StorageError(f"kunne ikke læse: {_reason(exc)}") from None
        return None if row is None else (row[0], row[1])

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
                if _lease_live(meeting, host, now, stale_after):
                    raise LeaseHeld(
                        meeting.lease_where or f"pid {meeting.lease_pid}",
                        local=meeting.lease_host == host,
                    )
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
        idem: Idem = None,
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
            _remember(session, meeting_id, idem, str(flip.id))
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
        idem: Idem = None,
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
            _remember(session, meeting_id, idem, str(flipover_id))
            return True

        return self._write(work)

    def delete_flipover(self, meeting_id: int, flipover_id: int) -> bool:
        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            for model in (Proposal, Vote, Choice, Photo):
                for row in session.exec(select(model).where(model.flipover_id == flipover_id)):
                    session.delete(row)
            session.flush()
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
            photos: set[int] = set()
            if ids:
                photos = set(
                    session.exec(select(Photo.flipover_id).where(Photo.flipover_id.in_(ids)))
                )
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
                theme_id=flip.theme_id,
                priority=flip.priority,
                has_photo=flip.id in photos,
            )
            for flip, group in rows
            if include_confidential or not flip.confidential
        ]

    # ------------------------------------------------------------ marks
    def add_vote(
        self,
        meeting_id: int,
        flipover_id: int,
        device_id: str,
        phase_index: int,
        *,
        budget: int | None = None,
        cap: int | None = None,
        idem: Idem = None,
    ) -> str | None:
        """One mark, if the device's budget and the per-card cap allow it.

        Returns None when the mark was saved, else "spent" or "cap". The check and the
        insert are one transaction. Hand-counted marks (device "") have no budget.
        """

        def work(session: Session) -> str | None:
            if device_id and (budget is not None or cap is not None):
                mine = list(
                    session.exec(
                        select(Vote.flipover_id).where(
                            Vote.meeting_id == meeting_id,
                            Vote.device_id == device_id,
                            Vote.phase_index == phase_index,
                        )
                    )
                )
                if budget is not None and len(mine) >= budget:
                    return "spent"
                if cap is not None and mine.count(flipover_id) >= cap:
                    return "cap"
            session.add(
                Vote(
                    meeting_id=meeting_id,
                    flipover_id=flipover_id,
                    device_id=device_id,
                    phase_index=phase_index,
                )
            )
            _remember(session, meeting_id, idem, str(flipover_id))
            return None

        return self._write(work)

    def remove_vote(
        self,
        meeting_id: int,
        flipover_id: int,
        device_id: str,
        phase_index: int | None = None,
        idem: Idem = None,
    ) -> bool:
        """Take back the newest of the device's marks on the card (hand marks: device "")."""

        def work(session: Session) -> bool:
            query = select(Vote).where(
                Vote.meeting_id == meeting_id,
                Vote.flipover_id == flipover_id,
                Vote.device_id == device_id,
            )
            if phase_index is not None:
                query = query.where(Vote.phase_index == phase_index)
            vote = session.exec(query.order_by(Vote.id.desc())).first()
            if vote is None:
                return False
            session.delete(vote)
            _remember(session, meeting_id, idem, str(flipover_id))
            return True

        return self._write(work)

    def device_votes(self, meeting_id: int, device_id: str, phase_index: int) -> dict[int, int]:
        """Flip-over id → marks this device put on it in the phase."""
        with self._session() as session:
            rows = session.exec(
                select(Vote.flipover_id, func.count(Vote.id))
                .where(
                    Vote.meeting_id == meeting_id,
                    Vote.device_id == device_id,
                    Vote.phase_index == phase_index,
                )
                .group_by(Vote.flipover_id)
            )
            return {fid: count for fid, count in rows}

    def vote_totals(self, meeting_id: int, phase_index: int) -> tuple[int, int]:
        """(marks cast from phones in the phase, devices that cast them)."""
        with self._session() as session:
            marks = session.exec(
                select(func.count(Vote.id)).where(
                    Vote.meeting_id == meeting_id,
                    Vote.phase_index == phase_index,
                    Vote.device_id != "",
                )
            ).one()
            devices = session.exec(
                select(func.count(func.distinct(Vote.device_id))).where(
                    Vote.meeting_id == meeting_id,
                    Vote.phase_index == phase_index,
                    Vote.device_id != "",
                )
            ).one()
        return int(marks), int(devices)

    # ------------------------------------------------------------ themes and priorities
    def themes(self, meeting_id: int) -> list[ThemeRow]:
        with self._session() as session:
            rows = session.exec(
                select(Theme).where(Theme.meeting_id == meeting_id).order_by(Theme.id)
            )
            return [ThemeRow(t.id, t.name, t.priority) for t in rows]

    def create_theme(self, meeting_id: int, name: str, flipover_ids: Sequence[int]) -> int:
        """A theme over the flip-overs; a flip-over already in another theme moves over."""

        def work(session: Session) -> int:
            theme = Theme(meeting_id=meeting_id, name=name)
            session.add(theme)
            session.flush()
            for fid in flipover_ids:
                flip = session.get(Flipover, fid)
                if flip is not None and flip.meeting_id == meeting_id:
                    flip.theme_id = theme.id
                    flip.priority = None
                    session.add(flip)
            session.flush()
            _drop_empty_themes(session, meeting_id)
            return theme.id

        return self._write(work)

    def rename_theme(self, meeting_id: int, theme_id: int, name: str) -> bool:
        def work(session: Session) -> bool:
            theme = session.get(Theme, theme_id)
            if theme is None or theme.meeting_id != meeting_id:
                return False
            theme.name = name
            session.add(theme)
            return True

        return self._write(work)

    def split_theme(self, meeting_id: int, theme_id: int) -> bool:
        """Undo a theme: its flip-overs stand alone again (choices of the theme go)."""

        def work(session: Session) -> bool:
            theme = session.get(Theme, theme_id)
            if theme is None or theme.meeting_id != meeting_id:
                return False
            for flip in session.exec(select(Flipover).where(Flipover.theme_id == theme_id)):
                flip.theme_id = None
                session.add(flip)
            for choice in session.exec(select(Choice).where(Choice.theme_id == theme_id)):
                session.delete(choice)
            session.flush()
            session.delete(theme)
            return True

        return self._write(work)

    def set_priorities(self, meeting_id: int, options: Sequence[tuple[str, int]]) -> None:
        """The prioritised wishes, in order: ("f", flipover id) or ("t", theme id)."""

        def work(session: Session) -> None:
            for flip in session.exec(select(Flipover).where(Flipover.meeting_id == meeting_id)):
                flip.priority = None
                session.add(flip)
            for theme in session.exec(select(Theme).where(Theme.meeting_id == meeting_id)):
                theme.priority = None
                session.add(theme)
            for rank, (kind, oid) in enumerate(options, 1):
                row = session.get(Flipover if kind == "f" else Theme, oid)
                if row is not None and row.meeting_id == meeting_id:
                    row.priority = rank
                    session.add(row)

        self._write(work)

    # ------------------------------------------------------------ "brænder for"
    def set_choice(
        self,
        meeting_id: int,
        phase_index: int,
        device_id: str,
        option: tuple[str, int] | None,
        idem: Idem = None,
    ) -> None:
        """A device's one choice in the phase (replacing its earlier one; None clears)."""

        def work(session: Session) -> None:
            for old in session.exec(
                select(Choice).where(
                    Choice.meeting_id == meeting_id,
                    Choice.phase_index == phase_index,
                    Choice.device_id == device_id,
                )
            ):
                session.delete(old)
            if option is not None:
                session.add(_choice(meeting_id, phase_index, device_id, option))
            _remember(session, meeting_id, idem, f"{option[0]}{option[1]}" if option else "")

        self._write(work)

    def add_hand_choice(self, meeting_id: int, phase_index: int, option: tuple[str, int]) -> None:
        self._write(lambda s: s.add(_choice(meeting_id, phase_index, "", option)))

    def remove_hand_choice(
        self, meeting_id: int, phase_index: int, option: tuple[str, int]
    ) -> bool:
        def work(session: Session) -> bool:
            column = Choice.flipover_id if option[0] == "f" else Choice.theme_id
            row = session.exec(
                select(Choice)
                .where(
                    Choice.meeting_id == meeting_id,
                    Choice.phase_index == phase_index,
                    Choice.device_id == "",
                    column == option[1],
                )
                .order_by(Choice.id.desc())
            ).first()
            if row is None:
                return False
            session.delete(row)
            return True

        return self._write(work)

    def choices(self, meeting_id: int, phase_index: int) -> list[tuple[str, tuple[str, int]]]:
        """(device id, option) for every choice in the phase."""
        with self._session() as session:
            rows = session.exec(
                select(Choice).where(
                    Choice.meeting_id == meeting_id, Choice.phase_index == phase_index
                )
            )
            return [
                (c.device_id, ("f", c.flipover_id) if c.flipover_id else ("t", c.theme_id))
                for c in rows
            ]

    # ------------------------------------------------------------ særskilt spor, photos
    def set_confidential(self, meeting_id: int, flipover_id: int, confidential: bool) -> bool:
        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            flip.confidential = confidential
            if confidential:
                flip.theme_id = None
                flip.priority = None
            session.add(flip)
            return True

        return self._write(work)

    def set_photo(self, meeting_id: int, flipover_id: int, content_type: str, data: bytes) -> bool:
        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            for old in session.exec(select(Photo).where(Photo.flipover_id == flipover_id)):
                session.delete(old)
            session.add(Photo(flipover_id=flipover_id, content_type=content_type, data=data))
            return True

        return self._write(work)

    def photo(self, meeting_id: int, flipover_id: int) -> tuple[str, bytes] | None:
        with self._session() as session:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return None
            row = session.exec(select(Photo).where(Photo.flipover_id == flipover_id)).first()
            return None if row is None else (row.content_type, row.data)


def _phase_run(session: Session, meeting_id: int, phase_index: int) -> PhaseRun | None:
    return session.exec(
        select(PhaseRun).where(
            PhaseRun.meeting_id == meeting_id, PhaseRun.phase_index == phase_index
        )
    ).first()


def _remember(session: Session, meeting_id: int, idem: Idem, result: str) -> None:
    """Store the idempotency key with the write it belongs to (same transaction)."""
    if idem is not None:
        key, scope = idem
        session.add(IdempotencyKey(meeting_id=meeting_id, key=key, scope=scope, result=result))


def _choice(meeting_id: int, phase_index: int, device_id: str, option: tuple[str, int]) -> Choice:
    kind, oid = option
    return Choice(
        meeting_id=meeting_id,
        phase_index=phase_index,
        device_id=device_id,
        flipover_id=oid if kind == "f" else None,
        theme_id=oid if kind == "t" else None,
    )


def _drop_empty_themes(session: Session, meeting_id: int) -> None:
    used = set(
        session.exec(
            select(Flipover.theme_id).where(
                Flipover.meeting_id == meeting_id, Flipover.theme_id.is_not(None)
            )
        )
    )
    for theme in session.exec(select(Theme).where(Theme.meeting_id == meeting_id)):
        if theme.id not in used:
            for choice in session.exec(select(Choice).where(Choice.theme_id == theme.id)):
                session.delete(choice)
            session.delete(theme)


def _lease_live(meeting: Meeting, host: str, now: float, stale_after: float) -> bool:
    """Whether the process holding the meeting's lease is alive: on this host, its pid
    exists; on another, its heartbeat is younger than ``stale_after`` seconds."""
    if meeting.lease_pid is None:
        return False
    if meeting.lease_host == host:
        return _pid_alive(meeting.lease_pid)
    return (now - (meeting.lease_heartbeat or 0)) < stale_after


def _delete_owned(connection: Connection, schema: MetaData, root: str, root_id: int) -> None:
    """Delete the row ``root_id`` of table ``root`` and every row that belongs to it.

    A row belongs to the root when its table has a ``<root>_id`` column equal to root_id,
    or a foreign key to a row that belongs to it (a flip-over's proposals, votes, photos,
    and whatever hangs off those). Children go first, so no foreign key is left dangling.
    """
    tables = {t.name: t for t in schema.sorted_tables if t.name != "alembic_version"}
    top = tables[root]
    column = f"{root}_id"
    owned: dict[str, ColumnElement[bool]] = {}
    for _ in range(len(tables)):  # grow the owned set until it stops growing
        found: dict[str, ColumnElement[bool]] = {}
        for name, table in tables.items():
            if name == root:
                continue
            clauses: list[ColumnElement[bool]] = []
            if column in table.c:
                clauses.append(table.c[column] == root_id)
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if parent == root:
                    clauses.append(fk.parent == root_id)
                elif parent in owned and parent != name:
                    clauses.append(fk.parent.in_(sa_select(fk.column).where(owned[parent])))
            if clauses:
                found[name] = or_(*clauses)
        if found.keys() == owned.keys():
            owned = found
            break
        owned = found
    for table in reversed(schema.sorted_tables):
        if table.name in owned:
            connection.execute(delete(table).where(owned[table.name]))
    connection.execute(delete(top).where(top.c.id == root_id))


_REASONS_DA = (
    ("database or disk is full", "disken er fuld"),
    ("no space left on device", "disken er fuld"),
    ("could not extend file", "disken er fuld"),
    ("readonly database", "databasen er skrivebeskyttet"),
    ("read-only", "databasen er skrivebeskyttet"),
    ("database is locked", "databasen er låst af et andet program"),
    ("database table is locked", "databasen er låst af et andet program"),
    ("disk i/o error", "disken svarer ikke (I/O-fejl)"),
    ("unable to open database file", "databasefilen kan ikke åbnes"),
)


def _reason(exc: SQLAlchemyError) -> str:
    """Why a statement failed, in Danish when it is one of the faults a room meets."""
    lines = str(getattr(exc, "orig", None) or exc).splitlines()
    reason = lines[0].strip() if lines else ""
    lower = reason.lower()
    for needle, danish in _REASONS_DA:
        if needle in lower:
            return danish
    return reason or type(exc).__name__


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` on this machine is alive. A zombie (exited, not yet reaped
    by its parent, as a killed app under tmux is for seconds) is dead, although
    ``os.kill(pid, 0)`` succeeds on one; where there is no /proc, signal 0 decides."""
    import os

    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    except OSError:
        return False
    return _proc_state(pid) not in ("Z", "X", "x")


def _proc_state(pid: int) -> str | None:
    """The state letter of ``/proc/PID/stat`` (R, S, D, Z, …), or None without /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            data = stat.read()
    except OSError:
        return None
    # "PID (COMM) STATE …": COMM may itself hold spaces and parentheses.
    end = data.rfind(b")")
    if end < 0:
        return None
    fields = data[end + 1 :].split()
    return fields[0].decode("ascii", "replace") if fields else None


__all__ = [
    "FlipoverRow",
    "LeaseHeld",
    "Store",
    "StorageError",
    "ThemeRow",
    "new_token",
]
