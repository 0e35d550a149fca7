"""The store's transactions: short sessions, one commit per write, and group commit.

Outside a batch every write method is one transaction; when it returns, the data is
committed (and with SQLite's synchronous=FULL, on disk). ``run_batch`` runs many such
calls in one transaction with one commit: inside it, on the calling thread, each write
runs in a SAVEPOINT of the batch's session and each read sees the batch's earlier writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TypeVar

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from storage.db import StorageError, open_engine, writer
from storage.models import IdempotencyKey, utcnow
from storage.rows import Idem

T = TypeVar("T")


class StoreBase:
    """One engine, short sessions; the batch (if any) of each thread."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = open_engine(url)
        self._writer: Engine = writer(self.engine)
        self._local = threading.local()

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ sessions
    def _batch(self) -> Session | None:
        """The session of the batch this thread is running, if it is running one."""
        return getattr(self._local, "session", None)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """A session to read in: a short one of its own, or inside a batch the batch's
        (so the read sees the batch's earlier writes)."""
        batch = self._batch()
        if batch is None:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
            return
        try:
            yield batch
        finally:
            batch.expunge_all()  # rows handed out are detached, as outside a batch

    def _write(self, fn: Callable[[Session], T], *, savepoint: bool = True) -> T:
        """Run ``fn(session)`` and commit: its own transaction, or inside a batch a
        SAVEPOINT of the batch's (a failure rolls back only fn's writes). Database errors
        are raised as StorageError; whatever else fn raises passes through."""
        batch = self._batch()
        try:
            if batch is None:
                with Session(self._writer, expire_on_commit=False) as session:
                    result = fn(session)
                    _commit(session)
                    return result
            # ``savepoint=False``: a write that is a job of its own (a phone's mark, the hot
            # write) rolls back with its job's SAVEPOINT (see _run_job); two more statements
            # per mark would buy nothing.
            try:
                if not savepoint:
                    return fn(batch)
                with batch.begin_nested():
                    return fn(batch)
            finally:
                batch.expunge_all()
        except SQLAlchemyError as exc:
            raise StorageError(f"kunne ikke gemme: {reason(exc)}") from None

    # ------------------------------------------------------------ group commit
    def run_batch(self, jobs: Sequence[Callable[[], T]]) -> list[T | BaseException]:
        """Run jobs in one transaction with one commit (one fsync).
        Each job calls Store write/read methods as usual; inside a batch, on this thread, those
        methods join the batch's session instead of opening their own: each `_write(fn)` runs
        `fn(session)` in a SAVEPOINT (session.begin_nested()), so a job that raises rolls back
        only its own writes, and the exception (StorageError for database errors, as today, or
        whatever the job raised) becomes that job's entry in the result list. Reads inside the
        batch see the batch's earlier writes. After the last job, one commit; if the commit
        fails, every job's entry becomes the StorageError. Thread-local: only the calling thread
        joins."""
        if self._batch() is not None:
            raise RuntimeError("run_batch: this thread is already running a batch")
        session = Session(self._writer, expire_on_commit=False)
        self._local.session = session
        results: list[T | BaseException] = []
        try:
            for job in jobs:
                results.append(_run_job(session, job))
            try:
                _commit(session)
            except SQLAlchemyError as exc:
                error = StorageError(f"kunne ikke gemme: {reason(exc)}")
                results = [error] * len(results)
        finally:
            self._local.session = None
            session.close()  # rolls back whatever was not committed
        return results


def _commit(session: Session) -> None:
    """Commit. When the COMMIT fails, the connection is rolled back before it goes back to
    the pool: SQLAlchemy counts the transaction as ended, but SQLite can keep it open (a
    busy or failed COMMIT), and the next BEGIN on that connection would fail."""
    dbapi = session.connection().connection.dbapi_connection if session.in_transaction() else None
    try:
        session.commit()
    except SQLAlchemyError:
        if dbapi is not None:
            with suppress(Exception):  # the error to report is the commit's
                dbapi.rollback()
        raise


def _run_job(session: Session, job: Callable[[], T]) -> T | BaseException:
    """One job of a batch in a SAVEPOINT of its own: what it returned, or what it raised
    (its writes rolled back)."""
    try:
        with session.begin_nested():
            return job()
    except SQLAlchemyError as exc:
        return StorageError(f"kunne ikke gemme: {reason(exc)}")
    except BaseException as exc:  # the job's own failure is its answer
        return exc
    finally:
        session.expunge_all()


def remember(session: Session, meeting_id: int, idem: Idem, result: str) -> None:
    """Store the idempotency key with the write it belongs to (same transaction)."""
    if idem is not None:
        key, scope = idem
        session.connection().execute(
            insert(IdempotencyKey.__table__).values(
                meeting_id=meeting_id, key=key, scope=scope, result=result, created_at=utcnow()
            )
        )


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


def reason(exc: BaseException) -> str:
    """Why a statement failed, in Danish when it is one of the faults a room meets."""
    lines = str(getattr(exc, "orig", None) or exc).splitlines()
    text = lines[0].strip() if lines else ""
    lower = text.lower()
    for needle, danish in _REASONS_DA:
        if needle in lower:
            return danish
    return text or type(exc).__name__
