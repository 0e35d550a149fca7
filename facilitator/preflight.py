"""The check before the room arrives (`facilitator check`, the start screen's "Tjek").

Local checks (the address phones will use, the port, the database, the terminal) and the live
phone test: a page at /check that every phone which opens it is counted on at once, so a
guest Wi-Fi that isolates its clients is found before the meeting, not in it.

No Textual here: the CLI prints the items and the start screen draws them. aiohttp and the
storage are imported only by the checks that use them, so the start screen and the command
line stay fast.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from facilitator.web.net import lan_address, url_for

MIN_COLUMNS = 80
MIN_ROWS = 24
WILDCARDS = ("0.0.0.0", "::")
PROBE_TIMEOUT_S = 1.0
# The countdown's block glyphs (screens/components/bigtext.py draws with these three).
BLOCK_GLYPHS = "█▀▄"
SAMPLE_LETTERS = "æøå ÆØÅ"
SERVER_GONE = "Mødets server svarer ikke – kører den stadig?"
SERVER_MEETING = "meeting"  # /api/check's "server" (facilitator.web.checkpage)
SERVER_CHECK = "check"
VPN_PREFIXES = ("tun", "tap", "wg", "utun", "ppp", "tailscale", "zt", "nordlynx")


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


# ---------------------------------------------------------------------- interfaces
def is_lan(address: str) -> bool:
    """A private address phones on the same Wi-Fi can reach (not loopback, not link-local)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.is_private and not ip.is_loopback and not ip.is_link_local and not ip.is_unspecified


def _ioctl_interfaces() -> list[tuple[str, str]]:
    """Linux: each interface's (primary) IPv4 address by ioctl SIOCGIFADDR."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl
    import struct

    siocgifaddr = 0x8915
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode("utf-8", "replace")[:15])
            try:
                answer = fcntl.ioctl(sock.fileno(), siocgifaddr, request)
            except OSError:  # no IPv4 address on it (or it went away)
                continue
            found.append((name, socket.inet_ntoa(answer[20:24])))
    return found


def _ip_command_interfaces() -> list[tuple[str, str]]:
    """Every IPv4 address `ip -4 -o addr` lists (Linux with iproute2)."""
    import shutil
    import subprocess

    ip = shutil.which("ip")
    if ip is None:
        return []
    result = subprocess.run(
        [ip, "-4", "-o", "addr"], capture_output=True, text=True, timeout=2, check=False
    )
    found = []
    for line in result.stdout.splitlines():
        parts = line.split()
        if "inet" in parts:
            at = parts.index("inet")
            if at + 1 < len(parts) and at >= 1:
                found.append((parts[1].rstrip(":"), parts[at + 1].split("/")[0]))
    return found


def _fallback_interfaces() -> list[tuple[str, str]]:
    """Elsewhere (macOS, Windows): the default route's address and the host name's."""
    found = []
    default = lan_address()
    if default:
        found.append(("standard", default))
    with contextlib.suppress(OSError, UnicodeError):
        for address in socket.gethostbyname_ex(socket.gethostname())[2]:
            if address not in (a for _n, a in found):
                found.append((socket.gethostname(), address))
    return found


def interfaces() -> list[Interface]:
    """The laptop's IPv4 addresses, loopback last; an empty list when none can be found.
    Never raises."""
    pairs: list[tuple[str, str]] = []
    for source in (_ip_command_interfaces, _ioctl_interfaces, _fallback_interfaces):
        try:
            pairs = source()
        except Exception:  # noqa: BLE001 - a missing tool or an odd OS: try the next way
            pairs = []
        if pairs:
            break
    seen: set[tuple[str, str]] = set()
    result = []
    for name, address in pairs:
        if (name, address) in seen:
            continue
        seen.add((name, address))
        result.append(Interface(name, address, is_lan(address)))
    result.sort(key=lambda i: i.address.startswith("127."))
    return result


def interface_lines(found: list[Interface], used: str | None = None) -> tuple[str, ...]:
    if not found:
        return ("Ingen netværkskort med en IPv4-adresse fundet.",)
    lines = []
    for item in found:
        kind = "LAN" if item.lan else ("kun maskinen selv" if _loopback(item.address) else "")
        mark = "  ← telefonerne" if used is not None and item.address == used else ""
        kind = f" ({kind})" if kind else ""
        lines.append(f"{item.name:<10} {item.address}{kind}{mark}")
    return tuple(lines)


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def how(option: str, pick: str | None = None) -> str:
    """Where to choose another address or port: "med --host" on the command line, or the
    start screen's key ("(tryk w på startskærmen)") when ``pick`` is given."""
    return f"(tryk {pick} på startskærmen)" if pick else f"med --{option}"


