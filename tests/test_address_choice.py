"""The start screen's address and port (`w`) hold for the next start: picked the evening
before, the choice is there in the meeting room. A file that cannot be read is ignored."""

from __future__ import annotations

import argparse

import pytest

import facilitator.cli as cli
from facilitator import address_choice, paths
from facilitator.app import FacilitatorApp
from screens.check import AddressScreen
from screens.start import StartScreen
from tests.screen import drawn, on_top, until
from tests.test_start_check import BIG, fake  # noqa: F401 - the fake preflight fixture


@pytest.mark.usefixtures("fake")
async def test_the_choice_made_with_w_is_kept_for_the_next_start(
    store, user_agenda_dir, monkeypatch
):
    app = FacilitatorApp(store, web=False)
    async with app.run_test(size=BIG) as pilot:
        await on_top(pilot, StartScreen)
        await pilot.press("w")
        dialog = await on_top(pilot, AddressScreen)
        await until(pilot, lambda: dialog.loaded, "the addresses")
        await pilot.press("down", "down", "down", "enter")  # 192.168.1.23, on to the port
        await pilot.press("end", *["backspace"] * 4, "9", "0", "0", "1", "enter")
        await on_top(pilot, StartScreen)
        await drawn(pilot, "Telefonerne bruger adresse 192.168.1.23, port 9001")
    assert address_choice.load() == ("192.168.1.23", 9001)

    # The next `facilitator` (the start screen) starts with it.
    started: dict[str, object] = {}

    def run_app(store, mid, args):  # noqa: ANN001, ANN202
        started.update(host=args.host, port=args.port)
        return 0

    monkeypatch.setattr(cli, "run_app", run_app)
    monkeypatch.setattr(cli, "open_store", lambda url: None)
    assert cli.cmd_start(argparse.Namespace(db=None, sub_db=None, command=None)) == 0
    assert started == {"host": "192.168.1.23", "port": 9001}


def test_the_automatic_address_round_trips(user_agenda_dir):
    address_choice.save(None, 8800)
    assert address_choice.load() == (None, 8800)


@pytest.mark.parametrize(
    "text",
    [
        "",  # nothing chosen: the defaults
        "host = 12\nport = 9001\n",
        'host = "10.0.0.2"\nport = 80\n',  # below 1024
        'host = "10.0.0.2"\nport = "9001"\n',
        'host = "10.0.0.2"\nport = true\n',
        "not toml at all [[[",
        b"\xff\xfe".decode("latin-1"),
    ],
)
def test_a_file_that_cannot_be_used_is_ignored(user_agenda_dir, text):
    path = paths.address_choice_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    assert address_choice.load() in (None, (None, 8765))


def test_no_file_is_no_choice(user_agenda_dir):
    assert not paths.address_choice_file().exists()
    assert address_choice.load() is None
