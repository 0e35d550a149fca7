"""What an export holds, read from storage as plain rows (selected with SQLAlchemy Core)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facilitator.agenda import AgendaError, parse_agenda
from storage.repo import ExportCard, Store


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


def _item(card: ExportCard, phase_titles: list[str]) -> Item:
    phase = phase_titles[card.phase_index] if card.phase_index < len(phase_titles) else ""
    return Item(card.group, card.heading, card.proposals, card.marks, card.theme, "", phase)


def bruttoliste(store: Store, meeting_id: int) -> Bruttoliste:
    """Every open wish (by group, then entry order) and, apart, the interview strengths.

    Flip-overs moved to særskilt spor are never part of it.
    """
    rows = store.export_rows(meeting_id)
    if rows is None:
        raise ExportError(f"mødet {meeting_id} findes ikke")
    try:
        agenda = parse_agenda(rows.agenda_toml, rows.agenda_name)
        titles = [p.title for p in agenda.phases]
        agenda_title = agenda.title
    except AgendaError:
        titles, agenda_title = [], rows.agenda_name
    # The cards come by group number, then entry order.
    return Bruttoliste(
        meeting_id=meeting_id,
        title=rows.title,
        agenda_title=agenda_title,
        created_at=rows.created_at,
        wishes=tuple(_item(c, titles) for c in rows.cards if c.kind == "wish"),
        strengths=tuple(_item(c, titles) for c in rows.cards if c.kind == "strength"),
    )
