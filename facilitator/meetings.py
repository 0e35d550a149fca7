"""The start screen's data: the forløb with their meetings, the agendas, a new meeting.

Everything here does database work: the app calls it in a thread, never on the loop that
draws."""

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
                "forloeb": meeting.forloeb_id,
            }
        )
    return rows


def forloeb_groups(store: Store, course: Any) -> list[dict[str, Any]]:
    """Each forløb (newest first) with its meetings in order (oldest first), as the start
    screen lists them: ``{"forloeb": ForloebInfo | None, "meetings": [meeting_rows…]}``.
    Meetings of a forløb the course does not list come last, under ``None``."""
    by_forloeb: dict[Any, list[dict[str, Any]]] = {}
    for row in meeting_rows(store):
        by_forloeb.setdefault(row["forloeb"], []).append(row)
    groups: list[dict[str, Any]] = []
    for info in course.list_forloeb():
        rows = by_forloeb.pop(info.id, [])
        order = {m.id: i for i, m in enumerate(info.meetings)}
        rows.sort(key=lambda r: (order.get(r["id"], len(order)), r["id"]))
        groups.append({"forloeb": info, "meetings": rows})
    rest = [row for rows in by_forloeb.values() for row in rows]
    if rest:
        groups.append({"forloeb": None, "meetings": sorted(rest, key=lambda r: r["id"])})
    return groups


def agenda_choices() -> list[tuple[str, str]]:
    """(name, title) of every agenda that can be read."""
    return [(name, agenda.title) for name, _origin, agenda in list_agendas() if agenda]


def new_meeting(
    store: Store,
    agenda: str,
    title: str,
    groups: int,
    participants: int,
    forloeb_id: int | None = None,
) -> int:
    """A new meeting from the start screen's form, in the forløb given (None: a forløb of
    its own); refusals as EngineError."""
    try:
        loaded = load_agenda(agenda)
    except AgendaError as exc:
        raise EngineError(exc.problems[0]) from None
    return create_meeting(
        store,
        loaded,
        agenda,
        title,
        groups=groups,
        participants=participants,
        forloeb_id=forloeb_id,
    )
