"""`facilitator delete` and `facilitator links --rotate`: erasing a meeting, new staff links.

The data is about people's work environment: a workplace must be able to erase a meeting so
that no word of it is left, neither in the tables nor in the SQLite files. And a link that
leaked must be replaceable, also while the meeting runs.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import MetaData, create_engine, text

from facilitator.agenda import load_agenda
from facilitator.cli import main
from facilitator.engine import MeetingEngine, create_meeting
from storage.db import StorageError
from storage.repo import Store
from tests.conftest import reset_pg

PG_URL = os.environ.get("FACILITATOR_TEST_PG")
SECRET = "Kaffemaskinen på 3. sal lugter af Zyxwvut-4711"
PROPOSAL = "Qwertzuiop-forslaget om støjværn"
PHOTO = b"\x89PNG-Jkhgfdsa-foto-af-flipoveren"


class Monotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path, sqlite_template) -> str:
    """A fresh database at the newest schema: a SQLite file (a copy of the migrated
    template), or the test PostgreSQL server emptied first (conftest.py)."""
    if request.param == "sqlite":
        shutil.copyfile(sqlite_template, tmp_path / "delete.db")
        return f"sqlite:///{tmp_path}/delete.db"
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set FACILITATOR_TEST_PG=postgresql+psycopg://…")
    return reset_pg(PG_URL)


def make_meeting(
    store: Store, title: str, heading: str = "Ro til fordybelse", secret: bool = False
) -> int:
    """A meeting with a row in every table a meeting has: clocks, groups, flip-overs with
    proposals, a photo, votes, a theme, choices and idempotency keys."""
    mid = create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", title, groups=3)
    first = store.add_flipover(
        mid,
        phase_index=2,
        grouping="fours",
        group=1,
        kind="wish",
        heading=heading,
        proposals=[PROPOSAL if secret else "Lydisolering", "Stille time"],
        idem=(f"key-{mid}-1", "flipover_add"),
    )
    second = store.add_flipover(
        mid,
        phase_index=2,
        grouping="fours",
        group=2,
        kind="wish",
        heading="Fælles kalender",
        proposals=["Alle kan se den"],
    )
    store.set_photo(mid, first, "image/png", PHOTO if secret else b"\x89PNG-et-andet-foto")
    store.add_vote(mid, first, "device-a", 3, idem=(f"key-{mid}-2", "vote"))
    store.add_vote(mid, second, "", 3)
    theme = store.create_theme(mid, f"Tema om {heading}", [first, second])
    store.set_choice(mid, 5, "device-a", ("t", theme), (f"key-{mid}-3", "choice"))
    store.add_hand_choice(mid, 5, ("f", first))
    store.save_clock(
        mid, 0, duration_s=900, elapsed_s=12, running_since=None, started=True, turn_extra=()
    )
    return mid


def rows_by_table(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (but Alembic's), to compare before and after."""
    engine = create_engine(url)
    schema = MetaData()
    schema.reflect(bind=engine)
    with engine.connect() as conn:
        rows = {
            t.name: sorted(map(tuple, conn.execute(t.select())), key=repr)
            for t in schema.sorted_tables
            if t.name != "alembic_version"
        }
    engine.dispose()
    return rows


def related_rows(url: str, mid: int, flips: list[int] | None = None) -> dict[str, int]:
    """Rows that still point at the meeting, directly or through one of its flip-overs
    (``flips``: the ids it had, else the ones it has)."""
    engine = create_engine(url)
    schema = MetaData()
    schema.reflect(bind=engine)
    found: dict[str, int] = {}
    with engine.connect() as conn:
        if flips is None:
            query = text("SELECT id FROM flipover WHERE meeting_id = :m")
            flips = [r[0] for r in conn.execute(query, {"m": mid})]
        for table in schema.sorted_tables:
            if "meeting_id" in table.c:
                n = conn.execute(table.select().where(table.c.meeting_id == mid)).all()
                found[table.name] = len(n)
            if "flipover_id" in table.c:
                n = conn.execute(table.select().where(table.c.flipover_id.in_(flips))).all()
                found[f"{table.name}.flipover_id"] = len(n)
        query = text("SELECT id FROM meeting WHERE id = :m")
        found["meeting"] = len(conn.execute(query, {"m": mid}).all())
    engine.dispose()
    return found


