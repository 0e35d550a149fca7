"""The start screen's data: the meetings in the database, the agendas, a new meeting."""

from __future__ import annotations

from typing import Any

from facilitator.agenda import AgendaError, list_agendas, load_agenda, parse_agenda
from facilitator.engine import EngineError, create_meeting
from storage.repo import Store


def meeting_rows(store: Store) -> list[dict[str, Any]]:
    """Each meeting as the start screen lists it: title, agenda, date, phase, code."""
    rows = []
    for meeting in store.list_meetings():
        try:
            agenda = parse_agenda(meeting.agenda_toml, meeting.agenda_name)
            count = len(agenda.phases)
            index = min(max(0, meeting.current_phase), count - 1)
            phase = f"{index + 1}/{count} {agenda.phases[index].title}"
            agenda_title = agenda.title
        except AgendaError:
            phase, agenda_title = "?", meeting.agenda_name
        created = meeting.created_at
        rows.append(
            {
                "id": meeting.id,
                "title": meeting.title,
                "agenda": agenda_title,
                "created": created.strftime("%d-%m-%Y %H:%M") if created else "",
                "phase": phase,
                "code": meeting.code,
            }
        )
    return rows


def agenda_choices() -> list[tuple[str, str]]:
    """(name, title) of every agenda that can be read."""
    return [(name, agenda.title) for name, _origin, agenda in list_agendas() if agenda]


def new_meeting(store: Store, agenda: str, title: str, groups: int, participants: int) -> int:
    """A new meeting from the start screen's form; refusals as EngineError."""
    try:
        loaded = load_agenda(agenda)
    except AgendaError as exc:
        raise EngineError(exc.problems[0]) from None
    return create_meeting(store, loaded, agenda, title, groups=groups, participants=participants)
