"""Shared fixtures: a store on a temporary SQLite file, a fake clock, a meeting, an engine.

The names are generic so the screen, web and CLI tests can reuse them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import facilitator.agenda as agenda_module
from facilitator.agenda import load_agenda
from facilitator.engine import MeetingEngine, create_meeting
from storage.repo import Store

EPOCH = 1_800_000_000.0  # a fixed wall instant (2027-01-15), so nothing depends on today


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
    return tmp_path / "meetings.db"


@pytest.fixture
def db_url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


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