def public_host(host: str | None) -> str | None:
    """The address phones use: --host unless a wildcard, else the default route's IPv4."""
    if host and host not in WILDCARDS:
        return host
    return lan_address()


# ---------------------------------------------------------------------- address
def check_address(host: str | None, pick: str | None = None) -> CheckItem:
    """The address phones will use, and whether it is a private LAN address; the laptop's
    interfaces are listed under it. ``pick``: the start screen's key for the advice."""
    found = interfaces()
    address = public_host(host)
    title = "Adresse"
    if address is None:
        return CheckItem(
            "address",
            title,
            False,
            "Ingen netværk – telefonerne kan ikke nå denne maskine. Forbind den bærbare til "
            f"mødelokalets Wi-Fi (eller vælg en adresse {how('host', pick)}).",
            interface_lines(found),
        )
    ip = address
    if not _is_ip(address):
        try:
            ip = socket.getaddrinfo(address, None, socket.AF_INET)[0][4][0]
        except (OSError, UnicodeError, IndexError):
            return CheckItem(
                "address",
                title,
                False,
                f"Navnet {address} kan ikke slås op – brug en IP-adresse {how('host', pick)}.",
                interface_lines(found),
            )
    lines = interface_lines(found, ip)
    if not _local(ip):
        return CheckItem(
            "address",
            title,
            False,
            f"Adressen {address} findes ikke på denne maskine – vælg en af dem nedenfor "
            f"{how('host', pick)}.",
            lines,
        )
    parsed = ipaddress.ip_address(ip)
    if parsed.is_loopback:
        return CheckItem(
            "address",
            title,
            False,
            f"{address} er kun maskinen selv (loopback) – en telefon kan ikke åbne den. Vælg en "
            f"LAN-adresse {how('host', pick)}.",
            lines,
        )
    if parsed.is_link_local:
        return CheckItem(
            "address",
            title,
            False,
            f"{address} er en nødadresse (169.254.x.x): maskinen fik ingen adresse fra "
            "netværket. Forbind til Wi-Fi'et igen.",
            lines,
        )
    name = next((i.name for i in found if i.address == ip), None)
    on = f" på {name}" if name else ""
    url = url_for(address, 1).rsplit(":", 1)[0].removeprefix("http://")
    if not is_lan(ip):
        detail = (
            f"Telefonerne bruger {url}{on}. Det er ikke en privat LAN-adresse: telefonerne når "
            "den kun, hvis netværket lader dem."
        )
    else:
        detail = f"Telefonerne bruger {url}{on} – en privat LAN-adresse."
    if name and name.lower().startswith(VPN_PREFIXES):
        detail += f" {name} ligner en VPN-forbindelse: slå VPN fra, eller vælg Wi-Fi'ets adresse."
    if host in WILDCARDS:
        detail += f" Serveren lytter på alle adresser ({host})."
    return CheckItem("address", title, True, detail, lines)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _local(ip: str) -> bool:
    """Whether the address belongs to this machine (a socket can be bound to it)."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.bind((ip, 0))
    except OSError as exc:
        return exc.errno not in (errno.EADDRNOTAVAIL, errno.EINVAL)
    return True


# ---------------------------------------------------------------------- port
def bind_hosts(host: str | None) -> list[str]:
    """Where the meeting's server listens (as WebServer.bind_hosts): the address phones use
    (or --host) and 127.0.0.1."""
    public = public_host(host)
    hosts = [host] if host else ([public] if public else [])
    if "127.0.0.1" not in hosts and "0.0.0.0" not in hosts:
        hosts.append("127.0.0.1")
    return hosts


def server_info(port: int, timeout: float | None = None) -> dict[str, Any] | None:
    """What answers GET http://127.0.0.1:PORT/api/check with the check's marker: its
    answer (``server``: "meeting" or "check", ``meeting``, ``code``, ``check_url``,
    ``count``), or None when nothing of ours is on the port."""
    import urllib.error
    import urllib.request

    from facilitator.web.checkpage import CHECK_KIND

    base = url_for("127.0.0.1", port)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(f"{base}api/check", timeout=timeout or PROBE_TIMEOUT_S) as answer:
            data = json.loads(answer.read(4096).decode("utf-8"))
    except (OSError, ValueError, urllib.error.URLError):
        return None
    if isinstance(data, dict) and data.get("kind") == CHECK_KIND:
        return data
    return None


def own_server_url(port: int, timeout: float | None = None) -> str | None:
    """The meeting's own server on the port, if it answers GET /api/check with its marker
    (a meeting's server, not another check's): its local address
    (``http://127.0.0.1:PORT/``), else None."""
    info = server_info(port, timeout)
    if info is None or info.get("server") != SERVER_MEETING:
        return None
    return url_for("127.0.0.1", port)


def _same_meeting(info: dict[str, Any], meeting: int | str) -> bool:
    key = str(meeting).strip()
    if key.isdigit():
        return info.get("meeting") == int(key)
    return str(info.get("code") or "").upper() == key.upper()


def _meeting_words(info: dict[str, Any]) -> str:
    if info.get("code"):
        return f"mødet {info.get('meeting')} (kode {info['code']})"
    return f"mødet {info.get('meeting')}"


def _bind_error(host: str, port: int) -> int | None:
    """The errno binding the port on the host fails with (as aiohttp binds), or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(1)
    except OSError as exc:
        return exc.errno or -1
    return None


def _free_port_near(hosts: list[str], port: int) -> int | None:
    for candidate in range(port + 1, min(port + 40, 65536)):
        if all(_bind_error(h, candidate) in (None, errno.EADDRNOTAVAIL) for h in hosts):
            return candidate
    return None


def check_port(
    host: str | None, port: int, meeting: int | str | None = None, pick: str | None = None
) -> tuple[CheckItem, str | None]:
    """The port's item, and the URL of the meeting's own server already on it (if so).
    Another check's server on the port, or (with ``meeting``) another meeting's, fails."""
    item, info = _check_port(host, port, meeting, pick)
    return item, (url_for("127.0.0.1", port) if info is not None else None)


def _check_port(
    host: str | None, port: int, meeting: int | str | None, pick: str | None
) -> tuple[CheckItem, dict[str, Any] | None]:
    """As check_port; the second is the /api/check answer of the meeting's server used."""
    title = "Port"
    if not 0 <= port <= 65535:
        return CheckItem("port", title, False, f"Port {port} findes ikke (vælg 1024–65535)."), None
    if port:
        info = server_info(port)
        if info is not None and info.get("server") != SERVER_MEETING:
            return (
                CheckItem(
                    "port",
                    title,
                    False,
                    f"Et andet tjek holder port {port} – luk det først (tryk Enter i det, "
                    "eller luk tjekskærmen).",
                ),
                None,
            )
        if info is not None and meeting is not None and not _same_meeting(info, meeting):
            return (
                CheckItem(
                    "port",
                    title,
                    False,
                    f"Port {port} bruges af serveren til {_meeting_words(info)}, ikke mødet "
                    f"{meeting} – luk det møde først, eller vælg en anden port "
                    f"{how('port', pick)}.",
                ),
                None,
            )
        if info is not None:
            return (
                CheckItem(
                    "port",
                    title,
                    True,
                    f"Mødets egen server kører allerede på port {port} – tjekket bruger den.",
                ),
                info,
            )
    hosts = bind_hosts(host)
    unresolved = [h for h in hosts if not _resolves(h)]
    for bind in hosts:
        if bind in unresolved:  # a name that cannot be looked up: the address item says so
            continue
        code = _bind_error(bind, port)
        if code is None or code == errno.EADDRNOTAVAIL:  # a missing address: the address item
            continue
        if code == errno.EADDRINUSE:
            free = _free_port_near([h for h in hosts if h not in unresolved], port)
            example = (f"fx {free}" if pick else f"fx --port {free}") if free else ""
            hint = f" ({example})" if example else ""
            return (
                CheckItem(
                    "port",
                    title,
                    False,
                    f"Port {port} er optaget af et andet program – vælg en anden "
                    f"{how('port', pick)}{hint}.",
                ),
                None,
            )
        if code == errno.EACCES:
            return (
                CheckItem(
                    "port",
                    title,
                    False,
                    f"Ingen adgang til port {port} – vælg en over 1024 {how('port', pick)}.",
                ),
                None,
            )
        return (
            CheckItem(
                "port",
                title,
                False,
                f"Port {port} kan ikke bruges på {bind} ({errno.errorcode.get(code, code)}).",
            ),
            None,
        )
    skipped = ""
    if unresolved:
        names = ", ".join(unresolved)
        skipped = f" Den er ikke prøvet på {names}: navnet kan ikke slås op (se Adresse)."
    if port == 0:
        return (
            CheckItem("port", title, True, f"En ledig port vælges, når siden starter.{skipped}"),
            None,
        )
    return CheckItem("port", title, True, f"Port {port} er ledig.{skipped}"), None


def _resolves(host: str) -> bool:
    if _is_ip(host):
        return True
    try:
        socket.getaddrinfo(host, None, socket.AF_INET)
    except (OSError, UnicodeError):
        return False
    return True


# ---------------------------------------------------------------------- database
def _sqlite_file(db_url: str) -> Any:
    """The SQLite file of the URL (a Path), or None (another database, or in memory)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(db_url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:":
        return None
    return Path(database.removeprefix("file:")).expanduser()


def _missing_file(path: Any, where: str, meeting: int | str | None) -> CheckItem:
    """A SQLite file that is not there yet: it is made when the meeting starts, if its
    folder can be written (nothing is made now)."""
    import os

    title = "Database"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return CheckItem(
            "database",
            title,
            False,
            f"Databasen findes ikke endnu, og mappen {folder} kan ikke skrives – den kan ikke "
            f"oprettes ({where}). Vælg en anden med --db, eller ret mappens rettigheder.",
        )
    if meeting is not None:
        return CheckItem(
            "database",
            title,
            False,
            f"Mødet {meeting} findes ikke: databasen findes ikke endnu ({where}).",
        )
    return CheckItem(
        "database",
        title,
        True,
        f"Databasen findes ikke endnu – den oprettes, når mødet starter ({where}; mappen kan "
        "skrives).",
    )


def _known_revisions() -> set[str]:
    from storage.db import MIGRATIONS

    return {path.name.split("_")[0] for path in (MIGRATIONS / "versions").glob("[0-9]*.py")}


def check_database(db_url: str, meeting: int | str | None = None) -> CheckItem:
    """The database opens and takes a write (tried in a transaction, rolled back); the
    meeting (an id or its code), when given, exists in it. Nothing is made or changed: a
    missing SQLite file is not created, and a schema that needs a migration is not
    migrated (the meeting does both when it starts)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from storage.base import reason
    from storage.db import HEAD, StorageError, _safe, current_revision, make_engine, writer

    title = "Database"
    where = _safe(db_url) if "@" in db_url else db_url  # a password is never shown
    path = _sqlite_file(db_url)
    if path is not None and not path.exists():
        return _missing_file(path, where, meeting)
    try:
        engine = make_engine(db_url)
    except StorageError as exc:
        return CheckItem("database", title, False, f"Databasen kan ikke åbnes: {exc}")
    except Exception as exc:  # noqa: BLE001 - a driver's own failure, said in one line
        return CheckItem("database", title, False, f"Databasen kan ikke åbnes ({where}): {exc}")
    try:
        try:
            revision = current_revision(engine)
        except SQLAlchemyError as exc:
            return CheckItem(
                "database", title, False, f"Databasen kan ikke åbnes ({where}): {reason(exc)}"
            )
        if revision is not None and revision not in _known_revisions():
            return CheckItem(
                "database",
                title,
                False,
                f"Databasen er fra en nyere udgave af programmet (skema {revision}) – "
                f"opdatér programmet, eller vælg en anden med --db ({where}).",
            )
        try:
            with writer(engine).connect() as conn:
                # A write no one reads, rolled back at once: the write is tried, not made.
                with conn.begin() as transaction:
                    if revision is None:
                        conn.execute(text("CREATE TABLE preflight_check_probe (x INTEGER)"))
                    else:
                        conn.execute(
                            text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                            {"v": "preflight-check"},
                        )
                    transaction.rollback()
        except SQLAlchemyError as exc:
            whose = "filens" if db_url.startswith("sqlite") else "databasebrugerens"
            detail = (
                f"Databasen kan ikke skrives: {reason(exc)} ({where}). Mødet kan ikke gemme "
                f"noget – vælg en anden database med --db, eller ret {whose} rettigheder."
            )
            return CheckItem("database", title, False, detail)
        later = ""
        if revision != HEAD:
            later = " Skemaet opdateres, når mødet starter."
        found = None
        if meeting is not None:
            try:
                found = _find_meeting(engine, meeting)
            except SQLAlchemyError:
                found = None
            if found is None:
                return CheckItem(
                    "database", title, False, f"Mødet {meeting} findes ikke i databasen ({where})."
                )
        detail = f"Databasen kan skrives: {where}.{later}"
        if found is not None:
            detail += f" Mødet {found[0]}: «{found[1]}» (kode {found[2]})."
        return CheckItem("database", title, True, detail)
    finally:
        engine.dispose()


def _find_meeting(engine: Any, meeting: int | str) -> Any:
    """(id, title, code) of the meeting with that id or code, read with plain SQL (the
    schema may be older than the models), or None."""
    from sqlalchemy import text

    key = str(meeting).strip()
    with engine.connect() as conn:
        if key.isdigit():
            row = conn.execute(
                text("SELECT id, title, code FROM meeting WHERE id = :id"), {"id": int(key)}
            ).first()
        else:
            row = conn.execute(
                text("SELECT id, title, code FROM meeting WHERE upper(code) = :code"),
                {"code": key.upper()},
            ).first()
    return tuple(row) if row is not None else None


# ---------------------------------------------------------------------- terminal
def _utf8(encoding: str) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding or "ascii").name == "utf-8"
    except LookupError:
        return False


