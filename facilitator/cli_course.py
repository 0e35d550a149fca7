"""The `facilitator` commands of the APV course: forloeb, import, status, delete --forloeb,
and export (whose documents are facilitator.export's).

Each goes through the course's door (facilitator.course.Course); bad input is one Danish
line on stderr and exit status 2, as for every other command.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from facilitator.cli_common import UsageError, db_url, fail, meeting_id, open_store


def _course(store):  # noqa: ANN001, ANN202 - facilitator.course.Course
    from facilitator.course import Course

    return Course(store)


def _forloeb(course, forloeb_id: int):  # noqa: ANN001, ANN202 - ForloebInfo
    from facilitator.course import CourseError

    try:
        return course.forloeb(forloeb_id)
    except CourseError as exc:
        fail(str(exc))


def _plan(items: list[str]) -> dict[str, str]:
    """--plan TRIN=DATO, the steps by their Danish names (or the stored keys)."""
    from facilitator.course.model import PLAN_STEP_NAMES, PLAN_STEPS

    plan: dict[str, str] = {}
    for item in items:
        name, sep, when = item.partition("=")
        name = name.strip().lower().replace("_", "-")
        step = PLAN_STEP_NAMES.get(name) or (name.replace("-", "_") if sep else None)
        if not sep or step not in PLAN_STEPS:
            names = ", ".join(PLAN_STEP_NAMES)
            fail(f"--plan {item!r}: skriv TRIN=DATO, hvor TRIN er en af {names}")
        plan[step] = when.strip()
    return plan


# ---------------------------------------------------------------------- forloeb
def cmd_forloeb(args: argparse.Namespace) -> int:
    from facilitator.course import CourseError

    store = open_store(db_url(args))
    course = _course(store)
    if args.action == "new":
        if not args.workplace or not args.workplace.strip():
            fail("et forløb skal have en arbejdsplads: --workplace TEKST")
        try:
            fid = course.create_forloeb(
                args.workplace,
                unit=args.unit,
                tovholder=args.tovholder,
                moedeleder=args.moedeleder,
                help_contacts=args.help_contact,
                plan=_plan(args.plan),
            )
        except CourseError as exc:
            fail(str(exc))
        info = course.forloeb(fid)
        print(f"Oprettet: forløbet {_name(info)}")
        for flag in info.flags:
            print(f"⚠ {flag}")
        print(f"Læg møder i det med: facilitator new … --forloeb {fid}")
        print(fid)
        return 0
    rows = course.list_forloeb()
    if not rows:
        print("Ingen forløb endnu. Opret et med: facilitator forloeb new --workplace TEKST")
        return 0
    for info in rows:
        print(f"{info.id:>4}  {_name(info)}")
        for meeting in info.meetings:
            print(f"        møde {meeting.id}: {meeting.title} ({meeting.agenda_title})")
        print(f"        Næste skridt: {info.next_step}")
    return 0


def _name(info) -> str:  # noqa: ANN001
    """The workplace and unit; a meeting's own course (made without one) by its name."""
    if not info.workplace:
        return info.name
    return info.workplace + (f", {info.unit}" if info.unit else "")


# ---------------------------------------------------------------------- status
def cmd_status(args: argparse.Namespace) -> int:
    from facilitator.course.dates import format_date_da

    store = open_store(db_url(args))
    course = _course(store)
    rows = course.list_forloeb()
    if not rows:
        print("Ingen forløb endnu.")
        return 0
    today = date.today()
    for number, info in enumerate(rows):
        if number:
            print()
        print(f"Forløb {info.id}: {_name(info)}")
        print(f"  Næste skridt: {info.next_step}")
        if info.overdue_rows:
            print(f"  Opfølgninger overskredet: {len(info.overdue_rows)}")
            for position, area, follow_up in info.overdue_rows:
                print(f"    {position}. {area} – opfølgning {follow_up}")
        if info.revision_due is None:
            print("  APV revideres: senest 3 år efter handleplanen (ingen handleplan endnu)")
        else:
            when = format_date_da(info.revision_due)
            days = (info.revision_due - today).days
            late = f"overskredet for {-days} dage siden" if days < 0 else f"om {days} dage"
            print(f"  APV revideres senest: {when} ({late})")
    return 0


# ---------------------------------------------------------------------- import
def cmd_import(args: argparse.Namespace) -> int:
    from facilitator.course import ArchiveError

    path = Path(args.file).expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        fail(f"filen {path} findes ikke; intet er skrevet")
    except OSError as exc:
        from facilitator.cli_common import os_error_da

        fail(f"kan ikke læse {path}: {os_error_da(exc)}; intet er skrevet")
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        fail(f"{path} er ikke et facilitator-forløb (ikke UTF-8-tekst); intet er skrevet")
    except json.JSONDecodeError as exc:
        fail(
            f"{path} er afkortet eller ikke gyldig JSON (linje {exc.lineno}, kolonne "
            f"{exc.colno}); intet er skrevet"
        )
    store = open_store(db_url(args))
    course = _course(store)
    try:
        fid = course.import_archive(document)
    except ArchiveError as exc:
        fail(f"{path}: {exc}; intet er skrevet")
    info = course.forloeb(fid)
    print(f"Indlæst: forløbet {_name(info)} med {len(info.meetings)} møder")
    print(fid)
    return 0


# ---------------------------------------------------------------------- delete --forloeb
def delete_forloeb(args: argparse.Namespace) -> int:
    from facilitator.course import CourseError

    store = open_store(db_url(args))
    try:
        course = _course(store)
        info = _forloeb(course, args.forloeb)
        if not args.yes:
            if not sys.stdin or not sys.stdin.isatty():
                fail("ingen terminal at spørge i – slet med --yes, hvis du mener det")
            question = (
                f"Slet forløbet «{_name(info)}» med {len(info.meetings)} møder, vurdering, "
                "handleplan og sygefravær? Det kan ikke fortrydes. [j/N] "
            )
            try:
                answer = input(question)
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("j", "ja", "y", "yes"):
                print("Intet er slettet.")
                return 1
        try:
            gone = course.delete_forloeb(info.id)
        except CourseError as exc:
            fail(str(exc))
        clean = course.erased_clean
    finally:
        store.close()
    print(f"Slettet: forløbet «{_name(info)}» (id {info.id}) med {gone} møder og alt indholdet.")
    if not clean:
        print(
            "Advarsel: et andet program har databasen åben, så dens WAL-fil kunne ikke tømmes "
            "helt; kør kommandoen igen, når det er lukket.",
            file=sys.stderr,
        )
    return 0


# ---------------------------------------------------------------------- export
def cmd_export(args: argparse.Namespace) -> int:
    from facilitator.export.command import export_command

    if args.meeting and args.forloeb is not None:
        fail("angiv enten et møde eller --forloeb ID, ikke begge")
    if not args.meeting and args.forloeb is None:
        fail("angiv et møde eller --forloeb ID")
    store = open_store(db_url(args))
    try:
        mid = meeting_id(store, args.meeting) if args.meeting else None
        if args.forloeb is not None:
            _forloeb(_course(store), args.forloeb)
        return export_command(
            store,
            meeting_id=mid,
            forloeb_id=args.forloeb,
            what=args.what,
            fmt=args.format,
            output=args.output,
            include_confidential=args.include_confidential,
            out=sys.stdout.buffer,
            err=sys.stderr,
        )
    finally:
        store.close()


__all__ = ["UsageError", "cmd_export", "cmd_forloeb", "cmd_import", "cmd_status", "delete_forloeb"]
