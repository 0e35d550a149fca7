"""Themes over flip-overs, the prioritised wishes, and "brænder for" choices."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from storage.base import StoreBase, remember
from storage.models import Choice, Flipover, Theme
from storage.rows import Idem, ThemeRow


class ThemeStore(StoreBase):
    def themes(self, meeting_id: int) -> list[ThemeRow]:
        with self._session() as session:
            rows = session.exec(
                select(Theme).where(Theme.meeting_id == meeting_id).order_by(Theme.id)
            )
            return [ThemeRow(t.id, t.name, t.priority) for t in rows]

    def create_theme(self, meeting_id: int, name: str, flipover_ids: Sequence[int]) -> int:
        """A theme over the flip-overs; a flip-over already in another theme moves over."""

        def work(session: Session) -> int:
            theme = Theme(meeting_id=meeting_id, name=name)
            session.add(theme)
            session.flush()
            for fid in flipover_ids:
                flip = session.get(Flipover, fid)
                if flip is not None and flip.meeting_id == meeting_id:
                    flip.theme_id = theme.id
                    flip.priority = None
                    session.add(flip)
            session.flush()
            _drop_empty_themes(session, meeting_id)
            return theme.id

        return self._write(work)

    def rename_theme(self, meeting_id: int, theme_id: int, name: str) -> bool:
        def work(session: Session) -> bool:
            theme = session.get(Theme, theme_id)
            if theme is None or theme.meeting_id != meeting_id:
                return False
            theme.name = name
            session.add(theme)
            return True

        return self._write(work)

    def split_theme(self, meeting_id: int, theme_id: int) -> bool:
        """Undo a theme: its flip-overs stand alone again (choices of the theme go)."""

        def work(session: Session) -> bool:
            theme = session.get(Theme, theme_id)
            if theme is None or theme.meeting_id != meeting_id:
                return False
            for flip in session.exec(select(Flipover).where(Flipover.theme_id == theme_id)):
                flip.theme_id = None
                session.add(flip)
            for choice in session.exec(select(Choice).where(Choice.theme_id == theme_id)):
                session.delete(choice)
            session.flush()
            session.delete(theme)
            return True

        return self._write(work)

    def set_priorities(self, meeting_id: int, options: Sequence[tuple[str, int]]) -> None:
        """The prioritised wishes, in order: ("f", flipover id) or ("t", theme id)."""

        def work(session: Session) -> None:
            for flip in session.exec(select(Flipover).where(Flipover.meeting_id == meeting_id)):
                flip.priority = None
                session.add(flip)
            for theme in session.exec(select(Theme).where(Theme.meeting_id == meeting_id)):
                theme.priority = None
                session.add(theme)
            for rank, (kind, oid) in enumerate(options, 1):
                row = session.get(Flipover if kind == "f" else Theme, oid)
                if row is not None and row.meeting_id == meeting_id:
                    row.priority = rank
                    session.add(row)

        self._write(work)

    # ------------------------------------------------------------ "brænder for"
    def set_choice(
        self,
        meeting_id: int,
        phase_index: int,
        device_id: str,
        option: tuple[str, int] | None,
        idem: Idem = None,
    ) -> None:
        """A device's one choice in the phase (replacing its earlier one; None clears)."""

        def work(session: Session) -> None:
            for old in session.exec(
                select(Choice).where(
                    Choice.meeting_id == meeting_id,
                    Choice.phase_index == phase_index,
                    Choice.device_id == device_id,
                )
            ):
                session.delete(old)
            if option is not None:
                session.add(_choice(meeting_id, phase_index, device_id, option))
            remember(session, meeting_id, idem, f"{option[0]}{option[1]}" if option else "")

        self._write(work)

    def add_hand_choice(self, meeting_id: int, phase_index: int, option: tuple[str, int]) -> None:
        self._write(lambda s: s.add(_choice(meeting_id, phase_index, "", option)))

    def remove_hand_choice(
        self, meeting_id: int, phase_index: int, option: tuple[str, int]
    ) -> bool:
        def work(session: Session) -> bool:
            column = Choice.flipover_id if option[0] == "f" else Choice.theme_id
            row = session.exec(
                select(Choice)
                .where(
                    Choice.meeting_id == meeting_id,
                    Choice.phase_index == phase_index,
                    Choice.device_id == "",
                    column == option[1],
                )
                .order_by(Choice.id.desc())
            ).first()
            if row is None:
                return False
            session.delete(row)
            return True

        return self._write(work)

    def choices(self, meeting_id: int, phase_index: int) -> list[tuple[str, tuple[str, int]]]:
        """(device id, option) for every choice in the phase."""
        with self._session() as session:
            rows = session.exec(
                select(Choice).where(
                    Choice.meeting_id == meeting_id, Choice.phase_index == phase_index
                )
            )
            return [
                (c.device_id, ("f", c.flipover_id) if c.flipover_id else ("t", c.theme_id))
                for c in rows
            ]


def _choice(meeting_id: int, phase_index: int, device_id: str, option: tuple[str, int]) -> Choice:
    kind, oid = option
    return Choice(
        meeting_id=meeting_id,
        phase_index=phase_index,
        device_id=device_id,
        flipover_id=oid if kind == "f" else None,
        theme_id=oid if kind == "t" else None,
    )


def _drop_empty_themes(session: Session, meeting_id: int) -> None:
    used = set(
        session.exec(
            select(Flipover.theme_id).where(
                Flipover.meeting_id == meeting_id, Flipover.theme_id.is_not(None)
            )
        )
    )
    for theme in session.exec(select(Theme).where(Theme.meeting_id == meeting_id)):
        if theme.id not in used:
            for choice in session.exec(select(Choice).where(Choice.theme_id == theme.id)):
                session.delete(choice)
            session.delete(theme)
