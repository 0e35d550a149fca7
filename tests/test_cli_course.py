"""A whole APV course through the `facilitator` command and the engine: a forløb, a 1st
meeting with flip-overs and marks, the vurdering, a 2nd meeting that opens on the
bruttoliste, the handleplan, its exports, the archive into another database, status,
and erasing the course."""

from __future__ import annotations

import csv
import io
import json

import pytest

from facilitator.cli import main
from facilitator.course import Course
from facilitator.engine import MeetingEngine
from storage.repo import Store


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path}/forloeb.db"
    monkeypatch.setenv("FACILITATOR_DB", url)
    return url


def last_line(capsys) -> int:
    return int(capsys.readouterr().out.strip().splitlines()[-1])


def new_forloeb(capsys) -> int:
    argv = [
        "forloeb",
        "new",
        "--workplace",
        "Hjemmeplejen Ærø",
        "--unit",
        "Team Nord",
        "--tovholder",
        "Anne Øster",
        "--moedeleder",
        "Bo Å",
        "--help-contact",
        "Tillidsrepræsentant Bo, tlf. 12 34 56 78",
        "--help-contact",
        "Arbejdsmiljørepræsentant Åse, lokale 3",
        "--plan",
        "dialogmoede-2=14-01-2027",
        "--plan",
        "handleplan=1-2-2027",
    ]
    assert main(argv) == 0
    return last_line(capsys)


def new_meeting(capsys, agenda: str, title: str, forloeb: int) -> int:
    argv = ["new", "--agenda", agenda, "--title", title, "--participants", "16"]
    assert main([*argv, "--forloeb", str(forloeb)]) == 0
    return last_line(capsys)


def phase_of(engine: MeetingEngine, title: str) -> int:
    return next(i for i, p in enumerate(engine.agenda.phases) if p.title.startswith(title))


async def first_meeting(db: str, mid: int) -> dict[str, int]:
    """Wishes from three groups, marks by hand, one wish moved to særskilt spor."""
    store = Store(db)
    engine = MeetingEngine(store, mid)
    await engine.goto(phase_of(engine, "Grupper på 4"))
    ids = {}
    for group, heading, proposals in (
        (1, "Færre afbrydelser", ["Stille time kl. 9–10"]),
        (2, "Mere anerkendelse", ["Tak på tavlen"]),
        (3, "Bedre overlap mellem vagterne", ["10 minutter ekstra"]),
        (4, "Chikane fra en kollega", ["Tal med nogen"]),
    ):
        row = await engine.add_flipover(group, heading, proposals)
        ids[heading] = row.id
    await engine.set_hand_marks(ids["Færre afbrydelser"], 5)
    await engine.set_hand_marks(ids["Mere anerkendelse"], 9)
    await engine.set_hand_marks(ids["Bedre overlap mellem vagterne"], 2)
    await engine.set_confidential(ids["Chikane fra en kollega"])
    store.close()
    return ids


