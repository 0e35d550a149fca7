"""`facilitator export` end to end (export_command through the course door), on SQLite and
PostgreSQL: a forløb with a 1st meeting (marks, a theme, vurderinger, a photo, a secret in
særskilt spor), a 2nd meeting (chosen wishes, action groups) and a handleplan (a follow-up,
sygefravær), exported in every format; the secret only ever in the -FORTROLIGT file; bad
input refused with one Danish line and exit status 2."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from facilitator.agenda import load_agenda
from facilitator.course.service import Course
from facilitator.engine import create_meeting
from facilitator.export import command as command_module
from facilitator.export.command import export_command
from storage.repo import Store
from tests.test_export_writers import csv_rows, docx_doc, docx_text, xlsx_book, xlsx_text

SECRET = "Mobning ved vagtskifte"
SECRET_PLAN = "Krænkende handlinger"
TODAY = date(2027, 1, 15)


# The exports read through the course's door, whose queries run on both databases in
# tests/test_course*.py; here the tests that read what the 2nd meeting and særskilt spor
# hold run on PostgreSQL as well, the rest (the writers' formats) on SQLite.
ON_BOTH_DATABASES = {
    "test_every_default_export_is_written_without_the_secret",
    "test_the_forloebs_bruttoliste_is_its_latest_meeting_and_a_meetings_handleplan_its_forloebs",
    "test_a_second_meetings_bruttoliste_has_actions_under_their_wish_and_no_strengths",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from tests.conftest import BACKENDS

    if "db_backend" in metafunc.fixturenames:
        both = metafunc.function.__name__ in ON_BOTH_DATABASES
        backends = list(BACKENDS) if both else ["sqlite"]
        metafunc.parametrize("db_backend", backends, indirect=True, scope="function")


# ---------------------------------------------------------------- building a course
def meeting(store: Store, agenda: str, title: str, forloeb_id: int) -> int:
    return create_meeting(
        store, load_agenda(agenda), agenda, title, groups=3, participants=12, forloeb_id=forloeb_id
    )


def flip(store: Store, meeting_id: int, phase: int, group: int, heading: str,
         proposals=(), *, grouping: str = "fours", kind: str = "wish") -> int:  # noqa: ANN001  # fmt: skip
    return store.add_flipover(
        meeting_id, phase_index=phase, grouping=grouping, group=group, kind=kind,
        heading=heading, proposals=list(proposals),
    )  # fmt: skip


def marks(store: Store, meeting_id: int, flipover_id: int, count: int) -> None:
    for _ in range(count):  # by hand, in the vote (phase 4 of dialogmoede-1)
        store.add_vote(meeting_id, flipover_id, "", 4)


def set_wish(store: Store, flipover_id: int, wish_id: int) -> None:
    """What the live path writes for "the wish this flip-over works on"."""
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE flipover SET wish_id = :w WHERE id = :f"), {"w": wish_id, "f": flipover_id}
        )


def set_levels(store: Store, flipover_id: int, levels: list[str]) -> None:
    """The level of each proposal, in order (what the live path writes)."""
    with store.engine.begin() as conn:
        for position, level in enumerate(levels):
            conn.execute(
                text("UPDATE proposal SET level = :l WHERE flipover_id = :f AND position = :p"),
                {"l": level, "f": flipover_id, "p": position},
            )


@dataclass
class Forloeb:
    store: Store
    id: int
    first: int
    second: int
    wish: int  # the 1st meeting's top wish, with a photo


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class BinaryTerminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder to export into (tmp_path holds the database)."""
    path = tmp_path / "eksport"
    path.mkdir()
    return path