def check_terminal(columns: int, rows: int, encoding: str) -> CheckItem:
    """Size (at least 80×24) and encoding (UTF-8); its lines are samples for the eye: æøå
    and the countdown's block glyphs."""
    lines = (
        f"Ser du æ, ø og å her: {SAMPLE_LETTERS}",
        f"Ser du tre forskellige blokke her: {'   '.join(BLOCK_GLYPHS)}   ▄█▀█▄",
    )
    problems = []
    if columns < MIN_COLUMNS or rows < MIN_ROWS:
        problems.append(
            f"Terminalen er {columns}×{rows} tegn; mødet skal have mindst "
            f"{MIN_COLUMNS}×{MIN_ROWS} – gør vinduet større eller skriften mindre."
        )
    if not _utf8(encoding):
        problems.append(
            f"Terminalen bruger tegnsættet {encoding or 'ukendt'}, ikke UTF-8 – æøå og "
            "nedtællingen vises forkert (sæt fx LANG=da_DK.UTF-8)."
        )
    if problems:
        return CheckItem("terminal", "Terminal", False, " ".join(problems), lines)
    return CheckItem(
        "terminal", "Terminal", True, f"{columns}×{rows} tegn, UTF-8 – se efter med øjnene:", lines
    )


# ---------------------------------------------------------------------- all of them
def local_checks(
    db_url: str,
    host: str | None,
    port: int,
    terminal: tuple[int, int, str] | None = None,
    meeting_id: int | str | None = None,
    *,
    pick: str | None = None,
) -> list[CheckItem]:
    """Every local check in order: address, port, database, terminal (when given).
    ``meeting_id`` may be a meeting's id or its code; ``pick`` the start screen's key for
    choosing the address and port (the advice names it instead of --host/--port)."""
    return run_local_checks(db_url, host, port, terminal, meeting_id, pick=pick)[0]


