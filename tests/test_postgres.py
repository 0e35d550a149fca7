"""The `--db postgresql+psycopg://…` path against a real PostgreSQL server.

Set FACILITATOR_TEST_PG to an empty database's URL (`.ci/run` starts a server and sets it);
without it these tests skip and say why.
"""

from __future__ import annotations

import os

import pytest

from facilitator.cli import main
from facilitator.engine import MeetingEngine
from storage.repo import LeaseHeld, Store

PG_URL = os.environ.get("FACILITATOR_TEST_PG")
pytestmark = pytest.mark.skipif(
    not PG_URL, reason="no PostgreSQL server: set FACILITATOR_TEST_PG=postgresql+psycopg://…"
)


@pytest.fixture
def pg_url() -> str:
    """An empty schema each time: drop what an earlier run left."""
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return PG_URL


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


async def test_a_meeting_runs_and_resumes_on_postgresql(pg_url, capsys):
    assert main(["new", "--agenda", "dialogmoede-1", "--title", "Møde på Ærø", "--db", pg_url]) == 0
    mid = int(capsys.readouterr().out.strip().splitlines()[-1])

    clock = Clock()
    store = Store(pg_url)
    engine = MeetingEngine(store, mid, clock=clock)
    await engine.goto(2)
    await engine.start()
    clock.t += 100
    await engine.add_flipover(
        3, "Færre afbrydelser – også om fredagen", ["Stille time", "Fælles kalender"]
    )
    await engine.pause()
    store.close()

    again = MeetingEngine(Store(pg_url), mid, clock=clock)
    assert again.index == 2 and again.clock.paused
    assert again.clock.remaining(clock.t) == 35 * 60 - 100
    [flip] = again.flipovers()
    assert (flip.group, flip.heading, flip.proposals) == (
        3,
        "Færre afbrydelser – også om fredagen",
        ("Stille time", "Fælles kalender"),
    )
    assert (
        main(["export", str(mid), "--what", "bruttoliste", "--format", "md", "--db", pg_url]) == 0
    )
    assert "Færre afbrydelser – også om fredagen" in capsys.readouterr().out


def test_the_lease_holds_across_hosts_on_postgresql(pg_url, capsys):
    assert main(["new", "--agenda", "dialogmoede-2", "--title", "X", "--db", pg_url]) == 0
    mid = int(capsys.readouterr().out.strip().splitlines()[-1])
    store = Store(pg_url)
    store.acquire_lease(mid, os.getpid(), "projektor-pc", now=1000.0)
    # another process (a pid that is alive: our parent) cannot take it while it lives
    with pytest.raises(LeaseHeld):
        store.acquire_lease(mid, os.getppid(), "anden-pc", now=1001.0)
    store.release_lease(mid, os.getpid())
    store.acquire_lease(mid, os.getppid(), "anden-pc", now=1002.0)