@pytest.fixture
def forloeb(store: Store, user_agenda_dir) -> Forloeb:  # noqa: ANN001
    course = Course(store, today=TODAY)
    fid = course.create_forloeb("Ærø Skole", unit="Kontoret", tovholder="Hanne")
    m1 = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    stabil = flip(store, m1, 2, 1, "Stabil bemanding", ["Faste vikarer", "Færre skift"])
    moeder = flip(store, m1, 2, 1, "Bedre møder")
    stoej = flip(store, m1, 2, 2, "Mindre støj", ["Lydabsorbenter"])
    flip(store, m1, 1, 1, "Godt kollegaskab", grouping="interview", kind="strength")
    for wid, count in ((stabil, 5), (moeder, 2), (stoej, 3)):
        marks(store, m1, wid, count)
    course.assess(stabil, "work_on", "Vi har budget")
    course.assess(stoej, "cannot_now", "Bygningen er fredet")
    secret = flip(store, m1, 2, 2, SECRET, ["Tal med AMR"])
    marks(store, m1, secret, 6)
    course.assess(secret, "separate_track", "Handler om enkeltpersoner")
    course.set_confidential_plan(secret, problem_kind=SECRET_PLAN, responsible="Leder Lis")
    photo = io.BytesIO()
    Image.new("RGB", (320, 240), (20, 90, 200)).save(photo, format="WEBP")
    assert store.set_photo(m1, stabil, "image/webp", photo.getvalue())

    # The 2nd meeting: two wishes chosen and prioritised; the action groups work on the
    # prioritised in order (group 1 on priority 1), one result names its wish instead.
    m2 = meeting(store, "dialogmoede-2", "2. dialogmøde", fid)
    chosen_stabil = flip(store, m2, 2, 1, "Stabil bemanding", ["Faste vikarer"])
    chosen_moeder = flip(store, m2, 2, 2, "Bedre møder", ["Dagsorden"])
    set_wish(store, chosen_stabil, stabil)
    for _ in range(3):
        store.add_hand_choice(m2, 3, ("f", chosen_moeder))
    for _ in range(2):
        store.add_hand_choice(m2, 3, ("f", chosen_stabil))
    store.set_priorities(m2, [("f", chosen_moeder), ("f", chosen_stabil)])
    plan = flip(store, m2, 4, 1, "Mødeplan", ["Fast dagsorden", "Spørg lederen"],
                grouping="wishes")  # fmt: skip
    set_levels(store, plan, ["personalegruppe", "leder"])
    flip(store, m2, 4, 2, "Vikarpulje", ["Lav en pulje"], grouping="wishes")
    named = flip(store, m2, 4, 1, "Vikarbank", ["Ring rundt"], grouping="wishes")
    set_wish(store, named, chosen_stabil)  # named its wish: under it, not under group 1's

    assert course.seed_handleplan(fid) == 2
    row = course.handleplan(fid).rows[0].id
    course.update_action(row, responsible="Hanne", start="01-02-2027", follow_up="1. marts")
    course.add_follow_up(row, "15-02-2027", "in_progress", "Godt i gang")
    course.add_absence(fid, label="Før", period_start="2026-01-01", period_end="2026-06-30",
                       absence=10, actual=190, unit="days")  # fmt: skip
    return Forloeb(store, fid, m1, m2, stabil)


def run(store: Store, *, out=None, err=None, **options):  # noqa: ANN001, ANN003, ANN201
    values = dict(
        meeting_id=None, forloeb_id=None, output=None, include_confidential=False
    )  # fmt: skip
    values.update(options)
    out = io.BytesIO() if out is None else out
    err = io.StringIO() if err is None else err
    status = export_command(store, out=out, err=err, **values)
    return status, out.getvalue(), err.getvalue()


def text_of(path: Path, fmt: str) -> str:
    raw = path.read_bytes()
    if fmt == "xlsx":
        return xlsx_text(raw)
    if fmt == "docx":
        return docx_text(raw)
    return raw.decode("utf-8-sig")


def comparable(path: Path, fmt: str) -> object:
    """What must be equal between two exports of the same data: the bytes, but for the
    moment it was made (a handleplan's made_at) and the zip files' dates."""
    if fmt == "json":
        document = json.loads(path.read_bytes())
        document.pop("made_at", None)
        return document
    if fmt in ("xlsx", "docx"):
        return text_of(path, fmt)
    return path.read_bytes()