async def test_a_whole_course_from_the_first_meeting_to_the_handleplan(
    db, tmp_path, capsys, monkeypatch
):
    forloeb = new_forloeb(capsys)
    assert main(["forloeb"]) == 0
    listed = capsys.readouterr().out
    assert "Hjemmeplejen Ærø, Team Nord" in listed and "1. dialogmøde" in listed

    first = new_meeting(capsys, "dialogmoede-1", "1. dialogmøde", forloeb)
    ids = await first_meeting(db, first)

    store = Store(db)
    course = Course(store)
    assert "Vurdering mangler" in course.forloeb(forloeb).next_step
    assert main(["forloeb"]) == 0
    assert "Vurdering mangler" in capsys.readouterr().out

    # The arbejdsmiljøgruppe's vurdering.
    course.assess(ids["Mere anerkendelse"], "work_on", "Vi starter på næste personalemøde")
    course.assess(ids["Færre afbrydelser"], "in_progress", "Telefonerne omstilles allerede")
    course.assess(ids["Bedre overlap mellem vagterne"], "cannot_now", "Vagtplanen er låst til maj")

    # The 2nd meeting opens on the 1st meeting's bruttoliste, ranked by marks, without the
    # særskilt spor.
    second = new_meeting(capsys, "dialogmoede-2", "2. dialogmøde", forloeb)
    engine = MeetingEngine(store, second)
    assert engine.agenda.phases[0].kind == "bruttoliste"
    await engine.load_course()
    shown = engine.bruttoliste()
    assert [w.heading for w in shown.wishes] == [
        "Mere anerkendelse",
        "Færre afbrydelser",
        "Bedre overlap mellem vagterne",
    ]
    assert [w.marks for w in shown.wishes] == [9, 5, 2]
    assert shown.wishes[2].reason == "Vagtplanen er låst til maj"
    assert "Chikane" not in json.dumps(engine.state(), ensure_ascii=False)

    # Vælg ét ønske: a group takes a bruttoliste wish as its heading; the room prioritises it.
    await engine.goto(phase_of(engine, "Grupper på 4: vælg"))
    chosen = await engine.add_flipover(
        1,
        "Mere anerkendelse",
        ["Tak på tavlen", "Ros på personalemødet", "Fejr det, der lykkes"],
        wish_id=ids["Mere anerkendelse"],
    )
    await engine.set_priorities([f"f{chosen.id}"])
    store.close()

    course = Course(Store(db))
    assert course.seed_handleplan(forloeb) == 1
    plan = course.handleplan(forloeb)
    (row,) = plan.rows
    assert row.area == "Mere anerkendelse"
    assert "Ros på personalemødet" in row.activities
    assert "Ansvarlig mangler" in row.flags  # flagged, not refused
    course.update_action(
        row.id, responsible="Anne Øster", start="1-2-2027", follow_up="1-3-2027", goal="Alle"
    )
    course.update_forloeb(forloeb, handleplan_date="2027-02-01")
    course.add_absence(forloeb, label="Før", absence=30, actual=570, unit="days")
    assert course.handleplan(forloeb).absence[0].percent == pytest.approx(5.0)

    # The handleplan as CSV, the way Danish Excel opens it.
    target = tmp_path / "handleplan.csv"
    assert (
        main(
            ["export", "--forloeb", str(forloeb), "--what", "handleplan"]
            + ["--format", "csv", "-o", str(target)]
        )
        == 0
    )
    text = target.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any("Mere anerkendelse" in cell for r in rows for cell in r)
    assert any("Anne Øster" in cell for r in rows for cell in r)

    # Status: the revision three years after the handleplan.
    capsys.readouterr()
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert "Hjemmeplejen Ærø" in status and "APV revideres senest: 1. feb. 2030" in status

    # The archive into another database gives the same archive back.
    archive = tmp_path / "forloeb.json"
    assert (
        main(
            ["export", "--forloeb", str(forloeb), "--what", "forloeb"]
            + ["--format", "json", "-o", str(archive)]
        )
        == 0
    )
    document = json.loads(archive.read_text(encoding="utf-8"))
    assert document["kind"] == "facilitator-forloeb"
    dumped = archive.read_text(encoding="utf-8")
    for secret in ("Chikane", Store(db).get_meeting(first).assistant_token):
        assert secret not in dumped
    other = f"sqlite:///{tmp_path}/other.db"
    assert main(["import", str(archive), "--db", other]) == 0
    restored = last_line(capsys)
    again = tmp_path / "again.json"
    assert (
        main(
            ["export", "--forloeb", str(restored), "--what", "forloeb", "--format"]
            + ["json", "-o", str(again), "--db", other]
        )
        == 0
    )
    assert json.loads(again.read_text(encoding="utf-8")) == document

    # Erasing the course erases its meetings.
    assert main(["delete", "--forloeb", str(forloeb), "--yes"]) == 0
    assert Store(db).get_meeting(first) is None and Store(db).get_meeting(second) is None
    capsys.readouterr()
    assert main(["forloeb"]) == 0
    assert "Hjemmeplejen" not in capsys.readouterr().out


