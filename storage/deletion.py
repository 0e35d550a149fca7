"""Erasing a meeting: every row of it, found by walking the database's own schema."""

from __future__ import annotations

import socket
import time

from sqlalchemy import MetaData, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from storage.base import StoreBase, reason
from storage.db import StorageError
from storage.lease import lease_live
from storage.models import Forloeb, Meeting
from storage.rows import LeaseHeld


class DeletionStore(StoreBase):
    def delete_meeting(
        self, meeting_id: int, *, now: float | None = None, stale_after: float = 90.0
    ) -> bool:
        """Erase the meeting and every row of it, in one transaction. False if not found.

        Every table that has a ``meeting_id`` column, or hangs off a row that does (the
        flip-overs' proposals, votes and photos), is found by walking the database's own
        schema, so a table added later is not forgotten. The meeting's forløb goes too
        when it was the meeting's alone: no other meeting, no workplace given, no
        handleplan and no sygefravær (a course someone set up stays, with its plan).
        Raises LeaseHeld while a live process holds the meeting. On SQLite the deleted
        text is still in the file's free pages and the WAL: call ``erase_free_space()``
        afterwards.
        """
        host = socket.gethostname()
        when = time.time() if now is None else now

        def work(session: Session) -> bool:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None:
                return False
            if meeting.lease_pid is not None and lease_live(meeting, host, when, stale_after):
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
            if (
                not others
                and "forloeb" in schema.tables
                and _forloeb_is_empty(connection, schema, forloeb_id)
            ):
                _delete_owned(connection, schema, "forloeb", forloeb_id)
            session.expunge_all()
            return True

        return self._write(work)

    def delete_forloeb_rows(
        self, forloeb_id: int, *, now: float | None = None, stale_after: float = 90.0
    ) -> int | None:
        """Erase the forløb with every meeting of it and every row of those (handleplan,
        follow-ups, sygefravær, plans …), in one transaction; how many meetings went.
        None if no such forløb. Raises LeaseHeld while a live process holds one of its
        meetings. On SQLite call ``erase_free_space()`` afterwards."""
        host = socket.gethostname()
        when = time.time() if now is None else now

        def work(session: Session) -> int | None:
            if session.get(Forloeb, forloeb_id) is None:
                return None
            meetings = list(
                session.exec(sa_select(Meeting).where(Meeting.forloeb_id == forloeb_id)).scalars()
            )
            for meeting in meetings:
                if meeting.lease_pid is not None and lease_live(meeting, host, when, stale_after):
                    raise LeaseHeld(meeting.lease_where or f"pid {meeting.lease_pid}")
            connection = session.connection()
            schema = MetaData()
            schema.reflect(bind=connection)
            for meeting in meetings:
                _delete_owned(connection, schema, "meeting", meeting.id)
            _delete_owned(connection, schema, "forloeb", forloeb_id)
            session.expunge_all()
            return len(meetings)

        return self._write(work)

    def erase_free_space(self) -> bool:
        """SQLite: move the WAL into the file, truncate it, and VACUUM, so nothing deleted
        is left in the .db or -wal file. False if another connection kept the WAL from
        being emptied. Other databases: nothing to do (True). Not inside a batch."""
        if self.engine.dialect.name != "sqlite":
            return True
        if self._batch() is not None:
            raise RuntimeError("erase_free_space cannot run inside run_batch")
        # The DBAPI connection itself: sqlite3 emits no BEGIN (storage.db turns that off),
        # so each statement runs on its own, as VACUUM must.
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            raw = self.engine.raw_connection()
        except SQLAlchemyError as exc:
            raise StorageError(f"kunne ikke rydde databasefilen: {reason(exc)}") from None
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            cursor.close()
        except dbapi_error as exc:
            raise StorageError(f"kunne ikke rydde databasefilen: {reason(exc)}") from None
        finally:
            raw.close()
        return not busy or busy[0] == 0


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
                if _set_null(fk):
                    continue  # a reference, not a belonging (see below)
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
    # A row that only refers to an erased row (ON DELETE SET NULL: a 2nd meeting's
    # flip-over naming a 1st meeting's wish, a handleplan row's wish) stays and forgets it.
    for table in schema.sorted_tables:
        for fk in table.foreign_keys:
            parent = fk.column.table.name
            if not _set_null(fk) or (parent != root and parent not in owned):
                continue
            gone = (
                sa_select(fk.column).where(fk.column.table.c.id == root_id)
                if parent == root
                else sa_select(fk.column).where(owned[parent])
            )
            connection.execute(
                update(table).where(fk.parent.in_(gone)).values({fk.parent.name: None})
            )
    for table in reversed(schema.sorted_tables):
        if table.name in owned:
            connection.execute(delete(table).where(owned[table.name]))
    connection.execute(delete(top).where(top.c.id == root_id))


def _forloeb_is_empty(connection: Connection, schema: MetaData, forloeb_id: int) -> bool:
    """Nothing but the meeting made it: no workplace typed, no rows of its own."""
    forloeb = schema.tables["forloeb"]
    if "workplace" in forloeb.c:
        workplace = connection.execute(
            sa_select(forloeb.c.workplace).where(forloeb.c.id == forloeb_id)
        ).scalar()
        if workplace:
            return False
    for name in ("actionitem", "absencerecord"):
        table = schema.tables.get(name)
        if (
            table is not None
            and connection.execute(
                sa_select(func.count()).select_from(table).where(table.c.forloeb_id == forloeb_id)
            ).scalar()
        ):
            return False
    return True


def _set_null(fk: object) -> bool:
    return (getattr(fk, "ondelete", None) or "").upper() == "SET NULL"
