"""The `facilitator` command: what a user types, what they read back, and the exit status."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from facilitator.cli import main
from storage.repo import Store


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("FACILITATOR_DB", url)
    return url


def new_meeting(capsys, *extra: str) -> int:
    assert main(["new", "--agenda", "dialogmoede-1", "--title", "Møde på Ærø", *extra]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    return int(out[-1])  # the id alone on the last line


async def add_flipovers(db: str, mid: int) -> None:
    from facilitator.engine import MeetingEngine

    store = Store(db)
    engine = MeetingEngine(store, mid)
    await engine.goto(1)  # interview: strengths
    await engine.add_flipover(1, "Vi hjælper hinanden", ["Kollegial sparring"])
    await engine.goto(2)  # grupper på 4: wishes
    await engine.add_flipover(2, "Færre afbrydelser", ["Stille time kl. 9–10", "Fælles kalender"])
    await engine.add_flipover(1, "Mere anerkendelse; også for små ting", ['"Tak" på tavlen'])
    store.close()


def test_new_prints_the_id_alone_on_its_last_line(db, capsys):
    first = new_meeting(capsys, "--groups", "4", "--participants", "16")
    second = new_meeting(capsys)
    assert second == first + 1
    meeting = Store(db).get_meeting(first)
    assert meeting.title == "Møde på Ærø" and meeting.groups == 4 and meeting.participants == 16
    assert len(meeting.assistant_token) >= 22 and meeting.assistant_token != meeting.control_token


def test_db_option_after_the_subcommand(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FACILITATOR_DB", raising=False)
    url = f"sqlite:///{tmp_path}/other.db"
    assert main(["new", "--agenda", "dialogmoede-2", "--title", "X", "--db", url]) == 0
    mid = int(capsys.readouterr().out.strip().splitlines()[-1])
    assert Store(url).get_meeting(mid).agenda_name == "dialogmoede-2"


def test_agendas_lists_and_shows_the_builtins(capsys):
    assert main(["agendas"]) == 0
    out = capsys.readouterr().out
    assert "dialogmoede-1" in out and "dialogmoede-2" in out
    assert main(["agendas", "show", "dialogmoede-1"]) == 0
    assert "Hvad giver dig mest energi i vores daglige arbejde?" in capsys.readouterr().out


def test_agendas_check_names_file_line_and_field(tmp_path, capsys):
    bad = tmp_path / "mit.toml"
    bad.write_text(
        'format = 1\ntitle = "Mit møde"\nmethod = "x"\nlanguage = "da"\n\n'
        '[[phase]]\nkind = "info"\ntitle = "Intro"\nminutes = 10\n\n'
        '[[phase]]\nkind = "interview"\ntitle = "Interview"\nminutes = 10\nturn_seconds = 300\n',
        encoding="utf-8",
    )
    assert main(["agendas", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:15: phase[2].turn_seconds:" in err
    good = tmp_path / "god.toml"
    good.write_text(bad.read_text().replace("minutes = 10\nturn", "minutes = 20\nturn"))
    assert main(["agendas", "check", str(good)]) == 0
    assert "i orden" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "999"], "mødet '999' findes ikke"),
        (["export", "999", "--what", "bruttoliste", "--format", "md"], "findes ikke"),
        (["links", "nope"], "findes ikke"),
        (["new", "--agenda", "findes-ikke", "--title", "x"], "ukendt dagsorden"),
        (["new", "--agenda", "/no/such/file.toml", "--title", "x"], "findes ikke"),
        (["new", "--agenda", "dialogmoede-1", "--title", "   "], "titel"),
        (["agendas", "check", "/no/such.toml"], "findes ikke"),
    ],
)
def test_bad_input_is_one_line_and_status_2(db, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unusable_database_is_one_line_and_status_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    url = f"sqlite:///{blocker}/sub/x.db"  # a folder cannot be made under a file
    assert main(["new", "--agenda", "dialogmoede-1", "--title", "x", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


async def test_export_csv_opens_in_danish_excel(db, capsys, tmp_path):
    mid = new_meeting(capsys)
    await add_flipovers(db, mid)
    target = tmp_path / "bruttoliste.csv"
    assert (
        main(["export", str(mid), "--what", "bruttoliste", "--format", "csv", "-o", str(target)])
        == 0
    )
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 and keeps æøå
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Nr.", "Slags", "Gruppe", "Overskrift", "Forslag", "Markeringer"]
    wishes = [r for r in rows[1:] if r[1] == "Ønske"]
    # every wish, ranked by marks (0 until votes exist: a shared place, in the order
    # written), with its group, proposals and marks
    assert [(r[2], r[3]) for r in wishes] == [
        ("2", "Færre afbrydelser"),
        ("1", "Mere anerkendelse; også for små ting"),
    ]
    assert wishes[0][4] == "Stille time kl. 9–10\nFælles kalender"
    assert wishes[1][4] == '"Tak" på tavlen'
    assert all(r[5] == "0" for r in wishes)
    strengths = [r for r in rows[1:] if r[1] == "Styrke"]
    assert [r[3] for r in strengths] == ["Vi hjælper hinanden"]


async def test_export_markdown_keeps_strengths_apart(db, capsys):
    mid = new_meeting(capsys)
    await add_flipovers(db, mid)
    assert main(["export", str(mid), "--what", "bruttoliste", "--format", "md"]) == 0
    out = capsys.readouterr().out
    wishes, strengths = out.split("## Styrker fra interviewene")
    assert "Færre afbrydelser" in wishes and "Vi hjælper hinanden" not in wishes
    assert "Vi hjælper hinanden" in strengths
    assert "   - Stille time kl. 9–10" in wishes


async def test_export_json_has_everything(db, capsys):
    mid = new_meeting(capsys)
    await add_flipovers(db, mid)
    assert main(["export", str(mid), "--what", "bruttoliste", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["meeting"]["title"] == "Møde på Ærø"
    assert doc["kind"] == "facilitator-bruttoliste"
    assert [w["heading"] for w in doc["wishes"]] == [
        "Færre afbrydelser",
        "Mere anerkendelse; også for små ting",
    ]
    assert [p["text"] for p in doc["strengths"][0]["proposals"]] == ["Kollegial sparring"]


def test_export_to_unwritable_path_keeps_nothing_half_written(db, capsys, tmp_path):
    mid = new_meeting(capsys)
    target = tmp_path / "no" / "such" / "dir" / "x.csv"
    assert (
        main(["export", str(mid), "--what", "bruttoliste", "--format", "csv", "-o", str(target)])
        == 2
    )
    err = capsys.readouterr().err
    assert "kan ikke skrive" in err and "Traceback" not in err


def test_links_prints_the_participant_address(db, capsys):
    mid = new_meeting(capsys)
    assert main(["links", str(mid), "--host", "10.20.30.40", "--port", "9000"]) == 0
    out = capsys.readouterr().out
    participant = next(line for line in out.splitlines() if line.startswith("Deltagere"))
    assert participant.endswith("http://10.20.30.40:9000/")
    assert "token" not in participant  # the participant link carries no token
    assert "http://10.20.30.40:9000/assist?token=" in out
    assert "http://10.20.30.40:9000/remote?token=" in out


def test_second_live_process_for_a_meeting_exits_2(db, capsys, tmp_path):
    mid = new_meeting(capsys)
    from facilitator.engine import MeetingEngine

    store = Store(db)
    holder = MeetingEngine(store, mid)
    holder.acquire("pid 1 på projektor-pc, http://10.0.0.5:8765/")
    # ... as a process on another machine (a shared database): not waited for
    # (waiting for a holder on this machine that is closing is tests/test_lease.py's)
    from sqlalchemy import text

    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE meeting SET lease_host = 'projektor-pc' WHERE id = :i"), {"i": mid}
        )
    # a live process holds it: `serve` for the same meeting refuses and says where it runs
    env = {**os.environ, "FACILITATOR_DB": db}
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "serve", str(mid), "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "kører allerede" in result.stderr and "projektor-pc" in result.stderr
    assert "Traceback" not in result.stderr
    holder.release()


def test_console_script_exists_and_help_is_danish():
    script = Path(sys.executable).with_name("facilitator")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("demo", "new", "run", "serve", "links", "agendas", "export"):
        assert command in result.stdout


async def test_export_carries_marks_and_themes_and_never_særskilt_spor(db, capsys, tmp_path):
    from facilitator.engine import MeetingEngine

    mid = new_meeting(capsys)
    await add_flipovers(db, mid)
    store = Store(db)
    engine = MeetingEngine(store, mid)
    extra = (await engine.add_flipover(3, "Mobning i vagtplanlægningen")).id
    await engine.set_confidential(extra)
    wishes = {f.heading: f.id for f in engine.flipovers() if f.kind == "wish"}
    await engine.goto(4)  # udvælgelse
    for _ in range(2):
        await engine.vote("phone-0123456789abcdef", wishes["Færre afbrydelser"])
    await engine.hand_mark(wishes["Mere anerkendelse; også for små ting"])
    await engine.create_theme("Arbejdsro og anerkendelse", list(wishes.values()))
    store.close()
    target = tmp_path / "b.csv"
    assert (
        main(["export", str(mid), "--what", "bruttoliste", "--format", "csv", "-o", str(target)])
        == 0
    )
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    marks = {r[3]: (r[5], r[6]) for r in rows[1:] if r[1] == "Ønske"}
    assert marks == {
        "Mere anerkendelse; også for små ting": ("1", "Arbejdsro og anerkendelse"),
        "Færre afbrydelser": ("2", "Arbejdsro og anerkendelse"),
    }
    assert "Mobning" not in target.read_text(encoding="utf-8-sig")
    assert main(["export", str(mid), "--what", "bruttoliste", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "2 markeringer · tema: Arbejdsro og anerkendelse" in md and "Mobning" not in md
