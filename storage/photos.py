"""Photos of the paper flip-overs, taken by the assistant's phone."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.base import StoreBase
from storage.models import Flipover, Photo


class PhotoStore(StoreBase):
    def set_photo(self, meeting_id: int, flipover_id: int, content_type: str, data: bytes) -> bool:
        def work(session: Session) -> bool:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return False
            for old in session.exec(select(Photo).where(Photo.flipover_id == flipover_id)):
                session.delete(old)
            session.add(Photo(flipover_id=flipover_id, content_type=content_type, data=data))
            return True

        return self._write(work)

    def photo(self, meeting_id: int, flipover_id: int) -> tuple[str, bytes] | None:
        with self._session() as session:
            flip = session.get(Flipover, flipover_id)
            if flip is None or flip.meeting_id != meeting_id:
                return None
            row = session.exec(select(Photo).where(Photo.flipover_id == flipover_id)).first()
            return None if row is None else (row.content_type, row.data)
