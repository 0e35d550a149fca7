"""Engine factory: SQLite (WAL, foreign keys, synchronous=FULL) or any SQLAlchemy URL.

On SQLite, SQLAlchemy emits BEGIN itself (sqlite3's own transaction handling is off), so
every statement of a session, SAVEPOINTs included, is inside its transaction.

Schema changes are Alembic migrations, applied on open. The current revision is read
with plain SQL, and Alembic is imported only when an upgrade is due, so a normal start
stays fast.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlmodel import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0005"  # keep in step with the newest file in migrations/versions
WRITE_OPTION = "sqlite_begin"  # execution option read by _sqlite_begin


class StorageError(Exception):
    """The database cannot be opened or written; the message is for the user."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI callback
    # SQLAlchemy, not the sqlite3 module, begins transactions (SQLAlchemy's recipe for
    # pysqlite, see _sqlite_begin): sqlite3's own handling emits BEGIN only before an
    # INSERT/UPDATE/DELETE, so SELECTs and SAVEPOINTs ran outside the transaction and a
    # savepoint rolled back did not roll back.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection) -> None:  # noqa: ANN001 - SQLAlchemy event callback
    """Emit the BEGIN sqlite3 no longer emits. A connection with the execution option
    ``sqlite_begin="IMMEDIATE"`` (the store's writes) takes the write lock at once, waiting
    up to the busy timeout: a write transaction that began by reading could otherwise not
    be upgraded once another connection had written (SQLITE_BUSY_SNAPSHOT, no waiting)."""
    immediate = connection.get_execution_options().get(WRITE_OPTION) == "IMMEDIATE"
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The engine to write with: on SQLite its transactions begin with BEGIN IMMEDIATE."""
    return engine.execution_options(**{WRITE_OPTION: "IMMEDIATE"})


def make_engine(url: str) -> Engine:
    """An engine for URL; for a SQLite file the folder is made first."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"ugyldig database-URL: {url}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"kan ikke oprette mappen til {database}: {exc}") from None
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except (ImportError, SQLAlchemyError) as exc:
            raise StorageError(f"kan ikke bruge {parsed.render_as_string()}: {exc}") from None
    return engine


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision stamped in the database, read with plain SQL."""
    with engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except (OperationalError, SQLAlchemyError):
            conn.rollback()
            return None
    return row[0] if row else None


def upgrade(engine: Engine) -> None:
    """Run the Alembic migrations up to head (imports Alembic only now)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_engine(url: str) -> Engine:
    """Make the engine and bring the schema up to date. Raises StorageError."""
    engine = make_engine(url)
    try:
        if current_revision(engine) != HEAD:
            upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(exc.orig) if getattr(exc, "orig", None) else str(exc).splitlines()[0]
        raise StorageError(f"kan ikke åbne databasen {_safe(url)}: {reason}") from None
    return engine


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
