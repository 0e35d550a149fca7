"""Flip-overs: the groups' wishes and strengths, as the assistants type them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from facilitator.agenda import Phase
from facilitator.course.model import LEVELS, ProposalLine
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


# A proposal as given: its text, or (text, level), or a facilitator.course.model.ProposalLine.
Line = str | tuple[str, str] | ProposalLine


def _line(line: object) -> tuple[object, str]:
    """(text, level) of a proposal as given; an unknown level is refused."""
    if isinstance(line, ProposalLine):
        text, level = line.text, line.level
    elif isinstance(line, tuple) and len(line) == 2:
        text, level = line
    else:
        text, level = line, ""
    if level is None:
        level = ""
    if level != "" and (not isinstance(level, str) or level not in LEVELS):
        raise EngineError("Ukendt niveau – brug personalegruppe, leder eller samarbejdspartnere.")
    return text, level


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

    # ------------------------------------------------------------------ the wish worked on
    def wish_mode(self, index: int | None = None) -> str | None:
        """What a flip-over of phase ``index`` (default: the current) says about a wish:
        "pick" in "vælg ét ønske" (a flip-over phase before a "brænder for" phase, in an
        agenda that opens with the bruttoliste: a wish from the list may be its heading),
        "action" in "gruppearbejde om handling" (a flip-over phase after a "brænder for"
        phase: the group works on its chosen wish), else None."""
        index = self.index if index is None else index
        phases = self.agenda.phases
        if phases[index].kind != "flipover" or phases[index].flipover_kind != "wish":
            return None
        if any(p.kind == "choose" for p in phases[:index]):
            return "action"
        if any(p.kind == "choose" for p in phases[index + 1 :]) and any(
            p.kind == "bruttoliste" for p in phases
        ):
            return "pick"
        return None

    def chosen_wishes(self) -> list[tuple[int, str]]:
        """(wish id, title) of the room's groups after "brænder for", group 1 first: the
        options at least one person chose (all options when nobody has chosen yet), as
        ``group_labels`` names the groups. A theme's wish is its first member."""
        counts = self.choice_counts()
        items = [item for item, count in counts if count > 0] or [item for item, _ in counts]
        return [(min(f.id for f in item.flipovers), item.title) for item in items if item.flipovers]

    def _chosen_wish_titles(self) -> dict[int, str]:
        """Every flip-over of the options "brænder for" offers → the option's title."""
        titles: dict[int, str] = {}
        for item in self.choice_options():
            for flip in item.flipovers:
                titles[flip.id] = item.title
        return titles

    def _wish_for(
        self, wish_id: object, group: int, index: int, current: int | None = None
    ) -> tuple[int | None, str]:
        """The wish a flip-over of phase ``index`` works on, and its heading: the one
        given (a bruttoliste wish or a chosen wish, else refused), or in "gruppearbejde om
        handling" the chosen wish of its group."""
        if wish_id is None:
            if current is not None:
                return current, ""
            if self.wish_mode(index) == "action":
                chosen = self.chosen_wishes()
                if isinstance(group, int) and 1 <= group <= len(chosen):
                    return chosen[group - 1]
            return None, ""
        if isinstance(wish_id, bool) or not isinstance(wish_id, int):
            raise EngineError("Ønsket skal angives med sit nummer (id).")
        wish = self.bruttoliste_wish(wish_id)
        if wish is not None:
            return wish_id, wish.heading
        chosen = self._chosen_wish_titles()
        if wish_id in chosen:
            return wish_id, chosen[wish_id]
        if wish_id == current:
            return wish_id, ""
        raise EngineError("Det ønske findes hverken på bruttolisten eller blandt de valgte ønsker.")

    # ------------------------------------------------------------------ commands
    def _clean_flipover(
        self, group: int, heading: str, proposals: Sequence[Line], kind: str | None
    ) -> tuple[str, list[str], str, list[str]]:
        heading = typed(heading)
        if not heading:
            raise EngineError("Overskriften mangler – skriv den, før du gemmer.")
        if len(heading) > MAX_HEADING:
            raise EngineError(f"Overskriften er for lang (højst {MAX_HEADING} tegn).")
        if not isinstance(group, int) or not 1 <= group <= MAX_GROUP:
            raise EngineError(f"Gruppen skal være et nummer fra 1 til {MAX_GROUP}.")
        pairs = [(typed(text), level) for text, level in map(_line, proposals)]
        pairs = [(text, level) for text, level in pairs if text]
        lines = [text for text, _level in pairs]
        levels = [level for _text, level in pairs]
        limit = max(self.phase.max_proposals, 1) if self.phase.kind == "flipover" else MAX_PROPOSALS
        if len(lines) > limit:
            raise EngineError(f"Højst {limit} forslag under en overskrift i denne fase.")
        if any(len(p) > MAX_PROPOSAL for p in lines):
            raise EngineError(f"Et forslag er for langt (højst {MAX_PROPOSAL} tegn).")
        kind = kind or default_flipover_kind(self.phase)
        if kind not in ("wish", "strength"):
            raise EngineError("Ukendt slags flip-over.")
        return heading, lines, kind, levels if any(levels) else []

    async def add_flipover(
        self,
        group: int,
        heading: str,
        proposals: Sequence[Line] = (),
        *,
        kind: str | None = None,
        key: str | None = None,
        wish_id: int | None = None,
    ) -> FlipoverRow:
        """Record a group's flip-over; it is committed before this returns.

        ``proposals``: texts, or (text, level) pairs / ProposalLine (level "" or a key of
        facilitator.course.model.LEVELS). ``wish_id``: the wish it works on, a wish of the
        previous meeting's bruttoliste or a chosen wish (else refused); an empty heading
        then takes the wish's. In "gruppearbejde om handling" it defaults to the group's
        chosen wish. ``key``: the submission's idempotency key, stored in the same
        transaction."""
        index = self.index
        wish_id, wish_heading = self._wish_for(wish_id, group, index)
        if wish_heading and not typed(heading):
            heading = wish_heading
        heading, lines, kind, levels = self._clean_flipover(group, heading, proposals, kind)
        grouping = "interview" if kind == "strength" else self.current_grouping()
        store, meeting_id = self.store, self.meeting_id

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
                levels=levels,
                wish_id=wish_id,
            )

        def apply(flip_id: int) -> FlipoverRow:
            base = FlipBase(
                flip_id, index, group, grouping, kind, heading, tuple(lines),
                False, None, None, False, wish_id, tuple(levels),
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
        proposals: Sequence[Line] = (),
        *,
        kind: str | None = None,
        key: str | None = None,
        wish_id: int | None = None,
    ) -> FlipoverRow:
        """Correct a flip-over (as ``add_flipover``); ``wish_id`` None keeps its wish
        (or, having none, in "gruppearbejde om handling" takes its group's)."""
        async with self.control:
            current = self._find_flipover(flipover_id)
            wish_id, wish_heading = self._wish_for(
                wish_id, group, current.phase_index, current.wish_id
            )
            if wish_heading and not typed(heading):
                heading = wish_heading
            heading, lines, kind, levels = self._clean_flipover(
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
                    levels=levels,
                    wish_id=wish_id,
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
                    levels=tuple(levels),
                    wish_id=wish_id,
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
