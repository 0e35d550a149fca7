"""Meeting settings that make no sense are refused, and the form shows the groups.

The method is for 10–80 employees in groups of 3–8: a meeting has 1–40 groups and 1–120
participants. `new` refuses anything else with one Danish line naming the limits and exit
status 2; the engine refuses it too (so the start screen's form does); `--help` says the
limits; the form shows, as the participants are typed, what groups each grouping gets.
"""

from __future__ import annotations

import pytest

from facilitator.agenda import load_agenda
from facilitator.app import FacilitatorApp
from facilitator.cli import build_parser, main
from facilitator.engine import EngineError, create_meeting
from facilitator.meeting_size import GROUPS_MAX, PARTICIPANTS_MAX, group_plan
from screens.start import NewMeetingScreen, StartScreen
from storage.repo import Store


@pytest.fixture
def db(tmp_path, monkeypatch, user_agenda_dir) -> str:
    url = f"sqlite:///{tmp_path}/settings.db"
    monkeypatch.setenv("FACILITATOR_DB", url)
    return url


def meetings(db: str) -> list:
    store = Store(db)
    try:
        return store.list_meetings()
    finally:
        store.close()


NEW = ["new", "--agenda", "dialogmoede-1", "--title", "Møde på Ærø"]


# ---------------------------------------------------------------------- the command
@pytest.mark.parametrize(
    "extra, message",
    [
        (["--groups", "0"], "antal grupper skal være fra 1 til 40, ikke 0"),
        (["--groups", "41"], "antal grupper skal være fra 1 til 40, ikke 41"),
        (["--groups", "-2"], "antal grupper skal være fra 1 til 40, ikke -2"),
        (["--participants", "0"], "antal deltagere skal være fra 1 til 120, ikke 0"),
        (["--participants", "1000"], "antal deltagere skal være fra 1 til 120, ikke 1000"),
        (["--groups", "10", "--participants", "6"], "6 deltagere kan ikke fordeles på 10 grupper"),
    ],
)
def test_new_refuses_sizes_that_make_no_sense(db, capsys, extra, message):
    assert main([*NEW, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert meetings(db) == []  # nothing was made


@pytest.mark.parametrize(
    "extra, groups, participants",
    [
        ([], 0, 0),
        (["--groups", "1"], 1, 0),
        (["--groups", str(GROUPS_MAX)], GROUPS_MAX, 0),
        (["--participants", "1"], 0, 1),
        (["--participants", str(PARTICIPANTS_MAX)], 0, PARTICIPANTS_MAX),
        (["--groups", "4", "--participants", "16"], 4, 16),
    ],
)
def test_new_takes_sizes_within_the_limits(db, capsys, extra, groups, participants):
    assert main([*NEW, *extra]) == 0
    (meeting,) = meetings(db)
    assert (meeting.groups, meeting.participants) == (groups, participants)


def test_new_says_what_groups_the_size_gives(db, capsys):
    assert main([*NEW, "--participants", "24"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "Grupper: Interview: 8 grupper à 3 · Grupper på 4: 6 grupper à 4" in out
    assert out[-1].isdigit()  # the id is still alone on the last line


def test_help_names_the_limits():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    text = sub.choices["new"].format_help()
    assert "1–40" in text and "1–120" in text
    assert "10–80" in text  # what the method is for


# ---------------------------------------------------------------------- the engine
@pytest.mark.parametrize(
    "groups, participants", [(41, 0), (0, 121), (0, 1000), (-1, 0), (0, -5), (10, 6)]
)
def test_create_meeting_refuses_them_too(tmp_path, user_agenda_dir, groups, participants):
    store = Store(f"sqlite:///{tmp_path}/e.db")
    try:
        with pytest.raises(EngineError) as info:
            create_meeting(
                store,
                load_agenda("dialogmoede-1"),
                "dialogmoede-1",
                "For stort",
                groups=groups,
                participants=participants,
            )
        assert "1 til" in str(info.value) or "kan ikke fordeles" in str(info.value)
        assert store.list_meetings() == []
    finally:
        store.close()


# ---------------------------------------------------------------------- the group plan
@pytest.mark.parametrize(
    "agenda, groups, participants, plan",
    [
        (
            "dialogmoede-1",
            None,
            24,
            "Interview: 8 grupper à 3 · Grupper på 4: 6 grupper à 4",
        ),
        (
            "dialogmoede-1",
            None,
            22,
            "Interview: 8 grupper (2–3 pers.) · Grupper på 4: 6 grupper (3–4 pers.)",
        ),
        (
            "dialogmoede-1",
            5,
            23,
            "Interview: 8 grupper (2–3 pers.) · Grupper på 4: 5 grupper (4–5 pers.)",
        ),
        ("dialogmoede-1", 4, None, "Interview: 4 grupper · Grupper på 4: 4 grupper"),
        (
            "dialogmoede-2",
            None,
            16,
            "Grupper på 4: 4 grupper à 4 · Brænder for: én gruppe pr. valgt ønske",
        ),
    ],
)
def test_group_plan(user_agenda_dir, agenda, groups, participants, plan):
    assert group_plan(load_agenda(agenda), groups, participants) == plan


# ---------------------------------------------------------------------- the form
async def test_the_form_shows_the_groups_as_the_participants_are_typed(
    store, fake_clock, user_agenda_dir
):
    app = FacilitatorApp(store, None, web=False, clock=fake_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewMeetingScreen)

        def plan() -> str:
            return str(form.query_one("#new-plan").content)

        assert "Skriv antal deltagere" in plan()
        await pilot.press(*"Personalemøde", "enter", "enter", "2")
        await pilot.pause()
        assert plan() == "Interview: 1 gruppe à 2 · Grupper på 4: 1 gruppe à 2"
        await pilot.press("4")  # 24
        await pilot.pause()
        assert plan() == "Interview: 8 grupper à 3 · Grupper på 4: 6 grupper à 4"
        await pilot.press("0")  # 240: beyond the limit, said at once
        await pilot.pause()
        assert plan() == (
            "Antal deltagere skal være fra 1 til 120, ikke 240 (metoden er til 10–80 "
            "medarbejdere; del en større arbejdsplads i flere møder)"
        )
        await pilot.press("ctrl+s")  # and refused
        await pilot.pause()
        assert isinstance(app.screen, NewMeetingScreen)
        assert "fra 1 til 120" in str(form.query_one("#new-message").content)
        assert store.list_meetings() == []
        await pilot.press("backspace")  # 24 again
        form.query_one("#new-groups").value = "0"  # an explicit 0 groups is refused
        await pilot.pause()
        assert "Antal grupper skal være fra 1 til 40, ikke 0" in plan()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.list_meetings() == []
        form.query_one("#new-groups").value = "5"
        await pilot.pause()
        assert plan() == "Interview: 8 grupper à 3 · Grupper på 4: 5 grupper (4–5 pers.)"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        (meeting,) = store.list_meetings()
        assert (meeting.groups, meeting.participants) == (5, 24)
