"""The `facilitator` command.

Bad input (unknown meeting, broken agenda, unwritable file, busy meeting) gives one line on
stderr and exit status 2, never a traceback. Heavy imports (Textual, aiohttp) happen only in
the subcommands that need them, so every command starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from facilitator import paths
from facilitator.cli_common import (
    UsageError,
    db_url,
    fail,
    meeting_id,
    open_store,
    os_error_da,
)
from facilitator.cli_parser import PROG, build_parser


def make_engine(store, mid: int):  # noqa: ANN001, ANN201
    from facilitator.engine import EngineError, MeetingEngine

    try:
        return MeetingEngine(store, mid)
    except EngineError as exc:
        fail(str(exc))


def web_settings(args: argparse.Namespace):  # noqa: ANN201 - WebSettings, imported lazily
    """The web server's limits from --max-connections and --max-new-phones."""
    from facilitator.web.settings import WebSettings

    limits = {}
    for option, field in (
        ("max_connections", "max_connections_per_address"),
        ("max_new_phones", "new_devices_per_minute"),
    ):
        value = getattr(args, option, None)
        if value is None:
            continue
        if value < 1:
            fail(f"--{option.replace('_', '-')} skal være mindst 1, ikke {value}")
        limits[field] = value
    return WebSettings(**limits)


def take_lease(engine, host: str | None, port: int, web: bool) -> None:  # noqa: ANN001
    import socket

    from facilitator.engine import LEASE_WAIT_S, MeetingBusy
    from facilitator.web.net import lan_address, url_for

    where = f"pid {os.getpid()} på {socket.gethostname()}"
    if web:
        where += f", {url_for(host or lan_address() or '127.0.0.1', port)}"

    def waiting(holder: str) -> None:
        # The previous run on this machine (its terminal just closed) is still on its
        # way out: give it a few seconds instead of refusing at once.
        print(
            f"Mødet er åbent et andet sted på denne maskine ({holder}). "
            f"Venter op til {LEASE_WAIT_S:g} sekunder, hvis det er ved at lukke …",
            file=sys.stderr,
            flush=True,
        )

    try:
        engine.acquire(where, wait=LEASE_WAIT_S, on_wait=waiting)
    except MeetingBusy as exc:
        fail(str(exc))


# ---------------------------------------------------------------------- commands
def cmd_agendas(args: argparse.Namespace) -> int:
    from facilitator.agenda import AgendaError, list_agendas, load_agenda, load_agenda_file

    if args.action is None:
        for name, origin, agenda in list_agendas():
            if agenda is None:
                print(f"{name:<24} ({origin}) FEJL – kør: {PROG} agendas check {name}")
                continue
            minutes = agenda.planned_seconds // 60
            print(
                f"{name:<24} {agenda.title} – {len(agenda.phases)} faser, {minutes} min ({origin})"
            )
        print(f"Egne dagsordener: {paths.user_agenda_dir()}/NAVN.toml")
        return 0
    if not args.target:
        fail(f"{args.action} kræver et {'navn' if args.action == 'show' else 'filnavn'}")
    try:
        if args.action == "show":
            agenda = load_agenda(args.target)
            print(agenda.source, end="" if agenda.source.endswith("\n") else "\n")
            return 0
        agenda = load_agenda_file(Path(args.target))
    except AgendaError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2
    print(f"{args.target}: i orden – {agenda.title}, {len(agenda.phases)} faser")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from facilitator.agenda import AgendaError, load_agenda
    from facilitator.engine import EngineError, create_meeting
    from facilitator.meeting_size import group_plan, meeting_size_problem

    problem = meeting_size_problem(args.groups, args.participants)
    if problem:  # before anything is loaded: an explicit --groups 0 is refused, not ignored
        fail(problem)
    try:
        agenda = load_agenda(args.agenda)
    except AgendaError as exc:
        fail(
            exc.problems[0]
            + (f" (og {len(exc.problems) - 1} fejl mere)" if len(exc.problems) > 1 else "")
        )
    store = open_store(db_url(args))
    name = Path(args.agenda).stem if args.agenda.endswith(".toml") else args.agenda
    try:
        if args.forloeb is not None:
            from facilitator.course import Course, CourseError

            try:
                Course(store).forloeb(args.forloeb)
            except CourseError as exc:
                fail(str(exc))
        mid = create_meeting(
            store,
            agenda,
            name,
            args.title,
            groups=args.groups,
            participants=args.participants,
            forloeb_id=args.forloeb,
        )
    except EngineError as exc:
        fail(str(exc))
    meeting = store.get_meeting(mid)
    print(f"Oprettet: {meeting.title} ({agenda.title}), kode {meeting.code}")
    plan = group_plan(agenda, args.groups, args.participants)
    if plan:
        print(f"Grupper: {plan}")
    print(mid)
    return 0


