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
    monkeypatch.setattr(preflight, "check_address", lambda host: LAN_OK)


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
    """The meeting's own server, running on a port (as `facilitator run` would)."""
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
    assert f":{port}/check" in out
    assert err == ""


async def test_api_check_carries_the_marker_and_the_count(meeting_server):
    from aiohttp import ClientSession

    async with ClientSession() as session:
        base = f"http://127.0.0.1:{meeting_server.port}"
        async with session.get(f"{base}/api/check") as answer:
            assert await answer.json() == {"kind": CHECK_KIND, "count": 0}
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
        assert check.url == f"http://127.0.0.1:{meeting_server.port}/check"
        await _phone_opens(browser, check.url)
        await asyncio.wait_for(arrived.wait(), 5)  # the long poll answers at the arrival
        assert check.arrived == 1
        assert meeting_server.engine.phones == 0  # the check is not a participant
    finally:
        await check.stop()


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
