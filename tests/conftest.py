"""Shared fixtures: a store on a temporary database, a fake clock, a meeting, an engine.

The names are generic so the screen, web and CLI tests can reuse them.

Both databases, one suite: in the modules named in ``BOTH_DATABASES`` every test that
uses a database (through ``db_url``, ``store``, ``meeting_id`` or ``engine``) runs twice,
as ``[sqlite]`` and as ``[postgresql]``. The PostgreSQL run uses the server named by
``FACILITATOR_TEST_PG`` (each test on an emptied ``public`` schema) and skips, saying why,
when the variable is not set. A test that is about SQLite itself (file paths, WAL,
pragmas) is marked ``@pytest.mark.sqlite_only`` and runs once, on SQLite.

In parallel: ``addopts`` in pyproject.toml runs the suite on every core (pytest-xdist,
``-n 0`` for one process). Each worker has its own temporary folders and free ports, and
its own PostgreSQL database beside ``FACILITATOR_TEST_PG``'s (``…_gw0``, ``…_gw1``),
created here when missing, which needs CREATEDB (.ci/run grants it).

Hypothesis: the profile "ci" (bounded examples, no deadline, no example database) is
loaded when ``CI`` is set, "dev" otherwise; ``HYPOTHESIS_PROFILE`` picks one by name.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

import facilitator.agenda as agenda_module
from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from storage.repo import Store

EPOCH = 1_800_000_000.0  # a fixed wall instant (2027-01-15), so nothing depends on today

# ---------------------------------------------------------------------- hypothesis
hypothesis_settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    database=None,  # nothing to keep between CI runs
    derandomize=True,  # the same examples every run: CI never flakes on a new one
    # No shrinking: a red CI run reports its first failing example at once instead of
    # spending minutes making it small (run the test with the dev profile to shrink it).
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
hypothesis_settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


# ---------------------------------------------------------------------- both databases
def worker_database(url: str, worker: str) -> str:
    """The URL of the pytest-xdist worker's own database beside ``url``'s (``fac_test`` →
    ``fac_test_gw0``), created when missing: the workers run at once, and each test
    empties its database. Creating one needs CREATEDB (.ci/run grants it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not found:
                try:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                except DBAPIError as exc:
                    raise RuntimeError(
                        f"pytest-xdist worker {worker} needs its own PostgreSQL database "
                        f"{name!r} beside {base.database!r}: give the role CREATEDB or create "
                        f"it by hand (or run the tests in one process: -n 0)"
                    ) from exc
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = os.environ.get("FACILITATOR_TEST_PG", "")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if PG_URL and _WORKER and os.environ.get("FACILITATOR_TEST_PG_WORKER") != _WORKER:
    # Every reader of FACILITATOR_TEST_PG (test modules, subprocesses) gets the worker's own.
    PG_URL = worker_database(PG_URL, _WORKER)
    os.environ["FACILITATOR_TEST_PG"] = PG_URL
    os.environ["FACILITATOR_TEST_PG_WORKER"] = _WORKER
PG_SKIP = "no PostgreSQL server: set FACILITATOR_TEST_PG=postgresql+psycopg://… (.ci/run does)"
BACKENDS = ("sqlite", "postgresql")
# The storage, engine and web tests: one suite, run on both databases.
BOTH_DATABASES = {
    "test_storage",
    "test_engine",
    "test_engine_galleri",
    "test_web",
    "test_web_galleri",
    "test_crash",
    "test_fuzz_web",
    "test_concurrency",
    "test_web_security",
    "test_vote_closing",
    "test_fremlaeggelse",
    "test_read_model",
    "test_timers",
    "test_course",
    "test_course_archive",
    "test_bruttoliste_phase",
    "test_flipover_wish",
    "test_web_bruttoliste",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite itself (files, WAL, pragmas); runs on SQLite only"
    )


def report_tally(request: pytest.FixtureRequest, line: str) -> None:
    """A figure a test prints for CI's log (a kill trial's or a fuzz run's tally): printed
    past the capture as the test runs, and kept in the test's ``user_properties`` so that
    under pytest-xdist, whose workers' prints are lost, the controller prints it at the end."""
    request.node.user_properties.append(("tally", line))
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is None:  # -p no:capture
        print(f"\n{line}")
        return
    with capture.global_and_fixture_disabled():
        print(f"\n{line}")


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # noqa: ANN001
    if not config.pluginmanager.hasplugin("dsession"):
        return  # one process: the tallies were printed as the tests ran
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "tally"
    ]
    if lines:
        terminalreporter.section("tallies")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module not in BOTH_DATABASES or "db_backend" not in metafunc.fixturenames:
        return
    sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
    backends = ["sqlite"] if sqlite_only else list(BACKENDS)
    metafunc.parametrize("db_backend", backends, indirect=True, scope="function")


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite" or "postgresql" (outside the modules run on both: always "sqlite")."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    return backend


def empty_pg_schema(url: str = PG_URL) -> str:
    """Drop everything an earlier test left in the PostgreSQL database; return its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return url


@pytest.fixture
def user_agenda_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user agenda folder, so a developer's own agendas never leak into a test.

    Both the module attribute and XDG_CONFIG_HOME point at it (the latter for subprocesses).
    """
    config = tmp_path / "config"
    folder = config / "facilitator" / "agendas"
    folder.mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setattr(agenda_module, "user_agenda_dir", lambda: folder)
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The SQLite file of the test's database (only meaningful on SQLite)."""
    return tmp_path / "meetings.db"


