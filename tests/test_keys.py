"""A user's own keys: keys.toml in the config folder remaps a binding by its id.

The new key does the action and the old one no longer does; the footer and every hint on
screen name the new key; a file that cannot be used is one Danish notification, and the
app runs on with the keys it could use.
"""

from __future__ import annotations

from pathlib import Path

from facilitator.app import FacilitatorApp
from screens.flipover_entry import FlipoverEntryScreen
from screens.galleri import GalleriScreen
from screens.join import JoinScreen
from screens.projector import ProjectorScreen
from tests.screen import drawn, screen_text, until
from tests.test_screens import record_notes

BIG = (160, 45)


def keys_toml(folder: Path, text: str) -> Path:
    """keys.toml where the app looks for it: the platform config folder (the
    ``user_agenda_dir`` fixture points XDG_CONFIG_HOME at a temporary one)."""
    path = folder.parent / "keys.toml"
    path.write_text(text, encoding="utf-8")
    return path


def footer_line(app: FacilitatorApp) -> str:
    return screen_text(app).rstrip("\n").splitlines()[-1]


async def test_a_remapped_phase_key_moves_the_phase_and_the_footer_says_it(
    store, meeting_id, fake_clock, user_agenda_dir
):
    keys_toml(user_agenda_dir, '[keys]\nnext_phase = "n"\nprevious_phase = "ctrl+b"\n')
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    notes = record_notes(app)
    async with app.run_test(size=BIG) as pilot:
        await drawn(pilot, "Fase 1 af")
        footer = footer_line(app)
        assert " n Næste " in footer and "→ Næste" not in footer
        assert "^b Forrige" in footer
        # The remapped keys keep their places in the footer.
        assert footer.index("Start/pause") < footer.index("Næste") < footer.index("Forrige")
        assert footer.index("Forrige") < footer.index("+1 min")

        for old in ("right", "pagedown"):  # the old keys no longer move the phase
            await pilot.press(old)
            await pilot.pause()
            assert app.engine.index == 0
        await pilot.press("n")
        await drawn(pilot, "Fase 2 af")
        assert app.engine.index == 1
        await pilot.press("left")
        await pilot.pause()
        assert app.engine.index == 1
        await pilot.press("ctrl+b")
        await drawn(pilot, "Fase 1 af")
        assert app.engine.index == 0
    assert not [n for n in notes if n[1] != "information"], notes


async def test_the_join_screen_s_hint_names_the_remapped_key(
    store, meeting_id, fake_clock, user_agenda_dir
):
    keys_toml(user_agenda_dir, '[keys]\njoin = "k"\nback = "x"\n')
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    async with app.run_test(size=BIG) as pilot:
        await drawn(pilot, "Fase 1 af")
        assert " k Deltag " in footer_line(app)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)  # j does nothing now
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, JoinScreen), "the join screen")
        text = await drawn(pilot, "for at lukke")
        assert "Tryk k eller x for at lukke" in text
        assert "Tryk j eller Esc" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)  # Escape is not "back" any more
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ProjectorScreen), "back")


async def test_the_galleri_s_page_keys_follow_keys_toml(
    store, meeting_id, fake_clock, user_agenda_dir
):
    keys_toml(user_agenda_dir, '[keys]\nnext_page = "ctrl+n"\nprevious_page = "ctrl+o,ctrl+u"\n')
    engine = await app_engine(store, meeting_id, fake_clock)
    for number in range(12):  # more cards than one page holds at 80×24
        await engine.add_flipover(number % 3 + 1, f"Ønske nummer {number + 1}", ["Et forslag"])
    app = FacilitatorApp(store, engine=engine, web=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await drawn(pilot, "Fase")
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, GalleriScreen), "the galleri")
        text = await drawn(pilot, "side 1 af")
        assert "(ctrl+n/ctrl+o)" in text and "PgDn" not in text
        await pilot.press("pagedown")
        await pilot.pause()
        assert app.screen.page == 0
        await pilot.press("ctrl+n")
        await drawn(pilot, "side 2 af")
        await pilot.press("ctrl+u")  # the second key of the two
        await drawn(pilot, "side 1 af")


