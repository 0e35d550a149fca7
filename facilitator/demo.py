"""The sample meeting that `facilitator demo` opens (in its own database)."""

from __future__ import annotations

from facilitator.agenda import load_agenda
from facilitator.engine import create_meeting
from storage.repo import Store

DEMO_TITLE = "Demo: APV i Børnehuset Solsikken"


def ensure_demo(store: Store) -> int:
    """The demo meeting's id, made on first use and resumed after that."""
    for meeting in store.list_meetings():
        if meeting.title == DEMO_TITLE:
            return meeting.id
    agenda = load_agenda("dialogmoede-1")
    return create_meeting(store, agenda, "dialogmoede-1", DEMO_TITLE, groups=4, participants=16)
