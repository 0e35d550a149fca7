"""Marks: the phones' budget and per-card cap, the vote's visibility and closing, and
the marks counted by hand (paper dots).

A vote phase's phone marks close when its time is up, when the mødeleder reveals the
result, or when the room moves on to a later phase; the closed state is stored
(PhaseRun.vote_closed). Hand marks stay allowed. Only reopen_vote() opens it again.
"""

from __future__ import annotations

from facilitator.engine.core import EngineCore
from facilitator.engine.errors import EngineError, VoteRefused
from facilitator.engine.events import MarksChanged, VoteClosed, VoteOpened
from storage.repo import FlipoverRow

REOPEN_S = 120.0  # a vote reopened after its time was up gets two more minutes
MAX_HAND_MARKS = 999


class Marks(EngineCore):
    # ------------------------------------------------------------------ reading
    @property
    def voting(self) -> bool:
        """Phones may spend marks while the current phase is a vote phase not yet closed."""
        return self.phase.kind == "vote" and not self.vote_closed()

    def marks_visible(self, now: float | None = None) -> bool:
        """Totals are hidden during a vote with reveal = "end" until the vote has closed."""
        if self.phase.kind != "vote" or self.phase.reveal == "live":
            return True
        if any(c.started for c in self.clocks[self.index + 1 :]):
            return True  # the room has moved on: the vote is over, even if we look back
        return self.vote_closed(now=now)

    def vote_closed(self, index: int | None = None, *, now: float | None = None) -> bool:
        """Whether the vote phase ``index`` (default: the current phase) has closed."""
        index = self.index if index is None else index
        if not 0 <= index < self.phase_count or self.agenda.phases[index].kind != "vote":
            return False
        if index in self._closed_votes:
            return True
        # Time up closes it even before the phase-end timer has fired (or after a restart).
        return self.clocks[index].is_over(self.now() if now is None else now)

    def device_marks(self, device_id: str) -> tuple[dict[int, int], int]:
        """(flip-over id → this device's marks in the vote phase, marks it has left).

        A closed vote still shows the phone its own marks."""
        if self.phase.kind != "vote":
            return {}, 0
        mine = self.model.device_marks(device_id, self.index)
        return mine, max(0, self.phase.marks - sum(mine.values()))

    def hand_marks(self, flipover_id: int) -> int:
        """The card's hand-counted marks, over every phase."""
        return self.model.hand_marks(flipover_id)

    def vote_progress(self) -> tuple[int, int]:
        """(marks cast from phones in this vote phase, phones that voted)."""
        return self.model.vote_totals(self.index)

    def idempotent(self, key: str) -> tuple[str, str] | None:
        """(scope, result) of the write stored with this idempotency key, if any."""
        return self.model.keys.get(key)

    # ------------------------------------------------------------------ closing
    def _vote_closed_work(self, index: int, closed: bool):  # noqa: ANN202
        store, meeting_id = self.store, self.meeting_id
        return lambda: store.set_vote_closed(meeting_id, index, closed)

    def _settle_vote_work(self, now: float):  # noqa: ANN202
        """The write that stores the current vote as closed when its time is up (None
        when there is nothing to close)."""
        if self.phase.kind != "vote" or self.index in self._closed_votes:
            return None
        if not self.clock.is_over(now):
            return None
        return self._vote_closed_work(self.index, True)

    def _close_vote_on_leaving_work(self, index: int):  # noqa: ANN202
        """Going on to a later phase closes the vote being left, if it was held (started
        or marked in); stepping back (to the galleri, say) does not."""
        old = self.index
        if index <= old or self.phase.kind != "vote" or old in self._closed_votes:
            return None
        if self.clock.started or self.vote_progress()[0] > 0:
            return self._vote_closed_work(old, True)
        return None

    async def reveal_now(self) -> None:
        """The mødeleder ends the current vote now: phones' marks close and the totals show.
        The phase's clock goes on. Harmless on a vote already closed."""
        async with self.control:
            if self.phase.kind != "vote":
                raise EngineError("Der er ingen afstemning i denne fase.")
            index = self.index
            if index in self._closed_votes:
                return

            def apply(_: object) -> None:
                self._closed_votes.add(index)
                self._publish(VoteClosed, index=index, action="reveal")

            await self._commit(self._vote_closed_work(index, True), apply)

    async def reopen_vote(self) -> None:
        """Open a closed vote again (a deliberate act: the TUI asks first). When its time
        is up, it gets REOPEN_S more, so it is actually open."""
        async with self.control:
            if self.phase.kind != "vote":
                raise EngineError("Der er ingen afstemning i denne fase.")
            now = self.now()
            if not self.vote_closed(now=now):
                raise EngineError("Afstemningen er ikke slut – den er åben.")
            index = self.index
            reopen = self._vote_closed_work(index, False)

            def opened() -> None:
                self._closed_votes.discard(index)

            if self.clock.is_over(now):
                await self._set_clock(
                    lambda now: self.clock.extend(REOPEN_S, now),
                    VoteOpened,
                    before=reopen,
                    after=opened,
                    index=index,
                    extended=True,
                )
                return

            def apply(_: object) -> None:
                opened()
                self._publish(VoteOpened, index=index)

            await self._commit(reopen, apply)

    # ------------------------------------------------------------------ phones
    def _votable(self, flipover_id: int) -> FlipoverRow:
        flip = self.model.flipover(flipover_id)
        if flip is None or flip.confidential:
            raise VoteRefused("Den flip-over findes ikke (længere).", 404)
        if flip.kind != "wish":
            raise VoteRefused("Der stemmes kun på ønsker.", 409)
        return flip

    def _refuse_unless_voting(self) -> None:
        if self.phase.kind != "vote":
            raise VoteRefused("Der stemmes ikke lige nu.", 409)
        if self.vote_closed():
            raise VoteRefused("Afstemningen er slut.", 409)

    def _refuse_over_budget(self, mine: dict[int, int], flipover_id: int) -> None:
        budget, cap = self.phase.marks, self.phase.cap_per_card
        if budget is not None and sum(mine.values()) >= budget:
            raise VoteRefused(f"Du har brugt alle dine {budget} markeringer.", 409)
        if cap is not None and mine.get(flipover_id, 0) >= cap:
            raise VoteRefused(f"Højst {cap} markeringer på samme ønske.", 409)

    async def vote(
        self, device_id: str, flipover_id: int, *, key: str | None = None
    ) -> tuple[dict[int, int], int]:
        """One mark from a phone. The budget and the per-card cap are enforced here (and
        again in the write's transaction, for marks from one phone in flight at once)."""
        if not device_id:
            raise VoteRefused("Telefonen mangler sin anonyme nøgle – genindlæs siden.", 400)
        self._refuse_unless_voting()
        self._votable(flipover_id)
        index, phase = self.index, self.phase
        self._refuse_over_budget(self.model.device_marks(device_id, index), flipover_id)
        store, meeting_id = self.store, self.meeting_id

        def work() -> str | None:
            return store.add_vote(
                meeting_id,
                flipover_id,
                device_id,
                index,
                budget=phase.marks,
                cap=phase.cap_per_card,
                idem=(key, "vote") if key else None,
            )

        def apply(refused: str | None) -> tuple[dict[int, int], int]:
            if refused is not None:  # another mark from this phone got there first
                self._refuse_over_budget(self.model.device_marks(device_id, index), flipover_id)
                raise VoteRefused("Markeringen kunne ikke gives.", 409)
            self.model.add_mark(flipover_id, device_id, index)
            self.model.remember(key, "vote", str(flipover_id))
            self._publish(MarksChanged, id=flipover_id)
            return self.device_marks(device_id)

        return await self._commit(work, apply, urgent=False)

    async def unvote(
        self, device_id: str, flipover_id: int, *, key: str | None = None
    ) -> tuple[dict[int, int], int]:
        self._refuse_unless_voting()
        index = self.index
        if not self.model.device_marks(device_id, index).get(flipover_id):
            raise VoteRefused("Du har ingen markering på det ønske.", 409)
        store, meeting_id = self.store, self.meeting_id
        idem = (key, "unvote") if key else None

        def work() -> bool:
            return store.remove_vote(meeting_id, flipover_id, device_id, index, idem)

        def apply(removed: bool) -> tuple[dict[int, int], int]:
            if not removed:
                raise VoteRefused("Du har ingen markering på det ønske.", 409)
            self.model.remove_mark(flipover_id, device_id, index)
            self.model.remember(key, "unvote", str(flipover_id))
            self._publish(MarksChanged, id=flipover_id)
            return self.device_marks(device_id)

        return await self._commit(work, apply, urgent=False)

    # ------------------------------------------------------------------ hands
    async def hand_mark(self, flipover_id: int, delta: int = 1) -> FlipoverRow:
        """Marks counted by hand (paper dots): +1 or -1 on a card, in any phase."""
        async with self.control:
            self._votable(flipover_id)
            if delta <= 0 and self.model.hand_marks(flipover_id) <= 0:
                raise EngineError("Der er ingen håndtalte markeringer at fjerne på den.")
            return await self._change_hand_marks(flipover_id, 1 if delta > 0 else -1)

    async def set_hand_marks(self, flipover_id: int, count: int) -> FlipoverRow:
        """A paper tally typed as a number: the card's hand-counted marks become ``count``
        (the difference is added or taken back), told as one event."""
        async with self.control:
            self._votable(flipover_id)
            if not isinstance(count, int) or not 0 <= count <= MAX_HAND_MARKS:
                raise EngineError(f"Antallet skal være et tal fra 0 til {MAX_HAND_MARKS}.")
            delta = count - self.model.hand_marks(flipover_id)
            if not delta:
                return self.model.flipover(flipover_id)
            return await self._change_hand_marks(flipover_id, delta)

    async def _change_hand_marks(self, flipover_id: int, delta: int) -> FlipoverRow:
        store, meeting_id, index = self.store, self.meeting_id, self.index

        def work() -> int:
            for _ in range(delta):
                store.add_vote(meeting_id, flipover_id, "", index)
            removed = 0
            for _ in range(-delta):
                if not store.remove_vote(meeting_id, flipover_id, ""):
                    break
                removed += 1
            return delta if delta > 0 else -removed

        def apply(done: int) -> FlipoverRow:
            for _ in range(abs(done)):
                if done > 0:
                    self.model.add_mark(flipover_id, "", index)
                else:
                    self.model.remove_mark(flipover_id, "", index)
            if done:
                self._publish(MarksChanged, id=flipover_id, hand=done)
            return self.model.flipover(flipover_id)

        return await self._commit(work, apply)