# ---------------------------------------------------------------------- delete
def test_delete_removes_every_row_of_the_meeting_and_nothing_else(any_db, capsys):
    store = Store(any_db)
    gone = make_meeting(store, "Mødet der slettes")
    kept = make_meeting(store, "Mødet der bliver")
    store.close()
    before = related_rows(any_db, gone)
    kept_before = related_rows(any_db, kept)
    reader = Store(any_db)
    flips = [f.id for f in reader.flipovers(gone, include_confidential=True)]
    reader.close()
    # Every kind of row is there before, so "none after" means something.
    assert all(before[t] for t in ("phaserun", "group", "flipover", "vote", "choice", "theme"))
    assert before["proposal.flipover_id"] and before["photo.flipover_id"]
    assert before["idempotencykey"] == 3
    everything = rows_by_table(any_db)

    assert main(["delete", str(gone), "--yes", "--db", any_db]) == 0
    out = capsys.readouterr().out
    assert "Slettet: mødet «Mødet der slettes»" in out

    after = related_rows(any_db, gone, flips)
    assert after == {name: 0 for name in before}
    remaining = rows_by_table(any_db)
    # The other meeting is untouched: its rows are exactly as they were.
    assert related_rows(any_db, kept) == kept_before
    for name, rows in remaining.items():
        assert set(rows) <= set(everything[name]), name
    kept_store = Store(any_db)
    assert kept_store.get_meeting(kept).title == "Mødet der bliver"
    assert len(kept_store.flipovers(kept, include_confidential=True)) == 2
    assert kept_store.photo(kept, kept_store.flipovers(kept)[0].id) is not None
    # The meeting's own forløb went with it; the other meeting's stayed.
    titles = [row[1] for row in remaining["forloeb"]]
    assert titles == ["Mødet der bliver"]
    kept_store.close()


def test_delete_keeps_a_forloeb_another_meeting_uses(db_url, store, meeting_id, capsys):
    forloeb = store.get_meeting(meeting_id).forloeb_id
    second = store.create_meeting(
        title="Opfølgning",
        agenda_name="dialogmoede-2",
        agenda_toml=load_agenda("dialogmoede-2").source,
        phase_seconds=[(60.0, 0)],
        forloeb_id=forloeb,
    )
    assert main(["delete", str(second.id), "--yes", "--db", db_url]) == 0
    assert store.get_meeting(meeting_id).forloeb_id == forloeb
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM forloeb")).scalar() == 1


def test_delete_leaves_no_word_of_the_meeting_in_the_sqlite_files(db_path, db_url, capsys):
    store = Store(db_url)
    mid = make_meeting(store, "Hemmeligt-Titel-Xylofon", heading=SECRET, secret=True)
    keep = make_meeting(store, "Et andet møde")
    words = [SECRET.encode(), PROPOSAL.encode(), PHOTO, b"Hemmeligt-Titel-Xylofon"]

    def files() -> bytes:
        return b"".join(
            Path(f"{db_path}{suffix}").read_bytes()
            for suffix in ("", "-wal", "-shm")
            if Path(f"{db_path}{suffix}").exists()
        )

    # The words are in the files before (else the test proves nothing) ...
    assert all(word in files() for word in words)
    # ... and with the store still open in this process (as a second terminal would be),
    # `delete` checkpoints the WAL, truncates it and vacuums.
    assert main(["delete", str(mid), "--yes", "--db", db_url]) == 0
    data = files()
    for word in words:
        assert word not in data, word
    assert Path(f"{db_path}-wal").stat().st_size == 0 if Path(f"{db_path}-wal").exists() else True
    assert store.get_meeting(keep).title == "Et andet møde"  # the rest is readable
    assert b"Et andet m" in data
    store.close()


