"""The start screen lists each forløb with its meetings under it and its next step; a new
forløb, and a new meeting put in the forløb chosen; the forløb screen opens from it."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select

from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.course.service import Course
from facilitator.engine import create_meeting
from screens.components.course_form import CourseFormScreen
from screens.course.forloeb import ForloebScreen
from screens.start import NewMeetingScreen, StartScreen
from tests.screen import drawn, on_top, screen_text, settled, until

BIG = (160, 45)
SMALL = (80, 24)
TODAY = date(2027, 1, 15)


def meeting(store, agenda: str, title: str, forloeb_id: int | None = None) -> int:  # noqa: ANN001
    return create_meeting(
        store, load_agenda(agenda), agenda, title, groups=3, participants=12, forloeb_id=forloeb_id
    )


def wish(store, meeting_id: int, group: int, heading: str) -> int:  # noqa: ANN001
    return store.add_flipover(
        meeting_id,
        phase_index=2,
        grouping="fours",
        group=group,
        kind="wish",
        heading=heading,
        proposals=[],
    )


@pytest.fixture
def course(store, user_agenda_dir) -> Course:  # noqa: ANN001
    return Course(store, today=TODAY)


def app_on(store, course: Course) -> FacilitatorApp:  # noqa: ANN001
    app = FacilitatorApp(store, web=False)
    app._course = course  # the course on a fixed date
    return app


async def loaded_start(pilot) -> StartScreen:  # noqa: ANN001
    start = await on_top(pilot, StartScreen)
    await until(pilot, lambda: start.loaded, "the forløb read")
    return start


def rows(start: StartScreen) -> list[str]:
    table = start.query_one("#meetings", DataTable)
    return [str(table.get_row_at(r)[0]).strip() for r in range(table.row_count)]


async def test_the_start_screen_lists_each_forloeb_with_its_next_step_and_meetings(store, course):
    fid = course.create_forloeb("Ærø Skole", unit="Kontoret", plan={"meeting_2": "14.01.2027"})
    first = meeting(store, "dialogmoede-1", "1. dialogmøde på Ærø", fid)
    wish(store, first, 1, "Stabil bemanding")
    other = course.create_forloeb("Marstal Havn")
    meeting(store, "dialogmoede-1", "Havnens 1. møde", other)
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        start = await loaded_start(pilot)
        next_step = course.forloeb(fid).next_step
        assert next_step.startswith("Vurdering mangler")
        text = await drawn(
            pilot, "▸ Ærø Skole · Kontoret", next_step, "1. dialogmøde på Ærø", "Marstal Havn"
        )
        # Each meeting right under its forløb's row (newest forløb first).
        assert rows(start) == [
            "▸ Marstal Havn",
            "Havnens 1. møde",
            "▸ Ærø Skole · Kontoret",
            "1. dialogmøde på Ærø",
        ]
        assert "1/6 Fælles intro" in text  # a meeting's row still says its phase

        # At 80×24 the forløb and its next step are still drawn, and the keys reachable.
        await pilot.resize_terminal(*SMALL)
        text = await drawn(pilot, "▸ Ærø Skole", "Vurdering mangler")
        footer = start.query_one("KeyFooter")
        await until(pilot, lambda: footer.region.bottom == 24, "the footer at the bottom")
        keys = {key.key for key in footer.query("FooterKey")}
        assert {"f", "n", "N"} <= keys


async def test_overdue_follow_ups_are_said_with_a_symbol(store, course):
    fid = course.create_forloeb("Ærø Skole")
    row = course.add_action(fid, area="Stabil bemanding", follow_up="01.12.2026")
    assert row
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await loaded_start(pilot)
        info = course.forloeb(fid)
        assert info.overdue == 1
        await drawn(pilot, "opfølgning overskredet")
        text = await drawn(pilot, "▸ Ærø Skole")
        line = next(line for line in text.splitlines() if "▸ Ærø Skole" in line)
        assert "⚠" in line or "overskredet" in line


async def test_a_new_forloeb_needs_a_workplace_and_is_listed(store, course):
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        start = await loaded_start(pilot)
        await drawn(pilot, "Ingen møder endnu")
        await pilot.press("N")
        form = await on_top(pilot, CourseFormScreen)
        await pilot.press("ctrl+s")  # no workplace
        await drawn(pilot, "Arbejdspladsen skal udfyldes")
        assert app.screen is form and course.list_forloeb() == []
        await pilot.press(*"Ærø Skole", "enter", *"Kontoret", "enter", *"Hanne", "enter")
        await pilot.press(*"Jens", "enter")  # the last field: saves
        await on_top(pilot, StartScreen)
        (info,) = course.list_forloeb()
        assert (info.workplace, info.unit, info.tovholder, info.moedeleder) == (
            "Ærø Skole",
            "Kontoret",
            "Hanne",
            "Jens",
        )
        await drawn(pilot, "▸ Ærø Skole · Kontoret")
        assert start._selected_key() == f"f:{info.id}"  # the new forløb is selected


async def test_a_new_meeting_goes_into_the_selected_forloeb(store, course):
    fid = course.create_forloeb("Ærø Skole")
    first = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    course.create_forloeb("Marstal Havn")  # newer: listed first
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        start = await loaded_start(pilot)
        table = start.query_one("#meetings", DataTable)
        await until(pilot, lambda: start._selected() == first, "the meeting selected")
        await pilot.press("n")
        form = await on_top(pilot, NewMeetingScreen)
        assert form.query_one("#new-forloeb", Select).value == str(fid)  # the row's forløb
        form.query_one("#new-agenda", Select).value = "dialogmoede-2"
        await pilot.press(*"2. dialogmøde", "enter", "enter", "1", "2", "enter")
        await on_top(pilot, StartScreen)
        second = max(m.id for m in store.list_meetings())
        assert store.get_meeting(second).forloeb_id == fid
        assert [m.id for m in course.forloeb(fid).meetings] == [first, second]
        await until(pilot, lambda: start._selected() == second, "the new meeting selected")
        assert rows(start).index("2. dialogmøde") == rows(start).index("1. dialogmøde") + 1
        assert table.row_count == 4

        # "Et nyt forløb for sig" makes the meeting a forløb of its own.
        await pilot.press("n")
        form = await on_top(pilot, NewMeetingScreen)
        form.query_one("#new-forloeb", Select).value = "own"
        await pilot.press(*"Enkeltmøde", "enter", "enter", "8", "enter")
        await on_top(pilot, StartScreen)
        alone = max(m.id for m in store.list_meetings())
        assert store.get_meeting(alone).forloeb_id not in (fid, None)
        assert len(course.list_forloeb()) == 3


async def test_the_forloeb_screen_opens_from_a_meeting_or_its_forloeb(store, course):
    fid = course.create_forloeb("Ærø Skole", tovholder="Hanne")
    first = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    wish(store, first, 1, "Stabil bemanding")
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        start = await loaded_start(pilot)
        await until(pilot, lambda: start._selected() == first, "the meeting selected")
        await pilot.press("f")
        screen = await on_top(pilot, ForloebScreen)
        await drawn(pilot, "Forløb: Ærø Skole", "Tovholder: Hanne", "1. dialogmøde", "0 af 1")
        await pilot.press("escape")
        await on_top(pilot, StartScreen)
        await pilot.press("up")  # the forløb's row: Enter opens the forløb, not a meeting
        await until(pilot, lambda: start._selected_key() == f"f:{fid}", "the forløb's row")
        await pilot.press("enter")
        screen = await on_top(pilot, ForloebScreen)
        assert screen.forloeb_id == fid and app.engine is None


async def test_the_forloeb_details_are_edited_and_help_contacts_one_per_line(store, course):
    fid = course.create_forloeb("Ærø Skole")
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await loaded_start(pilot)
        await pilot.press("f")
        screen = await on_top(pilot, ForloebScreen)
        await drawn(pilot, "Forløb: Ærø Skole", "ikke planlagt")
        await pilot.press("e")
        form = await on_top(pilot, CourseFormScreen)
        form.query_one("#f-unit", Input).value = "Kontoret"
        form.query_one("#f-moedeleder", Input).value = "Jens [bold]"
        form.query_one("#f-help_contacts").text = "Arbejdstilsynet 70 12 12 88\n\nTR: Lise"
        form.query_one("#f-plan_meeting_2", Input).value = "14.01.2027"
        await pilot.press("ctrl+s")
        await on_top(pilot, ForloebScreen)
        info = course.forloeb(fid)
        assert info.unit == "Kontoret" and info.moedeleder == "Jens [bold]"
        assert info.help_contacts == ("Arbejdstilsynet 70 12 12 88", "TR: Lise")
        assert {s.step: s.date for s in info.plan}["meeting_2"] == "14.01.2027"
        await drawn(pilot, "Mødeleder: Jens [bold]", "• TR: Lise", "2. dialogmøde: 14.01.2027")
        assert screen.info.unit == "Kontoret"

        # Dates in the wrong order are kept as typed, and flagged in words with a symbol.
        await pilot.press("e")
        form = await on_top(pilot, CourseFormScreen)
        form.query_one("#f-plan_meeting_1", Input).value = "20.01.2027"
        await pilot.press("ctrl+s")
        await on_top(pilot, ForloebScreen)
        await drawn(pilot, "1. dialogmøde: 20.01.2027", "⚠ 2. dialogmøde ligger før 1. dialogmøde")


async def test_a_meeting_opens_on_the_projector_from_the_forloeb_screen(store, course):
    from screens.projector import ProjectorScreen

    fid = course.create_forloeb("Ærø Skole")
    first = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    app = app_on(store, course)
    async with app.run_test(size=BIG) as pilot:
        await loaded_start(pilot)
        await pilot.press("f")
        screen = await on_top(pilot, ForloebScreen)
        await until(pilot, lambda: screen.selected_meeting() == first, "the meeting listed")
        await pilot.press("enter")
        await on_top(pilot, ProjectorScreen)
        assert app.engine is not None and app.engine.meeting_id == first
        assert not any(isinstance(s, ForloebScreen) for s in app.screen_stack)


async def test_the_start_screen_at_80_keeps_the_code_a_whole_date_and_the_next_step(store, course):
    fid = course.create_forloeb("Hjemmeplejen Ærø", unit="Team Nord")
    first = meeting(store, "dialogmoede-1", "1. dialogmøde, Team Nord", fid)
    wish(store, first, 1, "Stabil bemanding")
    course.add_action(fid, area="Stabil bemanding", follow_up="01.12.2026")
    code = store.get_meeting(first).code
    app = app_on(store, course)
    async with app.run_test(size=SMALL) as pilot:
        start = await loaded_start(pilot)
        table = start.query_one("#meetings", DataTable)

        def in_table() -> str:
            region = table.region
            lines = screen_text(app).splitlines()[region.y : region.bottom]
            return "\n".join(line[region.x : region.right] for line in lines)

        text = await settled(pilot, in_table)
        assert "Kode" in text and code in text
        created = store.get_meeting(first).created_at.strftime("%d.%m.%y")
        assert created in text  # the date whole, in its short form
        next_step = course.forloeb(fid).next_step
        assert "overskredet" in next_step
        assert next_step in text  # whole, never cut (a long name may be)
        assert not table.show_horizontal_scrollbar or table.max_scroll_x == 0


async def test_a_failed_read_is_said_literally_on_the_start_screen(store, course, monkeypatch):
    """A database error's words can hold brackets ("[SQL: …]"): they are said as they are,
    never read as markup (which would stop the screen)."""
    from facilitator.course.service import CourseError

    def broken(self):  # noqa: ANN001, ANN202
        raise CourseError("databasen svarer ikke [SQL: SELECT 1] [/b]")

    monkeypatch.setattr(FacilitatorApp, "forloeb_groups", broken)
    app = app_on(store, course)
    async with app.run_test(size=(160, 45)) as pilot:
        await on_top(pilot, StartScreen)
        await until(
            pilot,
            lambda: "svarer ikke [SQL: SELECT 1] [/b]" in screen_text(app),
            "the failure said as it is",
        )
