"""`facilitator check`: the check before the room arrives (issue 10, part 3).

The local checks (address, port, database, terminal), the live phone test (a real headless
Chromium opening /check is counted at once, on the check's own server and on a running
meeting's), and the command's exit status.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from pathlib import Path

import pytest

from facilitator import preflight
from facilitator.agenda import load_agenda
from facilitator.cli import main
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.web.checkpage import CHECK_KIND
from facilitator.web.server import WebServer
from storage.repo import Store

LAN_OK = preflight.CheckItem("address", "Adresse", True, "Telefonerne bruger 10.0.0.5.")
LAN_SEEN = "10.0.0.5"  # the LAN address the meeting's server says it gives phones


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/check.db"
    store = Store(url)
    create_meeting(store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Møde på Ærø")
    store.close()
    return url


@pytest.fixture
def lan_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    """The address item passes whatever network this machine has (it is not what these
    tests are about; its own tests are below)."""
    monkeypatch.setattr(preflight, "check_address", lambda host, pick=None: LAN_OK)


@pytest.fixture
def quick_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """A listener that never answers is given up on quickly."""
    monkeypatch.setattr(preflight, "PROBE_TIMEOUT_S", 0.2)


@pytest.fixture
def busy_port():
    """Another program listening on a port (it never answers)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
async def meeting_server(db: str, unused_tcp_port: int):
    """The meeting's own server, running on a port (as `facilitator run` would), bound to
    127.0.0.1 but giving phones a LAN address (as if it had one: this machine may not)."""
    store = Store(db)
    engine = MeetingEngine(store, 1)
    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port, lan_address=None)
    await server.start()
    assert server.bound, server.error
    server.participant_url = f"http://{LAN_SEEN}:{server.port}/"
    yield server
    await server.stop()
    engine.release()
    store.close()


@pytest.fixture
async def local_meeting_server(db: str, unused_tcp_port: int):
    """The meeting's own server on 127.0.0.1 only: no phone can reach it."""
    store = Store(db)
    engine = MeetingEngine(store, 1)
    server = WebServer(engine, host="127.0.0.1", port=unused_tcp_port, lan_address=None)
    await server.start()
    assert server.bound, server.error
    yield server
    await server.stop()
    engine.release()
    store.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------- port
def test_a_busy_port_fails_naming_the_port(busy_port, quick_probe):
    item, own = preflight.check_port("127.0.0.1", busy_port)
    assert not item.ok and own is None
    assert f"Port {busy_port} er optaget" in item.detail and "--port" in item.detail


def test_the_command_exits_2_on_a_busy_port_naming_it(busy_port, quick_probe, lan_ok, db, capsys):
    code, out, err = run(capsys, "--port", str(busy_port), "--db", db)
    assert code == 2
    assert f"✗ FEJL Port: Port {busy_port} er optaget" in out
    assert len(err.strip().splitlines()) == 1
    assert "Port" in err and str(busy_port) in err
    assert "Telefontesten springes over: porten kan ikke bruges." in out


def test_a_free_port_passes(unused_tcp_port):
    item, own = preflight.check_port("127.0.0.1", unused_tcp_port)
    assert item.ok and own is None
    assert f"Port {unused_tcp_port} er ledig" in item.detail


async def test_the_meetings_own_server_on_the_port_is_used_not_a_failure(meeting_server):
    port = meeting_server.port
    item, own = await asyncio.to_thread(preflight.check_port, "127.0.0.1", port)
    assert item.ok, item.detail
    assert "Mødets egen server kører allerede" in item.detail
    assert own == f"http://127.0.0.1:{port}/"


