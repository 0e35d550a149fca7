"""Marks on flip-overs: from phones (a budget per device and phase, a cap per card) and
counted by hand (device "")."""

from __future__ import annotations

from sqlalchemy import func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from storage.base import StoreBase, remember
from storage.models import Vote, utcnow
from storage.rows import Idem

VOTE = Vote.__table__.c


class VoteStore(StoreBase):
    def add_vote(
        self,
        meeting_id: int,
        flipover_id: int,
        device_id: str,
        phase_index: int,
        *,
        budget: int | None = None,
        cap: int | None = None,
        idem: Idem = None,
    ) -> str | None:
        """One mark, if the device's budget and the per-card cap allow it.

        Returns None when the mark was saved, else "spent" or "cap". The check and the
        insert are one transaction. Hand-counted marks (device "") have no budget.
        """

        def work(session: Session) -> str | None:
            # SQLAlchemy Core, not ORM objects: a room's marks are the hot write.
            run = session.connection().execute
            if device_id and (budget is not None or cap is not None):
                mine = list(
                    run(
                        sa_select(VOTE.flipover_id).where(
                            VOTE.meeting_id == meeting_id,
                            VOTE.device_id == device_id,
                            VOTE.phase_index == phase_index,
                        )
                    ).scalars()
                )
                if budget is not None and len(mine) >= budget:
                    return "spent"
                if cap is not None and mine.count(flipover_id) >= cap:
                    return "cap"
            run(
                insert(Vote.__table__).values(
                    meeting_id=meeting_id,
                    flipover_id=flipover_id,
                    device_id=device_id,
                    phase_index=phase_index,
                    created_at=utcnow(),
                )
            )
            remember(session, meeting_id, idem, str(flipover_id))
            return None

        return self._write(work, savepoint=False)

    def remove_vote(
        self,
        meeting_id: int,
        flipover_id: int,
        device_id: str,
        phase_index: int | None = None,
        idem: Idem = None,
    ) -> bool:
        """Take back the newest of the device's marks on the card (hand marks: device "")."""

        def work(session: Session) -> bool:
            query = select(Vote).where(
                Vote.meeting_id == meeting_id,
                Vote.flipover_id == flipover_id,
                Vote.device_id == device_id,
            )
            if phase_index is not None:
                query = query.where(Vote.phase_index == phase_index)
            vote = session.exec(query.order_by(Vote.id.desc())).first()
            if vote is None:
                return False
            session.delete(vote)
            remember(session, meeting_id, idem, str(flipover_id))
            return True

        return self._write(work)

    def device_votes(self, meeting_id: int, device_id: str, phase_index: int) -> dict[int, int]:
        """Flip-over id → marks this device put on it in the phase."""
        with self._session() as session:
            rows = session.exec(
                select(Vote.flipover_id, func.count(Vote.id))
                .where(
                    Vote.meeting_id == meeting_id,
                    Vote.device_id == device_id,
                    Vote.phase_index == phase_index,
                )
                .group_by(Vote.flipover_id)
            )
            return {fid: count for fid, count in rows}

    def vote_totals(self, meeting_id: int, phase_index: int) -> tuple[int, int]:
        """(marks cast from phones in the phase, devices that cast them)."""
        with self._session() as session:
            marks = session.exec(
                select(func.count(Vote.id)).where(
                    Vote.meeting_id == meeting_id,
                    Vote.phase_index == phase_index,
                    Vote.device_id != "",
                )
            ).one()
            devices = session.exec(
                select(func.count(func.distinct(Vote.device_id))).where(
                    Vote.meeting_id == meeting_id,
                    Vote.phase_index == phase_index,
                    Vote.device_id != "",
                )
            ).one()
        return int(marks), int(devices)