def test_forloeb_new_needs_a_workplace(db, capsys):
    assert main(["forloeb", "new"]) == 2
    err = capsys.readouterr().err
    assert "arbejdsplads" in err and len(err.strip().splitlines()) == 1


def test_a_bad_plan_step_is_one_line(db, capsys):
    assert main(["forloeb", "new", "--workplace", "X", "--plan", "dialog=1-2-2027"]) == 2
    assert "TRIN=DATO" in capsys.readouterr().err


def test_a_meeting_in_a_forloeb_that_does_not_exist_is_refused(db, capsys):
    argv = ["new", "--agenda", "dialogmoede-1", "--title", "X", "--forloeb", "99"]
    assert main(argv) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert Store(db).list_meetings() == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"kind": "facilitator-forloeb", "version": 1, "forl', "afkortet"),
        (b'{"format": 1, "wishes": []}', "ikke et facilitator-forløb"),
        (b'{"kind": "facilitator-forloeb", "version": 99}', "nyere version"),
        (b"\xff\xfe\x00garbage", "ikke et facilitator-forløb"),
    ],
)
def test_an_import_that_is_not_ours_writes_nothing(db, tmp_path, capsys, content, message):
    path = tmp_path / "arkiv.json"
    path.write_bytes(content)
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "intet er skrevet" in err
    assert len(err.strip().splitlines()) == 1
    assert Course(Store(db)).list_forloeb() == []


def test_delete_forloeb_asks_first_and_no_keeps_it(db, capsys, monkeypatch):
    forloeb = new_forloeb(capsys)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda _question: "n")
    assert main(["delete", "--forloeb", str(forloeb)]) == 1
    assert "Intet er slettet." in capsys.readouterr().out
    assert [f.id for f in Course(Store(db)).list_forloeb()] == [forloeb]


def test_status_without_courses(db, capsys):
    assert main(["status"]) == 0
    assert "Ingen forløb" in capsys.readouterr().out


def test_confidential_needs_a_file(db, capsys):
    forloeb = new_forloeb(capsys)
    argv = ["export", "--forloeb", str(forloeb), "--what", "handleplan", "--format", "md"]
    assert main([*argv, "--include-confidential"]) == 2
    assert "fil" in capsys.readouterr().err


def test_status_names_the_overdue_follow_ups(db, capsys):
    forloeb = new_forloeb(capsys)
    course = Course(Store(db))
    row = course.add_action(forloeb, area="Bedre overlap", responsible="Åse")
    course.update_action(row, start="1-12-2019", follow_up="1-1-2020")
    done = course.add_action(forloeb, area="Færre afbrydelser", follow_up="1-1-2020")
    course.update_action(done, status="done")
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "Opfølgninger overskredet: 1" in out
    assert "1. Bedre overlap – opfølgning 1-1-2020" in out
    assert "Færre afbrydelser" not in out


def test_a_meeting_made_without_a_course_is_listed_by_its_name(db, capsys):
    assert main(["new", "--agenda", "dialogmoede-1", "--title", "Personalemøde på Ærø"]) == 0
    capsys.readouterr()
    assert main(["forloeb"]) == 0
    assert "Personalemøde på Ærø" in capsys.readouterr().out.splitlines()[0]


def test_importing_a_file_that_is_not_there_says_so(db, tmp_path, capsys):
    assert main(["import", str(tmp_path / "arkiv.json")]) == 2
    err = capsys.readouterr().err
    assert "arkiv.json findes ikke; intet er skrevet" in err


def test_plan_steps_are_named_in_danish(db, capsys):
    forloeb = new_forloeb(capsys)
    plan = {p.step: p.date for p in Course(Store(db)).forloeb(forloeb).plan}
    assert plan["meeting_2"] == "14-01-2027" and plan["handleplan"] == "1-2-2027"
    assert main(["forloeb", "new", "--workplace", "X", "--plan", "meeting_1=1-2-2027"]) == 0
