"""Themes and priorities: the galleri joins wishes under one name, and the prioritering
marks the wishes the room goes on with. The order itself is facilitator.engine.ranking."""

from __future__ import annotations

from collections.abc import Sequence

from facilitator.engine.core import EngineCore
from facilitator.engine.errors import EngineError, typed
from facilitator.engine.events import PrioritiesChanged, ThemeChanged
from facilitator.engine.flipovers import MAX_HEADING
from facilitator.engine.ranking import RankItem
from storage.live import load_structure
from storage.repo import ThemeRow


def _theme_name(name: str) -> str:
    name = typed(name)
    if not name:
        raise EngineError("Temaet skal have et navn.")
    if len(name) > MAX_HEADING:
        raise EngineError(f"Navnet er for langt (højst {MAX_HEADING} tegn).")
    return name


class Themes(EngineCore):
    def themes(self) -> list[ThemeRow]:
        return list(self.model.view().themes)

    def ranking(self) -> list[RankItem]:
        """The open wishes by marks, a theme counting as one with its marks summed.
        Ties share a rank and are flagged, so the projector can say "delt 2. plads"."""
        return list(self.model.view().ranking)

    def prioritised(self) -> list[RankItem]:
        return list(self.model.view().prioritised)

    async def _rearrange(self, change, event: type, **data: object):  # noqa: ANN001, ANN202
        """Write ``change()``, read the arrangement back in the same transaction, and show
        it. Returns what ``change`` returned."""
        store, meeting_id = self.store, self.meeting_id

        def work():  # noqa: ANN202
            result = change()
            return result, load_structure(store, meeting_id)

        def apply(done) -> object:  # noqa: ANN001
            result, structure = done
            if result is False:
                raise EngineError("Det tema findes ikke.")
            self.model.rearrange(structure)
            fields = {k: (result if v is _RESULT else v) for k, v in data.items()}
            self._publish(event, **fields)
            return result

        return await self._commit(work, apply)

    async def set_priorities(self, keys: Sequence[str]) -> None:
        """The prioritised wishes, in order (keys from ranking(): "f12", "t3")."""
        async with self.control:
            await self._set_priorities(keys)

    async def _set_priorities(self, keys: Sequence[str]) -> None:
        known = {i.key for i in self.model.view().ranking}
        options = []
        for key in keys:
            if key not in known:
                raise EngineError("Det ønske findes ikke (længere).")
            options.append((key[0], int(key[1:])))
        store, meeting_id = self.store, self.meeting_id
        await self._rearrange(
            lambda: store.set_priorities(meeting_id, options), PrioritiesChanged, keys=tuple(keys)
        )

    async def toggle_priority(self, key: str) -> bool:
        """Mark or unmark one wish as prioritised; returns whether it now is."""
        async with self.control:
            current = [i.key for i in self.model.view().prioritised]
            if key in current:
                current.remove(key)
                await self._set_priorities(current)
                return False
            await self._set_priorities([*current, key])
            return True

    async def create_theme(self, name: str, flipover_ids: Sequence[int]) -> int:
        name = _theme_name(name)
        async with self.control:
            wishes = {f.id for f in self.model.view().flipovers if f.kind == "wish"}
            ids = list(dict.fromkeys(flipover_ids))
            if len(ids) < 2 or not set(ids) <= wishes:
                raise EngineError("Vælg mindst to ønsker til temaet.")
            store, meeting_id = self.store, self.meeting_id
            return await self._rearrange(
                lambda: store.create_theme(meeting_id, name, ids),
                ThemeChanged,
                id=_RESULT,
                action="create",
            )

    async def rename_theme(self, theme_id: int, name: str) -> None:
        name = _theme_name(name)
        async with self.control:
            store, meeting_id = self.store, self.meeting_id
            await self._rearrange(
                lambda: store.rename_theme(meeting_id, theme_id, name),
                ThemeChanged,
                id=theme_id,
                action="rename",
            )

    async def split_theme(self, theme_id: int) -> None:
        async with self.control:
            store, meeting_id = self.store, self.meeting_id
            await self._rearrange(
                lambda: store.split_theme(meeting_id, theme_id),
                ThemeChanged,
                id=theme_id,
                action="split",
            )


_RESULT = object()  # stands for the write's result in an event's fields