async def test_the_command_uses_the_meetings_own_server(meeting_server, lan_ok, db, capsys):
    port = meeting_server.port
    code = await asyncio.to_thread(
        main, ["check", "1", "--port", str(port), "--wait", "0", "--db", db]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "✓ OK   Port: Mødets egen server kører allerede" in out
    assert "Telefontest (mødets egen server)" in out
    # The address the meeting's server gives phones, not the one this check would pick.
    assert f"åbn http://{LAN_SEEN}:{port}/check" in out
    assert err == ""


async def test_api_check_carries_the_marker_and_the_count(meeting_server):
    from aiohttp import ClientSession

    async with ClientSession() as session:
        base = f"http://127.0.0.1:{meeting_server.port}"
        async with session.get(f"{base}/api/check") as answer:
            assert await answer.json() == {
                "kind": CHECK_KIND,
                "server": "meeting",
                "meeting": 1,
                "code": meeting_server.engine.code,
                "check_url": f"http://{LAN_SEEN}:{meeting_server.port}/check",
                "count": 0,
            }
        async with session.get(f"{base}/check") as answer:  # a phone without a browser
            assert answer.status == 200
            assert "Din telefon nåede frem" in await answer.text()
        async with session.get(f"{base}/api/check?after=0&wait=5") as answer:
            assert (await answer.json())["count"] == 1


# ---------------------------------------------------------------------- database
def test_a_writable_database_passes_and_names_the_meeting(db):
    item = preflight.check_database(db, 1)
    assert item.ok, item.detail
    assert "Databasen kan skrives" in item.detail and "Møde på Ærø" in item.detail


def test_a_read_only_database_fails(db):
    path = db.removeprefix("sqlite:///")
    item = preflight.check_database(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert not item.ok
    assert "Databasen kan ikke skrives" in item.detail and "skrivebeskyttet" in item.detail


@pytest.mark.skipif(not os.environ.get("FACILITATOR_TEST_PG"), reason="no PostgreSQL server")
def test_a_read_only_postgresql_database_fails():
    url = os.environ["FACILITATOR_TEST_PG"]
    assert preflight.check_database(url).ok
    read_only = f"{url}?options=-c%20default_transaction_read_only%3Don"
    item = preflight.check_database(read_only)
    assert not item.ok
    assert "skrivebeskyttet" in item.detail and "databasebrugerens rettigheder" in item.detail
    assert ":***@" in item.detail  # never the password


def test_the_write_is_only_tried(db):
    preflight.check_database(db)
    store = Store(db)
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    store.close()
    assert [r[0] for r in rows] == ["0005"]


def test_the_command_exits_2_on_a_read_only_database(db, lan_ok, unused_tcp_port, capsys):
    path = db.removeprefix("sqlite:///")
    code, out, err = run(
        capsys, "--port", str(unused_tcp_port), "--db", f"sqlite:///file:{path}?mode=ro&uri=true"
    )
    assert code == 2
    assert "✗ FEJL Database: Databasen kan ikke skrives" in out
    assert len(err.strip().splitlines()) == 1 and "Database" in err


def test_a_missing_meeting_fails_naming_it(db, lan_ok, unused_tcp_port, capsys):
    code, out, err = run(capsys, "42", "--port", str(unused_tcp_port), "--db", db)
    assert code == 2
    assert "Mødet 42 findes ikke" in out and "Mødet 42 findes ikke" in err


def test_the_meeting_may_be_given_by_its_code(db, lan_ok, unused_tcp_port, capsys):
    store = Store(db)
    code_of_meeting = store.get_meeting(1).code
    store.close()
    code, out, _err = run(
        capsys, code_of_meeting.lower(), "--port", str(unused_tcp_port), "--db", db
    )
    assert code == 0
    assert "«Møde på Ærø»" in out


def test_all_passes_exit_0_and_no_wait_without_a_terminal(db, lan_ok, unused_tcp_port, capsys):
    code, out, err = run(capsys, "--port", str(unused_tcp_port), "--db", db)
    assert code == 0 and err == ""
    assert "Telefontesten springes over: ingen terminal at vente i" in out
    assert "De lokale tjek er i orden." in out


# ---------------------------------------------------------------------- terminal
def test_the_terminal_check_gives_the_samples_and_its_limits():
    good = preflight.check_terminal(80, 24, "utf-8")
    assert good.ok
    assert any("æøå ÆØÅ" in line for line in good.lines)
    assert any(all(glyph in line for glyph in "█▀▄") for line in good.lines)
    small = preflight.check_terminal(79, 24, "UTF-8")
    assert not small.ok and "79×24" in small.detail and "80×24" in small.detail
    latin = preflight.check_terminal(120, 40, "ISO-8859-1")
    assert not latin.ok and "UTF-8" in latin.detail


# ---------------------------------------------------------------------- address
def test_the_interfaces_list_never_crashes_with_none(monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError("no network here")

    monkeypatch.setattr(socket, "if_nameindex", broken)
    monkeypatch.setattr(socket, "gethostbyname_ex", broken)
    monkeypatch.setattr("shutil.which", lambda _name: None)
    monkeypatch.setattr(preflight, "lan_address", lambda: None)
    assert preflight.interfaces() == []
    item = preflight.check_address(None)
    assert not item.ok
    assert "Ingen netværk" in item.detail
    assert item.lines == ("Ingen netværkskort med en IPv4-adresse fundet.",)


def test_the_interfaces_survive_a_tool_that_fails(monkeypatch):
    monkeypatch.setattr(
        preflight, "_ip_command_interfaces", lambda: (_ for _ in ()).throw(RuntimeError("x"))
    )
    found = preflight.interfaces()
    assert all(isinstance(i, preflight.Interface) for i in found)


def test_the_interfaces_are_listed_with_loopback_last():
    found = preflight.interfaces()
    assert found, "this machine has at least a loopback address"
    assert any(i.address == "127.0.0.1" and not i.lan for i in found)
    assert found[-1].address.startswith("127.")


def test_a_loopback_host_fails_naming_it():
    item = preflight.check_address("127.0.0.1")
    assert not item.ok and "127.0.0.1 er kun maskinen selv" in item.detail
    assert "en telefon kan ikke åbne den" in item.detail and "--host" in item.detail
    assert any("127.0.0.1" in line for line in item.lines)


def test_an_address_not_on_this_machine_fails():
    item = preflight.check_address("203.0.113.77")  # TEST-NET-3: no laptop has it
    assert not item.ok and "findes ikke på denne maskine" in item.detail


def test_a_private_lan_address_passes(monkeypatch):
    monkeypatch.setattr(preflight, "_local", lambda ip: True)
    monkeypatch.setattr(
        preflight, "interfaces", lambda: [preflight.Interface("wlan0", "192.168.1.23", True)]
    )
    item = preflight.check_address("192.168.1.23")
    assert item.ok
    assert "192.168.1.23 på wlan0 – en privat LAN-adresse" in item.detail
    assert item.lines == ("wlan0      192.168.1.23 (LAN)  ← telefonerne",)


# ---------------------------------------------------------------------- phones
async def test_the_check_server_refuses_a_foreign_host_and_carries_a_csp():
    from aiohttp import ClientSession

    check = await preflight.start_phone_check("127.0.0.1", 0)
    try:
        assert check.url == f"http://127.0.0.1:{check.port}/check"
        async with ClientSession() as session:
            async with session.get(check.url, headers={"Host": "evil.example"}) as answer:
                assert answer.status == 421
            async with session.get(check.url) as answer:
                assert answer.status == 200
                assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
        assert check.arrived == 1  # the foreign request was not counted
    finally:
        await check.stop()


needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="no chromium on this machine",
)


async def _phone_opens(browser, url: str) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(url)
    text = await page.locator("h1").text_content()
    assert text == "Din telefon nåede frem til mødets computer."
    await context.close()


@needs_chromium
async def test_a_phone_opening_check_is_counted_at_once_on_the_check_server(browser):
    heard: list[int] = []
    check = await preflight.start_phone_check("127.0.0.1", 0, on_change=heard.append)
    try:
        assert not check.uses_meeting_server
        await _phone_opens(browser, check.url)
        assert heard == [1] and check.arrived == 1  # before the page was even read
        # The same phone again is not a new one; another phone is.
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(check.url)
        await page.reload()
        assert check.arrived == 2 and heard == [1, 2]
        await context.close()
    finally:
        await check.stop()


@needs_chromium
async def test_a_phone_opening_check_is_counted_on_a_running_meeting_server(
    meeting_server, browser
):
    arrived = asyncio.Event()
    check = await preflight.start_phone_check(
        "127.0.0.1", meeting_server.port, on_change=lambda count: arrived.set()
    )
    try:
        assert check.uses_meeting_server
        assert check.url == f"http://{LAN_SEEN}:{meeting_server.port}/check"
        # The phone here is on this machine: it opens the server's local address.
        await _phone_opens(browser, f"http://127.0.0.1:{meeting_server.port}/check")
        await asyncio.wait_for(arrived.wait(), 5)  # the long poll answers at the arrival
        assert check.arrived == 1
        assert meeting_server.engine.phones == 0  # the check is not a participant
    finally:
        await check.stop()


needs_lan = pytest.mark.skipif(
    preflight.lan_address() is None, reason="this machine has no LAN address"
)


@needs_lan
def test_wait_returns(db, lan_ok, capsys):
    code, out, err = run(capsys, "--port", "0", "--wait", "0.2", "--db", db)
    assert code == 0, err
    assert "Venter på telefoner … i 0.2 sekunder" in out
    assert "/check" in out
    assert "Ingen telefon nåede frem." in out


def test_the_terminal_qr_is_the_codes_modules():
    """Read back, the printed code is the QR matrix of the /check address: plain (ink for a
    dark module) and coloured (black on white, whatever the terminal's own colours)."""
    import re

    from facilitator.cli_check import terminal_qr
    from facilitator.qr import qr_matrix

    url = "http://192.168.1.23:8765/check"
    matrix = qr_matrix(url)
    padded = matrix + ([[False] * len(matrix[0])] if len(matrix) % 2 else [])
    width = len(matrix[0])

    def read(lines, cell):
        rows = []
        for line in lines:
            cells = cell(line)
            rows.append([top for top, _ in cells] + [False] * (width - len(cells)))
            rows.append([bottom for _, bottom in cells] + [False] * (width - len(cells)))
        return rows

    plain = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
    assert read(terminal_qr(url, ansi=False), lambda line: [plain[c] for c in line]) == padded

    def coloured(line):
        cells = re.findall(r"\x1b\[(\d+);(\d+)m▀", line)
        return [(fg == "30", bg == "40") for fg, bg in cells]

    assert read(terminal_qr(url, ansi=True), coloured) == padded


# ---------------------------------------------------------------------- review fixes
async def test_a_second_check_fails_on_the_port_a_running_check_holds(db, capsys):
    """A running check's own server is not the meeting's: a second check fails, naming
    it, and does not use it (the meeting could not bind the port)."""
    from aiohttp import ClientSession

    first = await preflight.start_phone_check("127.0.0.1", 0)
    try:
        port = first.port
        async with ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/api/check") as answer:
                data = await answer.json()
        assert data["server"] == "check" and data["meeting"] is None
        item, own = await asyncio.to_thread(preflight.check_port, "127.0.0.1", port)
        assert not item.ok and own is None
        assert f"Et andet tjek holder port {port} – luk det først" in item.detail
        assert await asyncio.to_thread(preflight.own_server_url, port) is None
        code = await asyncio.to_thread(
            main, ["check", "--port", str(port), "--wait", "0", "--db", db]
        )
        out, err = capsys.readouterr()
        assert code == 2
        assert f"✗ FEJL Port: Et andet tjek holder port {port}" in out
        assert "Mødets egen server" not in out and "Et andet tjek" in err
    finally:
        await first.stop()


async def test_another_meetings_server_on_the_port_fails_naming_it(meeting_server):
    port, code = meeting_server.port, meeting_server.engine.code
    item, own = await asyncio.to_thread(preflight.check_port, "127.0.0.1", port, 2)
    assert not item.ok and own is None
    assert f"Port {port} bruges af serveren til mødet 1 (kode {code}), ikke mødet 2" in item.detail
    for same in (1, "1", code.lower()):
        item, own = await asyncio.to_thread(preflight.check_port, "127.0.0.1", port, same)
        assert item.ok and own == f"http://127.0.0.1:{port}/", same


async def test_a_meeting_server_phones_cannot_reach_is_not_klar(
    local_meeting_server, db, monkeypatch, capsys
):
    """The meeting runs on 127.0.0.1 only while the check's own address would be the LAN:
    the check says the server cannot be reached, and shows no code to a dead address."""
    monkeypatch.setattr(preflight, "lan_address", lambda: "192.0.2.2")
    port = local_meeting_server.port
    phone = await preflight.start_phone_check(None, port)
    try:
        assert phone.uses_meeting_server and not phone.reachable
        assert phone.url == f"http://127.0.0.1:{port}/check"
        assert "kan ikke nås fra telefonerne" in phone.error
    finally:
        await phone.stop()
    code = await asyncio.to_thread(main, ["check", "--port", str(port), "--wait", "1", "--db", db])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"✗ FEJL Adresse: Mødets server på port {port} kan ikke nås fra telefonerne" in out
    assert "Telefontesten springes over: en telefon kan ikke nå adressen" in out
    assert "http://192.0.2.2" not in out and "scan koden" not in out and "gæstenet" not in out
    assert "Adresse" in err


async def test_check_ids_are_limited_per_client_address():
    """A script opening /check over and over (no cookie, or made-up ones) is counted a few
    times only; every request still gets the page, and a counted phone stays counted."""
    from aiohttp import ClientSession, CookieJar, DummyCookieJar

    from facilitator.web.checkpage import NEW_IDS_PER_MINUTE

    check = await preflight.start_phone_check("127.0.0.1", 0)
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as phone:
            async with phone.get(check.url) as answer:
                assert answer.status == 200
            assert check.arrived == 1
            async with ClientSession(cookie_jar=DummyCookieJar()) as script:
                for number in range(60):
                    cookies = {"fac_check": f"made-up-id-{number:06d}"} if number % 2 else None
                    async with script.get(check.url, cookies=cookies) as answer:
                        assert answer.status == 200
                        assert "Din telefon nåede frem" in await answer.text()
            assert check.arrived == NEW_IDS_PER_MINUTE
            async with phone.get(check.url) as answer:  # the real phone, again
                assert answer.status == 200
            assert check.arrived == NEW_IDS_PER_MINUTE
    finally:
        await check.stop()


def _alembic_to(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from storage.db import MIGRATIONS, make_engine

    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def _revision(url: str) -> str | None:
    from storage.db import current_revision, make_engine

    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_a_missing_sqlite_file_is_not_created(tmp_path):
    path = tmp_path / "new" / "folder" / "meeting.db"
    item = preflight.check_database(f"sqlite:///{path}")
    assert item.ok, item.detail
    assert "Databasen findes ikke endnu – den oprettes, når mødet starter" in item.detail
    assert not path.exists() and not path.parent.exists()
    missing = preflight.check_database(f"sqlite:///{path}", 1)
    assert not missing.ok and "Mødet 1 findes ikke" in missing.detail
    assert not (tmp_path / "new").exists()


def test_a_missing_sqlite_file_in_a_folder_that_cannot_be_written_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)  # root ignores modes
    item = preflight.check_database(f"sqlite:///{tmp_path}/meeting.db")
    assert not item.ok and "kan ikke skrives" in item.detail and str(tmp_path) in item.detail


def test_a_database_that_needs_a_migration_is_not_migrated(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    _alembic_to(url, "0004")
    item = preflight.check_database(url)
    assert item.ok, item.detail
    assert "Skemaet opdateres, når mødet starter" in item.detail
    assert _revision(url) == "0004"


def test_a_database_from_a_newer_version_fails(db):
    store = Store(db)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    store.close()
    item = preflight.check_database(db)
    assert not item.ok and "nyere udgave" in item.detail and "9999" in item.detail


@pytest.mark.parametrize("wait", ["nan", "inf", "-1", "-inf"])
def test_a_wait_that_is_not_a_number_of_seconds_is_refused(wait, db, capsys):
    code, out, err = run(capsys, f"--wait={wait}", "--db", db)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "--wait skal være et antal sekunder, 0 eller mere" in err
    assert out == ""


def test_a_host_that_cannot_be_looked_up_is_the_address_items(unused_tcp_port):
    item, own = preflight.check_port("nonsense.invalid", unused_tcp_port)
    assert item.ok and own is None
    assert "(-2)" not in item.detail
    assert "nonsense.invalid: navnet kan ikke slås op (se Adresse)" in item.detail
    address = preflight.check_address("nonsense.invalid")
    assert not address.ok and "kan ikke slås op" in address.detail


def test_a_loopback_host_gets_no_qr_code(db, unused_tcp_port, capsys):
    code, out, _err = run(
        capsys, "--host", "127.0.0.1", "--port", str(unused_tcp_port), "--wait", "1", "--db", db
    )
    assert code == 2
    assert "en telefon kan ikke åbne den" in out
    assert "Telefontesten springes over" in out
    assert "scan koden" not in out and "▀" not in out and "Venter på telefoner" not in out


async def test_a_loopback_phone_check_says_no_phone_can_open_it():
    check = await preflight.start_phone_check("127.0.0.1", 0)
    try:
        assert check.url == f"http://127.0.0.1:{check.port}/check"
        assert not check.reachable
        assert "127.0.0.1 er kun denne computer (loopback) – en telefon kan ikke åbne den" in (
            check.error or ""
        )
    finally:
        await check.stop()


@needs_lan
def test_wait_0_does_not_blame_the_wifi(db, lan_ok, capsys):
    code, out, err = run(capsys, "--port", "0", "--wait", "0", "--db", db)
    assert code == 0, err
    assert "scan koden" in out
    assert "Telefontesten blev ikke ventet på (--wait 0)" in out
    assert "gæstenet" not in out and "Ingen telefon nåede frem" not in out
