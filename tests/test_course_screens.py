"""The course's editors in the TUI: the vurdering, særskilt spor's plans, the handleplan
and the sygefravær, each checked by what is drawn and what the course has stored.

A forløb with a 1st meeting (wishes with marks) and a 2nd meeting (prioritised wishes, an
action group's flip-over) is made through the store; the app runs on SQLite with the
course on a fixed date.
"""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select

from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.course.service import Course, CourseError
from facilitator.engine import create_meeting
from screens.components.course_form import CourseFormScreen
from screens.course.absence import AbsenceScreen
from screens.course.confidential_plan import ConfidentialPlanScreen
from screens.course.forloeb import ForloebScreen
from screens.course.handleplan import HandleplanScreen
from screens.course.vurdering import VurderingScreen
from screens.dialogs import ConfirmScreen
from screens.start import StartScreen
from tests.conftest import BACKENDS
from tests.screen import drawn, on_top, screen_text, settled, until
from tests.test_screens import record_notes

BIG = (160, 45)
SMALL = (80, 24)
TODAY = date(2027, 1, 15)
# These run on PostgreSQL as well (FACILITATOR_TEST_PG), the rest on SQLite only.
ON_BOTH_DATABASES = {
    "test_vurdering_sets_a_status_and_a_begrundelse",
    "test_handleplan_seed_edit_flags_order_and_follow_up",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames and metafunc.function.__name__ in ON_BOTH_DATABASES:
        metafunc.parametrize("db_backend", list(BACKENDS), indirect=True, scope="function")


def meeting(store, agenda: str, title: str, forloeb_id: int) -> int:  # noqa: ANN001
    return create_meeting(
        store, load_agenda(agenda), agenda, title, groups=3, participants=12, forloeb_id=forloeb_id
    )


def flip(store, meeting_id, phase, group, heading, proposals=(), grouping="fours"):  # noqa: ANN001
    return store.add_flipover(
        meeting_id,
        phase_index=phase,
        grouping=grouping,
        group=group,
        kind="wish",
        heading=heading,
        proposals=list(proposals),
    )


def marks(store, meeting_id: int, flipover_id: int, count: int) -> None:  # noqa: ANN001
    for _ in range(count):
        store.add_vote(meeting_id, flipover_id, "", 4)


@pytest.fixture
def course(store, user_agenda_dir) -> Course:  # noqa: ANN001
    return Course(store, today=TODAY)


@pytest.fixture
def forloeb(store, course):  # noqa: ANN001, ANN201
    """(forløb, 1st meeting, its wishes by name)."""
    fid = course.create_forloeb("Ærø Skole", unit="Kontoret", tovholder="Hanne")
    m1 = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    ids = {
        "stabil": flip(store, m1, 2, 1, "Stabil bemanding", ["Faste vikarer"]),
        "stoej": flip(store, m1, 2, 2, "Mindre støj [/ bedre akustik]", ["Lydabsorbenter"]),
        "chikane": flip(store, m1, 2, 3, "Stop for chikane på gangen"),
    }
    marks(store, m1, ids["stabil"], 5)
    marks(store, m1, ids["stoej"], 3)
    marks(store, m1, ids["chikane"], 1)
    return fid, m1, ids


def second_meeting(store, fid: int) -> dict[str, int]:  # noqa: ANN001
    m2 = meeting(store, "dialogmoede-2", "2. dialogmøde", fid)
    ids = {
        "stabil": flip(store, m2, 2, 1, "Stabil bemanding", ["Faste vikarer"]),
        "moeder": flip(store, m2, 2, 2, "Bedre møder", ["Fast dagsorden"]),
    }
    store.set_priorities(m2, [("f", ids["moeder"]), ("f", ids["stabil"])])
    return ids


def app_on(store, course: Course) -> FacilitatorApp:  # noqa: ANN001
    app = FacilitatorApp(store, web=False)
    app._course = course
    app.notes = record_notes(app)  # type: ignore[attr-defined]
    return app


async def open_forloeb(pilot) -> ForloebScreen:  # noqa: ANN001
    start = await on_top(pilot, StartScreen)
    await until(pilot, lambda: start.loaded, "the forløb read")
    await pilot.press("f")
    screen = await on_top(pilot, ForloebScreen)
    await until(pilot, lambda: screen.info is not None, "the forløb drawn")
    return screen


async def open_vurdering(pilot) -> VurderingScreen:  # noqa: ANN001
    await open_forloeb(pilot)
    await pilot.press("v")
    screen = await on_top(pilot, VurderingScreen)
    await until(pilot, lambda: screen.liste is not None, "the bruttoliste drawn")
    return screen


def table_column(screen, selector: str, column: int) -> list[str]:  # noqa: ANN001
    table = screen.query_one(selector, DataTable)
    return [str(table.get_row_at(r)[column]) for r in range(table.row_count)]


async def select_row(pilot, screen, selector: str, key: int) -> None:  # noqa: ANN001
    table = screen.query_one(selector, DataTable)
    keys = [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]
    table.move_cursor(row=keys.index(str(key)))
    await until(
        pilot,
        lambda: table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == str(key),
        "the row selected",
    )
    await pilot.pause()


def wish_of(course: Course, meeting_id: int, flipover_id: int):  # noqa: ANN201
    return next(w for w in course.bruttoliste(meeting_id).wishes if w.id == flipover_id)


# ---------------------------------------------------------------------- vurdering
async def test_vurdering_sets_a_status_and_a_begrundelse(store, course, forloeb):
    fid, m1, ids = forloeb
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_vurdering(pilot)
        # Ranked by marks, typed text drawn as typed.
        text = await drawn(pilot, "Vurdering · 1. dialogmøde", "Mindre støj [/ bedre akustik]")
        assert table_column(screen, "#wishes", 2)[:2] == [
            "Stabil bemanding",
            "Mindre støj [/ bedre akustik]",
        ]
        assert "Arbejdes videre med" in text  # the status keys are named
        await select_row(pilot, screen, "#wishes", ids["stoej"])
        await pilot.press("3")  # kan ikke ændres nu: saved at once, the cursor in the field
        reason = screen.query_one("#reason", Input)
        await until(pilot, lambda: reason.has_focus, "the begrundelse field focused")
        assert wish_of(course, m1, ids["stoej"]).status == "cannot_now"
        await pilot.press(*"Kræver budget", "enter")
        await settled(pilot, lambda: wish_of(course, m1, ids["stoej"]).reason == "Kræver budget")
        await drawn(pilot, "Kan ikke ændres nu", "Kræver budget")
        assert screen.query_one("#wishes", DataTable).has_focus  # back on the list
        stored = wish_of(course, m1, ids["stoej"])
        assert (stored.status, stored.reason) == ("cannot_now", "Kræver budget")
        assert course.forloeb(fid).meetings[0].assessed == 1


async def test_a_begrundelse_not_saved_stays_with_its_wish(store, course, forloeb):
    _fid, m1, ids = forloeb
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_vurdering(pilot)
        await select_row(pilot, screen, "#wishes", ids["stabil"])
        await pilot.press("enter")  # into the field
        reason = screen.query_one("#reason", Input)
        await until(pilot, lambda: reason.has_focus, "the field focused")
        await pilot.press(*"Vi har", "escape")  # back to the list, not saved
        await pilot.press("down")
        await until(pilot, lambda: screen.field_wish == ids["stoej"], "the next wish")
        assert reason.value == ""
        await drawn(pilot, "(ikke gemt)")
        await pilot.press("up")
        await until(pilot, lambda: reason.value == "Vi har", "the draft back")
        assert wish_of(course, m1, ids["stabil"]).reason == ""
        await pilot.press("escape")  # leaving asks, for the draft
        await on_top(pilot, ConfirmScreen)
        await pilot.press("escape")
        await on_top(pilot, VurderingScreen)


async def test_moving_a_wish_to_saerskilt_spor_asks_and_it_leaves_the_list(store, course, forloeb):
    fid, m1, ids = forloeb
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_vurdering(pilot)
        await select_row(pilot, screen, "#wishes", ids["chikane"])
        await pilot.press("4")
        await on_top(pilot, ConfirmScreen)
        await drawn(pilot, "Flyt «Stop for chikane på gangen» til særskilt spor?")
        await pilot.press("n")  # Nej: nothing moves
        await on_top(pilot, VurderingScreen)
        assert ids["chikane"] in {w.id for w in course.bruttoliste(m1).wishes}
        await pilot.press("4")
        await on_top(pilot, ConfirmScreen)
        await pilot.press("j")
        await on_top(pilot, VurderingScreen)
        await settled(
            pilot,
            lambda: "Stop for chikane på gangen" not in table_column(screen, "#wishes", 2),
        )
        assert ids["chikane"] not in {w.id for w in course.bruttoliste(m1).wishes}
        assert [i.id for i in course.confidential_items(fid)] == [ids["chikane"]]
        await drawn(pilot, "flyttet til særskilt spor")


async def test_a_failed_save_keeps_the_typed_begrundelse(store, course, forloeb, monkeypatch):
    _fid, m1, ids = forloeb
    app = app_on(store, course)

    def refuse(self, flipover_id, status, reason):  # noqa: ANN001, ANN202
        raise CourseError("Databasen er låst lige nu")

    async with app.run_test(size=BIG) as pilot:
        screen = await open_vurdering(pilot)
        await select_row(pilot, screen, "#wishes", ids["stabil"])
        await pilot.press("enter")
        reason = screen.query_one("#reason", Input)
        await until(pilot, lambda: reason.has_focus, "the field focused")
        monkeypatch.setattr(Course, "assess", refuse)
        await pilot.press(*"Vi ansætter to faste vikarer", "enter")
        await drawn(pilot, "Ikke gemt: Databasen er låst lige nu.")
        assert reason.value == "Vi ansætter to faste vikarer"
        assert wish_of(course, m1, ids["stabil"]).reason == ""
        # A status key that fails keeps the text too.
        await pilot.press("escape", "1")
        await drawn(pilot, "Begrundelsen står her stadig")
        assert reason.value == "Vi ansætter to faste vikarer"
        monkeypatch.undo()
        await pilot.press("enter")  # the field: Enter saves, now it goes through
        await settled(
            pilot,
            lambda: wish_of(course, m1, ids["stabil"]).reason == "Vi ansætter to faste vikarer",
        )


# ---------------------------------------------------------------------- særskilt spor
async def test_saerskilt_spor_plans_are_edited_under_a_fortroligt_heading(store, course, forloeb):
    fid, _m1, ids = forloeb
    course.assess(ids["chikane"], "separate_track", "")
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await open_forloeb(pilot)
        await pilot.press("s")
        await on_top(pilot, ConfirmScreen)  # asks first: it is confidential
        await pilot.press("j")
        screen = await on_top(pilot, ConfidentialPlanScreen)
        await drawn(pilot, "FORTROLIGT", "Stop for chikane på gangen", "Ansvarlig mangler")
        await pilot.press("e")
        form = await on_top(pilot, CourseFormScreen)
        await drawn(pilot, "FORTROLIGT – plan for «Stop for chikane på gangen»")
        form.query_one("#f-problem_kind", Input).value = "Chikane"
        form.query_one("#f-responsible", Input).value = "Lise (TR)"
        form.query_one("#f-follow_up", Input).value = "01.02.2027"
        form.query_one("#f-status", Select).value = "in_progress"
        await pilot.press("ctrl+s")
        await on_top(pilot, ConfidentialPlanScreen)
        (item,) = course.confidential_items(fid)
        assert (item.problem_kind, item.responsible, item.follow_up, item.status) == (
            "Chikane",
            "Lise (TR)",
            "01.02.2027",
            "in_progress",
        )
        await drawn(pilot, "Lise (TR)", "I gang")
        assert screen.is_current


# ---------------------------------------------------------------------- handleplan
async def test_handleplan_seed_edit_flags_order_and_follow_up(store, course, forloeb):
    fid, _m1, _ids = forloeb
    second = second_meeting(store, fid)
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await open_forloeb(pilot)
        await pilot.press("h")
        screen = await on_top(pilot, HandleplanScreen)
        await drawn(pilot, "Handleplanen har ingen rækker endnu")
        await pilot.press("i")  # seed from the 2nd meeting's prioritised wishes
        await settled(pilot, lambda: len(course.handleplan(fid).rows) == 2)
        text = await drawn(pilot, "Bedre møder", "Stabil bemanding")
        assert "2 rækker hentet fra 2. dialogmødes prioriterede ønsker." in app.notes.messages()
        rows = course.handleplan(fid).rows
        assert [(r.area, r.source_id) for r in rows] == [
            ("Bedre møder", second["moeder"]),
            ("Stabil bemanding", second["stabil"]),
        ]
        # No ansvarlig, no dates: flagged in words with a symbol, not refused.
        assert "⚠ Ansvarlig mangler" in text

        # Edit the first row's ansvarlig and dates.
        await select_row(pilot, screen, "#rows", rows[0].id)
        await pilot.press("e")
        form = await on_top(pilot, CourseFormScreen)
        form.query_one("#f-responsible", Input).value = "Hanne"
        form.query_one("#f-start", Input).value = "01.02.2027"
        form.query_one("#f-follow_up", Input).value = "01.04.2027"
        form.query_one("#f-activities").text = "Fast dagsorden\nReferat til alle"
        await pilot.press("ctrl+s")
        await on_top(pilot, HandleplanScreen)
        first = await settled(pilot, lambda: course.handleplan(fid).rows[0])
        assert (first.responsible, first.start, first.follow_up) == (
            "Hanne",
            "01.02.2027",
            "01.04.2027",
        )
        assert first.activities == ("Fast dagsorden", "Referat til alle")
        assert "Ansvarlig mangler" not in first.flags
        await drawn(pilot, "Hanne", "• Referat til alle")
        flags = table_column(screen, "#rows", 7)
        assert "Ansvarlig mangler" in flags[1] and "⚠" in flags[1]
        assert "Ansvarlig mangler" not in flags[0]

        # Reorder: the first row down.
        await pilot.press("shift+down")
        await settled(
            pilot, lambda: [r.area for r in course.handleplan(fid).rows][0] == "Stabil bemanding"
        )
        await settled(
            pilot, lambda: table_column(screen, "#rows", 1) == ["Stabil bemanding", "Bedre møder"]
        )
        assert screen.selected() == first.id  # the moved row stays selected
        await pilot.press("shift+up")
        await settled(pilot, lambda: course.handleplan(fid).rows[0].id == first.id)

        # A follow-up log entry: its status becomes the row's.
        await pilot.press("o")
        form = await on_top(pilot, CourseFormScreen)
        form.query_one("#f-date", Input).value = "01.03.2027"
        form.query_one("#f-status", Select).value = "in_progress"
        form.query_one("#f-note", Input).value = "Dagsorden i brug – fejret med kage"
        await pilot.press("ctrl+s")
        await on_top(pilot, HandleplanScreen)
        row = await settled(pilot, lambda: course.handleplan(fid).rows[0])
        assert [(e.date, e.status, e.note) for e in row.log] == [
            ("01.03.2027", "in_progress", "Dagsorden i brug – fejret med kage")
        ]
        assert row.status == "in_progress"
        await drawn(pilot, "01.03.2027 · I gang · Dagsorden i brug – fejret med kage")


async def test_handleplan_add_and_delete_asks_first(store, course, forloeb):
    fid, _m1, _ids = forloeb
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await open_forloeb(pilot)
        await pilot.press("h")
        screen = await on_top(pilot, HandleplanScreen)
        await pilot.press("n")
        form = await on_top(pilot, CourseFormScreen)
        await pilot.press(*"Ro [i]i frokosten[/i]", "enter", *"Mindre larm")
        await pilot.press("ctrl+s")
        await on_top(pilot, HandleplanScreen)
        await settled(pilot, lambda: len(course.handleplan(fid).rows) == 1)
        await drawn(pilot, "Ro [i]i frokosten[/i]", "⚠ Ansvarlig mangler")
        assert form.is_attached is False
        await pilot.press("ctrl+d")
        await on_top(pilot, ConfirmScreen)
        await pilot.press("n")
        await on_top(pilot, HandleplanScreen)
        assert len(course.handleplan(fid).rows) == 1
        await pilot.press("ctrl+d")
        await on_top(pilot, ConfirmScreen)
        await pilot.press("j")
        await on_top(pilot, HandleplanScreen)
        await settled(pilot, lambda: course.handleplan(fid).rows == ())
        await drawn(pilot, "Handleplanen har ingen rækker endnu")
        assert screen.rows == {}


async def test_a_refused_form_keeps_what_was_typed(store, course, forloeb, monkeypatch):
    fid, _m1, _ids = forloeb
    app = app_on(store, course)

    def refuse(self, forloeb_id, **fields):  # noqa: ANN001, ANN202
        raise CourseError("Databasen er låst lige nu")

    monkeypatch.setattr(Course, "add_action", refuse)
    async with app.run_test(size=BIG) as pilot:
        await open_forloeb(pilot)
        await pilot.press("h")
        await on_top(pilot, HandleplanScreen)
        await pilot.press("n")
        form = await on_top(pilot, CourseFormScreen)
        await pilot.press(*"Stabil bemanding", "enter", *"Faste vikarer")
        await pilot.press("ctrl+s")
        await drawn(pilot, "Ikke gemt: Databasen er låst lige nu.", "Det skrevne står her stadig")
        assert app.screen is form
        assert form.query_one("#f-area", Input).value == "Stabil bemanding"
        assert form.query_one("#f-goal", Input).value == "Faste vikarer"
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await on_top(pilot, HandleplanScreen)
        assert [r.area for r in course.handleplan(fid).rows] == ["Stabil bemanding"]


# ---------------------------------------------------------------------- sygefravær
async def test_sygefravaer_shows_the_fravaersprocent_as_a_series(store, course, forloeb):
    fid, _m1, _ids = forloeb
    course.add_absence(fid, label="Før", absence=5, actual=95, unit="days")
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await open_forloeb(pilot)
        await pilot.press("f")
        screen = await on_top(pilot, AbsenceScreen)
        await drawn(pilot, "Før", "5,0 %")
        # A new measurement in hours: 7,4 t fravær of 740 t + 7,4 t → 0,99 %.
        await pilot.press("n")
        form = await on_top(pilot, CourseFormScreen)
        await pilot.press(*"Efter 1", "enter", *"01.01.2027", "enter", *"31.03.2027", "enter")
        await pilot.press(*"abc", "enter", *"740")
        form.query_one("#f-unit", Select).value = "hours"
        await pilot.press("ctrl+s")
        await drawn(pilot, "Fravær skal være et tal")  # refused: the text stays
        assert form.query_one("#f-absence", Input).value == "abc"
        form.query_one("#f-absence", Input).value = "7,4"
        await pilot.press("ctrl+s")
        await on_top(pilot, AbsenceScreen)
        rows = await settled(pilot, lambda: course.handleplan(fid).absence)
        assert [(r.label, r.unit) for r in rows] == [("Før", "days"), ("Efter 1", "hours")]
        assert rows[1].absence == pytest.approx(7.4)
        await drawn(pilot, "Før: 5,0 % → Efter 1: 1,0 %", "Timer")
        assert table_column(screen, "#absence", 5) == ["5,0 %", "1,0 %"]

        # Edit, then delete after a Ja.
        await select_row(pilot, screen, "#absence", rows[0].id)
        await pilot.press("e")
        form = await on_top(pilot, CourseFormScreen)
        form.query_one("#f-absence", Input).value = "10"
        form.query_one("#f-actual", Input).value = "90"
        await pilot.press("ctrl+s")
        await on_top(pilot, AbsenceScreen)
        await drawn(pilot, "Før: 10,0 % → Efter 1: 1,0 %")
        await pilot.press("ctrl+d")
        await on_top(pilot, ConfirmScreen)
        await pilot.press("j")
        await on_top(pilot, AbsenceScreen)
        await settled(pilot, lambda: len(course.handleplan(fid).absence) == 1)
        await drawn(pilot, "Efter 1: 1,0 %")


async def test_the_course_screens_fit_80_by_24(store, course, forloeb):
    """Every course screen keeps its keys on screen at 80×24 and draws its data."""
    fid, _m1, ids = forloeb
    course.assess(ids["chikane"], "separate_track", "")
    course.add_action(fid, area="Stabil bemanding")
    course.add_absence(fid, label="Før", absence=5, actual=95, unit="days")
    app = app_on(store, course)
    async with app.run_test(size=SMALL) as pilot:
        await open_forloeb(pilot)
        await drawn(pilot, "Forløb: Ærø Skole", "Næste skridt")
        for key, kind, words in (
            ("v", VurderingScreen, "Stabil bemanding"),
            ("h", HandleplanScreen, "⚠"),
            ("f", AbsenceScreen, "5,0 %"),
        ):
            await pilot.press(key)
            screen = await on_top(pilot, kind)
            await drawn(pilot, words)
            footer = screen.query_one("KeyFooter")
            await until(pilot, lambda f=footer: f.region.bottom == 24, "the footer at the bottom")
            await pilot.press("escape")
            await on_top(pilot, ForloebScreen)
        await pilot.press("s")
        await on_top(pilot, ConfirmScreen)
        await pilot.press("j")
        await on_top(pilot, ConfidentialPlanScreen)
        await drawn(pilot, "FORTROLIGT", "Stop for chikane")


# ---------------------------------------------------------------------- the room
def region_text(app, widget) -> str:  # noqa: ANN001
    """What is drawn inside ``widget``'s region, line by line."""
    region = widget.region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    return "\n".join(line[region.x : region.right] for line in lines)


def unreadable_row(course: Course, fid: int) -> int:
    return course.add_action(
        fid,
        area="Bedre overlap mellem vagterne",
        goal="Alle vagtskift har 10 minutters overlap, også i weekenden og på helligdage",
        responsible="Jens Ærøskøbing",
        start="primo marts",
        follow_up="31.02.2027",
    )


async def test_the_handleplan_gives_its_flags_the_room_at_160(store, course, forloeb):
    fid, _m1, _ids = forloeb
    unreadable_row(course, fid)
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await open_forloeb(pilot)
        await pilot.press("h")
        screen = await on_top(pilot, HandleplanScreen)
        table = screen.query_one("#rows", DataTable)
        await until(pilot, lambda: table.row_count == 1, "the row drawn")
        await settled(
            pilot,
            lambda: (
                "Datoen kan ikke læses: 31.02.2027" in region_text(app, table)
                and "Datoen kan ikke læses: primo marts" in region_text(app, table)
                and "Ikke startet" in region_text(app, table)
            ),
        )
        assert not table.show_horizontal_scrollbar or table.max_scroll_x == 0


async def test_the_handleplan_at_80_by_24_says_status_words_and_scrolls_its_detail(
    store, course, forloeb
):
    fid, _m1, _ids = forloeb
    row = course.add_action(
        fid,
        area="Mere tid til den enkelte borger",
        goal="Færre skift mellem borgere",
        activities=[f"Aktivitet nummer {n}" for n in range(1, 9)],
        responsible="Bente Holm",
        start="01.03.2027",
        follow_up="01.02.2027",
    )
    course.add_follow_up(row, "07.12.2026", "in_progress", "Rute 4 kører – kage fredag")
    unreadable_row(course, fid)
    app = app_on(store, course)
    async with app.run_test(size=SMALL) as pilot:
        await open_forloeb(pilot)
        await pilot.press("h")
        screen = await on_top(pilot, HandleplanScreen)
        table = screen.query_one("#rows", DataTable)
        await until(pilot, lambda: table.row_count == 2, "the rows drawn")
        in_table = await settled(pilot, lambda: region_text(app, table))
        assert "Ikke startet" in in_table  # the status in words, not "I"
        assert not table.show_horizontal_scrollbar or table.max_scroll_x == 0
        text = await drawn(pilot, "esc Tilbage", "Opfølgning før start")  # the flag in words
        assert "Tilba…" not in text
        detail = screen.query_one("#row-detail-scroll")
        detail.scroll_end(animate=False)
        await drawn(pilot, "Rute 4 kører – kage fredag", "Aktivitet nummer 8")


async def test_the_vurdering_shows_a_whole_theme_at_160(store, course, forloeb):
    _fid, m1, ids = forloeb
    store.create_theme(m1, "Tid og kontinuitet i plejen", [ids["stabil"], ids["stoej"]])
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_vurdering(pilot)
        table = screen.query_one("#wishes", DataTable)
        await settled(pilot, lambda: "Tid og kontinuitet i plejen" in region_text(app, table))


async def test_the_vurdering_at_80_keeps_wish_status_and_begrundelse(store, course, forloeb):
    _fid, m1, ids = forloeb
    store.create_theme(m1, "Tid og kontinuitet i plejen", [ids["stabil"], ids["stoej"]])
    course.assess(ids["stabil"], "cannot_now", "Kræver budget")
    app = app_on(store, course)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_vurdering(pilot)
        table = screen.query_one("#wishes", DataTable)
        in_table = await settled(pilot, lambda: region_text(app, table))
        for words in ("Stabil bemanding", "Kan ikke ændres nu", "Kræver budget"):
            assert words in in_table
        assert not table.show_horizontal_scrollbar or table.max_scroll_x == 0
        # A long begrundelse not saved still says so in its narrow column.
        await select_row(pilot, screen, "#wishes", ids["stoej"])
        await pilot.press("enter")
        reason = screen.query_one("#reason", Input)
        await until(pilot, lambda: reason.has_focus, "the field focused")
        await pilot.press(*"Vi har talt om det i MED-udvalget flere gange", "escape", "down")
        await until(pilot, lambda: screen.field_wish == ids["chikane"], "the next wish")
        await settled(pilot, lambda: "(ikke gemt)" in region_text(app, table))


async def test_saerskilt_spor_gives_its_flags_the_room_at_160(store, course, forloeb):
    fid, _m1, ids = forloeb
    course.assess(ids["chikane"], "separate_track", "")
    item = course.confidential_items(fid)[0]
    course.set_confidential_plan(
        item.id,
        problem_kind="Chikane fra en pårørende, gentagne sexistiske bemærkninger",
        responsible="Hanne Leder, afdelingsleder",
        start="08.12.2026",
        follow_up="01.12.2026",
    )
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await open_forloeb(pilot)
        await pilot.press("s")
        await on_top(pilot, ConfirmScreen)
        await pilot.press("j")
        screen = await on_top(pilot, ConfidentialPlanScreen)
        table = screen.query_one("#conf-items", DataTable)
        await until(pilot, lambda: table.row_count == 1, "the item drawn")
        flags = course.confidential_items(fid)[0].flags
        assert len(flags) >= 2
        await settled(pilot, lambda: all(f in region_text(app, table) for f in flags))


async def test_the_forloeb_at_80_by_24_shows_every_help_contact_and_the_counts(
    store, course, forloeb
):
    fid, _m1, _ids = forloeb
    course.update_forloeb(
        fid,
        help_contacts=[
            "Arbejdsmiljørepræsentant Lise Møller, tlf. 22 33 44 55",
            "Mobning/chikane: HR, Karin, 62 52 11 00",
            "Arbejdstilsynet: 70 12 12 88",
        ],
    )
    second_meeting(store, fid)
    app = app_on(store, course)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_forloeb(pilot)
        table = screen.query_one("#forloeb-meetings", DataTable)
        await drawn(pilot, "Arbejdstilsynet: 70 12 12 88", "Mobning/chikane")
        in_table = await settled(pilot, lambda: region_text(app, table))
        assert "Ønsker" in in_table and "Vurderet" in in_table
        assert "0 af 3" in in_table
        assert "…" not in in_table.splitlines()[1]  # the date whole, in its short form