def reset_pg(url: str = PG_URL) -> str:
    """The PostgreSQL database emptied for the next test: when it holds the newest schema,
    its tables are truncated (ids from 1 again), which is much faster than dropping the
    schema and migrating anew; otherwise as empty_pg_schema. Return its URL."""
    from sqlalchemy import create_engine, text

    from storage.db import HEAD

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            at = conn.execute(text("SELECT to_regclass('public.alembic_version')")).scalar()
            version = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if at is not None
                else None
            )
            if version == HEAD:
                tables = conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                ).scalars()
                names = ", ".join(f'public."{t}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                return url
    finally:
        engine.dispose()
    return empty_pg_schema(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once per run: each test's database starts
    as a copy of it instead of running every migration again (their table rebuilds were a
    good part of the suite's time)."""
    path = tmp_path_factory.mktemp("template") / "meetings.db"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:  # everything in the main file, nothing in the WAL
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def db_url(db_backend: str, db_path: Path, sqlite_template: Path) -> str:
    """The test's database: a fresh SQLite file (a copy of the migrated template), or the
    PostgreSQL server on an empty schema."""
    if db_backend == "postgresql":
        return reset_pg()
    shutil.copyfile(sqlite_template, db_path)
    return f"sqlite:///{db_path}"


@pytest.fixture(autouse=True)
def dialogs_answer_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dialog drops the keys of someone still typing as it opens (for 0.6 s of quiet):
    a pilot presses keys within milliseconds, so everywhere but tests/test_dialogs.py
    the person has read the question before answering. test_dialogs.py puts it back."""
    monkeypatch.setattr("screens.dialogs.DIALOG_QUIET_S", 0.0)


@pytest.fixture(autouse=True)
def keys_wait_for_their_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key's engine command runs in a worker (the keys and the countdown never wait for
    the disk), so a pilot's press or click returns once the commands it started have
    answered, as a person sees them a moment later."""
    from textual.pilot import Pilot

    async def settled(pilot: Pilot) -> None:
        for _ in range(200):
            workers = [w for w in pilot.app.workers if w.group == "engine" and not w.is_finished]
            if not workers:
                break
            await pilot.app.workers.wait_for_complete(workers)
            await pilot.pause()

    for name in ("press", "click"):
        original = getattr(Pilot, name)

        async def patched(self, *args, _original=original, **kwargs):
            result = await _original(self, *args, **kwargs)
            await settled(self)
            return result

        monkeypatch.setattr(Pilot, name, patched)


class FakeClock:
    """A wall clock the test moves by hand: ``clock()`` reads it, ``advance(s)`` moves it."""

    def __init__(self, start: float = EPOCH) -> None:
        self.t = float(start)

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t

    def set(self, instant: float) -> None:
        self.t = float(instant)


class FakeScheduler:
    """The engine's ``scheduler`` on a fake clock: ``call_later`` that fires nothing by
    itself. ``run_due()`` fires what is due now; ``await advance(s)`` moves the clock
    through every timer due on the way, in time order, as the loop would have fired them,
    and lets the commands they started finish. No test waits real seconds for a timer."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pending: list[list] = []  # [due, callback, cancelled]

    def __call__(self, delay: float, callback):
        entry = [self.clock() + delay, callback, False]
        self.pending.append(entry)

        class Handle:
            def cancel(self_inner) -> None:
                entry[2] = True

        return Handle()

    def due_times(self) -> list[float]:
        """When the timers not cancelled will fire, soonest first."""
        return sorted(e[0] for e in self.pending if not e[2])

    def run_due(self) -> int:
        """Fire every timer due at the clock's time now; the number fired."""
        due = [e for e in self.pending if not e[2] and e[0] <= self.clock()]
        self.pending = [e for e in self.pending if e not in due and not e[2]]
        for entry in due:
            entry[1]()
        return len(due)

    async def advance(self, seconds: float, engine=None) -> int:  # noqa: ANN001
        """Move the clock ``seconds`` on, stopping at each timer due on the way to fire
        it (and, given the engine, to let what it started finish); the number fired."""
        end = self.clock() + seconds
        fired = 0
        at, here = None, 0  # how many fired at this one instant
        while True:
            times = [t for t in self.due_times() if t <= end]
            if not times:
                break
            self.clock.set(max(self.clock(), times[0]))
            here = here + 1 if self.clock() == at else 0
            at = self.clock()
            if here > 20:
                raise AssertionError(f"timers keep firing at {at} without time passing")
            fired += self.run_due()
            if engine is not None:
                await settle(engine)
        self.clock.set(end)
        return fired


async def settle(engine) -> None:  # noqa: ANN001
    """Let the commands the engine's timers started finish (they write through the
    writer thread); fails if they never do."""
    for _ in range(500):
        if not engine._tasks:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the timers' commands did not finish: {engine._tasks}")


@pytest.fixture
def fake_scheduler(fake_clock: FakeClock) -> FakeScheduler:
    """Timers on the fake clock: pass it as ``MeetingEngine(..., scheduler=fake_scheduler)``."""
    return FakeScheduler(fake_clock)


@pytest.fixture
def store(db_url: str):
    s = Store(db_url)
    yield s
    s.close()


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def meeting_id(store: Store, user_agenda_dir: Path) -> int:
    """A 1. dialogmøde (built-in agenda) with 3 groups and 12 participants."""
    return create_meeting(
        store,
        load_agenda("dialogmoede-1"),
        "dialogmoede-1",
        "1. dialogmøde på Ærø",
        groups=3,
        participants=12,
    )


@pytest.fixture
def engine(store: Store, meeting_id: int, fake_clock: FakeClock):
    eng = MeetingEngine(store, meeting_id, clock=fake_clock)
    yield eng
    eng.release()


@pytest.fixture
async def browser():
    """Headless Chromium for the phone pages (the tests that use it skip without one)."""
    from tests.test_participant_browser import CHROMIUM, CHROMIUM_ARGS, playwright_api

    async with playwright_api.async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()
