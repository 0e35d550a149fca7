"""What every `facilitator` command shares: the one-line error, the database, a meeting
by id or code, and Danish words for the operating system's errors."""

from __future__ import annotations

import argparse
import errno
from typing import NoReturn

from facilitator import paths

OS_ERRORS_DA = {
    errno.ENOENT: "mappen findes ikke",
    errno.EISDIR: "det er en mappe",
    errno.ENOTDIR: "en del af stien er ikke en mappe",
    errno.EACCES: "ingen adgang",
    errno.EPERM: "ingen adgang",
    errno.ENOSPC: "disken er fuld",
    errno.EROFS: "drevet er skrivebeskyttet",
}


def os_error_da(exc: OSError) -> str:
    return OS_ERRORS_DA.get(exc.errno, exc.strerror or str(exc))


class UsageError(Exception):
    """One line for stderr; exit status 2."""


def fail(message: str) -> NoReturn:
    raise UsageError(message)


def db_url(args: argparse.Namespace) -> str:
    return getattr(args, "sub_db", None) or args.db or paths.default_db_url()


def open_store(url: str):  # noqa: ANN201 - storage.repo.Store, imported lazily
    from storage.db import StorageError
    from storage.repo import Store

    try:
        return Store(url)
    except StorageError as exc:
        fail(str(exc))


def meeting_id(store, value: str) -> int:  # noqa: ANN001
    """A meeting by id or by its short code."""
    if value.isdigit():
        number = int(value)
        if store.get_meeting(number) is not None:
            return number
    else:
        for meeting in store.list_meetings():
            if meeting.code == value.upper():
                return meeting.id
    fail(f"mødet {value!r} findes ikke i {store.url}")