FORMATS = ("md", "csv", "xlsx", "docx", "json")
CASES = [(w, f) for w in ("bruttoliste", "handleplan") for f in FORMATS] + [("forloeb", "json")]


# ---------------------------------------------------------------- what is written
@pytest.mark.parametrize(("what", "fmt"), CASES)
def test_every_default_export_is_written_without_the_secret(forloeb, folder, what, fmt):
    target = folder / f"ud.{fmt}"
    status, out, err = run(forloeb.store, forloeb_id=forloeb.id, what=what, fmt=fmt,
                           output=str(target))  # fmt: skip
    assert status == 0, err
    assert out == b"" and err == f"Skrevet: {target} ({target.stat().st_size} byte)\n"
    text = text_of(target, fmt)
    assert SECRET not in text and SECRET_PLAN not in text
    assert "Ærø Skole" in text
    assert sorted(p.name for p in folder.iterdir()) == [target.name]  # no temp, no secret file


@pytest.mark.parametrize(("what", "fmt"), CASES)
def test_include_confidential_writes_the_secret_beside_and_the_main_file_unchanged(
    forloeb, folder, what, fmt
):
    plain, full = folder / "plain", folder / "full"
    plain.mkdir(), full.mkdir()
    status, _, _ = run(forloeb.store, meeting_id=forloeb.first, what=what, fmt=fmt,
                       output=str(plain / f"apv.{fmt}"))  # fmt: skip
    assert status == 0
    status, _, err = run(forloeb.store, meeting_id=forloeb.first, what=what, fmt=fmt,
                         output=str(full / f"apv.{fmt}"), include_confidential=True)  # fmt: skip
    assert status == 0, err
    secret_file = full / f"apv-FORTROLIGT.{fmt}"
    assert sorted(p.name for p in full.iterdir()) == [f"apv-FORTROLIGT.{fmt}", f"apv.{fmt}"]
    assert comparable(full / f"apv.{fmt}", fmt) == comparable(plain / f"apv.{fmt}", fmt)
    assert SECRET not in text_of(full / f"apv.{fmt}", fmt)
    secret_text = text_of(secret_file, fmt)
    assert SECRET in secret_text
    if fmt != "json":
        assert "FORTROLIGT" in secret_text
    if what != "forloeb":
        assert SECRET_PLAN in secret_text
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert f"Fortroligt skrevet: {secret_file}" in err
    if fmt == "json":
        document = json.loads(secret_file.read_bytes())
        assert document["confidential"] is True and SECRET in secret_text
    if fmt == "md":
        assert secret_text.startswith("**FORTROLIGT")
    if fmt == "csv":
        assert csv_rows(secret_file.read_bytes())[0][0].startswith("FORTROLIGT")
    if fmt == "docx":
        document = docx_doc(secret_file.read_bytes())
        assert all("FORTROLIGT" in s.header.paragraphs[0].text for s in document.sections)
    if fmt == "xlsx":
        sheet = xlsx_book(secret_file.read_bytes()).worksheets[0]
        assert sheet.title.startswith("FORTROLIGT") and "FORTROLIGT" in sheet["A1"].value


def test_the_forloebs_bruttoliste_is_its_latest_meeting_and_a_meetings_handleplan_its_forloebs(
    forloeb,
):
    by_forloeb = run(forloeb.store, forloeb_id=forloeb.id, what="bruttoliste", fmt="md")
    by_meeting = run(forloeb.store, meeting_id=forloeb.second, what="bruttoliste", fmt="md")
    assert by_forloeb == by_meeting and by_forloeb[0] == 0
    plan_of_meeting = run(forloeb.store, meeting_id=forloeb.first, what="handleplan", fmt="md")
    plan_of_forloeb = run(forloeb.store, forloeb_id=forloeb.id, what="handleplan", fmt="md")
    assert plan_of_meeting == plan_of_forloeb
    text = plan_of_forloeb[1].decode()
    assert text.startswith("# Handleplan – Ærø Skole, Kontoret")
    assert "| Før | 2026-01-01 – 2026-06-30 | 10 | 190 | dagsværk | 5,0 % |" in text
    assert "- **1. Bedre møder** – 15-02-2027: I gang – Godt i gang" in text
    assert "   - **⚠ Ansvarlig mangler**" in text  # the second row has nobody yet


