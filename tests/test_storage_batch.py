"""Group commit: ``Store.run_batch`` runs many writes in one transaction with one commit.

Each job's writes are its own (a SAVEPOINT): a job that fails leaves the others'
writes in place and its own out. Reads in the batch see the batch's earlier writes;
nothing is visible to anyone else until the one commit, and a failed commit loses all.
Outside a batch every write is still its own transaction. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import event

from facilitator.agenda import load_agenda
from storage.db import StorageError
from storage.repo import LeaseHeld, Store
from tests.conftest import PG_SKIP, PG_URL, reset_pg

WISHES, VOTE = 2, 4  # phases of dialogmoede-1


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh database at the newest schema (conftest.py: emptied, or a migrated copy)."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_SKIP)
        return reset_pg()
    shutil.copyfile(sqlite_template, tmp_path / "batch.db")
    return f"sqlite:///{tmp_path}/batch.db"


@pytest.fixture
def store(url: str):
    s = Store(url)
    yield s
    s.close()


@pytest.fixture
def mid(store: Store) -> int:
    agenda = load_agenda("dialogmoede-1")
    return store.create_meeting(
        title="Gruppecommit",
        agenda_name="dialogmoede-1",
        agenda_toml=agenda.source,
        phase_seconds=[(float(p.seconds), 0) for p in agenda.phases],
    ).id


def add(store: Store, mid: int, heading: str, group: int = 1) -> int:
    return store.add_flipover(
        mid,
        phase_index=WISHES,
        grouping="fours",
        group=group,
        kind="wish",
        heading=heading,
        proposals=[f"{heading}: forslag"],
    )


def stored(url: str, mid: int) -> list[str]:
    """The headings as another process sees them: its own engine, committed data only."""
    other = Store(url)
    try:
        return [f.heading for f in other.flipovers(mid, include_confidential=True)]
    finally:
        other.close()


def commits(store: Store) -> list[int]:
    """A list that grows by one at each COMMIT on the store's engine."""
    seen: list[int] = []
    event.listen(store.engine, "commit", lambda conn: seen.append(1))
    return seen


def test_a_failing_job_loses_only_its_own_writes(store, mid, url):
    class Refused(Exception):
        pass

    def middle() -> int:
        add(store, mid, "Anden")  # written, then undone with the job
        raise Refused("nej")

    results = store.run_batch(
        [lambda: add(store, mid, "Første"), middle, lambda: add(store, mid, "Tredje")]
    )
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert isinstance(results[1], Refused)
    assert stored(url, mid) == ["Første", "Tredje"]


def test_a_database_error_is_that_jobs_storage_error(store, mid, url):
    flip = add(store, mid, "Kortet")
    results = store.run_batch(
        [
            lambda: store.add_vote(mid, flip, "d1", VOTE),
            lambda: store.add_vote(mid, 999_999, "d1", VOTE),  # no such card: foreign key
            lambda: store.add_vote(mid, flip, "d2", VOTE),
        ]
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], StorageError)
    assert str(results[1]).startswith("kunne ikke gemme")
    assert stored_marks(url, mid) == {flip: 2}


def stored_marks(url: str, mid: int) -> dict[int, int]:
    other = Store(url)
    try:
        return {f.id: f.marks for f in other.flipovers(mid) if f.marks}
    finally:
        other.close()


def test_a_job_that_catches_a_failed_write_keeps_its_other_writes(store, mid, url):
    def job() -> str:
        add(store, mid, "Før fejlen")
        with pytest.raises(StorageError):  # (a phone's mark is a job of its own: see _write)
            add(store, 999_999, "Til et møde, der ikke findes")
        add(store, mid, "Efter fejlen")
        return "færdig"

    assert store.run_batch([job]) == ["færdig"]
    assert stored(url, mid) == ["Før fejlen", "Efter fejlen"]


def test_one_batch_is_one_commit(store, mid, url):
    seen = commits(store)
    results = store.run_batch([lambda i=i: add(store, mid, f"Kort {i}") for i in range(5)])
    assert len(seen) == 1
    assert len(results) == 5 and all(isinstance(r, int) for r in results)
    assert stored(url, mid) == [f"Kort {i}" for i in range(5)]