async def test_the_entry_help_names_the_remapped_save_key(
    store, meeting_id, fake_clock, user_agenda_dir
):
    keys_toml(user_agenda_dir, '[keys]\nsave = "ctrl+g"\n')
    engine = await app_engine(store, meeting_id, fake_clock)
    app = FacilitatorApp(store, engine=engine, web=False)
    async with app.run_test(size=BIG) as pilot:
        await drawn(pilot, "Fase")
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FlipoverEntryScreen), "the entry")
        text = await drawn(pilot, "i sidste felt")
        assert "Gem: ctrl+g eller Enter i sidste felt" in text
        assert "^g Gem" in footer_line(app)
        await pilot.press(*"Ro", "ctrl+s")  # the old key saves nothing
        await pilot.pause()
        assert engine.flipovers() == []
        await pilot.press("ctrl+g")
        await until(pilot, lambda: len(engine.flipovers()) == 1, "saved with ctrl+g")
        assert engine.flipovers()[0].heading == "Ro"


async def test_a_broken_keys_toml_is_one_danish_notification(
    store, meeting_id, fake_clock, user_agenda_dir
):
    keys_toml(user_agenda_dir, '[keys\nnext_phase = "n"\n')
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    notes = record_notes(app)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        await drawn(pilot, "Fase 1 af")
        await pilot.press("right")  # the default keys work
        await drawn(pilot, "Fase 2 af")
    problems = [message for message, severity in notes if severity == "warning"]
    assert len(problems) == 1, notes
    assert "keys.toml er ikke gyldig TOML" in problems[0]
    assert "standardtasterne bruges" in problems[0]


async def test_unknown_ids_and_keys_are_skipped_and_said_the_rest_is_used(
    store, meeting_id, fake_clock, user_agenda_dir
):
    keys_toml(
        user_agenda_dir,
        '[keys]\nnext_phase = "n"\nnxt_phase = "m"\nblank = "ctrl+bogus+x"\n'
        'join = 5\nprevious_phase = "pgdwn"\n',
    )
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    notes = record_notes(app)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        await drawn(pilot, "Fase 1 af")
        await pilot.press("n")  # the good line is used
        await drawn(pilot, "Fase 2 af")
        await pilot.press("left")  # the bad ones keep their default keys
        await drawn(pilot, "Fase 1 af")
    problems = [message for message, severity in notes if severity == "warning"]
    assert len(problems) == 1, notes
    for words in ("'nxt_phase'", "ctrl+bogus+x", "join skal være tekst", "'pgdwn'"):
        assert words in problems[0], problems[0]
    assert "Resten af filen bruges" in problems[0]


async def test_no_keys_toml_is_the_default_keys_and_no_notification(
    store, meeting_id, fake_clock, user_agenda_dir
):
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    notes = record_notes(app)
    async with app.run_test(size=BIG) as pilot:
        text = await drawn(pilot, "Fase 1 af")
        assert "→ Næste" in text
    assert notes == []


async def app_engine(store, meeting_id, fake_clock):  # noqa: ANN001, ANN201
    from facilitator.engine import MeetingEngine

    engine = MeetingEngine(store, meeting_id, clock=fake_clock)
    await engine.goto(2)  # a flip-over phase: wishes
    return engine


async def test_a_key_taken_from_another_action_is_said_once_and_the_new_one_works(
    store, meeting_id, fake_clock, user_agenda_dir
):
    keys_toml(user_agenda_dir, '[keys]\ngalleri = "p"\n')
    app = FacilitatorApp(store, engine=await app_engine(store, meeting_id, fake_clock), web=False)
    notes = record_notes(app)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        await drawn(pilot, "Fase")
        await pilot.press("g")  # g no longer opens the galleri
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, GalleriScreen), "the galleri on p")
        await pilot.press("p")  # p closes it again, as g did
        await until(pilot, lambda: isinstance(app.screen, ProjectorScreen), "back on p")
    problems = [message for message, severity in notes if severity == "warning"]
    assert problems == [
        "keys.toml giver en tast, der var i brug, til en anden handling: "
        "p ikke længere «Prioritering»."
    ], notes


async def test_the_palette_key_can_be_remapped_and_the_footer_shows_it(
    store, meeting_id, fake_clock, user_agenda_dir
):
    from textual.command import CommandPalette

    keys_toml(user_agenda_dir, '[keys]\ncommand_palette = "ctrl+k"\n')
    app = FacilitatorApp(store, web=False, clock=fake_clock)  # the start screen: room for it
    async with app.run_test(size=BIG) as pilot:
        await drawn(pilot, "Vælg et møde")
        assert "^k palette" in footer_line(app) and "^p" not in footer_line(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert not CommandPalette.is_open(app)
        await pilot.press("ctrl+k")
        await until(pilot, lambda: CommandPalette.is_open(app), "the palette on ctrl+k")