def test_a_second_meetings_bruttoliste_has_actions_under_their_wish_and_no_strengths(forloeb):
    """Each action group's result under the wish it works on (the prioritised wishes in
    order: group 1 on priority 1; a result that names its wish under that one), never
    sorted by group number; levels shown; no strengths section."""
    status, out, _ = run(forloeb.store, meeting_id=forloeb.second, what="bruttoliste", fmt="md")
    text = out.decode()
    assert status == 0 and "Styrker" not in text
    chosen = text.split("## Valgte ønsker og handlingsgruppernes forslag")[1]
    assert chosen.strip().splitlines() == [
        "- **Bedre møder** — gruppe 2 · brænder for: 3 · **prioriteret som nr. 1**",
        "   - Dagsorden",
        "   - Handlingsgruppe 1: **Mødeplan**",
        "     - Personalegruppen: Fast dagsorden",
        "     - Lederen: Spørg lederen",
        "- **Stabil bemanding** — gruppe 1 · brænder for: 2 · **prioriteret som nr. 2**",
        "   - Faste vikarer",
        "   - Handlingsgruppe 2: **Vikarpulje**",
        "     - Lav en pulje",
        "   - Handlingsgruppe 1: **Vikarbank**",
        "     - Ring rundt",
    ]
    first = run(forloeb.store, meeting_id=forloeb.first, what="bruttoliste", fmt="md")[1].decode()
    assert "## Styrker fra interviewene" in first
    assert "Vurdering: **Arbejdes videre med** – Vi har budget" in first


