"""What an export holds, read from storage as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facilitator.agenda import AgendaError, parse_agenda
from storage.repo import FlipoverRow, Store


class ExportError(Exception):
    """The export cannot be made; the message is for the user."""


@dataclass(frozen=True)
class Item:
    group: int
    heading: str
    proposals: tuple[str, ...]
    marks: int
    theme: str
    assessment: str
    phase: str


@dataclass(frozen=True)
class Bruttoliste:
    meeting_id: int
    title: str
    agenda_title: str
    created_at: datetime
    wishes: tuple[Item, ...]
    strengths: tuple[Item, ...]


def _item(flip: FlipoverRow, phase_titles: list[str], themes: dict[int, str]) -> Item:
    phase = phase_titles[flip.phase_index] if flip.phase_index < len(phase_titles) else ""
    theme = themes.get(flip.theme_id, "") if flip.theme_id else ""
    return Item(flip.group, flip.heading, flip.proposals, flip.marks, theme, "", phase)


def bruttoliste(store: Store, meeting_id: int) -> Bruttoliste:
    """Every open wish (by group, then entry order) and, apart, the interview strengths.

    Flip-overs moved to særskilt spor are never part of it.
    """
    meeting = store.get_meeting(meeting_id)
    if meeting is None:
        raise ExportError(f"mødet {meeting_id} findes ikke")
    try:
        agenda = parse_agenda(meeting.agenda_toml, meeting.agenda_name)
        titles = [p.title for p in agenda.phases]
        agenda_title = agenda.title
    except AgendaError:
        titles, agenda_title = [], meeting.agenda_name
    flips = store.flipovers(meeting_id)
    themes = {t.id: t.name for t in store.themes(meeting_id)}
    wishes = sorted((f for f in flips if f.kind == "wish"), key=lambda f: (f.group, f.id))
    strengths = sorted((f for f in flips if f.kind == "strength"), key=lambda f: (f.group, f.id))
    return Bruttoliste(
        meeting_id=meeting_id,
        title=meeting.title,
        agenda_title=agenda_title,
        created_at=meeting.created_at,
        wishes=tuple(_item(f, titles, themes) for f in wishes),
        strengths=tuple(_item(f, titles, themes) for f in strengths),
    )