def test_outside_a_batch_each_write_is_its_own_commit(store, mid, url):
    seen = commits(store)
    for i in range(3):
        add(store, mid, f"Kort {i}")
        assert len(seen) == i + 1
        assert stored(url, mid)[-1] == f"Kort {i}"  # committed when the call returns
    with pytest.raises(StorageError):
        store.add_vote(mid, 999_999, "d1", VOTE)
    assert stored(url, mid) == ["Kort 0", "Kort 1", "Kort 2"]
    store.acquire_lease(mid, os.getpid(), "her", 0.0)
    assert len(seen) == 4
    other = Store(url)
    try:
        with pytest.raises(LeaseHeld):  # a refusal, not a database error, passes through
            other.acquire_lease(mid, os.getpid() + 1, "den anden", 0.0)
    finally:
        other.close()
    assert len(seen) == 4


def test_a_failed_commit_fails_every_job(store, mid, url, monkeypatch):
    dialect = store.engine.dialect
    real_commit = dialect.do_commit

    def disk_error(dbapi_connection) -> None:  # noqa: ANN001
        raise dialect.loaded_dbapi.OperationalError("disk I/O error")

    monkeypatch.setattr(dialect, "do_commit", disk_error)
    results = store.run_batch(
        [lambda: add(store, mid, "A"), lambda: 1 / 0, lambda: add(store, mid, "B")]
    )
    monkeypatch.setattr(dialect, "do_commit", real_commit)
    assert len(results) == 3
    assert all(isinstance(r, StorageError) for r in results)
    assert str(results[0]) == "kunne ikke gemme: disken svarer ikke (I/O-fejl)"
    assert stored(url, mid) == []
    add(store, mid, "Bagefter")  # the lock and the connection were given back
    assert stored(url, mid) == ["Bagefter"]


def test_reads_in_a_batch_see_its_writes_and_no_one_else_does(store, mid, url):
    elsewhere: list[list[str]] = []

    def look() -> list[str]:
        # Another thread of this process is not in the batch: it sees committed data.
        reader = threading.Thread(
            target=lambda: elsewhere.append([f.heading for f in store.flipovers(mid)])
        )
        reader.start()
        reader.join()
        elsewhere.append(stored(url, mid))  # and so does another process
        return [f.heading for f in store.flipovers(mid)]

    results = store.run_batch([lambda: add(store, mid, "Nyt"), look])
    assert results[1] == ["Nyt"]
    assert elsewhere == [[], []]
    assert stored(url, mid) == ["Nyt"]


def test_rows_a_batch_returns_are_plain_and_outlive_it(store, mid):
    agenda = load_agenda("dialogmoede-1")
    results = store.run_batch(
        [
            lambda: store.create_meeting(
                title="Andet møde",
                agenda_name="dialogmoede-1",
                agenda_toml=agenda.source,
                phase_seconds=[(60.0, 0)],
            ),
            lambda: store.get_meeting(mid),
            lambda: store.set_current_phase(mid, 3),
            lambda: store.get_meeting(mid),
        ]
    )
    made, before, _, after = results
    assert made.id != mid and made.title == "Andet møde" and len(made.code) == 6
    assert before.current_phase == 0 and after.current_phase == 3  # each its own snapshot
    assert store.get_meeting(made.id).title == "Andet møde"


def test_a_batch_inside_a_batch_is_refused(store, mid, url):
    results = store.run_batch([lambda: store.run_batch([lambda: add(store, mid, "Indre")])])
    assert isinstance(results[0], RuntimeError)
    assert stored(url, mid) == []


def test_an_empty_batch_commits_nothing(store):
    seen = commits(store)
    assert store.run_batch([]) == []
    assert seen == []


def test_outside_a_batch_a_failed_commit_is_a_storage_error_and_stores_nothing(
    store, mid, url, monkeypatch
):
    dialect = store.engine.dialect
    real_commit = dialect.do_commit

    def disk_error(dbapi_connection) -> None:  # noqa: ANN001
        raise dialect.loaded_dbapi.OperationalError("disk I/O error")

    monkeypatch.setattr(dialect, "do_commit", disk_error)
    with pytest.raises(StorageError, match="disken svarer ikke"):
        add(store, mid, "Tabt")
    monkeypatch.setattr(dialect, "do_commit", real_commit)
    assert stored(url, mid) == []
    add(store, mid, "Gemt")
    assert stored(url, mid) == ["Gemt"]
