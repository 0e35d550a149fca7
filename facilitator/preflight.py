"""The check before the room arrives (`facilitator check`, the start screen's "Tjek").

Local checks (the address phones will use, the port, the database, the terminal) and the live
phone test: a page at /check that every phone which opens it is counted on at once, so a
guest Wi-Fi that isolates its clients is found before the meeting, not in it.

No Textual here: the CLI prints the items and the start screen draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Interface:
    """One of the laptop's network addresses."""

    name: str
    address: str
    lan: bool  # a private LAN address phones on the same Wi-Fi can reach


@dataclass(frozen=True)
class CheckItem:
    """One local check's result, in Danish."""

    key: str  # "address", "port", "database", "terminal"
    title: str  # "Adresse", "Port", "Database", "Terminal"
    ok: bool
    detail: str
    lines: tuple[str, ...] = ()  # more to show (interfaces, samples to confirm by eye)


def interfaces() -> list[Interface]:
    raise NotImplementedError


def check_address(host: str | None) -> CheckItem:
    raise NotImplementedError


def check_port(host: str | None, port: int) -> tuple[CheckItem, str | None]:
    """The port's item, and the URL of the meeting's own server already on it (if so)."""
    raise NotImplementedError


def check_database(db_url: str) -> CheckItem:
    raise NotImplementedError


def check_terminal(columns: int, rows: int, encoding: str) -> CheckItem:
    raise NotImplementedError


def local_checks(
    db_url: str,
    host: str | None,
    port: int,
    terminal: tuple[int, int, str] | None = None,
    meeting_id: int | None = None,
) -> list[CheckItem]:
    raise NotImplementedError


class PhoneCheck:
    """The live test: the /check address, and how many phones reached it."""

    url: str
    arrived: int = 0
    on_change: Callable[[int], None] | None = None

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError


async def start_phone_check(
    host: str | None, port: int, own_server_url: str | None = None
) -> PhoneCheck:
    raise NotImplementedError
