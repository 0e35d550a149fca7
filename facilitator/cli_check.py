"""`facilitator check [MØDE]`: the check before the room arrives, in the terminal.

Prints each local check (✓/✗ and words, never colour alone), the terminal's sample lines,
then the /check address with its QR code and counts the phones that open it, live, until
Enter (or ``--wait`` seconds). Exit status 0 when the local checks pass, 2 when one fails
(named on stderr in one line); the phones' count never changes it.

Without a terminal on stdin and without ``--wait`` nothing is waited for: the live test is
left out (with a line saying so), so a script never hangs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import shutil
import sys
from typing import TextIO

from facilitator.cli_common import db_url, fail
from facilitator.cli_parser import PROG

BLACK_ON_WHITE = {
    (False, False): "\x1b[97;107m▀",
    (True, False): "\x1b[30;107m▀",
    (False, True): "\x1b[97;40m▀",
    (True, True): "\x1b[30;40m▀",
}
PLAIN = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def terminal_qr(url: str, ansi: bool) -> list[str]:
    """The QR code of ``url`` as text lines, two module rows a line. With ``ansi`` the
    colours are explicit (black on white, readable on a dark terminal too); without, the
    dark modules are ink (for a file or a light terminal)."""
    from facilitator.qr import qr_matrix

    matrix = qr_matrix(url)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    glyphs = BLACK_ON_WHITE if ansi else PLAIN
    lines = []
    for top, bottom in zip(matrix[::2], matrix[1::2], strict=True):
        line = "".join(glyphs[(a, b)] for a, b in zip(top, bottom, strict=True))
        lines.append(line + "\x1b[0m" if ansi else line.rstrip())
    return lines


def _print_item(item, out: TextIO) -> None:  # noqa: ANN001 - preflight.CheckItem
    mark = "✓ OK  " if item.ok else "✗ FEJL"
    print(f"{mark} {item.title}: {item.detail}", file=out)
    for line in item.lines:
        print(f"         {line}", file=out)


def _terminal(out: TextIO) -> tuple[int, int, str] | None:
    """The terminal's size and encoding, when the output is one."""
    if not out.isatty():
        return None
    size = shutil.get_terminal_size()
    return size.columns, size.lines, getattr(out, "encoding", None) or ""


def _stdin_tty() -> bool:
    try:
        return bool(sys.stdin) and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def cmd_check(args: argparse.Namespace) -> int:
    from facilitator import preflight

    out = sys.stdout
    with contextlib.suppress(AttributeError, ValueError):
        out.reconfigure(errors="replace")  # a non-UTF-8 terminal still gets every line
    if args.wait is not None and not (math.isfinite(args.wait) and args.wait >= 0):
        fail(f"--wait skal være et antal sekunder, 0 eller mere – ikke {args.wait:g}")
    terminal = _terminal(out)
    items, own = preflight.run_local_checks(
        db_url(args), args.host, args.port, terminal, args.meeting
    )
    print("Tjek før mødet", file=out)
    for item in items:
        _print_item(item, out)
    if terminal is None:
        print("(Terminalen tjekkes ikke: output er ikke en terminal.)", file=out)
    bad = preflight.failed(items)
    port_item = next(item for item in items if item.key == "port")
    address_item = next(item for item in items if item.key == "address")

    print(file=out)
    if not port_item.ok:
        print("Telefontesten springes over: porten kan ikke bruges.", file=out)
    elif not address_item.ok:
        print(
            "Telefontesten springes over: en telefon kan ikke nå adressen – se Adresse ovenfor.",
            file=out,
        )
    elif args.wait is None and not _stdin_tty():
        print(
            "Telefontesten springes over: ingen terminal at vente i (brug --wait SEKUNDER).",
            file=out,
        )
    else:
        asyncio.run(_phones(args, own, out))

    if bad:
        names = "; ".join(f"{item.title}: {item.detail}" for item in bad)
        print(f"{PROG}: tjekket fejlede – {names}", file=sys.stderr)
        return 2
    print("De lokale tjek er i orden.", file=out)
    return 0


async def _phones(args: argparse.Namespace, own: str | None, out: TextIO) -> None:
    from facilitator import preflight

    live = out.isatty()

    def show(count: int) -> None:
        text = preflight.arrived_text(count)
        if live:
            print(f"\r\x1b[2K{text}", end="", file=out, flush=True)
        else:
            print(text, file=out, flush=True)

    check = await preflight.start_phone_check(args.host, args.port, own, on_change=show)
    try:
        if not check.url:
            print(f"Telefontesten kunne ikke starte: {check.error}", file=out)
            return
        if not check.reachable:  # no QR code that no phone can use
            print(f"Telefontesten springes over: {check.error}", file=out)
            return
        where = "mødets egen server" if check.uses_meeting_server else "tjekkets egen side"
        print(f"Telefontest ({where}): scan koden, eller åbn {check.url}", file=out)
        if check.uses_meeting_server:
            print(
                "(Tæller hver telefon, der har åbnet siden, siden mødets server startede.)",
                file=out,
            )
        if check.error:
            print(f"Advarsel: {check.error}", file=out)
        for line in terminal_qr(check.url, ansi=live):
            print(line, file=out)
        if args.wait == 0:
            if check.arrived:
                print(preflight.arrived_text(check.arrived), file=out)
            print(
                "Telefontesten blev ikke ventet på (--wait 0): scan koden, og kør tjekket igen "
                "uden --wait eller med --wait SEKUNDER.",
                file=out,
            )
            return
        if not _stdin_tty():
            until = f"i {_seconds(args.wait)}"
        elif args.wait is not None:
            until = f"tryk Enter for at slutte (højst {_seconds(args.wait)})"
        else:
            until = "tryk Enter for at slutte"
        print(f"Venter på telefoner … {until}", file=out)
        if live:
            print(preflight.arrived_text(check.arrived), end="", file=out, flush=True)
        else:
            print(preflight.arrived_text(check.arrived), file=out, flush=True)
        entered = await _until_enter(args.wait)
        if live and not entered:  # Enter's echo has ended the count's line already
            print(file=out)
        if check.arrived == 0:
            print(
                "Ingen telefon nåede frem. Er telefonerne på samme Wi-Fi som den bærbare? "
                "Et gæstenet skærmer ofte telefonerne fra hinanden – brug et andet net, eller "
                "den bærbares eget hotspot.",
                file=out,
            )
    finally:
        await check.stop()


def _seconds(value: float | None) -> str:
    value = value or 0
    return f"{value:g} sekund" if value == 1 else f"{value:g} sekunder"


async def _until_enter(wait: float | None) -> bool:
    """Until a line on stdin (a terminal), or ``wait`` seconds, whichever comes first.
    True when it was Enter."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    reading = False
    if _stdin_tty():
        try:
            fd = sys.stdin.fileno()

            def line() -> None:
                with contextlib.suppress(OSError):
                    sys.stdin.readline()
                done.set()

            loop.add_reader(fd, line)
            reading = True
        except (NotImplementedError, OSError, ValueError):  # Windows' loop: wait only
            reading = False
    try:
        if wait is None and not reading:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), wait)
        return done.is_set()
    finally:
        if reading:
            loop.remove_reader(sys.stdin.fileno())