def cmd_run(args: argparse.Namespace, url: str | None = None) -> int:
    store = open_store(url or db_url(args))
    mid = meeting_id(store, args.meeting)
    return run_app(store, mid, args)


def run_app(store, mid: int | None, args: argparse.Namespace, demo: bool = False) -> int:  # noqa: ANN001
    web = not getattr(args, "no_web", False)
    settings = web_settings(args)
    engine = None
    if mid is not None:
        engine = make_engine(store, mid)
        take_lease(engine, getattr(args, "host", None), getattr(args, "port", 8765), web)
    from facilitator.app import FacilitatorApp

    app = FacilitatorApp(
        store,
        engine=engine,
        web=web,
        host=getattr(args, "host", None),
        port=getattr(args, "port", 8765),
        demo=demo,
        web_settings=settings,
    )
    try:
        app.run()
    finally:
        if engine is not None:
            engine.release()
    return app.return_code or 0


def cmd_demo(args: argparse.Namespace) -> int:
    from facilitator.demo import ensure_demo

    url = paths.demo_db_url()
    if args.reset:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(url)
    mid = ensure_demo(store)
    return run_app(store, mid, args, demo=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from facilitator.web.server import WebServer

    settings = web_settings(args)
    store = open_store(db_url(args))
    mid = meeting_id(store, args.meeting)
    engine = make_engine(store, mid)
    take_lease(engine, args.host, args.port, True)

    async def main() -> int:
        server = WebServer(engine, host=args.host, port=args.port, settings=settings)
        await server.start()
        if not server.bound:
            print(f"{PROG}: {server.error}", file=sys.stderr)
            return 2
        engine.start_timers()
        print(f"Mødet {mid}: {engine.title}")
        print(f"Deltagere: {server.participant_url or 'Ingen netværk'}")
        if server.error:
            print(f"Advarsel: {server.error}", file=sys.stderr)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # SIGHUP: the terminal was closed; stop cleanly and give the meeting up.
        for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                loop.add_signal_handler(sig, stop.set)
        print("Stop med Ctrl+C.", flush=True)  # only now does Ctrl+C stop it cleanly
        await stop.wait()
        await server.stop()
        return 0

    try:
        return asyncio.run(main())
    finally:
        engine.release()


def cmd_links(args: argparse.Namespace) -> int:
    from facilitator.web.net import lan_address, url_for

    target = None
    if args.qr:
        target = Path(args.qr).expanduser()
        if target.suffix.lower() not in (".svg", ".png"):
            fail(f"QR-kortet skal være en .svg- eller .png-fil, ikke {target.name}")
    store = open_store(db_url(args))
    mid = meeting_id(store, args.meeting)
    if args.rotate:
        store.rotate_tokens(mid)  # a running server notices within two seconds
    meeting = store.get_meeting(mid)
    host = args.host or lan_address()
    if host is None:
        print("Ingen netværk – telefonerne kan ikke nå denne maskine.", file=sys.stderr)
        host = "127.0.0.1"
    participant = url_for(host, args.port)
    if target is not None:  # the card first: a failed write prints no addresses
        from facilitator.qr import png_qr, svg_card

        if target.suffix.lower() == ".svg":
            data = svg_card(participant, meeting.title, meeting.code).encode("utf-8")
        else:
            data = png_qr(participant)
        try:
            target.write_bytes(data)
        except OSError as exc:
            fail(f"kan ikke skrive {target}: {os_error_da(exc)}")
    assist = f"{participant}assist?token={meeting.assistant_token}"
    remote = f"{participant}remote?token={meeting.control_token}"
    print(f"Deltagere (telefonerne, QR-koden): {participant}")
    print(f"Mødeassistenter (skriv flip-overs): {assist}")
    print(f"Fjernbetjening (mødelederens telefon): {remote}")
    print(f"Mødekode: {meeting.code}")
    print("Del kun assistent- og fjernbetjeningslinket med dem, der skal bruge dem.")
    if args.rotate:
        print("Nye nøgler: de gamle assistent- og fjernbetjeningslinks virker ikke længere.")
    if target is not None:
        print(f"QR-kort skrevet: {target}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from facilitator.cli_course import cmd_export as export

    return export(args)


def cmd_delete(args: argparse.Namespace) -> int:
    """Erase a meeting (or with --forloeb a whole course) and every row of it; on SQLite
    the file keeps no trace of it."""
    from storage.repo import LeaseHeld

    if args.forloeb is not None:
        if args.meeting:
            fail("angiv enten et møde eller --forloeb ID, ikke begge")
        from facilitator.cli_course import delete_forloeb

        return delete_forloeb(args)
    if not args.meeting:
        fail("angiv et møde eller --forloeb ID")
    store = open_store(db_url(args))
    try:
        mid = meeting_id(store, args.meeting)
        title = store.get_meeting(mid).title
        if not args.yes:
            if not sys.stdin or not sys.stdin.isatty():
                fail("ingen terminal at spørge i – slet med --yes, hvis du mener det")
            question = f"Slet mødet «{title}» og alt dets indhold? Det kan ikke fortrydes. [j/N] "
            try:
                answer = input(question)
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("j", "ja", "y", "yes"):
                print("Intet er slettet.")
                return 1
        try:
            store.delete_meeting(mid)
        except LeaseHeld as exc:
            fail(f"mødet {mid} kører lige nu ({exc.where}) – afslut det først")
        clean = store.erase_free_space()
    finally:
        store.close()
    print(f"Slettet: mødet «{title}» (id {mid}) og alt dets indhold.")
    if not clean:
        print(
            "Advarsel: et andet program har databasen åben, så dens WAL-fil kunne ikke tømmes "
            "helt; kør kommandoen igen, når det er lukket.",
            file=sys.stderr,
        )
    return 0


def cmd_forloeb(args: argparse.Namespace) -> int:
    from facilitator.cli_course import cmd_forloeb as forloeb

    return forloeb(args)


def cmd_import(args: argparse.Namespace) -> int:
    from facilitator.cli_course import cmd_import as restore

    return restore(args)


def cmd_status(args: argparse.Namespace) -> int:
    from facilitator.cli_course import cmd_status as status

    return status(args)


def cmd_check(args: argparse.Namespace) -> int:
    from facilitator.cli_check import cmd_check as check

    return check(args)


def cmd_start(args: argparse.Namespace) -> int:
    from facilitator import address_choice

    store = open_store(db_url(args))
    saved = address_choice.load()  # what the mødeleder picked with `w` last time
    if saved is not None:
        args.host, args.port = saved
    return run_app(store, None, args)


COMMANDS = {
    "agendas": cmd_agendas,
    "new": cmd_new,
    "run": cmd_run,
    "demo": cmd_demo,
    "serve": cmd_serve,
    "links": cmd_links,
    "export": cmd_export,
    "delete": cmd_delete,
    "forloeb": cmd_forloeb,
    "import": cmd_import,
    "status": cmd_status,
    "check": cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = COMMANDS.get(args.command, cmd_start)
    try:
        return handler(args)
    except UsageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last guard: one line, never a traceback
        from storage.db import StorageError

        if isinstance(exc, StorageError):
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 2
        if os.environ.get("FACILITATOR_DEBUG"):
            raise
        print(f"{PROG}: uventet fejl: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