def test_the_docx_of_the_first_meeting_holds_its_webp_photo_as_jpeg(forloeb, folder):
    target = folder / "m1.docx"
    status, _, err = run(forloeb.store, meeting_id=forloeb.first, what="bruttoliste",
                         fmt="docx", output=str(target))  # fmt: skip
    assert status == 0, err
    with zipfile.ZipFile(target) as package:
        media = [n for n in package.namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and media[0].endswith((".jpeg", ".jpg"))
    assert "Gruppe 1: Stabil bemanding" in docx_text(target.read_bytes())


def test_the_archive_is_json_marked_as_the_forloeb_and_sorted(forloeb):
    status, out, _ = run(forloeb.store, forloeb_id=forloeb.id, what="forloeb", fmt="json")
    document = json.loads(out)
    assert status == 0 and document["kind"] == "facilitator-forloeb"
    assert out.decode() == json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert SECRET not in out.decode()


def test_xlsx_and_docx_go_into_a_pipe_but_not_to_a_terminal(forloeb):
    status, out, err = run(forloeb.store, forloeb_id=forloeb.id, what="handleplan", fmt="xlsx")
    assert status == 0 and err == "" and zipfile.is_zipfile(io.BytesIO(out))
    status, out, err = run(forloeb.store, forloeb_id=forloeb.id, what="handleplan", fmt="docx",
                           out=BinaryTerminal())  # fmt: skip
    assert (status, out) == (2, b"")
    assert err == "facilitator: docx er en binær fil og skrives ikke til terminalen; brug -o FIL\n"


# ---------------------------------------------------------------- refusals
REFUSALS = {
    "unknown meeting": (dict(meeting_id=999, what="bruttoliste", fmt="md"), "999"),
    "unknown forløb": (dict(forloeb_id=999, what="handleplan", fmt="md"), "999"),
    "forløb not json": (dict(forloeb_id=0, what="forloeb", fmt="docx"), "kun som json"),
    "secret to stdout": (
        dict(forloeb_id=0, what="handleplan", fmt="md", include_confidential=True),
        "Det fortrolige skrives kun til en fil",
    ),
    "both": (dict(meeting_id=0, forloeb_id=0, what="handleplan", fmt="md"), "enten"),
    "neither": (dict(what="handleplan", fmt="md"), "enten"),
    "no folder": (
        dict(forloeb_id=0, what="handleplan", fmt="md", output="{tmp}/mangler/plan.md"),
        "mappen findes ikke",
    ),
    "a folder": (
        dict(forloeb_id=0, what="handleplan", fmt="csv", output="{tmp}"),
        "det er en mappe",
    ),
    "unknown format": (dict(forloeb_id=0, what="handleplan", fmt="pdf"), "pdf"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_bad_input_is_one_danish_line_and_status_2(forloeb, folder, case):
    options, words = REFUSALS[case]
    options = {k: forloeb.id if v == 0 and k == "forloeb_id" else v for k, v in options.items()}
    options = {k: forloeb.first if v == 0 and k == "meeting_id" else v for k, v in options.items()}
    if "output" in options:
        options["output"] = options["output"].format(tmp=folder)
    before = sorted(folder.rglob("*"))
    status, out, err = run(forloeb.store, **options)
    assert status == 2 and out == b""
    assert err.startswith("facilitator: ") and err.count("\n") == 1 and words in err, err
    assert "Traceback" not in err
    assert sorted(folder.rglob("*")) == before


def test_a_forloeb_without_meetings_has_no_bruttoliste(store, user_agenda_dir):  # noqa: ANN001
    fid = Course(store, today=TODAY).create_forloeb("Tom Skole")
    status, out, err = run(store, forloeb_id=fid, what="bruttoliste", fmt="md")
    assert (status, out) == (
        2,
        b"",
    ) and err == f"facilitator: forløbet {fid} har ingen møder endnu\n"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(forloeb, folder, monkeypatch):
    target = folder / "plan.md"
    target.write_text("den gamle plan")

    def full_disk(src, dst):  # noqa: ANN001
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(command_module.os, "replace", full_disk)
    status, _, err = run(forloeb.store, forloeb_id=forloeb.id, what="handleplan", fmt="md",
                         output=str(target), include_confidential=True)  # fmt: skip
    assert status == 2 and err == f"facilitator: kan ikke skrive {target}: disken er fuld\n"
    assert target.read_text() == "den gamle plan"
    assert [p.name for p in folder.iterdir()] == ["plan.md"]


def test_the_progress_bar_shows_on_a_terminal_only(forloeb, folder):
    terminal = Terminal()
    status, _, _ = run(forloeb.store, meeting_id=forloeb.first, what="bruttoliste", fmt="docx",
                       output=str(folder / "a.docx"), err=terminal)  # fmt: skip
    assert status == 0 and "Skriver dokumentet" in terminal.getvalue()
    assert terminal.getvalue().rstrip().endswith("byte)")
    status, _, err = run(forloeb.store, meeting_id=forloeb.first, what="bruttoliste", fmt="docx",
                         output=str(folder / "b.docx"))  # fmt: skip
    assert status == 0 and "Skriver" not in err
    assert os.path.getsize(folder / "a.docx") > 0


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_a_handleplan_row_whose_wish_went_to_saerskilt_spor_is_only_in_the_secret_file(
    forloeb, folder, fmt
):
    course = Course(forloeb.store, today=TODAY)
    (row,) = [r for r in course.handleplan(forloeb.id).rows if r.area == "Stabil bemanding"]
    course.update_action(row.id, responsible="Vikarkoordinator Ib")
    course.assess(forloeb.wish, "separate_track", "Det handler om en enkelt kollega")
    target = folder / f"plan.{fmt}"
    status, _, err = run(forloeb.store, forloeb_id=forloeb.id, what="handleplan", fmt=fmt,
                         output=str(target), include_confidential=True)  # fmt: skip
    assert status == 0, err
    assert "Stabil bemanding" not in text_of(target, fmt)
    secret = text_of(folder / f"plan-FORTROLIGT.{fmt}", fmt)
    assert "Stabil bemanding" in secret and "Vikarkoordinator Ib" in secret
    assert "Vikarkoordinator Ib" not in text_of(target, fmt)
