"""Every key of the app by its binding id, a user's own keys from ``keys.toml``, and the
key names the hints on screen say.

Each binding has an id (``bind("next_phase", ...)``); the default keys of every id are in
``DEFAULT_KEYS`` below, the one list of the app's keys. A user may give any id other keys
in ``keys.toml`` in the config folder (``facilitator/keys.toml`` under the platform's
config directory: ``~/.config/facilitator/keys.toml`` on Linux)::

    [keys]
    next_phase = "n,right"     # n or → goes to the next phase (PgDn no longer does)
    blank = "b"                # only b blanks the screen (the full stop no longer does)

A key given to one action that another action of the same screen had (``toggle_clock =
"s"`` takes the galleri's særskilt spor) is said in a notification when that screen opens.

The value is the key or keys, separated by commas, in Textual's names: a letter or a
character as it is ("+", "?"), or a name ("space", "enter", "escape", "pagedown",
"right", "f5"), with modifiers as "ctrl+s" or "shift+tab". The keys given replace all of
the binding's default keys; an id shared by several screens ("back" is Escape wherever
Escape goes back) changes on all of them. What cannot be used (a file that is not TOML, an
unknown id, a key Textual does not know) is skipped and said in one Danish notification when
the app starts; the rest of the file is used.

The hints on screen ("Tryk j eller Esc for at lukke", "PgDn/PgUp") are made with
``key_text`` from the keys in force, so a remapped key is the key they name.
"""

from __future__ import annotations

import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.keys import Keys, format_key, key_to_character

# id -> default keys (Textual's key names, comma-separated; the first is the one hints name)
DEFAULT_KEYS: dict[str, str] = {
    # the whole app
    "quit": "ctrl+q",  # Afslut (asks first while a meeting is open)
    "command_palette": "ctrl+p",  # the palette: every key in words
    "back": "escape",  # back, close, cancel: wherever Escape goes back
    "leave": "q",  # projector and start screen: Afslut
    # the projector
    "toggle_clock": "space",  # start/pause (also in the galleri and "brænder for")
    "next_phase": "right,pagedown",  # PgDn/PgUp: the presenter's clicker
    "previous_phase": "left,pageup",
    "extend_1": "plus,equals_sign",  # +1 minute
    "extend_5": "5",
    "flipovers": "f",  # the flip-over entry screen
    "galleri": "g",  # opens the galleri, and closes it
    "prioritering": "p",  # opens the prioritering, and closes it
    "choose": "v",  # "brænder for": opens it, and closes it
    "reveal_now": "r",  # a vote: the result now (projector and galleri)
    "join": "j",  # the join screen (QR), and closes it
    "staff_links": "a",  # the assistant and remote-control links, and closes them
    "wall": "w",  # the wall page's addresses (Vægskærm), and closes them
    "blank": "b,full_stop",  # a black screen (the clicker's "blank" key is the full stop)
    "bruttoliste_next": "down",  # a bruttoliste phase: the list's next page (↓)
    "bruttoliste_previous": "up",  # and its previous page (↑)
    # the galleri
    "select_left": "left",
    "select_right": "right",
    "select_up": "up",
    "select_down": "down",
    "hand_plus": "plus,equals_sign",  # +1 hand-counted mark (galleri), person (brænder for)
    "hand_minus": "minus",
    "pick_theme": "t",
    "make_theme": "T,shift+t",
    "split_theme": "u",
    "confidential": "s",  # move the card to særskilt spor (asks first)
    "show_confidential": "S",  # the særskilt spor list, and closes it
    "next_page": "pagedown",
    "previous_page": "pageup",
    "set_count": "enter",  # a typed hand count
    **{f"digit_{d}": str(d) for d in range(10)},
    # prioritering
    "toggle_priority": "enter,space",
    # særskilt spor
    "restore": "r",
    # staff links
    "swap_code": "tab",
    # forms: flip-over entry and a new meeting
    "save": "ctrl+s",
    "enter_next": "enter",  # next field; in the last one it saves
    "clear_form": "ctrl+n",
    "toggle_kind": "ctrl+t",
    "delete": "ctrl+d",
    "focus_next": "tab",
    "focus_previous": "shift+tab",
    "pick_wish": "ctrl+o",  # flip-over entry: take a wish from the bruttoliste as heading
    "cycle_level": "ctrl+l",  # flip-over entry: the focused proposal's level (action work)
    # start screen
    "open_meeting": "enter",
    "new_meeting": "n",
    "open_forloeb": "f",  # the selected row's forløb
    "new_forloeb": "N,shift+n",
    "run_check": "c",  # the check before the room arrives (Tjek)
    "pick_address": "w",  # the address and port phones will use (Adresse og port)
    # the forløb and its editors (the APV course)
    "edit_details": "e",  # the forløb's details
    "open_vurdering": "v",
    "open_handleplan": "h",
    "open_course_confidential": "s",  # særskilt spor's plans (asks first)
    "open_absence": "f",  # sygefravær (fravær)
    "assess_work_on": "1",
    "assess_in_progress": "2",
    "assess_cannot_now": "3",
    "assess_separate": "4",  # særskilt spor (asks first)
    "seed_handleplan": "i",  # rows from the 2nd meeting's prioritised wishes
    "add_row": "n",
    "edit_row": "e",
    "move_up": "shift+up,ctrl+up",
    "move_down": "shift+down,ctrl+down",
    "follow_up": "o",  # a follow-up log entry
    # yes/no questions
    "yes": "j,y",
    "no": "n,escape",
    "switch_button": "left,right,tab",
}

