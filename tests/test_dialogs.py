"""Dialogs don't eat typing.

The assistant typed "Stabil bemanding" and pressed ctrl+n after "Stabil ": "Ryd
formularen?" opened, its "n" answered Nej at the first n of "bemanding", and the rest landed
in the field. A dialog now drops every key but Escape until the keyboard has been quiet for
a moment (0.6 s) after it opened, so nothing typed in that moment answers it or reaches the
field behind it; after that, Enter on the focused button (or j/n, or Escape) answers.

The dialog's clock is a fake here, moved by hand; the app and meeting come from conftest.
"""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Input

import screens.dialogs as dialogs
from facilitator.app import FacilitatorApp
from screens.dialogs import ConfirmScreen, PromptScreen
from screens.flipover_entry import FlipoverEntryScreen
from tests.screen import on_top, until

BIG = (160, 45)


class DialogClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def dialog_clock(monkeypatch) -> DialogClock:
    """The real quiet moment (conftest turns it off elsewhere), on a clock moved by hand."""
    clock = DialogClock()
    monkeypatch.setattr(dialogs, "DIALOG_QUIET_S", 0.6)
    monkeypatch.setattr(dialogs, "dialog_clock", clock)
    return clock


def keys(text: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in text]


async def open_entry(pilot) -> FlipoverEntryScreen:  # noqa: ANN001
    await pilot.press("right", "right")  # groups of four: wishes
    await pilot.press("f")
    screen = await on_top(pilot, FlipoverEntryScreen)
    await pilot.pause()
    return screen


async def test_typing_through_ctrl_n_neither_answers_nor_reaches_the_field(
    store, meeting_id, fake_clock, dialog_clock
):
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    async with app.run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        heading = entry.query_one("#heading", Input)
        await pilot.press(*keys("Stabil "), "ctrl+n", *keys("bemanding"))
        dialog = await on_top(pilot, ConfirmScreen)
        await until(pilot, lambda: dialog.dropped_keys >= len("bemanding"), "the keys dropped")
        await pilot.pause()
        assert app.screen is dialog  # no letter answered it (there are two n's)
        assert heading.value == "Stabil "  # the form is not cleared, and got none of it
        assert dialog.dropped_keys == len("bemanding")
        hint = str(dialog.query_one("#confirm-hint").content)
        assert "Du skrev videre" in hint  # the dialog says the keys were not used

        # Still typing (a key every 0.4 s): the quiet moment starts over with each key.
        for letter in "nj":
            dialog_clock.advance(0.4)
            await pilot.press(letter)
            await pilot.pause()
            assert app.screen is dialog
        assert heading.value == "Stabil "

        # Quiet now: Enter presses the focused button, Nej, and the text stays.
        dialog_clock.advance(0.7)
        no = dialog.query_one("#no")
        await until(pilot, lambda: no.has_focus, "Nej focused once quiet")
        await pilot.press("enter")
        await on_top(pilot, FlipoverEntryScreen)
        assert heading.value == "Stabil "
        await pilot.press(*keys("bemanding"))
        assert heading.value == "Stabil bemanding"

        # The button answers too: ctrl+n, then a click on Ja clears the form.
        await pilot.press("ctrl+n")
        await on_top(pilot, ConfirmScreen)
        await pilot.pause()
        await pilot.click("#yes")
        await on_top(pilot, FlipoverEntryScreen)
        await until(pilot, lambda: heading.value == "", "the form cleared")


async def test_a_letter_answers_once_the_keyboard_has_been_quiet(
    store, meeting_id, fake_clock, dialog_clock
):
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    async with app.run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        heading = entry.query_one("#heading", Input)
        await pilot.press(*keys("Vigtigt ønske"), "ctrl+n")
        dialog = await on_top(pilot, ConfirmScreen)
        await pilot.pause()
        await pilot.press("j")  # at once: dropped
        await until(pilot, lambda: dialog.dropped_keys == 1, "the j dropped")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and heading.value == "Vigtigt ønske"
        dialog_clock.advance(0.6)
        await pilot.press("j")  # after a quiet moment: Ja
        await on_top(pilot, FlipoverEntryScreen)
        await until(pilot, lambda: heading.value == "", "the form cleared")


async def test_escape_always_answers_no(store, meeting_id, fake_clock, dialog_clock):
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    async with app.run_test(size=BIG) as pilot:
        entry = await open_entry(pilot)
        await pilot.press(*keys("Ro på"), "ctrl+n", "escape")
        await on_top(pilot, FlipoverEntryScreen)
        await pilot.pause()
        assert entry.query_one("#heading", Input).value == "Ro på"


async def test_quitting_asks_and_typed_keys_do_not_answer(
    store, meeting_id, fake_clock, dialog_clock
):
    """Every dialog: the projector's "Vil du afslutte?" as well."""
    app = FacilitatorApp(store, meeting_id, web=False, clock=fake_clock)
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("q", "y", "j", "enter")
        dialog = await on_top(pilot, ConfirmScreen)
        await until(pilot, lambda: dialog.dropped_keys == 3, "y, j and Enter dropped")
        await pilot.pause()
        assert app.screen is dialog
        assert app.is_running
        dialog_clock.advance(1)
        await pilot.press("tab", "enter")  # Ja, chosen on purpose
        await until(pilot, lambda: not app.is_running, "the app quit")


class PromptApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(PromptScreen("Temaets navn?"), self.answers.append)


async def test_a_prompt_takes_no_letters_until_the_keyboard_is_quiet(dialog_clock):
    app = PromptApp()
    async with app.run_test() as pilot:
        prompt = await on_top(pilot, PromptScreen)
        await pilot.pause()
        field = prompt.query_one("#prompt-input", Input)
        await pilot.press(*keys("anding"), "enter")  # the rest of a word, and its Enter
        hint = prompt.query_one("#prompt-hint")
        await until(pilot, lambda: "Du skrev videre" in str(hint.content), "the hint says so")
        await pilot.pause()
        assert app.screen is prompt and field.value == "" and app.answers == []
        dialog_clock.advance(0.6)
        # The field takes the focus once it is quiet.
        await until(pilot, lambda: field.has_focus, "the field focused")
        await pilot.press(*keys("Arbejdsmiljø"), "enter")
        await until(pilot, lambda: app.answers, "an answer")
        assert app.answers == ["Arbejdsmiljø"]


async def test_with_no_quiet_moment_the_dialogs_answer_at_once(store, meeting_id, fake_clock):
    """conftest's setting (0 s), which every other test relies on: the field is focused
    from the start and j answers at once."""
    app = PromptApp()
    async with app.run_test() as pilot:
        await on_top(pilot, PromptScreen)
        await pilot.pause()
        await pilot.press("a", "enter")
        await until(pilot, lambda: app.answers, "an answer")
        assert app.answers == ["a"]
