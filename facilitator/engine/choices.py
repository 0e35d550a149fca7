""" "Brænder for": each phone picks the one wish it burns for; the room regroups by them."""

from __future__ import annotations

from facilitator.engine.core import EngineCore
from facilitator.engine.errors import EngineError, VoteRefused
from facilitator.engine.events import ChoiceChanged
from facilitator.engine.ranking import RankItem


class Choices(EngineCore):
    def choice_options(self, choose_at: int | None = None) -> list[RankItem]:
        """What the room chooses between: the prioritised wishes; if none were marked,
        the wishes written in the last flip-over phase before here (2. dialogmøde: each
        group's one chosen wish). ``choose_at``: that choose phase (default: the one that
        counts now)."""
        view = self.model.view()
        if view.prioritised:
            return list(view.prioritised)
        if choose_at is None:
            choose_at = self._choose_phase()  # the options are those the choose phase had
        flip_phases = [
            i for i, p in enumerate(self.agenda.phases[:choose_at]) if p.kind == "flipover"
        ]
        if not flip_phases:
            return []
        last = flip_phases[-1]
        return [i for i in view.ranking if any(f.phase_index == last for f in i.flipovers)]

    def _choose_phase(self) -> int:
        """The choose phase that counts: the current one, else the latest before it."""
        for index in range(self.index, -1, -1):
            if self.agenda.phases[index].kind == "choose":
                return index
        return self.index

    def choice_counts(self, choose_at: int | None = None) -> list[tuple[RankItem, int]]:
        """Each option with how many chose it: the new groups and their sizes."""
        if choose_at is None:
            choose_at = self._choose_phase()
        counts: dict[str, int] = {}
        for _device, (kind, oid) in self.model.choices(choose_at):
            counts[f"{kind}{oid}"] = counts.get(f"{kind}{oid}", 0) + 1
        return [(o, counts.get(o.key, 0)) for o in self.choice_options(choose_at)]

    def device_choice(self, device_id: str) -> str | None:
        option = self.model.device_choice(device_id, self._choose_phase())
        return None if option is None else f"{option[0]}{option[1]}"

    async def choose(self, device_id: str, key: str | None, *, idem_key: str | None = None) -> None:
        """A phone's one "brænder for" pick (a new pick replaces the old; None clears)."""
        if not device_id:
            raise VoteRefused("Telefonen mangler sin anonyme nøgle – genindlæs siden.", 400)
        if self.phase.kind != "choose":
            raise VoteRefused("Der vælges ikke lige nu.", 409)
        option = None
        if key is not None:
            if key not in {o.key for o in self.choice_options()}:
                raise VoteRefused("Det ønske kan ikke vælges.", 404)
            option = (key[0], int(key[1:]))
        idem = (idem_key, "choice") if idem_key else None
        store, meeting_id, index = self.store, self.meeting_id, self.index

        def apply(_: None) -> None:
            self.model.set_choice(index, device_id, option)
            self.model.remember(idem_key, "choice", key or "")
            self._publish(ChoiceChanged, key=key)

        await self._commit(
            lambda: store.set_choice(meeting_id, index, device_id, option, idem),
            apply,
            urgent=False,
        )

    async def hand_choice(self, key: str, delta: int = 1) -> None:
        """Choices entered by hand by the mødeleder (hands in the air)."""
        async with self.control:
            if key not in {o.key for o in self.choice_options()}:
                raise EngineError("Det ønske kan ikke vælges.")
            option = (key[0], int(key[1:]))
            phase = self._choose_phase()
            store, meeting_id = self.store, self.meeting_id
            if delta > 0:

                def work() -> bool:
                    store.add_hand_choice(meeting_id, phase, option)
                    return True

            else:
                if not self.model.has_hand_choice(phase, option):
                    raise EngineError("Der er ingen håndtalte valg at fjerne.")

                def work() -> bool:
                    return store.remove_hand_choice(meeting_id, phase, option)

            def apply(done: bool) -> None:
                if not done:
                    raise EngineError("Der er ingen håndtalte valg at fjerne.")
                if delta > 0:
                    self.model.add_hand_choice(phase, option)
                else:
                    self.model.remove_hand_choice(phase, option)
                self._publish(ChoiceChanged, key=key, hand=delta)

            await self._commit(work, apply)