class TtyInput(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_delete_asks_first_on_a_terminal(db_url, store, meeting_id, capsys, monkeypatch):
    title = store.get_meeting(meeting_id).title
    monkeypatch.setattr(sys, "stdin", TtyInput("n\n"))
    assert main(["delete", str(meeting_id), "--db", db_url]) == 1
    out = capsys.readouterr().out
    assert f"Slet mødet «{title}» og alt dets indhold? Det kan ikke fortrydes. [j/N]" in out
    assert "Intet er slettet." in out
    assert store.get_meeting(meeting_id) is not None

    monkeypatch.setattr(sys, "stdin", TtyInput(""))  # Ctrl+D: no
    assert main(["delete", str(meeting_id), "--db", db_url]) == 1
    assert store.get_meeting(meeting_id) is not None

    monkeypatch.setattr(sys, "stdin", TtyInput("j\n"))
    assert main(["delete", str(meeting_id), "--db", db_url]) == 0
    assert store.get_meeting(meeting_id) is None


def test_delete_without_a_terminal_needs_yes(db_url, store, meeting_id, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("j\n"))  # piped: not a terminal
    assert main(["delete", str(meeting_id), "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--yes" in err
    assert store.get_meeting(meeting_id) is not None


def test_delete_refuses_a_meeting_a_live_process_holds(db_url, store, meeting_id, capsys):
    engine = MeetingEngine(store, meeting_id)
    engine.acquire("pid 4242 på mødelaptop, http://10.0.0.5:8765/")
    assert main(["delete", str(meeting_id), "--yes", "--db", db_url]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "kører" in err and "http://10.0.0.5:8765/" in err
    assert store.get_meeting(meeting_id) is not None
    assert store.flipovers(meeting_id) == []  # nothing half-deleted either
    assert len(store.phase_runs(meeting_id)) == len(engine.agenda.phases)
    engine.release()
    assert main(["delete", str(meeting_id), "--yes", "--db", db_url]) == 0
    assert store.get_meeting(meeting_id) is None


def test_delete_takes_over_a_stale_lease(db_url, store, meeting_id, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.acquire_lease(meeting_id, dead.pid, "pid død", 1_800_000_000.0)
    assert main(["delete", str(meeting_id), "--yes", "--db", db_url]) == 0
    assert store.get_meeting(meeting_id) is None


def test_delete_an_unknown_meeting_is_one_line_and_status_2(db_url, store, meeting_id, capsys):
    assert main(["delete", "999", "--yes", "--db", db_url]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "999" in err and "findes ikke" in err
    assert store.get_meeting(meeting_id) is not None


# ---------------------------------------------------------------------- rotate
def test_links_rotate_prints_new_links(db_url, store, meeting_id, capsys):
    before = store.get_meeting(meeting_id)
    assert main(["links", str(meeting_id), "--rotate", "--host", "10.0.0.5", "--db", db_url]) == 0
    out = capsys.readouterr().out
    after = store.get_meeting(meeting_id)
    assert after.assistant_token != before.assistant_token
    assert after.control_token != before.control_token
    assert after.assistant_token != after.control_token
    assert len(after.assistant_token) >= 22  # 128 bits, URL-safe
    assert f"http://10.0.0.5:8765/assist?token={after.assistant_token}" in out
    assert f"http://10.0.0.5:8765/remote?token={after.control_token}" in out
    assert before.assistant_token not in out and before.control_token not in out
    assert "virker ikke længere" in out
    assert after.code == before.code  # the participants' link and code stay


async def test_rotated_links_stop_working_on_a_running_server(db_url, store, meeting_id):
    from facilitator.web.server import WebServer

    monotonic = Monotonic()
    engine = MeetingEngine(store, meeting_id, monotonic=monotonic)
    old_assist, old_control = engine.assistant_token, engine.control_token
    server = WebServer(engine, lan_address="127.0.0.1")
    async with TestClient(TestServer(server.app)) as client:
        assert (await client.get(f"/assist?token={old_assist}")).status == 200
        ok = await client.post(
            "/api/control/start", headers={"Authorization": f"Bearer {old_control}"}
        )
        assert ok.status == 200

        assert main(["links", str(meeting_id), "--rotate", "--db", db_url]) == 0
        stored = Store(db_url).get_meeting(meeting_id)
        new_assist, new_control = stored.assistant_token, stored.control_token

        monotonic.t += 1.01  # a second later the running server has read the new tokens
        assert (await client.get(f"/assist?token={old_assist}")).status == 403
        assert (await client.get(f"/remote?token={old_control}")).status == 403
        denied = await client.post(
            "/api/control/pause", headers={"Authorization": f"Bearer {old_control}"}
        )
        assert denied.status == 403
        assert (await client.get(f"/assist?token={new_assist}")).status == 200
        assert (await client.get(f"/remote?token={new_control}")).status == 200
        ok = await client.post(
            "/api/control/pause", headers={"Authorization": f"Bearer {new_control}"}
        )
        assert ok.status == 200
    engine.release()


def test_tokens_are_reread_at_most_once_a_second(store, meeting_id, monkeypatch):
    monotonic = Monotonic()
    engine = MeetingEngine(store, meeting_id, monotonic=monotonic)
    reads: list[int] = []
    original = store.meeting_tokens

    def counting(mid: int):
        reads.append(mid)
        return original(mid)

    monkeypatch.setattr(store, "meeting_tokens", counting)
    old = engine.assistant_token
    for _ in range(50):
        assert engine.assistant_token == old and engine.control_token
    assert reads == []
    store.rotate_tokens(meeting_id)
    monotonic.t += 0.5
    assert engine.assistant_token == old  # within the second: the cached token
    monotonic.t += 0.6
    assert engine.assistant_token != old
    assert len(reads) == 1


def test_a_storage_fault_keeps_the_last_known_tokens(store, meeting_id, monkeypatch):
    monotonic = Monotonic()
    engine = MeetingEngine(store, meeting_id, monotonic=monotonic)
    tokens = engine.assistant_token, engine.control_token

    def broken(_mid: int):
        raise StorageError("kunne ikke læse: databasen er låst af et andet program")

    monkeypatch.setattr(store, "meeting_tokens", broken)
    monotonic.t += 5
    assert (engine.assistant_token, engine.control_token) == tokens
