"""Flip-overs: the groups' wishes and strengths, as the assistants type them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from facilitator.agenda import Phase
from facilitator.engine.core import EngineCore
from facilitator.engine.errors import EngineError, typed
from facilitator.engine.events import FlipoverAdded, FlipoverDeleted, FlipoverEdited
from storage.live import FlipBase, load_structure
from storage.repo import FlipoverRow

MAX_HEADING = 200
MAX_PROPOSAL = 500
MAX_PROPOSALS = 10
MAX_GROUP = 200


def grouping_for(phase: Phase) -> str:
    """The interview is done in threes; everything after in groups of four (or per wish)."""
    return "interview" if phase.kind == "interview" else "fours"


def default_flipover_kind(phase: Phase) -> str:
    if phase.kind == "interview":
        return "strength"
    if phase.kind == "flipover":
        return phase.flipover_kind
    return "wish"


class Flipovers(EngineCore):
    # ------------------------------------------------------------------ reading
    def current_grouping(self) -> str:
        """The grouping the room is in now: threes for the interview, one group per
        chosen wish after a "brænder for" phase, else groups of four."""
        if self.phase.kind == "interview":
            return "interview"
        if any(p.kind == "choose" for p in self.agenda.phases[: self.index]):
            return "wishes"
        return "fours"

    def group_count(self, grouping: str | None = None) -> int:
        """How many groups the room has in a grouping (at least 1)."""
        grouping = grouping or self.current_grouping()
        groups, people = self._meeting.groups, self._meeting.participants
        if grouping == "wishes":
            return max(1, len(self.group_labels(grouping) or ()))
        if grouping == "interview":
            if people:
                return max(1, math.ceil(people / 3))
            return max(1, groups)
        if groups:
            return groups
        return max(1, math.ceil(people / 4)) if people else 1

    def flipovers(self, include_confidential: bool = False) -> list[FlipoverRow]:
        """The flip-overs by grouping, group and entry (særskilt spor only on request)."""
        view = self.model.view()
        return list(view.all_flipovers if include_confidential else view.flipovers)

    def flipover_counts(self, grouping: str | None = None) -> dict[int, int]:
        """Group number → flip-overs that group has in the grouping (default: the phase's)."""
        grouping = grouping or self.current_grouping()
        counts = {n: 0 for n in range(1, self.group_count(grouping) + 1)}
        for flip in self.model.view().flipovers:
            if flip.grouping == grouping:
                counts[flip.group] = counts.get(flip.group, 0) + 1
        return counts

    def _find_flipover(self, flipover_id: int) -> FlipoverRow:
        flip = self.model.flipover(flipover_id)
        if flip is None:
            raise EngineError(f"flip-over {flipover_id} findes ikke")
        return flip

    # ------------------------------------------------------------------ commands
    def _clean_flipover(
        self, group: int, heading: str, proposals: Sequence[str], kind: str | None
    ) -> tuple[str, list[str], str]:
        heading = typed(heading)
        if not heading:
            raise EngineError("Overskriften mangler – skriv den, før du gemmer.")
        if len(heading) > MAX_HEADING:
            raise EngineError(f"Overskriften er for lang (højst {MAX_HEADING} tegn).")
        if not isinstance(group, int) or not 1 <= group <= MAX_GROUP:
            raise EngineError(f"Gruppen skal være et nummer fra 1 til {MAX_GROUP}.")
        lines = [typed(p) for p in proposals]
        lines = [p for p in lines if p]
        limit = max(self.phase.max_proposals, 1) if self.phase.kind == "flipover" else MAX_PROPOSALS
        if len(lines) > limit:
            raise EngineError(f"Højst {limit} forslag under en overskrift i denne fase.")
        if any(len(p) > MAX_PROPOSAL for p in lines):
            raise EngineError(f"Et forslag er for langt (højst {MAX_PROPOSAL} tegn).")
        kind = kind or default_flipover_kind(self.phase)
        if kind not in ("wish", "strength"):
            raise EngineError("Ukendt slags flip-over.")
        return heading, lines, kind

    async def add_flipover(
        self,
        group: int,
        heading: str,
        proposals: Sequence[str] = (),
        *,
        kind: str | None = None,
        key: str | None = None,
    ) -> FlipoverRow:
        """Record a group's flip-over; it is committed before this returns.

        ``key``: the submission's idempotency key, stored in the same transaction."""
        heading, lines, kind = self._clean_flipover(group, heading, proposals, kind)
        grouping = "interview" if kind == "strength" else self.current_grouping()
        store, meeting_id, index = self.store, self.meeting_id, self.index

        def work() -> int:
            return store.add_flipover(
                meeting_id,
                phase_index=index,
                grouping=grouping,
                group=group,
                kind=kind,
                heading=heading,
                proposals=lines,
                idem=(key, "flipover_add") if key else None,
            )

        def apply(flip_id: int) -> FlipoverRow:
            base = FlipBase(
                flip_id, index, group, grouping, kind, heading, tuple(lines),
                False, None, None, False,
            )  # fmt: skip
            self.model.add_flipover(base)
            self.model.remember(key, "flipover_add", str(flip_id))
            self._publish(FlipoverAdded, id=flip_id, group=group)
            return self.model.flipover(flip_id)

        return await self._commit(work, apply)

    async def edit_flipover(
        self,
        flipover_id: int,
        group: int,
        heading: str,
        proposals: Sequence[str] = (),
        *,
        kind: str | None = None,
        key: str | None = None,
    ) -> FlipoverRow:
        async with self.control:
            current = self._find_flipover(flipover_id)
            heading, lines, kind = self._clean_flipover(
                group, heading, proposals, kind or current.kind
            )
            grouping = "interview" if kind == "strength" else current.grouping
            if grouping == "interview" and kind == "wish":
                grouping = "fours"
            store, meeting_id = self.store, self.meeting_id

            def work() -> bool:
                return store.edit_flipover(
                    meeting_id,
                    flipover_id,
                    grouping=grouping,
                    group=group,
                    kind=kind,
                    heading=heading,
                    proposals=lines,
                    idem=(key, "flipover_edit") if key else None,
                )

            def apply(found: bool) -> FlipoverRow:
                if not found:
                    raise EngineError(f"flip-over {flipover_id} findes ikke")
                self.model.edit_flipover(
                    flipover_id,
                    grouping=grouping,
                    group=group,
                    kind=kind,
                    heading=heading,
                    proposals=tuple(lines),
                )
                self.model.remember(key, "flipover_edit", str(flipover_id))
                self._publish(FlipoverEdited, id=flipover_id, group=group)
                return self.model.flipover(flipover_id)

            return await self._commit(work, apply)

    async def delete_flipover(self, flipover_id: int) -> None:
        async with self.control:
            self._find_flipover(flipover_id)
            store, meeting_id = self.store, self.meeting_id

            def work():  # noqa: ANN202
                store.delete_flipover(meeting_id, flipover_id)
                return load_structure(store, meeting_id)

            def apply(structure) -> None:  # noqa: ANN001
                self.model.delete_flipover(flipover_id, structure)
                self._publish(FlipoverDeleted, id=flipover_id)

            await self._commit(work, apply)