# How a hint names a key (Danish where there is a word for it).
KEY_NAMES_DA = {
    "space": "mellemrum",
    "right": "→",
    "left": "←",
    "up": "↑",
    "down": "↓",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "full_stop": ".",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
}

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_KEY_NAMES = frozenset(key.value for key in Keys)


def bind(binding_id: str, action: str, description: str = "", **kwargs: Any) -> Binding:
    """A binding with its id and the default keys ``DEFAULT_KEYS`` gives that id."""
    return Binding(DEFAULT_KEYS[binding_id], action, description, id=binding_id, **kwargs)


def key_name(key: str) -> str:
    """One key as a hint says it: "Esc", "PgDn", "mellemrum", "ctrl+s", "T"."""
    modifiers, _, base = key.rpartition("+")
    if modifiers == "shift" and len(base) == 1:
        return base.upper()
    name = KEY_NAMES_DA.get(base) or (base if len(base) == 1 else format_key(base))
    return f"{modifiers}+{name}" if modifiers else name


def bound_keys(app: Any, binding_id: str) -> list[str]:
    """The keys the binding ``binding_id`` has now: the user's (``App.set_keymap``), else
    the defaults."""
    keymap = getattr(app, "_keymap", None) or {}  # Textual keeps the keymap in force here
    keys = keymap.get(binding_id) or DEFAULT_KEYS[binding_id]
    return [key.strip() for key in keys.split(",") if key.strip()]


def key_text(app: Any, *binding_ids: str, sep: str = " eller ", first: bool = False) -> str:
    """The keys of the bindings, as a hint names them: "j eller Esc", "PgDn".

    ``first`` names only each binding's first key (its others are aliases, such as "=" for
    "+" on a keyboard where "+" needs shift)."""
    names: list[str] = []
    for binding_id in binding_ids:
        keys = bound_keys(app, binding_id)
        for key in keys[:1] if first else keys:
            name = key_name(key)
            if name not in names:
                names.append(name)
    return sep.join(names)


def lost_keys(bindings: list[Any], keymap: dict[str, str]) -> list[tuple[str, str]]:
    """(key, description) of each key that ``keymap`` gives one of ``bindings`` (one
    screen's) while another of them had it: that one no longer has the key. (Textual's
    own clash report misses bindings that have ids, and all of ours have.)"""
    taken: dict[str, str] = {}
    for binding in bindings:
        if binding.id in keymap:
            for key in keymap[binding.id].split(","):
                taken[key.strip()] = binding.id
    lost = set()
    for binding in bindings:
        if binding.id in keymap:
            continue
        for key in binding.key.split(","):
            owner = taken.get(key.strip())
            if owner is not None and owner != binding.id:
                lost.add((key.strip(), binding.description or binding.action))
    return sorted(lost)


# --------------------------------------------------------------------- keys.toml
def keys_file() -> Path:
    """Where a user's keys are: keys.toml in the app's config folder."""
    from platformdirs import user_config_path

    from facilitator.paths import APP

    return user_config_path(APP, appauthor=False) / "keys.toml"


def key_problem(key: str) -> str | None:
    """Why ``key`` is not a key Textual knows, or None."""
    if not key:
        return "en tom tast"
    if len(key) == 1:
        return None if key.isprintable() and not key.isspace() else f"tasten {key!r}"
    modifiers, _, base = key.rpartition("+")
    if modifiers and not set(modifiers.split("+")) <= MODIFIERS:
        return f"{key!r} (kendte ændringstaster: {', '.join(sorted(MODIFIERS))})"
    if len(base) == 1 or base in _KEY_NAMES or format_key(base) != base:
        return None
    if key_to_character(base) is not None:
        return None
    try:
        unicodedata.lookup(base.replace("_", " "))
    except KeyError:
        return f"{key!r} er ikke en tast"
    return None


def read_keymap(path: Path) -> tuple[dict[str, str], str | None]:
    """(keymap, problem) from a keys.toml: the ids and their keys that can be used, and
    what could not, in Danish (or None). A missing file is no problem: the default keys."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError) as exc:
        return {}, f"{path} kunne ikke læses ({exc}); standardtasterne bruges."
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        return {}, f"{path} er ikke gyldig TOML ({exc}); standardtasterne bruges."
    keys = data.get("keys")
    if not isinstance(keys, dict):
        return {}, f'{path} har ingen [keys]-tabel (fx next_phase = "n,right").'
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in keys.items():
        if binding_id not in DEFAULT_KEYS:
            problems.append(f"ukendt handling {binding_id!r}")
            continue
        if not isinstance(value, str):
            problems.append(f'{binding_id} skal være tekst, fx "n,right"')
            continue
        wanted = [key.strip() for key in value.split(",")]
        bad = [p for p in (key_problem(key) for key in wanted) if p]
        if bad:
            problems.append(f"{binding_id}: {bad[0]}")
            continue
        keymap[binding_id] = ",".join(wanted)
    if problems:
        kept = "Resten af filen bruges." if keymap else "Standardtasterne bruges."
        return keymap, f"{path}: {'; '.join(problems)} – det er sprunget over. {kept}"
    return keymap, None
