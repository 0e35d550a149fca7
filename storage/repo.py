"""Queries: every read and write the app makes, in short sessions, returning plain rows.

``Store`` is put together here from one module per concern (meetings and phase clocks,
the lease, flip-overs, marks, themes and choices, photos, deletion, the export's read);
storage.base holds the transactions they share. Each write method is one transaction;
when it returns, the data is committed (and with SQLite's synchronous=FULL, on disk).
``Store.run_batch`` runs many of them in one transaction with one commit.
"""

from __future__ import annotations

from storage.base import StoreBase
from storage.course import CourseStore
from storage.db import StorageError
from storage.deletion import DeletionStore
from storage.export_read import ExportCard, ExportReadStore, ExportRows
from storage.flipovers import FlipoverStore
from storage.lease import LeaseStore
from storage.meetings import MeetingStore
from storage.photos import PhotoStore
from storage.rows import (
    CODE_ALPHABET,
    FlipoverRow,
    Idem,
    LeaseHeld,
    ThemeRow,
    new_code,
    new_token,
)
from storage.themes import ThemeStore
from storage.votes import VoteStore


class Store(
    MeetingStore,
    LeaseStore,
    FlipoverStore,
    VoteStore,
    ThemeStore,
    PhotoStore,
    DeletionStore,
    ExportReadStore,
    CourseStore,
    StoreBase,
):
    """The database of one process. One engine, short sessions."""

    def _new_code(self) -> str:
        # Looked up in this module at call time, so replacing storage.repo.new_code (as the
        # snapshot tests do, for a fixed code on screen) takes effect.
        return new_code()


__all__ = [
    "CODE_ALPHABET",
    "ExportCard",
    "ExportRows",
    "FlipoverRow",
    "Idem",
    "LeaseHeld",
    "Store",
    "StorageError",
    "ThemeRow",
    "new_code",
    "new_token",
]