def run_local_checks(
    db_url: str,
    host: str | None,
    port: int,
    terminal: tuple[int, int, str] | None = None,
    meeting_id: int | str | None = None,
    *,
    pick: str | None = None,
) -> tuple[list[CheckItem], str | None]:
    """As local_checks, and the URL of the meeting's own server already on the port.

    With the meeting's server on the port, the address is the one that server gives
    phones (it may differ from the one this check would pick), and it fails when that
    server cannot be reached from a phone."""
    port_item, info = _check_port(host, port, meeting_id, pick)
    own = url_for("127.0.0.1", port) if info is not None else None
    if info is None:
        address_item = check_address(host, pick)
    else:
        address_item = _meeting_server_address(info, port, host, pick)
    items = [address_item, port_item, check_database(db_url, meeting_id)]
    if terminal is not None:
        items.append(check_terminal(*terminal))
    return items, own


def _url_host(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def reachable_url(url: str | None) -> bool:
    """Whether a phone could open the address: there is one, and it is not loopback."""
    host = _url_host(url)
    return bool(host) and host != "localhost" and not _loopback(host or "")


def meeting_server_unreachable(port: int, pick: str | None = None) -> str:
    return (
        f"Mødets server på port {port} kan ikke nås fra telefonerne: den kører kun på denne "
        f"computer (ingen netværksadresse). Luk mødet, og start det igen på en LAN-adresse "
        f"{how('host', pick)}."
    )


def _meeting_server_address(
    info: dict[str, Any], port: int, host: str | None, pick: str | None
) -> CheckItem:
    """The address item when the meeting's server is on the port already: the address it
    gives phones is what counts."""
    url = info.get("check_url")
    if not reachable_url(url):
        return CheckItem(
            "address",
            "Adresse",
            False,
            meeting_server_unreachable(port, pick),
            interface_lines(interfaces()),
        )
    served = _url_host(url) or ""
    item = check_address(served, pick)
    if served != public_host(host):
        detail = f"Mødets server kører allerede og bruger {served}. {item.detail}"
        return CheckItem(item.key, item.title, item.ok, detail, item.lines)
    return item


def failed(items: list[CheckItem]) -> list[CheckItem]:
    return [item for item in items if not item.ok]


def arrived_text(count: int) -> str:
    """'3 telefoner nåede frem' (Danish number agreement)."""
    if count == 0:
        return "Ingen telefoner nåede frem endnu"
    return f"{count} telefon{'' if count == 1 else 'er'} nåede frem"


# ---------------------------------------------------------------------- phones
class PhoneCheck:
    """The live test: the /check address, and how many phones reached it.

    With the meeting's own server on the port, its /check is used and its /api/check is
    long-polled for the count; otherwise a small server of its own serves /check on the
    address phones use and 127.0.0.1. ``on_change(count)`` is called in the event loop at
    each new phone. ``start`` never raises: a failure is kept in ``error`` (and ``url`` is
    then "" when nothing could be bound). ``reachable`` is False when a phone cannot open
    ``url`` (a loopback address, no network, or a meeting's server that gives phones no
    address): ``error`` then says so, and no QR code should be shown for it.
    """

    url: str
    arrived: int = 0
    on_change: Callable[[int], None] | None = None

    def __init__(
        self,
        host: str | None,
        port: int,
        own_server_url: str | None = None,
        on_change: Callable[[int], None] | None = None,
        pick: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.own_server_url = own_server_url
        self.on_change = on_change
        self.pick = pick
        self.url = ""
        self.arrived = 0
        self.error: str | None = None
        self.reachable = False
        self._unreachable: str | None = None  # why a phone cannot open url (kept in error)
        self.bound: list[str] = []
        self.check_arrivals: Any = None  # checkpage.Arrivals of the own server
        self._runner: Any = None
        self._poll: Any = None
        self._session: Any = None  # aiohttp.ClientSession to the meeting's server
        self._unlisten: Callable[[], None] | None = None

    @property
    def uses_meeting_server(self) -> bool:
        return self.own_server_url is not None

    def _set(self, count: int) -> None:
        if count == self.arrived:
            return
        self.arrived = count
        if self.on_change is not None:
            self.on_change(count)

    async def start(self) -> None:
        self.error = None
        if self.own_server_url is not None:
            await self._join()
            return
        await self._serve()

    async def _join(self) -> None:
        """Use the meeting's server: its count now, then long-polled in a task."""
        import asyncio

        import aiohttp

        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=40))
        try:
            data = await self._status("")
        except Exception:  # noqa: BLE001 - said in error; the task keeps trying
            self.error = SERVER_GONE
            self.url = ""
        else:
            self.arrived = int(data["count"])
            # The address the meeting's server gives phones, not the one this check
            # would pick: the server may be bound elsewhere.
            check_url = data.get("check_url")
            if reachable_url(check_url):
                self.url, self.reachable = str(check_url), True
            else:
                self.url = f"{self.own_server_url}check"
                self._unreachable = meeting_server_unreachable(self.port, self.pick)
                self.error = self._unreachable
        self._poll = asyncio.get_running_loop().create_task(self._follow())

    async def _status(self, query: str) -> dict[str, Any]:
        async with self._session.get(f"{self.own_server_url}api/check{query}") as answer:
            data = await answer.json()
        if not isinstance(data, dict):
            raise ValueError("not a check answer")
        return data

    async def _ask(self, query: str) -> int:
        return int((await self._status(query))["count"])

    async def _follow(self) -> None:
        """Long-poll the meeting's server for the count (it answers at each new phone)."""
        import asyncio

        while True:
            try:
                count = await self._ask(f"?after={self.arrived}&wait=20")
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the meeting's server went away: retry
                self.error = SERVER_GONE
                await asyncio.sleep(1.0)
                continue
            self.error = self._unreachable
            self._set(count)

    async def _serve(self) -> None:
        from aiohttp import web

        from facilitator.web.checkpage import CheckRoutes
        from facilitator.web.middleware import LOCAL_HOSTS, front_door

        public = public_host(self.host)
        hosts = bind_hosts(self.host)
        sockets = []
        port = self.port
        for bind in hosts:
            try:
                sock = _listen(bind, port)
            except OSError as exc:
                self.error = self.error or _listen_error(bind, port, exc, self.pick)
                continue
            port = sock.getsockname()[1]  # port 0: the others take the same one
            sockets.append((bind, sock))
        self.port = port
        if not sockets:
            self.url = ""
            return

        async def no_token(request: web.Request, handler: Any) -> web.StreamResponse:
            return await handler(request)

        hosts_served = set(LOCAL_HOSTS) | {h.lower() for h in (self.host, public) if h}
        hosts_served |= {bind.lower() for bind, _sock in sockets}
        app = web.Application(
            middlewares=[front_door(lambda: hosts_served, lambda: self.host in WILDCARDS, no_token)]
        )
        routes = CheckRoutes(self)
        app.router.add_routes(routes.routes())
        self._unlisten = routes.arrivals.listen(self._set)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        self._runner = runner
        for bind, sock in sockets:
            await web.SockSite(runner, sock).start()
            self.bound.append(bind)
        served = public is not None and (public in self.bound or "0.0.0.0" in self.bound)
        self.url = url_for(public if served and public else "127.0.0.1", self.port, "/check")
        self.reachable = served and reachable_url(self.url)
        if public is None:
            self._unreachable = (
                "Ingen netværk – en telefon kan ikke nå denne computer. Forbind den bærbare "
                "til mødelokalets Wi-Fi."
            )
        elif _loopback(public) or public == "localhost":
            self._unreachable = (
                f"{public} er kun denne computer (loopback) – en telefon kan ikke åbne den. "
                f"Vælg en LAN-adresse {how('host', self.pick)}."
            )
        elif not served:
            self._unreachable = self.error or (
                f"Adressen {public} kunne ikke bruges – kun maskinen selv når siden."
            )
        if self._unreachable is not None:
            self.error = self._unreachable

    async def stop(self) -> None:
        import asyncio

        if self._poll is not None:
            self._poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poll
            self._poll = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self.check_arrivals is not None:
            self.check_arrivals.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.bound = []


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _listen_error(host: str, port: int, exc: OSError, pick: str | None = None) -> str:
    if isinstance(exc, socket.gaierror):
        return f"Navnet {host} kan ikke slås op."
    if exc.errno == errno.EADDRINUSE:
        return f"Port {port} er optaget af et andet program – vælg en anden {how('port', pick)}."
    if exc.errno in (errno.EADDRNOTAVAIL, errno.ENETUNREACH):
        return f"Adressen {host} findes ikke på denne maskine."
    if exc.errno == errno.EACCES:
        return f"Ingen adgang til port {port} – vælg en over 1024 {how('port', pick)}."
    return f"Tjeksiden kunne ikke starte på {host}:{port} ({exc.strerror or exc})."


async def start_phone_check(
    host: str | None,
    port: int,
    own_server_url: str | None = None,
    on_change: Callable[[int], None] | None = None,
    pick: str | None = None,
) -> PhoneCheck:
    """Start the live phone test. Without ``own_server_url`` the port is probed first: the
    meeting's own server, if it is there, is used (it is asked in a thread; the probe takes
    at most a second); another check's server is not. ``pick``: the start screen's key,
    named in the advice instead of --host/--port."""
    if own_server_url is None and port:
        import asyncio

        own_server_url = await asyncio.to_thread(own_server_url_probe, port)
    check = PhoneCheck(host, port, own_server_url, on_change, pick)
    await check.start()
    return check


def own_server_url_probe(port: int) -> str | None:
    return own_server_url(port)
