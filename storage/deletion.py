"""Erasing a meeting: every row of it, found by walking the database's own schema."""

from __future__ import annotations

import socket
import time

from sqlalchemy import MetaData, delete, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from storage.base import StoreBase, reason
from storage.db import StorageError
from storage.lease import lease_live
from storage.models import Meeting
from storage.rows import LeaseHeld


class DeletionStore(StoreBase):
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
            if not others and "forloeb" in schema.tables:
                _delete_owned(connection, schema, "forloeb", forloeb_id)
            session.expunge_all()
            return True

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
