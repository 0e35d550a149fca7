"""Storage: durable settings, migrations, flip-overs, the lease.

Run on SQLite and on PostgreSQL (see conftest.py); the tests about SQLite itself (pragmas,
files, paths) are marked ``sqlite_only``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

import storage.db as db_module
from facilitator.agenda import load_agenda
from facilitator.engine import create_meeting
from storage.db import HEAD, MIGRATIONS, StorageError
from storage.repo import LeaseHeld, Store

NOW = 1_800_000_000.0


def pragma(store: Store, name: str):
    with store.engine.connect() as conn:
        return conn.execute(text(f"PRAGMA {name}")).scalar()


@pytest.mark.sqlite_only  # pragmas
def test_sqlite_is_durable_wal_with_foreign_keys(store):
    assert pragma(store, "journal_mode").lower() == "wal"
    assert pragma(store, "foreign_keys") == 1
    assert pragma(store, "synchronous") == 2  # FULL: on disk before "gemt" is shown


def test_a_fresh_database_is_migrated_and_stamped(store):
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        tables = set(inspect(conn).get_table_names())
    newest = max(p.name.split("_")[0] for p in (MIGRATIONS / "versions").glob("0*.py"))
    assert HEAD == newest
    assert {"meeting", "phaserun", "group", "flipover", "proposal", "vote"} <= tables
    assert {"theme", "choice", "photo"} <= tables


@pytest.mark.sqlite_only  # an old SQLite file
def test_an_older_database_is_upgraded_with_its_meetings_kept(tmp_path):
    from alembic import command
    from alembic.config import Config

    from storage.db import make_engine

    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO forloeb (id, name, workplace, created_at) "
                "VALUES (1, 'F', '', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO meeting (id, forloeb_id, title, agenda_name, agenda_toml, created_at,"
                " groups, participants, current_phase, code, assistant_token, control_token) "
                "VALUES (1, 1, 'Gammelt møde på Ærø', 'x', '', '2026-01-01', 0, 0, 2, 'ABC',"
                " 'a', 'c')"
            )
        )
    engine.dispose()
    store = Store(url)
    assert [m.title for m in store.list_meetings()] == ["Gammelt møde på Ærø"]
    assert store.get_meeting(1).current_phase == 2
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD


def test_reopening_does_not_run_the_migrations_again(db_url, store, monkeypatch):
    def no_upgrade(engine):
        raise AssertionError("the migrations ran again on an up-to-date database")

    monkeypatch.setattr(db_module, "upgrade", no_upgrade)
    again = Store(db_url)
    try:
        assert again.list_meetings() == []
    finally:
        again.close()


def test_opening_an_up_to_date_database_does_not_import_alembic(store, db_url):
    """The start stays fast: Alembic is imported only when an upgrade is due."""
    code = (
        "import sys\n"
        "from storage.repo import Store\n"
        f"Store({db_url!r}).list_meetings()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def test_data_survives_reopening(db_url, store, meeting_id):
    store.add_flipover(
        meeting_id,
        phase_index=2,
        grouping="fours",
        group=1,
        kind="wish",
        heading="Mere tid",
        proposals=["a"],
    )
    store.close()
    again = Store(db_url)
    try:
        assert [f.heading for f in again.flipovers(meeting_id)] == ["Mere tid"]
        assert again.get_meeting(meeting_id).title == "1. dialogmøde på Ærø"
    finally:
        again.close()


# ------------------------------------------------------------------ flip-overs


def add(store, meeting_id, group, heading, proposals, *, grouping="fours", kind="wish"):
    return store.add_flipover(
        meeting_id,
        phase_index=2,
        grouping=grouping,
        group=group,
        kind=kind,
        heading=heading,
        proposals=proposals,
    )


def test_flipover_with_ordered_proposals_round_trips(store, meeting_id):
    proposals = ["Faste møder om fredagen", "Én ansvarlig for kaffe", "Æbler, øl og åbne døre"]
    fid = add(store, meeting_id, 2, "Bedre trivsel på gangen – æøå ÆØÅ", proposals)
    [row] = store.flipovers(meeting_id)
    assert row.id == fid
    assert row.heading == "Bedre trivsel på gangen – æøå ÆØÅ"
    assert row.proposals == tuple(proposals)
    assert row.group == 2 and row.grouping == "fours" and row.kind == "wish"
    assert row.marks == 0


def test_flipovers_are_ordered_by_group_then_entry(store, meeting_id):
    add(store, meeting_id, 2, "B1", [])
    add(store, meeting_id, 1, "A1", [])
    add(store, meeting_id, 2, "B2", [])
    add(store, meeting_id, 1, "Styrke", [], grouping="interview", kind="strength")
    rows = store.flipovers(meeting_id)
    fours = [(r.group, r.heading) for r in rows if r.grouping == "fours"]
    assert fours == [(1, "A1"), (2, "B1"), (2, "B2")]
    assert [r.kind for r in rows if r.grouping == "interview"] == ["strength"]


def test_edit_replaces_proposals_in_their_new_order(store, meeting_id):
    fid = add(store, meeting_id, 1, "Gammel", ["a", "b", "c"])
    assert store.edit_flipover(
        meeting_id, fid, grouping="fours", group=3, kind="wish", heading="Ny", proposals=["c", "a"]
    )
    [row] = store.flipovers(meeting_id)
    assert (row.group, row.heading, row.proposals) == (3, "Ny", ("c", "a"))


def test_deleting_a_flipover_removes_its_proposals(store, meeting_id):
    keep = add(store, meeting_id, 1, "Bliver", ["x"])
    gone = add(store, meeting_id, 1, "Går", ["y", "z"])
    assert store.delete_flipover(meeting_id, gone)
    assert [r.id for r in store.flipovers(meeting_id)] == [keep]
    with store.engine.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM proposal WHERE flipover_id = :f"), {"f": gone}
        ).scalar()
    assert left == 0
    assert not store.delete_flipover(meeting_id, gone)  # twice: nothing to delete


def test_a_flipover_of_another_meeting_is_not_touched(store, meeting_id):
    other = create_meeting(store, load_agenda("dialogmoede-2"), "dialogmoede-2", "Andet møde")
    fid = add(store, other, 1, "Fremmed", [])
    assert not store.delete_flipover(meeting_id, fid)
    assert not store.edit_flipover(
        meeting_id, fid, grouping="fours", group=1, kind="wish", heading="x", proposals=[]
    )
    assert [r.heading for r in store.flipovers(other)] == ["Fremmed"]


def test_deleting_a_meeting_removes_everything_of_it(store, meeting_id):
    add(store, meeting_id, 1, "Noget", ["a"])
    store.delete_meeting(meeting_id)
    assert store.get_meeting(meeting_id) is None
    with store.engine.connect() as conn:
        for table in ("flipover", "proposal", "phaserun", '"group"'):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0


def test_foreign_keys_are_enforced(store):
    with pytest.raises(StorageError):
        store.add_flipover(
            9999,
            phase_index=0,
            grouping="fours",
            group=1,
            kind="wish",
            heading="Til et møde der ikke findes",
            proposals=[],
        )


# ------------------------------------------------------------------ clock state


def test_clock_state_round_trips(store, meeting_id):
    store.save_clock(
        meeting_id,
        1,
        duration_s=1560.0,
        elapsed_s=123.5,
        running_since=NOW,
        started=True,
        turn_extra=[0.0, 60.0],
        current_phase=1,
    )
    runs = store.phase_runs(meeting_id)
    assert [r.phase_index for r in runs] == list(range(6))
    run = runs[1]
    assert (run.duration_s, run.elapsed_s, run.running_since, run.started) == (
        1560.0,
        123.5,
        NOW,
        True,
    )
    assert run.turn_extra == "0,60"
    assert store.get_meeting(meeting_id).current_phase == 1
    assert runs[0].duration_s == 15 * 60 and not runs[0].started


# ------------------------------------------------------------------ the lease


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid


def test_a_second_process_is_refused_while_the_first_lives(store, meeting_id):
    me = os.getpid()
    store.acquire_lease(meeting_id, me, "tmux på projektor-pc", NOW)
    with pytest.raises(LeaseHeld) as info:
        store.acquire_lease(meeting_id, me + 1, "anden terminal", NOW + 1)
    assert info.value.where == "tmux på projektor-pc"
    # the holder itself may take it again (a restart in the same process)
    store.acquire_lease(meeting_id, me, "tmux på projektor-pc", NOW + 2)


def test_a_lease_of_a_dead_process_is_taken_over_at_once(store, meeting_id):
    gone = dead_pid()
    store.acquire_lease(meeting_id, gone, "den gamle", NOW)
    store.acquire_lease(meeting_id, os.getpid(), "den nye", NOW + 1)  # no wait, no error
    meeting = store.get_meeting(meeting_id)
    assert (meeting.lease_pid, meeting.lease_where) == (os.getpid(), "den nye")


def test_release_frees_the_meeting(store, meeting_id):
    me = os.getpid()
    store.acquire_lease(meeting_id, me, "her", NOW)
    store.release_lease(meeting_id, me + 1)  # someone else's release does nothing
    assert store.get_meeting(meeting_id).lease_pid == me
    store.release_lease(meeting_id, me)
    meeting = store.get_meeting(meeting_id)
    assert meeting.lease_pid is None and meeting.lease_where is None
    store.acquire_lease(meeting_id, me + 1, "en anden", NOW + 1)
    assert store.get_meeting(meeting_id).lease_pid == me + 1


def test_a_lease_on_another_host_lives_by_its_heartbeat(store, meeting_id):
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE meeting SET lease_pid = 4242, lease_host = 'anden-maskine', "
                "lease_where = 'anden-maskine', lease_heartbeat = :hb WHERE id = :id"
            ),
            {"hb": NOW, "id": meeting_id},
        )
    assert socket.gethostname() != "anden-maskine"
    with pytest.raises(LeaseHeld):
        store.acquire_lease(meeting_id, os.getpid(), "her", NOW + 30)
    store.acquire_lease(meeting_id, os.getpid(), "her", NOW + 91)  # stale: taken over
    assert store.get_meeting(meeting_id).lease_pid == os.getpid()


# ------------------------------------------------------------------ bad places


@pytest.mark.sqlite_only  # SQLite files and paths
def test_a_db_under_a_file_is_a_storage_error(tmp_path):
    blocker = tmp_path / "ikke-en-mappe"
    blocker.write_text("x")
    with pytest.raises(StorageError) as info:
        Store(f"sqlite:///{blocker}/møder.db")
    assert str(blocker) in str(info.value)


@pytest.mark.sqlite_only  # SQLite files and paths
def test_a_db_that_is_a_directory_is_a_storage_error(tmp_path):
    folder = tmp_path / "en-mappe.db"
    folder.mkdir()
    with pytest.raises(StorageError) as info:
        Store(f"sqlite:///{folder}")
    assert "kan ikke åbne databasen" in str(info.value)


@pytest.mark.sqlite_only  # SQLite files and paths
def test_a_db_that_is_not_a_database_is_a_storage_error(tmp_path):
    junk = tmp_path / "noter.db"
    junk.write_bytes(b"Dette er ikke en database\n" * 200)
    with pytest.raises(StorageError):
        Store(f"sqlite:///{junk}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
@pytest.mark.sqlite_only  # SQLite files and paths
def test_a_read_only_folder_is_a_storage_error(tmp_path):
    folder = tmp_path / "låst"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError):
            Store(f"sqlite:///{folder}/møder.db")
    finally:
        folder.chmod(0o700)


def test_a_bad_url_is_a_storage_error():
    with pytest.raises(StorageError):
        Store("ikke en url")


@pytest.mark.sqlite_only  # SQLite files and paths
def test_default_path_is_inside_the_data_dir(monkeypatch, tmp_path):
    from facilitator import paths

    monkeypatch.delenv("FACILITATOR_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert (
        paths.default_db_url()
        == f"sqlite:///{tmp_path / 'data' / 'facilitator' / 'facilitator.db'}"
    )
    monkeypatch.setenv("FACILITATOR_DB", "sqlite:///" + str(Path(tmp_path) / "x.db"))
    assert paths.default_db_url().endswith("x.db")
