"""A photo of the paper flip-over, and særskilt spor (a flip-over taken out of every open
list, the projector, the phones and the exports)."""

from __future__ import annotations

from facilitator.engine.core import EngineCore
from facilitator.engine.errors import EngineError
from facilitator.engine.events import ConfidentialChanged, PhotoAdded
from storage.live import load_structure

MAX_PHOTO = 2 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class Photos(EngineCore):
    async def set_photo(self, flipover_id: int, content_type: str, data: bytes) -> None:
        if content_type not in PHOTO_TYPES:
            raise EngineError("Billedet skal være JPEG, PNG eller WebP.")
        if not data or len(data) > MAX_PHOTO:
            raise EngineError(f"Billedet er for stort (højst {MAX_PHOTO // 1024} kB).")
        store, meeting_id = self.store, self.meeting_id

        def apply(found: bool) -> None:
            if not found or self.model.flipover(flipover_id) is None:
                raise EngineError(f"flip-over {flipover_id} findes ikke")
            self.model.set_photo(flipover_id)
            self._publish(PhotoAdded, id=flipover_id)

        await self._commit(
            lambda: store.set_photo(meeting_id, flipover_id, content_type, data), apply
        )

    def photo(self, flipover_id: int) -> tuple[str, bytes] | None:
        """The photo's bytes: read from storage when asked for (not kept in memory)."""
        return self.store.photo(self.meeting_id, flipover_id)

    async def set_confidential(self, flipover_id: int, confidential: bool = True) -> None:
        """Særskilt spor: the flip-over leaves the open lists, the projector and the phones."""
        async with self.control:
            if self.model.flipover(flipover_id) is None:
                raise EngineError(f"flip-over {flipover_id} findes ikke")
            store, meeting_id = self.store, self.meeting_id

            def work():  # noqa: ANN202
                store.set_confidential(meeting_id, flipover_id, confidential)
                return load_structure(store, meeting_id)

            def apply(structure) -> None:  # noqa: ANN001
                self.model.rearrange(structure)
                self._publish(ConfidentialChanged, id=flipover_id, confidential=confidential)

            await self._commit(work, apply)
